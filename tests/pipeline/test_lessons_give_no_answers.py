"""No lesson shows a graded workbook's answers: each lesson is run top to bottom, and its outputs are
searched for the reference answers kept in tests/fixtures/*_reference.json (the hidden tests hold the same).

A lesson may teach the method on other data (another month, another team, an invented set); it must not
print, tabulate or draw what a workbook grades.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from ..conftest import FIXTURES, REPO

LESSONS = sorted((REPO / "course").glob("[0-9][0-9]-*/*.ipynb"))
# Settings and data a workbook gives its learners, figures it computes only as distractors (the sum of σs is
# the wrong answer a test submits), and the lists of alternatives a check accepts: not answers.
GIVEN = {"about", "tolerances", "partly_wrong", "also_computed", "deadline_days", "fallback_days", "iterations",
         "bac", "status_month", "status_date", "planned_finish", "contingency_left", "adkar_threshold",
         "what_if", "interfaces_doubled", "columns", "wip_limits", "raci_roles", "sd_summed_days",
         "productive_hours_per_fte"}
# The same figure meaning something else, looked at and judged harmless: (lesson file, answer) -> why.
COINCIDENCES = {
    ("production-tracking.ipynb", "ps05_reference.answers.fallback_chance_pct"):
        "one week of Line 1's OEE is 87.2 %; ps05's 87.2 % is the chance of a fallback date",
}
_IMAGE = re.compile(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")


@dataclass(frozen=True)
class Answer:
    """One graded answer and how it would show in a lesson's output."""

    where: str  # fixture and key path, for the failure message
    patterns: tuple[re.Pattern, ...] = ()  # a figure: any pattern found in an output
    together: tuple[str, ...] = ()  # a set of ids or names: all of them on one line of an output
    pair: tuple[str, str] | None = None  # a name with its label: both on one line of an output

    def found_in(self, text: str) -> bool:
        if self.patterns:
            return any(pattern.search(text) for pattern in self.patterns)
        if self.together:
            # A table of every stakeholder or unit holds any subset of them; a list of the answer is one line.
            return any(all(item in line for item in self.together) for line in text.splitlines())
        name, label = self.pair
        return any(name in line and label in line for line in text.splitlines())


def _figure(where: str, value: float) -> Answer | None:
    """A distinctive figure: a decimal with three significant digits or more, or an amount of 1,000 or more."""
    value = abs(value)
    if float(value).is_integer():
        if value < 1000:
            return None
        spellings = {f"{value:,.0f}", f"{value:.0f}"}
    else:
        digits = repr(float(value)).replace(".", "").lstrip("0")
        if len(digits) < 3:
            return None
        spellings = {repr(float(value))}
    return Answer(where, patterns=tuple(re.compile(rf"(?<![\d.,]){re.escape(s)}(?![\d,]|\.\d)")
                                        for s in sorted(spellings)))


def _walk(where: str, data) -> list[Answer]:
    if isinstance(data, bool) or data is None:
        return []
    if isinstance(data, int | float):
        found = _figure(where, data)
        return [found] if found else []
    if isinstance(data, list):
        if len(data) >= 2 and all(isinstance(item, str) for item in data):
            return [Answer(where, together=tuple(data))]
        return [answer for i, item in enumerate(data) for answer in _walk(f"{where}[{i}]", item)]
    if isinstance(data, dict):
        return [answer for key, item in data.items() if key not in GIVEN and not key.startswith("accepted_")
                for answer in _walk(f"{where}.{key}", item)]
    return []


def graded_answers() -> list[Answer]:
    """Every graded answer of every workbook, from the reference fixtures."""
    answers = []
    for path in sorted(FIXTURES.glob("*_reference.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        stakeholders = data.pop("stakeholders", {})
        barriers = data.pop("barrier_points", {})
        answers += _walk(path.stem, data)
        # Where a map or a diagnosis is graded, the answer is a name shown with its label.
        answers += [Answer(f"{path.stem}.stakeholders.{name}", pair=(name, reference["quadrant"]))
                    for name, reference in stakeholders.items()]
        answers += [Answer(f"{path.stem}.barrier_points.{unit}", pair=(unit, barrier))
                    for unit, barrier in barriers.items() if barrier]
    return answers


def output_texts(notebook) -> list[tuple[int, str]]:
    """(cell index, text) of every output of every code cell, images left out."""
    texts = []
    for index, cell in enumerate(notebook.cells):
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


def leaks(notebook) -> list[str]:
    """Each graded answer an executed notebook's outputs show, with the cell that shows it."""
    answers = graded_answers()
    return [f"cell {index}: {answer.where}" for index, text in output_texts(notebook)
            for answer in answers if answer.found_in(text)]


def run(path: Path, answers_dir: Path):
    """The lesson executed top to bottom, as a learner runs it, its widgets answering into answers_dir."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    env = {"HITPM_ANSWERS_DIR": str(answers_dir), "MPLBACKEND": "Agg"}
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        NotebookClient(notebook, timeout=600, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return notebook


def test_the_answers_come_from_every_fixture_and_are_distinctive():
    answers = graded_answers()
    sources = {answer.where.split(".")[0] for answer in answers}
    assert sources == {path.stem for path in FIXTURES.glob("*_reference.json")}
    # What each kind of answer catches, and what it lets through.
    cpi = next(answer for answer in answers if answer.where == "ps05_reference.answers.cpi")
    assert cpi.found_in("CPI 0.889 at the end of July") and not cpi.found_in("CPI 0.8891")
    eac = next(answer for answer in answers if answer.where == "ps05_reference.answers.eac")
    assert eac.found_in("EAC $2,925,840") and not eac.found_in("EAC $12,925,840")
    untested = next(answer for answer in answers if answer.where == "ps02_reference.untested_gxp")
    assert untested.found_in("GxP-critical: ['URS-009', 'URS-024', 'URS-025']")
    assert not untested.found_in("URS-009 only") and not untested.found_in("URS-009\nURS-024\nURS-025")
    board = next(answer for answer in answers if answer.where.endswith("stakeholders.Board"))
    assert board.found_in("Board | 9 | 2 | keep satisfied") and not board.found_in("Board\nkeep satisfied")
    # Probabilities and small counts are everywhere in a course; they are not searched for.
    assert not [answer for answer in answers if any(p.search("0.5 and 0.7, 3 of 12") for p in answer.patterns)]


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.parent.name for path in LESSONS])
def test_the_lesson_shows_no_graded_answer(lesson, tmp_path):
    found = [leak for leak in leaks(run(lesson, tmp_path))
             if (lesson.name, leak.split(": ", 1)[1]) not in COINCIDENCES]
    assert not found, f"{lesson.relative_to(REPO)} shows graded answers: {'; '.join(found)}"
