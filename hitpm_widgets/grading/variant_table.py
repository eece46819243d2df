"""The report's table of each learner's variant: the key figures an instructor checks written work against.

The figures come from the assignment's answer key (`key_figures(case)`), which only the grader has.
"""

from __future__ import annotations

from .. import variants
from ..cases import load_case
from . import answer_key
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


def variant_rows(course: GradingCourse, students: list[str]) -> dict | None:
    """The case, its key figures' names and one row a learner, or None for an assignment without variants."""
    slug = variant_case(course.source, course.assignment)
    key = answer_key.load(course.source)
    if slug is None or not students or not hasattr(key, "key_figures"):
        return None
    rows = []
    for student in students:
        variant = graded_variant(course, student, slug)
        figures = key.key_figures(load_case(slug, variant=variant))
        whose = "published numbers" if variant is None else f"{variant.learner}'s, variant {variant.seed:x}"
        rows.append({"student": student, "whose": whose, "figures": figures})
    return {"case": slug, "figures": list(rows[0]["figures"]), "rows": rows}
