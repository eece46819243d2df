"""The one writer of nbgrader's gradebook, and the autograded folders that go with it.

Kernels only execute notebooks; this process alone writes, so nothing waits for a lock and
nothing assumes SQLite. Grades are recorded by nbgrader's own SaveAutoGrades and
AssignLatePenalties, on one shared connection, and each submission goes in as ONE transaction:
a run stopped at any moment leaves every submission either fully graded or as it was. The
autograded folder is moved into place only after the commit; a submission without it counts
as not graded (nbgrader's own rule), so running again grades exactly what is missing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbformat import NotebookNode
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.preprocessors import (
    AssignLatePenalties,
    IgnorePattern,
    LimitOutput,
    NbGraderPreprocessor,
    SaveAutoGrades,
)

from .course import GradingCourse
from .prepare import PreparedSubmission
from .sourcebook import QuickCheckCellMetadata


class _FlushInsteadOfCommit:
    """The gradebook's session, except that nbgrader's many commits only flush until we commit."""

    def __init__(self, session) -> None:
        self._session = session

    def commit(self) -> None:
        self._session.flush()

    def __getattr__(self, name):
        return getattr(self._session, name)


@contextlib.contextmanager
def one_transaction(gradebook: Gradebook):
    session = gradebook.db
    gradebook.db = _FlushInsteadOfCommit(session)
    try:
        yield gradebook
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        gradebook.db = session


class _OneNotebook:
    """The gradebook as SaveAutoGrades uses it, with one notebook's grades and comments read at once."""

    def __init__(self, gradebook: Gradebook, notebook) -> None:
        self.db = gradebook.db
        self.grades = {grade.name: grade for grade in notebook.grades}
        self.comments = {comment.name: comment for comment in notebook.comments}

    def find_grade(self, name, notebook, assignment, student):
        if name not in self.grades:
            raise MissingEntry()
        return self.grades[name]

    def find_comment(self, name, notebook, assignment, student):
        if name not in self.comments:
            raise MissingEntry()
        return self.comments[name]


class SharedSaveAutoGrades(SaveAutoGrades):
    """nbgrader's SaveAutoGrades (its scores, its manual-grade rule) on the shared connection."""

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.student_id = resources["nbgrader"]["student"]
        self.db_url = resources["nbgrader"]["db_url"]
        gradebook = resources["hitpm"]["gradebook"]
        notebook = gradebook.find_submission_notebook(self.notebook_id, self.assignment_id, self.student_id)
        self.gradebook = _OneNotebook(gradebook, notebook)
        return NbGraderPreprocessor.preprocess(self, nb, resources)


class SharedAssignLatePenalties(AssignLatePenalties):
    def preprocess(self, nb, resources):
        gradebook = resources["hitpm"]["gradebook"]
        student, assignment_id = resources["nbgrader"]["student"], resources["nbgrader"]["assignment"]
        self.init_plugin()
        assignment = gradebook.find_submission(assignment_id, student)
        notebook = gradebook.find_submission_notebook(resources["nbgrader"]["notebook"], assignment_id, student)
        notebook.late_submission_penalty = None
        if assignment.total_seconds_late > 0:
            penalty = self.plugin_inst.late_submission_penalty(student, notebook.score, assignment.total_seconds_late)
            if penalty is not None:
                notebook.late_submission_penalty = self._check_late_penalty(notebook, penalty)
        gradebook.db.commit()
        return nb, resources


class GradebookWriter:
    def __init__(self, course: GradingCourse, gradebook: Gradebook) -> None:
        self.course = course
        self.gradebook = gradebook
        parent = course.app
        # After execution, before the grades: what nbgrader's autograde runs, in its order.
        self.tidy = [IgnorePattern(parent=parent), ClearMetadataPreprocessor(parent=parent),
                     LimitOutput(parent=parent), QuickCheckCellMetadata(parent=parent)]
        self.save = [SharedSaveAutoGrades(parent=parent), SharedAssignLatePenalties(parent=parent)]
        permissions = 664 if course.coursedir.groupshared else 444
        self.permissions = int(str(course.config.get("Autograde", {}).get("permissions", permissions)), 8)

    def tidy_up(self, nb: NotebookNode, resources: dict) -> NotebookNode:
        for preprocessor in self.tidy:
            nb, resources = preprocessor(nb, resources)
        return nb

    def record(self, prepared: PreparedSubmission, graded: dict[str, NotebookNode]) -> None:
        """Write one submission's grades: all of them, or (on any error) none."""
        course, student = self.course, prepared.student
        with one_transaction(self.gradebook) as gradebook:
            gradebook.update_or_create_student(student)
            if prepared.submission.timestamp is not None:
                gradebook.update_or_create_submission(course.assignment, student,
                                                      timestamp=prepared.submission.timestamp)
            else:
                gradebook.update_or_create_submission(course.assignment, student)
            for notebook in prepared.notebooks:
                nb = graded.get(notebook.name)
                if nb is None:  # missing or unreadable: nothing to grade, as nbgrader scores a missing notebook
                    submitted = gradebook.find_submission_notebook(notebook.name, course.assignment, student)
                    for grade in submitted.grades:
                        grade.auto_score = 0
                        grade.needs_manual_grade = False
                    continue
                for preprocessor in self.save:
                    nb, _ = preprocessor(nb, notebook.resources)

    def publish(self, prepared: PreparedSubmission, graded: dict[str, NotebookNode]) -> Path:
        """Put the autograded folder in place (after the gradebook commit): files, then one rename."""
        final = self.course.folder("autograded", prepared.student)
        final.parent.mkdir(parents=True, exist_ok=True)
        prefix = f".{final.name}.hitpm-partial-"
        # What a killed run left: no other run is writing here while this one holds the gradebook.
        for leftover in final.parent.glob(f"{prefix}*"):
            _remove(leftover)
        # A name of this run's own, so that no other run's staging can ever be taken for it.
        staging = Path(tempfile.mkdtemp(prefix=prefix, dir=final.parent))
        old = staging.with_name(f"{staging.name}-old")
        shutil.copytree(prepared.folder, staging, ignore=shutil.ignore_patterns("*.ipynb"), dirs_exist_ok=True)
        for name, nb in graded.items():
            nbformat.write(nb, staging / f"{name}.ipynb")
        for dirname, _, filenames in os.walk(staging):
            for filename in filenames:
                os.chmod(os.path.join(dirname, filename), self.permissions)
        if final.exists():
            os.replace(final, old)
        os.replace(staging, final)
        if old.exists():
            _remove(old)
        return final


def _remove(folder: Path) -> None:
    for dirname, _, _ in os.walk(folder):
        os.chmod(dirname, 0o755)
    shutil.rmtree(folder)
