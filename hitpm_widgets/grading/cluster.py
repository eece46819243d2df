"""Grading past one machine: kernels on Dask distributed workers, the gradebook written here alone.

Each worker runs what a local run runs, fenced in the same way: a `KernelPoolPlugin` starts the
worker's own fork-server (same namespaces, same limits) and runs the same preflight on the
assignment's source before the worker takes any submission. This process (the client) prepares
each submission exactly as a local run does, sends the prepared notebook and its folder's files to
a worker (`run_notebook`), gets the executed notebook back, and writes the gradebook itself, one
transaction per submission. So the gradebook, SQLite or PostgreSQL, has one writer; a submission
whose worker dies is run again by Dask on another worker and recorded once, when its one result
arrives; a submission that takes down every worker it lands on (Dask's `allowed-failures`, 3 by
default) is reported as not graded, with the reason.

Workers are the operator's (`dask worker`, Dask Gateway, dask-kubernetes), with the kit installed.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import threading
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import SimpleNamespace

import nbformat

from .answer_plan import InstructorPart
from .isolation.fence import Limits
from .preflight import GradingRefused
from .runner import CellFailure, NotebookRun

PLUGIN = "hitpm-kernels"


class ClusterError(GradingRefused):
    """The cluster cannot grade this run (unreachable, no workers, a worker's preflight failed)."""


class WorkerNotReady(RuntimeError):
    """The worker a submission was sent to has not passed its preflight (yet, or ever): the client sends it again."""


#: Times a submission is sent again when it lands on a worker not ready to grade (one joining, or leaving).
NOT_READY_TRIES = 10


@dataclass
class CourseBundle:
    """What a worker needs to grade the assignment, sent once when the plugin is registered."""

    assignment: str
    #: The assignment's source folder, file by file: the preflight runs its solution.
    source_files: dict[str, bytes]
    config: dict
    limits: Limits
    unfenced: bool
    modules: list[str]
    secrets: list[str] = field(default_factory=list)
    #: The course's settings kernels read (HITPM_COURSE_ID, HITPM_VARIANT_KEY: the learners' case
    #: variants), from the client's environment: a worker's own may not have them.
    kernel_env: dict[str, str] = field(default_factory=dict)


#: The only parts of the course's configuration a worker's kernels use (nbgrader's Execute, nbclient, the kernel
#: manager). Nothing else leaves the client: not the gradebook's URL and its password, not the course's folders.
KERNEL_SECTIONS = ("Execute", "ExecutePreprocessor", "NotebookClient", "KernelManager", "AsyncKernelManager",
                   "KernelClient", "FencedExecute", "FencedKernelManager")


def kernel_config(config) -> dict:
    """What of the course's traitlets configuration goes to the workers."""
    from traitlets.config import Config

    return Config({section: config[section] for section in KERNEL_SECTIONS if section in config})


def folder_files(folder: Path) -> dict[str, bytes]:
    return {str(path.relative_to(folder)): path.read_bytes() for path in sorted(folder.rglob("*")) if path.is_file()}


def write_files(folder: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        target = folder / name
        if not target.resolve().is_relative_to(folder.resolve()):
            raise ValueError(f"{name} lies outside the submission")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


try:
    from distributed.diagnostics.plugin import WorkerPlugin
except ImportError:  # the kit without its cluster extra: only the client's error message needs this module
    WorkerPlugin = object


class KernelPoolPlugin(WorkerPlugin):
    """On each worker: an event loop thread holding a fork-server and a Runner, as a local run has them."""

    def __init__(self, bundle: CourseBundle) -> None:
        self.bundle = bundle

    async def setup(self, worker) -> None:
        #: True once this worker's own preflight passed: until then, and for ever if it failed, it grades nothing.
        self.ready = False
        self.runner = None
        self.threads = max(1, worker.state.nthreads)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="hitpm-kernels", daemon=True)
        self.thread.start()
        joining = not _heartbeat_running(worker)
        try:
            self.fences = await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(self._start(), self.loop))
        except BaseException as error:
            log = logging.getLogger("hitpm.grade.worker")
            if not joining:
                raise  # the client hears of it and refuses the run; the worker stays for the next one
            # A worker that joins after the run began has nobody to tell: it leaves the cluster rather than be
            # sent submissions it would only refuse.
            log.error("hitpm: this worker cannot grade (%s): it leaves the cluster", error)
            asyncio.get_running_loop().call_soon(lambda: asyncio.ensure_future(
                worker.close(reason="hitpm preflight failed")))
            raise
        self.ready = True

    async def _start(self) -> dict[str, str]:
        from .isolation.launch import launch
        from .preflight import preflight, unfenced_refusal
        from .runner import KernelSetting, Runner

        bundle = self.bundle
        self.run_dir, self.fork_server = launch()
        self.fork_server.env.update(bundle.kernel_env)
        self.runner = None
        log = logging.getLogger("hitpm.grade.worker")
        await self.fork_server.setup(bundle.modules, bundle.secrets)
        fences = dict(self.fork_server.fences)
        fenced = fences.get("kernels fenced in") == "yes"
        refusal = unfenced_refusal(fences, bundle.unfenced)
        if refusal:
            raise GradingRefused(refusal)
        if not fenced:
            fences["kernels fenced in"] = "NO (--unfenced): " + fences.get("kernels fenced in", "no")
        setting = KernelSetting(self.fork_server, bundle.limits, bundle.config, self.fork_server.env, self.run_dir,
                                isolate=fenced, log=log)
        self.runner = Runner(setting, self.threads)
        source = self.run_dir / "source" / bundle.assignment
        source.mkdir(parents=True, mode=0o700)
        write_files(source, bundle.source_files)
        await preflight(SimpleNamespace(source=source, assignment=bundle.assignment), self.runner,
                        bundle.secrets + self.fork_server.view.get("hidden", []), fenced)
        shutil.rmtree(source.parent, ignore_errors=True)
        return fences

    def run(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def teardown(self, worker) -> None:
        async def stop() -> None:
            if self.runner is not None:
                self.runner.close()
            if getattr(self, "fork_server", None) is not None:
                await self.fork_server.stop()

        try:
            self.run(stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            shutil.rmtree(self.run_dir, ignore_errors=True)


def _heartbeat_running(worker) -> bool:
    """A worker registering with the scheduler adds its plugins before it starts its heartbeat; one already in
    the cluster when the plugin is registered has it running."""
    heartbeat = getattr(worker, "periodic_callbacks", {}).get("heartbeat")
    return heartbeat is None or heartbeat.is_running()


def run_notebook(payload: dict) -> dict:
    """A Dask task: run one prepared notebook in this worker's fenced kernels; return what ran."""
    from distributed import get_worker

    worker = get_worker()
    pool: KernelPoolPlugin | None = worker.plugins.get(PLUGIN)
    if pool is None or not getattr(pool, "ready", False):
        # Never a kernel whose preflight did not pass: the client sends the submission again, to another worker.
        raise WorkerNotReady(f"Dask worker {worker.name or worker.address} has not passed hitpm's preflight")
    scratch = Path(tempfile.mkdtemp(prefix="submission-", dir=pool.run_dir))
    try:
        folder = scratch / payload["assignment"]
        folder.mkdir(mode=0o700)
        write_files(folder, payload["files"])
        notebook = nbformat.from_dict(payload["notebook"])
        run = pool.run(pool.runner.run(notebook, folder, payload["name"], payload["learner"],
                                       InstructorPart.from_dict(payload["instructor"])))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {"notebook": run.notebook, "failures": [asdict(f) for f in run.failures], "kernel_starts": run.kernel_starts,
            "seconds": run.seconds, "kernel_cpu": run.kernel_cpu, "worker": worker.name or worker.address,
            "infrastructure": run.infrastructure, "disagreements": run.disagreements,
            "answer_problems": run.answer_problems, "written": run.written}


class ClusterPool:
    """The client's side: the same `run()` as a local Runner, each notebook a task on the cluster."""

    def __init__(self, client, threads: int, fences: dict[str, str], log: logging.Logger) -> None:
        self.client = client
        self.threads = threads
        self.fences = fences
        self.log = log
        # The grader prepares submissions ahead, but only as many go to the cluster as it has slots: Dask
        # blames every task queued on a worker that dies, so a task waiting beside one that crashes its
        # worker would share its blame.
        self.slots = asyncio.Semaphore(threads)

    @classmethod
    async def start(cls, address: str, bundle: CourseBundle, log: logging.Logger, timeout: float = 20) -> ClusterPool:
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError("grading on a cluster needs Dask distributed: pip install 'hitpm[cluster]'") from None
        try:
            client = await Client(address, asynchronous=True, timeout=timeout)
        except (OSError, TimeoutError) as error:
            raise ClusterError(f"cannot reach the Dask scheduler at {address} ({error})") from None
        try:
            threads = await client.nthreads()
            if not threads:
                await client.wait_for_workers(1, timeout=timeout)
                threads = await client.nthreads()
            answers = await client.register_plugin(KernelPoolPlugin(bundle), name=PLUGIN)
            failed = {worker: answer for worker, answer in (answers or {}).items()
                      if isinstance(answer, dict) and answer.get("status") == "error"}
            if failed:
                worker, answer = next(iter(failed.items()))
                raise ClusterError(f"worker {worker} cannot grade: {answer.get('exception_text') or answer}")
            fences = await client.run(lambda dask_worker: dask_worker.plugins[PLUGIN].fences)
        except ClusterError:
            await _unregister(client)
            await client.close()
            raise
        except Exception as error:  # noqa: BLE001 - whatever a worker's setup raised, said in one line
            await _unregister(client)
            await client.close()
            raise ClusterError(f"the cluster's workers could not set up grading ({type(error).__name__}: "
                               f"{str(error).strip().splitlines()[0] if str(error).strip() else ''})") from None
        distinct = {tuple(sorted(found.items())) for found in fences.values()}
        first = dict(next(iter(distinct))) if distinct else {}
        if len(distinct) > 1:
            first["workers differ"] = "yes: the fences above are one worker's; see the grading log"
            log.warning("workers' fences differ: %s", fences)
        first["workers"] = f"{len(threads)} Dask worker(s), {sum(threads.values())} kernel slot(s) at {address}"
        return cls(client, sum(threads.values()), first, log)

    async def run(self, notebook, folder: Path, notebook_name: str, learner: str,
                  instructor: InstructorPart) -> NotebookRun:
        from distributed import KilledWorker

        payload = {"assignment": folder.name, "files": folder_files(folder), "notebook": notebook,
                   "name": notebook_name, "learner": learner, "instructor": instructor.to_dict()}
        async with self.slots:
            for tries in range(1, NOT_READY_TRIES + 1):
                future = self.client.submit(run_notebook, payload, pure=False,
                                            key=f"hitpm-{learner}-{notebook_name}-{uuid.uuid4().hex[:8]}")
                try:
                    answer = await future
                    break
                except WorkerNotReady as error:
                    if tries == NOT_READY_TRIES:
                        raise RuntimeError(f"{error}, nor had the workers it was sent to after it, {tries} times: "
                                           "not graded (run again)") from None
                    self.log.info("%s %s sent again: %s", learner, notebook_name, error)
                    await asyncio.sleep(min(tries, 5))
                except KilledWorker as error:
                    raise RuntimeError(f"every Dask worker it was sent to died while it was there ({error}): it "
                                       "may crash its worker, or have been beside one that did; not graded (hitpm "
                                       "grade --student with its name tries it alone)") from None
                except asyncio.CancelledError:
                    await future.cancel()
                    raise
        run = NotebookRun(nbformat.from_dict(answer["notebook"]),
                          [CellFailure(**failure) for failure in answer["failures"]],
                          answer["kernel_starts"], answer["seconds"], answer["kernel_cpu"])
        run.worker = str(answer["worker"])
        run.infrastructure = answer["infrastructure"]
        run.disagreements = list(answer["disagreements"])
        run.answer_problems = {int(index): why for index, why in answer["answer_problems"].items()}
        run.written = dict(answer["written"])
        self.log.info("%s %s ran on %s in %.2f s", learner, notebook_name, run.worker, run.seconds)
        return run

    def close(self) -> None:
        pass

    async def stop(self) -> None:
        await _unregister(self.client)
        await self.client.close()


async def _unregister(client) -> None:
    """The plugin off every worker (its teardown stops the worker's kernels and fork-server) and off the
    scheduler, so that no worker joining later starts one for a run that is over."""
    try:
        await client.unregister_worker_plugin(PLUGIN)
    except Exception:  # noqa: BLE001 - not registered yet, or workers stopping anyway
        pass
