"""`hitpm grade ASSIGNMENT`: the command line of class grading."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
from pathlib import Path

from .findings import by_severity
from .isolation.fence import Limits

EXIT_SOME_NOT_GRADED = 1
EXIT_USAGE = 2
#: Nothing was graded: this run could not have graded right (the preflight or the fence failed).
EXIT_REFUSED = 3
EXIT_INTERRUPTED = 130


def add_grade_command(commands) -> None:
    grade = commands.add_parser(
        "grade", help="autograde every submission of an assignment into nbgrader's gradebook, several at a time",
        description="Autograde every submission under submitted/ (or those given with --student) into "
        "nbgrader's gradebook, several at a time, each in its own fenced-in kernel; then nbgrader's feedback, "
        "the grades as CSV (nbgrader's export and an LMS import file) and an HTML report. Run it again after an "
        "interruption: it grades only what is not graded yet.",
    )
    grade.add_argument("assignment", help="the assignment, e.g. ps01-emr-stakeholders")
    grade.add_argument("--course", help="the course root (default: the clone this command runs in)")
    grade.add_argument("--student", action="append", metavar="ID", help="grade only this student (repeatable)")
    grade.add_argument("--workers", type=int, metavar="N",
                       help="kernels at a time (default: one more than the cores)")
    grade.add_argument("--force", action="store_true", help="grade again what is graded already")
    grade.add_argument("--no-feedback", action="store_true", help="do not make nbgrader's feedback")
    grade.add_argument("--no-report", action="store_true", help="do not write the HTML report")
    grade.add_argument("--output", metavar="DIR", help="where the report and the CSV files go (default: grading/)")
    limits = Limits()
    grade.add_argument("--cell-timeout", type=int, metavar="S",
                       help="seconds a cell may run (default: nbgrader's Execute.timeout, 30)")
    grade.add_argument("--time-limit", type=int, metavar="S",
                       help=f"seconds a whole notebook may run (default: {limits.notebook_timeout})")
    grade.add_argument("--memory", type=int, metavar="MB",
                       help=f"memory a kernel may take on top of its start (default: {limits.memory_mb})")
    grade.add_argument("--processes", type=int, metavar="N",
                       help=f"processes and threads a kernel may have (default: {limits.processes})")
    grade.add_argument("--output-limit", type=int, metavar="KB",
                       help=f"output kept per cell (default: {limits.output_kb})")
    grade.add_argument("--scheduler", metavar="ADDRESS",
                       help="grade on a Dask cluster: its scheduler's address, e.g. tcp://10.0.0.5:8786 (needs the "
                       "cluster extra: pip install 'hitpm[cluster]')")
    grade.add_argument("--unfenced", action="store_true",
                       help="grade even where kernels cannot be fenced in (no user namespaces): student code then "
                       "runs as you and can read your files; the report says so")
    grade.epilog = ("Each limit can also be set in nbgrader_config.py, e.g. c.HitpmGrade.memory = 4096; "
                    "the command line wins.")
    grade.set_defaults(run=run_grade)


def _check_given(args) -> None:
    """The command line's own values, before anything starts (the course's are checked once read)."""
    from .settings import resolve

    resolve(args, None)


def course_root(args) -> Path:
    """The course to grade: --course, or the working folder's; never the kit's own course by default."""
    from ..workspace import find_nbgrader_course

    return find_nbgrader_course(Path(args.course).resolve() if args.course else None)


def _options(args, config):
    from .grade import GradeOptions
    from .settings import resolve, scheduler

    workers, limits = resolve(args, config)
    return GradeOptions(workers=workers, students=args.student, force=args.force, limits=limits,
                        output=Path(args.output) if args.output else None, feedback=not args.no_feedback,
                        report=not args.no_report, unfenced=args.unfenced, scheduler=scheduler(args, config))


def run_grade(args, out=None, err=None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    if sys.platform != "linux":
        print("hitpm grade: grading needs Linux (its kernels are forked and fenced in with Linux features); "
              "use `nbgrader autograde` here", file=err)
        return EXIT_USAGE
    try:
        _check_given(args)
        course_root(args)
    except (ValueError, RuntimeError) as error:
        print(f"hitpm grade: {error}", file=err)
        return EXIT_USAGE
    # The fork-server starts first: it imports pandas and friends while we import nbgrader.
    from .isolation.launch import launch

    run_dir, fork_server = launch()
    log_path = run_dir / "grade.log"
    handler = logging.FileHandler(log_path)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    root.handlers[:] = [handler]  # nbgrader, nbclient and traitlets log here, never on the terminal
    root.setLevel(logging.INFO)
    logging.captureWarnings(True)  # SQLAlchemy's and the like: into the log too
    try:
        return _run(args, run_dir, fork_server, log_path, out, err)
    except KeyboardInterrupt:
        # Before grading started or after it ended: nothing half-written, each grade is a transaction.
        print("\nhitpm grade: interrupted; grades written so far are kept: run the same command again", file=out)
        return EXIT_INTERRUPTED
    finally:
        fork_server.kill()
        logging.captureWarnings(False)
        root.handlers[:], _ = saved
        root.setLevel(saved[1])
        handler.close()
        shutil.rmtree(run_dir, ignore_errors=True)


def _run(args, run_dir, fork_server, log_path, out, err) -> int:
    from ..workspace import WorkspaceError
    from .course import CourseError, GradingCourse

    log = logging.getLogger("hitpm.grade")
    try:
        course = GradingCourse(course_root(args), args.assignment, log)
        lock = course.hold_gradebook("hitpm grade")
    except (CourseError, WorkspaceError, ValueError) as error:
        print(f"hitpm grade: {error}", file=err)
        return EXIT_USAGE
    with lock:
        return _grade(args, course, log, run_dir, fork_server, log_path, out, err)


def _grade(args, course, log, run_dir, fork_server, log_path, out, err) -> int:
    import asyncio

    from ..workspace import WorkspaceError
    from .course import CourseError
    from .grade import ClassGrader, finish, output_folder
    from .isolation.forkserver import ForkServerError
    from .preflight import GradingRefused

    try:
        options = _options(args, course.config)
        grader = ClassGrader(course, options, log, fork_server, run_dir, progress_stream=err)
        result = asyncio.run(grader.run())
    except (CourseError, WorkspaceError, ValueError) as error:
        print(f"hitpm grade: {error}", file=err)
        return EXIT_USAGE
    except (ForkServerError, GradingRefused) as error:
        print(f"hitpm grade: {error}", file=err)
        return EXIT_REFUSED
    output = output_folder(course, options)
    output.mkdir(parents=True, exist_ok=True)
    if result.fences.get("kernels fenced in", "").startswith("NO"):
        own_user = result.fences.get("own user per worker") == "yes"
        print("hitpm grade: kernels were NOT fenced in (--unfenced): student code ran with "
              + ("a user of its own, within limits, but saw what others may read on this machine, and its network"
                 if own_user else "your user's rights")
              + " (" + result.fences["kernels fenced in"].split(": ", 1)[-1] + ")", file=out)
    for line in problem_lines(result.findings):
        print(f"hitpm grade: {line}", file=out)
    manual = [f for f in result.findings if f.kind == "manual grading"]
    if manual:
        print(f"hitpm grade: {len(manual)} answer(s) in {len({f.student for f in manual})} submission(s) wait for "
              "manual grading (nbgrader formgrader)", file=out)
    if result.interrupted:
        print(f"hitpm grade: interrupted: {len(result.graded)} submission(s) graded and kept; run the same command "
              "again to grade the rest", file=out)
        shutil.copy(log_path, output / f"{course.assignment}-grade.log")
        return EXIT_INTERRUPTED
    finish(course, options, result, log)
    shutil.copy(log_path, output / f"{course.assignment}-grade.log")
    if not result.results and not result.already_graded:
        print(f"hitpm grade: no submission of {course.assignment} found under "
              f"{course.folder('submitted', '<student>')}", file=out)
    print(f"hitpm grade: {course.assignment}: {len(result.graded)} graded now"
          + (f", {len(result.already_graded)} graded before (--force grades them again)" if result.already_graded
             else "")
          + (f", {len(result.not_graded)} could not be graded" if result.not_graded else "")
          + f", {result.seconds:.1f} s with {result.workers} worker(s)", file=out)
    for name, path in result.outputs.items():
        print(f"hitpm grade: {name}: {os.path.relpath(path)}", file=out)
    return EXIT_SOME_NOT_GRADED if result.not_graded else 0


def problem_lines(findings) -> list[str]:
    """One line per problem: the same problem in several cells of a submission is one line."""
    cells: dict[tuple, list[str]] = {}
    for finding in by_severity(findings):
        if finding.kind != "manual grading":
            cells.setdefault((finding.student, finding.kind, finding.notebook, finding.reason), []).append(finding.cell)
    lines = []
    for (student, kind, notebook, reason), where in cells.items():
        named = [cell for cell in where if cell]
        place = ":".join(p for p in (notebook, named[0] if len(named) == 1 else None) if p)
        more = f" ({len(named)} cells: {', '.join(named)})" if len(named) > 1 else ""
        lines.append(f"{student}: {kind}{f' in {place}' if place else ''}: {reason}{more}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """`python -m hitpm_widgets.grading.cli ASSIGNMENT ...` (the same as `hitpm grade`)."""
    parser = argparse.ArgumentParser(prog="hitpm")
    add_grade_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["grade", *(sys.argv[1:] if argv is None else argv)])
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
