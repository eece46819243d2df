"""The course as nbgrader sees it: its configuration, folders, gradebook address and submissions.

The configuration is read the way the stock nbgrader commands read it (nbgrader_config.py in
Jupyter's config folders, the working folder and the course root), so that `hitpm grade` and
`nbgrader autograde` grade with the same settings: timeouts, db_url, ignore patterns.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry


class CourseError(RuntimeError):
    """The course cannot be graded as asked; the message says what to change."""


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
        return list(self.coursedir.ignore)

    def sqlite_file(self) -> Path | None:
        prefix = "sqlite:///"
        return Path(self.db_url[len(prefix):]) if self.db_url.startswith(prefix) else None

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
