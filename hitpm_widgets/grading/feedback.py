"""nbgrader's feedback for each graded submission, made by nbgrader's own GenerateFeedback.

It renders one HTML page per notebook (about half a second each), so the students are shared out
over worker processes; they only read the gradebook.
"""

from __future__ import annotations

import io
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .course import GradingCourse

_course: GradingCourse | None = None


def _init(course: GradingCourse) -> None:
    global _course
    _course = course


def _feedback_for(students: list[str]) -> dict[str, str | None]:
    """In a worker process: feedback for some students; each student's error, if any."""
    from nbgrader.apps.api import NbGraderAPI

    assert _course is not None
    log = logging.getLogger("hitpm.grade.feedback")
    log.addHandler(logging.StreamHandler(io.StringIO()))
    log.propagate = False
    api = NbGraderAPI(coursedir=_course.coursedir, parent=_course.app)
    api.log = log
    problems = {}
    for student in students:
        result = api.generate_feedback(_course.assignment, student, force=True)
        problems[student] = None if result.get("success") else (result.get("error") or "failed")[-500:]
    return problems


def generate_feedback(course: GradingCourse, students: list[str], workers: int) -> dict[str, str | None]:
    """Feedback for `students`; returns each one's problem (None when it worked)."""
    if not students:
        return {}
    workers = max(1, min(workers, len(students)))
    chunks = [students[i::workers] for i in range(workers)]
    if workers == 1:
        _init(course)
        return _feedback_for(students)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init, initargs=(course,)) as pool:
        problems: dict[str, str | None] = {}
        for part in pool.map(_feedback_for, chunks):
            problems.update(part)
    return problems


def needing_feedback(course: GradingCourse, graded_now: list[str]) -> list[str]:
    """Those graded in this run, and any graded earlier whose feedback is missing (a submission without
    a notebook to grade has nothing to give feedback on)."""
    wanted = {student for student in graded_now if any(course.folder("autograded", student).glob("*.ipynb"))}
    autograded = Path(course.coursedir.format_path(course.coursedir.autograded_directory, ".", ".")).resolve()
    if autograded.is_dir():
        for folder in autograded.iterdir():
            graded = any((folder / course.assignment).glob("*.ipynb"))
            if graded and not course.folder("feedback", folder.name).is_dir():
                wanted.add(folder.name)
    return sorted(wanted)
