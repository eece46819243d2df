"""The learner workspace: student versions of the workbooks (made by nbgrader) and the lessons.

Learners work in the workspace, never in the course's source folders, so that they cannot see the
solutions and cannot leave answers where nbgrader would release them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

LESSONS, WORKBOOKS = "course", "workbooks"
START_PAGE = Path(LESSONS) / "00-start-here.ipynb"
_NOT_COPIED = shutil.ignore_patterns(".hitpm", ".ipynb_checkpoints", "__pycache__", ".hitpm-source")


class WorkspaceError(RuntimeError):
    pass


def find_course_root(start: Path | None = None) -> Path:
    """The course root: the folder with nbgrader_config.py and workbooks/, from `start` or the kit."""
    candidates = [start] if start is not None else [Path.cwd(), Path(__file__).resolve().parent.parent]
    for candidate in candidates:
        for folder in (candidate, *candidate.parents):
            if (folder / "nbgrader_config.py").is_file() and (folder / WORKBOOKS).is_dir():
                return folder
    raise WorkspaceError(
        "no hitpm course found: run this inside a clone of the kit (a folder with nbgrader_config.py "
        "and workbooks/), or pass --course PATH"
    )


def assignments(course_root: Path) -> list[str]:
    folder = course_root / WORKBOOKS
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def environment_with_kit_on_path() -> dict[str, str]:
    """nbgrader runs tools (alembic) by name: they must be found beside this Python, venv or not."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def student_version(course_root: Path, assignment: str, destination: Path) -> None:
    """Make the student version of one assignment with stock `nbgrader generate_assignment`.

    It runs in a scratch course so that the instructor's gradebook and release/ stay untouched.
    """
    with tempfile.TemporaryDirectory(prefix="hitpm-release-") as scratch:
        scratch = Path(scratch)
        shutil.copy(course_root / "nbgrader_config.py", scratch)
        shutil.copytree(course_root / WORKBOOKS / assignment, scratch / WORKBOOKS / assignment, ignore=_NOT_COPIED)
        result = subprocess.run(
            [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
             f"--CourseDirectory.root={scratch}", f"--CourseDirectory.db_url=sqlite:///{scratch / 'gradebook.db'}"],
            cwd=scratch, capture_output=True, text=True, env=environment_with_kit_on_path(),
        )
        released = scratch / "release" / assignment
        if result.returncode != 0 or not released.is_dir():
            raise WorkspaceError(
                f"nbgrader could not make the student version of {assignment}:\n{result.stderr[-3000:]}"
            )
        shutil.copytree(released, destination, ignore=_NOT_COPIED)


def build_workspace(course_root: Path, workspace: Path, log=print) -> list[str]:
    """Add what the workspace lacks; never overwrite a learner's file. Returns what was added."""
    added = []
    lessons = course_root / LESSONS
    for source in sorted(lessons.rglob("*")):
        relative = source.relative_to(course_root)
        if source.is_dir() or any(part in (".hitpm", ".ipynb_checkpoints", "__pycache__") for part in relative.parts):
            continue
        target = workspace / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
            added.append(str(relative))
    for assignment in assignments(course_root):
        target = workspace / WORKBOOKS / assignment
        if target.exists():
            continue
        log(f"hitpm: making the student version of {assignment} ...")
        target.parent.mkdir(parents=True, exist_ok=True)
        student_version(course_root, assignment, target)
        added.append(f"{WORKBOOKS}/{assignment}")
    return added
