"""deploy/setup-instructor.sh run by root for an instructor (--user): the copy of the kit it hands over
holds the solutions, so nobody else may read it, not even while the script runs."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import stat
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from ..conftest import REPO

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: makes a Unix account (CI runs as root)")

SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Stands in for JupyterLab's command in the install's prefix. The set-up calls it last, while its copy of
# the kit is still in place: it tells the test where that copy is (the --kit of the script that called it)
# and waits until the test has looked.
FAKE_JUPYTER = """#!/bin/bash
kit="$(tr '\\0' '\\n' < /proc/$PPID/cmdline | sed -n '/^--kit$/{n;p;q}')"
echo "$kit" > {signals}/ready.tmp && mv {signals}/ready.tmp {signals}/ready
while [ ! -e {signals}/go ]; do sleep 0.1; done
"""


def wait_for(path: Path, process: subprocess.Popen, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if process.poll() is not None:
            raise AssertionError(f"the set-up ended ({process.returncode}) before it called jupyter:\n"
                                 f"{process.stdout.read()}{process.stderr.read()}")
        assert time.monotonic() < deadline, "the set-up never called jupyter"
        time.sleep(0.1)
    return path.read_text().strip()


def readable_by_nobody(paths: list[Path]) -> list[str]:
    """Those of `paths` that the account nobody may read (the kernel's own access check, as nobody)."""
    check = 'for f in "$@"; do [ -r "$f" ] && echo "$f"; done; true'
    result = subprocess.run(["runuser", "-u", "nobody", "--", "bash", "-c", check, "check", *map(str, paths)],
                            capture_output=True, text=True, check=True, cwd="/")
    return result.stdout.split()


def test_the_kit_handed_to_the_instructor_is_never_readable_by_anyone_else(tmp_path):
    base = Path(tempfile.mkdtemp(prefix="hitpm-setup-", dir="/tmp"))
    base.chmod(0o755)
    name = f"hitpm-setup-{secrets.token_hex(3)}"
    subprocess.run(["useradd", "--create-home", "--home-dir", str(base / "home"), "--shell", "/bin/bash", name],
                   check=True, capture_output=True)
    process = None
    signals = base / "signals"
    try:
        account = pwd.getpwnam(name)
        signals.mkdir(mode=0o700)
        os.chown(signals, account.pw_uid, account.pw_gid)
        jupyter = base / "prefix" / "bin" / "jupyter"
        jupyter.parent.mkdir(parents=True)
        jupyter.write_text(FAKE_JUPYTER.replace("{signals}", str(signals)))
        jupyter.chmod(0o755)
        process = subprocess.Popen(["bash", str(REPO / "deploy" / "setup-instructor.sh"), "--user", name,
                                    "--prefix", str(base / "prefix")], cwd=tmp_path, text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   env={"PATH": SYSTEM_PATH, "LANG": "C.UTF-8"})
        kit = Path(wait_for(signals / "ready", process))

        copied = sorted(kit.rglob("*"))
        solutions = [path for path in copied if path.suffix == ".ipynb"]
        notes = [path for path in copied if path.name == "teaching-note.md"]
        assert len(solutions) >= 6 and (kit / "nbgrader_config.py") in copied and len(notes) >= 3
        assert readable_by_nobody([kit, *copied]) == []
        for path in [kit, *copied]:
            mode = path.lstat()
            assert (mode.st_uid, stat.S_IMODE(mode.st_mode) & 0o077) == (account.pw_uid, 0), path

        (signals / "go").touch()
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, out + err
        assert not kit.exists()  # the hand-over copy is gone, the course folder has the workbooks
        course = base / "home" / "hitpm-course"
        assert sorted(p.name for p in (course / "workbooks").glob("*/*.ipynb")) == sorted(p.name for p in solutions)
        # The teaching notes (reference analyses, rubrics), for the instructor only.
        taught = sorted((course / "teaching-notes").iterdir())
        assert [p.name for p in taught] == sorted(f"{p.parent.name}.md" for p in notes)
        assert "Grading rubric" in (course / "teaching-notes" / "emr-rollout.md").read_text()
        assert readable_by_nobody(taught) == []
        assert all(p.stat().st_uid == account.pw_uid and stat.S_IMODE(p.stat().st_mode) & 0o077 == 0 for p in taught)
    finally:
        if signals.is_dir():
            (signals / "go").touch()
        if process is not None and process.poll() is None:
            process.kill()
            process.communicate()
        subprocess.run(["userdel", "--remove", name], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
