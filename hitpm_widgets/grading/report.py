"""The grading report: one self-contained HTML page, readable offline, for the instructor.

Score distribution, each question's mean and difficulty, and the submissions that need a
person's look (failed cells with their reasons, tampering, manual grading pending), all read
from nbgrader's gradebook plus what `hitpm grade` found while grading (kept in a JSON file
beside the report, so a resumed run still reports on the whole class).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from ..plots.style import img_html
from .charts import difficulty_bars, score_histogram
from .course import GradingCourse
from .findings import KINDS, Finding, by_severity
from .variant_table import variant_rows


@dataclass
class Question:
    notebook: str
    name: str
    points: float
    mean: float | None = None
    share: float | None = None
    band: str = ""
    full: int = 0
    zero: int = 0
    pending: int = 0
    errors: list[tuple[str, int]] = field(default_factory=list)


def band_of(share: float) -> str:
    """Difficulty index bands (share of the points earned): below 40% hard, from 75% easy."""
    return "hard" if share < 0.4 else "moderate" if share < 0.75 else "easy"


# -- what grading found, kept across runs --------------------------------------------------------

def findings_file(output: Path, assignment: str) -> Path:
    return output / f"{assignment}-findings.json"


def update_findings(output: Path, assignment: str, results) -> dict:
    """Replace the findings of the students graded now; keep the others'. Returns them all."""
    path = findings_file(output, assignment)
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = {}
    for result in results:
        kept[result.student] = {"findings": [asdict(f) for f in result.findings], "errors": result.errors,
                                "graded": result.graded}
    path.write_text(json.dumps(kept, indent=1, sort_keys=True), encoding="utf-8")
    return kept


# -- the class, from the gradebook ----------------------------------------------------------------

def cell_order(course: GradingCourse) -> dict[str, int]:
    order = {}
    for path in sorted(course.source.glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - the order is a nicety; the gradebook has the cells anyway
            continue
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id:
                order.setdefault(f"{path.stem}/{grade_id}", len(order))
    return order


def class_data(course: GradingCourse, gradebook: Gradebook,
               kept: dict) -> tuple[dict[str, float], list[Question], float, dict[str, list[str]]]:
    """Each submission's total, each question, the assignment's points, and each submission's answers
    that wait for a person, all as the gradebook holds them now (manual grades given since the last
    `hitpm grade` included). A question's difficulty counts only answers already graded."""
    assignment = gradebook.find_assignment(course.assignment)
    order = cell_order(course)
    questions = {}
    for notebook in assignment.notebooks:
        for cell in notebook.grade_cells:
            questions[(notebook.name, cell.name)] = Question(notebook.name, cell.name, cell.max_score)
    scores: dict[tuple[str, str], list[float]] = {key: [] for key in questions}
    totals = {}
    pending: dict[str, list[str]] = {}
    for submission in gradebook.assignment_submissions(course.assignment):
        totals[submission.student_id] = max(0.0, submission.score - (submission.late_submission_penalty or 0.0))
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                key = (notebook.name, grade.name)
                if key not in questions:
                    continue
                if grade.needs_manual_grade:
                    questions[key].pending += 1
                    pending.setdefault(submission.student_id, []).append(grade.name)
                else:
                    scores[key].append(grade.score)
    errors: dict[str, Counter] = {}
    for student in kept.values():
        for cell, message in student.get("errors", {}).items():
            errors.setdefault(cell, Counter())[message] += 1
    for key, question in questions.items():
        values = scores[key]
        if values and question.points:
            question.mean = sum(values) / len(values)
            question.share = question.mean / question.points
            question.band = band_of(question.share)
            question.full = sum(v >= question.points for v in values)
            question.zero = sum(v == 0 for v in values)
        question.errors = errors.get(question.name, Counter()).most_common(2)
    ordered = sorted(questions.values(), key=lambda q: order.get(f"{q.notebook}/{q.name}", 10**6))
    return totals, ordered, assignment.max_score, pending


# -- the page -------------------------------------------------------------------------------------


@functools.cache
def _templates():
    from jinja2 import Environment, PackageLoader, StrictUndefined

    # Autoescape: learner names, cell ids and findings' messages come from submissions; none of them is markup.
    environment = Environment(loader=PackageLoader("hitpm_widgets.grading", "templates"), autoescape=True,
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["fmt"] = format
    return environment


def render(course: GradingCourse, totals: dict[str, float], questions: list[Question], max_score: float,
           findings: list[Finding], run: dict, pending: dict[str, list[str]] | None = None) -> str:
    from markupsafe import Markup

    # Markup only for the charts: img_html escapes their alt text itself, and everything else goes through escaping.
    pending = pending or {}
    scores = None
    if totals:
        values = sorted(totals.values())
        scores = {"histogram": Markup(img_html(*score_histogram(values, max_score))),
                  "mean": sum(values) / len(values), "lowest": values[0], "highest": values[-1]}
    rated = [(q.name, q.share, q.band) for q in questions if q.share is not None]
    return _templates().get_template("report.html.j2").render(
        assignment=course.assignment, made=f"{datetime.now(UTC):%Y-%m-%d %H:%M}", summary=run.get("summary", ""),
        totals=totals, scores=scores, max_score=max_score, pending=pending,
        pending_cells=Counter(cell for names in pending.values() for cell in names).most_common(),
        difficulty=Markup(img_html(*difficulty_bars(rated))) if rated else None, questions=questions,
        variants=variant_rows(course, sorted(totals)),
        looks=[f for f in by_severity(findings) if f.kind != "manual grading"], kinds=KINDS,
        fences=run.get("fences") or {})


def write_report(course: GradingCourse, gradebook: Gradebook, output: Path, kept: dict, run: dict) -> Path:
    findings = [Finding(**f) for student in kept.values() for f in student["findings"]]
    totals, questions, max_score, pending = class_data(course, gradebook, kept)
    path = output / f"{course.assignment}-report.html"
    path.write_text(render(course, totals, questions, max_score, findings, run, pending), encoding="utf-8")
    return path
