"""What going through a Dask cluster costs: `hitpm grade` locally against `hitpm grade --scheduler`.

Makes a synthetic class of ps01 submissions, grades one copy on this machine with as many kernels at
a time as the cluster will have, starts a local cluster (`dask scheduler` and N `dask worker`s, one
kernel slot each) and grades an identical copy through it. Checks both gradebooks hold the same
scores, and prints each run's time, throughput (submissions per minute and per slot-hour) and the
per-submission overhead of the scheduler: the difference of the two times, per submission, times
the slots (what each submission costs a slot on top of running it).

Run: `.venv/bin/python benchmarks/grade_cluster.py [--size 40] [--cluster-workers 2]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.grading.classroom import ASSIGNMENT, ORDINARY, Classroom  # noqa: E402
from tests.grading.dask_cluster import Cluster  # noqa: E402
from tests.pipeline.course import nbgrader_env  # noqa: E402


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=40, help="submissions in the class (default 40)")
    parser.add_argument("--cluster-workers", type=int, default=2, help="dask workers, one slot each (default 2)")
    args = parser.parse_args()
    slots = args.cluster_workers
    grade = [sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--no-feedback", "--no-report"]
    with tempfile.TemporaryDirectory(prefix="hitpm-bench-cluster-") as scratch:
        scratch = Path(scratch)
        os.chmod(scratch, 0o755)
        print(f"making a class of {args.size} ps01 submissions ...", flush=True)
        local = Classroom.released(scratch / "local")
        local.hand_in_class(args.size, ORDINARY)
        remote = Classroom.copy_of(local, scratch / "remote")

        local_wall = timed([*grade, "--workers", str(slots)], local.root)
        print(f"hitpm grade, this machine, {slots} kernel(s) at a time: {local_wall:7.1f} s", flush=True)
        (scratch / "cluster").mkdir()
        started = time.perf_counter()
        cluster = Cluster(scratch / "cluster", workers=slots)
        start_up = time.perf_counter() - started
        try:
            remote_wall = timed([*grade, "--scheduler", cluster.address], remote.root)
        finally:
            cluster.stop()
        print(f"hitpm grade --scheduler, {slots} worker(s):         {remote_wall:7.1f} s "
              f"(the cluster took {start_up:.1f} s to start, not counted)", flush=True)

        if local.grades() != remote.grades():
            sys.exit("the gradebooks differ")
        print(f"same scores in both gradebooks ({args.size} submissions)")
        per_minute = {name: args.size / wall * 60 for name, wall in (("local", local_wall), ("cluster", remote_wall))}
        overhead = (remote_wall - local_wall) / args.size * slots
        print()
        print(f"throughput: local {per_minute['local']:.1f}, cluster {per_minute['cluster']:.1f} submissions a minute"
              f" ({per_minute['cluster'] * 60 / slots:.0f} a slot-hour on the cluster)")
        print(f"per-submission overhead of the scheduler: {overhead:+.2f} s of a slot "
              f"(cluster/local time: {remote_wall / local_wall:.2f})")
        print("the cluster's run includes each worker's own fork-server start and preflight (a few seconds, once)")


if __name__ == "__main__":
    main()
