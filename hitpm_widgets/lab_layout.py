"""A class learner's first JupyterLab: the start page, with nbgrader's assignment list open beside it.

JupyterLab restores its last layout from a workspace file; this writes the "default" workspace once, when the
learner has none, so the first login shows both. A layout the learner has made since is theirs and is never
replaced. The keys are those JupyterLab's restorer saves: a notebook is "notebook:<path>" (its document
tracker), the assignment list "nbgrader-assignment-list:nbgrader-assignment-list" (nbgrader's tracker).
"""

from __future__ import annotations

import json
from pathlib import Path

ASSIGNMENT_LIST = "nbgrader-assignment-list:nbgrader-assignment-list"
WORKSPACE = "default"
#: The start page takes the wider share of the main area; the assignment list sits to its right.
START_PAGE_SHARE = 0.62
LEFT_SHARE = 0.2


def first_layout(start_page: str) -> dict:
    """JupyterLab's default workspace with `start_page` (a path from the server's root) and the assignment list
    side by side, the start page in front."""
    notebook = f"notebook:{start_page}"
    return {
        "data": {
            "layout-restorer:data": {
                "main": {
                    "dock": {
                        "type": "split-area",
                        "orientation": "horizontal",
                        "sizes": [START_PAGE_SHARE, 1 - START_PAGE_SHARE],
                        "children": [
                            {"type": "tab-area", "currentIndex": 0, "widgets": [notebook]},
                            {"type": "tab-area", "currentIndex": 0, "widgets": [ASSIGNMENT_LIST]},
                        ],
                    },
                    "current": notebook,
                },
                # The file browser open, as JupyterLab has it on a first start with no workspace.
                "left": {"collapsed": False, "visible": True, "current": "filebrowser", "widgets": ["filebrowser"]},
                "relativeSizes": [LEFT_SHARE, 1 - LEFT_SHARE, 0],
            },
            notebook: {"data": {"path": start_page, "factory": "Notebook"}},
            ASSIGNMENT_LIST: {"data": {}},
        },
        "metadata": {"id": WORKSPACE},
    }


def workspaces_folder() -> Path:
    from jupyterlab.commands import get_workspaces_dir

    return Path(get_workspaces_dir())


def write_first_layout(start_page: str, folder: Path | None = None) -> Path | None:
    """Writes the first layout unless a default workspace exists already; the file written, or None."""
    from jupyterlab_server.workspaces_handler import WorkspacesManager

    manager = WorkspacesManager(str(folder or workspaces_folder()))
    if any(space.get("metadata", {}).get("id") in (WORKSPACE, f"/{WORKSPACE}")
           for space in manager.list_workspaces()):
        return None
    return manager.save(WORKSPACE, json.dumps(first_layout(start_page)))
