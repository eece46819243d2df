"""deploy/ on a fresh Debian or Ubuntu machine: what prerequisites.sh installs, with the distribution's Node.js or
NodeSource's (whose nodejs carries npm and conflicts with the distribution's npm), and where the hub listens.

The system's commands are stand-ins on a PATH of their own: apt-get and npm record what they were asked to
install, and `dpkg-query` answers as the machine's nodejs package would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

from ..conftest import REPO

DEPLOY = REPO / "deploy"
#: Real commands the script may use; everything else on its PATH is a stand-in.
REAL = ["bash", "grep", "id", "true"]
RECORD = '#!/bin/bash\necho "{name} $*" >> "{log}"\n'
#: apt-get records its call and installs what it is asked: nodejs brings `node`, npm brings `npm`.
APT_GET = RECORD + ('for p in "$@"; do case "$p" in nodejs) {ln} -sf true "{bin}/node" ;;'
                    ' npm) {ln} -sf npm-recorder "{bin}/npm" ;; esac; done\n')
DPKG_QUERY = '#!/bin/bash\n[ -n "{version}" ] && echo "{version}" || exit 1\n'


def machine(tmp_path: Path, *, present: list[str], nodejs_version: str = "") -> tuple[Path, Path]:
    """A PATH with the real shell tools, the stand-ins, and `present` (node, npm, configurable-http-proxy)."""
    bin_, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_.mkdir()
    for name in REAL:
        (bin_ / name).symlink_to(shutil.which(name))
    scripts = {"apt-get": APT_GET, "npm-recorder": RECORD.replace("{name}", "npm"), "dpkg-query": DPKG_QUERY}
    for name, text in scripts.items():
        (bin_ / name).write_text(text.format(log=log, bin=bin_, version=nodejs_version, ln=shutil.which("ln"),
                                             name=name))
        (bin_ / name).chmod(0o755)
    for name in present:
        (bin_ / name).symlink_to("npm-recorder" if name == "npm" else "true")
    return bin_, log


def prerequisites(bin_: Path, log: Path) -> tuple[subprocess.CompletedProcess, list[str]]:
    result = subprocess.run([str(bin_ / "bash"), str(DEPLOY / "prerequisites.sh")], env={"PATH": str(bin_)},
                            capture_output=True, text=True, timeout=60)
    return result, log.read_text().splitlines() if log.exists() else []


@pytest.mark.skipif(os.geteuid() != 0, reason="prerequisites.sh refuses to run as anyone but root")
@pytest.mark.parametrize(("present", "version", "installed"), [
    ([], "", "python3-venv git nodejs npm"),  # a fresh Debian 12 or Ubuntu
    (["node", "npm"], "20.11.1-1nodesource1", "python3-venv git"),  # NodeSource's Node.js, npm inside it
    (["node"], "18.19.0+dfsg-6~deb12u2", "python3-venv git npm"),  # Debian's nodejs alone
    (["node", "npm", "configurable-http-proxy"], "20.11.1-1nodesource1", "python3-venv git"),
])
def test_prerequisites_install_what_is_missing_and_never_npm_beside_nodesource(tmp_path, present, version, installed):
    bin_, log = machine(tmp_path, present=present, nodejs_version=version)
    result, calls = prerequisites(bin_, log)
    assert result.returncode == 0, result.stderr
    assert calls[0] == f"apt-get install -y {installed}"
    proxy = [] if "configurable-http-proxy" in present else ["npm install -g configurable-http-proxy"]
    assert calls[1:] == proxy
    assert result.stdout.strip().endswith("done; next: bash deploy/install.sh")


@pytest.mark.skipif(os.geteuid() != 0, reason="prerequisites.sh refuses to run as anyone but root")
def test_nodesource_without_its_npm_is_an_error_not_a_conflicting_install(tmp_path):
    bin_, log = machine(tmp_path, present=["node"], nodejs_version="20.11.1-1nodesource1")
    result, calls = prerequisites(bin_, log)
    assert result.returncode == 1 and calls == []
    assert "NodeSource's nodejs is installed but npm" in result.stderr


def test_the_hub_listens_on_this_machine_only_until_told_otherwise():
    config = Config()
    namespace = {"get_config": lambda: config, "__file__": str(DEPLOY / "jupyterhub_config.py")}
    exec(compile((DEPLOY / "jupyterhub_config.py").read_text(), "jupyterhub_config.py", "exec"), namespace)
    assert config.JupyterHub.bind_url == "http://127.0.0.1:8000"


def test_stock_nbgrader_in_a_copy_of_the_course_works_on_the_copy_not_the_course_in_the_users_settings(tmp_path):
    copy, course, home = tmp_path / "copy", tmp_path / "hitpm-course", tmp_path / "home"
    (copy / "workbooks").mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", copy)
    course.mkdir()
    (home / ".jupyter").mkdir(parents=True)
    # What deploy/setup-instructor.sh writes for the instructor's own course.
    (home / ".jupyter" / "nbgrader_config.py").write_text(f"c = get_config()\nc.CourseDirectory.root = '{course}'\n")
    env = {**os.environ, "HOME": str(home), "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    env.pop("JUPYTER_CONFIG_DIR", None)
    result = subprocess.run([sys.executable, "-m", "nbgrader", "db", "student", "add", "jchen"], cwd=copy, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert (copy / "gradebook.db").is_file() and not (course / "gradebook.db").exists()
