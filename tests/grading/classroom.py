"""A synthetic class of ps01 submissions, for the grading tests and benchmarks/grade_class.py.

Submissions are made as learners make them: the released student version, answered through the
widget's model (its answer file in .hitpm/answers/) or in the code cell, with a timestamp.txt
written after the last answer was saved, as `nbgrader collect` would.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from ..conftest import REPO
from ..pipeline.course import CourseCopy, nbgrader_env
from ..pipeline.specs.ps01 import ASSIGNMENT, NOTEBOOK, POINTS, WRONG, answer_through_the_model

__all__ = ["ASSIGNMENT", "NOTEBOOK", "POINTS", "WRONG", "answer_through_the_model"]

SOURCE = REPO / "workbooks" / ASSIGNMENT / NOTEBOOK
ANSWERS = f".hitpm/answers/{ASSIGNMENT}.json"
MAX_AUTO = sum(POINTS.values())


def grade_id(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def model_solution() -> str:
    """The code answer of the source notebook (between nbgrader's solution markers)."""
    source = nbformat.read(SOURCE, as_version=4)
    (cell,) = [c for c in source.cells if grade_id(c) == "ps01-answer-map"]
    lines = cell.source.splitlines()
    return "\n".join(lines[lines.index("### BEGIN SOLUTION") + 1:lines.index("### END SOLUTION")])


def edit_cell(folder: Path, cell_id: str, change: Callable) -> None:
    path = folder / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if grade_id(c) == cell_id]
    change(cell)
    nbformat.write(nb, path)


def answer_in_code(folder: Path, code: str) -> None:
    def put(cell):
        cell.source = code
    edit_cell(folder, "ps01-answer-map", put)


def hand_in(folder: Path) -> Path:
    """timestamp.txt as nbgrader collect writes it: now, after every answer was saved."""
    (folder / "timestamp.txt").write_text(datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f UTC"))
    return folder


def right(folder: Path) -> None:
    answer_through_the_model(folder)


def partly(folder: Path) -> None:
    answer_through_the_model(folder, wrong=WRONG)


def blank(folder: Path) -> None:
    pass


def in_code(folder: Path) -> None:
    answer_in_code(folder, model_solution())


def syntax_error(folder: Path) -> None:
    answer_in_code(folder, "smap.place('CMIO', power=8, interest=9\n")


def raises_midway(folder: Path) -> None:
    lines = model_solution().splitlines()
    wrong_name = "smap.place('Chief of everything', power=1, interest=1)"
    answer_in_code(folder, "\n".join([*lines[:10], wrong_name, *lines[10:]]))


def edited_test(folder: Path) -> None:
    answer_through_the_model(folder, wrong=WRONG)

    def cheat(cell):
        cell.source = "pass  # this test always passes"
    edit_cell(folder, "ps01-test-quadrants-executive", cheat)


def deleted_test(folder: Path) -> None:
    answer_through_the_model(folder)
    path = folder / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if grade_id(c) != "ps01-test-complete"]
    nbformat.write(nb, path)


#: Submissions stock nbgrader grades without failing: what the equivalence test and the benchmark mix.
ORDINARY = {"right": right, "partly": partly, "blank": blank, "code": in_code, "syntax": syntax_error,
            "raises": raises_midway}
ORDINARY_AND_TAMPERED = {"right": right, "partly": partly, "blank": blank, "syntax": syntax_error,
                         "raises": raises_midway, "edited": edited_test, "deleted": deleted_test}


class Classroom(CourseCopy):
    """A course copy with ps01 released, to which learners hand in."""

    @classmethod
    def released(cls, root: Path) -> Classroom:
        room = cls(root)
        room.generate(ASSIGNMENT)
        return room

    @classmethod
    def copy_of(cls, other: Classroom, root: Path) -> Classroom:
        shutil.copytree(other.root, root, symlinks=True)
        room = cls.__new__(cls)
        room.root = root
        return room

    def hand_in(self, student: str, answer: Callable[[Path], None]) -> Path:
        folder = self.submit(student, ASSIGNMENT)
        answer(folder)
        return hand_in(folder)

    def hand_in_class(self, size: int, kinds: dict[str, Callable] = ORDINARY) -> dict[str, str]:
        """`size` learners, the kinds of answer taken in turn; returns each learner's kind."""
        names = list(kinds)
        made = {}
        for number in range(size):
            kind = names[number % len(names)]
            student = f"learner{number + 1:03d}-{kind}"
            self.hand_in(student, kinds[kind])
            made[student] = kind
        return made

    def set_config(self, text: str) -> None:
        with open(self.root / "nbgrader_config.py", "a", encoding="utf-8") as stream:
            stream.write("\n" + text + "\n")

    def hitpm(self, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", *args], cwd=self.root,
                                env=nbgrader_env(), capture_output=True, text=True, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"hitpm {' '.join(args)} exited {result.returncode}:\n{result.stdout[-4000:]}\n"
                                 f"{result.stderr[-4000:]}")
        return result

    def grades(self, db_url: str | None = None) -> dict[str, dict[str, tuple]]:
        """Every submission's grade cells: (auto_score, manual_score, needs_manual_grade, comment), and
        under "penalty" each notebook's late penalty."""
        from nbgrader.api import Gradebook

        with Gradebook(db_url or f"sqlite:///{self.root / 'gradebook.db'}") as gradebook:
            found = {}
            for submission in gradebook.assignment_submissions(ASSIGNMENT):
                cells = {}
                for notebook in submission.notebooks:
                    comments = {c.name: c.auto_comment for c in notebook.comments}
                    for grade in notebook.grades:
                        cells[grade.name] = (grade.auto_score, grade.manual_score, grade.needs_manual_grade,
                                             comments.get(grade.name))
                    cells[f"penalty {notebook.name}"] = notebook.late_submission_penalty
                found[submission.student_id] = cells
            return found

    def totals(self, db_url: str | None = None) -> dict[str, float]:
        from nbgrader.api import Gradebook

        with Gradebook(db_url or f"sqlite:///{self.root / 'gradebook.db'}") as gradebook:
            return {s.student_id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}

    def graded_notebook(self, student: str):
        return nbformat.read(self.root / "autograded" / student / ASSIGNMENT / NOTEBOOK, as_version=4)


def slot_processes() -> list[int]:
    """Processes still running as a grading slot's user (there must be none after a run)."""
    from hitpm_widgets.grading.isolation.fence import SLOT_UID_BASE

    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                zombie = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
                if entry.stat().st_uid >= SLOT_UID_BASE and not zombie:  # a zombie runs nothing: init reaps it
                    found.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return found

