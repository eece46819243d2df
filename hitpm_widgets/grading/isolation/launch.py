"""What a run starts with, before the course is read: a scratch folder and the fork-server.

Kept free of heavy imports: the fork-server is launched first, and it imports pandas and friends
while the grader imports nbgrader.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .forkserver import ForkServer

#: Loaded by the fork-server in every run, if installed: what the kit's workbooks use.
ALWAYS_PRELOAD = ("numpy", "pandas", "matplotlib", "matplotlib.pyplot", "matplotlib.figure",
                  "matplotlib.backends.backend_agg", "ipywidgets",
                  "IPython.core.ultratb", "stack_data", "pygments.lexers.python", "pygments.formatters.terminal256",
                  "hitpm_widgets")

#: Passed on to kernels from the grader's environment; nothing else (no credentials, no tokens).
KERNEL_ENV = ("PATH", "LANG", "LANGUAGE", "TZ", "PYTHONPATH", "PYTHONHASHSEED", "PYTHONIOENCODING", "PYTHONUTF8",
              "VIRTUAL_ENV", "CONDA_PREFIX", "MPLBACKEND", "JUPYTER_PATH", "OMP_NUM_THREADS",
              "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "TERM")


def kernel_environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k in KERNEL_ENV or k.startswith("LC_") or (k.startswith("HITPM_") and k != "HITPM_ANSWERS_DIR")}
    env["NBGRADER_EXECUTION"] = "autograde"  # as nbgrader sets it: hitpm's answers are read, never written
    env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")  # what ipykernel would set
    env.setdefault("PATH", os.defpath)
    return env


def make_run_dir() -> Path:
    """The run's scratch folder: kernels may enter their own job folder in it, but list nothing."""
    remove_stale_runs()
    run_dir = Path(tempfile.mkdtemp(prefix="hitpm-grade-"))
    run_dir.chmod(0o711)
    (run_dir / "grader.pid").write_text(str(os.getpid()))
    return run_dir


def remove_stale_runs() -> None:
    """Scratch folders of earlier runs that were killed outright (their grader is gone)."""
    for folder in Path(tempfile.gettempdir()).glob("hitpm-grade-*"):
        try:
            if folder.stat().st_uid != os.getuid():
                continue
            pid = int((folder / "grader.pid").read_text())
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except (OSError, ValueError):
            continue


def launch() -> tuple[Path, ForkServer]:
    run_dir = make_run_dir()
    try:
        return run_dir, ForkServer(kernel_environment(), run_dir, list(ALWAYS_PRELOAD))
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)
        raise
