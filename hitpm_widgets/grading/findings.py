"""What grading found that a person should look at: one `Finding` per problem, with its reason."""

from __future__ import annotations

from dataclasses import dataclass

#: The kinds of finding, most serious first, with what each means for the grade.
KINDS = {
    "tampering": "the submission changed what it must not (a test cell, nbgrader's metadata, an answer "
                 "file written outside the widget), or its tests passed in its own kernel and fail on its answers",
    "failed cell": "a cell could not run to its end: timed out, ran out of time, killed its kernel or was "
                   "not run; a test cell among them scored 0",
    "variant": "the submission's recorded case variant is not its learner's (a classmate's folder, an edited or a "
               "missing record): graded with the submitting learner's own numbers unless the reason says otherwise",
    "notebook": "a notebook is missing, unreadable or not part of the assignment",
    "answer file": "a saved widget answer is unreadable or unusable; the widget started empty",
    "grading error": "the grader could not grade the submission; it is not in the gradebook",
    "error in test": "a test cell failed with an error other than a failed check (often broken code above it)",
    "manual grading": "answers that nbgrader leaves to a person",
}


@dataclass(frozen=True)
class Finding:
    student: str
    kind: str
    reason: str
    notebook: str | None = None
    cell: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"finding kind {self.kind!r} is not one of {', '.join(KINDS)}")


def by_severity(findings: list[Finding]) -> list[Finding]:
    order = list(KINDS)
    return sorted(findings, key=lambda f: (order.index(f.kind), f.student, f.notebook or "", f.cell or ""))
