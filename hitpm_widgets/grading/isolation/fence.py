"""The fence around a student's kernel: limits, its own user, its own view of the machine, no network.

Student code is untrusted. Each submission runs in its own kernel process, fenced in by `enter()`
right after the fork-server forks it (see zygote.py) and before any student code runs. With
namespaces (root, or an ordinary user where the system allows user namespaces) the kernel gets what
bubblewrap or a container would give it, without either:

- a mount namespace whose root is a fresh tmpfs holding, read-only, the system folders and the
  Python environment (only the folders its imports come from), its own job folder read-write, a
  private /tmp and /dev/shm, and nothing else: no course, no gradebook, no classmate, no home;
- a PID namespace: the kernel is its init, so whatever it starts (setsid or not) ends with it;
- a network namespace with no interface but a down loopback;
- an IPC namespace (SysV shared memory, semaphores and message queues of its own, gone with it) and a
  UTS namespace (its own host name);
- no capability left, and no way to gain one (no_new_privs), so none of this can be undone.

As root each worker slot also has control groups (cgroups.py): its memory counted whole (shared memory
and tmpfs too), an equal CPU share, a task limit. Without namespaces (`--unfenced`) only the limits and,
as root, the own user and the slot's cgroups apply.
`probe()` finds out once per run what works here; the report says what was in force.
"""

from __future__ import annotations

import os
import resource
import select
import signal
from dataclasses import asdict, dataclass, field

from . import cgroups
from .syscalls import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    CLONE_NEWUTS,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    PR_SET_NO_NEW_PRIVS,
    PR_SET_PDEATHSIG,
    bind,
    drop_capabilities,
    mount,
    pivot_root,
    prctl,
    remount_read_only,
    sethostname,
    umount,
    unshare,
)

#: When run as root, worker slot N runs its kernels as this user id plus N: a user of its own, so
#: that the process limit counts that kernel's processes only and killing "all of that user's
#: processes" ends a fork bomb, whatever it did. No account is needed for these ids.
SLOT_UID_BASE = 1_900_000_000

#: The exit code of a kernel process that could not be fenced in (it never ran student code).
EXIT_SANDBOX_FAILED = 121

#: The system's folders a kernel may read (where they exist): programs, libraries, settings.
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")

#: Never bound whole, even if an import path says so: homes and shared places hold other people's work.
TOO_BROAD = ("/", "/home", "/root", "/srv", "/tmp", "/var", "/var/tmp", "/mnt", "/media", "/opt", "/run")

#: Hidden inside what is bound: Jupyter's system-wide settings (a gradebook's password may be there).
ALWAYS_HIDDEN = ("/etc/jupyter", "/usr/local/etc/jupyter", "/usr/etc/jupyter")

#: The host name a fenced kernel sees (in a UTS namespace of its own): not the machine's.
HOST_NAME = "grading"

#: Device nodes a Python kernel uses.
DEVICES = ("null", "zero", "full", "random", "urandom")


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
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value <= 0):
                raise ValueError(f"the limit {name.replace('_', ' ')} must be a whole number above 0, not {value!r}")
        return self


@dataclass
class View:
    """What a fenced kernel sees of the files: plain data, made once per run by the fork-server."""

    #: Bound read-only at the same path: the system folders and the Python environment.
    read_only: list[str] = field(default_factory=list)
    #: Covered where they lie inside what is bound (course folders, teaching notes, Jupyter settings).
    hidden: list[str] = field(default_factory=list)
    #: An empty folder on which each kernel builds its own root (in its own mount namespace).
    root: str = ""


@dataclass
class Fence:
    """What `enter()` does in one kernel process; plain data, sent to the fork-server as JSON."""

    uid: int | None = None
    gid: int | None = None
    #: Mount, PID and network namespaces (and a user namespace when not root); needs `view` and `work`.
    isolate: bool = False
    view: dict | None = None
    #: The job folder: the only place outside /tmp the kernel may write.
    work: str | None = None
    #: Bytes of data (heap, private writable memory) the kernel may add to what it has when forked.
    memory_bytes: int | None = None
    processes: int | None = None
    file_bytes: int | None = None
    cpu_seconds: int | None = None
    tmp_mb: int = 256
    #: The worker slot the kernel runs in: its cgroups, where the fork-server has them.
    slot: int | None = None
    #: The cgroup.procs files of the slot's groups, filled in by the fork-server: joined before student code.
    cgroups: list[str] = field(default_factory=list)


def enter(fence: Fence, parent: int) -> None:
    """Fence in this process, just forked by the fork-server (`parent`). Raises OSError if a part fails.

    With namespaces this process stays outside as the kernel's supervisor (it waits for the kernel and
    exits as it did, so the fork-server sees one process per kernel) and returns only in the kernel.
    """
    watch = _die_with(parent)
    os.setsid()
    root = os.geteuid() == 0
    if fence.isolate:
        uid, gid = os.getuid(), os.getgid()
        unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS |
                (0 if root else CLONE_NEWUSER))
        if not root:
            _map_own_user(uid, gid)
        watch = _supervise()
        cgroups.join(fence.cgroups)  # the kernel, not its supervisor; before the view hides /sys
        sethostname(HOST_NAME)
        _enter_view(fence)
    else:
        cgroups.join(fence.cgroups)
    _limit(fence)
    if fence.uid is not None:
        os.setgroups([])
        os.setgid(fence.gid if fence.gid is not None else fence.uid)
        os.setuid(fence.uid)
        _recheck(watch)  # a change of user clears the parent-death signal: set it again, look again
    if fence.isolate and not root:
        drop_capabilities()
    else:
        prctl(PR_SET_NO_NEW_PRIVS, 1)


def _die_with(parent: int):
    """Die when the fork-server does, even if it died a moment ago."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(EXIT_SANDBOX_FAILED)
    return ("pid", parent)


def _recheck(watch) -> None:
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    kind, what = watch
    if kind == "pid" and os.getppid() != what:
        os._exit(EXIT_SANDBOX_FAILED)
    if kind == "pipe" and select.select([what], [], [], 0)[0]:  # end of file: the supervisor is gone
        os._exit(EXIT_SANDBOX_FAILED)


def _map_own_user(uid: int, gid: int) -> None:
    _write("/proc/self/setgroups", "deny")
    _write("/proc/self/uid_map", f"{uid} {uid} 1")
    _write("/proc/self/gid_map", f"{gid} {gid} 1")


def _write(path: str, text: str) -> None:
    with open(path, "w") as stream:
        stream.write(text)


def _supervise():
    """Fork the kernel as init of the new PID namespace; this process waits and exits as it does."""
    alive_read, alive_write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(alive_write)
        # The parent is in another PID namespace (getppid() says 0): its end of a pipe tells if it lives.
        watch = ("pipe", alive_read)
        _recheck(watch)
        return watch
    os.close(alive_read)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for signum in (signal.SIGINT, signal.SIGHUP, signal.SIGQUIT):
        signal.signal(signum, signal.SIG_IGN)  # the kernel gets them from its process group directly
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(EXIT_SANDBOX_FAILED)
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        if number not in (signal.SIGKILL, signal.SIGSTOP):  # those two cannot be handled, nor reset
            signal.signal(number, signal.SIG_DFL)
        os.kill(os.getpid(), number)  # end as the kernel ended, so the fork-server sees how
        os._exit(128 + number)
    os._exit(os.WEXITSTATUS(status))


def _enter_view(fence: Fence) -> None:
    """Build this kernel's root from the view and move into it; the machine's root is let go."""
    view = View(**(fence.view or {}))
    if not view.root or not fence.work:
        raise OSError("the fence has no view: nothing to build the kernel's root from")
    new = view.root
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("tmpfs", new, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=4m")
    places = [(path, "ro") for path in view.read_only] + [("/tmp", "tmp"), ("/dev", "dev"), ("/proc", "proc"),
                                                            (fence.work, "rw")]
    for path, kind in sorted(places, key=lambda place: (place[0].count("/"), place[0])):
        target = new + path
        if kind == "ro":
            _bind_read_only(path, target)
        elif kind == "rw":
            os.makedirs(target, exist_ok=True)
            bind(path, target, read_only=False)
        elif kind == "tmp":
            os.makedirs(target, exist_ok=True)
            mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, f"mode=1777,size={fence.tmp_mb}m")
        elif kind == "dev":
            _make_dev(target)
        else:
            os.makedirs(target, exist_ok=True)
            try:
                mount("proc", target, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
            except OSError:  # some containers refuse a new /proc; the machine's shows more, but works
                mount("/proc", target, None, MS_BIND | MS_REC)
    for path in (*view.hidden, *ALWAYS_HIDDEN):
        _hide(new + path)
    os.chdir(new)
    pivot_root(".", ".")
    umount(".")  # the machine's root, stacked under the new one by pivot_root
    os.chdir("/")
    remount_read_only("/", MS_NOSUID | MS_NODEV)


def _bind_read_only(path: str, target: str) -> None:
    if os.path.islink(path):
        if not os.path.lexists(target):
            os.makedirs(os.path.dirname(target), exist_ok=True)
            os.symlink(os.readlink(path), target)
        return
    if os.path.isdir(path):
        os.makedirs(target, exist_ok=True)
    elif os.path.exists(path):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        open(target, "a").close()  # noqa: SIM115 - a mount point
    else:
        return
    bind(path, target, read_only=True)


def _make_dev(target: str) -> None:
    os.makedirs(target, exist_ok=True)
    mount("tmpfs", target, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k")
    for name in DEVICES:
        node = os.path.join(target, name)
        open(node, "a").close()  # noqa: SIM115 - a mount point
        mount(f"/dev/{name}", node, None, MS_BIND)
    for name, points_to in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"), ("stdout", "/proc/self/fd/1"),
                            ("stderr", "/proc/self/fd/2")):
        os.symlink(points_to, os.path.join(target, name))
    shm = os.path.join(target, "shm")
    os.makedirs(shm)
    mount("tmpfs", shm, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777,size=64m")
    remount_read_only(target, MS_NOSUID | MS_NOEXEC)


def _hide(target: str) -> None:
    if os.path.isdir(target) and not os.path.islink(target):
        mount("tmpfs", target, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=4k,mode=0555")
    elif os.path.lexists(target) and not os.path.islink(target):
        mount("/dev/null", target, None, MS_BIND)


def _limit(fence: Fence) -> None:
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


def data_size() -> int:
    """This process's data size in bytes (VmData: heap and private writable mappings; Linux)."""
    with open("/proc/self/status") as stream:
        for line in stream:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmData in /proc/self/status")


def close_inherited_descriptors() -> None:
    """Every descriptor above stderr, however high: the fork-server's pipes and sockets stay out."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    os.closerange(3, 1 << 20 if hard == resource.RLIM_INFINITY else max(hard, 1 << 16))


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


def thread_count() -> int:
    """Threads of this process as the kernel counts them (native ones too, unlike `threading`)."""
    return len(os.listdir("/proc/self/task"))


def slot_user(slot: int) -> int | None:
    """The user id the kernels of worker slot `slot` run as; None when not root (they run as us).

    Only for a single trial: a run claims its users with `SlotUsers`, unique on this machine.
    """
    if os.geteuid() != 0:
        return None
    return SLOT_UID_BASE + slot


class SlotUsers:
    """User ids for a run's kernel slots that no other run on this machine uses at the same time.

    Two graders (two courses, two Dask workers on one machine) must not share a slot user: killing "all
    of that user's processes" would end the other's kernel, and the process limit would be shared.
    Each id is held by a lock on a file in /tmp for as long as this object lives (the system drops it
    if the process dies). Not root: no own users (kernels run as the instructor).
    """

    FOLDER = "/tmp"
    MOST = 100_000

    def __init__(self, count: int) -> None:
        import fcntl

        self._held = []
        self.uids: list[int | None] = []
        if os.geteuid() != 0:
            self.uids = [None] * count
            return
        for offset in range(self.MOST):
            if len(self.uids) == count:
                break
            uid = SLOT_UID_BASE + offset
            handle = open(os.path.join(self.FOLDER, f"hitpm-grade-uid-{uid}.lock"), "a")  # noqa: SIM115 - held
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                continue
            self._held.append(handle)
            self.uids.append(uid)
        if len(self.uids) < count:
            self.release()
            raise OSError(f"no free grading user ids: {self.MOST} are in use")

    def release(self) -> None:
        for handle in self._held:
            handle.close()
        self._held = []


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


def _trial(fence: Fence | None, check=None) -> str:
    """Enter `fence` in a throw-away child (never in this process) and run `check` inside: its answer."""
    if fence is None:
        return "no: not run as root, kernels run as the instructor's user"
    read, write = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            enter(fence, parent)
            message = (check() if check else None) or "yes"
        except BaseException as error:  # noqa: BLE001 - every failure is an answer here
            message = f"no: {error}"
        os.write(write, message.encode()[:2000])
        os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as stream:
        answer = stream.read().decode() or "no: the trial process died"
    os.waitpid(pid, 0)
    return answer


def probe(view: View, staging: str, groups: cgroups.Cgroups | None = None, no_groups: str = "") -> dict[str, str]:
    """Which fences work on this machine, each tried in a throw-away child. "kernels fenced in" is the
    one the run depends on: namespaces built and checked from inside (what must be hidden is).
    `groups`: the run's cgroups (or None, and `no_groups` says why); "limits" sums up what holds."""
    work = os.path.join(staging, "probe-work")
    os.makedirs(work, exist_ok=True)
    users = SlotUsers(1)
    uid = users.uids[0]
    if uid is not None:
        os.chown(work, uid, uid)

    def inside() -> str | None:
        seen = [path for path in (*view.hidden, *ALWAYS_HIDDEN) if _visible(path)]
        if seen:
            return f"no: still visible inside the fence: {', '.join(seen[:3])}"
        if os.getpid() != 1:
            return "no: the kernel is not alone in its process namespace"
        if os.uname().nodename != HOST_NAME:
            return "no: the kernel sees the machine's host name (no UTS namespace of its own)"
        unreadable = [path for path in view.read_only if os.path.exists(path) and not os.access(path, os.R_OK)]
        if unreadable:
            return f"no: the grading user cannot read {unreadable[0]}"
        return None

    found = {
        "kernels fenced in": _trial(Fence(uid=uid, gid=uid, isolate=True, view=asdict(view), work=work), inside),
        "own user per worker": _trial(Fence(uid=uid, gid=uid) if uid is not None else None),
        "memory limit": _trial(Fence(memory_bytes=8 << 30)),
        "process limit": _trial(Fence(processes=4096)),
    }
    users.release()
    fenced = found["kernels fenced in"] == "yes"
    found["network cut off"] = "yes (a network namespace of its own)" if fenced else "no"
    found["processes end with their kernel"] = "yes (a PID namespace of its own)" if fenced else \
        "no: only the kernel's process group is killed"
    found["shared memory private"] = ("yes (an IPC namespace of its own: SysV segments, semaphores and queues end "
                                      "with the kernel)" if fenced else "no: SysV segments may outlive the kernel")
    found["course folders hidden"] = (f"yes: kernels see only the system and Python folders "
                                      f"({len(view.read_only)} read-only) and their own copy" if fenced else "no")
    if os.geteuid() == 0:
        found["process limit"] += " (per worker: each has its own user)" if found["process limit"] == "yes" else ""
    elif found["process limit"] == "yes":
        found["process limit"] = "yes, but shared: all kernels run as the instructor's user"
    _probe_groups(found, groups, no_groups)
    return found


def _probe_groups(found: dict[str, str], groups: cgroups.Cgroups | None, no_groups: str) -> None:
    """The cgroup lines of the fences report: tried by joining a throw-away slot's groups."""
    controllers: list[str] = []
    if groups is not None:
        try:
            joined = _trial(Fence(cgroups=groups.slot("probe", 8 << 30, 4096)))
            controllers = groups.controllers if joined == "yes" else []
            no_groups = "" if joined == "yes" else joined.removeprefix("no: ")
        except OSError as error:
            no_groups = f"cannot set a cgroup's limits ({error})"
        groups.drop_slot("probe")
    why = f" (no cgroups: {no_groups})" if no_groups else ""
    data = found["memory limit"] == "yes"
    if "memory" in controllers:
        found["memory limit"] = ("yes: all of a kernel's memory is counted (a memory cgroup per worker: shared "
                                 "memory and temporary files too)" + (", and its data size" if data else ""))
    elif data:
        found["memory limit"] = ("yes, but data size only: shared mappings, SysV and POSIX shared memory are not "
                                 "counted" + why)
    found["CPU share"] = ("yes: each worker has an equal share (a cpu cgroup per worker)" if "cpu" in controllers
                          else "no: a kernel's busy processes compete with every other kernel's" + why)
    if "pids" in controllers:
        found["process limit"] += "; and a task limit per worker (a pids cgroup)"
    killed = ("its own memory limit told apart from the machine (cgroup counters)" if "memory" in controllers
              else "taken as killed from outside (not the notebook's doing)" if found.get("kernels fenced in") == "yes"
              else "taken as the notebook's doing (it could have killed itself)")
    held = [name for name, ok in (
        ("time", True), ("memory counted whole", "memory" in controllers), ("data size", data),
        ("processes", found["process limit"].startswith("yes")), ("file size", True),
        ("CPU share", "cpu" in controllers), ("task count", "pids" in controllers)) if ok]
    lost = [name for name in ("memory counted whole", "CPU share", "task count") if name not in held]
    found["limits"] = (f"in force: {', '.join(held)}; " + (f"not in force: {', '.join(lost)}{why}; " if lost else "")
                       + f"a kernel killed outright (signal 9): {killed}")


def _visible(path: str) -> bool:
    try:
        if os.path.isdir(path):
            return bool(os.listdir(path))
        return os.path.exists(path) and os.path.getsize(path) > 0
    except OSError:
        return False
