"""The learner package, built once a test session: a wheel from a clean copy of the repository, installed in a
fresh venv (tests/packaging/test_learner_package.py and test_no_tool_gives_an_answer.py both use it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import REPO

#: What a clean checkout does not have: at its top, an instructor's or a learner's trial run; anywhere, caches.
TOP_NOT_COPIED = {".venv", ".git", "workspace", "build", "dist", "release", "submitted", "autograded", "feedback",
                  "grading", "gradebook.db", "gradebook.db-journal"}
NOT_COPIED = shutil.ignore_patterns("*.egg-info", "__pycache__", ".hitpm", ".ipynb_checkpoints", ".pytest_cache",
                                    ".ruff_cache")


def not_copied(folder: str, names: list[str]) -> set[str]:
    return set(NOT_COPIED(folder, names)) | (TOP_NOT_COPIED & set(names) if Path(folder) == REPO else set())


@pytest.fixture(scope="session")
def wheel(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("wheel")
    shutil.copytree(REPO, base / "src", ignore=not_copied)
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                             "-w", str(base / "dist"), str(base / "src")], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    (built,) = (base / "dist").glob("hitpm-*.whl")
    return built


@pytest.fixture(scope="session")
def learner(wheel, tmp_path_factory) -> dict:
    """A fresh venv with the wheel installed, and an environment with no course anywhere in reach."""
    base = tmp_path_factory.mktemp("learner")
    subprocess.run([sys.executable, "-m", "venv", str(base / "venv")], check=True)
    install = subprocess.run([str(base / "venv" / "bin" / "python"), "-m", "pip", "install", "-q", "--no-compile",
                              "--disable-pip-version-check", str(wheel)], capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-3000:]
    home = base / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items()
           if key not in ("VIRTUAL_ENV", "PYTHONPATH", "JUPYTER_CONFIG_DIR", "JUPYTER_PATH", "JUPYTER_CONFIG_PATH")}
    env.update(HOME=str(home), PATH=f"{base / 'venv' / 'bin'}{os.pathsep}/usr/bin:/bin",
               JUPYTER_RUNTIME_DIR=str(home / "runtime"))
    return {"hitpm": str(base / "venv" / "bin" / "hitpm"), "python": str(base / "venv" / "bin" / "python"),
            "home": home, "env": env}


