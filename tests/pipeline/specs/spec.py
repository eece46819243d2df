"""What a workbook's pipeline test needs: its points, how a learner answers it, what must not leak."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from ..course import CourseCopy


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


def cell_sources(notebook_path: Path) -> dict[str | None, str]:
    notebook = nbformat.read(notebook_path, as_version=4)
    return {cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source for cell in notebook.cells}
