"""What a workbook's pipeline test needs: its points, how a learner answers it, what must not leak."""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from hitpm_widgets.grading.answer_key import load

from ...conftest import REPO
from ..course import CourseCopy, solution_cell_sources


def answer_key(assignment: str):
    """The workbook's answer key (workbooks/<assignment>/answer_key.py): its points and reference answers."""
    key = load(REPO / "workbooks" / assignment)
    assert key is not None, f"{assignment} has no answer key"
    return key


def _nothing(*_args) -> None:
    return None


@dataclass(frozen=True)
class Workbook:
    """One graded workbook, from its source notebook to the scores nbgrader's gradebook holds.

    `answer(folder, partly_wrong)` answers a submission the way a learner does in the widgets and the form
    (only answer files change); with `partly_wrong` it makes the designed mistakes, which lose exactly the
    cells in `partly_lost`. `write(notebook)` fills the right submission's written answers.
    """

    assignment: str
    points: dict[str, int]  # autograded test cells and their points
    manual: dict[str, int]  # manually graded answer cells and their points
    answer_files: tuple[str, ...]  # the exercise ids whose answer files a learner's work writes
    answer: Callable[[Path, bool], None]
    write: Callable[[Path], None]
    partly_lost: frozenset[str]
    partly_total: int
    secrets: tuple[str, ...]  # what the released notebook must not contain
    # Workbook-specific checks: on the released notebook (its path and text), on the graded course, and on
    # the reference answers against the cases (each gets a fresh temporary folder).
    check_release: Callable[[Path, str], None] = _nothing
    check_graded: Callable[[CourseCopy], None] = _nothing
    check_references: tuple[Callable[[Path], None], ...] = field(default=())

    @property
    def notebook(self) -> str:
        return f"{self.assignment}.ipynb"

    def released(self, course: CourseCopy) -> Path:
        return course.root / "release" / self.assignment / self.notebook


def write_cells(notebook_path: Path, written: dict[str, str]) -> None:
    """Put each text in the cell with that grade id, as a learner writes an answer."""
    notebook = nbformat.read(notebook_path, as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in written:
            cell.source = written.pop(grade_id)
    assert not written, f"no cell for {sorted(written)}"
    nbformat.write(notebook, notebook_path)


def error_messages(course: CourseCopy, assignment: str, student: str) -> dict[str, str]:
    """Each failed test cell's message in the autograded notebook, by grade id."""
    path = course.root / "autograded" / student / assignment / f"{assignment}.ipynb"
    return {
        cell.metadata["nbgrader"]["grade_id"]: output["evalue"]
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
        for output in cell.outputs
        if output["output_type"] == "error"
    }


def graded_code_cells(notebook_path: Path) -> dict[str, int]:
    notebook = nbformat.read(notebook_path, as_version=4)
    return {cell.metadata.nbgrader["grade_id"]: cell.metadata.nbgrader["points"] for cell in notebook.cells
            if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")}


def manual_cells(notebook_path: Path) -> dict[str, int]:
    """{manually graded cell: points} of a notebook."""
    notebook = nbformat.read(notebook_path, as_version=4)
    return {cell.metadata.nbgrader["grade_id"]: cell.metadata.nbgrader["points"] for cell in notebook.cells
            if cell.metadata.get("nbgrader", {}).get("grade") and cell.metadata.nbgrader.get("solution")}


def accepted_by(key, answers: dict, question: str, value) -> bool:
    """What a workbook's hidden tests accept, by its answer key `key` and its `answers` (the key's answers on the
    case graded): a number within its tolerance, a listed choice, or exactly the ids."""
    if question in key.TOLERANCES:
        return abs(value - answers[question]) <= key.TOLERANCES[question]
    if question in key.ACCEPTED:
        return value in key.ACCEPTED[question]
    return set(value) == set(answers[question])


def cell_sources(notebook_path: Path) -> dict[str | None, str]:
    notebook = nbformat.read(notebook_path, as_version=4)
    return {cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source for cell in notebook.cells}


def sheet_questions(notebook_path: Path, grade_id: str, cases: dict) -> tuple[str, list[dict]]:
    """The exercise id and the questions of the notebook's read-only answer-sheet cell, run as written
    with `cases` (the names the cell reads) in scope."""
    (source,) = [cell.source for cell in nbformat.read(notebook_path, as_version=4).cells
                 if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    made = {}

    def record(exercise_id, questions):
        made.update(exercise_id=exercise_id, questions=questions)

    exec(source, {**cases, "QuestionSheet": record})
    return made["exercise_id"], made["questions"]


def fill_answer_sheet(folder: Path, exercise_id: str, questions: list[dict], answers: dict) -> None:
    """What a learner does in the form: every answer given through the sheet (its answer file), no code cell."""
    from hitpm_widgets import QuestionSheet

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        sheet = QuestionSheet(exercise_id, questions, directory=folder)
        for key, value in answers.items():
            sheet.answer(key, value)


def check_no_reference_shown(text: str, answers: dict, *, above: float | None = None) -> None:
    """A released notebook's text holds no reference figure and no sign of the answer key (its hidden tests are
    gone). Whole numbers, and with `above` the figures up to it, are too common in any text to search for."""
    for key, value in answers.items():
        if isinstance(value, float) and not value.is_integer() and (above is None or value > above):
            assert repr(value) not in text, key
    assert "answer_key" not in text


def hidden_references(source: Path, checks: tuple[str, ...]) -> dict[str, dict[str, tuple]]:
    """{test cell: {question: (reference, tolerance or None)}} from the calls to `checks` in the source
    notebook's hidden tests."""
    found = {}
    for cell in nbformat.read(source, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not cell.metadata.get("nbgrader", {}).get("grade") or cell.cell_type != "code":
            continue
        references = found.setdefault(grade_id, {})
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in checks:
                key, reference = (ast.literal_eval(arg) for arg in node.args[1:3])
                keywords = {keyword.arg: keyword.value for keyword in node.keywords}
                tolerance = ast.literal_eval(keywords["tolerance"]) if "tolerance" in keywords else None
                references[key] = (reference, tolerance)
    return found


def check_told_what_to_answer(course: CourseCopy, assignment: str, cell_questions: dict[str, list[str]]) -> None:
    """The untouched version's every test cell names the questions it grades, and nothing else fails."""
    messages = error_messages(course, assignment, "untouched")
    assert set(messages) == set(cell_questions)
    for cell, keys in cell_questions.items():
        assert messages[cell] == f"Answer these questions first: {', '.join(keys)}."


def check_answer_sheet_release(released: Path, text: str, points: dict[str, int], manual: dict[str, int]) -> None:
    """A workbook answered in one answer sheet: one code stub, a stub for each written answer, the graded
    cells and their points as the spec says, and a visible slip check in each test cell."""
    stubs = solution_cell_sources(released)
    code_stubs = [stub for stub in stubs if stub != "YOUR ANSWER HERE"]
    assert len(code_stubs) == 1
    assert code_stubs[0].startswith("# YOUR CODE HERE") and "raise" not in code_stubs[0]
    assert stubs.count("YOUR ANSWER HERE") == len(manual)

    notebook = nbformat.read(released, as_version=4)
    graded = {cell.metadata.nbgrader["grade_id"]: (cell.cell_type, cell.metadata.nbgrader["points"])
              for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade")}
    assert graded == {**{cell: ("code", cell_points) for cell, cell_points in points.items()},
                      **{cell: ("markdown", cell_points) for cell, cell_points in manual.items()}}
    # The slip checks stay visible: a learner can run them before handing in.
    assert text.count("check_answered(sheet") == len(points)
