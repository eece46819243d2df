"""How long grading a class takes: stock nbgrader against `hitpm grade`, in the same run.

The headline is the whole job: grades, feedback and the CSV. Stock nbgrader, as nbgrader ships it (one
kernel a notebook, the tests in the learner's kernel), runs `autograde`, `generate_feedback` and
`export`; `hitpm grade` with default settings does all of that (and the report) with the tests in a
second kernel. Stock nbgrader with the kit's own `nbgrader_config.py` (two kernels, like hitpm) is
timed too. Default class: 20 right and 20 blank ps01 submissions (`--mix ordinary` for the mix below).

Makes a synthetic class of ps01 submissions (right, partly right and blank widget answers, code
answers, a syntax error, an answer that raises), grades one copy with stock `nbgrader autograde`
(one submission after another) and an identical copy with `hitpm grade` (no feedback, no report:
the same work), checks that both gradebooks hold the same scores, and prints both times and the
ratio. Also printed: the lower bound, the time the notebooks' own code takes when it runs in one
warm Python process, with no kernel start; and what feedback, CSVs and the report add.

Run: `.venv/bin/python benchmarks/grade_class.py [--size 40] [--workers N [N ...]]` (several worker
counts: each grades its own copy of the class, against the one stock run).
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from hitpm_widgets.grading.grade import default_workers  # noqa: E402
from tests.grading.classroom import ASSIGNMENT, ORDINARY, Classroom  # noqa: E402
from tests.pipeline.course import nbgrader_env  # noqa: E402


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """Wall-clock and CPU seconds (all processes it started) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=nbgrader_env(), capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def own_code_seconds(folders: list[str]) -> float:
    """In a fresh process: the notebooks' code cells, run in one warm IPython shell, no kernel."""
    import nbformat
    from IPython.core.interactiveshell import InteractiveShell

    os.environ["NBGRADER_EXECUTION"] = "autograde"
    shell = InteractiveShell.instance()
    total = 0.0
    for warm_up in (True, False):  # the first pass imports what the notebooks import; not counted
        for folder in folders:
            with tempfile.TemporaryDirectory() as scratch:
                work = Path(scratch) / "work"
                shutil.copytree(folder, work)
                os.chmod(work, 0o755)
                for path in work.rglob("*"):
                    path.chmod(0o755 if path.is_dir() else 0o644)
                os.chdir(work)
                shell.reset(new_session=True)
                for notebook in sorted(work.glob("*.ipynb")):
                    for cell in nbformat.read(notebook, as_version=4).cells:
                        if cell.cell_type != "code":
                            continue
                        started = time.perf_counter()
                        with redirect_stdout(io.StringIO()), redirect_stderr(io.StringIO()):
                            shell.run_cell(cell.source, store_history=True)
                        if not warm_up:
                            total += time.perf_counter() - started
            if warm_up:
                break
    return total


#: nbgrader as it ships: its own autograde and feedback steps, not the kit's.
PLAIN_NBGRADER = """
from nbgrader.converters import Autograde, GenerateFeedback
c.Autograde.autograde_preprocessors = Autograde.class_traits()["autograde_preprocessors"].default()
c.GenerateFeedback.preprocessors = GenerateFeedback.class_traits()["preprocessors"].default()
"""


def whole_job(size: int, scratch: Path) -> None:
    """Grades, feedback and CSV for one class: stock nbgrader (as shipped, and with the kit's config) and hitpm."""
    from tests.grading.classroom import blank, right

    plain = Classroom.released(scratch / "whole-plain")
    kinds = plain.hand_in_class(size, {"right": right, "blank": blank})
    kit = Classroom.copy_of(plain, scratch / "whole-kit")
    ours = Classroom.copy_of(plain, scratch / "whole-hitpm")
    plain.set_config(PLAIN_NBGRADER)
    print(f"whole job, a class of {len(kinds)} (half right, half blank); load average {load()}", flush=True)
    times = {}
    shipped, configured = "stock nbgrader as shipped", "stock nbgrader, kit's config"
    for name, room in ((shipped, plain), (configured, kit)):
        wall = 0.0
        for step in (["autograde", ASSIGNMENT], ["generate_feedback", ASSIGNMENT], ["export"]):
            wall += timed([sys.executable, "-m", "nbgrader", *step], room.root)[0]
        times[name] = wall
        print(f"  {name:34s} {wall:7.1f} s (autograde, generate_feedback, export)", flush=True)
    times["hitpm grade"] = timed([sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT], ours.root)[0]
    print(f"  {'hitpm grade (defaults)':34s} {times['hitpm grade']:7.1f} s (grades, feedback, CSVs, report)")
    if ours.totals() != kit.totals():
        sys.exit("hitpm grade and the kit's stock nbgrader gave different totals")
    print(f"  ratio: {times[shipped] / times['hitpm grade']:.2f}x stock as shipped, "
          f"{times[configured] / times['hitpm grade']:.2f}x stock with the kit's config (same totals)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=40, help="submissions in the class (default 40)")
    parser.add_argument("--only-whole-job", action="store_true", help="time the whole job only")
    parser.add_argument("--workers", type=int, nargs="+", default=[0],
                        help="hitpm grade --workers, one or more counts (default: hitpm's own default)")
    parser.add_argument("--own-code", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.own_code:
        print(f"{own_code_seconds(args.own_code):.3f}")
        return
    with tempfile.TemporaryDirectory(prefix="hitpm-bench-") as scratch:
        scratch = Path(scratch)
        whole_job(args.size, scratch)
        if args.only_whole_job:
            return
        print()
        print(f"grading alone: a class of {args.size} ps01 submissions ... (load average {load()})", flush=True)
        stock = Classroom.released(scratch / "stock")
        kinds = stock.hand_in_class(args.size, ORDINARY)
        copies = {workers: Classroom.copy_of(stock, scratch / f"hitpm-{workers}") for workers in args.workers}
        mix = {kind: list(kinds.values()).count(kind) for kind in ORDINARY}
        print("mix: " + ", ".join(f"{count} {kind}" for kind, count in mix.items()), flush=True)

        stock_wall, stock_cpu = timed([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], stock.root)
        print(f"stock nbgrader autograde: {stock_wall:7.1f} s  (CPU {stock_cpu:.1f} s)", flush=True)
        walls = {}
        for workers, ours in copies.items():
            command = [sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT, "--no-feedback", "--no-report"]
            if workers:
                command += ["--workers", str(workers)]
            walls[workers], ours_cpu = timed(command, ours.root)
            print(f"hitpm grade:              {walls[workers]:7.1f} s  (CPU {ours_cpu:.1f} s, "
                  f"{workers or default_workers()} workers on {os.cpu_count()} cores)", flush=True)
        ours = copies[min(walls, key=walls.get)]
        expected = stock.grades()
        for workers, copy in copies.items():
            if copy.grades() != expected:
                sys.exit(f"the gradebooks differ (hitpm grade with {workers} workers)")
        found = ours.grades()
        differences = [(student, cell, expected[student].get(cell), found.get(student, {}).get(cell))
                       for student in expected for cell in expected[student]
                       if expected[student].get(cell) != found.get(student, {}).get(cell)]
        if differences or set(expected) != set(found):
            for difference in differences[:20]:
                print("DIFFERENT:", *difference)
            sys.exit("the gradebooks differ: see above")
        cells = sum(len(cells) for cells in expected.values())
        print(f"same scores in both gradebooks: {len(expected)} submissions, {cells} graded cells, each with its "
              "auto score, manual score, needs-manual-grade flag and comment", flush=True)

        folders = [str(ours.root / "autograded" / student / ASSIGNMENT) for student in sorted(kinds)]
        lower = subprocess.run([sys.executable, __file__, "--own-code", *folders], env=nbgrader_env(),
                               capture_output=True, text=True, check=True)
        own = float(lower.stdout.strip().splitlines()[-1])

        finish_wall, _ = timed([sys.executable, "-m", "hitpm_widgets.cli", "grade", ASSIGNMENT], ours.root)

        print()
        print(f"class of {len(kinds)} submissions; {os.cpu_count()} cores; load average now {load()} (other work "
              "on the machine slows both, the parallel run more)")
        print(f"  stock nbgrader autograde (one at a time): {stock_wall:7.1f} s")
        for workers, wall in walls.items():
            print(f"  hitpm grade, {workers or default_workers()} workers:                  {wall:7.1f} s "
                  f"({stock_wall / wall:.1f} x)")
        print(f"  CPU time, all processes: stock {stock_cpu:.1f} s, hitpm grade {ours_cpu:.1f} s")
        print(f"  lower bound, the notebooks' own code run in one warm process, no kernel: {own:.1f} s "
              f"({own / len(kinds) * 1000:.0f} ms a submission)")
        print(f"  then feedback for every submission, both CSVs and the report (hitpm grade run again): "
              f"{finish_wall:.1f} s")


if __name__ == "__main__":
    main()
