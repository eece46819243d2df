"""A grade is right or not written: the run stops with one line before the gradebook is touched when a
grading kernel could not have graded right, and says so when kernels are not fenced in."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from hitpm_widgets.grading.preflight import unfenced_refusal

from ..pipeline.course import nbgrader_env
from .classroom import ASSIGNMENT, MAX_AUTO, REPO, Classroom, blank, right

#: Runs a command where no namespace can be made (see the script).
BLOCKED = Path(__file__).with_name("namespaces_blocked.py")


def grade(room: Classroom, *args: str, blocked: bool = False) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--no-feedback", *args]
    return subprocess.run([sys.executable, str(BLOCKED), *command] if blocked else command,
                          cwd=room.root, env=nbgrader_env(), capture_output=True, text=True, timeout=600)


def nothing_graded(room: Classroom) -> bool:
    written = list((room.root / "grading").glob("*"))
    return not (room.root / "autograded").exists() and room.totals() == {} and not written


def test_a_kernel_that_cannot_run_the_solution_stops_the_run_before_any_grade(released, tmp_path):
    room = Classroom.copy_of(released, tmp_path / "course")
    room.hand_in("honest", right)
    room.hand_in("empty", blank)
    # Limits set the nbgrader way: one megabyte more than a kernel has when forked is too little to run.
    room.set_config("c.HitpmGrade.memory = 1")
    refused = grade(room)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len([line for line in lines if line.startswith("hitpm grade:")]) == 1, refused.stderr
    assert "cannot pass ps01-emr-stakeholders's own solution" in refused.stderr
    assert "nothing was graded" in refused.stderr
    assert nothing_graded(room)
    # The command line wins over the configuration: with room to run, the same class grades right.
    graded = grade(room, "--memory", "2048")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    assert room.totals() == {"honest": MAX_AUTO, "empty": 0}


def test_a_run_whose_kernels_would_not_be_fenced_in_is_refused_unless_told(tmp_path):
    line = unfenced_refusal({"kernels fenced in": "no: unshare: Operation not permitted"}, unfenced=False)
    assert line.startswith("kernels cannot be fenced in here (unshare: Operation not permitted)")
    assert "--unfenced" in line and "nothing was graded" in line and "\n" not in line
    assert unfenced_refusal({"kernels fenced in": "no: unshare"}, unfenced=True) is None
    assert unfenced_refusal({"kernels fenced in": "yes"}, unfenced=False) is None


def test_unfenced_does_not_turn_off_a_fence_that_works(released, tmp_path):
    """--unfenced permits grading without namespaces where they cannot be made; here they can."""
    room = Classroom.copy_of(released, tmp_path / "course")
    room.hand_in("honest", right)
    result = grade(room, "--unfenced")
    assert result.returncode == 0, result.stdout + result.stderr
    assert room.totals() == {"honest": MAX_AUTO}
    report = (room.root / "grading" / f"{ASSIGNMENT}-report.html").read_text()
    assert "kernels fenced in: yes" in report and "NO (--unfenced)" not in report


def others_can_read(path: Path) -> bool:
    """Whether a user of no group of the owner's can reach `path` (every folder on the way open to others)."""
    return all(folder.stat().st_mode & stat.S_IXOTH for folder in [path, *path.parents])


def test_where_no_namespace_can_be_made_the_run_refuses_unless_told(released, tmp_path):
    """A container started without the rights to make namespaces, or Ubuntu's AppArmor rule for ordinary
    users: refused in one line, nothing written; with --unfenced, right grades that say so, or, where the
    unfenced kernels (as root: users of their own) cannot read the kit, the preflight's refusal."""
    room = Classroom.copy_of(released, tmp_path / "course")
    room.hand_in("honest", right)
    room.hand_in("empty", blank)
    refused = grade(room, blocked=True)
    assert refused.returncode == 3, refused.stdout + refused.stderr
    lines = [line for line in refused.stderr.splitlines() if line.startswith("hitpm grade:")]
    assert len(lines) == 1 and "kernels cannot be fenced in here" in lines[0], refused.stderr
    assert "--unfenced" in lines[0] and "nothing was graded" in lines[0]
    assert nothing_graded(room)

    unfenced = grade(room, "--unfenced", blocked=True)
    # Root's unfenced kernels are users of their own: they read the kit and case files only where others
    # may (what the fork-server imported before the fork needs no reading).
    if os.geteuid() != 0 or (others_can_read(REPO) and others_can_read(Path(sys.prefix))):
        assert unfenced.returncode == 0, unfenced.stdout + unfenced.stderr
        assert room.totals() == {"honest": MAX_AUTO, "empty": 0}
        report = (room.root / "grading" / f"{ASSIGNMENT}-report.html").read_text()
        assert "NO (--unfenced)" in report
        said = "a user of its own" if os.geteuid() == 0 else "your user's rights"
        assert f"kernels were NOT fenced in (--unfenced): student code ran with {said}" in unfenced.stdout
    else:
        assert unfenced.returncode == 3, unfenced.stdout + unfenced.stderr
        assert "cannot pass" in unfenced.stderr and "nothing was graded" in unfenced.stderr, unfenced.stderr
        assert nothing_graded(room)


def test_a_test_that_calls_a_function_the_answer_defines_is_named_by_the_preflight(tmp_path):
    """Such a test would need the learner's code in the test kernel: the run stops with one line instead."""
    import nbformat

    course = tmp_path / "course"
    (course / "source" / "functions").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "functions"\n')

    def cell(source: str, **nbgrader):
        made = nbformat.v4.new_code_cell(source)
        made.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "solution": False, "locked": False,
                                     **nbgrader}
        return made

    notebook = nbformat.v4.new_notebook(cells=[
        cell("### BEGIN SOLUTION\ndef squares(n):\n    return [i * i for i in range(1, n + 1)]\n"
             "### END SOLUTION", grade_id="answer", solution=True),
        cell("assert squares(3) == [1, 4, 9]", grade_id="test-squares", grade=True, locked=True, points=1),
    ])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(notebook, course / "source" / "functions" / "functions.ipynb")
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "functions"], cwd=course,
                   env=nbgrader_env(), capture_output=True, check=True)
    submitted = course / "submitted" / "alice" / "functions"
    submitted.mkdir(parents=True)
    (submitted / "functions.ipynb").write_text((course / "release" / "functions" / "functions.ipynb").read_text())
    result = subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", "grade", "functions", "--no-feedback"],
                            cwd=course, env=nbgrader_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 3, result.stdout + result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("hitpm grade:")]
    assert len(lines) == 1 and "test-squares" in lines[0] and "not data" in lines[0], result.stderr
    assert not (course / "autograded").exists()
