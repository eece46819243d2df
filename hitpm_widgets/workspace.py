"""The learner workspace: student versions of the workbooks (made by nbgrader) and the lessons.

Learners work in the workspace, never in the course's source folders, so that they cannot see the
solutions and cannot leave answers where nbgrader would release them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .student_versions import NOT_COPIED, WORKBOOKS, course_assignments

LESSONS = "course"
START_PAGE = Path(LESSONS) / "00-start-here.ipynb"
#: Where an installed wheel keeps its lessons and student versions, inside the package.
PACKAGED = "_course"
_SKIPPED = {".hitpm", ".ipynb_checkpoints", "__pycache__", ".hitpm-source"}


class WorkspaceError(RuntimeError):
    pass


#: The clone of the kit this package runs from (in an installed wheel: site-packages, no course).
KIT_ROOT = Path(__file__).resolve().parent.parent


def is_course_root(folder: Path) -> bool:
    return (folder / "nbgrader_config.py").is_file() and (folder / WORKBOOKS).is_dir()


def find_course_root(start: Path | None = None, *, kit: bool = True) -> Path:
    """The course root: the folder with nbgrader_config.py and workbooks/, at or above `start`.

    Without `start`, the working folder and then (when `kit`) the clone of the kit this package runs
    from. Grading passes kit=False: grading the kit's own course by accident would be silent.
    """
    candidates = [start] if start is not None else [Path.cwd(), *([KIT_ROOT] if kit else [])]
    for candidate in candidates:
        for folder in (candidate, *candidate.parents):
            if is_course_root(folder):
                return folder
    if start is not None:
        raise WorkspaceError(f"no hitpm course at {start}: neither it nor a folder above it has "
                             "nbgrader_config.py and workbooks/")
    raise WorkspaceError(
        "no hitpm course found: run this inside a course (a folder with nbgrader_config.py and "
        "workbooks/, e.g. a clone of the kit), or pass --course PATH"
    )


def find_nbgrader_course(start: Path | None = None) -> Path:
    """Any nbgrader course to grade: the folder with nbgrader_config.py at or above `start` (or the working
    folder), whatever its source folder is called (the configuration says: `source/` by default)."""
    for folder in (candidate := start or Path.cwd(), *candidate.parents):
        if (folder / "nbgrader_config.py").is_file():
            return folder
    if start is not None:
        raise WorkspaceError(f"no nbgrader course at {start}: neither it nor a folder above it has nbgrader_config.py")
    raise WorkspaceError("no nbgrader course found: run this inside a course (a folder with nbgrader_config.py), "
                         "or pass --course PATH")


#: Where `hitpm lab` puts the workspace of a learner with no course (an installed wheel, a hub account).
HOME_WORKSPACE = "hitpm-workspace"


def is_workspace(folder: Path) -> bool:
    """A learner workspace: the start page and workbooks/, and not a course root (whose workbooks are sources)."""
    return (folder / START_PAGE).is_file() and (folder / WORKBOOKS).is_dir() and not is_course_root(folder)


def default_workspace(course_root: Path | None) -> Path:
    """`hitpm lab`'s workspace: workspace/ in the course, or ~/hitpm-workspace with the package's course."""
    return course_root / "workspace" if course_root is not None else Path.home() / HOME_WORKSPACE


def find_workspace(start: Path | None = None) -> Path:
    """The learner workspace a learner means: the one the working folder is in, else the one `hitpm lab`
    made (workspace/ of the course around it, or ~/hitpm-workspace for an installed package)."""
    here = start or Path.cwd()
    for folder in (here, *here.parents):
        if is_workspace(folder):
            return folder
    try:
        return default_workspace(find_course_root())
    except WorkspaceError:
        if packaged_course() is None:
            raise
        return default_workspace(None)


def assignments(course_root: Path) -> list[str]:
    return course_assignments(course_root)


def environment_with_kit_on_path() -> dict[str, str]:
    """nbgrader runs tools (alembic) by name: they must be found beside this Python, venv or not."""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def student_versions(course_root: Path, names: list[str], destination: Path) -> None:
    """Make the student versions of `names` with stock nbgrader, all in one process, into `destination`.

    In a process of its own: nbgrader's logging and configuration stay out of this one.
    """
    result = subprocess.run(
        [sys.executable, "-m", "hitpm_widgets.student_versions", str(course_root), str(destination), *names],
        capture_output=True, text=True, env=environment_with_kit_on_path(),
    )
    if result.returncode != 0:
        raise WorkspaceError(result.stderr.strip()[-3000:] or "nbgrader could not make the student versions")


def packaged_course() -> Path | None:
    """The lessons and student versions an installed wheel carries (`_course/`), if this is one."""
    folder = Path(__file__).resolve().parent / PACKAGED
    return folder if (folder / START_PAGE).is_file() else None


#: What the workspace was last given of each lesson (a hash by path): a lesson still as given may be updated.
LESSONS_GIVEN = Path(".hitpm") / "lessons-given.json"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sync_lessons(source: Path, workspace: Path, relative_to: Path) -> list[str]:
    """Add the lessons the workspace lacks and update those the learner has not changed; never touch one they
    changed (ran, annotated). Returns what was added or updated."""
    record_path = workspace / LESSONS_GIVEN
    try:
        given = json.loads(record_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        given = {}  # a workspace from before this record: every lesson in it counts as the learner's
    changed = []
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(relative_to)
        if path.is_dir() or any(part in _SKIPPED for part in relative.parts):
            continue
        key, destination, new = relative.as_posix(), workspace / relative, _digest(path)
        if destination.exists():
            current = _digest(destination)
            if current == new:  # as the course has it now
                given[key] = new
                continue
            if given.get(key) != current:  # changed by the learner since it was given: theirs, kept
                continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, destination)
        given[key] = new
        changed.append(key)
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(given, indent=1, sort_keys=True), encoding="utf-8")
    return changed


def build_workspace(course_root: Path | None, workspace: Path, log=print) -> list[str]:
    """Add what the workspace lacks and update lessons the learner has not changed; never overwrite a learner's
    work. Returns what was added or updated.

    From a course (a clone of the kit) the student versions are made by nbgrader; with no course
    (`course_root` None) they are copied from those the installed package carries.
    """
    content = course_root if course_root is not None else packaged_course()
    if content is None:
        raise WorkspaceError("this installation of hitpm carries no course, and no course was found: run "
                             "this inside a clone of the kit, or pass --course PATH")
    added = sync_lessons(content / LESSONS, workspace, content)
    if course_root is not None:
        available = assignments(course_root)
    else:
        available = sorted(p.name for p in (content / WORKBOOKS).iterdir() if p.is_dir())
    missing = [name for name in available if not (workspace / WORKBOOKS / name).exists()]
    if not missing:
        return added
    (workspace / WORKBOOKS).mkdir(parents=True, exist_ok=True)
    if course_root is not None:
        log(f"hitpm: making the student version of {', '.join(missing)} with nbgrader ...")
        with tempfile.TemporaryDirectory(prefix="hitpm-student-") as made:
            student_versions(course_root, missing, Path(made))
            for name in missing:
                shutil.copytree(Path(made) / name, workspace / WORKBOOKS / name)
    else:
        for name in missing:
            shutil.copytree(content / WORKBOOKS / name, workspace / WORKBOOKS / name, ignore=NOT_COPIED)
    added += [f"{WORKBOOKS}/{name}" for name in missing]
    return added
