"""The committed notebooks: no outputs, lessons with every part, links that lead somewhere, workbooks well formed."""

import re
from pathlib import Path

import nbformat
import pytest

from ..conftest import REPO

LESSONS = sorted(p for p in (REPO / "course").rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
WORKBOOKS = sorted(p for p in (REPO / "workbooks").glob("*/*.ipynb"))
START_PAGE = REPO / "course" / "00-start-here.ipynb"
LESSON_PARTS = ("Learning objectives", "Estimated time", "Concepts", "Worked example", "Self-check", "Summary")
LINK = re.compile(r"\]\(([^)#\s]+\.ipynb)(?:#[^)]*)?\)")


def read(path: Path):
    return nbformat.read(path, as_version=4)


def ids(paths):
    return [p.relative_to(REPO).as_posix() for p in paths]


@pytest.mark.parametrize("path", LESSONS + WORKBOOKS, ids=ids(LESSONS + WORKBOOKS))
def test_committed_without_outputs(path):
    for cell in read(path).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: clear the outputs"


TEACHING = [p for p in LESSONS if p != START_PAGE]


@pytest.mark.parametrize("path", TEACHING, ids=ids(TEACHING))
def test_every_lesson_has_every_part(path):
    headings = [line.lstrip("#").strip() for cell in read(path).cells if cell.cell_type == "markdown"
                for line in cell.source.splitlines() if line.startswith("## ")]
    missing = [part for part in LESSON_PARTS if not any(h.startswith(part) for h in headings)]
    assert not missing, f"{path.relative_to(REPO)} lacks the parts: {missing}"
    text = "\n".join(cell.source for cell in read(path).cells)
    assert "SelfCheck(" in text, "the self-check gives immediate feedback with SelfCheck"


@pytest.mark.parametrize("path", LESSONS, ids=ids(LESSONS))
def test_links_to_notebooks_lead_to_notebooks_that_exist(path):
    text = "\n".join(cell.source for cell in read(path).cells if cell.cell_type == "markdown")
    for target in LINK.findall(text):
        assert (path.parent / target).resolve().is_file(), f"{path.relative_to(REPO)} links to missing {target}"


def test_the_start_page_maps_every_lesson():
    text = "\n".join(cell.source for cell in read(START_PAGE).cells)
    linked = {(START_PAGE.parent / target).resolve() for target in LINK.findall(text)}
    for lesson in TEACHING:
        assert lesson.resolve() in linked, f"the start page does not link {lesson.relative_to(REPO)}"


STATED_TIME = re.compile(r"About \*\*(\d+) minutes\*\*")
MODULE_ROW = re.compile(r"^\| (\d+) \|.*\| (\d+) min(?: \(([\d + ]+)\))? \|$", re.MULTILINE)


def stated_minutes(lesson: Path) -> int:
    """The time a lesson gives itself under its Estimated time heading."""
    (minutes,) = STATED_TIME.findall("\n".join(cell.source for cell in read(lesson).cells))
    return int(minutes)


def test_the_start_page_gives_each_module_the_time_its_lessons_state():
    (modules,) = [cell.source for cell in read(START_PAGE).cells if cell.get("id") == "modules"]
    rows = {int(number): (int(total), parts) for number, total, parts in MODULE_ROW.findall(modules)}
    assert sorted(rows) == list(range(1, 20))
    for row in modules.splitlines():
        if not MODULE_ROW.fullmatch(row):
            continue
        number = int(row.split("|")[1])
        lessons = [START_PAGE.parent / target for target in LINK.findall(row.split("|")[3])]
        times = [stated_minutes(lesson) for lesson in lessons]
        total, parts = rows[number]
        assert total == sum(times), f"module {number}: the start page says {total} min, its lessons {times}"
        if parts:  # a module of several lessons lists each one's time, in the order of its links
            assert [int(part) for part in parts.split("+")] == times, f"module {number}: {parts}"
    every = [stated_minutes(lesson) for lesson in TEACHING]
    assert f"Each lesson is {min(every)} to {max(every)} minutes" in modules


@pytest.mark.parametrize("path", WORKBOOKS, ids=ids(WORKBOOKS))
def test_workbooks_are_nbgrader_assignments_named_after_their_folder(path):
    assert path.stem == path.parent.name, "nbgrader finds the notebook by the assignment's name"
    cells = read(path).cells
    kinds = [cell.metadata.get("nbgrader", {}) for cell in cells]
    tests = [k for k in kinds if k.get("grade") and not k.get("solution")]
    assert tests and all(k.get("points", 0) > 0 for k in tests)
    manual = [k for k in kinds if k.get("grade") and k.get("solution")]
    assert manual, "each workbook has a manually graded answer with a rubric"
    grade_ids = [k["grade_id"] for k in kinds if k.get("grade_id")]
    assert len(grade_ids) == len(set(grade_ids))
    # every cell that creates a widget is read-only, so a learner cannot break it
    for cell, kind in zip(cells, kinds, strict=True):
        if cell.cell_type == "code" and re.search(r"= *\w+\(\"ps\d\d-", cell.source):
            assert kind.get("locked"), f"{path.name}: the widget cell {kind.get('grade_id')} must be read-only"


def test_no_answer_files_are_committed_beside_the_sources():
    assert not list((REPO / "workbooks").rglob(".hitpm")), "answers in workbooks/ would be released to learners"
