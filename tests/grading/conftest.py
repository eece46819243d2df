"""Shared, expensive set-up of the grading tests: ps01 released once, the hostile class graded once."""

from __future__ import annotations

import shutil
import socket
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from .classroom import ASSIGNMENT, NOTEBOOK, Classroom
from .hostile import ordinary_kinds


@pytest.fixture(scope="session")
def released(tmp_path_factory) -> Classroom:
    """A course with ps01 released (nbgrader generate_assignment): copied, never changed."""
    return Classroom.released(tmp_path_factory.mktemp("released") / "course")


class Listener:
    """A TCP server on loopback that counts who connects (nobody should, from a kernel)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.server.settimeout(0.2)
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        self.server.close()


@dataclass
class HostileRun:
    room: Classroom
    result: object
    listener: Listener
    before: dict


@pytest.fixture(scope="session")
def hostile_run(released):
    """Every kind of misbehaving submission, graded by one `hitpm grade` with tight limits."""
    # In a folder other users may enter, as a course usually is: what keeps kernels out of the
    # course's folders is then the grader's hiding of them, not the permissions of pytest's temp dir.
    open_folder = Path(tempfile.mkdtemp(prefix="hitpm-hostile-", dir="/tmp"))
    open_folder.chmod(0o755)
    room = Classroom.copy_of(released, open_folder / "course")
    listener = Listener()
    kinds = ordinary_kinds(room.root / "gradebook.db", room.root / "workbooks" / ASSIGNMENT / NOTEBOOK,
                           room.root / "submitted", listener.port)
    for student, answer in kinds.items():
        room.hand_in(student, answer)
    before = {p.relative_to(room.root / "submitted"): p.read_bytes()
              for p in (room.root / "submitted").rglob("*") if p.is_file()}
    try:
        result = room.hitpm("grade", ASSIGNMENT, "--workers", "2", "--cell-timeout", "8", "--time-limit", "120",
                            "--memory", "600", "--processes", "48", check=False)
    finally:
        listener.close()
    yield HostileRun(room, result, listener, before)
    shutil.rmtree(open_folder, ignore_errors=True)


