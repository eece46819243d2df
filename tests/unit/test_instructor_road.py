"""What the README tells an instructor, done as written by someone new: the nbgrader commands, formgrader,
and the folders of real learners' grades kept out of git and removed by `make clean-course`."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from ..conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def shell_without_the_venv(home: Path) -> dict[str, str]:
    """A new terminal: the venv not activated, so not on PATH."""
    venv_bin = str(Path(sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p and p != venv_bin)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "HITPM_ANSWERS_DIR", "NBGRADER_EXECUTION")}
    env.update(PATH=path or "/usr/bin:/bin", HOME=str(home), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    return env


def course_copy(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "workbooks", root / "workbooks", ignore=shutil.ignore_patterns(".hitpm", ".ipynb_*"))
    # The README's commands start `.venv/bin/`: the course copy's .venv is the one running these tests.
    (root / ".venv").symlink_to(Path(sys.prefix))
    return root


def test_the_readmes_generate_assignment_command_works_as_written_without_an_activated_venv(tmp_path):
    (command,) = re.findall(r"^(\.venv/bin/\S+ nbgrader generate_assignment ps01-emr-stakeholders)", README, re.M)
    root = course_copy(tmp_path)
    result = subprocess.run(command, shell=True, cwd=root, env=shell_without_the_venv(tmp_path),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "alembic" not in result.stderr and "Traceback" not in result.stderr
    released = root / "release" / "ps01-emr-stakeholders" / "ps01-emr-stakeholders.ipynb"
    assert released.is_file() and "BEGIN HIDDEN TESTS" not in released.read_text(encoding="utf-8")


def test_formgrader_opens_as_the_readme_says_in_the_course_root(tmp_path):
    """`. .venv/bin/activate && jupyter lab` in the course root: formgrader is served there."""
    assert ". .venv/bin/activate && jupyter lab" in README and "Nbgrader → Formgrader" in README
    root = course_copy(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    options = f"--no-browser --port={port} --ServerApp.port_retries=0 --ServerApp.token= --ServerApp.ip=127.0.0.1"
    if os.geteuid() == 0:
        options += " --allow-root"
    server = subprocess.Popen(f". .venv/bin/activate && exec jupyter lab {options}", shell=True, cwd=root,
                              env=shell_without_the_venv(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, start_new_session=True, executable="/bin/bash")
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/formgrader/api/status", timeout=5) as reply:
                    assert reply.status == 200
                break
            except urllib.error.HTTPError as error:
                raise AssertionError(f"formgrader answered {error.code}") from None
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"JupyterLab did not start:\n{server.stdout.read()}") from None
                time.sleep(0.5)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)


def test_grades_of_real_learners_stay_out_of_git_and_clean_course_removes_them(tmp_path):
    if shutil.which("git"):
        ignored = subprocess.run(["git", "check-ignore", "-q", "grading/lms-gradebook.csv"], cwd=REPO)
        assert ignored.returncode == 0, "grading/ is not in .gitignore"
    else:
        assert "/grading/" in (REPO / ".gitignore").read_text().splitlines()
    trial = ["release/ps01", "submitted/a/ps01", "autograded/a/ps01", "feedback/a/ps01", "grading"]
    for folder in trial:
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "grading" / "lms-gradebook.csv").write_text("student_id\n")
    (tmp_path / "gradebook.db").write_text("")
    (tmp_path / "workbooks").mkdir()
    result = subprocess.run(["make", "-f", str(REPO / "Makefile"), "clean-course"], cwd=tmp_path,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["workbooks"]
