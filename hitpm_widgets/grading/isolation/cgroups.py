"""Control groups for kernels, where the grader is root: memory counted whole, a fair CPU share, a task count.

RLIMIT_DATA counts a kernel's heap and private writable memory, not shared mappings, SysV or POSIX
shared memory or tmpfs files: a kernel could map gigabytes under a 100 MB limit. A memory cgroup
counts every page the kernel's processes touch, whatever kind it is. The fork-server (root) makes one
group per run under the group it runs in (never above it: the run stays inside whatever limits the
machine put on the grader), one group per worker slot inside that, with the slot's limits; each kernel
joins its slot's group before any student code runs (`join`, called by `fence.enter`), and the run's
group is removed at the end (those of a run killed outright, by the next run).

cgroup v1 (one hierarchy per controller, e.g. /sys/fs/cgroup/memory) and v2 (one unified hierarchy with
`cgroup.controllers`) are both handled. Without root, or without a writable hierarchy, there are no
cgroups: `Cgroups.create` says why, and the run's fences report says which limits do not hold then.

The groups' counters also tell how a kernel killed outright (SIGKILL) died: by its own memory limit
(the notebook's doing) or from outside (the machine's OOM killer, someone's kill: not the learner's).
"""

from __future__ import annotations

import errno
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

#: The prefix of a run's group; the grader's process id follows (for finding groups of dead runs).
RUN_PREFIX = "hitpm-grade-"

#: Every slot has the same CPU share (v1 cpu.shares, v2 cpu.weight): the default's, so that a slot competes
#: as one process would, however many busy processes its kernel starts.
CPU_SHARES = 1024
CPU_WEIGHT = 100

#: Tasks (processes and threads) a slot's group may hold beyond its process limit: the per-user
#: RLIMIT_NPROC stays the first to refuse, with the usual error; the group's limit is the second line.
TASK_HEADROOM = 16

CONTROLLERS = ("memory", "pids", "cpu")

#: v1: a group whose peak came this close to its limit had a charge refused (a huge page and a page).
PEAK_MARGIN = (2 << 20) + 4096


@dataclass(frozen=True)
class Counters:
    """A slot group's memory events, cumulative since the group was made; -1 where not available."""

    #: The group's usage reached its limit (v1 memory.failcnt, v2 memory.events "max").
    limit_hits: int = -1
    #: The group's own OOM killer was invoked because of its limit (v2 memory.events "oom"; not in v1).
    limit_ooms: int = -1
    #: Processes in the group killed by any OOM killer, its own or the machine's (v1 memory.oom_control
    #: "oom_kill", v2 memory.events "oom_kill").
    oom_kills: int = -1


def oom_verdict(before: Counters, after: Counters) -> str | None:
    """How the memory counters changed over a kernel's life: "limit" (its group's own limit stopped it),
    "outside" (an OOM killer other than its group's killed a process in it: the machine ran out), or None."""
    killed = after.oom_kills > before.oom_kills >= 0
    if after.limit_ooms >= 0 and before.limit_ooms >= 0:
        own = after.limit_ooms > before.limit_ooms
    else:
        own = after.limit_hits > before.limit_hits >= 0
    if own and (killed or after.oom_kills < 0):
        return "limit"
    if killed:
        return "outside"
    return None


def _read(path: Path) -> str:
    return path.read_text().strip()


def _write(path: Path, value: str) -> None:
    with open(path, "w") as stream:
        stream.write(value)


def _mounts() -> list[tuple[str, str, str, set[str]]]:
    """(mount point, root inside the hierarchy, type, super options) of every cgroup file system."""
    found = []
    with open("/proc/self/mountinfo") as stream:
        for line in stream:
            left, _, right = line.partition(" - ")
            fields, tail = left.split(), right.split()
            if len(tail) >= 3 and tail[0] in ("cgroup", "cgroup2"):
                found.append((fields[4].replace("\\040", " "), fields[3], tail[0], set(tail[2].split(","))))
    return found


def _own_paths() -> dict[str, str]:
    """This process's group per v1 controller, and "" for the v2 hierarchy (/proc/self/cgroup)."""
    paths = {}
    with open("/proc/self/cgroup") as stream:
        for line in stream:
            number, controllers, path = line.rstrip("\n").split(":", 2)
            if number == "0" and not controllers:
                paths[""] = path
            for controller in controllers.split(","):
                if controller:
                    paths[controller] = path
    return paths


def _inside(mount_point: str, mount_root: str, path: str) -> Path:
    """Where group `path` (as /proc/self/cgroup names it) is, in a hierarchy mounted at `mount_point`."""
    if mount_root != "/" and (path == mount_root or path.startswith(mount_root.rstrip("/") + "/")):
        path = path[len(mount_root):]
    return Path(mount_point) / path.lstrip("/")


class Cgroups:
    """The groups of one run: {controller: the run's folder} (v1), or {"": the run's folder} (v2)."""

    def __init__(self, version: int, runs: dict[str, Path]) -> None:
        self.version = version
        self.runs = runs
        self.limits: dict[int | str, tuple[int | None, int | None]] = {}

    @property
    def controllers(self) -> list[str]:
        if self.version == 1:
            return [name for name in CONTROLLERS if name in self.runs]
        return [name for name in CONTROLLERS if name in _read(self.runs[""] / "cgroup.subtree_control").split()]

    @classmethod
    def create(cls) -> tuple[Cgroups | None, str]:
        """The run's groups, made now; or None and why there are none."""
        if os.geteuid() != 0:
            return None, "not run as root"
        try:
            mounts, own = _mounts(), _own_paths()
        except OSError as error:
            return None, f"cannot read this process's cgroups ({error})"
        name = f"{RUN_PREFIX}{os.getpid()}"
        v1 = {}
        for point, root, kind, options in mounts:
            for controller in CONTROLLERS:
                if kind == "cgroup" and controller in options and controller in own and controller not in v1:
                    v1[controller] = _inside(point, root, own[controller])
        if "memory" in v1:
            runs = {}
            for controller, folder in v1.items():
                try:
                    remove_stale(folder)
                    (folder / name).mkdir(exist_ok=True)
                    runs[controller] = folder / name
                except OSError as error:
                    if controller == "memory":
                        Cgroups(1, runs).remove()
                        return None, f"cannot make a memory cgroup in {folder} ({error.strerror or error})"
            return Cgroups(1, runs), ""
        unified = [(point, root) for point, root, kind, _ in mounts if kind == "cgroup2"]
        for point, root in unified:
            if "" not in own or not Path(point, "cgroup.controllers").exists():
                continue
            if "memory" not in _read(Path(point, "cgroup.controllers")).split():
                continue
            return cls._create_v2(_inside(point, root, own[""]), name)
        return None, "no cgroup hierarchy with a memory controller is mounted"

    @classmethod
    def _create_v2(cls, own: Path, name: str) -> tuple[Cgroups | None, str]:
        remove_stale(own)
        enabled = _read(own / "cgroup.subtree_control").split()
        for controller in CONTROLLERS:
            if controller not in enabled and controller in _read(own / "cgroup.controllers").split():
                try:
                    _write(own / "cgroup.subtree_control", f"+{controller}")
                except OSError as error:
                    if controller == "memory":
                        why = error.strerror
                        if error.errno == errno.EBUSY:
                            why = ("the grader's own cgroup holds processes: start it in a delegated one "
                                   "(systemd-run --scope -p Delegate=yes)")
                        return None, f"cannot enable the memory controller under {own} ({why})"
        run = own / name
        try:
            run.mkdir(exist_ok=True)
            wanted = [c for c in CONTROLLERS if c in _read(run / "cgroup.controllers").split()]
            _write(run / "cgroup.subtree_control", " ".join(f"+{c}" for c in wanted))
        except OSError as error:
            Cgroups(2, {"": run}).remove()
            return None, f"cannot make a cgroup in {own} ({error.strerror or error})"
        return Cgroups(2, {"": run}), ""

    def _slot_folders(self, slot: int | str) -> dict[str, Path]:
        return {controller: run / f"slot-{slot}" for controller, run in self.runs.items()}

    def slot(self, slot: int | str, memory_bytes: int | None, processes: int | None) -> list[str]:
        """Make (or reuse) slot `slot`'s groups with these limits: the cgroup.procs files a kernel joins."""
        folders = self._slot_folders(slot)
        new = not all(folder.is_dir() for folder in folders.values())
        for folder in folders.values():
            folder.mkdir(exist_ok=True)
        if new:
            self._share_run()
        if self.limits.get(slot) != (memory_bytes, processes):
            self._set_limits(folders, memory_bytes, processes)
            self.limits[slot] = (memory_bytes, processes)
        if self.version == 1:
            # The peak of this kernel, not of an earlier one.
            _write(folders["memory"] / "memory.max_usage_in_bytes", "0")
        return [str(folder / "cgroup.procs") for folder in folders.values()]

    def _set_limits(self, folders: dict[str, Path], memory_bytes: int | None, processes: int | None) -> None:
        tasks = "max" if processes is None else str(processes + TASK_HEADROOM)
        if self.version == 1:
            memory = folders["memory"]
            value = str(memory_bytes) if memory_bytes is not None else "-1"
            # memory.limit_in_bytes may never be above memsw's: raise memsw first, lower it last.
            files = [memory / "memory.limit_in_bytes"]
            if (memory / "memory.memsw.limit_in_bytes").exists():
                files.append(memory / "memory.memsw.limit_in_bytes")
            for attempt in (files, files[::-1]):
                try:
                    for file in attempt:
                        _write(file, value)
                    break
                except OSError:
                    if attempt is not files:
                        raise
            if "pids" in folders:
                _write(folders["pids"] / "pids.max", tasks)
            if "cpu" in folders:
                _write(folders["cpu"] / "cpu.shares", str(CPU_SHARES))
            return
        folder = folders[""]
        _write(folder / "memory.max", "max" if memory_bytes is None else str(memory_bytes))
        for file, value in (("memory.swap.max", "0"), ("memory.oom.group", "1"), ("pids.max", tasks),
                            ("cpu.weight", str(CPU_WEIGHT))):
            if (folder / file).exists():
                _write(folder / file, value)

    def drop_slot(self, slot: int | str) -> None:
        for folder in self._slot_folders(slot).values():
            remove_group(folder, wait=1.0)
        self.limits.pop(slot, None)
        self._share_run()

    def _share_run(self) -> None:
        """The run's group weighs as much as its slots together: against the machine's other processes
        the run's kernels count as one process each, as they would without cgroups."""
        run = self.runs.get("cpu" if self.version == 1 else "")
        if run is None:
            return
        slots = max(1, sum(1 for entry in run.iterdir() if entry.is_dir() and entry.name.startswith("slot-")))
        try:
            if self.version == 1:
                _write(run / "cpu.shares", str(CPU_SHARES * slots))
            elif (run / "cpu.weight").exists():
                _write(run / "cpu.weight", str(min(10_000, CPU_WEIGHT * slots)))
        except OSError:
            pass

    def counters(self, slot: int | str) -> Counters:
        try:
            if self.version == 1:
                memory = self._slot_folders(slot)["memory"]
                control = dict(line.split() for line in _read(memory / "memory.oom_control").splitlines())
                # Recent kernels no longer count failcnt in v1; the peak since the kernel started tells too.
                hits = sum(int(_read(memory / name)) for name in ("memory.failcnt", "memory.memsw.failcnt")
                           if (memory / name).exists())
                peak = int(_read(memory / "memory.max_usage_in_bytes"))
                hits += peak > int(_read(memory / "memory.limit_in_bytes")) - PEAK_MARGIN
                return Counters(limit_hits=hits, oom_kills=int(control.get("oom_kill", -1)))
            events = dict(line.split() for line in _read(self._slot_folders(slot)[""] / "memory.events").splitlines())
            return Counters(limit_hits=int(events.get("max", -1)), limit_ooms=int(events.get("oom", -1)),
                            oom_kills=int(events.get("oom_kill", -1)))
        except (OSError, ValueError, KeyError):
            return Counters()

    def remove(self, wait: float = 5.0) -> list[str]:
        """End whatever is left in the run's groups and remove them; the folders that could not be removed."""
        left = []
        for run in self.runs.values():
            if not remove_group(run, wait):
                left.append(str(run))
        return left

    def describe(self) -> str:
        where = ", ".join(str(run) for run in self.runs.values())
        return f"cgroup v{self.version} ({', '.join(self.controllers)}) under {where}"


def _tasks(folder: Path) -> list[int]:
    pids = []
    for group, _, _ in os.walk(folder):
        try:
            pids += [int(pid) for pid in _read(Path(group) / "cgroup.procs").split()]
        except (OSError, ValueError):
            continue
    return pids


def remove_group(folder: Path, wait: float = 5.0) -> bool:
    """Kill every process in `folder`'s group and those below, then remove them all, deepest first."""
    if not folder.is_dir():
        return True
    deadline = time.monotonic() + wait
    while True:
        for pid in _tasks(folder):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        groups = sorted((Path(group) for group, _, _ in os.walk(folder)), key=lambda p: -len(p.parts))
        try:
            for group in groups:
                group.rmdir()
            return True
        except FileNotFoundError:
            continue
        except OSError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)


def remove_stale(folder: Path) -> None:
    """The groups of earlier runs killed outright (their grader, whose id the name holds, is gone)."""
    try:
        entries = list(folder.glob(f"{RUN_PREFIX}*"))
    except OSError:
        return
    for entry in entries:
        try:
            os.kill(int(entry.name[len(RUN_PREFIX):]), 0)
        except ProcessLookupError:
            remove_group(entry, wait=1.0)
        except (OSError, ValueError):
            continue


def join(procs_files: list[str]) -> None:
    """Put this process in the given groups (their cgroup.procs files); what it starts stays in them."""
    for file in procs_files:
        _write(Path(file), "0")
