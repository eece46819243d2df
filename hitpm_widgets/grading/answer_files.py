"""Checks of the widget answers a submission carries in `.hitpm/answers/`.

The answer store writes each file in one canonical form (sorted keys, indent 1) with the exercise
id and kind inside; a file that cannot be read, or that is not in that form, or that says it was
saved after the submission was handed in, was not (only) written by the widget. The kernel then
decides: an unusable answer is set aside and the widget starts empty (it says so on stdout, which
`notices_in` picks up from the graded notebook).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

from nbformat import NotebookNode

from ..answers import ANSWERS_DIR, FORMAT_VERSION
from .findings import Finding

# What the answer store prints when it sets an answer aside (see answers.AnswerStore._report).
NOTICE = re.compile(r"^hitpm: (the saved answer .*|could not read .*)$", re.MULTILINE)


def canonical(record: dict) -> str:
    return json.dumps(record, indent=1, ensure_ascii=False, sort_keys=True)


def check_answer_files(student: str, folder: Path, submitted_at: datetime | None) -> list[Finding]:
    answers = folder / ANSWERS_DIR
    if not answers.is_dir():
        return []
    findings = []
    for path in sorted(answers.iterdir()):
        name = f"{ANSWERS_DIR}/{path.name}"
        if path.is_symlink() or not path.is_file():
            findings.append(Finding(student, "tampering", f"{name} is not a plain file; it was left out"))
            continue
        if not path.name.endswith(".json"):
            if path.name.endswith(".json.bak"):
                findings.append(Finding(student, "answer file", f"{name}: an earlier answer the widget could not "
                                        "read and set aside while the learner worked"))
            continue
        problem = _problem(path, submitted_at)
        if problem is not None:
            kind, reason = problem
            findings.append(Finding(student, kind, f"{name}: {reason}"))
    return findings


def _problem(path: Path, submitted_at: datetime | None) -> tuple[str, str] | None:
    try:
        text = path.read_text(encoding="utf-8")
        record = json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        return "answer file", f"unreadable ({type(error).__name__}); the widget starts empty when graded"
    if not isinstance(record, dict) or not isinstance(record.get("model"), dict):
        return "answer file", "holds no answer model; the widget starts empty when graded"
    if record.get("exercise_id") != path.stem:
        return "tampering", f"says it is the answer of {record.get('exercise_id')!r}, not of {path.stem!r}"
    if record.get("format") != FORMAT_VERSION:
        return "tampering", f"answer format {record.get('format')!r} was never written by the widget"
    if text != canonical(record):
        return "tampering", "not in the form the widget writes: edited by hand or by another program"
    saved = _date(record.get("saved_at"))
    if saved is None:
        return "tampering", "has no valid saved_at date"
    if submitted_at is not None and saved > submitted_at:
        return "tampering", (f"saved at {saved:%Y-%m-%d %H:%M} UTC, after the submission at "
                             f"{submitted_at:%Y-%m-%d %H:%M} UTC (changed after handing in, or a wrong clock)")
    return None


def _date(value) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = (moment - moment.utcoffset()).replace(tzinfo=None)
    return moment


def notices_in(student: str, notebook_name: str, nb: NotebookNode) -> list[Finding]:
    """What the answer store told the graded notebook about unusable answers."""
    findings = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                for match in NOTICE.finditer(output.get("text", "")):
                    findings.append(Finding(student, "answer file", match.group(1), notebook_name,
                                            cell.metadata.get("nbgrader", {}).get("grade_id")))
    return findings
