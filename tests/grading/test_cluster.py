"""`hitpm grade --scheduler`: a real Dask scheduler and two workers started with Dask's own commands on
localhost, a class of 24 into a PostgreSQL gradebook, one worker killed mid-run: every submission is
graded exactly once, with the local run's scores cell by cell."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hitpm_widgets.grading.cli import EXIT_SOME_NOT_GRADED
from hitpm_widgets.grading.cluster import PLUGIN

from ..pipeline.course import nbgrader_env
from .classroom import ASSIGNMENT, MAX_AUTO, NOTEBOOK, ORDINARY, Classroom
from .dask_cluster import Cluster
from .postgres import PostgresServer, free_port

SIZE = 24


def graded_folders(room: Classroom) -> set[str]:
    return {p.parent.parent.name for p in (room.root / "autograded").glob(f"*/{ASSIGNMENT}/{NOTEBOOK}")}


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def locally(released, tmp_path_factory):
    """The class, graded on this machine: the reference."""
    room = Classroom.copy_of(released, tmp_path_factory.mktemp("local") / "course")
    made = room.hand_in_class(SIZE, ORDINARY)
    room.hitpm("grade", ASSIGNMENT, "--no-feedback", "--no-report")
    return room, made


@pytest.fixture(scope="module")
def on_the_cluster(released, locally, postgres, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cluster")
    folder.chmod(0o755)
    room = Classroom.copy_of(locally[0], folder / "course")
    for step in ("autograded", "feedback", "grading"):
        subprocess.run(["rm", "-rf", str(room.root / step)], check=True)
    (room.root / "gradebook.db").unlink()
    room.set_config(f'c.CourseDirectory.db_url = "{postgres.url}"')
    room.nbgrader("generate_assignment", ASSIGNMENT, "--force")  # the assignment into the new gradebook
    cluster = Cluster(folder, workers=2)
    try:
        process = subprocess.Popen([sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--scheduler",
                                    cluster.address, "--no-feedback"], cwd=room.root, env=nbgrader_env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 600
        while len(graded_folders(room)) < 4:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the cluster graded nothing in 10 minutes"
            time.sleep(0.1)
        assert process.poll() is None  # the kill lands mid-run
        killed_at = len(graded_folders(room))
        cluster.kill("worker1")
        out, err = process.communicate(timeout=900)
        yield room, process.returncode, out, err, killed_at, cluster
    finally:
        cluster.stop()


def test_every_submission_is_graded_exactly_once_with_a_worker_killed_mid_run(on_the_cluster, postgres):
    room, code, out, err, killed_at, cluster = on_the_cluster
    assert code == 0, out + err + cluster.log("worker2")
    assert killed_at < SIZE
    assert f"{SIZE} graded now" in out
    runs = list(csv.DictReader(io.StringIO((room.root / "grading" / f"{ASSIGNMENT}-runs.csv").read_text())))
    assert sorted(row["student"] for row in runs) == sorted(graded_folders(room))  # one run recorded each
    assert len(runs) == SIZE and {row["worker"] for row in runs} <= {"worker1", "worker2"}
    assert any(row["worker"] == "worker2" for row in runs)
    assert len(room.totals(postgres.url)) == SIZE


def test_the_cluster_gives_the_local_run_s_scores_cell_by_cell(on_the_cluster, locally, postgres):
    room = on_the_cluster[0]
    reference, made = locally
    assert room.grades(postgres.url) == reference.grades()
    assert len(set(made.values())) == len(ORDINARY)  # every kind of answer is in the class


def test_the_report_says_which_worker_graded_what(on_the_cluster):
    room = on_the_cluster[0]
    report = (room.root / "grading" / f"{ASSIGNMENT}-report.html").read_text()
    assert "on the cluster: " in report and "worker2 ran" in report
    assert "2 Dask worker(s)" in report


def test_an_unreachable_scheduler_stops_the_run_with_one_line(released, tmp_path):
    room = Classroom.copy_of(released, tmp_path / "course")
    room.hand_in_class(2, ORDINARY)
    result = subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--scheduler",
                             f"tcp://127.0.0.1:{free_port()}", "--no-feedback"], cwd=room.root, env=nbgrader_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "cannot reach the Dask scheduler" in result.stderr
    assert not graded_folders(room) and room.totals() == {}


def test_a_submission_that_takes_down_every_worker_is_not_graded_and_the_rest_are(released, tmp_path):
    """Dask's nanny starts the dead worker again (plugin, fence and preflight anew); after
    allowed-failures deaths the submission is reported not graded, with the reason, and the class goes on."""
    from .worker_dies_on_poison import POISON

    room = Classroom.copy_of(released, tmp_path / "course")
    room.hand_in("alice-right", ORDINARY["right"])  # never beside the poison: one slot, one task sent at a time
    room.hand_in(POISON, ORDINARY["right"])
    cluster = Cluster(tmp_path, workers=1, nanny=True, preload=Path(__file__).with_name("worker_dies_on_poison.py"),
                      config={"DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES": "1"})
    try:
        result = subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--scheduler",
                                 cluster.address, "--no-feedback"], cwd=room.root, env=nbgrader_env(),
                                capture_output=True, text=True, timeout=600)
        worker_log = cluster.log("worker1")
    finally:
        cluster.stop()
    said = result.stdout + result.stderr
    assert result.returncode == EXIT_SOME_NOT_GRADED, said + worker_log
    assert worker_log.count("restarting") >= 2 or worker_log.count("Restarting worker") >= 2, worker_log
    assert POISON in said and "every Dask worker it was sent to died while it was there" in said, said
    assert room.totals() == {"alice-right": MAX_AUTO}  # no grade at all for the poison, not a 0
    assert graded_folders(room) == {"alice-right"}
    runs = list(csv.DictReader(io.StringIO((room.root / "grading" / f"{ASSIGNMENT}-runs.csv").read_text())))
    assert [row["student"] for row in runs] == ["alice-right"]


def test_a_client_killed_mid_run_is_resumed_by_the_same_command(released, tmp_path):
    """The grader killed outright while the cluster grades: its workers keep its plugin and may still be
    running a kernel; the same command again replaces the plugin and grades only what is not graded yet."""
    room = Classroom.copy_of(released, tmp_path / "course")
    made = room.hand_in_class(8, ORDINARY)
    cluster = Cluster(tmp_path, workers=1)
    command = [sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--scheduler", cluster.address,
               "--no-feedback"]
    try:
        process = subprocess.Popen(command, cwd=room.root, env=nbgrader_env(), stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 600
        while len(graded_folders(room)) < 2:
            assert process.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        process.kill()
        process.wait(30)
        first = room.totals()
        assert 2 <= len(first) < len(made)  # killed mid-run
        again = subprocess.run(command, cwd=room.root, env=nbgrader_env(), capture_output=True, text=True,
                               timeout=600)
    finally:
        cluster.stop()
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{len(made) - len(first)} graded now" in again.stdout, again.stdout
    totals = room.totals()
    assert set(totals) == set(made) and all(totals[student] == first[student] for student in first)
    expected = {"right": MAX_AUTO, "blank": 0}
    assert all(totals[s] == expected[kind] for s, kind in made.items() if kind in expected), totals


FAILS_PREFLIGHT = Path(__file__).with_name("worker_fails_preflight.py")


def test_a_worker_that_joins_late_and_fails_its_preflight_grades_nothing_and_leaves(released, tmp_path):
    room = Classroom.copy_of(released, tmp_path / "course")
    made = room.hand_in_class(8, ORDINARY)
    cluster = Cluster(tmp_path, workers=1)
    try:
        process = subprocess.Popen([sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--scheduler",
                                    cluster.address, "--no-feedback"], cwd=room.root, env=nbgrader_env(),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 600
        while not graded_folders(room):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        cluster.add_worker("latecomer", preload=FAILS_PREFLIGHT)
        out, err = process.communicate(timeout=900)
        left = cluster.processes["latecomer"].wait(60)  # it left the cluster by itself
        plugins = cluster.plugins()
        late_log = cluster.log("latecomer")
    finally:
        cluster.stop()
    assert process.returncode == 0, out + err
    assert left is not None and "cannot grade" in late_log, late_log
    runs = list(csv.DictReader(io.StringIO((room.root / "grading" / f"{ASSIGNMENT}-runs.csv").read_text())))
    assert len(runs) == len(made) and {row["worker"] for row in runs} == {"worker1"}
    expected = {"right": MAX_AUTO, "blank": 0}
    totals = room.totals()
    assert all(totals[s] == expected[kind] for s, kind in made.items() if kind in expected), totals
    assert PLUGIN not in plugins  # the run is over: no worker joining now would start kernels for it


def test_a_run_a_worker_refuses_leaves_no_plugin_behind_and_the_worker_in_place(released, tmp_path):
    room = Classroom.copy_of(released, tmp_path / "course")
    room.hand_in("alice", ORDINARY["right"])
    cluster = Cluster(tmp_path, workers=1, preload=FAILS_PREFLIGHT)
    try:
        result = subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--scheduler",
                                 cluster.address, "--no-feedback"], cwd=room.root, env=nbgrader_env(),
                                capture_output=True, text=True, timeout=600)
        plugins = cluster.plugins()
        still_there = cluster.processes["worker1"].poll() is None
    finally:
        cluster.stop()
    assert result.returncode == 3, result.stdout + result.stderr
    assert "could not set up grading" in result.stderr and "injected by the test" in result.stderr, result.stderr
    assert room.totals() == {}
    assert PLUGIN not in plugins and still_there
