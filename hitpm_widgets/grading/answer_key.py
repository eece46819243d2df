"""A workbook's answer key: the instructor's reference computations, kept where grading happens only.

Each source assignment may hold one `answer_key.py` beside its notebook (workbooks/<assignment>/). It is
the one place its graded figures are written (see CONTRIBUTING.md, "Answer keys"):

- `ASSIGNMENT`, and `CASE` (the case slug it grades, or None);
- `POINTS` ({autograded test cell: points}) and `MANUAL` ({manually graded cell: points});
- `TOLERANCES` ({answer: how far a number may be off});
- `answers(case)`: every autograded answer, computed from the case's tables with pandas and the
  lessons' formulas, never with the kit's own tools (a learner has those);
- optionally `key_figures(case)`: what an instructor checks the written parts against.

It never reaches a learner: nbgrader's release leaves it out (the kit's `CourseDirectory.ignore`), so do the
learner package and the prepared copy of a submission that the learner's kernel runs in. Only the test
kernel, where no learner code runs, gets it in its working folder, where the hidden tests import it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

#: The file name, and what nbgrader must ignore when it releases or overwrites an assignment's files.
KEY_FILE = "answer_key.py"


def key_files(source: Path) -> dict[str, bytes]:
    """{file name: content} of the assignment's answer key, for the test kernel's folder (empty if none)."""
    path = Path(source) / KEY_FILE
    return {KEY_FILE: path.read_bytes()} if path.is_file() else {}


def load(source: Path) -> ModuleType | None:
    """The answer key of the source assignment folder `source`, imported under a name of its own, or None."""
    path = Path(source) / KEY_FILE
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"hitpm_answer_key_{Path(source).name.replace('-', '_')}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
