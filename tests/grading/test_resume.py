"""An interrupted run (Ctrl-C, or the process killed outright) leaves the gradebook consistent, and the
next run grades only what is not graded yet."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from ..pipeline.course import nbgrader_env
from .classroom import ASSIGNMENT, NOTEBOOK, Classroom, right, slot_processes
from .hostile import code

SIZE = 4


def graded_folders(room: Classroom) -> set[str]:
    return {p.parent.parent.name for p in (room.root / "autograded").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}")}


def start(room: Classroom) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--workers", "1", "--no-feedback",
         "--no-report"], cwd=room.root, env=nbgrader_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_more_than(room: Classroom, count: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while len(graded_folders(room)) <= count:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "nothing was graded in 3 minutes"
        time.sleep(0.1)


def zygotes() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and b"hitpm_widgets.grading.isolation.zygote" in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def nothing_left_running() -> bool:
    for _ in range(50):
        if not slot_processes() and not zygotes():
            return True
        time.sleep(0.1)
    return False


def assert_consistent(room: Classroom) -> dict:
    """Each submission in the gradebook has every autograded cell scored: none half-written."""
    grades = room.grades()
    for student, cells in grades.items():
        for cell, value in cells.items():
            if cell.startswith("ps01-test-"):
                assert value[0] is not None or value[2], (student, cell, value)
    return grades


@pytest.fixture(scope="module")
def room(released, tmp_path_factory):
    room = Classroom.copy_of(released, tmp_path_factory.mktemp("resume") / "course")
    # One quick submission, then slow ones: a stop right after the first grade always lands mid-run.
    room.hand_in("a-quick", right)
    for student in ("b-slow", "c-slow", "d-slow"):
        room.hand_in(student, code("import time\ntime.sleep(4)\n"))
    return room


@pytest.fixture(scope="module")
def after_ctrl_c(room):
    process = start(room)
    wait_for_more_than(room, 0, process)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=120)
    return process.returncode, out, assert_consistent(room), graded_folders(room)


def test_ctrl_c_stops_the_run_and_keeps_what_was_graded(room, after_ctrl_c):
    code, out, grades, folders = after_ctrl_c
    assert code == 130, out
    assert "interrupted" in out and "run the same command again" in out
    assert 1 <= len(folders) < SIZE
    assert set(grades) == folders  # in the gradebook exactly when its autograded folder is in place
    assert nothing_left_running()


def test_a_killed_run_leaves_the_gradebook_consistent_and_nothing_running(room, after_ctrl_c):
    _, _, _, before = after_ctrl_c
    process = start(room)
    wait_for_more_than(room, len(before), process)
    assert process.poll() is None  # still grading: the kill lands mid-run
    process.kill()
    process.communicate(timeout=60)
    assert nothing_left_running()
    grades = assert_consistent(room)
    assert graded_folders(room) <= set(grades)
    assert len(before) < len(graded_folders(room)) < SIZE
    scratch = [p for p in Path(tempfile.gettempdir()).glob("hitpm-grade-*")
               if (p / "grader.pid").is_file() and (p / "grader.pid").read_text() == str(process.pid)]
    assert scratch  # left behind by the killed run; the next run removes it
    room.killed_scratch = scratch


def test_running_again_grades_only_what_is_not_graded(room, after_ctrl_c):
    already = graded_folders(room)
    stamps = {s: (room.root / "autograded" / s / ASSIGNMENT / NOTEBOOK).stat().st_mtime_ns for s in already}
    result = room.hitpm("grade", ASSIGNMENT, "--no-feedback", "--no-report")
    assert f"{SIZE - len(already)} graded now, {len(already)} graded before" in result.stdout
    assert graded_folders(room) == set(assert_consistent(room)) and len(graded_folders(room)) == SIZE
    for student, stamp in stamps.items():
        assert (room.root / "autograded" / student / ASSIGNMENT / NOTEBOOK).stat().st_mtime_ns == stamp
    assert not any(p.exists() for p in getattr(room, "killed_scratch", []))

