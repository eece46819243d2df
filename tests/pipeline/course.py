"""A temporary copy of the course on which tests run the stock nbgrader commands."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from hitpm_widgets.grading.answer_key import key_files

from ..conftest import REPO


def nbgrader_env() -> dict[str, str]:
    """The environment an instructor's shell has: no test-only answer folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("HITPM_ANSWERS_DIR", "NBGRADER_EXECUTION")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


class CourseCopy:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "nbgrader_config.py", root)
        shutil.copytree(REPO / "workbooks", root / "workbooks",
                        ignore=shutil.ignore_patterns(".hitpm", ".ipynb_checkpoints"))

    def nbgrader(self, *args: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=self.root, env=nbgrader_env(),
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError(f"nbgrader {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}")
        return result

    def generate(self, assignment: str) -> Path:
        self.nbgrader("generate_assignment", assignment, "--force")
        return self.root / "release" / assignment

    def submit(self, student: str, assignment: str) -> Path:
        """A learner's submission: the released files, as `nbgrader collect` would lay them out."""
        folder = self.root / "submitted" / student / assignment
        shutil.copytree(self.root / "release" / assignment, folder)
        (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
        return folder

    def run_source_as(self, learner: str, assignment: str) -> Path:
        """A learner in a class running the source notebook (its solutions answer) in a folder of their own.

        Their widget answers and their variant land in that folder's `.hitpm/`, as when they work the
        released notebook; the folder is returned.
        """
        work = self.root / "work" / learner / assignment
        work.mkdir(parents=True)
        (source,) = (self.root / "workbooks" / assignment).glob("*.ipynb")
        shutil.copy(source, work)
        # The source's hidden tests read the answer key beside it, as under nbval and nbgrader validate.
        for name, content in key_files(source.parent).items():
            (work / name).write_bytes(content)
        result = subprocess.run(
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
             "--ExecutePreprocessor.timeout=600", str(work / source.name)],
            cwd=work, env={**nbgrader_env(), "HITPM_LEARNER": learner}, capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError(f"running {source.name} as {learner} failed:\n{result.stderr[-4000:]}")
        return work

    def hand_in_work(self, student: str, assignment: str, answers_of: Path) -> Path:
        """A submission of the released notebook carrying the widget answers and variant found in `answers_of`."""
        folder = self.submit(student, assignment)
        shutil.copytree(answers_of / ".hitpm", folder / ".hitpm")
        return folder

    def copy_to(self, root: Path) -> CourseCopy:
        shutil.copytree(self.root, root, symlinks=True)
        copy = CourseCopy.__new__(CourseCopy)
        copy.root = root
        return copy

    def hitpm_grade(self, assignment: str) -> subprocess.CompletedProcess:
        result = subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", "grade", assignment, "--no-report"],
                                cwd=self.root, env=nbgrader_env(), capture_output=True, text=True)
        if result.returncode != 0:
            raise AssertionError(f"hitpm grade {assignment} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result

    def autograde(self, assignment: str) -> subprocess.CompletedProcess:
        return self.nbgrader("autograde", assignment, "--force")

    def scores(self, assignment: str, student: str) -> dict[str, float]:
        """Each autograded test cell's score, read from nbgrader's gradebook."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gradebook:
            submission = gradebook.find_submission(assignment, student)
            return {
                grade.name: grade.score
                for notebook in submission.notebooks
                for grade in notebook.grades
                if grade.cell_type == "code"
            }

    def total(self, assignment: str, student: str) -> float:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gradebook:
            return gradebook.find_submission(assignment, student).score

    def manual_cells_needing_grade(self, assignment: str, student: str) -> list[str]:
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gradebook:
            submission = gradebook.find_submission(assignment, student)
            return [g.name for nb in submission.notebooks for g in nb.grades if g.needs_manual_grade]


def solution_cell_sources(notebook_path: Path) -> list[str]:
    notebook = nbformat.read(notebook_path, as_version=4)
    return [cell.source for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("solution")]


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def variant_classroom(root: Path, assignment: str, slug: str, own_variant: str):
    """A class with case variants, graded twice by stock nbgrader: alice and bob run the source as
    themselves and hand in their work; carol hands in bob's folder (his answers and his variant);
    `own_variant` hands in bob's answers beside a variant of their own. Returns the course, alice's and
    bob's work folders, and the first grading's scores by learner."""
    from hitpm_widgets.variants import VARIANT_FILE, make_variant, record

    course = CourseCopy(root)
    course.generate(assignment)
    work = {learner: course.run_source_as(learner, assignment) for learner in ("alice", "bob")}
    for learner in ("alice", "bob"):
        course.hand_in_work(learner, assignment, work[learner])
    course.hand_in_work("carol", assignment, work["bob"])
    other = course.hand_in_work(own_variant, assignment, work["bob"])
    (other / VARIANT_FILE).unlink()
    assert record(make_variant(assignment, slug, own_variant), other)
    course.autograde(assignment)
    first = {learner: course.scores(assignment, learner) for learner in ("alice", "bob", "carol", own_variant)}
    course.autograde(assignment)
    return course, work, first


def recorded_case(slug: str, folder: Path):
    """The case with the numbers of the variant recorded in a learner's folder."""
    from hitpm_widgets import load_case
    from hitpm_widgets.variants import read_recorded

    return load_case(slug, variant=read_recorded(folder))


def saved_sheet(folder: Path, assignment: str, questions_of):
    """The answer sheet a learner saved in `folder`, asked as the source workbook asks it (`questions_of`
    gives a notebook's exercise id and questions)."""
    import pytest

    from hitpm_widgets import QuestionSheet

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        exercise_id, asked = questions_of(REPO / "workbooks" / assignment / f"{assignment}.ipynb")
        return QuestionSheet(exercise_id, asked, directory=folder)


def shown_in_cell(notebook_path: Path, grade_id: str) -> str:
    """The text a graded notebook's cell printed."""
    notebook = nbformat.read(notebook_path, as_version=4)
    (cell,) = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return "".join(output.get("text", "") for output in cell.outputs)
