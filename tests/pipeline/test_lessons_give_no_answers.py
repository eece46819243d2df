"""No lesson, narrative or workbook text shows a graded answer of any workbook (tests/pipeline/shown.py finds
them, from each workbook's answer key). Each lesson is run top to bottom and its outputs are searched; the
narratives and the workbooks' own text (tasks, rubrics) are read as they are. A workbook's read-only cells'
outputs are searched in the pipeline test (test_workbook_pipelines.py), where the student version runs anyway.

A lesson may teach the method on other data (another month, another team, an invented set); it must not
print, tabulate or draw what a workbook grades.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

from ..conftest import REPO
from . import shown
from .shown import Answer, every_answer, graded_answers, leaks, output_texts

LESSONS = sorted((REPO / "course").glob("[0-9][0-9]-*/*.ipynb"))
NARRATIVES = sorted((REPO / "cases").glob("*/narrative.md"))
# The same figure meaning something else, looked at and judged harmless: (file, answer) -> why.
COINCIDENCES = {
    ("production-tracking.ipynb", "ps05_reference.answers.fallback_chance_pct"):
        "one week of Line 1's OEE is 87.2 %; ps05's 87.2 % is the chance of a fallback date",
}


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


def test_the_answers_come_from_every_answer_key_and_are_distinctive():
    answers = every_answer()
    assert {answer.where.split(".")[0] for answer in graded_answers()} == {p.name for p in shown.WORKBOOKS}
    # What each kind of answer catches, and what it lets through.
    figure = shown.figure("cpi", 0.88912)
    assert figure.found_in("CPI 0.889 at the end of July") and not figure.found_in("CPI 0.8891")
    assert not figure.found_in("CPI 0.89")  # two significant digits: any ratio of the course rounds so
    amount = shown.figure("eac", 2925840.4)
    assert amount.found_in("EAC $2,925,840") and not amount.found_in("EAC $12,925,840")
    ids = Answer("untested", together=("URS-009", "URS-024", "URS-025"))
    assert ids.found_in("GxP-critical: ['URS-009', 'URS-024', 'URS-025']")
    assert ids.found_in("requirement  gxp\nURS-009  True\nURS-024  True\nURS-025  True")  # a filtered table
    assert not ids.found_in("URS-009 only") and not ids.found_in("URS-009\nURS-024\nURS-025\nURS-031")
    board = next(answer for answer in answers if answer.where.endswith("stakeholders.Board"))
    assert board.found_in("Board | 9 | 2 | keep satisfied") and not board.found_in("Board\nkeep satisfied")
    # Probabilities and small counts are everywhere in a course; they are not searched for.
    assert not [answer for answer in answers if any(p.search("0.5 and 0.7, 3 of 12") for p in answer.patterns)]


@pytest.mark.parametrize("lesson", LESSONS, ids=[path.parent.name for path in LESSONS])
def test_the_lesson_shows_no_graded_answer(lesson, tmp_path):
    notebook = run(lesson, tmp_path)
    found = [leak for leak in leaks(output_texts(notebook), every_answer())
             if (lesson.name, leak.split(": ", 1)[1]) not in COINCIDENCES]
    assert not found, f"{lesson.relative_to(REPO)} shows graded answers: {'; '.join(found)}"


@pytest.mark.parametrize("narrative", NARRATIVES, ids=[path.parent.name for path in NARRATIVES])
def test_the_case_narrative_gives_no_graded_answer(narrative):
    paragraphs = [(f"paragraph {i}", text) for i, text in enumerate(narrative.read_text(encoding="utf-8")
                                                                    .split("\n\n"))]
    assert not leaks(paragraphs, every_answer()), narrative.relative_to(REPO)


def test_no_workbook_text_gives_a_graded_answer_of_any_workbook():
    """Tasks, explanations and rubrics as learners get them (not the model answers, which are not released)."""
    found = []
    for path in sorted((REPO / "workbooks").glob("*/*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        texts = [(f"{path.stem} cell {i}", cell.source) for i, cell in enumerate(notebook.cells)
                 if cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("solution")]
        found += leaks(texts, every_answer())
    assert not found, "; ".join(found)
