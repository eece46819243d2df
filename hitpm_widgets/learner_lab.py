"""The learner's JupyterLab: nbgrader's assignment list without the instructor's tools, on a port asked for.

nbgrader installs its JupyterLab and server extensions for everyone, formgrader included. A learner's
`hitpm lab` turns the instructor's ones off with a Jupyter config folder of its own, added to the
search path (JUPYTER_CONFIG_PATH) rather than replacing the learner's own settings, and never with
`jupyter labextension disable`, which would turn them off for the instructor too.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import sys
from dataclasses import dataclass
from pathlib import Path

#: nbgrader's JupyterLab plugins that are instructors' tools.
INSTRUCTOR_PLUGINS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list"]
#: nbgrader's server extensions that serve instructors only.
INSTRUCTOR_SERVER_EXTENSIONS = ["nbgrader.server_extensions.formgrader", "nbgrader.server_extensions.course_list"]
CONFIG_FOLDER = Path(".hitpm") / "jupyter-config"
#: JupyterLab's own first port and how many after it it tries when the port was not asked for.
DEFAULT_PORT, PORTS_TRIED = 8888, 50

LEARNER_NBGRADER_CONFIG = '''\
"""nbgrader for a learner of hitpm: written by `hitpm lab` (nbgrader warns when it finds none).

In a class, your instructor's settings (the exchange, the course id) come from the system's
Jupyter configuration, which this file leaves as it is.
"""

c = get_config()  # noqa: F821 (nbgrader provides get_config)
'''


class LabError(RuntimeError):
    pass


def write_learner_config(workspace: Path) -> Path:
    """The config folder (made again each time) that hides the instructor's tools; returns it."""
    folder = workspace / CONFIG_FOLDER
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {plugin: True for plugin in INSTRUCTOR_PLUGINS}}, indent=1))
    (folder / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {name: False for name in INSTRUCTOR_SERVER_EXTENSIONS}}}, indent=1))
    (folder / "nbgrader_config.py").write_text(LEARNER_NBGRADER_CONFIG)
    return folder


def learner_environment(config_folder: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, [str(config_folder), env.get("JUPYTER_CONFIG_PATH")]))
    return env


def port_is_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def choose_port(asked: int | None) -> int:
    """The port asked for, which must be free; otherwise JupyterLab's first free one from 8888."""
    if asked is not None:
        if not port_is_free(asked):
            raise LabError(f"port {asked} is in use (another JupyterLab?): stop what uses it, or pass "
                           "another --port")
        return asked
    for port in range(DEFAULT_PORT, DEFAULT_PORT + PORTS_TRIED):
        if port_is_free(port):
            return port
    raise LabError(f"ports {DEFAULT_PORT} to {DEFAULT_PORT + PORTS_TRIED - 1} are all in use: pass --port N")


def _option(args: list[str], *names: str) -> str | None:
    """The value of a `--Class.trait=value` option among JupyterLab's extra arguments, if given."""
    for arg in args:
        for name in names:
            if arg.startswith(f"--{name}="):
                return arg.split("=", 1)[1]
    return None


@dataclass
class LabCommand:
    command: list[str]
    env: dict[str, str]
    #: The start page's address, with the token: printed when no browser opens.
    url: str


def lab_command(workspace: Path, start_page: Path, *, port: int | None, no_browser: bool,
                extra: list[str]) -> LabCommand:
    config = write_learner_config(workspace)
    port = choose_port(port)
    command = [sys.executable, "-m", "jupyterlab", str(start_page), f"--ServerApp.root_dir={workspace}",
               f"--port={port}", "--ServerApp.port_retries=0"]
    token = _option(extra, "IdentityProvider.token", "ServerApp.token")
    if token is None:
        token = secrets.token_hex(24)
        command.append(f"--IdentityProvider.token={token}")
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    command.extend(extra)
    base_url = (_option(extra, "ServerApp.base_url") or "/").strip("/")
    path = "/".join(filter(None, [base_url, "lab", "tree", start_page.as_posix()]))
    url = f"http://localhost:{port}/{path}" + (f"?token={token}" if token else "")
    return LabCommand(command, learner_environment(config), url)
