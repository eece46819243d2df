"""Finding a graded answer where a learner can see it: every workbook's answers, from its answer key.

The answers are each answer key's `answers(case)` on the case's published numbers (figures, lists of ids,
{id: label} mappings) and its `ACCEPTED` judgements that have one right label ({id: label}). Where they are
looked for: a lesson's outputs, a workbook's locked cells' outputs and its text, a case's narrative.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import nbformat

from hitpm_widgets import load_case
from hitpm_widgets.grading.answer_key import load

from ..conftest import FIXTURES, REPO

WORKBOOKS = sorted(p.parent for p in (REPO / "workbooks").glob("*/answer_key.py"))
_IMAGE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")
_ID = re.compile(r"^\s*([A-Z][A-Z0-9]*-?\d+)\b")  # a row of a table of ids: "URS-009  True ..." or "R3 ..."


@dataclass(frozen=True)
class Answer:
    """One graded answer and how it would show."""

    where: str  # workbook and answer, for the failure message
    patterns: tuple[re.Pattern, ...] = ()  # a figure: any pattern found
    together: tuple[str, ...] = ()  # a set of ids or names: all on one line, or exactly the rows of a table
    pair: tuple[str, str] | None = None  # a name with its label: both on one line

    def found_in(self, text: str) -> bool:
        if self.patterns:
            return any(pattern.search(text) for pattern in self.patterns)
        if self.together:
            lines = text.splitlines()
            # A table of every stakeholder or unit holds any subset of them; a list of the answer is one line.
            if any(all(item in line for item in self.together) for line in lines):
                return True
            # A table filtered down to the answer: its rows are the answer's ids and no others.
            rows = {match.group(1) for line in lines if (match := _ID.match(line))}
            return len(self.together) >= 2 and rows == set(self.together)
        name, label = self.pair
        return any(name in line and label in line for line in text.splitlines())


def figure(where: str, value: float) -> Answer | None:
    """A distinctive figure: one with three significant digits or more at 1 to 3 decimals (as a table or a
    sentence rounds it), or a whole amount of 1,000 or more. Small counts and round numbers are everywhere."""
    value = abs(float(value))
    if value.is_integer():
        if value < 1000:
            return None
        spellings = {f"{value:,.0f}", f"{value:.0f}"}
    else:
        spellings = {shown for digits in (1, 2, 3) if len((shown := f"{value:.{digits}f}").replace(".", "")
                                                             .lstrip("0")) >= 3 and not shown.endswith("0")}
        if value >= 1000:
            spellings |= {f"{value:,.0f}", f"{value:.0f}"}
    if not spellings:
        return None
    return Answer(where, patterns=tuple(re.compile(rf"(?<![\d.,]){re.escape(s)}(?![\d,]|\.\d)")
                                        for s in sorted(spellings)))


def _walk(where: str, data) -> list[Answer]:
    if isinstance(data, bool) or data is None:
        return []
    if isinstance(data, int | float):
        found = figure(where, data)
        return [found] if found else []
    if isinstance(data, list | tuple):
        if len(data) >= 2 and all(isinstance(item, str) for item in data):
            return [Answer(where, together=tuple(data))]
        return [answer for i, item in enumerate(data) for answer in _walk(f"{where}[{i}]", item)]
    if isinstance(data, dict):
        if data and all(isinstance(label, str) or label is None for label in data.values()):
            return [Answer(f"{where}.{name}", pair=(str(name), label)) for name, label in data.items() if label]
        return [answer for key, item in data.items() for answer in _walk(f"{where}.{key}", item)]
    return []


def _one_label(data):
    """{id: label} where a judgement accepts one label only (several accepted: any of them shows nothing)."""
    if isinstance(data, dict):
        if data and all(isinstance(v, str | list) for v in data.values()):
            single = {k: (v if isinstance(v, str) else v[0]) for k, v in data.items()
                      if isinstance(v, str) or len(v) == 1}
            return single
        return {k: _one_label(v) for k, v in data.items()}
    return None


def keys() -> dict[str, object]:
    """{assignment: its answer key module}."""
    return {folder.name: load(folder) for folder in WORKBOOKS}


def graded_answers() -> list[Answer]:
    """Every graded answer of every workbook with an answer key, on the cases' published numbers."""
    found = []
    for assignment, key in keys().items():
        case = load_case(key.CASE) if isinstance(key.CASE, str) else None
        found += _walk(f"{assignment}.answers", key.answers(case))
        for name, judgement in getattr(key, "ACCEPTED", {}).items():
            found += _walk(f"{assignment}.ACCEPTED.{name}", _one_label(judgement))
    return found


# Reference fixtures of workbooks that have no answer key yet: settings and data a workbook gives its learners,
# figures it computes only as distractors, and the lists of alternatives a check accepts are not answers.
GIVEN = {"about", "tolerances", "partly_wrong", "also_computed", "deadline_days", "fallback_days", "iterations",
         "bac", "status_month", "status_date", "planned_finish", "contingency_left", "adkar_threshold",
         "what_if", "interfaces_doubled", "columns", "wip_limits", "raci_roles", "sd_summed_days",
         "productive_hours_per_fte"}

def _legacy(where: str, data) -> list[Answer]:
    if isinstance(data, dict):
        if where.endswith(".barrier_points"):  # a diagnosis is a unit shown with its element
            return [Answer(f"{where}.{unit}", pair=(unit, element)) for unit, element in data.items() if element]
        return [answer for key, item in data.items() if key not in GIVEN and not key.startswith("accepted_")
                for answer in _legacy(f"{where}.{key}", item)]
    if isinstance(data, str):
        return []
    return _walk(where, data)


def every_answer() -> list[Answer]:
    """The answer keys' answers, and those of reference fixtures still kept for a workbook without a key."""
    answers = graded_answers()
    for path in sorted(FIXTURES.glob("*_reference.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        if path.stem == "emr_stakeholder_reference":
            continue  # a right learner's work on ps01, whose answer key says what is accepted
        answers += _legacy(path.stem, data)
    return answers


def output_texts(notebook, cells=None) -> list[tuple[int, str]]:
    """(cell index, text) of every output of the code cells (all, or those in `cells`), images left out."""
    texts = []
    for index, cell in enumerate(notebook.cells):
        if cells is not None and index not in cells:
            continue
        for output in cell.get("outputs", []):
            parts = [output.get("text", "")]
            if output.get("output_type") == "error":
                parts += [output.get("ename", ""), output.get("evalue", "")]
            for mime, content in output.get("data", {}).items():
                if mime.startswith("text/") or mime.endswith("+json"):
                    parts.append(content if isinstance(content, str) else json.dumps(content))
            text = _IMAGE.sub("", "".join(part if isinstance(part, str) else "".join(part) for part in parts))
            if text.strip():
                texts.append((index, text))
    return texts


def leaks(texts: list[tuple[object, str]], answers: list[Answer] | None = None) -> list[str]:
    """Each graded answer found in `texts` ((where, text) pairs), with where it was found."""
    answers = graded_answers() if answers is None else answers
    return [f"{where}: {answer.where}" for where, text in texts for answer in answers if answer.found_in(text)]


def locked_outputs(path) -> list[tuple[int, str]]:
    """The outputs of an executed workbook's read-only cells (what the workbook itself shows a learner)."""
    notebook = nbformat.read(path, as_version=4)
    locked = {index for index, cell in enumerate(notebook.cells)
              if cell.metadata.get("nbgrader", {}).get("locked") and not cell.metadata["nbgrader"].get("grade")}
    return output_texts(notebook, locked)
