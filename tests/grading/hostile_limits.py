"""Submissions that go around a data-size limit or hog what others share: shared memory that RLIMIT_DATA
does not count, a SysV segment left behind, busy processes by the dozen. Each has right widget answers."""

from __future__ import annotations

from pathlib import Path

from .classroom import answer_in_code, answer_through_the_model

#: The key of the SysV segment the "sysv" submission makes and never removes.
SYSV_KEY = 0x48495450
SYSV_BYTES = 256 << 20
SHARED_MB = 800
BUSY_PROCESSES = 40


def code(snippet: str):
    def answer(folder: Path) -> None:
        answer_through_the_model(folder)
        answer_in_code(folder, snippet)
    return answer


#: Makes a 256 MB SysV segment, writes every page, and leaves it there (no IPC_RMID).
SYSV = (
    "import ctypes, ctypes.util\n"
    "libc = ctypes.CDLL(ctypes.util.find_library('c'), use_errno=True)\n"
    "libc.shmat.restype = ctypes.c_void_p\n"
    f"segment = libc.shmget({SYSV_KEY}, {SYSV_BYTES}, 0o1600)\n"
    "address = libc.shmat(segment, None, 0)\n"
    f"for offset in range(0, {SYSV_BYTES}, 4096):\n"
    "    ctypes.c_char.from_address(address + offset).value = b'x'\n"
    "print('SHM', segment, 'made')\n"
)

#: 800 MB of anonymous shared memory, every page written: not data size, so RLIMIT_DATA lets it be.
SHARED = (
    "import mmap\n"
    f"block = mmap.mmap(-1, {SHARED_MB} << 20, mmap.MAP_SHARED | mmap.MAP_ANONYMOUS)\n"
    f"for offset in range(0, {SHARED_MB} << 20, 4096):\n"
    "    block[offset] = 1\n"
    "print('SHARED all', len(block) >> 20, 'MB')\n"
)

#: Dozens of busy processes for a while, while the class's other kernels run.
BUSY = (
    "import os, time\n"
    "children = []\n"
    f"for _ in range({BUSY_PROCESSES}):\n"
    "    pid = os.fork()\n"
    "    if pid == 0:\n"
    "        time.sleep(1)\n"
    "        end = time.monotonic() + 12\n"
    "        while time.monotonic() < end:\n"
    "            pass\n"
    "        os._exit(0)\n"
    "    children.append(pid)\n"
    "time.sleep(6.5)  # they spin while its kernel lives\n"
    "print('BUSY', len(children))\n"
)


#: Started beside "a-busy": waits for its processes to spin, then tells how much CPU it got in 3 s.
METER = (
    "import time\n"
    "time.sleep(3)\n"
    "start, end = time.process_time(), time.monotonic() + 3\n"
    "while time.monotonic() < end:\n"
    "    pass\n"
    "print('METER', round(time.process_time() - start, 2))\n"
    "print('CPU GROUP', [line for line in open('/proc/self/cgroup').read().split() if ':cpu:' in line or "
    "line.startswith('0::')])\n"
)


def kinds() -> dict:
    return {"a-busy": code(BUSY), "b-meter": code(METER), "shared": code(SHARED), "sysv": code(SYSV)}


def sysv_segments() -> list[tuple[int, int]]:
    """(key, size) of every SysV shared-memory segment on this machine (in this IPC namespace)."""
    lines = Path("/proc/sysvipc/shm").read_text().splitlines()[1:]
    return [(int(line.split()[0]), int(line.split()[3])) for line in lines if line.strip()]
