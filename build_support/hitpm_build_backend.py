"""The wheel's build: setuptools, plus the lessons and the student versions of the workbooks.

A learner installs the wheel, never the course's sources: it carries the lessons and each workbook's
student version, made here by stock nbgrader (which is why a wheel build needs nbgrader; an editable
install, for authors, does not), and never `workbooks/` itself, hidden tests or teaching notes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import build_meta as _setuptools
from setuptools.build_meta import *  # noqa: F403 - the rest of the backend is setuptools' own
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent.parent
#: In the package: hitpm_widgets/_course/{course,workbooks}, laid out as a learner's workspace.
PACKAGED = Path("hitpm_widgets") / "_course"
SKIPPED = shutil.ignore_patterns(".*", "__pycache__")


def get_requires_for_build_wheel(config_settings=None):
    return [*_setuptools.get_requires_for_build_wheel(config_settings), "nbgrader>=0.9.2"]


class BuildPyWithCourse(build_py):
    """setuptools' build_py, then the learner's course beside the package (not for an editable install)."""

    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib).resolve() / PACKAGED
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(ROOT / "course", target / "course", ignore=SKIPPED)
        if not (ROOT / "workbooks").is_dir():
            # An sdist holds no workbooks (their sources have the solutions): lessons only.
            self.announce("no workbooks/ here: the wheel carries the lessons without workbooks", level=3)
            return
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        result = subprocess.run([sys.executable, "-m", "hitpm_widgets.student_versions", str(ROOT),
                                 str(target / "workbooks")], env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"the student versions of the workbooks could not be made:\n{result.stderr}")
