"""The `hitpm` command: help, the learner workspace, and `hitpm lab` opening a real JupyterLab."""

import http.cookiejar
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from hitpm_widgets.cli import main
from hitpm_widgets.learner_lab import in_a_class, write_learner_config
from hitpm_widgets.workspace import (
    START_PAGE,
    WorkspaceError,
    assignments,
    build_workspace,
    find_course_root,
    sync_lessons,
)

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


def test_outside_a_course_the_error_says_what_to_do(tmp_path, monkeypatch, capsys):
    with pytest.raises(WorkspaceError, match=f"no hitpm course at {tmp_path}") as error:
        find_course_root(tmp_path)
    assert "pass --course" not in str(error.value)  # one was passed
    assert main(["lab", "--course", str(tmp_path), "--dry-run"]) == 2
    monkeypatch.chdir(tmp_path)
    with pytest.raises(WorkspaceError, match="or pass --course PATH"):
        find_course_root(kit=False)
    assert find_course_root() == REPO  # a learner's `hitpm check` in a clone still finds the kit's course


def test_grade_outside_a_course_refuses_in_one_line_and_grades_nothing(tmp_path):
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run([*HITPM, "grade", "ps01-emr-stakeholders"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "hitpm grade: no nbgrader course found: run this inside a course (a folder with nbgrader_config.py), "
        "or pass --course PATH"]
    result = subprocess.run([*HITPM, "grade", "ps01-emr-stakeholders", "--course", str(tmp_path)], cwd=tmp_path,
                            env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip() == (f"hitpm grade: no nbgrader course at {tmp_path}: neither it nor a folder above "
                                     "it has nbgrader_config.py")
    assert list(tmp_path.iterdir()) == []


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


def test_a_lesson_the_learner_has_not_changed_is_updated_and_one_they_changed_is_kept(tmp_path):
    course, workspace = tmp_path / "kit", tmp_path / "ws"
    lessons = course / "course" / "01-module"
    lessons.mkdir(parents=True)
    for name in ("read.ipynb", "ran.ipynb"):
        (lessons / name).write_text("version 1")
    assert sync_lessons(course / "course", workspace, course) == ["course/01-module/ran.ipynb",
                                                                  "course/01-module/read.ipynb"]
    (workspace / "course" / "01-module" / "ran.ipynb").write_text("version 1, with the learner's outputs")
    for name in ("read.ipynb", "ran.ipynb"):
        (lessons / name).write_text("version 2")  # the course is updated (a new kit on the hub)
    (lessons / "new.ipynb").write_text("version 2")
    assert sync_lessons(course / "course", workspace, course) == ["course/01-module/new.ipynb",
                                                                  "course/01-module/read.ipynb"]
    assert (workspace / "course" / "01-module" / "read.ipynb").read_text() == "version 2"
    assert (workspace / "course" / "01-module" / "ran.ipynb").read_text() == "version 1, with the learner's outputs"
    assert sync_lessons(course / "course", workspace, course) == []


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
    assert "--no-browser" in out and "--port=8899" in out and "--ServerApp.port_retries=0" in out


def test_a_busy_port_is_refused_in_one_line(tmp_path, capsys):
    workspace = workspace_with_workbooks_in_place(tmp_path / "ws")
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["lab", "--workspace", str(workspace), "--port", str(port), "--dry-run"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [f"hitpm: port {port} is in use (another JupyterLab?): stop what uses it, "
                                        "or pass another --port"]


@pytest.mark.parametrize("command", [["progress"], ["--help"], ["grade", "--help"], ["check", "--help"]])
def test_a_reader_that_goes_away_is_no_traceback(tmp_path, command):
    """`hitpm progress | head -3`: the pipe closes before hitpm writes; it ends quietly."""
    workspace = workspace_with_workbooks_in_place(tmp_path / "ws")
    for notebook in assignments(REPO):
        (workspace / "workbooks" / notebook / f"{notebook}.ipynb").write_text("{}")
    if command == ["progress"]:
        command = ["progress", "--workspace", str(workspace)]
    reader, writer = os.pipe()
    os.close(reader)  # the reader is gone before the first line
    try:
        result = subprocess.run([*HITPM, *command], stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(writer)
    assert result.stderr == ""
    assert result.returncode in (0, 141)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str):
    try:
        with urllib.request.urlopen(url, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, ""


def validate(base: str, path: str) -> dict:
    """What the notebook toolbar's Validate button gets: a POST with the server's XSRF cookie."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(f"{base}/lab", timeout=10).read()
    xsrf = next(cookie.value for cookie in jar if cookie.name == "_xsrf")
    body = urllib.parse.urlencode({"path": path}).encode()
    request = urllib.request.Request(f"{base}/assignments/validate", data=body, headers={"X-XSRFToken": xsrf})
    with opener.open(request, timeout=180) as reply:
        answer = json.load(reply)
    assert answer["success"], answer
    return answer["value"]


def session_processes(session: int) -> list[str]:
    """The command lines of the processes still alive in a session (not the zombies, which have ended)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if fields[0] != "Z" and int(fields[3]) == session:
                found.append((stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            continue
    return found


def test_hitpm_lab_serves_the_start_page_with_the_learners_tools_only(tmp_path):
    """`hitpm lab --no-browser --port N` starts JupyterLab on the learner workspace: not formgrader, and
    outside a class not the assignment list either; no nbgrader warning; the start page's address printed;
    a SIGTERM to `hitpm lab` ends its JupyterLab."""
    port = free_port()
    workspace = workspace_with_workbooks_in_place(tmp_path / "ws")
    (workspace / "workbooks" / "ps01-emr-stakeholders").rmdir()  # this one is made for real
    home = tmp_path / "home"
    # The system's nbgrader settings of a machine with no class: an exchange that is not there.
    system = tmp_path / "etc-jupyter"
    system.mkdir()
    (system / "nbgrader_config.py").write_text(f"c.Exchange.root = {str(tmp_path / 'no-exchange')!r}\n")
    env = {**os.environ, "HOME": str(home), "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
           "JUPYTER_CONFIG_PATH": str(system)}
    server = subprocess.Popen([*HITPM, "lab", "--no-browser", "--port", str(port), "--workspace", str(workspace),
                               "--course", str(REPO), "--ServerApp.token=", "--ServerApp.ip=127.0.0.1"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/contents/{START_PAGE.as_posix()}", timeout=5) as reply:
                    model = json.load(reply)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"JupyterLab did not start:\n{server.stdout.read()}") from None
                time.sleep(0.5)
        assert model["type"] == "notebook" and model["path"] == START_PAGE.as_posix()
        status, page = get(f"{base}/lab")
        assert status == 200
        config = json.loads(page.split('id="jupyter-config-data"')[1].split(">", 1)[1].split("</script>")[0])
        disabled = set(config["disabledExtensions"])
        assert {"@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                "@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu"} <= disabled
        assert "@jupyter/nbgrader:validate-assignment" not in disabled
        assert get(f"{base}/formgrader/api/status")[0] == 404  # the instructor's server extension is off
        assert get(f"{base}/courses")[0] == 404  # no class: the assignment list's server extension is off too
        assert (workspace / "workbooks" / "ps01-emr-stakeholders").is_dir()
        failed = validate(base, "workbooks/ps01-emr-stakeholders/ps01-emr-stakeholders.ipynb")["failed"]
        errors = [cell["raw_error"] for cell in failed]
        assert "Place these stakeholders on the power/interest grid first" in "\n".join(errors)
        assert not [error for error in errors if "Traceback" in error or "\x1b[" in error or "----" in error]
        # Ended as systemd, `kill PID` or a closed terminal would end it: hitpm lab alone gets the signal.
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        time.sleep(0.5)
        assert session_processes(server.pid) == []  # JupyterLab is gone with it, not orphaned
    finally:
        try:
            os.killpg(server.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        server.wait(timeout=30)
    output = server.stdout.read()
    assert f"open the start page at http://localhost:{port}/lab/tree/course/00-start-here.ipynb\n" in output
    assert "hitpm: no class here (no nbgrader exchange): nbgrader's Assignments list is off" in output
    assert "No nbgrader_config.py" not in output
    assert Path(workspace / START_PAGE).is_file()


def test_in_a_class_the_learners_lab_keeps_the_assignment_list(tmp_path, monkeypatch):
    """A hub's install names an exchange that is there: fetch and submit stay; formgrader stays off."""
    system, exchange, workspace = tmp_path / "etc-jupyter", tmp_path / "exchange", tmp_path / "ws"
    system.mkdir()
    (system / "nbgrader_config.py").write_text(f"c = get_config()\nc.Exchange.root = {str(exchange)!r}\n")
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(system))
    assert not in_a_class(workspace)
    exchange.mkdir()
    assert in_a_class(workspace)
    folder = write_learner_config(workspace, in_class=True)
    disabled = json.loads((folder / "labconfig" / "page_config.json").read_text())["disabledExtensions"]
    assert "@jupyter/nbgrader:assignment-list" not in disabled and "@jupyter/nbgrader:formgrader" in disabled
    extensions = json.loads((folder / "jupyter_server_config.json").read_text())["ServerApp"]["jpserver_extensions"]
    assert "nbgrader.server_extensions.assignment_list" not in extensions
    # The workspace's own nbgrader_config.py wins over the system's, as it does for nbgrader.
    (workspace / "nbgrader_config.py").write_text(f"c.Exchange.root = {str(tmp_path / 'elsewhere')!r}\n")
    assert not in_a_class(workspace)
