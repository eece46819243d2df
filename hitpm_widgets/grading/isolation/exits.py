"""Why a kernel ended, from what the fork-server saw: in words, and whether it was the notebook's doing.

The fork-server's exit message ({"exited", "code", "signal", "cpu"}) also says whether the kernel was
fenced in ("isolated": it was the init of its own PID namespace, which cannot send itself SIGKILL), and,
where its slot had a memory cgroup, what the group's counters say ("oom": "limit" when its own memory
limit stopped it, "outside" when an OOM killer other than its group's did). A kernel killed outright
that its own limits did not kill was killed from outside (the machine ran out of memory, someone ran
kill -9, the fork-server died): `KernelExit.infrastructure` is then True, and the grader should leave
the submission ungraded rather than score the cell 0.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

from .fence import EXIT_SANDBOX_FAILED, Limits

SIGNAL_REASONS = {
    signal.SIGKILL: "it was killed (signal 9): most likely it used more memory than the machine could give",
    signal.SIGSEGV: "it crashed (segmentation fault)",
    signal.SIGABRT: "it aborted (signal 6), often when memory ran out inside a library",
    signal.SIGXCPU: "it used up its CPU time limit",
    signal.SIGBUS: "it crashed (bus error)",
}

#: Seconds of CPU beyond the notebook's time limit a kernel may use (fence.Fence.cpu_seconds).
CPU_SLACK = 30


@dataclass(frozen=True)
class KernelExit:
    """How a kernel ended. `infrastructure`: not the notebook's doing (killed from outside, or the fence
    failed before it answered): leave the submission ungraded, never score it. `limit`: which of its own
    limits ended it ("memory", "cpu"), the notebook's failure, or None."""

    reason: str
    infrastructure: bool = False
    limit: str | None = None


def kernel_exit(info: dict, limits: Limits, started: bool = False) -> KernelExit:
    """Why a kernel ended. `started`: it had answered, so student code may have run."""
    number = info.get("signal")
    if number:
        if number == signal.SIGKILL:
            return _killed(info, limits)
        return KernelExit("the kernel died: " + SIGNAL_REASONS.get(number, f"it was ended by signal {number}"),
                          limit="cpu" if number == signal.SIGXCPU else None)
    code = info.get("code")
    if code == EXIT_SANDBOX_FAILED and not started:
        # Only before the kernel answers: after that, the code is the notebook's (os._exit(121)), and a
        # learner must not pass for a failed fence (whose submission is left ungraded, not scored).
        return KernelExit("the kernel could not be fenced in", infrastructure=True)
    return KernelExit(f"the kernel exited with code {code}: the code ended its own process "
                      "(os._exit, exit() or a crash that exits)")


def _killed(info: dict, limits: Limits) -> KernelExit:
    if info.get("oom") == "limit":
        return KernelExit(f"the kernel died: it used more than its memory limit ({limits.memory_mb} MB, all its "
                          "memory counted: shared memory and temporary files too) and was stopped", limit="memory")
    cpu = info.get("cpu")
    if isinstance(cpu, (int, float)) and cpu >= limits.notebook_timeout + CPU_SLACK - 1:
        # RLIMIT_CPU with equal soft and hard limits ends a process with SIGKILL, not SIGXCPU.
        return KernelExit("the kernel died: " + SIGNAL_REASONS[signal.SIGXCPU], limit="cpu")
    if info.get("oom") == "outside":
        return KernelExit("the kernel was killed from outside by the machine's out-of-memory killer (signal 9), "
                          "not by its own limits: the machine ran short of memory; not the notebook's doing",
                          infrastructure=True)
    if info.get("outside") or info.get("isolated"):
        # Fenced in, the kernel is the init of its PID namespace: nothing inside can send it SIGKILL.
        return KernelExit("the kernel was killed from outside (signal 9), not by its own limits (the machine's "
                          "out-of-memory killer, a kill -9, or the grader's fork-server ending); not the "
                          "notebook's doing", infrastructure=True)
    return KernelExit("the kernel died: " + SIGNAL_REASONS[signal.SIGKILL])
