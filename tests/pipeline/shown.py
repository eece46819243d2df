"""Finding a graded answer where a learner can see it: every workbook's answers, from its answer key.

The answers are each answer key's `answers(case)` on the case's published numbers (figures, lists of ids,
{id: label} mappings) and its `ACCEPTED` judgements that have one right label ({id: label}). Where they are
looked for: a lesson's outputs, a workbook's locked cells' outputs and its text, a case's narrative.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass

import nbformat

from hitpm_widgets import load_case
from hitpm_widgets.grading.answer_key import load

from ..conftest import REPO

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
    #: The other names of the same kinds (the units, the requirements, ... any answer names): a line that names
    #: them too lists everything, which gives nothing away.
    others: tuple[str, ...] = ()

    def found_in(self, text: str) -> bool:
        if self.patterns:
            return any(pattern.search(text) for pattern in self.patterns)
        if self.together:
            lines = text.splitlines()
            # A table of every stakeholder or unit holds any subset of them; a list of the answer is one line.
            if any(all(item in line for item in self.together) and not any(other in line for other in self.others)
                   for line in lines):
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


#: The same figure or names meaning something else, looked at and judged harmless: (file, answer) -> why.
COINCIDENCES = {
    ("pert-and-earned-value.ipynb", "ps04-emr-schedule-and-value.answers.training_tcpi"):
        "the lesson's invented network has a task of tE 1.17 days; ps04's 1.17 is the training work's TCPI",
    ("ps05-capstone.ipynb", "ps05-capstone.answers.low_ability_units"):
        "the adoption chart's alt text names every one of the seven areas: a list of all is no answer",
}


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


def every_answer() -> list[Answer]:
    """Every workbook's graded answers (graded_answers), each list knowing the other names (with_others)."""
    return with_others(graded_answers())


def with_others(answers: list[Answer]) -> list[Answer]:
    """Each list answer with the names any answer uses that it does not (see Answer.others)."""
    names = {item for answer in answers for item in answer.together}
    names |= {answer.pair[0] for answer in answers if answer.pair}
    def others(items: tuple[str, ...]) -> tuple[str, ...]:
        # Not a part of one of its own names ("ICU" of "ICU nights"): those are on the answer's line anyway.
        return tuple(sorted(name for name in names - set(items) if not any(name in item for item in items)))

    return [dataclasses.replace(answer, others=others(answer.together)) if answer.together else answer
            for answer in answers]


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


def leaks(texts: list[tuple[object, str]], answers: list[Answer] | None = None, file: str = "") -> list[str]:
    """Each graded answer found in `texts` ((where, text) pairs), with where it was found; those in COINCIDENCES
    for `file` (a notebook's name) left out."""
    answers = graded_answers() if answers is None else answers
    return [f"{where}: {answer.where}" for where, text in texts for answer in answers
            if (file, answer.where) not in COINCIDENCES and answer.found_in(text)]


def locked_outputs(path) -> list[tuple[int, str]]:
    """The outputs of an executed workbook's read-only cells (what the workbook itself shows a learner)."""
    notebook = nbformat.read(path, as_version=4)
    locked = {index for index, cell in enumerate(notebook.cells)
              if cell.metadata.get("nbgrader", {}).get("locked") and not cell.metadata["nbgrader"].get("grade")}
    return output_texts(notebook, locked)
