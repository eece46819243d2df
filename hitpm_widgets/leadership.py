"""Conflict and leadership: Thomas–Kilmann conflict modes and situational leadership.

Thomas–Kilmann: five ways of handling a conflict, placed by assertiveness (pursuing one's own
concerns) and cooperativeness (pursuing the other party's concerns).

Situational leadership (Hersey–Blanchard): the leader reads the follower's readiness for the task
(R1 unable, unwilling; R2 unable, willing; R3 able, unwilling; R4 able, willing) and answers it with
the matching style (S1 telling, S2 selling, S3 participating, S4 delegating).

`LeadershipScenarios` is the exercise: for each conflict scenario of a case the learner names the
conflict mode that fits, the readiness of the person at its centre, the leadership style, and why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from typing import Any

from .exercise import Exercise
from .tabular import is_missing


@dataclass(frozen=True)
class ConflictMode:
    name: str
    assertiveness: str
    cooperativeness: str
    #: One line: the situation this mode suits.
    when_it_fits: str


CONFLICT_MODES: dict[str, ConflictMode] = {
    mode.name: mode
    for mode in (
        ConflictMode("competing", "high", "low",
                     "quick, decisive action is vital, or a safety rule must hold even if unpopular"),
        ConflictMode("collaborating", "high", "high",
                     "both sides' concerns are too important to trade away and there is time to work it out"),
        ConflictMode("compromising", "middle", "middle",
                     "goals matter moderately, power is balanced, or a temporary settlement is needed fast"),
        ConflictMode("avoiding", "low", "low",
                     "the issue is trivial, tempers need to cool, or others are better placed to resolve it"),
        ConflictMode("accommodating", "low", "high",
                     "the issue matters far more to the other side, you were wrong, "
                     "or goodwill is needed later"),
    )
}


@dataclass(frozen=True)
class Readiness:
    level: str
    able: bool
    willing: bool

    @property
    def description(self) -> str:
        """In the words of the model: 'unable, unwilling' and so on."""
        return f"{'able' if self.able else 'unable'}, {'willing' if self.willing else 'unwilling'}"


READINESS_LEVELS: dict[str, Readiness] = {
    "R1": Readiness("R1", able=False, willing=False),
    "R2": Readiness("R2", able=False, willing=True),
    "R3": Readiness("R3", able=True, willing=False),
    "R4": Readiness("R4", able=True, willing=True),
}

LEADERSHIP_STYLES = ("S1 telling", "S2 selling", "S3 participating", "S4 delegating")
#: Readiness level: the style that answers it (R1 -> S1 and so on).
STYLE_FOR_READINESS = dict(zip(READINESS_LEVELS, LEADERSHIP_STYLES, strict=True))

#: A reason is one line; longer thinking belongs in the workbook's written answers.
REASON_MAX = 300


def _text(what: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"the {what} must be text, not {type(value).__name__}")
    return value.strip()


def conflict_mode(value: Any) -> str:
    """`value` as one of the five mode names (case and surrounding spaces do not matter)."""
    mode = _text("conflict mode", value).lower()
    if mode not in CONFLICT_MODES:
        raise ValueError(f"unknown conflict mode {value!r}; one of: {', '.join(CONFLICT_MODES)}")
    return mode


def readiness_level(value: Any) -> str:
    """`value` as "R1".."R4" ("r2" is read as "R2")."""
    level = _text("readiness", value).upper()
    if level not in READINESS_LEVELS:
        allowed = "; ".join(f"{r.level} ({r.description})" for r in READINESS_LEVELS.values())
        raise ValueError(f"unknown readiness {value!r}; one of: {allowed}")
    return level


def leadership_style(value: Any) -> str:
    """`value` as a full style name: "S2", "s2", "selling" and "S2 selling" all give "S2 selling"."""
    text = " ".join(_text("leadership style", value).split()).lower()
    for style in LEADERSHIP_STYLES:
        short, word = style.lower().split()
        if text in (style.lower(), short, word):
            return style
    raise ValueError(
        f"unknown leadership style {value!r}; one of: {', '.join(LEADERSHIP_STYLES)} "
        "(or the short forms S1 to S4)"
    )


def style_for(readiness: str) -> str:
    """The situational leadership style that answers a readiness level: style_for("R2") is "S2 selling"."""
    return STYLE_FOR_READINESS[readiness_level(readiness)]


def reason_text(value: Any) -> str:
    """A one-line reason: not empty, no line breaks, at most REASON_MAX characters."""
    reason = _text("reason", value)
    if not reason:
        raise ValueError("the reason must not be empty: say in one line why this mode and this style")
    if "\n" in reason or "\r" in reason:
        raise ValueError("the reason must be one line (no line breaks)")
    if len(reason) > REASON_MAX:
        raise ValueError(
            f"the reason is {len(reason)} characters long; keep it to one line of at most {REASON_MAX}"
        )
    return reason


@dataclass
class ScenarioAnswer:
    """The learner's answer to one scenario. None means not chosen yet."""

    mode: str | None = None
    readiness: str | None = None
    style: str | None = None
    reason: str | None = None

    @property
    def complete(self) -> bool:
        return None not in (self.mode, self.readiness, self.style, self.reason)


ANSWER_FIELDS = tuple(field.name for field in fields(ScenarioAnswer))
_CHECKS = {"mode": conflict_mode, "readiness": readiness_level, "style": leadership_style,
           "reason": reason_text}


class LeadershipScenarios(Exercise):
    """Conflict scenarios: the conflict mode, the person's readiness, the leadership style, and why.

    `scenarios`: a table with a unique `scenario_id` column (a case table, or a list of dicts); its
    other columns (title, situation, parties, person, competence_evidence, commitment_evidence) are
    the evidence the widget shows.

    >>> s = LeadershipScenarios(None, [{"scenario_id": "C1", "title": "Order set dispute"}])
    >>> s.answer("C1", mode="collaborating", readiness="R2", style="S2")
    >>> s.answer_for("C1").style, s.style_matches_readiness("C1")
    ('S2 selling', True)
    """

    kind = "LeadershipScenarios"

    def __init__(self, exercise_id: str | None, scenarios, *, directory=None) -> None:
        super().__init__(exercise_id, directory=directory)
        self.scenarios = _scenario_table(scenarios)
        self._answers = {scenario_id: ScenarioAnswer() for scenario_id in self.scenarios.index}
        # Saved answers to scenarios this table does not list are kept, so nothing is lost on save.
        self._unlisted: dict[str, Any] = {}
        self._load_saved_answer()

    @property
    def scenario_ids(self) -> list[str]:
        return list(self._answers)

    def _get(self, scenario_id: str) -> ScenarioAnswer:
        try:
            return self._answers[scenario_id]
        except (KeyError, TypeError):
            raise KeyError(f"unknown scenario {scenario_id!r}; known: {', '.join(self._answers)}") from None

    # -- answering ---------------------------------------------------------------------------

    def answer(self, scenario_id: str, *, mode: str | None = None, readiness: str | None = None,
               style: str | None = None, reason: str | None = None) -> None:
        """Record any of the four parts of a scenario's answer; parts left out (None) stay as they were.

        mode: competing, collaborating, compromising, avoiding or accommodating; readiness: R1 to R4;
        style: S1 telling, S2 selling, S3 participating or S4 delegating (or S1 to S4); reason: one
        line of at most 300 characters.
        """
        answer = self._get(scenario_id)
        given = {"mode": mode, "readiness": readiness, "style": style, "reason": reason}
        given = {name: value for name, value in given.items() if value is not None}
        if not given:
            raise ValueError(f"give at least one of {', '.join(ANSWER_FIELDS)} for scenario {scenario_id!r}")
        # Check every part before changing any: a bad style does not leave a new mode half-recorded.
        checked = {name: _CHECKS[name](value) for name, value in given.items()}
        for name, value in checked.items():
            setattr(answer, name, value)
        self._changed()

    def clear(self, scenario_id: str) -> None:
        """Take a scenario's answer back to nothing chosen."""
        self._get(scenario_id)
        self._answers[scenario_id] = ScenarioAnswer()
        self._changed()

    # -- reading -----------------------------------------------------------------------------

    def answer_for(self, scenario_id: str) -> ScenarioAnswer:
        """A copy of the scenario's answer (changing it changes nothing here)."""
        return ScenarioAnswer(**asdict(self._get(scenario_id)))

    def unanswered(self) -> list[str]:
        """The scenarios whose answer still lacks a mode, a readiness, a style or a reason, in table order."""
        return [scenario_id for scenario_id, answer in self._answers.items() if not answer.complete]

    def style_matches_readiness(self, scenario_id: str) -> bool | None:
        """Whether the chosen style is the one that answers the chosen readiness (R1-S1 ... R4-S4).

        None while the readiness or the style is not chosen yet.
        """
        answer = self._get(scenario_id)
        if answer.readiness is None or answer.style is None:
            return None
        return STYLE_FOR_READINESS[answer.readiness] == answer.style

    def to_frame(self):
        """All answers, one row a scenario (indexed by scenario_id), in table order."""
        import pandas as pd

        titles = self.scenarios["title"] if "title" in self.scenarios.columns else None
        rows = []
        for scenario_id, answer in self._answers.items():
            mode = CONFLICT_MODES.get(answer.mode)
            rows.append({
                "scenario_id": scenario_id,
                "title": "" if titles is None else str(titles.loc[scenario_id]),
                "mode": answer.mode,
                "assertiveness": mode.assertiveness if mode else None,
                "cooperativeness": mode.cooperativeness if mode else None,
                "readiness": answer.readiness,
                "style": answer.style,
                "style_matches_readiness": self.style_matches_readiness(scenario_id),
                "reason": answer.reason,
            })
        return pd.DataFrame(rows).set_index("scenario_id")

    # -- durable answers and display -----------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        answers = dict(self._unlisted)
        answers.update({scenario_id: asdict(answer) for scenario_id, answer in self._answers.items()})
        return {"scenarios": answers}

    def _restore(self, data: dict[str, Any]) -> None:
        # Check everything before changing anything: a bad file leaves the answers as they were.
        saved_answers = data["scenarios"]
        if not isinstance(saved_answers, dict):
            raise ValueError("'scenarios' is not a mapping of scenario ids to answers")
        answers, unlisted = {}, {}
        for scenario_id, saved in saved_answers.items():
            if scenario_id in self._answers:
                answers[scenario_id] = _answer_from_saved(scenario_id, saved)
            else:
                unlisted[scenario_id] = saved
        self._answers.update(answers)
        self._unlisted = unlisted

    def _make_view(self):
        from .views.leadership import LeadershipView

        return LeadershipView(self)

    def __repr__(self) -> str:
        done = len(self._answers) - len(self.unanswered())
        return (f"<LeadershipScenarios {self.exercise_id!r}: {done} of {len(self._answers)} "
                "scenarios answered>")


def _answer_from_saved(scenario_id: str, saved: Any) -> ScenarioAnswer:
    """Rebuild one answer from JSON, checking it as strictly as a learner's input."""
    if not isinstance(saved, dict):
        raise ValueError(f"the saved answer of scenario {scenario_id!r} is not a mapping")
    unknown = sorted(set(saved) - set(ANSWER_FIELDS))
    if unknown:
        raise ValueError(f"the saved answer of scenario {scenario_id!r} has unknown parts: "
                         f"{', '.join(unknown)}")
    values = {}
    for name in ANSWER_FIELDS:
        value = saved.get(name)
        values[name] = None if value is None else _CHECKS[name](value)
    return ScenarioAnswer(**values)


def _scenario_table(scenarios):
    """Scenarios as a DataFrame indexed by scenario_id (text), checked: ids present and unique."""
    import pandas as pd

    not_a_table = "give the scenarios as a table (DataFrame) or a list of dicts, one a scenario"
    if isinstance(scenarios, pd.DataFrame):
        frame = scenarios.copy()
        if "scenario_id" not in frame.columns and frame.index.name == "scenario_id":
            frame = frame.reset_index()
    elif isinstance(scenarios, str | bytes | dict) or not isinstance(scenarios, Iterable):
        raise ValueError(not_a_table)
    else:
        rows = list(scenarios)
        if not all(isinstance(row, dict) for row in rows):
            raise ValueError(not_a_table)
        frame = pd.DataFrame(rows)
    if "scenario_id" not in frame.columns:
        known = ", ".join(map(str, frame.columns)) or "none"
        raise ValueError(f"the scenario table needs a 'scenario_id' column; its columns: {known}")
    if frame.empty:
        raise ValueError("the scenario table has no scenarios")
    ids = []
    for number, value in enumerate(frame["scenario_id"], start=1):
        text = "" if is_missing(value) else str(value).strip()
        if not text:
            raise ValueError(f"scenario {number} of the table has no scenario_id")
        ids.append(text)
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"scenario ids must be unique; repeated: {', '.join(repeated)}")
    frame["scenario_id"] = ids
    return frame.set_index("scenario_id")
