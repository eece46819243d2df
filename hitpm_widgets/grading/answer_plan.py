"""How one notebook is graded in two kernels, so that tests never run where learner code ran.

Phase (a), the answers: the learner's notebook runs as nbgrader would run it. After each of the
learner's code cells the grader takes that cell's outputs as they were then, and the answers as data
(answer_data.collect). Phase (b), the tests: a fresh kernel runs a notebook in which every cell of the
instructor's (locked cells and tests, from the assignment's source, not from the submission) is as the
instructor wrote it, and every learner cell is replaced by `restore` of its answers. The graded
notebook has the learner's cells as they ran in (a) and the instructor's cells as they ran in (b).

A cell is the instructor's when its nbgrader id is one of the source notebook's locked or test
cells: a learner can copy an id, but the code that runs is the source's, never the submission's.
"""

from __future__ import annotations

import ast
import builtins
import copy
import importlib.machinery
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from nbformat import NotebookNode
from nbgrader import utils

from .answer_data import AnswerDataError, parse

#: The kernel-side module: imported by name so that the test kernel's code is the installed kit's.
MODULE = "hitpm_widgets.grading.answer_data"


@dataclass(frozen=True)
class InstructorPart:
    """What of a notebook's run is the instructor's: the test kernel runs these and nothing of the learner's."""

    #: The source notebook's locked and test code cells, by nbgrader id.
    cells: dict[str, str]
    #: The assignment's own files (paths relative to its folder): the only code the test kernel may import from
    #: its working folder. A learner's `statistics.py` there would otherwise stand in for a module a test imports.
    files: frozenset[str] = frozenset()
    #: Files only the test kernel's folder gets, never the learner's: the answer key ({name: content}).
    keys: dict[str, bytes] = field(default_factory=dict)

    @property
    def test_code(self) -> frozenset[str]:
        """The importable files the test kernel's folder may keep: the assignment's and its answer key."""
        return self.files | frozenset(self.keys)

    def to_dict(self) -> dict:
        return {"cells": self.cells, "files": sorted(self.files),
                "keys": {name: content.decode("utf-8") for name, content in self.keys.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> InstructorPart:
        keys = {name: text.encode("utf-8") for name, text in data.get("keys", {}).items()}
        return cls(dict(data["cells"]), frozenset(data["files"]), keys)


def importable(name: str) -> bool:
    """A file Python could import as a module from the folder it is in."""
    return name.endswith(tuple(importlib.machinery.all_suffixes()))


def only_code_of(folder: Path, code_of: frozenset[str]):
    """A copytree `ignore` that leaves out every importable file but those in `code_of` (relative paths)."""
    def leave_out(directory: str, names: list[str]) -> set[str]:
        where = Path(directory).relative_to(folder)
        return {name for name in names if name == "__pycache__"
                or (importable(name) and (where / name).as_posix() not in code_of)}
    return leave_out


def place_file(folder: Path, relative: str, content: bytes) -> None:
    """Write `content` at `relative` under `folder`, never outside it nor through a link."""
    parts = Path(relative).parts
    if not parts or Path(relative).is_absolute() or ".." in parts:
        return
    target = folder.joinpath(*parts)
    for parent in target.relative_to(folder).parents[:-1]:
        if (folder / parent).is_symlink():
            return
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_symlink():
        target.unlink()
    target.write_bytes(content)


#: nbclient skips a cell tagged with its `skip_cells_with_tag` ("skip-execution"): the grader's kernels use a
#: tag no submission can know (a skipped test cell would score full points).
UNGUESSABLE_TAG = f"hitpm-never-skip-{secrets.token_hex(16)}"


def grade_id_of(cell: NotebookNode) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def instructor_cells(source: NotebookNode) -> dict[str, str]:
    """The source notebook's locked and test code cells, by nbgrader id."""
    return {grade_id_of(cell): cell.source for cell in source.cells
            if cell.cell_type == "code" and utils.is_locked(cell) and grade_id_of(cell)}


def _python(source: str) -> ast.AST | None:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return ast.parse(TransformerManager().transform_cell(source))
    except (SyntaxError, ValueError):
        return None


def names_set(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            found.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
    return found


def names_read(tree: ast.AST) -> set[str]:
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)}


@dataclass
class AnswerPlan:
    """Which cells of a prepared notebook are the learner's, and what travels from (a) to (b)."""

    #: Code cells whose code is the learner's (answer cells, cells they added, anything not the instructor's).
    learner: list[int]
    #: The instructor's code cells: index -> the source's code.
    instructor: dict[int, str]
    #: Names the test cells read that no instructor's cell sets: taken as data when they are data.
    wanted: list[str]
    #: Names the instructor's cells set: their values stay the test kernel's own (exercise models take answers).
    owned: list[str]

    @classmethod
    def of(cls, notebook: NotebookNode, instructor: dict[str, str]) -> AnswerPlan:
        learner, mine = [], {}
        owned: set[str] = set()
        read: set[str] = set()
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            grade_id = grade_id_of(cell)
            if grade_id in instructor:
                mine[index] = instructor[grade_id]
                tree = _python(instructor[grade_id])
                if tree is None:
                    continue
                made = names_set(tree)
                owned |= made
                if utils.is_grade(cell):
                    read |= names_read(tree) - made
            else:
                learner.append(index)
        wanted = sorted(name for name in read - owned if not name.startswith("_") and not hasattr(builtins, name))
        return cls(learner, mine, wanted, sorted(owned))

    def no_learner_code(self, notebook: NotebookNode) -> bool:
        """Every learner cell holds nothing to run (comments, the released stub): the test kernel alone is then
        the whole run, since there is nothing of the learner's to run and no answer but the saved ones."""
        for index in self.learner:
            tree = _python(notebook.cells[index].source)
            if tree is None or tree.body:
                return False
        return True

    def collect_expression(self) -> str:
        return f"__import__({MODULE!r}, fromlist=['collect']).collect(globals(), {self.wanted!r})"

    def restore_code(self, snapshot: str | None) -> str:
        if snapshot is None:
            return "# hitpm grade: this cell of the learner's left no answers to take\n"
        return (f"# hitpm grade: the answers this cell of the learner's left, as data\n"
                f"__import__({MODULE!r}, fromlist=['restore']).restore(globals(), {snapshot!r}, {self.owned!r})\n")

    def test_notebook(self, prepared: NotebookNode, answers: AnswersTaken, stop: int) -> NotebookNode:
        """Phase (b)'s notebook: cells [0, stop) of `prepared`, the instructor's as written, the learner's as data."""
        tests = copy.deepcopy(prepared)
        tests.cells = tests.cells[:stop]
        for index, cell in enumerate(tests.cells):
            if cell.cell_type != "code":
                continue
            cell.outputs, cell.execution_count = [], None
            # Nothing of the submission's metadata but nbgrader's: a "skip-execution" tag would make nbclient
            # skip a test, and a skipped test shows no error, so nbgrader gives it full points.
            cell.metadata = {"nbgrader": cell.metadata["nbgrader"]} if "nbgrader" in cell.metadata else {}
            if index in self.instructor:
                cell.source = self.instructor[index]
            else:
                cell.source = self.restore_code(answers.snapshots.get(index))
        return tests

    def merge(self, answered: NotebookNode, tested: NotebookNode, answers: AnswersTaken) -> NotebookNode:
        """The graded notebook: the learner's cells from (a), the instructor's from (b) where (b) ran them."""
        graded = copy.deepcopy(answered)
        for index, cell in enumerate(graded.cells):
            if cell.cell_type != "code":
                continue
            if index in self.instructor:
                if index < len(tested.cells):
                    ran = tested.cells[index]
                    cell.outputs, cell.execution_count = ran.outputs, ran.get("execution_count")
                    cell.source = self.instructor[index]
            elif index in answers.frozen:
                cell.outputs = answers.frozen[index]
        for key in ("widgets", "language_info"):
            if key in tested.metadata:
                graded.metadata[key] = tested.metadata[key]
        return graded

    def passed(self, notebook: NotebookNode) -> dict[str, bool]:
        """Each test cell of the instructor's: did it pass (no error output)?"""
        return {grade_id_of(cell): not any(o.get("output_type") == "error" for o in cell.get("outputs", []))
                for index, cell in enumerate(notebook.cells)
                if index in self.instructor and utils.is_grade(cell) and not utils.is_solution(cell)}


@dataclass
class AnswersTaken:
    """What phase (a) left: each learner cell's answers (JSON text) and its outputs when it ended."""

    snapshots: dict[int, str] = field(default_factory=dict)
    frozen: dict[int, list] = field(default_factory=dict)
    #: Learner cells whose answers could not be taken, and why.
    problems: dict[int, str] = field(default_factory=dict)


async def take_answers(client, plan: AnswerPlan, taken: AnswersTaken, index: int) -> None:
    """In phase (a), right after learner cell `index` ran in `client`'s kernel (an nbclient NotebookClient):
    its outputs as they are now, and the answers the kernel holds, as data."""
    taken.frozen[index] = copy.deepcopy(client.nb.cells[index].outputs)
    msg_id = client.kc.execute("", silent=True, store_history=False,
                               user_expressions={"hitpm": plan.collect_expression()})
    reply = await client.async_wait_for_reply(msg_id, client.nb.cells[index])
    if reply is None:
        taken.problems[index] = "the kernel did not give its answers in time"
        return
    value = reply["content"].get("user_expressions", {}).get("hitpm", {})
    if value.get("status") != "ok":
        taken.problems[index] = f"taking its answers failed ({value.get('ename')}: {value.get('evalue')})"[:300]
        return
    try:
        snapshot = ast.literal_eval(value.get("data", {}).get("text/plain", ""))
        if not isinstance(snapshot, str):
            raise AnswerDataError("the answers are not JSON text")
        parse(snapshot)
    except (ValueError, SyntaxError, MemoryError, RecursionError) as error:
        taken.problems[index] = f"its answers are not usable data ({type(error).__name__}: {error})"[:300]
        return
    taken.snapshots[index] = snapshot
