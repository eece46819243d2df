"""The report's table of each learner's variant: the key figures an instructor checks written work against."""

from __future__ import annotations

import html

from .. import variants
from ..cases import load_case
from .course import GradingCourse
from .variant_check import variant_case


def graded_variant(course: GradingCourse, student: str, slug: str) -> variants.Variant | None:
    """The variant `student`'s submission is graded with (as variant_check leaves it), None for published numbers."""
    try:
        recorded = variants.read_recorded(course.folder("submitted", student))
    except (OSError, UnicodeDecodeError, variants.VariantError):
        recorded = None
    if recorded is not None and recorded.learner == student and recorded.case == slug:
        return recorded
    if recorded is None and not variants.in_class_configured():
        return None
    return variants.make_variant(course.assignment, slug, student)


def variants_section(course: GradingCourse, students: list[str]) -> str:
    """An HTML section with one row a learner, or nothing for an assignment without variants."""
    slug = variant_case(course.source, course.assignment)
    if slug is None or not students:
        return ""
    rows = []
    for student in students:
        variant = graded_variant(course, student, slug)
        figures = variants.key_figures(load_case(slug, variant=variant))
        whose = "published numbers" if variant is None else f"{variant.learner}'s, variant {variant.seed:x}"
        rows.append((student, whose, figures))
    names = list(rows[0][2])
    e = html.escape
    parts = ["<h2>Each learner's numbers</h2>",
             f"<table><caption>The key figures of each learner's variant of the case {e(slug)}, as graded"
             "</caption><tr><th scope='col'>student</th><th scope='col'>numbers</th>"
             + "".join(f"<th scope='col'>{e(name)}</th>" for name in names) + "</tr>"]
    for student, whose, figures in rows:
        parts.append(f"<tr><th scope='row'>{e(student)}</th><td>{e(whose)}</td>"
                     + "".join(f"<td class='n'>{e(str(figures[name]))}</td>" for name in names) + "</tr>")
    parts.append("</table>")
    return "".join(parts)
