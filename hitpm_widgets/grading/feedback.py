"""nbgrader's feedback for each graded submission, made by nbgrader's own GenerateFeedback.

It renders one HTML page per notebook (about half a second each), so the students are shared out
over worker processes; they only read the gradebook. The pages hide hidden tests and show answers
waiting for the instructor as waiting (learner_feedback.py). Beside each student's pages a small
file keeps the grades they show, so that feedback a manual grade has made out of date is made
again by the next `hitpm grade` or `hitpm feedback` (nbgrader itself skips existing feedback).
"""

from __future__ import annotations

import io
import json
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .course import GradingCourse

#: Beside a student's feedback pages: the grades they show. nbgrader releases only the .html files.
SHOWN_GRADES = ".hitpm-feedback-grades.json"

_course: GradingCourse | None = None


def _init(course: GradingCourse) -> None:
    global _course
    _course = course


def _feedback_for(students: list[str]) -> dict[str, str | None]:
    """In a worker process: feedback for some students; each student's error, if any."""
    from nbgrader.api import Gradebook
    from nbgrader.apps.api import NbGraderAPI
    from traitlets.config import Config

    from .learner_feedback import FEEDBACK_PREPROCESSORS

    assert _course is not None
    log = logging.getLogger("hitpm.grade.feedback")
    log.addHandler(logging.StreamHandler(io.StringIO()))
    log.propagate = False
    api = NbGraderAPI(coursedir=_course.coursedir, parent=_course.app)
    api.log = log
    api.update_config(Config({"GenerateFeedback": {"preprocessors": FEEDBACK_PREPROCESSORS}}))
    problems = {}
    with Gradebook(_course.db_url, _course.coursedir.course_id) as gradebook:
        for student in students:
            shown = grades_shown(gradebook, _course.assignment, student)
            result = api.generate_feedback(_course.assignment, student, force=True)
            problems[student] = None if result.get("success") else (result.get("error") or "failed")[-500:]
            folder = _course.folder("feedback", student)
            if problems[student] is None and folder.is_dir():
                (folder / SHOWN_GRADES).write_text(json.dumps(shown), encoding="utf-8")
    return problems


def grades_shown(gradebook, assignment: str, student: str) -> list:
    """What a student's feedback shows: each cell's score, whether it waits for a person, each comment,
    each late penalty. Feedback whose record differs from this is out of date."""
    from nbgrader.api import MissingEntry

    try:
        submission = gradebook.find_submission(assignment, student)
    except MissingEntry:
        return []
    shown = []
    for notebook in sorted(submission.notebooks, key=lambda n: n.name):
        shown.append([notebook.name, notebook.late_submission_penalty])
        shown += [[notebook.name, g.name, g.score, bool(g.needs_manual_grade), g.extra_credit]
                  for g in sorted(notebook.grades, key=lambda g: g.name)]
        shown += [[notebook.name, c.name, c.comment] for c in sorted(notebook.comments, key=lambda c: c.name)]
    return shown


def out_of_date(course: GradingCourse, gradebook, student: str) -> bool:
    try:
        recorded = json.loads((course.folder("feedback", student) / SHOWN_GRADES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return True  # feedback made by nbgrader alone, or before this record existed: make it again
    return recorded != json.loads(json.dumps(grades_shown(gradebook, course.assignment, student)))


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
    """Those graded in this run, and any graded earlier whose feedback is missing or out of date (a grade
    given or changed by hand since); a submission without a notebook to grade has nothing to give
    feedback on."""
    from nbgrader.api import Gradebook

    wanted = {student for student in graded_now if any(course.folder("autograded", student).glob("*.ipynb"))}
    with Gradebook(course.db_url, course.coursedir.course_id) as gradebook:
        wanted.update(student for student in graded_students(course)
                      if student not in wanted and out_of_date(course, gradebook, student))
    return sorted(wanted)


def graded_students(course: GradingCourse) -> list[str]:
    """The students with an autograded notebook of the assignment."""
    autograded = Path(course.coursedir.format_path(course.coursedir.autograded_directory, ".", ".")).resolve()
    if not autograded.is_dir():
        return []
    return sorted(folder.name for folder in autograded.iterdir() if any((folder / course.assignment).glob("*.ipynb")))
