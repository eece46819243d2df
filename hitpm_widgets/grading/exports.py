"""The grades as CSV: nbgrader's own export, and one file an LMS gradebook imports.

The LMS file has one row per learner and one column per assignment (the final score, after any
late penalty; empty when nothing was submitted, so the LMS shows "no grade" rather than 0). A score
with answers still waiting for manual grading is not final: it is left empty too, and the last
column says what is waiting, so that no partial score is imported as a final one.
"""

from __future__ import annotations

import csv
from pathlib import Path

from nbgrader.api import Gradebook, MissingEntry
from nbgrader.plugins import CsvExportPlugin

from .course import GradingCourse

LMS_FIXED = ["student_id", "last_name", "first_name", "email"]
LMS_NOTE = "waiting for manual grading"


def pending_points(submission) -> float:
    """The points of a submission's answers that wait for a person (0 when its score is final)."""
    return sum(grade.max_score for notebook in submission.notebooks for grade in notebook.grades
               if grade.needs_manual_grade)


def final_score(submission) -> float | None:
    """The score an LMS may take as final (after any late penalty), or None while answers wait for a person.

    The one rule of every way grades leave for an LMS: the CSV file and `hitpm lms push`.
    """
    if pending_points(submission):
        return None
    return max(0.0, submission.score - (submission.late_submission_penalty or 0.0))


def nbgrader_export(course: GradingCourse, gradebook: Gradebook, destination: Path) -> Path:
    plugin = CsvExportPlugin(parent=course.app)
    plugin.to = str(destination)
    plugin.export(gradebook)
    return destination


def lms_rows(gradebook: Gradebook) -> tuple[list[str], list[list[str]]]:
    assignments = sorted(gradebook.assignments, key=lambda a: (a.duedate is None, a.duedate, a.name))
    header = LMS_FIXED + [f"{a.name} ({a.max_score:g} points)" for a in assignments] + [LMS_NOTE]
    rows = []
    for student in sorted(gradebook.students, key=lambda s: s.id):
        row = [student.id, student.last_name or "", student.first_name or "", student.email or ""]
        waiting = []
        for assignment in assignments:
            try:
                submission = gradebook.find_submission(assignment.name, student.id)
            except MissingEntry:
                row.append("")
                continue
            final = final_score(submission)
            if final is None:
                row.append("")
                waiting.append(f"{assignment.name}: {pending_points(submission):g} of {assignment.max_score:g} points")
                continue
            row.append(f"{final:g}")
        rows.append(row + ["; ".join(waiting)])
    return header, rows


def lms_export(gradebook: Gradebook, destination: Path) -> Path:
    header, rows = lms_rows(gradebook)
    with open(destination, "w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(header)
        writer.writerows(rows)
    return destination
