"""`hitpm grade` as a drop-in for `nbgrader autograde`: nbgrader's own test notebooks (shipped in the nbgrader
package) graded both ways, by stock nbgrader as it ships and by hitpm grade, give the same scores cell by cell,
and files a notebook writes are kept in autograded/ as nbgrader keeps them, never in submitted/."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbgrader
import pytest

from ..pipeline.course import nbgrader_env

FILES = Path(nbgrader.__file__).parent / "tests" / "apps" / "files"

#: assignment: (its source notebook, {student: the notebook they hand in}), as nbgrader's own tests use them.
ASSIGNMENTS = {
    "ps1": ("submitted-changed.ipynb", {
        "unchanged": "submitted-unchanged.ipynb", "changed": "submitted-changed.ipynb",
        "cheat": "submitted-cheat-attempt.ipynb", "cheat-alternative": "submitted-cheat-attempt-alternative.ipynb",
        "grade-cell-changed": "submitted-grade-cell-changed.ipynb",
        "locked-cell-changed": "submitted-locked-cell-changed.ipynb"}),
    "ps2": ("autotest-hidden.ipynb", {
        "unchanged": "autotest-hidden-unchanged.ipynb", "right": "autotest-hidden-changed-right.ipynb",
        "wrong": "autotest-hidden-changed-wrong.ipynb"}),
    "ps3": ("side-effects.ipynb", {"writer": "side-effects.ipynb"}),
}


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=nbgrader_env(), capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, f"{args}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def grades(course: Path) -> dict[tuple, tuple]:
    from nbgrader.api import Gradebook

    found = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "fixtures") as gradebook:
        for assignment in ASSIGNMENTS:
            for submission in gradebook.assignment_submissions(assignment):
                for notebook in submission.notebooks:
                    for grade in notebook.grades:
                        found[(assignment, submission.student_id, grade.name)] = (
                            grade.auto_score, grade.manual_score, grade.needs_manual_grade)
    return found


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    stock = tmp_path_factory.mktemp("fixtures") / "stock"
    stock.mkdir()
    (stock / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "fixtures"\n')
    shutil.copy(FILES / "autotests.yml", stock)
    for assignment, (source, handed_in) in ASSIGNMENTS.items():
        (stock / "source" / assignment).mkdir(parents=True)
        shutil.copy(FILES / source, stock / "source" / assignment / "p1.ipynb")
        run(["nbgrader", "generate_assignment", assignment], stock)
        for student, notebook in handed_in.items():
            folder = stock / "submitted" / student / assignment
            folder.mkdir(parents=True)
            shutil.copy(FILES / notebook, folder / "p1.ipynb")
            (folder / "timestamp.txt").write_text("2026-11-20 10:00:00.000000 UTC")
    ours = stock.with_name("hitpm")
    shutil.copytree(stock, ours)
    for assignment in ASSIGNMENTS:
        run(["nbgrader", "autograde", assignment], stock)
        run(["hitpm_widgets.cli", "grade", assignment, "--no-report"], ours)
    return stock, ours


def test_every_cell_of_nbgraders_own_test_notebooks_gets_the_same_grade(both):
    stock, ours = both
    expected, found = grades(stock), grades(ours)
    assert len(expected) > 20
    assert found == expected
    assert expected[("ps1", "changed", "bar")][0] == 1 and expected[("ps1", "unchanged", "bar")][0] == 0
    assert expected[("ps2", "right", "test_hidden")][0] > expected[("ps2", "wrong", "test_hidden")][0]


def test_a_file_the_notebook_writes_is_kept_in_autograded_and_never_in_submitted(both):
    for course in both:
        assert (course / "autograded" / "writer" / "ps3" / "side-effect.txt").read_text() == "a side effect"
        assert not (course / "submitted" / "writer" / "ps3" / "side-effect.txt").exists()
