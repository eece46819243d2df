"""A throw-away PostgreSQL server for the tests: initdb and pg_ctl in a temporary folder, on a free
loopback port, run as an unprivileged user (PostgreSQL refuses to run as root)."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

MISSING = ("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): the grading tests need it to "
           "prove that nothing assumes SQLite. .ci/run installs it: apt-get update && apt-get install -y postgresql")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    def __init__(self) -> None:
        found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not found:
            raise AssertionError(MISSING)
        self.bin = Path(found[-1]).parent
        self.folder = Path(tempfile.mkdtemp(prefix="hitpm-pg-", dir="/tmp"))
        self.as_user: dict = {}
        if os.geteuid() == 0:
            account = pwd.getpwnam("postgres") if _has_user("postgres") else pwd.getpwnam("nobody")
            os.chown(self.folder, account.pw_uid, account.pw_gid)
            self.as_user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        self.data = self.folder / "data"
        self.port = free_port()
        # SQLAlchemy 2.1 reads postgresql:// as psycopg 3; the tests use psycopg2 (psycopg2-binary).
        self.url = f"postgresql+psycopg2://grader@127.0.0.1:{self.port}/gradebook"
        self.started = False
        try:
            self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "grader", "--no-sync", "-E", "UTF8")
            self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "server.log"), "-w", "-t", "60",
                      "-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off", "start")
            self.started = True
            import psycopg2

            connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="grader", dbname="postgres")
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("CREATE DATABASE gradebook")
            connection.close()
        except BaseException:
            self.stop()
            raise

    def _run(self, program: str, *args: str) -> None:
        result = subprocess.run([str(self.bin / program), *args], capture_output=True, text=True, cwd=self.folder,
                                **self.as_user)
        if result.returncode != 0:
            log = self.folder / "server.log"
            raise AssertionError(f"{program} failed: {result.stdout}{result.stderr}"
                                 f"{log.read_text() if log.exists() else ''}")

    def stop(self) -> None:
        try:
            if self.started:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True
