"""The grading report: one self-contained HTML page, readable offline, for the instructor.

Score distribution, each question's mean and difficulty, and the submissions that need a
person's look (failed cells with their reasons, tampering, manual grading pending), all read
from nbgrader's gradebook plus what `hitpm grade` found while grading (kept in a JSON file
beside the report, so a resumed run still reports on the whole class).
"""

from __future__ import annotations

import html
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
from .variant_table import variants_section


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

STYLE = """
body{font-family:system-ui,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
table{border-collapse:collapse;width:100%;margin:1rem 0}caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#eee}
td.n{text-align:right;font-variant-numeric:tabular-nums}.kind{font-weight:600;white-space:nowrap}
.note{color:#555;font-size:.92em}code{background:#f3f3f3;padding:0 .2em}
"""


def _e(value) -> str:
    return html.escape(str(value), quote=True)


def render(course: GradingCourse, totals: dict[str, float], questions: list[Question], max_score: float,
           findings: list[Finding], run: dict, pending: dict[str, list[str]] | None = None) -> str:
    parts = [f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Grading report: "
             f"{_e(course.assignment)}</title><style>{STYLE}</style></head><body>",
             f"<h1>Grading report: {_e(course.assignment)}</h1>",
             f"<p>{len(totals)} submission(s) in the gradebook. Made {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by "
             f"<code>hitpm grade</code>; {_e(run.get('summary', ''))}</p>"]
    parts.append("<h2>Scores</h2>")
    if totals:
        values = sorted(totals.values())
        png, alt = score_histogram(values, max_score)
        mean = sum(values) / len(values)
        parts.append(img_html(png, alt))
        parts.append(f"<p>Mean {mean:.2f} of {max_score:g}; lowest {values[0]:g}, highest {values[-1]:g}. "
                     "Scores count manual grades given so far and subtract late penalties.</p>")
        if pending:
            parts.append(f"<p>{len(pending)} of {len(totals)} submission(s) have answers waiting for manual "
                         "grading: their totals are not final yet.</p>")
    else:
        parts.append("<p>No submission is graded yet.</p>")
    parts.append("<h2>Questions</h2>")
    rated = [(q.name, q.share, q.band) for q in questions if q.share is not None]
    if rated:
        png, alt = difficulty_bars(rated)
        parts.append(img_html(png, alt))
    parts.append("<table><caption>Each graded cell: mean score and difficulty index (share of the points "
                 "the class earned)</caption><tr><th scope='col'>question</th><th scope='col'>points</th>"
                 "<th scope='col'>mean</th><th scope='col'>difficulty</th><th scope='col'>full marks</th>"
                 "<th scope='col'>zero</th><th scope='col'>waiting for a person</th>"
                 "<th scope='col'>most common errors</th></tr>")
    for q in questions:
        mean = "" if q.mean is None else f"{q.mean:.2f}"
        share = "" if q.share is None else f"{q.share:.0%} ({q.band})"
        errors = "<br>".join(f"{_e(message)} <span class='note'>×{count}</span>" for message, count in q.errors)
        parts.append(f"<tr><th scope='row'>{_e(q.name)}</th><td class='n'>{q.points:g}</td><td class='n'>{mean}</td>"
                     f"<td>{share}</td><td class='n'>{q.full}</td><td class='n'>{q.zero}</td>"
                     f"<td class='n'>{q.pending}</td><td>{errors}</td></tr>")
    parts.append("</table>")
    parts.append(variants_section(course, sorted(totals)))
    parts.append("<h2>Needs a person's look</h2>")
    looks = [f for f in by_severity(findings) if f.kind != "manual grading"]
    if looks:
        parts.append("<table><caption>Problems found while grading, most serious first</caption><tr>"
                     "<th scope='col'>student</th><th scope='col'>kind</th><th scope='col'>where</th>"
                     "<th scope='col'>reason</th></tr>")
        for f in looks:
            where = " / ".join(p for p in (f.notebook, f.cell) if p)
            parts.append(f"<tr><td>{_e(f.student)}</td><td class='kind' title='{_e(KINDS[f.kind])}'>{_e(f.kind)}</td>"
                         f"<td>{_e(where)}</td><td>{_e(f.reason)}</td></tr>")
        parts.append("</table>")
    else:
        parts.append("<p>Nothing: every submission ran to its end and nothing was tampered with.</p>")
    if pending:
        cells = Counter(cell for names in pending.values() for cell in names)
        students = sorted(pending)
        parts.append(f"<p><strong>Manual grading pending</strong> for {len(students)} submission(s): "
                     + ", ".join(f"{_e(cell)} ({count})" for cell, count in cells.most_common())
                     + f". Students: {_e(', '.join(students))}. Grade them in formgrader.</p>")
    parts.append("<h2>What each kind means</h2><dl>" + "".join(
        f"<dt class='kind'>{_e(kind)}</dt><dd>{_e(meaning)}</dd>" for kind, meaning in KINDS.items()) + "</dl>")
    fences = run.get("fences") or {}
    if fences:
        parts.append("<h2>How student code was contained in this run</h2><ul>" + "".join(
            f"<li>{_e(name)}: {_e(state)}</li>" for name, state in fences.items()) + "</ul>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(course: GradingCourse, gradebook: Gradebook, output: Path, kept: dict, run: dict) -> Path:
    findings = [Finding(**f) for student in kept.values() for f in student["findings"]]
    totals, questions, max_score, pending = class_data(course, gradebook, kept)
    path = output / f"{course.assignment}-report.html"
    path.write_text(render(course, totals, questions, max_score, findings, run, pending), encoding="utf-8")
    return path
