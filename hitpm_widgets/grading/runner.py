"""Runs one notebook of one submission in fenced kernels, as nbgrader's Execute would, but survives it.

Two kernels grade a notebook (answer_plan.py): the first runs the learner's notebook and takes the
answers as data after each learner cell; the second, where no learner code ever runs, runs the
instructor's cells on those answers and gives the grade. In each kernel:

The cells run through nbgrader's own `Execute` preprocessor (the same timeouts, the same error
outputs, the same interrupt on a cell timeout), so the outputs nbgrader grades from are the same.
What stock nbgrader cannot survive is turned into an error output on the cell where it happened,
which nbgrader's `determine_grade` scores 0, and a `CellFailure` with the reason for the report:

- the kernel dies (sys.exit in a way that ends it, os._exit, a crash, the memory or CPU limit):
  a new kernel re-runs the cells before it (their outputs are kept from the first run) and the
  run goes on after it, so that the rest of the notebook is still graded;
- a cell that will not stop when interrupted after its timeout: the kernel is killed, as above;
- the notebook's wall-clock limit: the kernel is killed and the cells not yet run are marked;
- megabytes of output: what is over the limit is left out (errors, stderr and results are kept,
  so the grade is the one nbgrader would give).
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import logging
import os
import shutil
import signal
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty

import zmq.asyncio
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat import NotebookNode
from nbgrader.preprocessors import Execute
from traitlets import Unicode

from .answer_plan import (
    UNGUESSABLE_TAG,
    AnswerPlan,
    AnswersTaken,
    InstructorPart,
    importable,
    only_code_of,
    place_file,
    take_answers,
)
from .isolation import fence as fences
from .isolation.exits import CPU_SLACK, SIGNAL_REASONS, KernelExit, kernel_exit  # noqa: F401 - for the runner's users
from .isolation.forkserver import ForkServer, ForkServerError
from .isolation.kernels import FencedKernelManager

#: A kernel that dies this many times in one notebook is not started again.
MAX_KERNEL_DEATHS = 3


@dataclass
class CellFailure:
    """Why a cell has no proper output: shown in the report, and scored 0 if it is a test cell."""

    index: int
    grade_id: str | None
    kind: str
    reason: str


@dataclass
class NotebookRun:
    notebook: NotebookNode
    failures: list[CellFailure] = field(default_factory=list)
    kernel_starts: int = 0
    seconds: float = 0.0
    kernel_cpu: float = 0.0
    #: Where its kernels ran: "local", or the Dask worker's name.
    worker: str = "local"
    #: Why this run cannot be graded, when that is not the learner's doing (a kernel that never started, a
    #: test kernel that failed though no learner code ran in it): the submission is left ungraded, never 0.
    infrastructure: str | None = None
    #: Tests that passed in the learner's kernel but fail on the learner's answers: what tampering looks like.
    disagreements: list[str] = field(default_factory=list)
    #: Learner cells whose answers could not be taken as data or used in the test kernel, and why.
    answer_problems: dict[int, str] = field(default_factory=dict)
    #: Phase (a)'s answers, while the two phases are put together.
    taken: AnswersTaken | None = field(default=None, repr=False)
    #: Files the learner's notebook wrote in its folder (relative path -> content), for the autograded folder.
    written: dict[str, bytes] = field(default_factory=dict, repr=False)


def error_output(ename: str, reason: str) -> NotebookNode:
    return NotebookNode(output_type="error", ename=ename, evalue=reason, traceback=[f"{ename}: {reason}"])


def grade_id_of(cell) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


class FencedExecute(Execute):
    """nbgrader's Execute with an output budget per cell; kernels come from the runner."""

    output_budget = 1 << 20
    skip_cells_with_tag = Unicode(UNGUESSABLE_TAG)

    async def _async_poll_kernel_alive(self) -> None:
        """nbclient's watch on the kernel, which ends when its kernel does (not on the next one's)."""
        kc = self.kc
        while True:
            await asyncio.sleep(1)
            if kc is None or self.kc is not kc:
                return
            try:
                await self._async_check_alive()
            except DeadKernelError:
                if self.task_poll_for_reply is not None:
                    self.task_poll_for_reply.cancel()
                return

    async def async_start_new_kernel_client(self):
        """As nbclient's, without waiting for 0.2 s of silence on IOPub after the kernel answered.

        jupyter_client's wait_for_ready checks that IOPub is connected (a message arrives), then
        drains it until it is quiet: messages nobody reads, since cells only collect the output of
        their own request. For a kernel per submission, that wait is most of its start-up.
        """
        self.kc = self.km.client(context=self.km.context)
        self.kc.start_channels()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            self.kc.kernel_info()
            try:
                reply = await self.kc.shell_channel.get_msg(timeout=0.5)
            except Empty:
                reply = None
            if reply is not None and reply["msg_type"] == "kernel_info_reply":
                try:
                    await self.kc.iopub_channel.get_msg(timeout=0.2)
                    break
                except Empty:
                    pass  # IOPub not connected yet: ask again
            if not await self.km.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {self.startup_timeout} seconds")
        self.kc.allow_stdin = False
        return self.kc

    def reset_execution_trackers(self) -> None:
        super().reset_execution_trackers()
        self.spent: dict[int, int] = {}
        self.cut: set[int] = set()
        #: Phase (a): the plan whose learner cells leave answers; None in phase (b).
        self.taking: AnswerPlan | None = None
        self.answers = AnswersTaken()
        #: Phase (a): files the notebook wrote in its folder (relative path -> content), kept as nbgrader keeps them.
        self.written: dict[str, bytes] = {}

    def output(self, outs, msg, display_id, cell_index):
        msg_type = msg["msg_type"]
        content = msg["content"]
        if msg_type == "stream":
            size = len(content.get("text", ""))
        elif msg_type in ("display_data", "update_display_data"):
            size = sum(len(str(value)) for value in content.get("data", {}).values())
        else:  # errors and results decide the grade: always kept
            return super().output(outs, msg, display_id, cell_index)
        before = self.spent.get(cell_index, 0)
        self.spent[cell_index] = before + size
        if before + size <= self.output_budget:
            return super().output(outs, msg, display_id, cell_index)
        self.cut.add(cell_index)
        if msg_type != "stream":
            return None
        room = self.output_budget - before
        # One stderr output always stays: nbgrader scores a test cell that wrote to stderr 0.
        first_stderr = content.get("name") == "stderr" and not any(
            o.get("output_type") == "stream" and o.get("name") == "stderr" for o in outs)
        if room <= 0 and not first_stderr:
            return None
        text = content["text"][:max(room, 2000)] + "\n[hitpm grade: output over the limit was left out]\n"
        return super().output(outs, {**msg, "content": {**content, "text": text}}, display_id, cell_index)


@dataclass
class Attempt:
    """How one kernel's run went."""

    index: int
    phase: str = "start"
    timed_out: bool = False
    stuck: bool = False
    error: Exception | None = None
    reason: str = ""
    kernel_cpu: float = 0.0
    #: It ended by no doing of the notebook's (killed from outside, never fenced in): leave it ungraded.
    infrastructure: bool = False

    def out_of_time(self, km) -> None:
        """The notebook's wall-clock limit: kill the kernel; the run notices it died."""
        self.timed_out = True
        provisioner = km.provisioner
        if provisioner is not None and provisioner.pid is not None:
            try:
                os.killpg(provisioner.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


@dataclass
class KernelSetting:
    """What every kernel of a run shares: the fork-server, the limits, the environment."""

    fork_server: ForkServer
    limits: fences.Limits
    config: object
    env: dict[str, str]
    run_dir: Path
    #: Namespaces around every kernel (False only when the instructor said --unfenced).
    isolate: bool
    kernel_name: str | None = None
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("hitpm.grade"))


class Runner:
    """Runs notebooks, at most `workers` at a time, each kernel in its own slot (and user, as root)."""

    def __init__(self, setting: KernelSetting, workers: int) -> None:
        self.setting = setting
        self.slots: asyncio.Queue[int] = asyncio.Queue()
        for slot in range(workers):
            self.slots.put_nowait(slot)
        self.users = fences.SlotUsers(workers)
        self._jobs = itertools.count(1)
        # One ZeroMQ context for every kernel's sockets, rather than two new ones (with their threads) each.
        self.context = zmq.asyncio.Context()

    def close(self) -> None:
        self.context.destroy(linger=0)
        self.users.release()

    def fence(self, slot: int, job_dir: Path) -> fences.Fence:
        limits = self.setting.limits
        uid = self.users.uids[slot]
        processes = limits.processes
        if uid is None:
            # Without an own user the limit counts all the instructor's processes: allow those that run.
            processes += fences.user_tasks(os.getuid())
        return fences.Fence(
            uid=uid, gid=uid, isolate=self.setting.isolate, work=str(job_dir),
            memory_bytes=limits.memory_mb << 20, processes=processes, file_bytes=limits.file_mb << 20,
            cpu_seconds=limits.notebook_timeout + CPU_SLACK, slot=slot,
        )

    async def run(self, notebook: NotebookNode, folder: Path, notebook_name: str, learner: str,
                  instructor: InstructorPart) -> NotebookRun:
        """Grade `notebook` (already sanitized) with a copy of `folder` as its working folder, as `learner`
        (HITPM_LEARNER: the student whose submission it is, whose case variant the workbook uses).
        `instructor`: the source's cells and files, which alone the test kernel runs (answer_plan.InstructorPart)."""
        slot = await self.slots.get()
        try:
            return await self._two_phases(notebook, folder, notebook_name, slot, learner, instructor)
        finally:
            self.slots.put_nowait(slot)

    async def _two_phases(self, notebook: NotebookNode, folder: Path, notebook_name: str, slot: int, learner: str,
                          instructor: InstructorPart) -> NotebookRun:
        plan = AnswerPlan.of(notebook, instructor.cells)
        alone = plan.no_learner_code(notebook)
        if alone:
            answered = NotebookRun(notebook, taken=AnswersTaken())
        else:
            answered = await self._run(notebook, folder, notebook_name, slot, learner, taking=plan)
        if answered.infrastructure:
            return answered
        taken = answered.taken
        # Past a notebook's time limit nothing of the learner's ran: those cells stay as phase (a) left them.
        stop = min((f.index for f in answered.failures if f.kind in ("time limit", "not run")),
                   default=len(notebook.cells))
        # Files the learner's cells wrote are answers too (a table a test reads), but never code to import.
        tested = await self._run(plan.test_notebook(answered.notebook, taken, stop), folder, notebook_name, slot,
                                 learner, taking=None, code_of=instructor.test_code,
                                 written={**answered.written, **instructor.keys})
        result = NotebookRun(plan.merge(answered.notebook, tested.notebook, taken))
        result.written = answered.written
        result.kernel_starts = answered.kernel_starts + tested.kernel_starts
        result.seconds = answered.seconds + tested.seconds
        result.kernel_cpu = answered.kernel_cpu + tested.kernel_cpu
        # What the learner's kernel did to the instructor's cells is of no account: their grade is phase (b)'s.
        result.failures = [f for f in answered.failures if f.index not in plan.instructor or f.index >= stop]
        result.answer_problems = dict(taken.problems)
        for failure in tested.failures:
            if failure.kind == "output cut":
                result.failures.append(failure)
            elif result.infrastructure is None:
                result.infrastructure = (f"the test kernel, where no learner code runs, failed at cell "
                                         f"{failure.index + 1}: {failure.kind} ({failure.reason})")
        for index in plan.learner:
            if index < len(tested.notebook.cells):
                for output in tested.notebook.cells[index].get("outputs", []):
                    if output.get("output_type") == "error":
                        result.answer_problems[index] = f"{output.get('ename')}: {output.get('evalue', '')}"[:300]
        if not alone:
            in_their_kernel, on_their_answers = plan.passed(answered.notebook), plan.passed(tested.notebook)
            result.disagreements = [grade_id for grade_id, passed in in_their_kernel.items()
                                    if passed and on_their_answers.get(grade_id) is False]
        return result

    async def _run(self, notebook: NotebookNode, folder: Path, notebook_name: str, slot: int,
                   learner: str, taking: AnswerPlan | None, code_of: frozenset[str] | None = None,
                   written: dict[str, bytes] | None = None) -> NotebookRun:
        """One phase. In the test phase, `code_of`: the only importable files its working folder keeps;
        `written`: what the learner's notebook wrote, added to it."""
        setting = self.setting
        started = time.monotonic()
        deadline = started + setting.limits.notebook_timeout
        result = NotebookRun(notebook)
        client = FencedExecute(config=setting.config, log=setting.log)
        client.nb = notebook
        if setting.limits.cell_timeout is not None:
            client.timeout = setting.limits.cell_timeout
        client.output_budget = setting.limits.output_kb << 10
        client.reset_execution_trackers()
        client.taking = taking
        cells = notebook.cells
        next_cell, done_before, deaths = 0, 0, 0
        while next_cell < len(cells):
            result.kernel_starts += 1
            attempt = await self._attempt(client, folder, slot, notebook_name, learner, deadline, next_cell,
                                          done_before, code_of, written)
            result.kernel_cpu += attempt.kernel_cpu
            if attempt.error is None:
                break
            deaths += 1
            reason = attempt.reason
            if attempt.timed_out:
                self._fail(result, attempt.index, "time limit", reason)
                self._not_run(result, attempt.index + 1, f"not run: {reason}")
                break
            if attempt.phase == "start" and deaths < 2:
                continue  # once more: a kernel that did not start is not the notebook's fault
            if attempt.infrastructure:
                self._fail(result, attempt.index, "killed from outside", reason)
                result.infrastructure = f"{notebook_name}: {reason}"
                break
            if attempt.phase != "run":
                what = "start" if attempt.phase == "start" else "re-run the cells before this one"
                self._not_run(result, next_cell, f"not run: a new kernel could not {what} ({reason})")
                if attempt.phase == "start":
                    # Not the notebook's doing: its kernel never ran. No grade rather than a zero.
                    result.infrastructure = f"no kernel could be started for {notebook_name} ({reason})"
                break
            self._fail(result, attempt.index, "cell timeout" if attempt.stuck else "kernel died", reason)
            done_before, next_cell = attempt.index, attempt.index + 1
            if deaths >= MAX_KERNEL_DEATHS and next_cell < len(cells):
                self._not_run(result, next_cell, f"not run: the kernel died {deaths} times")
                break
        for index in sorted(client.cut):
            result.failures.append(CellFailure(index, grade_id_of(cells[index]), "output cut",
                                               f"more than {setting.limits.output_kb} KB of output; the rest was "
                                               "left out"))
        client.set_widgets_metadata()
        result.taken = client.answers
        result.written = client.written
        result.seconds = time.monotonic() - started
        setting.log.info("ran %s (%s) in %.2f s with %d kernel(s), kernel CPU %.2f s", notebook_name,
                         "the learner's cells" if taking is not None else "the tests", result.seconds,
                         result.kernel_starts, result.kernel_cpu)
        return result

    async def _attempt(self, client: FencedExecute, folder: Path, slot: int, notebook_name: str, learner: str,
                       deadline: float, next_cell: int, done_before: int, code_of: frozenset[str] | None,
                       written: dict[str, bytes] | None) -> Attempt:
        """One kernel: re-run cells [0, done_before) if a kernel died before, then run from next_cell."""
        setting = self.setting
        cells = client.nb.cells
        job_dir, work = self._job_folder(folder, slot, code_of, written)
        client.resources = {"metadata": {"path": str(work)}}
        fence = self.fence(slot, job_dir)
        km = FencedKernelManager(kernel_name=self._kernel_name(client.nb), config=setting.config,
                                 context=self.context)
        km.setup(setting.fork_server, job_dir.name, job_dir, fence, self._env(job_dir, learner))
        client.km, client.kc = km, None
        attempt = Attempt(index=next_cell)
        watchdog = asyncio.get_running_loop().call_at(deadline, attempt.out_of_time, km)
        try:
            await client.async_start_new_kernel(cwd=str(work))
            await client.async_start_new_kernel_client()
            info = await client.async_wait_for_reply(client.kc.kernel_info())
            if info is not None and "language_info" in info["content"]:
                client.nb.metadata["language_info"] = info["content"]["language_info"]
            attempt.phase = "replay"
            await self._replay(client, cells, done_before)
            attempt.phase = "run"
            learner_cells = set(client.taking.learner) if client.taking is not None else set()
            for index in range(next_cell, len(cells)):
                attempt.index = index
                try:
                    await client.async_execute_cell(cells[index], index, store_history=True)
                    if index in learner_cells:
                        await take_answers(client, client.taking, client.answers, index)
                except CellTimeoutError as error:
                    # Interrupted after its timeout but still busy: nothing more runs in this kernel.
                    attempt.stuck = True
                    raise DeadKernelError(str(error)) from None
        except Exception as error:  # noqa: BLE001 - whatever the kernel did (garbled messages too) is its failure
            if asyncio.current_task().cancelling():
                # We are being stopped (Ctrl-C): nbclient reports a cancelled wait as a dead kernel.
                raise asyncio.CancelledError() from error
            attempt.error = error
            client.answers.frozen.pop(attempt.index, None)  # the error output the run adds belongs with them
            attempt.reason, attempt.infrastructure = await self._why_it_ended(km, attempt, error)
            if (attempt.phase == "start" or attempt.infrastructure) and not attempt.timed_out:
                attempt.reason += log_tail(job_dir / "kernel.log")
        finally:
            watchdog.cancel()
            ended = await self._end_kernel(client, km, fence)
            attempt.kernel_cpu = (ended or {}).get("cpu", 0.0)
            if client.taking is not None:  # its kernel and everything it started have ended: nothing moves now
                client.written.update(files_written(folder, work))
            shutil.rmtree(job_dir, ignore_errors=True)
        return attempt

    @staticmethod
    async def _replay(client: FencedExecute, cells: list, upto: int) -> None:
        """After a death: run the cells before it again to rebuild the state; their first outputs stay."""
        kept, cut = cells[:upto], set(client.cut)
        try:
            for index in range(upto):
                if cells[index].cell_type == "code":
                    await client.async_execute_cell(copy.deepcopy(cells[index]), index, store_history=True)
        finally:
            cells[:upto] = kept  # nbclient puts the re-run copy in the notebook: put the original back
            for index in range(upto):
                client.clear_display_id_mapping(index)
                client.spent.pop(index, None)
                if index not in cut:
                    client.cut.discard(index)

    def _kernel_name(self, notebook: NotebookNode) -> str:
        return self.setting.kernel_name or notebook.metadata.get("kernelspec", {}).get("name") or "python3"

    def _job_folder(self, folder: Path, slot: int, code_of: frozenset[str] | None,
                    written: dict[str, bytes] | None = None) -> tuple[Path, Path]:
        job_dir = self.setting.run_dir / f"job-{next(self._jobs)}-slot{slot}"
        work = job_dir / "work" / folder.name
        home = job_dir / "home"
        shutil.copytree(folder, work, symlinks=True, ignore=None if code_of is None else only_code_of(folder, code_of))
        for relative, content in (written or {}).items():
            if importable(relative) and relative not in (code_of or frozenset()):
                continue
            place_file(work, relative, content)
        home.mkdir()
        uid = self.users.uids[slot]
        if uid is not None:
            for path in (job_dir, *job_dir.rglob("*")):
                os.lchown(path, uid, uid)
        job_dir.chmod(0o700)
        return job_dir, work

    def _env(self, job_dir: Path, learner: str) -> dict[str, str]:
        home = str(job_dir / "home")
        return {**self.setting.env, "HITPM_LEARNER": learner, "HOME": home,
                "MPLCONFIGDIR": os.path.join(home, ".matplotlib"), "IPYTHONDIR": os.path.join(home, ".ipython"),
                "TMPDIR": home}

    async def _why_it_ended(self, km, attempt: Attempt, error: Exception) -> tuple[str, bool]:
        """In words, and whether it was no doing of the notebook's (the grader's own kills come first: they
        would otherwise read as kills from outside)."""
        if attempt.timed_out:
            return f"the notebook ran longer than its {self.setting.limits.notebook_timeout} s limit", False
        if attempt.stuck:
            return "the cell did not stop when interrupted after its time limit; its kernel was stopped", False
        provisioner = km.provisioner
        info = None
        if provisioner is not None and provisioner.pid is not None:
            try:
                info = await asyncio.wait_for(self.setting.fork_server.wait_exit(provisioner.pid), 3)
            except TimeoutError:
                info = None
        elif provisioner is not None:
            info = provisioner.exit_info
        if info is None:
            return f"the kernel stopped answering ({error})", False
        ended = kernel_exit(info, self.setting.limits, started=attempt.phase != "start")
        return ended.reason, ended.infrastructure

    async def _end_kernel(self, client: FencedExecute, km: FencedKernelManager, fence: fences.Fence) -> dict | None:
        """Kill the kernel and whatever it started (a fork bomb's children too); no polite shutdown, no
        polling: its state is of no use any more. Returns how it ended, as the fork-server saw it."""
        fork_server = self.setting.fork_server
        provisioner = km.provisioner
        pid = provisioner.pid if provisioner is not None else None
        ended = provisioner.exit_info if provisioner is not None else None
        if pid is not None:
            # The kernel's group: its supervisor and the kernel, the init of its PID namespace, which takes
            # everything it started with it. Unfenced, a slot user's processes are hunted down by user.
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if fence.uid is not None:
                try:
                    await fork_server.kill_user(fence.uid)
                except ForkServerError:
                    pass
            try:
                ended = await asyncio.wait_for(fork_server.wait_exit(pid), 10)
            except TimeoutError:
                ended = None
            fork_server.forget(pid)
            provisioner.pid = None
            provisioner.exit_info = ended
        if client.kc is not None:
            client.kc.stop_channels()
            client.kc = None
        await km.cleanup_resources()
        return ended

    def _fail(self, result: NotebookRun, index: int, kind: str, reason: str) -> None:
        cell = result.notebook.cells[index]
        if cell.cell_type == "code":
            cell.outputs.append(error_output(kind.title().replace(" ", ""), reason))
        result.failures.append(CellFailure(index, grade_id_of(cell), kind, reason))

    def _not_run(self, result: NotebookRun, start: int, reason: str) -> None:
        for index in range(start, len(result.notebook.cells)):
            cell = result.notebook.cells[index]
            if cell.cell_type != "code" or not cell.source.strip():
                continue
            cell.outputs = [error_output("NotRun", reason)]
            result.failures.append(CellFailure(index, grade_id_of(cell), "not run", reason))


#: At most this much of what a notebook wrote is kept (nbgrader keeps all; a kernel may fill its disk quota).
WRITTEN_FILES, WRITTEN_BYTES = 1000, 64 << 20


def files_written(folder: Path, work: Path) -> dict[str, bytes]:
    """Regular files in `work` (the kernel's copy of `folder`) that are new or changed, but notebooks.
    Links and special files are never followed nor kept: the kernel made them."""
    found: dict[str, bytes] = {}
    total = 0
    for dirname, dirnames, filenames in os.walk(work):
        dirnames[:] = [d for d in dirnames if not os.path.islink(os.path.join(dirname, d))]
        for name in filenames:
            path = Path(dirname) / name
            relative = path.relative_to(work)
            if name.endswith(".ipynb") or len(found) >= WRITTEN_FILES:
                continue
            try:
                info = path.lstat()
                if not stat.S_ISREG(info.st_mode) or total + info.st_size > WRITTEN_BYTES:
                    continue
                before = (folder / relative).lstat() if (folder / relative).exists() else None
                if before is not None and (before.st_size, before.st_mtime_ns) == (info.st_size, info.st_mtime_ns):
                    continue
                found[relative.as_posix()] = path.read_bytes()
                total += info.st_size
            except OSError:
                continue
    return found


def log_tail(log: Path, lines: int = 6) -> str:
    try:
        text = log.read_text(errors="replace").strip().splitlines()[-lines:]
    except OSError:
        return ""
    return ("; its last words: " + " | ".join(text)) if text else ""


def describe_exit(info: dict, limits: fences.Limits, started: bool = False) -> str:
    """Why a kernel ended, in words. `started`: it had answered, so student code may have run.
    `kernel_exit` says the same with `infrastructure` (killed from outside: leave it ungraded) and `limit`."""
    return kernel_exit(info, limits, started).reason
