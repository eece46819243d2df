"""The fence around a student's kernel: limits, its own user, no network, the course's secrets hidden.

Student code is untrusted. Each submission runs in its own kernel process, made by `enter()` right
after the fork-server forks it (see zygote.py) and before any student code runs. What can be fenced
depends on the machine; `probe()` finds out once per run and the report says what was in force.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import resource
import signal
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

# Linux constants (linux/sched.h, linux/mount.h, linux/prctl.h).
CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
MS_BIND, MS_REC, MS_PRIVATE = 0x1000, 0x4000, 0x40000
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1

#: When run as root, worker slot N runs its kernels as this user id plus N: a user of its own, so
#: that the process limit counts that kernel's processes only and killing "all of that user's
#: processes" ends a fork bomb, whatever it did. No account is needed for these ids.
SLOT_UID_BASE = 1_900_000_000

#: The exit code of a kernel process that could not be fenced in (it never ran student code).
EXIT_SANDBOX_FAILED = 121


@dataclass(frozen=True)
class Limits:
    """Limits on one submission's run. None means nbgrader's own setting (cell timeout) or no limit."""

    cell_timeout: int | None = None
    notebook_timeout: int = 600
    memory_mb: int = 2048
    processes: int = 64
    file_mb: int = 64
    output_kb: int = 1024

    def check(self) -> Limits:
        for name, value in asdict(self).items():
            if value is not None and (not isinstance(value, int) or value <= 0):
                raise ValueError(f"the limit {name.replace('_', ' ')} must be a whole number above 0, not {value!r}")
        return self


@dataclass
class Fence:
    """What `enter()` does in one kernel process; plain data, sent to the fork-server as JSON."""

    uid: int | None = None
    gid: int | None = None
    cut_network: bool = False
    #: Bytes of data (heap, private writable memory) the kernel may add to what it has when forked.
    memory_bytes: int | None = None
    processes: int | None = None
    file_bytes: int | None = None
    cpu_seconds: int | None = None


_libc = None


def libc():
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return _libc


def _check(result: int, what: str) -> None:
    if result != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"{what}: {os.strerror(error)}")


def unshare(flags: int) -> None:
    _check(libc().unshare(flags), "unshare")


def mount(source: str, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    _check(
        libc().mount(source.encode(), target.encode(), fstype.encode() if fstype else None, flags,
                     data.encode() if data else None),
        f"mount {target}",
    )


def _write(path: str, text: str) -> None:
    with open(path, "w") as stream:
        stream.write(text)


def _own_user_namespace() -> None:
    """Without root: a user namespace in which we may make network and mount namespaces."""
    uid, gid = os.getuid(), os.getgid()
    unshare(CLONE_NEWUSER)
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def umount(target: str) -> None:
    _check(libc().umount2(target.encode(), MNT_DETACH), f"umount {target}")


def blocked_ancestor(path: str) -> str | None:
    """The highest folder above `path` that other users may not enter (e.g. /root, mode 700)."""
    parts = Path(path).parts
    for depth in range(2, len(parts) + 1):
        folder = os.path.join(*parts[:depth])
        try:
            if not os.stat(folder).st_mode & stat.S_IXOTH:
                return folder
        except OSError:
            return None
    return None


def make_view(hide: list[str], needed: list[str], staging: str) -> list[str]:
    """Give this process (and what it forks) its own view of the files. Returns what was opened up.

    Folders in `hide` become an empty read-only tmpfs and files /dev/null. A folder other users
    cannot enter but that holds something kernels need (Python installed under /root, say) is
    covered by a tmpfs in which only the needed folders are mounted back: the kernels, running as
    other users, can import Python and nothing else of that home folder.
    """
    if os.geteuid() != 0:
        _own_user_namespace()
    unshare(CLONE_NEWNS)
    mount("none", "/", None, MS_REC | MS_PRIVATE)
    opened: dict[str, list[str]] = {}
    for path in needed:
        top = blocked_ancestor(path) if os.geteuid() == 0 else None
        if top is not None and top not in hide:
            opened.setdefault(top, []).append(path)
    for top, paths in opened.items():
        paths = [p for p in paths if not any(p != q and p.startswith(q.rstrip("/") + "/") for q in paths)]
        held = []
        for number, path in enumerate(paths):
            hold = os.path.join(staging, f"hold-{len(held)}-{number}")
            os.makedirs(hold, exist_ok=True)
            mount(path, hold, None, MS_BIND | MS_REC)
            held.append((path, hold))
        mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
        for path, hold in held:
            os.makedirs(path, mode=0o755, exist_ok=True)
            mount(hold, path, None, MS_BIND | MS_REC)
            umount(hold)
        opened[top] = paths
    for path in hide:
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
        elif os.path.exists(path):
            mount("/dev/null", path, None, MS_BIND)
    return [f"{top} (only {', '.join(paths)})" for top, paths in opened.items()]


def _in_user_namespace() -> bool:
    try:
        with open("/proc/self/uid_map") as stream:
            return stream.read().split() != ["0", "0", "4294967295"]
    except OSError:
        return False


def enter(fence: Fence) -> None:
    """Fence in this (freshly forked) process. Raises OSError if a part that was asked for fails."""
    os.setsid()
    if fence.cut_network:
        if os.geteuid() != 0 and os.getuid() == os.geteuid() and not _in_user_namespace():
            _own_user_namespace()
        unshare(CLONE_NEWNET)
    limits = [
        (resource.RLIMIT_CORE, 0),
        # Data, not the address space: threads and allocators reserve address space they never use.
        (resource.RLIMIT_DATA, None if fence.memory_bytes is None else data_size() + fence.memory_bytes),
        (resource.RLIMIT_NPROC, fence.processes),
        (resource.RLIMIT_FSIZE, fence.file_bytes),
        (resource.RLIMIT_CPU, fence.cpu_seconds),
    ]
    for which, value in limits:
        if value is not None:
            resource.setrlimit(which, (value, value))
    if fence.uid is not None:
        os.setgroups([])
        os.setgid(fence.gid if fence.gid is not None else fence.uid)
        os.setuid(fence.uid)
    # After the change of user (which clears it): die with the fork-server, never outlive a run.
    libc().prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def data_size() -> int:
    """This process's data size in bytes (VmData: heap and private writable mappings; Linux)."""
    with open("/proc/self/status") as stream:
        for line in stream:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmData in /proc/self/status")


def user_tasks(uid: int) -> int:
    """How many processes and threads `uid` runs now: the process limit counts them all."""
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count


def slot_user(slot: int) -> int | None:
    """The user id the kernels of worker slot `slot` run as; None when not root (they run as us)."""
    if os.geteuid() != 0:
        return None
    return SLOT_UID_BASE + slot


def kill_user_processes(uid: int) -> None:
    """End every process of `uid` (a slot's user): fork, become that user, signal all (-1)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            # kill(-1) reaches every process this user may signal, i.e. its own, except the caller.
            for _ in range(3):
                try:
                    os.kill(-1, signal.SIGKILL)
                except ProcessLookupError:
                    break
        finally:
            os._exit(0)
    os.waitpid(pid, 0)


def probe() -> dict[str, str]:
    """Which fences work on this machine: tried in a throw-away child, never in this process."""
    found = {}
    trials = {
        "own user per worker": Fence(uid=slot_user(0)) if os.geteuid() == 0 else None,
        "network cut off": Fence(cut_network=True),
        "memory limit": Fence(memory_bytes=8 << 30),
        "process limit": Fence(processes=4096),
    }
    for name, fence in trials.items():
        if fence is None:
            found[name] = "no: not run as root, kernels run as the instructor's user"
            continue
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            try:
                enter(fence)
                message = b"yes"
            except BaseException as error:  # noqa: BLE001 - every failure is an answer here
                message = f"no: {error}".encode()[:500]
            os.write(write, message)
            os._exit(0)
        os.close(write)
        with os.fdopen(read, "rb") as stream:
            found[name] = stream.read().decode() or "no: the trial process died"
        os.waitpid(pid, 0)
    if os.geteuid() == 0:
        found["process limit"] += " (per worker: each has its own user)" if found["process limit"] == "yes" else ""
    elif found["process limit"] == "yes":
        found["process limit"] = "yes, but shared: all kernels run as the instructor's user"
    return found
