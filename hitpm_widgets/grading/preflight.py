"""Before any grade is written: prove that a grading kernel can grade this assignment right.

One kernel, started exactly as the grading kernels are (same fork-server, user, namespaces, limits),
runs the assignment's own source notebooks, solutions included, and every autograder test must
pass. That covers everything a grade depends on outside the learner's answers: the kit and the
workbook's libraries import, the case data reads, the fence lets the kernel see what it needs.
A last cell looks for what the fence must hide. If anything fails, the run stops with one line and
the gradebook is not touched: a class must never get zeros because its grader could not see Python.
"""

from __future__ import annotations

import json
import os

import nbformat
from nbgrader.utils import determine_grade, is_grade, is_solution

from .answer_key import key_files
from .answer_plan import InstructorPart, instructor_cells
from .course import GradingCourse
from .runner import Runner

#: The learner a preflight kernel runs as (a workbook with variants then uses that learner's numbers).
PREFLIGHT_LEARNER = "hitpm-preflight"
MARK = "HITPM-PREFLIGHT-VISIBLE"


class GradingRefused(RuntimeError):
    """This run cannot grade right: nothing was written."""


def unfenced_refusal(fences: dict[str, str], unfenced: bool) -> str | None:
    """The line that stops a run whose kernels cannot be fenced in, unless the instructor said --unfenced."""
    found = fences.get("kernels fenced in", "no")
    if found == "yes" or unfenced:
        return None
    if os.geteuid() == 0:
        # Root that cannot make namespaces: most often a container started without the right to.
        danger, remedy = ("would see what others may read on this machine (a course folder open to others, "
                          "classmates' work) and reach the network", "Give the machine or container the right to "
                          "make namespaces (e.g. docker run --privileged)")
    else:
        danger, remedy = ("would run as you and could read the solutions and write the gradebook",
                          "Run as root, allow user namespaces (Ubuntu: sysctl "
                          "kernel.apparmor_restrict_unprivileged_userns=0)")
    return (f"kernels cannot be fenced in here ({found.removeprefix('no: ')}): student code {danger}. {remedy}, "
            "or pass --unfenced to grade anyway; nothing was graded")


def _first_error(notebook) -> tuple[int, str] | None:
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                return index, f"{output.get('ename')}: {str(output.get('evalue', '')).strip()[:300]}"
    return None


def _looking_cell(secrets: list[str]):
    """A cell that prints which of `secrets` hold anything (a hidden file reads as empty, a folder lists none)."""
    code = (f"import json as _j, os as _o\n"
            f"def _holds(_p):\n"
            f"    try:\n"
            f"        return bool(_o.listdir(_p)) if _o.path.isdir(_p) else _o.path.getsize(_p) > 0\n"
            f"    except OSError:\n"
            f"        return False\n"
            f"print({MARK!r}, _j.dumps([_p for _p in {secrets!r} if _holds(_p)]))\n")
    return nbformat.v4.new_code_cell(code)


def _visible(notebook) -> list[str]:
    for output in notebook.cells[-1].get("outputs", []):
        text = output.get("text", "")
        if MARK in text:
            return json.loads(text.split(MARK, 1)[1].strip().splitlines()[0])
    raise GradingRefused("the preflight kernel did not say what it could see; see the grading log")


async def preflight(course: GradingCourse, runner: Runner, secrets: list[str], fenced: bool) -> None:
    """Raise GradingRefused unless a grading kernel gives the source notebooks full autograded marks."""
    for path in sorted(course.source.glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        for cell in notebook.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        keys = key_files(course.source)
        instructor = InstructorPart(instructor_cells(notebook), frozenset(
            p.relative_to(course.source).as_posix() for p in course.source.rglob("*")
            if p.is_file() and p.name not in keys), keys)
        notebook.cells.append(_looking_cell(secrets))
        run = await runner.run(notebook, course.source, path.stem, PREFLIGHT_LEARNER, instructor)
        ran = run.notebook
        failed = []
        for cell in ran.cells[:-1]:
            if cell.cell_type == "code" and is_grade(cell) and not is_solution(cell):
                points, most = determine_grade(cell)
                if points is not None and most and points < most:
                    failed.append(cell.metadata["nbgrader"].get("grade_id", "?"))
        problem = None
        if run.infrastructure:
            problem = run.infrastructure
        elif run.disagreements:
            # The tests read something the solution makes that cannot travel as data (a function, an object).
            problem = (f"tests {', '.join(run.disagreements[:3])} pass in the kernel that ran the solution but fail "
                       "in the test kernel on its answers as data: a test reads something an answer cell makes that "
                       "is not data (a function or an object). Make the answer a value (number, text, list, table) "
                       "or an exercise model the notebook's locked cells create")
        elif run.answer_problems:
            index, why = next(iter(run.answer_problems.items()))
            problem = f"the answers of cell {index + 1} cannot be taken as data ({why})"
        elif run.failures:
            first = run.failures[0]
            problem = f"{first.kind} ({first.reason})"
        elif failed:
            error = _first_error(ran)
            problem = f"tests {', '.join(failed[:3])}{' and more' if len(failed) > 3 else ''} fail"
            if error and error[1].startswith("KeyboardInterrupt"):
                # nbgrader interrupts a cell at its timeout: honest answers would time out the same way.
                problem += (f"; cell {error[0] + 1} ran longer than the cell time limit "
                            f"({runner.setting.limits.cell_timeout or 'nbgrader Execute.timeout'} s): raise it with "
                            "--cell-timeout or c.HitpmGrade.cell_timeout")
            elif error:
                problem += f"; first error, in cell {error[0] + 1}: {error[1]}"
        if problem:
            raise GradingRefused(f"a grading kernel cannot pass {course.assignment}'s own solution "
                                 f"({path.name}: {problem}); nothing was graded. Check that the grading user can read "
                                 "the Python environment and the kit, then run again")
        seen = _visible(ran)
        if seen and fenced:
            raise GradingRefused(f"the fence failed open: a grading kernel could see {seen[0]}; nothing was graded")
