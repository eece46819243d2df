"""Before a submission runs: its files laid out as nbgrader autograde lays them, its notebooks sanitized.

Mirrors `Autograde.init_assignment` and the sanitizing half of `Autograde.convert_single_notebook`
(the same nbgrader preprocessors, in the same order, with the course's configuration), with what
stock nbgrader would stop on turned into findings: an unreadable notebook, a missing or extra one,
a symlink out of the folder, a timestamp it cannot read.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from nbgrader.api import Gradebook
from nbgrader.nbgraderformat import ValidationError
from nbgrader.preprocessors import ClearOutput, DeduplicateIds
from nbgrader.utils import is_ignored

from .answer_files import check_answer_files
from .answer_key import key_files
from .answer_plan import InstructorPart
from .checksums import SharedOverwriteKernelspec, WatchfulOverwriteCells, missing_cells, tampering
from .course import GradingCourse, Submission
from .findings import Finding
from .sourcebook import QuickCheckCellMetadata, SourceBook
from .variant_check import check_variant, variant_case


@dataclass
class PreparedNotebook:
    name: str
    #: None when there is nothing to run: the notebook is missing or unreadable (it scores 0).
    notebook: NotebookNode | None
    resources: dict


@dataclass
class PreparedSubmission:
    submission: Submission
    folder: Path
    notebooks: list[PreparedNotebook]
    findings: list[Finding] = field(default_factory=list)

    @property
    def student(self) -> str:
        return self.submission.student


class Preparer:
    """Prepares submissions of one assignment; holds the sanitizing preprocessors once."""

    def __init__(self, course: GradingCourse, gradebook: Gradebook, work: Path) -> None:
        self.course = course
        self.gradebook = gradebook
        self.work = work
        self.names = course.notebook_names(gradebook)
        self.sources = SourceBook(gradebook, course.assignment)
        self._instructor: dict[str, InstructorPart] = {}
        parent = course.app
        self.sanitizers = [ClearOutput(parent=parent), DeduplicateIds(parent=parent),
                           SharedOverwriteKernelspec(parent=parent), WatchfulOverwriteCells(parent=parent),
                           QuickCheckCellMetadata(parent=parent)]
        self.add_missing_cells = self.sanitizers[3].add_missing_cells
        exclude = course.config.get("Autograde", {}).get("exclude_overwriting", {}).get(course.assignment, [])
        #: The case whose per-learner variants the assignment uses, if any.
        self.variant_case = variant_case(course.source, course.assignment)
        self.source_files = [
            path for path in _files(course.source, course.ignore + ["*.ipynb"])
            if str(path.relative_to(course.source)) not in exclude
        ]

    def instructor(self, name: str) -> InstructorPart:
        """The notebook's locked and test code cells as the gradebook holds them, and the assignment's own
        files: what alone the test kernel runs."""
        if name not in self._instructor:
            notebook = self.sources.notebooks.get(name)
            cells = {} if notebook is None else {
                cell.name: cell.source for cell in notebook.source_cells if cell.cell_type == "code" and cell.locked}
            files = frozenset(path.relative_to(self.course.source).as_posix() for path in self.source_files)
            self._instructor[name] = InstructorPart(cells, files, key_files(self.course.source))
        return self._instructor[name]

    def prepare(self, submission: Submission) -> PreparedSubmission:
        student = submission.student
        folder = self.work / "prepared" / student / self.course.assignment
        if folder.exists():
            shutil.rmtree(folder)
        # Only the grader's: an unfenced kernel must not read a classmate's submission on its way in.
        (self.work / "prepared").mkdir(mode=0o700, exist_ok=True)
        folder.mkdir(parents=True, mode=0o700)
        prepared = PreparedSubmission(submission, folder, [])
        findings = prepared.findings
        if submission.timestamp_problem:
            findings.append(Finding(student, "notebook", submission.timestamp_problem + "; graded as not late"))
        for path in _files(submission.folder, self.course.ignore + ["*.ipynb"], findings, student):
            target = folder / path.relative_to(submission.folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        for path in self.source_files:  # the instructor's versions of the assignment's other files win
            target = folder / path.relative_to(self.course.source)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.unlink(missing_ok=True)
            shutil.copyfile(path, target)
        findings.extend(check_answer_files(student, folder, submission.timestamp))
        findings.extend(check_variant(student, folder, self.course.assignment, self.variant_case))
        for extra in sorted(p.name for p in submission.folder.glob("*.ipynb") if p.stem not in self.names):
            findings.append(Finding(student, "notebook", f"{extra} is not part of the assignment: not graded"))
        for name in self.names:
            prepared.notebooks.append(self._notebook(submission, name, folder, findings))
        return prepared

    def _notebook(self, submission: Submission, name: str, folder: Path, findings: list[Finding]) -> PreparedNotebook:
        student, assignment = submission.student, self.course.assignment
        resources = {
            "nbgrader": {"student": student, "assignment": assignment, "notebook": name,
                         "db_url": self.course.db_url},
            "hitpm": {"gradebook": self.gradebook, "sources": self.sources, "changes": []},
            "metadata": {"path": str(folder)},
        }
        path = submission.folder / f"{name}.ipynb"
        if path.is_symlink() or not path.is_file():
            findings.append(Finding(student, "notebook", f"{name}.ipynb is missing: all its points are 0", name))
            return PreparedNotebook(name, None, resources)
        try:
            nb = nbformat.read(path, as_version=4)
        except Exception as error:  # noqa: BLE001 - any unreadable notebook is one finding, not a crash
            findings.append(Finding(student, "notebook", f"{name}.ipynb cannot be read ({_short(error)}): all "
                                    "its points are 0", name))
            return PreparedNotebook(name, None, resources)
        try:
            for sanitizer in self.sanitizers:
                nb, resources = sanitizer(nb, resources)
        except ValidationError as error:
            findings.append(Finding(student, "tampering", f"nbgrader's cell metadata is broken ({_short(error)}): "
                                    "all its points are 0", name))
            return PreparedNotebook(name, None, resources)
        except Exception as error:  # noqa: BLE001
            findings.append(Finding(student, "notebook", f"{name}.ipynb could not be prepared for grading "
                                    f"({_short(error)}): all its points are 0", name))
            return PreparedNotebook(name, None, resources)
        findings.extend(tampering(student, name, resources["hitpm"]["changes"]))
        findings.extend(missing_cells(student, name, nb, self.sources, assignment, self.add_missing_cells))
        # As nbgrader leaves it for the kernel to find; not validated again (it was read and checked).
        (folder / f"{name}.ipynb").write_text(nbformat.v4.writes(nb), encoding="utf-8")
        return PreparedNotebook(name, nb, resources)


def _files(root: Path, ignore: list[str], findings: list[Finding] | None = None, student: str = "") -> list[Path]:
    """Files under `root` as nbgrader's find_all_files finds them, without following symlinks."""
    found = []
    for dirname, dirnames, filenames in os.walk(root):
        if is_ignored(dirname, ignore):
            dirnames[:] = []
            continue
        for name in list(dirnames):
            if os.path.islink(os.path.join(dirname, name)):
                dirnames.remove(name)
                filenames.append(name)
        for name in filenames:
            path = Path(dirname) / name
            if is_ignored(str(path), ignore):
                continue
            if path.is_symlink() or not path.is_file():
                if findings is not None:
                    findings.append(Finding(student, "tampering", f"{path.relative_to(root)} is a link or a special "
                                            "file, not a file: left out"))
                continue
            found.append(path)
    return found


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0][:200]}" if text else type(error).__name__

