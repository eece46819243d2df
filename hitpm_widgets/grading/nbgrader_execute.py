"""Stock `nbgrader autograde` (and formgrader's Autograde button) with the tests in a kernel of their own.

The kit's nbgrader_config.py puts `AnswersThenTests` where nbgrader's Execute runs in autograde. It is
nbgrader's Execute, twice, as `hitpm grade` runs a notebook (answer_plan.py): first the learner's
notebook, taking the answers as data after each learner cell; then, in a new kernel and a scratch copy
of the folder without the learner's Python files, the instructor's cells (from the gradebook, not the
submission) on those answers. nbgrader then scores the second kernel's test outputs.

This adds no fence: with stock nbgrader the learner's code still runs as the instructor. `hitpm grade`
fences both kernels.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from jupyter_core.utils import run_sync
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.converters import Autograde
from nbgrader.preprocessors import Execute

from .answer_key import key_files
from .answer_plan import (
    UNGUESSABLE_TAG,
    AnswerPlan,
    AnswersTaken,
    InstructorPart,
    only_code_of,
    place_file,
    take_answers,
)


class AnswersThenTests(Execute):
    """nbgrader's Execute in two kernels: the learner's cells, then the instructor's on the answers as data.

    `instructor` (an InstructorPart) says what the test kernel runs; without it (nbgrader autograde), the
    gradebook's source cells and the source folder's files. `kernel_env`: both kernels' environment."""

    _taking: AnswerPlan | None = None

    def __init__(self, *args, instructor: InstructorPart | None = None, kernel_env: dict | None = None, **kwargs):
        kwargs.setdefault("skip_cells_with_tag", UNGUESSABLE_TAG)
        super().__init__(*args, **kwargs)
        self.instructor = instructor
        self.kernel_env = kernel_env

    def preprocess(self, nb, resources=None, km=None):
        part = self.instructor if self.instructor is not None else self._instructor(resources)
        instructor = part.cells
        plan = AnswerPlan.of(nb, instructor)
        taken = AnswersTaken()
        self._taking, self._taken, self._learner = plan, taken, set(plan.learner)
        try:
            if plan.no_learner_code(nb):  # nothing of the learner's to run: the test kernel is the whole run
                answered = nb
            else:
                answered, resources = super().preprocess(nb, resources, km)
        finally:
            self._taking = None
        folder = Path(resources["metadata"]["path"])
        with tempfile.TemporaryDirectory(prefix="hitpm-tests-") as scratch:
            # The same last three parts as autograded/<student>/<assignment>: the folder names the learner whose
            # case variant the tests check against (variants.grading_learner).
            work = Path(scratch).joinpath(*folder.parts[-3:])
            shutil.copytree(folder, work, symlinks=True, ignore=only_code_of(folder, part.files))
            for name, content in part.keys.items():  # the answer key: the test kernel's alone
                place_file(work, name, content)
            tests = plan.test_notebook(answered, taken, len(answered.cells))
            tested, _ = super().preprocess(tests, {**resources, "metadata": {**resources["metadata"],
                                                                              "path": str(work)}})
        return plan.merge(answered, tested, taken), resources

    def start_new_kernel(self, **kwargs):
        # nbconvert's preprocess starts its kernel through this (run_sync of the async one, bound at class level).
        if self.kernel_env is not None:
            kwargs.setdefault("env", self.kernel_env)
            # The kernel's own log lines (e.g. about its transport) are not for the learner.
            kwargs.setdefault("stderr", subprocess.DEVNULL)
        return super().start_new_kernel(**kwargs)

    def preprocess_cell(self, cell, resources, index):
        # nbclient's execute_cell is async_execute_cell wrapped once, at class level: overriding that one
        # would not be called, so the answers are taken here, after the cell.
        cell, resources = super().preprocess_cell(cell, resources, index)
        if self._taking is not None and index in self._learner:
            run_sync(take_answers)(self, self._taking, self._taken, index)
        return cell, resources

    def _instructor(self, resources) -> InstructorPart:
        """The notebook's locked and test code cells as the gradebook holds them, the assignment's files and its
        answer key."""
        about = resources["nbgrader"]
        with Gradebook(about["db_url"]) as gradebook:
            try:
                notebook = gradebook.find_notebook(about["notebook"], about["assignment"])
            except MissingEntry:
                raise ValueError(f"{about['notebook']} is not in the gradebook: generate the assignment "
                                 "first") from None
            cells = {cell.name: cell.source for cell in notebook.source_cells
                     if cell.cell_type == "code" and cell.locked}
        files: frozenset[str] = frozenset()
        keys: dict[str, bytes] = {}
        coursedir = getattr(getattr(self.parent, "parent", None), "coursedir", None)
        if coursedir is not None:
            source = Path(coursedir.format_path(coursedir.source_directory, ".", about["assignment"]))
            keys = key_files(source)
            files = frozenset(p.relative_to(source).as_posix() for p in source.rglob("*")
                              if p.is_file() and p.name not in keys)
        return InstructorPart(cells, files, keys)


#: nbgrader's autograde preprocessors, with AnswersThenTests in Execute's place.
AUTOGRADE_PREPROCESSORS = [AnswersThenTests if step is Execute else step
                           for step in Autograde.class_traits()["autograde_preprocessors"].default()]
