"""A submission that runs out of time beside other kernels is graded again alone before anything is written
(issue 18: a busy machine must not give an honest answer a 0). The kernels here are stand-ins that time out
whenever another runs at the same moment, as a contended machine can make them."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import nbformat

from hitpm_widgets.grading.answer_plan import InstructorPart
from hitpm_widgets.grading.grade import ClassGrader, GradeOptions
from hitpm_widgets.grading.prepare import PreparedNotebook, PreparedSubmission
from hitpm_widgets.grading.runner import CellFailure, NotebookRun


class Kernels:
    """Times out the cells of a slow learner's notebook when another kernel runs beside it."""

    def __init__(self, slow: set[str]) -> None:
        self.slow = slow
        self.running = 0
        self.runs: list[tuple[str, int]] = []

    async def run(self, notebook, folder, name, learner, instructor) -> NotebookRun:
        self.running += 1
        try:
            await asyncio.sleep(0.05)
            beside = self.running - 1
            self.runs.append((learner, beside))
            run = NotebookRun(notebook)
            if learner in self.slow and beside:
                run.failures.append(CellFailure(0, "answer", "cell timeout", "it ran longer than its limit"))
            return run
        finally:
            self.running -= 1

    def close(self) -> None:
        pass


class Preparer:
    def __init__(self, work: Path) -> None:
        self.work = work

    def prepare(self, submission) -> PreparedSubmission:
        folder = self.work / submission.student
        folder.mkdir(parents=True, exist_ok=True)
        return PreparedSubmission(submission, folder, [PreparedNotebook("nb", nbformat.v4.new_notebook(), {})])

    def instructor(self, name: str) -> InstructorPart:
        return InstructorPart({})


class Writer:
    def __init__(self) -> None:
        self.recorded: dict[str, list] = {}

    def tidy_up(self, notebook, resources):
        return notebook

    def record(self, prepared, graded) -> None:
        self.recorded.setdefault(prepared.student, []).append(graded)

    def publish(self, prepared, graded) -> None:
        pass


def test_a_submission_that_timed_out_beside_others_is_recorded_once_from_a_run_alone(tmp_path):
    kernels, writer = Kernels(slow={"b"}), Writer()

    class Grader(ClassGrader):
        async def _local(self, secrets, gradebook, workers):
            return kernels, Preparer(tmp_path), writer

    async def stopped() -> None:
        return None

    course = SimpleNamespace(assignment="ps01", secrets=lambda outputs: [], root=tmp_path)
    grader = Grader(course, GradeOptions(workers=3), logging.getLogger("test"),
                    SimpleNamespace(stop=stopped), tmp_path)
    grader.gradebook = SimpleNamespace(find_submission=lambda a, s: SimpleNamespace(notebooks=[]))
    todo = [SimpleNamespace(student=name) for name in "abcd"]
    # A thread of its own: the browser tests' Playwright (sync API) holds an event loop in the main one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, grader._grade(todo, grader.gradebook, 3)).result()

    assert sorted(writer.recorded) == ["a", "b", "c", "d"]
    assert len(writer.recorded["b"]) == 1  # never the run that timed out
    runs_of_b = [beside for learner, beside in kernels.runs if learner == "b"]
    assert runs_of_b[0] > 0 and runs_of_b[-1] == 0 and len(runs_of_b) == 2
    assert [r.student for r in grader.result.results].count("b") == 1
    assert not any(f.kind == "failed cell" for r in grader.result.results for f in r.findings)
