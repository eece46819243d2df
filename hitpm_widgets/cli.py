"""The `hitpm` command."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from .grading.cli import add_grade_command
from .grading.feedback_command import add_feedback_command
from .learner_lab import LabError, lab_command
from .lms.cli import add_lms_command
from .selfcheck import add_commands as add_selfcheck_commands
from .workspace import (
    START_PAGE,
    WorkspaceError,
    build_workspace,
    default_workspace,
    environment_with_kit_on_path,
    find_course_root,
    packaged_course,
)


def _lab(args) -> int:
    course_root = _course_for_lab(args.course)
    if args.workspace:
        workspace = Path(args.workspace).resolve()
    else:
        workspace = default_workspace(course_root)
    lab = lab_command(workspace, START_PAGE, port=args.port, no_browser=args.no_browser, extra=args.jupyter_args)
    added = build_workspace(course_root, workspace)
    if added:
        print(f"hitpm: learner workspace {workspace}: added or updated {len(added)} item(s)")
    else:
        print(f"hitpm: learner workspace {workspace} is up to date")
    if not lab.in_class:
        print("hitpm: no class here (no nbgrader exchange): nbgrader's Assignments list is off; "
              "on your class's JupyterHub it is on")
    if args.dry_run:
        print(" ".join(lab.command))
        return 0
    if args.no_browser:
        print(f"hitpm: JupyterLab is starting; open the start page at {lab.url}")
    # JupyterLab takes this process's place (the same pid): a SIGTERM, Ctrl-C or closed terminal that
    # ends `hitpm lab` ends JupyterLab, and no server is left running orphaned.
    sys.stdout.flush()
    sys.stderr.flush()
    os.chdir(workspace)
    os.execve(lab.command[0], lab.command, lab.env)


def _nbgrader(args) -> int:
    return subprocess.call([sys.executable, "-m", "nbgrader", *args.jupyter_args], env=environment_with_kit_on_path())


def _course_for_lab(course: str | None) -> Path | None:
    """The course to make the workspace from; None for the one an installed package carries."""
    if course:
        return find_course_root(Path(course).resolve())
    try:
        return find_course_root()
    except WorkspaceError:
        if packaged_course() is None:
            raise
        return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hitpm",
        description="hitpm: a healthcare IT project management course in JupyterLab.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    lab = commands.add_parser(
        "lab", help="make the learner workspace if it is missing and open JupyterLab on the start page",
        description="Make (or complete) the learner workspace, with the student versions of every "
        "workbook and the lessons, then open JupyterLab there on the start page. Options not listed "
        "here (e.g. --ServerApp.ip=0.0.0.0) are passed to JupyterLab.",
    )
    lab.add_argument("--no-browser", action="store_true", help="start the server without opening a browser")
    lab.add_argument("--port", type=int, help="the port JupyterLab listens on (default: its own, 8888)")
    lab.add_argument("--workspace", help="where the learner workspace is (default: workspace/ in the course)")
    lab.add_argument("--course", help="the course root (default: the clone this command runs in)")
    lab.add_argument("--dry-run", action="store_true", help="make the workspace, print the JupyterLab command, stop")
    lab.set_defaults(run=_lab)
    add_selfcheck_commands(commands)
    add_grade_command(commands)
    add_feedback_command(commands)
    add_lms_command(commands)
    nbgrader = commands.add_parser(
        "nbgrader", help="run a stock nbgrader command with this installation's tools found (no venv to activate)",
        description="Run `nbgrader ARGS...` with this Python's folder on PATH: nbgrader runs alembic by name, "
        "so `.venv/bin/nbgrader` alone fails unless the venv is activated.", add_help=False,
    )
    nbgrader.set_defaults(run=_nbgrader)
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        status = _main(argv)
    except BrokenPipeError:
        _flush_stdout()
        status = 141
    except SystemExit:  # --help and usage errors, whose reader may have gone away too
        _flush_stdout()
        raise
    return status if _flush_stdout() else 141


def _flush_stdout() -> bool:
    """Flush now, where a reader that went away (`hitpm progress | head -3`) is no traceback. False then."""
    try:
        sys.stdout.flush()
        return True
    except BrokenPipeError:
        # Python would meet the broken pipe again when it flushes stdout at exit: point it elsewhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return False


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command not in ("lab", "nbgrader"):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.jupyter_args = extra
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "port", None) is not None and not 0 < args.port < 65536:
        parser.error(f"--port must be from 1 to 65535, not {args.port}")
    try:
        return args.run(args)
    except (WorkspaceError, LabError) as error:
        print(f"hitpm: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
