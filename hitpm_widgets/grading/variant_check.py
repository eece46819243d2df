"""Checks that a submission carries its own learner's variant, and puts that variant in its place if not.

Runs on the prepared copy of each submission, before its kernel starts. The kernel then finds the
submitting learner's variant in `.hitpm/variant.json` (and, with HITPM_LEARNER set to the student
id, would draw it itself where the file names another learner). Nothing here trusts the file's
numbers more than it can check: a variant of another learner, or one whose numbers are not what
its own seed gives under this grader's generator (whatever generator version it claims), is
replaced by the submitting learner's own and flagged.
"""

from __future__ import annotations

import re
from pathlib import Path

from .. import variants
from .findings import Finding

# How a workbook with variants loads its case: case_for("<assignment>", "<case slug>").
CASE_FOR = re.compile(r"""case_for\(\s*["']([\w.-]+)["']\s*,\s*["']([\w.-]+)["']""")


def variant_case(source: Path, assignment: str) -> str | None:
    """The case whose variants the assignment's source notebooks use, or None for an assignment without."""
    for notebook in sorted(source.glob("*.ipynb")):
        for named, slug in CASE_FOR.findall(notebook.read_text(encoding="utf-8").replace('\\"', '"')):
            if named == assignment:
                return slug
    return None


def check_variant(student: str, folder: Path, assignment: str, slug: str | None) -> list[Finding]:
    """Findings about `folder`'s recorded variant; rewrites it to `student`'s own where it is not theirs."""
    if slug is None:
        return []
    path = folder / variants.VARIANT_FILE
    in_class = variants.in_class_configured()
    try:
        recorded = variants.read_recorded(folder)
    except FileNotFoundError:
        if not in_class:
            return []  # no class configured here: graded with the case's published numbers
        return _replace(student, folder, assignment, slug, "records no variant")
    except (OSError, UnicodeDecodeError, variants.VariantError) as error:
        path.unlink(missing_ok=True)
        if not in_class:
            return [Finding(student, "variant", f"{variants.VARIANT_FILE} cannot be read ({error}): graded with "
                            "the case's published numbers")]
        return _replace(student, folder, assignment, slug, f"has an unreadable variant ({error})")
    if recorded.learner != student:
        return _replace(student, folder, assignment, slug,
                        f"carries the variant of {recorded.learner!r}, not its own (a classmate's folder?)")
    if (recorded.assignment, recorded.case) != (assignment, slug):
        return _replace(student, folder, assignment, slug,
                        f"carries a variant of {recorded.assignment} ({recorded.case})")
    own = variants.make_variant(assignment, slug, student)
    if recorded.seed != own.seed or recorded.course != own.course:
        # Either the record was edited or this grader's course id or key is not the class's: the file's
        # numbers are kept (changing every learner's would be worse), and a person decides.
        return [Finding(student, "variant", f"the recorded variant's seed is not {student}'s under this course's "
                        f"id and key ({variants.COURSE_ENV}, {variants.KEY_ENV}): edited, or the grader's "
                        "configuration differs from the class's; graded with the recorded numbers")]
    # The generator version a record claims is the learner's word, like its numbers: a record whose numbers
    # are not what this grader's generator draws from its seed is replaced, whatever version it names.
    if recorded.parameters != own.parameters:
        claimed = "" if recorded.generator_version == own.generator_version else (
            f", claiming generator version {recorded.generator_version} where this grader's is "
            f"{own.generator_version}")
        return _replace(student, folder, assignment, slug,
                        f"carries a variant whose numbers are not what its seed draws (edited{claimed})")
    return []


def _replace(student: str, folder: Path, assignment: str, slug: str, what: str) -> list[Finding]:
    own = variants.make_variant(assignment, slug, student)
    path = folder / variants.VARIANT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(own.to_text(), encoding="utf-8")
    return [Finding(student, "variant", f"the submission {what}: graded with {student}'s own numbers")]
