"""nbgrader's sanitizing step, with a record of what a submission changed that it must not.

Stock `nbgrader autograde` restores edited read-only cells and metadata from the gradebook and only
logs a warning, the same warning for every hidden-test cell (their released text differs from the
source by design). Here the same preprocessors run, and what was restored is compared with what
was released, so that a real edit becomes a finding and hidden tests do not.
"""

from __future__ import annotations

import json

from nbformat import NotebookNode
from nbgrader.api import MissingEntry
from nbgrader.preprocessors import ClearHiddenTests, NbGraderPreprocessor, OverwriteCells, OverwriteKernelspec

from .findings import Finding
from .sourcebook import SourceBook


class WatchfulOverwriteCells(OverwriteCells):
    """nbgrader's OverwriteCells on the source book, noting each change instead of logging it."""

    def preprocess(self, nb, resources):
        self.notebook_id = resources["nbgrader"]["notebook"]
        self.assignment_id = resources["nbgrader"]["assignment"]
        self.db_url = resources["nbgrader"]["db_url"]
        self.gradebook = resources["hitpm"]["sources"]
        self.changes: list[tuple[str, str, object, object]] = []
        self.hidden = ClearHiddenTests(parent=self.parent)
        nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
        if self.add_missing_cells:
            nb, resources = self.add_missing_grade_cells(nb, resources)
            nb, resources = self.add_missing_task_cells(nb, resources)
        resources["hitpm"]["changes"].extend(self.changes)
        return nb, resources

    def preprocess_cell(self, cell, resources, cell_index):
        submitted = cell.get("source", "")
        self._restoring = submitted
        return super().preprocess_cell(cell, resources, cell_index)

    def report_change(self, name, attr, old, new):
        if attr == "checksum" and self._released(name) == self._restoring:
            return  # the released text: only the hidden tests are missing, as nbgrader made it
        self.changes.append((name, attr, old, new))

    def _released(self, grade_id: str) -> str:
        source = self.gradebook.find_source_cell(grade_id, self.notebook_id, self.assignment_id)
        cell = NotebookNode(cell_type=source.cell_type, source=source.source, metadata=NotebookNode())
        self.hidden._remove_hidden_test_region(cell)
        return cell.source


class SharedOverwriteKernelspec(OverwriteKernelspec):
    """nbgrader's OverwriteKernelspec on the source book."""

    def preprocess(self, nb, resources):
        ids = resources["nbgrader"]
        found = resources["hitpm"]["sources"].find_notebook(ids["notebook"], ids["assignment"])
        if found.kernelspec:
            nb.metadata["kernelspec"] = json.loads(found.kernelspec)
        return nb, resources


WHAT_CHANGED = {
    "checksum": "the text of a read-only cell was edited (the original was put back and run)",
    "cell_type": "a cell's type was changed (put back)",
    "locked": "a read-only cell was unlocked (locked again)",
    "points": "a test cell's points were changed (put back)",
}


def tampering(student: str, notebook: str, changes) -> list[Finding]:
    return [
        Finding(student, "tampering", WHAT_CHANGED.get(attr, f"{attr} changed"), notebook, name)
        for name, attr, _old, _new in changes
    ]


def missing_cells(student: str, notebook: str, nb: NotebookNode, sources: SourceBook, assignment: str,
                  added_back: bool) -> list[Finding]:
    """Graded and read-only cells of the source that the submission no longer has."""
    present = {cell.metadata.get("nbgrader", {}).get("grade_id") for cell in nb.cells}
    try:
        source = sources.find_notebook(notebook, assignment)
    except MissingEntry:
        return []
    findings = []
    graded = {cell.name for cell in source.grade_cells}
    for cell in source.source_cells:
        if cell.name in present:
            continue
        if cell.name in graded:
            reason = ("a graded cell was deleted: nbgrader added it back and ran it" if added_back else
                      "a graded cell was deleted: it is not graded automatically and waits for a person, "
                      "as stock nbgrader leaves it (OverwriteCells.add_missing_cells would add it back)")
        elif cell.locked:
            reason = "a read-only cell was deleted; the cells after it ran without it"
        else:
            continue
        findings.append(Finding(student, "tampering", reason, notebook, cell.name))
    return findings

