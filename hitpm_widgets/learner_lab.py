"""The learner's JupyterLab: nbgrader's assignment list without the instructor's tools, on a port asked for.

nbgrader installs its JupyterLab and server extensions for everyone, formgrader included. A learner's
`hitpm lab` turns the instructor's ones off with a Jupyter config folder of its own, added to the
search path (JUPYTER_CONFIG_PATH) rather than replacing the learner's own settings, and never with
`jupyter labextension disable`, which would turn them off for the instructor too.

Outside a class (no nbgrader exchange where nbgrader's settings say it is) it turns the assignment
list off as well: it could only show "Error fetching courses!" and "exchange directory does not exist".
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
#: What is only of use in a class: the assignment list (fetch, submit, feedback) and the Nbgrader menu that opens
#: it. The notebook toolbar's Validate stays: it needs no exchange.
CLASS_PLUGINS = ["@jupyter/nbgrader:assignment-list", "@jupyter/nbgrader:menu"]
CLASS_SERVER_EXTENSIONS = ["nbgrader.server_extensions.assignment_list"]
#: The toolbar's Validate: hitpm's (failures read as `hitpm check`'s), in place of nbgrader's (tracebacks).
VALIDATE_EXTENSIONS = {"nbgrader.server_extensions.validate_assignment": False,
                       "hitpm_widgets.validate_extension": True}
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


def exchange_root(workspace: Path) -> Path:
    """Where nbgrader, as this learner's JupyterLab will run it, looks for the class's exchange: `Exchange.root`
    of the nbgrader_config.py files on Jupyter's config path and in the workspace, else nbgrader's default."""
    from jupyter_core.paths import jupyter_config_path
    from nbgrader.exchange.default.exchange import Exchange
    from traitlets.config.loader import ConfigFileNotFound, PyFileConfigLoader

    root = Exchange.class_traits()["root"].default_value
    for folder in [*reversed(jupyter_config_path()), str(workspace)]:  # the least important first, as nbgrader
        try:
            config = PyFileConfigLoader("nbgrader_config.py", path=folder).load_config()
        except ConfigFileNotFound:
            continue
        if "Exchange" in config and "root" in config.Exchange:
            root = config.Exchange.root
    return Path(root)


def in_a_class(workspace: Path) -> bool:
    """Whether the learner is in a class: the exchange nbgrader would use is there (a hub's install made it)."""
    return exchange_root(workspace).is_dir()


def write_learner_config(workspace: Path, *, in_class: bool) -> Path:
    """The config folder (made again each time) that hides the instructor's tools, and outside a class the
    assignment list; returns it."""
    plugins = INSTRUCTOR_PLUGINS + ([] if in_class else CLASS_PLUGINS)
    extensions = INSTRUCTOR_SERVER_EXTENSIONS + ([] if in_class else CLASS_SERVER_EXTENSIONS)
    folder = workspace / CONFIG_FOLDER
    (folder / "labconfig").mkdir(parents=True, exist_ok=True)
    (folder / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {plugin: True for plugin in plugins}}, indent=1))
    (folder / "jupyter_server_config.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {**{name: False for name in extensions}, **VALIDATE_EXTENSIONS}}},
        indent=1))
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
    #: Whether the assignment list is on: an exchange was found.
    in_class: bool


def lab_command(workspace: Path, start_page: Path, *, port: int | None, no_browser: bool,
                extra: list[str]) -> LabCommand:
    in_class = in_a_class(workspace)
    config = write_learner_config(workspace, in_class=in_class)
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
    return LabCommand(command, learner_environment(config), url, in_class)
