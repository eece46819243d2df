"""The `hitpm` command."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

from .grading.cli import add_grade_command
from .selfcheck import add_commands as add_selfcheck_commands
from .workspace import START_PAGE, WorkspaceError, build_workspace, find_course_root


def _lab(args) -> int:
    course_root = find_course_root(Path(args.course).resolve() if args.course else None)
    workspace = Path(args.workspace).resolve() if args.workspace else course_root / "workspace"
    added = build_workspace(course_root, workspace)
    if added:
        print(f"hitpm: learner workspace {workspace}: added {len(added)} item(s)")
    else:
        print(f"hitpm: learner workspace {workspace} is up to date")
    command = [sys.executable, "-m", "jupyterlab", str(START_PAGE), f"--ServerApp.root_dir={workspace}"]
    if args.no_browser:
        command.append("--no-browser")
    if args.port is not None:
        command.append(f"--port={args.port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    command.extend(args.jupyter_args)
    if args.dry_run:
        print(" ".join(command))
        return 0
    return subprocess.call(command, cwd=workspace)


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
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and args.command != "lab":
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.jupyter_args = extra
    if args.command is None:
        parser.print_help()
        return 0
    if getattr(args, "port", None) is not None and not 0 < args.port < 65536:
        parser.error(f"--port must be from 1 to 65535, not {args.port}")
    try:
        return args.run(args)
    except WorkspaceError as error:
        print(f"hitpm: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
