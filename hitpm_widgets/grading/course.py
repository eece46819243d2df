"""The course as nbgrader sees it: its configuration, folders, gradebook address and submissions.

The configuration is read the way the stock nbgrader commands read it (nbgrader_config.py in
Jupyter's config folders, the working folder and the course root), so that `hitpm grade` and
`nbgrader autograde` grade with the same settings: timeouts, db_url, ignore patterns.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry

from .answer_key import KEY_FILE


class CourseError(RuntimeError):
    """The course cannot be graded as asked; the message says what to change."""


#: The PostgreSQL advisory lock that `hitpm grade` and `hitpm feedback` take on a gradebook's database: a
#: fixed number, as advisory locks are per database and the database is the gradebook.
GRADEBOOK_LOCK_KEY = int.from_bytes(hashlib.sha256(b"hitpm gradebook").digest()[:8], "big", signed=True)


@dataclass
class Submission:
    student: str
    folder: Path
    timestamp: datetime | None
    #: Why the timestamp could not be used, if it could not.
    timestamp_problem: str | None = None


class GradingCourse:
    """One assignment of one nbgrader course, ready to be graded."""

    def __init__(self, root: Path, assignment: str, log: logging.Logger) -> None:
        from nbgrader.apps.baseapp import NbGrader

        self.root = root.resolve()
        self.assignment = assignment
        previous = Path.cwd()
        os.chdir(self.root)  # nbgrader reads nbgrader_config.py from the working folder too
        try:
            app = NbGrader()
            app.log = log
            app.initialize([], root=str(self.root))
        finally:
            os.chdir(previous)
        self.app = app
        self.config = app.config
        self.coursedir = app.coursedir
        self.coursedir.assignment_id = assignment
        self.db_url = self.coursedir.db_url
        self.source = Path(self.coursedir.format_path(self.coursedir.source_directory, ".", assignment))
        if not self.source.is_dir():
            raise CourseError(
                f"there is no assignment {assignment!r}: no folder {self.source}. Assignments here: "
                f"{', '.join(self.source_assignments()) or 'none'}"
            )

    def source_assignments(self) -> list[str]:
        folder = self.source.parent
        return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []

    # -- folders -------------------------------------------------------------------------------

    def folder(self, step: str, student: str) -> Path:
        """The folder of `student`'s work at an nbgrader step: submitted, autograded, feedback."""
        directory = {
            "submitted": self.coursedir.submitted_directory,
            "autograded": self.coursedir.autograded_directory,
            "feedback": self.coursedir.feedback_directory,
        }[step]
        return Path(self.coursedir.format_path(directory, student, self.assignment))

    @property
    def ignore(self) -> list[str]:
        # The answer key is never a submission's file nor one the learner's kernel gets, whatever the config says.
        return [*self.coursedir.ignore, *([KEY_FILE] if KEY_FILE not in self.coursedir.ignore else [])]

    def sqlite_file(self) -> Path | None:
        prefix = "sqlite:///"
        return Path(self.db_url[len(prefix):]) if self.db_url.startswith(prefix) else None

    def hold_gradebook(self, command: str):
        """Hold this gradebook for `command` until the returned lock is closed or the process ends; CourseError,
        without waiting, while another `hitpm grade` or `hitpm feedback` holds it.

        The lock belongs to the gradebook, not to where a run writes its report: two runs with different
        --output would otherwise grade into one gradebook at once. Beside an SQLite file it is a file lock; in
        PostgreSQL an advisory lock of the session; for any other database, a file lock in the course root.
        """
        from sqlalchemy.engine import make_url

        busy = "another `hitpm grade` or `hitpm feedback` is using this course's gradebook"
        url = make_url(self.db_url)
        if url.get_backend_name() == "postgresql":
            return _advisory_lock(self.db_url, f"{busy} ({url.render_as_string(hide_password=True)}); wait for it "
                                  f"to end, then run {command} again")
        database = self.sqlite_file()
        path = (database.resolve().parent / f"{database.name}.hitpm-lock" if database is not None
                else self.root / ".hitpm-gradebook.lock")
        return _file_lock(path, f"{busy} (it holds {path}); wait for it to end, then run {command} again")

    def secrets(self, outputs: list[Path]) -> list[str]:
        """What student code must not read: solutions, everyone's work and grades, the db settings."""
        coursedir = self.coursedir
        paths = [self.source.parent, self.root / "nbgrader_config.py", *outputs]
        for step in (coursedir.submitted_directory, coursedir.autograded_directory, coursedir.feedback_directory):
            paths.append(Path(coursedir.format_path(step, ".", ".")).resolve())
        database = self.sqlite_file()
        if database is not None:
            paths.extend(database.parent / f"{database.name}{suffix}" for suffix in ("", "-journal", "-wal"))
        unique = []
        for path in paths:
            path = str(Path(path).resolve())
            if path not in unique and os.path.exists(path):
                unique.append(path)
        return unique

    # -- submissions ---------------------------------------------------------------------------

    def submissions(self, students: list[str] | None = None) -> list[Submission]:
        found = {}
        submitted = Path(self.coursedir.format_path(self.coursedir.submitted_directory, ".", ".")).resolve()
        if submitted.is_dir():
            for student_folder in sorted(submitted.iterdir()):
                folder = student_folder / self.assignment
                if folder.is_dir():
                    found[student_folder.name] = folder
        if students:
            missing = [s for s in students if s not in found]
            if missing:
                raise CourseError(
                    f"no submission of {self.assignment} from {', '.join(missing)}: looked in "
                    f"{submitted}/<student>/{self.assignment}/"
                )
            found = {s: found[s] for s in students}
        excluded = set(filter(None, self.coursedir.student_id_exclude.split(",")))
        result = []
        for student, folder in found.items():
            if student in excluded:
                continue
            timestamp, problem = self._timestamp(folder)
            result.append(Submission(student, folder, timestamp, problem))
        return result

    def _timestamp(self, folder: Path) -> tuple[datetime | None, str | None]:
        try:
            return self.coursedir.get_existing_timestamp(str(folder)), None
        except (SystemExit, ValueError, OverflowError):
            # nbgrader would stop the whole run here; one bad timestamp.txt is one submission's problem.
            text = (folder / "timestamp.txt").read_text(errors="replace")[:60]
            return None, f"timestamp.txt holds no date nbgrader can read: {text!r}"

    def graded(self, submission: Submission, gradebook: Gradebook) -> bool:
        """Already graded by us or by `nbgrader autograde` (its own rule), and in the gradebook."""
        dest = self.folder("autograded", submission.student)
        if not dest.is_dir():
            return False
        old, _ = self._timestamp(dest)
        if submission.timestamp is not None and old is not None and submission.timestamp > old:
            return False  # submitted again since it was graded
        try:
            gradebook.find_submission(self.assignment, submission.student)
        except MissingEntry:
            return False
        return True

    def notebook_names(self, gradebook: Gradebook) -> list[str]:
        try:
            assignment = gradebook.find_assignment(self.assignment)
        except MissingEntry:
            raise CourseError(
                f"{self.assignment} is not in the gradebook ({self.db_url}): run "
                f"`nbgrader generate_assignment {self.assignment}` first"
            ) from None
        names = sorted(notebook.name for notebook in assignment.notebooks)
        if not names:
            raise CourseError(f"{self.assignment} has no notebooks in the gradebook: run nbgrader generate_assignment")
        return names


def _file_lock(path: Path, busy: str):
    import fcntl

    handle = open(path, "a")  # noqa: SIM115 - held until the run ends; the system drops it if the process dies
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise CourseError(busy) from None
    return handle


def _advisory_lock(db_url: str, busy: str):
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    # NullPool: closing the connection ends the session, and with it the lock, as a killed process's does.
    connection = create_engine(db_url, poolclass=NullPool).connect()
    try:
        held = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": GRADEBOOK_LOCK_KEY}).scalar()
        connection.commit()  # the lock is the session's: it outlives the transaction, which must not stay open
    except BaseException:
        connection.close()
        raise
    if not held:
        connection.close()
        raise CourseError(busy)
    return connection
