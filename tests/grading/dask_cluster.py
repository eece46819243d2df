"""A real Dask cluster on localhost, started with Dask's own commands: for the cluster test and benchmark."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from ..pipeline.course import nbgrader_env
from .postgres import free_port

DASK = Path(sys.executable).parent / "dask"


class Cluster:
    """`dask scheduler` and `dask worker`s on 127.0.0.1. Without a nanny (the default here) a killed worker
    stays dead; with one, it is started again, as `dask worker` does by default.

    `preload` is a module each worker imports first (`dask worker --preload`); `config` holds Dask settings
    as environment variables (e.g. DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES) for every process."""

    def __init__(self, folder: Path, workers: int, nanny: bool = False, preload: Path | None = None,
                 config: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.folder = folder
        self.env = {**nbgrader_env(), **(config or {})}
        self.processes: dict[str, subprocess.Popen] = {}
        self._start("scheduler", [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                                  "--no-dashboard"])
        for number in range(1, workers + 1):
            self.add_worker(f"worker{number}", nanny=nanny, preload=preload)
        self._wait_for_workers(workers)

    def add_worker(self, name: str, nanny: bool = False, preload: Path | None = None) -> None:
        self._start(name, [str(DASK), "worker", self.address, "--name", name, "--nthreads", "1",
                           "--nanny" if nanny else "--no-nanny", "--no-dashboard", "--host", "127.0.0.1",
                           "--local-directory", str(self.folder / name),
                           *(["--preload", str(preload)] if preload else [])])

    def plugins(self) -> list[str]:
        """The worker plugins the scheduler holds (and would give a worker that joins)."""
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            return sorted(client.run_on_scheduler(lambda dask_scheduler: list(dask_scheduler.worker_plugins)))

    def _start(self, name: str, command: list[str]) -> None:
        log = open(self.folder / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                                cwd=self.folder, start_new_session=True)

    def _wait_for_workers(self, count: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(count, timeout=120)

    def kill(self, name: str) -> None:
        os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(30)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    os.killpg(process.pid, signal.SIGKILL)
