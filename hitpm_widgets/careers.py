"""Careers: a competency self-assessment against the profile of a healthcare IT role.

The competencies are grouped by the five domains of the ACHE healthcare leadership competency
framework (communication and relationship management; leadership; professionalism; knowledge of the
healthcare environment; business skills and knowledge), plus two domains this kit adds for the work
of healthcare IT projects: project management, and health IT.

The role profiles (`ROLES`: the level each role asks for in each competency) are this kit's
illustrative profiles, a reasoned judgement made for teaching. They are not a standard: no
professional body publishes them, and real job descriptions differ between organisations.

Levels run from 1 to 5: 1 aware, 2 developing, 3 competent, 4 proficient, 5 expert.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

from .exercise import Exercise

LEVELS = {1: "aware", 2: "developing", 3: "competent", 4: "proficient", 5: "expert"}
LEVEL_MIN, LEVEL_MAX = min(LEVELS), max(LEVELS)
SCALE_TEXT = ", ".join(f"{level} {meaning}" for level, meaning in LEVELS.items())

COMMUNICATION = "communication and relationship management"
LEADERSHIP = "leadership"
PROFESSIONALISM = "professionalism"
HEALTHCARE_ENVIRONMENT = "knowledge of the healthcare environment"
BUSINESS = "business skills and knowledge"
PROJECT_MANAGEMENT = "project management"
HEALTH_IT = "health IT"
#: The five ACHE domains first, then the two this kit adds.
ACHE_DOMAINS = (COMMUNICATION, LEADERSHIP, PROFESSIONALISM, HEALTHCARE_ENVIRONMENT, BUSINESS)
DOMAINS = (*ACHE_DOMAINS, PROJECT_MANAGEMENT, HEALTH_IT)

#: A note is a few lines of evidence or a plan, not an essay.
NOTE_MAX = 500


@dataclass(frozen=True)
class Competency:
    id: str
    domain: str
    name: str
    #: One line: what the competency is.
    description: str
    #: One line: a way to grow in it at work (shown by `development_focus`).
    how_to_grow: str


COMPETENCIES: dict[str, Competency] = {
    competency.id: competency
    for competency in (
        Competency("communication", COMMUNICATION, "Communication",
                   "Clear, timely speaking and writing for clinicians, executives, vendors and patients.",
                   "Write the steering committee's status report for a month; ask the chair for feedback."),
        Competency("relationships", COMMUNICATION, "Relationships and negotiation",
                   "Building trust across departments, negotiating and working through conflict.",
                   "Broker one cross-department agreement, such as a shared order set or a downtime rota."),
        Competency("emotional-intelligence", LEADERSHIP, "Emotional intelligence",
                   "Self-awareness, self-regulation, motivation, empathy and social skill (Goleman).",
                   "Ask three colleagues for candid feedback on how you act under pressure; act on it."),
        Competency("team-leadership", LEADERSHIP, "Leading teams",
                   "Building, coaching and delegating to cross-functional teams, including people you do "
                   "not manage.",
                   "Lead a workstream whose members report to someone else, such as the super-user network."),
        Competency("ethics-accountability", PROFESSIONALISM, "Ethics and accountability",
                   "Putting patient safety first, reporting status honestly, owning decisions and mistakes.",
                   "Present a red status with its recovery plan yourself, rather than waiting to be asked."),
        Competency("learning-mentoring", PROFESSIONALISM, "Learning and mentoring",
                   "Continuing education, reflecting on practice, and coaching the people coming up behind.",
                   "Keep a learning log for a quarter and mentor one new analyst or super-user."),
        Competency("healthcare-organisations", HEALTHCARE_ENVIRONMENT, "Healthcare organisations",
                   "How hospitals, payers and life-science companies are organised, governed and paid.",
                   "Sit in on a medical staff committee or a quality committee and map who decides what."),
        Competency("privacy-security", HEALTHCARE_ENVIRONMENT, "Privacy and security",
                   "HIPAA's privacy and security rules, role-based access, audit and breach handling.",
                   "Review a system's access roles and audit reports with the privacy officer."),
        Competency("budgets-business-cases", BUSINESS, "Budgets and business cases",
                   "Business cases, capital and operating budgets, and tracking whether benefits arrive.",
                   "Draft the benefits-realisation section of a business case with the finance team."),
        Competency("vendor-management", BUSINESS, "Vendors and contracts",
                   "Selecting vendors, reading contracts and holding suppliers to their service levels.",
                   "Join a vendor selection panel or run the monthly service review with a supplier."),
        Competency("scheduling-cost-control", PROJECT_MANAGEMENT, "Scheduling and cost control",
                   "Schedules, critical paths, three-point estimates and earned value.",
                   "Own the schedule and the monthly earned value report of a small project."),
        Competency("risk-management", PROJECT_MANAGEMENT, "Risk management",
                   "Finding, scoring and answering risks, and keeping the register alive.",
                   "Run the risk review of a project for three months and see each response through."),
        Competency("agile-delivery", PROJECT_MANAGEMENT, "Agile delivery",
                   "Scrum and Kanban: backlogs, sprints, limits on work in progress, frequent increments.",
                   "Act as product owner or Scrum Master for an optimisation backlog after a go-live."),
        Competency("stakeholder-engagement", PROJECT_MANAGEMENT, "Stakeholder engagement",
                   "Mapping stakeholders by power, interest and salience, and engaging each as they need.",
                   "Build and keep the stakeholder map and engagement plan for one phase of a project."),
        Competency("change-management", PROJECT_MANAGEMENT, "Change management",
                   "Leading adoption with Kotter, ADKAR or Lewin: super-users, training, reinforcement.",
                   "Be the super-user lead for a unit's go-live and follow its adoption for eight weeks."),
        Competency("clinical-workflow", HEALTH_IT, "Clinical workflow",
                   "How care is delivered on the units and in clinics, and how a system changes it.",
                   "Shadow a nurse and a physician for a shift each and map their current workflow."),
        Competency("data-interoperability", HEALTH_IT, "Data and interoperability",
                   "Interfaces and exchange standards (such as HL7 and FHIR), terminologies, data migration.",
                   "Take part in an interface or data migration test cycle and trace the defects it finds."),
        Competency("regulation-validation", HEALTH_IT, "Regulation and validation",
                   "21 CFR Part 11, GAMP 5 categories, the V-model and risk-based computer system "
                   "validation.",
                   "Write and run test scripts in a validation project, then trace them to requirements."),
        Competency("implementation-go-live", HEALTH_IT, "Implementation and go-live",
                   "Build, testing, cutover, the command centre, at-the-elbow support and stabilisation.",
                   "Staff a go-live command centre shift, or plan one unit's cutover checklist."),
    )
}


@dataclass(frozen=True)
class Role:
    id: str
    name: str
    #: One line: what the role does.
    summary: str
    #: competency id: target level (1-5).
    targets: dict[str, int]


def _profile(*levels: int) -> dict[str, int]:
    """Target levels in the order of COMPETENCIES."""
    return dict(zip(COMPETENCIES, levels, strict=True))


# The order of the levels below is the order of COMPETENCIES:
# communication, relationships, emotional-intelligence, team-leadership, ethics-accountability,
# learning-mentoring, healthcare-organisations, privacy-security, budgets-business-cases,
# vendor-management, scheduling-cost-control, risk-management, agile-delivery,
# stakeholder-engagement, change-management, clinical-workflow, data-interoperability,
# regulation-validation, implementation-go-live.
ROLES: dict[str, Role] = {
    role.id: role
    for role in (
        # Runs the IT department: its budget, vendors and people matter more than any one workflow.
        Role("it-director", "IT director",
             "Leads the IT department: infrastructure, applications, service desk, budget and contracts.",
             _profile(5, 5, 4, 5, 4, 3, 4, 4, 5, 4, 3, 4, 3, 4, 4, 2, 3, 2, 3)),
        # Owns the clinical systems after go-live: the build team, upgrades and the vendor relationship.
        Role("clinical-applications-manager", "Clinical applications manager",
             "Runs the team that builds, upgrades and supports the clinical systems such as the EMR.",
             _profile(4, 4, 4, 4, 4, 3, 3, 3, 3, 4, 3, 3, 3, 4, 4, 4, 4, 2, 5)),
        # A clinician who translates between the bedside and the build: workflow and change come first.
        Role("informatics-lead", "Informatics lead / nurse informaticist",
             "A clinician who designs workflows and clinical content and leads clinicians through change.",
             _profile(4, 4, 4, 3, 4, 4, 4, 3, 2, 2, 2, 3, 2, 4, 4, 5, 3, 2, 4)),
        # In regulated (GxP) work: validation and honest records come first, ahead of budgets.
        Role("validation-lead", "Validation lead",
             "Plans and runs computer system validation for regulated software and keeps its evidence.",
             _profile(3, 3, 3, 3, 5, 3, 2, 3, 2, 3, 3, 4, 2, 3, 2, 2, 3, 5, 3)),
        # Plans and controls the project: schedule, cost, risk and people.
        Role("project-manager", "Healthcare IT project manager",
             "Plans, runs and controls healthcare IT projects from charter to handover.",
             _profile(4, 4, 4, 4, 4, 3, 3, 3, 4, 3, 5, 5, 4, 5, 4, 3, 3, 3, 4)),
    )
}


def level_text(level: int | None) -> str:
    """A level in words: 3 gives '3 competent', None gives 'not rated'."""
    return "not rated" if level is None else f"{level} {LEVELS[level]}"


def check_level(competency_id: str, level: Any) -> int:
    if isinstance(level, bool) or not isinstance(level, numbers.Integral):
        raise ValueError(f"the level of {competency_id!r} must be a whole number from {LEVEL_MIN} to "
                         f"{LEVEL_MAX} ({SCALE_TEXT}), not {level!r}")
    if not LEVEL_MIN <= level <= LEVEL_MAX:
        raise ValueError(f"the level of {competency_id!r} must be from {LEVEL_MIN} to {LEVEL_MAX} "
                         f"({SCALE_TEXT}); {level!r} is outside")
    return int(level)


def find_competency(competency_id: str) -> Competency:
    """The competency with this id; KeyError listing the known ids otherwise."""
    try:
        return COMPETENCIES[competency_id]
    except (KeyError, TypeError):
        raise KeyError(f"unknown competency {competency_id!r}; known: {', '.join(COMPETENCIES)}") from None


def find_role(role_id: str) -> Role:
    """The role with this id; KeyError listing the known ids otherwise."""
    try:
        return ROLES[role_id]
    except (KeyError, TypeError):
        raise KeyError(f"unknown role {role_id!r}; known: {', '.join(ROLES)}") from None


def competency_frame():
    """The framework as a DataFrame, one row a competency (indexed by id), in domain order."""
    import pandas as pd

    frame = pd.DataFrame([
        {"competency": c.id, "domain": c.domain, "name": c.name, "description": c.description}
        for c in COMPETENCIES.values()
    ])
    return frame.set_index("competency")


def role_profiles():
    """Every role's target levels: one row a competency, one column a role id."""
    import pandas as pd

    frame = pd.DataFrame({r.id: r.targets for r in ROLES.values()})
    frame.index.name = "competency"
    return frame


class CompetencySelfAssessment(Exercise):
    """Rate yourself on each competency (1 aware to 5 expert) and compare with a role's profile.

    >>> me = CompetencySelfAssessment(None, target_role="project-manager")
    >>> me.rate("scheduling-cost-control", 2)
    >>> int(me.gaps()["scheduling-cost-control"])
    3

    `target_role` is the role to start with; a saved answer's own choice of role wins over it.
    """

    kind = "CompetencySelfAssessment"

    def __init__(self, exercise_id: str | None, *, target_role: str | None = None, directory=None) -> None:
        super().__init__(exercise_id, directory=directory)
        self._target_role = None if target_role is None else find_role(target_role).id
        self._ratings: dict[str, int] = {}
        self._notes: dict[str, str] = {}
        # Saved ratings of competencies this framework no longer lists are kept, so nothing is lost.
        self._unlisted: dict[str, Any] = {}
        self._load_saved_answer()

    # -- answering ---------------------------------------------------------------------------

    def rate(self, competency_id: str, level: int) -> None:
        """Rate yourself on a competency: 1 aware, 2 developing, 3 competent, 4 proficient, 5 expert."""
        competency_id = find_competency(competency_id).id
        self._ratings[competency_id] = check_level(competency_id, level)
        self._changed()

    def clear(self, competency_id: str) -> None:
        """Take a competency back to not rated (its note stays)."""
        competency_id = find_competency(competency_id).id
        self._ratings.pop(competency_id, None)
        self._changed()

    def set_target_role(self, role_id: str | None) -> None:
        """Choose the role to compare yourself with (a role id, see ROLES), or None for none."""
        self._target_role = None if role_id is None else find_role(role_id).id
        self._changed()

    def note(self, competency_id: str, text: str) -> None:
        """Keep a note on a competency: your evidence for the rating, or your plan."""
        competency_id = find_competency(competency_id).id
        self._notes[competency_id] = _note_text(competency_id, text)
        self._changed()

    # -- reading -----------------------------------------------------------------------------

    @property
    def target_role(self) -> str | None:
        """The id of the role you compare yourself with, or None."""
        return self._target_role

    def rating(self, competency_id: str) -> int | None:
        """Your level on a competency, or None while it is not rated."""
        return self._ratings.get(find_competency(competency_id).id)

    def note_for(self, competency_id: str) -> str:
        return self._notes.get(find_competency(competency_id).id, "")

    def unrated(self) -> list[str]:
        """The competencies not rated yet, in the framework's order."""
        return [competency_id for competency_id in COMPETENCIES if competency_id not in self._ratings]

    def targets(self) -> dict[str, int]:
        """The target role's level for every competency."""
        return dict(self._role().targets)

    def gaps(self):
        """Target minus rating for each rated competency, largest first (a pandas Series of ints).

        A negative gap means you are above the role's target. Ties are ordered by the higher target
        first, then by the framework's order. Competencies not rated yet have no gap.
        """
        import pandas as pd

        targets = self._role().targets
        order = list(COMPETENCIES)
        rated = [c for c in order if c in self._ratings]
        rated.sort(key=lambda c: (-(targets[c] - self._ratings[c]), -targets[c], order.index(c)))
        gaps = pd.Series([targets[c] - self._ratings[c] for c in rated], index=rated, dtype="int64",
                         name="gap")
        gaps.index.name = "competency"
        return gaps

    def development_focus(self, n: int = 3):
        """The `n` largest gaps (only gaps above 0), each with a way to grow: a DataFrame by competency."""
        import pandas as pd

        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise ValueError(f"n must be a whole number of competencies, 1 or more, not {n!r}")
        gaps = self.gaps()
        targets = self._role().targets
        rows = []
        for competency_id, gap in gaps[gaps > 0].head(int(n)).items():
            item = COMPETENCIES[competency_id]
            rows.append({
                "competency": competency_id,
                "name": item.name,
                "domain": item.domain,
                "rating": self._ratings[competency_id],
                "target": targets[competency_id],
                "gap": int(gap),
                "suggestion": (f"From {level_text(self._ratings[competency_id])} towards "
                               f"{level_text(targets[competency_id])}: {item.how_to_grow}"),
            })
        columns = ["competency", "name", "domain", "rating", "target", "gap", "suggestion"]
        return pd.DataFrame(rows, columns=columns).set_index("competency")

    def domain_scores(self):
        """Per domain: competencies rated, mean rating, and (with a target role) mean target and gap."""
        import pandas as pd

        targets = self._role().targets if self._target_role else None
        rows = []
        for domain in DOMAINS:
            members = [c for c, item in COMPETENCIES.items() if item.domain == domain]
            rated = [c for c in members if c in self._ratings]
            row = {
                "domain": domain,
                "competencies": len(members),
                "rated": len(rated),
                "mean_rating": (sum(self._ratings[c] for c in rated) / len(rated)) if rated else float("nan"),
            }
            if targets is not None:
                row["mean_target"] = sum(targets[c] for c in members) / len(members)
                # Only rated competencies count towards the gap, so an unrated one is not read as level 0.
                row["mean_gap"] = (sum(targets[c] - self._ratings[c] for c in rated) / len(rated)
                                   if rated else float("nan"))
            rows.append(row)
        return pd.DataFrame(rows).set_index("domain")

    def to_frame(self):
        """The whole self-assessment, one row a competency (indexed by id), in the framework's order."""
        import pandas as pd

        targets = self._role().targets if self._target_role else {}
        rows = []
        for competency_id, item in COMPETENCIES.items():
            rating = self._ratings.get(competency_id)
            target = targets.get(competency_id)
            rows.append({
                "competency": competency_id,
                "domain": item.domain,
                "name": item.name,
                "rating": rating,
                "level": level_text(rating),
                "target": target,
                "gap": None if rating is None or target is None else target - rating,
                "note": self._notes.get(competency_id, ""),
            })
        frame = pd.DataFrame(rows).set_index("competency")
        for column in ("rating", "target", "gap"):
            frame[column] = frame[column].astype("Int64")
        return frame

    def _role(self) -> Role:
        if self._target_role is None:
            raise ValueError("choose a target role first, with set_target_role(...); one of: "
                             f"{', '.join(ROLES)}")
        return ROLES[self._target_role]

    # -- durable answers and display -----------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        ratings = dict(self._unlisted.get("ratings", {}))
        ratings.update(self._ratings)
        notes = dict(self._unlisted.get("notes", {}))
        notes.update(self._notes)
        return {"target_role": self._target_role, "ratings": ratings, "notes": notes}

    def _restore(self, data: dict[str, Any]) -> None:
        # Check everything before changing anything: a bad file leaves the assessment as it was.
        saved_role = data.get("target_role")
        target_role = self._target_role if saved_role is None else find_role(saved_role).id
        ratings, notes = {}, {}
        unlisted: dict[str, dict] = {"ratings": {}, "notes": {}}
        for competency_id, level in _mapping("ratings", data.get("ratings", {})).items():
            level = check_level(competency_id, level)
            (ratings if competency_id in COMPETENCIES else unlisted["ratings"])[competency_id] = level
        for competency_id, text in _mapping("notes", data.get("notes", {})).items():
            text = _note_text(competency_id, text)
            (notes if competency_id in COMPETENCIES else unlisted["notes"])[competency_id] = text
        self._target_role, self._ratings, self._notes, self._unlisted = target_role, ratings, notes, unlisted

    def _make_view(self):
        from .views.careers import CompetencyView

        return CompetencyView(self)

    def __repr__(self) -> str:
        rated = len(COMPETENCIES) - len(self.unrated())
        target = self._target_role or "no target role"
        return (f"<CompetencySelfAssessment {self.exercise_id!r}: {rated} of {len(COMPETENCIES)} "
                f"competencies rated; {target}>")


def _note_text(competency_id: str, text: Any) -> str:
    if not isinstance(text, str):
        raise ValueError(f"the note on {competency_id!r} must be text, not {type(text).__name__}")
    if len(text) > NOTE_MAX:
        raise ValueError(f"the note on {competency_id!r} is {len(text)} characters long; "
                         f"keep it to at most {NOTE_MAX}")
    return text


def _mapping(what: str, value: Any) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f"the saved {what} must be a mapping of competency ids, not {type(value).__name__}")
    return value
