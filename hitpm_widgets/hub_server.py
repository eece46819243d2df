"""A user's server on the class's JupyterHub: the course in ~/hitpm-workspace first, then jupyterhub-singleuser.

The hub starts this, as the user, in place of jupyterhub-singleuser (deploy/jupyterhub_config.py). The first
time it copies the lessons and the workbooks' student versions from the installed package, as `hitpm lab`
does; each later start adds what is new and updates the lessons the learner has not changed. Their work is
never overwritten. A first login also opens nbgrader's assignment list beside the start page (lab_layout).
Then the server takes this process's place.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .lab_layout import write_first_layout
from .workspace import START_PAGE, build_workspace, default_workspace


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    workspace = default_workspace(None)
    try:
        changed = build_workspace(None, workspace, log=lambda _: None)
        if changed:
            print(f"hitpm: {workspace}: added or updated {len(changed)} item(s)", flush=True)
    except Exception as error:  # noqa: BLE001 (the server starts anyway: fetch and submit need no lessons)
        print(f"hitpm: the course could not be put in {workspace}: {error}", file=sys.stderr, flush=True)
    start_page = workspace / START_PAGE
    if start_page.is_file() and start_page.is_relative_to(Path.home()):
        try:  # the hub's notebook_dir is the home folder: JupyterLab's paths start there
            write_first_layout(start_page.relative_to(Path.home()).as_posix())
        except Exception as error:  # noqa: BLE001 (a missing layout costs a click; the server starts anyway)
            print(f"hitpm: the first layout could not be written: {error}", file=sys.stderr, flush=True)
    server = Path(sys.executable).parent / "jupyterhub-singleuser"
    os.execv(server, [str(server), *argv])


if __name__ == "__main__":
    main()
