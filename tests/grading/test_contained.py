"""Untrusted student code: each misbehaving submission still gets a grade, with the reason, and nobody
else is touched. Every hostile submission has right widget answers (9 points), so "the rest is graded"
means exactly: 9 points, whatever its code did."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hitpm_widgets.grading.isolation.fence import EXIT_SANDBOX_FAILED, SLOT_UID_BASE

from .classroom import (
    ASSIGNMENT,
    NOTEBOOK,
    Classroom,
    answer_in_code,
    answer_through_the_model,
    grade_id,
    slot_processes,
)
from .hostile import CLASS_SIZE, ESCAPER_MARK, FULL_AUTO, sleeper


def escaped_processes() -> list[int]:
    """Processes of the escaper submission still running, whoever runs them (root or not)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "cmdline").read_bytes().split(b"\0")[:2] == [b"sleep",
                                                                                             ESCAPER_MARK.encode()]:
                found.append(int(entry.name))
        except OSError:
            continue
    return found

MISBEHAVING = ["loop", "stubborn", "memory", "forkbomb", "sysexit", "osexit", "crash", "chatty", "vandal",
               "forger", "snoop", "online", "hunter", "escaper"]


def findings(run, student: str) -> list[dict]:
    kept = json.loads((run.room.root / "grading" / f"{ASSIGNMENT}-findings.json").read_text())
    return kept[student]["findings"]


def answer_cell(run, student: str):
    (cell,) = [c for c in run.room.graded_notebook(student).cells if grade_id(c) == "ps01-answer-map"]
    return cell


def text_of(cell) -> str:
    return "".join(o.get("text", "") + str(o.get("evalue", "")) for o in cell.outputs)


def test_the_run_grades_every_submission_and_reports_no_failure(hostile_run):
    assert hostile_run.result.returncode == 0, hostile_run.result.stdout + hostile_run.result.stderr
    totals = hostile_run.room.totals()
    assert len(totals) == CLASS_SIZE
    assert f"{CLASS_SIZE} graded now" in hostile_run.result.stdout


@pytest.mark.parametrize("student", ["right", *MISBEHAVING, "extra-notebook"])
def test_misbehaving_code_still_leaves_the_rest_of_the_notebook_graded(hostile_run, student):
    assert hostile_run.room.totals()[student] == FULL_AUTO


@pytest.mark.parametrize(("student", "reason"), [
    ("loop", "cell timeout: it ran longer than the cell time limit"),
    ("stubborn", "did not stop when interrupted"),
    ("memory", "MemoryError: it ran out of memory"),
    ("forkbomb", "could not start more processes"),
    ("osexit", f"the kernel exited with code {EXIT_SANDBOX_FAILED}"),
    ("crash", "segmentation fault"),
    ("chatty", "output cut: more than 1024 KB of output"),
])
def test_each_failure_is_reported_on_the_cell_where_it_happened(hostile_run, student, reason):
    found = [f for f in findings(hostile_run, student) if f["kind"] == "failed cell"]
    assert any(reason in f["reason"] and f["cell"] == "ps01-answer-map" for f in found), found
    assert f"hitpm grade: {student}: failed cell" in hostile_run.result.stdout


def test_a_dead_kernel_leaves_an_error_on_its_cell_which_nbgrader_scores_as_failed(hostile_run):
    outputs = answer_cell(hostile_run, "osexit").outputs
    assert [o["ename"] for o in outputs if o["output_type"] == "error"] == ["KernelDied"]


def test_megabytes_of_output_are_cut_to_the_limit(hostile_run):
    cell = answer_cell(hostile_run, "chatty")
    kept = sum(len(o.get("text", "")) for o in cell.outputs)
    assert 500_000 < kept <= 1024 * 1024 + 100_000  # LimitOutput may cut lines further, never add


def test_student_code_cannot_write_the_gradebook_read_the_solutions_or_list_other_submissions(hostile_run):
    forged = text_of(answer_cell(hostile_run, "forger"))
    assert "FORGED" not in forged and "refused" in forged
    assert all(score <= 13 for score in hostile_run.room.totals().values())
    snooped = text_of(answer_cell(hostile_run, "snoop"))
    assert "BEGIN SOLUTION" not in snooped
    assert "no source: FileNotFoundError" in snooped and "OTHERS none" in snooped  # not there, not just forbidden


def test_a_search_of_the_whole_file_system_finds_no_solution_classmate_gradebook_or_teaching_note(hostile_run):
    hunted = text_of(answer_cell(hostile_run, "hunter"))
    assert "HUNTED [] in" in hunted, hunted
    assert int(hunted.split(" in ")[1].split()[0]) > 5  # it did look around


def test_student_code_has_no_network(hostile_run):
    assert "offline:" in text_of(answer_cell(hostile_run, "online"))
    assert hostile_run.listener.connections == 0


def test_sys_exit_is_an_error_in_its_cell_not_the_end_of_the_kernel(hostile_run):
    names = [o.get("ename") for o in answer_cell(hostile_run, "sysexit").outputs if o["output_type"] == "error"]
    assert names == ["SystemExit"]


def test_nothing_a_submission_did_reached_the_submitted_files(hostile_run):
    after = {p.relative_to(hostile_run.room.root / "submitted"): p.read_bytes()
             for p in (hostile_run.room.root / "submitted").rglob("*") if p.is_file()}
    assert after == hostile_run.before
    assert (hostile_run.room.root / "submitted" / "vandal" / ASSIGNMENT / NOTEBOOK).is_file()


def test_no_process_of_a_kernel_outlives_the_run(hostile_run):
    assert "escaped" in text_of(answer_cell(hostile_run, "escaper"))
    assert escaped_processes() == []  # started in its own session, it still ended with its kernel
    assert slot_processes() == []
    assert SLOT_UID_BASE > 65535  # the slots' user ids are no real account's


@pytest.mark.parametrize(("student", "kind", "reason", "total"), [
    ("corrupt-notebook", "notebook", "cannot be read (NotJSONError", 0),
    ("missing-notebook", "notebook", "is missing: all its points are 0", 0),
    ("extra-notebook", "notebook", "scratch.ipynb is not part of the assignment", FULL_AUTO),
    ("edited-test", "tampering", "text of a read-only cell was edited", 5),
    ("deleted-test", "tampering", "a graded cell was deleted", FULL_AUTO - 1),
    ("tampered-answers", "tampering", "not in the form the widget writes", 6),
    ("corrupt-answers", "answer file", "unreadable (JSONDecodeError)", 0),
])
def test_broken_and_tampered_submissions_are_graded_and_flagged_with_a_reason(hostile_run, student, kind, reason,
                                                                             total):
    assert any(f["kind"] == kind and reason in f["reason"] for f in findings(hostile_run, student)), \
        findings(hostile_run, student)
    assert hostile_run.room.totals()[student] == total


def test_an_edited_test_is_put_back_and_run_as_released(hostile_run):
    (cell,) = [c for c in hostile_run.room.graded_notebook("edited-test").cells
               if grade_id(c) == "ps01-test-quadrants-executive"]
    assert "always passes" not in cell.source and "check_placed" in cell.source
    assert hostile_run.room.grades()["edited-test"]["ps01-test-quadrants-executive"][0] == 0


def test_a_deleted_test_waits_for_a_person_as_stock_nbgrader_leaves_it(hostile_run):
    auto, manual, needs_manual, _ = hostile_run.room.grades()["deleted-test"]["ps01-test-complete"]
    assert (auto, manual, needs_manual) == (None, None, True)


def test_an_unusable_answer_file_is_reported_by_the_kernel_too(hostile_run):
    told = [f for f in findings(hostile_run, "corrupt-answers") if f["cell"] == "ps01-widget"]
    assert told and "starts fresh" in told[0]["reason"]


def test_a_notebook_over_its_time_limit_is_stopped_and_its_remaining_tests_score_zero(released, tmp_path):
    room = Classroom.copy_of(released, tmp_path / "course")
    room.hand_in("sleeper", sleeper)
    result = room.hitpm("grade", ASSIGNMENT, "--student", "sleeper", "--time-limit", "20", "--cell-timeout", "60",
                        "--no-feedback", "--no-report")
    assert "sleeper: failed cell" in result.stdout and "20 s limit" in result.stdout
    assert room.totals()["sleeper"] == 0
    assert "1 graded now" in result.stdout
    tests = [c for c in room.graded_notebook("sleeper").cells
             if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]
    assert tests and all(any(o.get("ename") == "NotRun" for o in c.outputs) for c in tests)


VICTIM_NAME = "hitpm-victim"


def victim(folder: Path) -> None:
    """Right answers; its answer cell names its kernel process, then sleeps."""
    answer_through_the_model(folder)
    answer_in_code(folder, "import ctypes, time\n"
                           f"ctypes.CDLL(None).prctl(15, b'{VICTIM_NAME}', 0, 0, 0)  # PR_SET_NAME\n"
                           "for second in range(600):\n    time.sleep(1)\n")


def victims() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and (entry / "comm").read_text().strip() == VICTIM_NAME:
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_a_kernel_killed_from_outside_leaves_its_submission_ungraded_not_zero(released, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    from ..pipeline.course import nbgrader_env

    room = Classroom.copy_of(released, tmp_path / "course")
    room.hand_in("victim", victim)
    grading = subprocess.Popen([sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--student", "victim",
                                "--cell-timeout", "120", "--no-feedback", "--no-report"], cwd=room.root,
                               env=nbgrader_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not victims() and time.monotonic() < deadline:
            time.sleep(0.5)
        found = victims()
        assert found, "the victim's kernel never reached its answer cell"
        for pid in found:  # as the machine's out-of-memory killer or an operator's kill -9 would
            os.kill(pid, signal.SIGKILL)
        stdout, _ = grading.communicate(timeout=300)
    finally:
        grading.kill()
    assert "victim" not in room.totals()  # no row in the gradebook: not a 0
    assert "killed from outside" in stdout and "not graded" in stdout, stdout
