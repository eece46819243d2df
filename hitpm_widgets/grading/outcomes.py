"""What a notebook's run means for the person grading: findings from its failures and test errors."""

from __future__ import annotations

from collections import defaultdict

from nbformat import NotebookNode
from nbgrader import utils

from .answer_files import notices_in
from .findings import Finding
from .runner import NotebookRun, grade_id_of

#: A failed check: the learner's answer is wrong, which is what tests are for; nothing to look at.
CHECK_FAILED = {"AssertionError"}
#: Errors that mean a limit was hit, wherever they happen: worth a look even outside test cells.
LIMIT_ERRORS = {
    "MemoryError": "it ran out of memory (the kernel's memory limit)",
    "RecursionError": "it recursed without end",
    "BlockingIOError": "it could not start more processes or threads (the kernel's process limit)",
}
#: Error names the runner itself gives (already reported as failed cells).
RUNNER_ERRORS = {"CellTimeout", "KernelDied", "TimeLimit", "NotRun", "CellTimeoutError"}


def run_findings(student: str, name: str, run: NotebookRun) -> list[Finding]:
    findings = []
    not_run: dict[str, list] = defaultdict(list)
    for failure in run.failures:
        if failure.kind == "not run":
            not_run[failure.reason].append(failure)
            continue
        findings.append(Finding(student, "failed cell", f"{failure.kind}: {failure.reason}", name,
                                failure.grade_id or f"cell {failure.index + 1}"))
    for reason, failures in not_run.items():
        tests = [f.grade_id for f in failures if utils.is_grade(run.notebook.cells[f.index])]
        findings.append(Finding(student, "failed cell", f"{len(failures)} cell(s) {reason}"
                                + (f"; test cells among them scored 0: {', '.join(tests)}" if tests else ""), name))
    for cell in run.notebook.cells:
        names = [o.get("ename") for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        for ename in names:
            if ename in LIMIT_ERRORS:
                findings.append(Finding(student, "failed cell", f"{ename}: {LIMIT_ERRORS[ename]}", name,
                                        cell.metadata.get("nbgrader", {}).get("grade_id")))
        if "CellTimeoutError" in names:  # nbgrader's own timeout: the kernel was interrupted and went on
            findings.append(Finding(student, "failed cell", "cell timeout: it ran longer than the cell time limit "
                                    "and was interrupted", name, cell.metadata.get("nbgrader", {}).get("grade_id")))
    for grade_id in run.disagreements:
        findings.append(Finding(student, "tampering", "this test passed in the learner's own kernel but fails on the "
                                "answers the learner's cells left: what tampering looks like; graded on the answers",
                                name, grade_id))
    for index, why in sorted(run.answer_problems.items()):
        findings.append(Finding(student, "answer file", f"the answers of cell {index + 1} could not be taken to the "
                                f"tests: {why}", name, grade_id_of(run.notebook.cells[index]) or f"cell {index + 1}"))
    findings.extend(notices_in(student, name, run.notebook))
    findings.extend(errors_in_tests(student, name, run.notebook))
    return findings


def errors_in_tests(student: str, name: str, nb: NotebookNode) -> list[Finding]:
    findings = []
    for cell in nb.cells:
        if cell.cell_type != "code" or not utils.is_grade(cell) or utils.is_solution(cell):
            continue
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if any(o.get("ename") in RUNNER_ERRORS for o in errors):
            continue
        for output in errors:
            if output.get("output_type") == "error":
                ename = output.get("ename", "")
                if ename not in CHECK_FAILED:
                    findings.append(Finding(student, "error in test", f"{ename}: {str(output.get('evalue', ''))[:200]}",
                                            name, cell.metadata["nbgrader"]["grade_id"]))
                break
    return findings


def error_summary(nb: NotebookNode) -> dict[str, str]:
    """Each test cell's first error as 'Name: message' (for the report's per-question table)."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type != "code" or not utils.is_grade(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = str(output.get("evalue", "")).strip().splitlines()
                found[cell.metadata["nbgrader"]["grade_id"]] = (
                    f"{output.get('ename', '')}: {message[0][:160] if message else ''}")
                break
    return found
