"""`hitpm grade` grades any nbgrader course: its source folder is the configuration's (`source/` by default),
not only the kit's `workbooks/`."""

from __future__ import annotations

import shutil
import subprocess
import sys

from ..conftest import REPO
from ..pipeline.course import nbgrader_env
from .classroom import ASSIGNMENT, MAX_AUTO, answer_through_the_model, hand_in


def run(args: list[str], cwd) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=nbgrader_env(), capture_output=True,
                            text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result


def test_a_plain_nbgrader_course_with_a_source_folder_is_graded(tmp_path):
    from nbgrader.api import Gradebook

    course = tmp_path / "my-course"
    (course / "source").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "my-course"\n')
    shutil.copytree(REPO / "workbooks" / ASSIGNMENT, course / "source" / ASSIGNMENT,
                    ignore=shutil.ignore_patterns(".hitpm", ".ipynb_checkpoints"))
    run(["nbgrader", "generate_assignment", ASSIGNMENT], course)
    for student in ("right", "blank"):
        folder = course / "submitted" / student / ASSIGNMENT
        shutil.copytree(course / "release" / ASSIGNMENT, folder)
        if student == "right":
            answer_through_the_model(folder)
        hand_in(folder)
    result = run(["hitpm_widgets.cli", "grade", ASSIGNMENT, "--no-report"], course / "submitted")  # from inside
    assert "2 graded now" in result.stdout
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "my-course") as gradebook:
        totals = {s.student_id: s.score for s in gradebook.assignment_submissions(ASSIGNMENT)}
    assert totals == {"right": MAX_AUTO, "blank": 0}
    assert (course / "feedback" / "right" / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()
