"""`hitpm lms push`'s plan and run: each learner's score of one assignment, sent once.

A score is what the LMS CSV would hold (grading.exports.final_score): a submission whose answers still
wait for manual grading goes as PendingManual, with no score given, never as final. What each push sent
is kept beside the course's grading outputs; the next push sends only what changed or did not go.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import requests

#: The learner handed it in (an AGS activityProgress): the grading is what may still be going on.
SUBMITTED = "Submitted"


@dataclass
class Plan:
    assignment: str
    label: str
    maximum: float
    #: student -> the score to send (without userId and timestamp, which are the push's own)
    scores: dict[str, dict] = field(default_factory=dict)


def plan_scores(gradebook, assignment: str) -> Plan:
    """The scores of every learner with a submission of `assignment`, as AGS takes them."""
    from ..grading.exports import final_score

    found = gradebook.find_assignment(assignment)
    plan = Plan(assignment, f"{assignment} ({found.max_score:g} points)", float(found.max_score))
    for submission in gradebook.assignment_submissions(assignment):
        final = final_score(submission)
        score = {"scoreMaximum": plan.maximum, "activityProgress": SUBMITTED,
                 "gradingProgress": "PendingManual" if final is None else "FullyGraded"}
        if final is not None:
            score["scoreGiven"] = round(final, 4)
        plan.scores[submission.student_id] = score
    return plan


class PushRecord:
    """What went to the LMS, per line item and learner: a push compares with it and adds to it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            self.data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            self.data = {}

    def sent(self, line_item: str | None, student: str) -> dict | None:
        entry = self.data.get(student)
        if entry is None or (line_item is not None and entry.get("lineitem") != line_item):
            return None
        return entry.get("score")

    def keep(self, line_item: str, student: str, score: dict) -> None:
        self.data[student] = {"lineitem": line_item, "score": score}
        self._save()

    def _save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, staging = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(self.data, stream, indent=1, sort_keys=True)
        os.replace(staging, self.path)


@dataclass
class Outcome:
    sent: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    #: student -> why their score did not go
    not_sent: dict[str, str] = field(default_factory=dict)
    #: what stopped the whole push (an unreachable LMS, a refused token), if anything did
    stopped: str | None = None


def wanted(plan: Plan, users: dict[str, str]) -> tuple[dict[str, dict], dict[str, str]]:
    """The scores with their LMS user, and the learners the LMS does not know."""
    with_user, unknown = {}, {}
    for student, score in sorted(plan.scores.items()):
        if student in users:
            with_user[student] = {**score, "userId": users[student]}
        else:
            unknown[student] = "unknown to the LMS: never launched the course from it (pushed after their first launch)"
    return with_user, unknown


def push(lms, plan: Plan, users: dict[str, str], record: PushRecord, *, force: bool = False) -> Outcome:
    """Send what changed; each score that went is recorded at once, so that a stopped push loses nothing."""
    from pylti1p3.exception import LtiException

    from .ags import LmsRefused, LmsUnreachable, explain

    scores, outcome_unknown = wanted(plan, users)
    outcome = Outcome(not_sent=dict(outcome_unknown))
    try:
        lms.connect()
        line_item = lms.line_item(plan.assignment, plan.label, plan.maximum)
    except (LmsUnreachable, LmsRefused) as error:
        outcome.stopped = str(error)
        outcome.not_sent.update({student: "not sent" for student in scores})
        return outcome
    item_id = line_item.get_id()
    timestamp = datetime.now(UTC).isoformat(timespec="milliseconds")
    remaining = list(scores)
    while remaining:
        student = remaining.pop(0)
        score = scores[student]
        if not force and record.sent(item_id, student) == score:
            outcome.unchanged.append(student)
            continue
        try:
            lms.put_score(line_item, {**score, "timestamp": timestamp})
        except requests.RequestException as error:
            outcome.stopped = f"cannot reach the LMS: {explain(error)}"
            outcome.not_sent[student] = "not sent"
            outcome.not_sent.update({other: "not sent" for other in remaining})
            return outcome
        except LtiException as error:
            outcome.not_sent[student] = f"the LMS did not take the score: {explain(error)}"
            continue
        record.keep(item_id, student, score)
        outcome.sent.append(student)
    return outcome
