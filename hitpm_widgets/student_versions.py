"""Student versions of workbooks, made by stock nbgrader `generate_assignment` in one process.

Run as `python -m hitpm_widgets.student_versions COURSE_ROOT DESTINATION [ASSIGNMENT ...]` (all the
course's assignments when none is named). It works in a scratch copy of the course, so that the
instructor's gradebook and release/ stay untouched, and makes every assignment with one nbgrader
import and one gradebook: one process for all, not one each (five took about 48 s, one takes a few).
The wheel's build runs it too, so that an installed package carries the student versions.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

from .grading.answer_key import KEY_FILE

WORKBOOKS = "workbooks"
# The answer key stays behind too: nbgrader's release leaves it out, but a student version never even sees it.
NOT_COPIED = shutil.ignore_patterns(".hitpm", ".ipynb_checkpoints", "__pycache__", ".hitpm-source", KEY_FILE)


class StudentVersionError(RuntimeError):
    pass


def course_assignments(course_root: Path) -> list[str]:
    folder = course_root / WORKBOOKS
    return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def make_student_versions(course_root: Path, destination: Path, names: list[str]) -> None:
    """Each assignment's student version into `destination/<assignment>/`; nbgrader's errors raise."""
    import logging

    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.apps.baseapp import NbGrader

    course_root, destination = course_root.resolve(), destination.resolve()  # it runs in a scratch folder
    # nbgrader runs alembic by name: it must be found beside this Python, venv on PATH or not.
    os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    with tempfile.TemporaryDirectory(prefix="hitpm-release-") as scratch:
        scratch = Path(scratch)
        shutil.copy(course_root / "nbgrader_config.py", scratch)
        for name in names:
            shutil.copytree(course_root / WORKBOOKS / name, scratch / WORKBOOKS / name, ignore=NOT_COPIED)
        previous = Path.cwd()
        os.chdir(scratch)  # nbgrader reads nbgrader_config.py from the working folder
        try:
            app = NbGrader()
            app.log = logging.getLogger("hitpm.student_versions")
            app.initialize([], root=str(scratch))
            app.coursedir.root = str(scratch)
            app.coursedir.db_url = f"sqlite:///{scratch / 'gradebook.db'}"
            api = NbGraderAPI(coursedir=app.coursedir, parent=app)
            for name in names:
                result = api.generate_assignment(name, force=True)
                released = scratch / "release" / name
                if not result.get("success") or not released.is_dir():
                    raise StudentVersionError(f"nbgrader could not make the student version of {name}:\n"
                                              f"{(result.get('error') or result.get('log') or '')[-3000:]}")
                shutil.copytree(released, destination / name, ignore=NOT_COPIED, dirs_exist_ok=True)
        finally:
            os.chdir(previous)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) < 2:
        print("usage: python -m hitpm_widgets.student_versions COURSE_ROOT DESTINATION [ASSIGNMENT ...]",
              file=sys.stderr)
        return 2
    course_root, destination = Path(argv[0]), Path(argv[1])
    names = argv[2:] or course_assignments(course_root)
    try:
        make_student_versions(course_root, destination, names)
    except StudentVersionError as error:
        print(error, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
