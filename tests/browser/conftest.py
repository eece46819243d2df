"""A real JupyterLab (started by `hitpm lab`) and Debian's Chromium driven by Playwright.

One server for the whole session and the suite's one browser (tests/conftest.py; each module opens its own
page). A browser that cannot start is an error, never a skip: these tests are the only ones that see what a
learner sees.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from hitpm_widgets.workspace import WORKBOOKS, assignments

from ..conftest import REPO

#: Set to a folder to also copy the screenshots there (e.g. docs/screenshots when updating the README).
SCREENSHOTS_ENV = "HITPM_SCREENSHOTS_DIR"
_screenshots: list[Path] = []
#: The workbooks these tests open. `hitpm lab` makes the student version of every workbook of the
#: course (nbgrader, some seconds each); the others get an empty folder, which it leaves alone.
NEEDED = {"ps01-emr-stakeholders"}


@dataclass
class Lab:
    url: str
    workspace: Path
    home: Path
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _quiet_settings(home: Path) -> None:
    """No news or update pop-ups: they cover the notebook."""
    settings = home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))


def _stop(server: subprocess.Popen) -> None:
    # hitpm lab runs JupyterLab as its child: stop the whole process group this fixture started.
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """`hitpm lab` on a fresh learner workspace, token-less on a free loopback port."""
    base = tmp_path_factory.mktemp("lab")
    home, workspace, log = base / "home", base / "workspace", base / "jupyterlab.log"
    _quiet_settings(home)
    for assignment in set(assignments(REPO)) - NEEDED:
        (workspace / WORKBOOKS / assignment).mkdir(parents=True)
    port = free_port()
    # The learner's environment: answers beside the notebook, not in a test folder; not grading.
    env = {key: value for key, value in os.environ.items()
           if key not in ("HITPM_ANSWERS_DIR", "NBGRADER_EXECUTION")}
    env.update(HOME=str(home), JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    command = [sys.executable, "-m", "hitpm_widgets.cli", "lab", "--no-browser", "--port", str(port),
               "--workspace", str(workspace), "--course", str(REPO), "--ServerApp.token=",
               "--ServerApp.ip=127.0.0.1", "--LabApp.news_url=None", "--LabApp.expose_app_in_browser=True"]
    with log.open("w") as output:
        server = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        deadline = time.monotonic() + 150
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status", timeout=5):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"JupyterLab did not start:\n{log.read_text()[-3000:]}") from None
                time.sleep(0.5)
        yield Lab(f"http://127.0.0.1:{port}", workspace, home, log)
    finally:
        _stop(server)


@pytest.fixture(scope="module")
def page(browser):
    context = browser.new_context(viewport={"width": 1500, "height": 1100})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture(scope="module")
def screenshot(tmp_path_factory):
    """save(locator, name): a PNG of one element, kept as a test artifact and listed at the end."""
    folder = tmp_path_factory.mktemp("screenshots")

    def save(locator, name: str) -> Path:
        path = folder / f"{name}.png"
        locator.screenshot(path=str(path), animations="disabled")
        _screenshots.append(path)
        print(f"screenshot: {path}")
        if os.environ.get(SCREENSHOTS_ENV):
            target = Path(os.environ[SCREENSHOTS_ENV])
            target.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, target / path.name)
        return path

    return save


def pytest_terminal_summary(terminalreporter):
    if _screenshots:
        terminalreporter.write_sep("-", "browser screenshots")
        for path in _screenshots:
            terminalreporter.write_line(str(path))
