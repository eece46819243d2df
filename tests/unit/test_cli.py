"""The `hitpm` command: help, the learner workspace, and `hitpm lab` opening a real JupyterLab."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from hitpm_widgets.cli import main
from hitpm_widgets.workspace import START_PAGE, WorkspaceError, assignments, build_workspace, find_course_root

from ..conftest import REPO

HITPM = [sys.executable, "-m", "hitpm_widgets.cli"]


def test_help_names_the_commands(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--help"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert "lab" in out and "learner workspace" in out


def test_lab_help_names_its_options(capsys):
    with pytest.raises(SystemExit):
        main(["lab", "--help"])
    out = capsys.readouterr().out
    for option in ("--no-browser", "--port", "--workspace"):
        assert option in out


def test_a_bad_port_is_refused(capsys):
    with pytest.raises(SystemExit) as done:
        main(["lab", "--port", "70000"])
    assert done.value.code == 2
    assert "--port must be from 1 to 65535" in capsys.readouterr().err


def test_outside_a_course_the_error_says_what_to_do(tmp_path, monkeypatch):
    with pytest.raises(WorkspaceError, match="pass --course PATH"):
        find_course_root(tmp_path)
    assert main(["lab", "--course", str(tmp_path), "--dry-run"]) == 2


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    folder = tmp_path_factory.mktemp("learner") / "workspace"
    build_workspace(REPO, folder, log=lambda _: None)
    return folder


def test_the_workspace_has_student_versions_and_lessons_but_no_solutions(workspace):
    notebook = workspace / "workbooks" / "ps01-emr-stakeholders" / "ps01-emr-stakeholders.ipynb"
    text = notebook.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text and "Model answer" not in text
    assert "StakeholderMap(\\\"ps01-emr-stakeholders\\\"" in text
    assert (workspace / START_PAGE).is_file()
    lessons = {p.relative_to(workspace).as_posix() for p in (workspace / "course").rglob("*.ipynb")}
    assert lessons == {p.relative_to(REPO).as_posix() for p in (REPO / "course").rglob("*.ipynb")}
    assert not list(workspace.rglob(".hitpm-source"))
    assert not list(workspace.rglob("*.md"))  # no teaching notes


def test_building_again_keeps_the_learners_work(workspace):
    notebook = workspace / "workbooks" / "ps01-emr-stakeholders" / "ps01-emr-stakeholders.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("YOUR CODE HERE", "my own work"))
    start = workspace / START_PAGE
    start.write_text(start.read_text(encoding="utf-8") + " ")
    assert build_workspace(REPO, workspace, log=lambda _: None) == []
    assert "my own work" in notebook.read_text(encoding="utf-8")
    assert start.read_text(encoding="utf-8").endswith(" ")


def test_a_missing_workbook_is_added_without_touching_the_others(workspace):
    import shutil

    shutil.rmtree(workspace / "workbooks" / "ps01-emr-stakeholders")
    (workspace / START_PAGE).write_text("{}")
    added = build_workspace(REPO, workspace, log=lambda _: None)
    assert added == ["workbooks/ps01-emr-stakeholders"]
    assert (workspace / START_PAGE).read_text() == "{}"


def workspace_with_workbooks_in_place(folder: Path) -> Path:
    """A workspace whose workbooks are "there" (empty): making each student version takes seconds."""
    for assignment in assignments(REPO):
        (folder / "workbooks" / assignment).mkdir(parents=True)
    return folder


def test_dry_run_prints_the_jupyterlab_command(tmp_path, capsys):
    workspace = workspace_with_workbooks_in_place(tmp_path / "ws")
    assert main(["lab", "--workspace", str(workspace), "--no-browser", "--port", "8899", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "-m jupyterlab course/00-start-here.ipynb" in out
    assert "--no-browser" in out and "--port=8899" in out


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_hitpm_lab_serves_the_start_page(tmp_path):
    """`hitpm lab --no-browser --port N` starts JupyterLab on the learner workspace."""
    port = free_port()
    workspace = workspace_with_workbooks_in_place(tmp_path / "ws")
    (workspace / "workbooks" / "ps01-emr-stakeholders").rmdir()  # this one is made for real
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(home / "runtime")}
    server = subprocess.Popen([*HITPM, "lab", "--no-browser", "--port", str(port), "--workspace", str(workspace),
                               "--course", str(REPO), "--ServerApp.token=", "--ServerApp.ip=127.0.0.1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/contents/{START_PAGE.as_posix()}",
                                            timeout=5) as reply:
                    model = json.load(reply)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"JupyterLab did not start:\n{server.stdout.read()}") from None
                time.sleep(0.5)
        assert model["type"] == "notebook" and model["path"] == START_PAGE.as_posix()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab", timeout=10) as reply:
            assert reply.status == 200
        assert (workspace / "workbooks" / "ps01-emr-stakeholders").is_dir()
    finally:
        # `hitpm lab` runs JupyterLab as a child: stop the whole group, or the server outlives the test.
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert Path(workspace / START_PAGE).is_file()
