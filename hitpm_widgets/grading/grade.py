"""Grading a class: every submission of one assignment into nbgrader's gradebook, several at a time.

One process (this one) prepares submissions, drives the kernels and alone writes the gradebook;
the kernels, forked by the fork-server and fenced in, only execute. At most `workers` kernels run
at once. Each submission is recorded in one transaction as soon as it is done, so Ctrl-C or a
killed process loses only the submissions that were running, and the next run grades those.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import importlib.util
import json
import logging
import os
import shutil
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.api import Gradebook

from .answer_plan import place_file
from .course import GradingCourse, Submission
from .findings import Finding
from .gradebook import GradebookWriter
from .isolation import fence as fences
from .isolation.forkserver import ForkServer
from .isolation.launch import ALWAYS_PRELOAD
from .outcomes import error_summary, run_findings
from .preflight import GradingRefused, preflight, unfenced_refusal
from .prepare import PreparedSubmission, Preparer
from .progress import Progress
from .runner import KernelSetting, Runner


@dataclass
class GradeOptions:
    workers: int = 0
    students: list[str] | None = None
    force: bool = False
    limits: fences.Limits = field(default_factory=fences.Limits)
    #: Where the report and the LMS file go (default: grading/ in the course).
    output: Path | None = None
    feedback: bool = True
    report: bool = True
    #: Grade without namespaces where the machine allows none (the instructor's explicit choice).
    unfenced: bool = False
    #: A Dask scheduler's address: kernels run on its workers (cluster.py); None: on this machine.
    scheduler: str | None = None


def default_workers() -> int:
    """One kernel more than cores: it fills the moments a kernel starts or ends (measured: README)."""
    return (os.cpu_count() or 1) + 1


@dataclass
class SubmissionResult:
    student: str
    graded: bool
    findings: list[Finding]
    #: Each test cell's first error, for the report.
    errors: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    #: (notebook, where its kernels ran, seconds) for each notebook run.
    runs: list[tuple[str, str, float]] = field(default_factory=list)
    #: It ran out of time beside other kernels: graded again alone, after the rest, before anything is recorded.
    again_alone: bool = False


@dataclass
class ClassResult:
    assignment: str
    results: list[SubmissionResult] = field(default_factory=list)
    already_graded: list[str] = field(default_factory=list)
    interrupted: bool = False
    fences: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    workers: int = 0
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def findings(self) -> list[Finding]:
        return [finding for result in self.results for finding in result.findings]

    @property
    def graded(self) -> list[str]:
        return [r.student for r in self.results if r.graded]

    @property
    def not_graded(self) -> list[str]:
        return [r.student for r in self.results if not r.graded]


def modules_to_preload(course: GradingCourse) -> list[str]:
    """What the instructor's source notebooks import, plus the usual; only what is installed."""
    wanted = list(ALWAYS_PRELOAD)
    for path in sorted(course.source.glob("*.ipynb")):
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception:  # noqa: BLE001 - a source notebook nbgrader cannot read fails elsewhere, clearly
            continue
        for cell in nb.cells:
            if cell.cell_type != "code":
                continue
            try:
                tree = ast.parse(cell.source)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    wanted.extend(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    wanted.append(node.module)
    found = []
    for name in dict.fromkeys(wanted):
        try:
            if importlib.util.find_spec(name) is not None:
                found.append(name)
        except (ImportError, ValueError):
            continue
    return found


class ClassGrader:
    """Grades the submissions of one assignment with kernels from `fork_server` (already launched)."""

    def __init__(self, course: GradingCourse, options: GradeOptions, log: logging.Logger, fork_server: ForkServer,
                 run_dir: Path, progress_stream=None):
        self.course = course
        self.options = options
        self.log = log
        self.fork_server = fork_server
        self.run_dir = run_dir
        self.progress_stream = progress_stream
        self.result = ClassResult(course.assignment)

    async def run(self) -> ClassResult:
        started = time.monotonic()
        course, options = self.course, self.options
        workers = options.workers or default_workers()
        self.result.workers = workers
        with Gradebook(course.db_url, course.coursedir.course_id) as gradebook:
            self.gradebook = gradebook
            submissions = course.submissions(options.students)
            todo: list[Submission] = []
            for submission in submissions:
                if options.force or not course.graded(submission, gradebook):
                    todo.append(submission)
                else:
                    self.result.already_graded.append(submission.student)
            if todo:
                await self._grade(todo, gradebook, workers)
            else:
                await self.fork_server.stop()
        self.result.seconds = time.monotonic() - started
        return self.result

    async def _grade(self, todo: list[Submission], gradebook: Gradebook, workers: int) -> None:
        course, fork_server, run_dir = self.course, self.fork_server, self.run_dir
        progress = Progress(len(todo), self.progress_stream, label=f"hitpm grade {course.assignment}")
        tasks: list[asyncio.Task] = []
        runner = None
        loop = asyncio.get_running_loop()
        try:
            secrets = course.secrets(self.outputs())
            if self.options.scheduler:
                await fork_server.stop()  # the kernels run on the cluster's workers
                runner = await self._cluster(secrets)
                workers = runner.threads
                self.result.workers = workers
                preparer = Preparer(course, gradebook, run_dir)
                writer = GradebookWriter(course, gradebook)
            else:
                runner, preparer, writer = await self._local(secrets, gradebook, workers)
            # Enough submissions prepared ahead to keep every worker busy, not the whole class at once.
            in_flight = asyncio.Semaphore(workers * 2)

            again: list[Submission] = []

            async def one(submission: Submission, alone: bool = False) -> None:
                async with in_flight:
                    result = await self._grade_one(submission, preparer, runner, writer,
                                                   alone or workers == 1 or len(todo) == 1)
                if result.again_alone:
                    again.append(submission)
                    return
                self.result.results.append(result)
                progress.step(flagged=any(f.kind != "manual grading" for f in result.findings),
                              failed=not result.graded)

            async def the_rest_alone() -> None:
                await asyncio.gather(*(asyncio.create_task(one(s)) for s in todo))
                for submission in again:  # one at a time: no other kernel takes its CPU now
                    self.log.info("%s ran out of time beside other kernels: graded again alone", submission.student)
                    await one(submission, alone=True)

            tasks = [asyncio.create_task(the_rest_alone())]
            with _interrupt_cancels(loop, tasks, self.result):
                await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            for task in tasks:
                task.cancel()  # interrupted: each running kernel is killed as its task ends
            await asyncio.gather(*tasks, return_exceptions=True)
            if runner is not None:
                runner.close()
                if self.options.scheduler:
                    await runner.stop()
            progress.finish()
            await fork_server.stop()

    async def _cluster(self, secrets: list[str]):
        from .cluster import ClusterPool, CourseBundle, folder_files, kernel_config

        course = self.course
        course_settings = {key: value for key, value in os.environ.items()
                           if key.startswith("HITPM_") and key not in ("HITPM_ANSWERS_DIR", "HITPM_LEARNER")}
        bundle = CourseBundle(course.assignment, folder_files(course.source), kernel_config(course.config),
                              self.options.limits,
                              self.options.unfenced, modules_to_preload(course), secrets, course_settings)
        pool = await ClusterPool.start(self.options.scheduler, bundle, self.log)
        self.result.fences = dict(pool.fences)
        self.log.info("fences: %s", json.dumps(pool.fences))
        return pool

    async def _local(self, secrets: list[str], gradebook: Gradebook, workers: int):
        """This machine's fork-server set up, its fences checked, and the preflight passed."""
        course, fork_server, run_dir = self.course, self.fork_server, self.run_dir
        setting_up = asyncio.create_task(fork_server.setup(modules_to_preload(course), secrets))
        preparer = Preparer(course, gradebook, run_dir)  # while the fork-server sets up
        writer = GradebookWriter(course, gradebook)
        await setting_up
        self.result.fences = dict(fork_server.fences)
        self.log.info("fences: %s", json.dumps(fork_server.fences))
        fenced = fork_server.fences.get("kernels fenced in") == "yes"
        refusal = unfenced_refusal(fork_server.fences, self.options.unfenced)
        if refusal:
            raise GradingRefused(refusal)
        if not fenced:
            self.result.fences["kernels fenced in"] = "NO (--unfenced): " + self.result.fences.get(
                "kernels fenced in", "no")
        setting = KernelSetting(fork_server, self.options.limits, course.config, fork_server.env, run_dir,
                                isolate=fenced, log=self.log)
        runner = Runner(setting, workers)
        try:
            await preflight(course, runner, secrets + fork_server.view.get("hidden", []), fenced)
        except BaseException:
            runner.close()
            raise
        return runner, preparer, writer

    async def _grade_one(self, submission: Submission, preparer: Preparer, runner: Runner,
                         writer: GradebookWriter, alone: bool = True) -> SubmissionResult:
        """`alone`: no other kernel runs beside it; otherwise a submission that runs out of time is not recorded
        but marked to be graded again alone (a 0 for a cell that only a busy machine made slow is a wrong grade)."""
        started = time.monotonic()
        student = submission.student
        result = SubmissionResult(student, False, [])
        try:
            prepared: PreparedSubmission = preparer.prepare(submission)
            result.findings.extend(prepared.findings)
            graded = {}
            for notebook in prepared.notebooks:
                if notebook.notebook is None:
                    continue
                run = await runner.run(notebook.notebook, prepared.folder, notebook.name, student,
                                       preparer.instructor(notebook.name))
                result.runs.append((notebook.name, run.worker, round(run.seconds, 3)))
                if run.infrastructure:
                    # Not the notebook's doing. No grade rather than a zero.
                    raise RuntimeError(f"{run.infrastructure}; not graded, run again")
                if not alone and ran_out_of_time(run):
                    result.again_alone = True
                    shutil.rmtree(prepared.folder, ignore_errors=True)
                    return result
                keep_written(prepared.folder, run.written)
                result.findings.extend(run_findings(student, notebook.name, run))
                try:
                    graded[notebook.name] = writer.tidy_up(run.notebook, notebook.resources)
                except Exception as error:  # noqa: BLE001 - nbgrader's metadata check, after the run
                    result.findings.append(Finding(student, "tampering", f"nbgrader's cell metadata is broken "
                                                   f"after the run ({type(error).__name__}): all its points are 0",
                                                   notebook.name))
                    notebook.notebook = None
                    continue
                result.errors.update(error_summary(graded[notebook.name]))
            writer.record(prepared, graded)
            writer.publish(prepared, graded)
            result.graded = True
            result.findings.extend(self._manual(student, result.findings))
            shutil.rmtree(prepared.folder, ignore_errors=True)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # noqa: BLE001 - one submission's failure is reported, the class goes on
            self.log.exception("could not grade %s", student)
            result.findings.append(Finding(student, "grading error", f"{type(error).__name__}: {error}"))
        result.seconds = time.monotonic() - started
        return result

    def _manual(self, student: str, findings: list[Finding]) -> list[Finding]:
        flagged = {(f.notebook, f.cell) for f in findings}
        gradebook = self.gradebook
        return [Finding(student, "manual grading", "waits for a person (formgrader)", nb.name, grade.name)
                for nb in gradebook.find_submission(self.course.assignment, student).notebooks
                for grade in nb.grades if grade.needs_manual_grade and (nb.name, grade.name) not in flagged]

    def outputs(self) -> list[Path]:
        return [output_folder(self.course, self.options)]


def keep_written(folder: Path, written: dict[str, bytes]) -> None:
    """What the notebook wrote goes into its autograded folder, as nbgrader's autograde leaves it there."""
    for relative, content in written.items():
        place_file(folder, relative, content)


def ran_out_of_time(run) -> bool:
    """A cell or the notebook hit its time limit (the runner's kill, or nbgrader's interrupt at a cell's timeout)."""
    return any(f.kind in ("cell timeout", "time limit") for f in run.failures) or any(
        output.get("ename") == "CellTimeoutError" for cell in run.notebook.cells for output in cell.get("outputs", []))


def output_folder(course: GradingCourse, options: GradeOptions) -> Path:
    return (options.output or course.root / "grading").resolve()


@contextlib.contextmanager
def _interrupt_cancels(loop: asyncio.AbstractEventLoop, tasks: list[asyncio.Task], result: ClassResult):
    """Ctrl-C (or SIGTERM) stops the run cleanly: running kernels end, finished grades stay."""

    def stop() -> None:
        result.interrupted = True
        for task in tasks:
            task.cancel()

    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, stop)
            installed.append(signum)
        except (NotImplementedError, RuntimeError):
            pass
    try:
        yield
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)


def write_runs(path: Path, results: list[SubmissionResult]) -> Path:
    """One row per notebook run of this run: who, where its kernels ran, how long it took."""
    import csv

    with open(path, "w", newline="", encoding="utf-8") as stream:
        table = csv.writer(stream)
        table.writerow(["student", "notebook", "worker", "seconds"])
        for result in sorted(results, key=lambda r: r.student):
            for notebook, worker, seconds in result.runs:
                table.writerow([result.student, notebook, worker, f"{seconds:.2f}"])
    return path


def where_it_ran(results: list[SubmissionResult]) -> str:
    """Per worker of a cluster run: how many notebooks, and their mean time ("" on one machine)."""
    by_worker: dict[str, list[float]] = {}
    for result in results:
        for _, worker, seconds in result.runs:
            by_worker.setdefault(worker, []).append(seconds)
    if set(by_worker) <= {"local"}:
        return ""
    return "; on the cluster: " + ", ".join(f"{worker} ran {len(times)} (mean {sum(times) / len(times):.1f} s)"
                                            for worker, times in sorted(by_worker.items()))


def finish(course: GradingCourse, options: GradeOptions, result: ClassResult, log: logging.Logger) -> None:
    """After grading: feedback, the CSV exports and the report (each unless told not to)."""
    from .exports import lms_export, nbgrader_export
    from .feedback import generate_feedback, needing_feedback
    from .report import update_findings, write_report

    output = output_folder(course, options)
    output.mkdir(parents=True, exist_ok=True)
    if options.feedback:
        problems = generate_feedback(course, needing_feedback(course, result.graded), result.workers or 1)
        by_student = {r.student: r for r in result.results}
        for student, problem in problems.items():
            if problem:
                log.error("feedback for %s failed: %s", student, problem)
                if student in by_student:
                    by_student[student].findings.append(Finding(
                        student, "grading error", "graded, but nbgrader could not make its feedback (see the log)"))
        result.outputs["feedback"] = Path(course.coursedir.format_path(course.coursedir.feedback_directory, ".", "."))
    kept = update_findings(output, course.assignment, result.results)
    result.outputs["runs"] = write_runs(output / f"{course.assignment}-runs.csv", result.results)
    with Gradebook(course.db_url, course.coursedir.course_id) as gradebook:
        result.outputs["grades.csv"] = nbgrader_export(course, gradebook, output / "grades.csv")
        result.outputs["lms"] = lms_export(gradebook, output / "lms-gradebook.csv")
        if options.report:
            summary = (f"this run graded {len(result.graded)} submission(s) with {result.workers} worker(s) in "
                       f"{result.seconds:.0f} s" + where_it_ran(result.results))
            result.outputs["report"] = write_report(course, gradebook, output, kept,
                                                    {"summary": summary, "fences": result.fences})
