"""`hitpm feedback ASSIGNMENT`: feedback made again after grading by hand, without grading anything."""

from __future__ import annotations

import logging
import os
import sys


def add_feedback_command(commands) -> None:
    command = commands.add_parser(
        "feedback", help="make again the feedback that grades given by hand have made out of date",
        description="After grading by hand in formgrader, make again each graded submission's feedback whose "
        "grades or comments have changed since it was made (nbgrader's own generate_feedback skips feedback "
        "that exists). Hidden tests are never shown; answers still to grade are shown as waiting. "
        "Then release it as usual (formgrader, or `hitpm nbgrader release_feedback ASSIGNMENT`).",
    )
    command.add_argument("assignment", help="the assignment, e.g. ps01-emr-stakeholders")
    command.add_argument("--course", help="the course root (default: the course this command runs in)")
    command.add_argument("--student", action="append", metavar="ID", help="only this student (repeatable)")
    command.add_argument("--force", action="store_true", help="make every graded submission's feedback again")
    command.set_defaults(run=run_feedback)


def run_feedback(args) -> int:
    from ..workspace import WorkspaceError
    from .cli import course_root
    from .course import CourseError, GradingCourse
    from .feedback import generate_feedback, graded_students, needing_feedback

    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers[:] = [logging.NullHandler()]  # nbgrader's log lines are not for this terminal
    try:
        try:
            course = GradingCourse(course_root(args), args.assignment, logging.getLogger("hitpm.feedback"))
            lock = course.hold_gradebook("hitpm feedback")
        except (CourseError, WorkspaceError) as error:
            print(f"hitpm feedback: {error}", file=sys.stderr)
            return 2
        with lock:
            students = graded_students(course) if args.force else needing_feedback(course, [])
            if args.student:
                students = [student for student in students if student in args.student]
            problems = generate_feedback(course, students, os.cpu_count() or 1)
    finally:
        root.handlers[:] = saved
    for student, problem in sorted(problems.items()):
        if problem:
            print(f"hitpm feedback: {student}: nbgrader could not make the feedback: {problem.splitlines()[-1]}",
                  file=sys.stderr)
    made = [student for student, problem in problems.items() if not problem]
    print(f"hitpm feedback: {course.assignment}: feedback made again for {len(made)} submission(s)"
          + (f": {', '.join(sorted(made))}" if made else "; all of it is up to date"))
    return 1 if any(problems.values()) else 0
