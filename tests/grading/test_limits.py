"""Limits that hold: memory counted whole (shared memory too), SysV segments that end with their kernel,
a fair CPU share per worker, and a kernel killed from outside told apart from one its own limit stopped.
Memory, CPU and task cgroups need root; the IPC namespace holds for an ordinary user too."""

from __future__ import annotations

import json
import mmap
import os
import shutil
import signal
from pathlib import Path

import pytest

from hitpm_widgets.grading.isolation import cgroups
from hitpm_widgets.grading.isolation.exits import kernel_exit
from hitpm_widgets.grading.isolation.fence import Limits

from .classroom import ASSIGNMENT, MAX_AUTO, Classroom, grade_id, right
from .hostile_limits import BUSY_PROCESSES, SYSV_KEY, kinds, sysv_segments

FULL_AUTO = 9  # every autograded point of ps01 that widget answers earn
ROOT = os.geteuid() == 0
root_only = pytest.mark.skipif(not ROOT, reason="cgroups are made by a grader that is root")


def _cgroups_here() -> bool:
    groups, _ = cgroups.Cgroups.create()
    if groups is None:
        return False
    groups.remove()
    return "memory" in groups.runs or "" in groups.runs


@pytest.fixture(scope="module")
def limits_run(released, tmp_path_factory):
    room = Classroom.copy_of(released, tmp_path_factory.mktemp("limits") / "course")
    room.hand_in("right", right)
    for student, answer in kinds().items():
        room.hand_in(student, answer)
    result = room.hitpm("grade", ASSIGNMENT, "--workers", "2", "--cell-timeout", "8", "--time-limit", "120",
                        "--memory", "300", "--processes", "64", check=False)
    yield room, result
    shutil.rmtree(room.root, ignore_errors=True)


def answer_text(room, student: str) -> str:
    (cell,) = [c for c in room.graded_notebook(student).cells if grade_id(c) == "ps01-answer-map"]
    return "".join(o.get("text", "") + str(o.get("evalue", "")) for o in cell.outputs)


def failures(room, student: str) -> list[dict]:
    kept = json.loads((room.root / "grading" / f"{ASSIGNMENT}-findings.json").read_text())
    return [f for f in kept[student]["findings"] if f["kind"] == "failed cell"]


def test_every_submission_is_graded(limits_run):
    room, result = limits_run
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(room.totals()) == {"right", *kinds()}


def test_a_sysv_segment_a_kernel_leaves_ends_with_it(limits_run):
    room, _ = limits_run
    assert "SHM" in answer_text(room, "sysv") and "made" in answer_text(room, "sysv")  # it did make one
    assert [key for key, _ in sysv_segments() if key == SYSV_KEY] == []
    assert "sysv" in room.totals()  # graded (its 256 MB count against its 300 MB: later cells may run short)


@root_only
def test_shared_memory_counts_against_the_memory_limit(limits_run):
    room, _ = limits_run
    assert "SHARED all" not in answer_text(room, "shared")
    found = failures(room, "shared")
    assert any(f["cell"] == "ps01-answer-map" and "more than its memory limit (300 MB" in f["reason"]
               for f in found), found
    assert room.totals()["shared"] == FULL_AUTO  # the rest of the notebook ran in a new kernel


@root_only
def test_busy_processes_in_one_kernel_do_not_starve_a_classmate(limits_run):
    """Without a CPU share per worker the meter, beside 40 busy processes, gets a 41st of the CPU (0.15 s
    of its 3 s on two cores) where the scheduler does not group sessions (autogroup off, or the grader in a
    cgroup of its own: most servers); with one, its worker's share: most of a core."""
    room, _ = limits_run
    assert f"BUSY {BUSY_PROCESSES}" in answer_text(room, "a-busy")
    meter = answer_text(room, "b-meter")
    if _cgroups_here():
        assert f"/{cgroups.RUN_PREFIX}" in meter.split("CPU GROUP", 1)[1] and "/slot-" in meter, meter
    got = float(meter.split("METER", 1)[1].split()[0])
    print("meter CPU seconds:", got)
    assert got > 0.8, got
    assert failures(room, "right") == []
    assert room.totals()["right"] == MAX_AUTO


def test_the_fences_report_says_which_limits_hold(limits_run):
    room, _ = limits_run
    report = (room.root / "grading" / f"{ASSIGNMENT}-report.html").read_text()
    assert "shared memory private: yes" in report
    line = report.split("limits: in force:", 1)[1].split("</li>", 1)[0]
    if ROOT and _cgroups_here():
        assert "memory counted whole" in line and "CPU share" in line and "not in force" not in line, line
    else:
        assert "not in force: memory counted whole, CPU share, task count" in line, line


@root_only
def test_no_cgroup_is_left_after_the_run(limits_run):
    left = [path for path in Path("/sys/fs/cgroup").rglob(f"{cgroups.RUN_PREFIX}*")]
    assert left == []


def test_a_kernel_killed_outright_is_told_apart():
    limits = Limits(memory_mb=300, notebook_timeout=100)
    own = kernel_exit({"signal": signal.SIGKILL, "oom": "limit", "isolated": True, "cpu": 1.0}, limits)
    assert (own.infrastructure, own.limit) == (False, "memory") and "memory limit (300 MB" in own.reason
    outside = kernel_exit({"signal": signal.SIGKILL, "oom": "outside", "isolated": True, "cpu": 1.0}, limits)
    assert (outside.infrastructure, outside.limit) == (True, None) and "out-of-memory killer" in outside.reason
    fenced = kernel_exit({"signal": signal.SIGKILL, "isolated": True, "cpu": 1.0}, limits)
    assert fenced.infrastructure and "killed from outside" in fenced.reason
    cpu = kernel_exit({"signal": signal.SIGKILL, "isolated": True, "cpu": 130.0}, limits)
    assert (cpu.infrastructure, cpu.limit) == (False, "cpu")
    unfenced = kernel_exit({"signal": signal.SIGKILL, "isolated": False, "cpu": 1.0}, limits)
    assert not unfenced.infrastructure  # unfenced, the notebook may have killed itself
    assert kernel_exit({"signal": None, "code": 121}, limits).infrastructure  # the fence failed
    assert not kernel_exit({"signal": None, "code": 121}, limits, started=True).infrastructure


def _touch_shared_in(procs: list[str], megabytes: int) -> int:
    pid = os.fork()
    if pid == 0:
        try:
            cgroups.join(procs)
            block = mmap.mmap(-1, megabytes << 20, mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)
            for offset in range(0, megabytes << 20, 4096):
                block[offset] = 1
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0


@root_only
def test_a_slot_group_tells_its_own_limit_from_a_shortage_above_it():
    groups, why = cgroups.Cgroups.create()
    if groups is None or groups.version != 1:
        pytest.skip(f"no cgroup v1 memory controller here ({why or 'v2'})")
    try:
        procs = groups.slot(0, 100 << 20, 64)
        before = groups.counters(0)
        assert _touch_shared_in(procs, 300) == signal.SIGKILL
        assert cgroups.oom_verdict(before, groups.counters(0)) == "limit"
        # The run's group, above the slot, runs short first: as the machine would, for the slot.
        cgroups._write(groups.runs["memory"] / "memory.limit_in_bytes", str(150 << 20))
        procs = groups.slot(1, 400 << 20, 64)
        before = groups.counters(1)
        assert _touch_shared_in(procs, 300) == signal.SIGKILL
        assert cgroups.oom_verdict(before, groups.counters(1)) == "outside"
        assert _touch_shared_in(groups.slot(2, 400 << 20, 64), 100) == 0  # under every limit: it lives
        assert cgroups._read(groups.runs["cpu"] / "slot-0" / "cpu.shares") == \
            cgroups._read(groups.runs["cpu"] / "slot-1" / "cpu.shares") == str(cgroups.CPU_SHARES)
        assert cgroups._read(groups.runs["pids"] / "slot-0" / "pids.max") == str(64 + cgroups.TASK_HEADROOM)
    finally:
        assert groups.remove() == []
    assert not any(run.exists() for run in groups.runs.values())
