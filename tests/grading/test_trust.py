"""A grade is right or not written: the run stops with one line before the gradebook is touched when a
grading kernel could not have graded right, and says so when kernels are not fenced in."""

from __future__ import annotations

import subprocess
import sys

from hitpm_widgets.grading.preflight import unfenced_refusal

from ..pipeline.course import nbgrader_env
from .classroom import ASSIGNMENT, MAX_AUTO, Classroom, blank, right


def grade(room: Classroom, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--no-feedback", *args],
                          cwd=room.root, env=nbgrader_env(), capture_output=True, text=True, timeout=600)


def nothing_graded(room: Classroom) -> bool:
    written = [p for p in (room.root / "grading").glob("*") if p.name != ".hitpm-grade.lock"] \
        if (room.root / "grading").exists() else []
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


def test_unfenced_grading_is_right_and_says_so_or_refuses(released, tmp_path):
    """--unfenced: no namespaces (as root, kernels still run as a user of their own). Where that user cannot
    read what the solution needs (Python under a private home), the preflight refuses instead of writing
    zeros; where it can, the grades are right and the report says the kernels were not fenced in."""
    room = Classroom.copy_of(released, tmp_path / "course")
    room.hand_in("honest", right)
    result = grade(room, "--unfenced")
    if result.returncode == 3:
        assert "cannot pass" in result.stderr and "nothing was graded" in result.stderr, result.stderr
        assert nothing_graded(room)
    else:
        assert result.returncode == 0, result.stdout + result.stderr
        assert room.totals() == {"honest": MAX_AUTO}
        report = (room.root / "grading" / f"{ASSIGNMENT}-report.html").read_text()
        assert "NO (--unfenced)" in report
