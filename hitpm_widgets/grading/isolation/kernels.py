"""Kernels for grading: forked by the fork-server, fenced in, driven by jupyter_client as usual.

`FencedKernelManager` is a jupyter_client kernel manager whose kernels come from the fork-server
(forkserver.py), so nbclient (and nbgrader's Execute) run them unchanged.
Kernels listen on IPC sockets in their job folder, not TCP: a kernel without a network (its own
network namespace) cannot reach a TCP port of ours, but a socket file works across namespaces.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning.local_provisioner import LocalProvisioner

from .fence import Fence
from .forkserver import ForkServer


class FencedProvisioner(LocalProvisioner):
    """Launches the kernel through the fork-server instead of Popen."""

    fork_server: ForkServer
    job = ""
    job_dir = ""
    fence: Fence
    kernel_env: dict[str, str]
    exit_info: dict | None = None

    @property
    def has_process(self) -> bool:
        return self.pid is not None

    async def launch_kernel(self, cmd: list[str], **kwargs) -> dict:
        cwd = str(kwargs.get("cwd") or self.job_dir)
        log = os.path.join(self.job_dir, "kernel.log")
        if self.fence.uid is not None:
            for path in (self.parent.connection_file, log):
                Path(path).touch(mode=0o600)
                os.chown(path, self.fence.uid, self.fence.gid if self.fence.gid is not None else self.fence.uid)
        launcher = cmd.index("ipykernel_launcher") if "ipykernel_launcher" in cmd else -1
        same_python = launcher > 0 and cmd[launcher - 1] == "-m" and os.path.realpath(cmd[0]) == os.path.realpath(
            sys.executable)
        self.pid = await self.fork_server.spawn(
            self.job, cmd[launcher + 1:] if same_python else [], cwd, self.kernel_env, log, self.fence,
            exec_command=None if same_python else cmd,
        )
        self.pgid = self.pid  # the kernel is a session (and group) leader
        self.cwd = cwd
        return self.connection_info

    async def poll(self) -> int | None:
        if self.pid is None:
            return 0
        info = self.fork_server.exit_of(self.pid)
        if info is None:
            return None
        self.exit_info = info
        return info["code"] if info["code"] is not None else -(info["signal"] or 0)

    async def wait(self) -> int | None:
        if self.pid is None:
            return 0
        info = await self.fork_server.wait_exit(self.pid)
        self.exit_info = info
        self.fork_server.forget(self.pid)
        self.pid = None
        return info["code"] if info["code"] is not None else -(info["signal"] or 0)

    async def send_signal(self, signum: int) -> None:
        if self.pid is None:
            return
        try:
            os.killpg(self.pid, signum)
        except ProcessLookupError:
            pass
        except PermissionError:
            os.kill(self.pid, signum)

    async def kill(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGKILL)

    async def terminate(self, restart: bool = False) -> None:
        await self.send_signal(signal.SIGTERM)


class FencedKernelManager(AsyncKernelManager):
    """A kernel manager for one kernel of one submission's run."""

    def setup(self, fork_server: ForkServer, job: str, job_dir: Path, fence: Fence,
              env: dict[str, str]) -> FencedKernelManager:
        self.transport = "ipc"
        self.connection_file = str(job_dir / "kernel.json")
        self.ip = str(job_dir / "kernel-ipc")
        self.cache_ports = False
        self._fence_args = (fork_server, job, str(job_dir), fence, env)
        return self

    async def _async_pre_start_kernel(self, **kw):
        if self.provisioner is None:
            provisioner = FencedProvisioner(kernel_id=self.kernel_id or "", kernel_spec=self.kernel_spec, parent=self)
            (provisioner.fork_server, provisioner.job, provisioner.job_dir, provisioner.fence,
             provisioner.kernel_env) = self._fence_args
            provisioner.pid = None
            self.provisioner = provisioner
        return await super()._async_pre_start_kernel(**kw)
