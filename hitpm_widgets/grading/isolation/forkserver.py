"""The grader's side of the fork-server (zygote.py): start it early, set it up, spawn fenced kernels.

It is launched before the grader imports nbgrader (seconds of imports), so that both start up at
the same time on two cores; `setup` then tells it the course's modules and folders to hide.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from .fence import Fence


class ForkServerError(RuntimeError):
    pass


class ForkServer:
    def __init__(self, env: dict[str, str], run_dir: Path, modules: list[str]) -> None:
        self.env = dict(env)
        self.run_dir = run_dir
        self.log = run_dir / "fork-server.log"
        self.fences: dict[str, str] = {}
        #: What fenced kernels see (fence.View as a dict): what is bound read-only, what is hidden.
        self.view: dict = {}
        self.preload_failed: list[str] = []
        self._replies: dict[str, asyncio.Future] = {}
        self._exits: dict[int, dict] = {}
        self._exit_events: dict[int, asyncio.Event] = {}
        self._reader: asyncio.Task | None = None
        self._ready: asyncio.Future | None = None
        self._transport = None
        config = run_dir / "fork-server.json"
        staging = run_dir / "staging"
        staging.mkdir(mode=0o700, exist_ok=True)
        config.write_text(json.dumps({"grader_pid": os.getpid(), "modules": modules, "staging": str(staging)}))
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "hitpm_widgets.grading.isolation.zygote", str(config)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, env=self.env, cwd=run_dir,
                # Out of the terminal's process group: Ctrl-C is the grader's to handle (it dies with us).
                start_new_session=True,
            )

    async def setup(self, modules: list[str], hide: list[str] | None, timeout: float = 120) -> None:
        loop = asyncio.get_running_loop()
        self._stdout = asyncio.StreamReader(limit=1 << 24, loop=loop)
        self._transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(self._stdout), self.process.stdout)
        self._ready = loop.create_future()
        self._ready.add_done_callback(lambda done: done.cancelled() or done.exception())  # seen, if unawaited
        self._reader = asyncio.create_task(self._read())
        self._write({"modules": modules, "hide": hide})
        try:
            ready = await asyncio.wait_for(self._ready, timeout)
        except (TimeoutError, ForkServerError, BrokenPipeError) as error:
            await self.stop()
            raise ForkServerError(f"the kernel fork-server did not start ({error or 'timed out'})"
                                  f"{self.last_words()}") from None
        self.fences = ready["fences"]
        self.view = ready.get("view", {})
        self.preload_failed = ready.get("preload_failed", [])

    def _write(self, message: dict) -> None:
        if self.process.poll() is not None:
            raise ForkServerError(f"the kernel fork-server is not running{self.last_words()}")
        assert self.process.stdin is not None
        try:
            self.process.stdin.write((json.dumps(message) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError) as error:
            raise ForkServerError(f"the kernel fork-server is not running ({error}){self.last_words()}") from None

    def last_words(self) -> str:
        """The end of its log, for a one-line error (the run's folder, and the log, are removed at the end)."""
        try:
            lines = [line for line in self.log.read_text(errors="replace").splitlines() if line.strip()]
        except OSError:
            return ""
        return f"; it said: {lines[-1].strip()[:300]}" if lines else ""

    async def _read(self) -> None:
        while True:
            line = await self._stdout.readline()
            if not line:
                break
            message = json.loads(line)
            if "ready" in message and self._ready is not None and not self._ready.done():
                self._ready.set_result(message)
            elif "exited" in message:
                pid = message["exited"]
                self._exits[pid] = message
                self._exit_events.setdefault(pid, asyncio.Event()).set()
            elif "job" in message or "killed_user" in message:
                key = message.get("job", f"kill-{message.get('killed_user')}")
                future = self._replies.pop(key, None)
                if future is not None and not future.done():
                    future.set_result(message)
        # It ended: so did everything it forked (they die with it).
        if self._ready is not None and not self._ready.done():
            self._ready.set_exception(ForkServerError("it exited"))
        for future in self._replies.values():
            if not future.done():
                future.set_exception(ForkServerError("the kernel fork-server exited"))
        for pid, event in self._exit_events.items():
            self._exits.setdefault(pid, {"exited": pid, "code": None, "signal": signal.SIGKILL, "outside": True})
            event.set()

    async def _ask(self, key: str, request: dict) -> dict:
        future = asyncio.get_running_loop().create_future()
        self._replies[key] = future
        try:
            self._write(request)
        except ForkServerError:
            self._replies.pop(key, None)
            raise
        return await future

    async def spawn(self, job: str, argv: list[str], cwd: str, env: dict[str, str], log: str,
                    fence: Fence, exec_command: list[str] | None = None) -> int:
        reply = await self._ask(job, {
            "op": "spawn", "job": job, "argv": argv, "exec": exec_command, "cwd": cwd, "env": env,
            "log": log, "fence": asdict(fence), "launcher": "ipykernel_launcher",
        })
        if "error" in reply:
            raise ForkServerError(reply["error"])
        pid = reply["pid"]
        self._exit_events.setdefault(pid, asyncio.Event())
        return pid

    async def kill_user(self, uid: int) -> None:
        await self._ask(f"kill-{uid}", {"op": "kill_user", "uid": uid})

    def exit_of(self, pid: int) -> dict | None:
        return self._exits.get(pid)

    async def wait_exit(self, pid: int) -> dict:
        await self._exit_events.setdefault(pid, asyncio.Event()).wait()
        return self._exits[pid]

    def forget(self, pid: int) -> None:
        self._exits.pop(pid, None)
        self._exit_events.pop(pid, None)

    async def stop(self) -> None:
        """End of input: it kills what it forked and exits."""
        if self.process.poll() is None:
            try:
                assert self.process.stdin is not None
                self.process.stdin.close()
            except (BrokenPipeError, OSError):
                pass
            for _ in range(100):
                if self.process.poll() is not None:
                    break
                await asyncio.sleep(0.05)
            else:
                self.process.kill()
                self.process.wait()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)
        if self._transport is not None:
            self._transport.close()

    def kill(self) -> None:
        """Without an event loop (an error before setup): stop it now."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
