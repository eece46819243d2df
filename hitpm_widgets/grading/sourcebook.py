"""The assignment's source cells as nbgrader's gradebook holds them, read once per run.

nbgrader's sanitizing preprocessors look each cell up in the gradebook, notebook by notebook; for
a class that is thousands of identical queries. `SourceBook` answers the same questions (the
methods OverwriteCells and OverwriteKernelspec call, with the same MissingEntry) from one read.
It also holds a faster CheckCellMetadata: the same checks, with the JSON schema compiled once
(`jsonschema.validate` checks the schema itself again on every call, i.e. on every cell).
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field

from jsonschema.validators import validator_for
from nbgrader.api import Gradebook, MissingEntry
from nbgrader.nbgraderformat import MetadataValidator, ValidationError
from nbgrader.nbgraderformat.common import BaseMetadataValidator, SchemaTooNewError, SchemaTooOldError
from nbgrader.preprocessors import CheckCellMetadata


@dataclass(frozen=True)
class SourceCell:
    name: str
    cell_type: str
    locked: bool
    checksum: str | None
    source: str


@dataclass(frozen=True)
class GradedCell:
    name: str
    max_score: float
    cell_type: str


@dataclass
class SourceNotebook:
    name: str
    kernelspec: str | None
    source_cells: list[SourceCell] = field(default_factory=list)
    grade_cells: list[GradedCell] = field(default_factory=list)
    solution_cells: list[SourceCell] = field(default_factory=list)
    task_cells: list[GradedCell] = field(default_factory=list)


class SourceBook:
    def __init__(self, gradebook: Gradebook, assignment: str) -> None:
        self.assignment = assignment
        self.notebooks: dict[str, SourceNotebook] = {}
        for notebook in gradebook.find_assignment(assignment).notebooks:
            snap = SourceNotebook(notebook.name, notebook.kernelspec)
            snap.source_cells = [SourceCell(c.name, c.cell_type, c.locked, c.checksum, c.source)
                                 for c in notebook.source_cells]
            by_name = {c.name: c for c in snap.source_cells}
            snap.grade_cells = [GradedCell(c.name, c.max_score, c.cell_type) for c in notebook.grade_cells]
            snap.solution_cells = [by_name[c.name] for c in notebook.solution_cells if c.name in by_name]
            snap.task_cells = [GradedCell(c.name, c.max_score, c.cell_type) for c in notebook.task_cells]
            self.notebooks[notebook.name] = snap

    def find_notebook(self, notebook: str, assignment: str) -> SourceNotebook:
        if assignment != self.assignment or notebook not in self.notebooks:
            raise MissingEntry()
        return self.notebooks[notebook]

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> SourceCell:
        for cell in self.find_notebook(notebook, assignment).source_cells:
            if cell.name == name:
                return cell
        raise MissingEntry()

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> GradedCell:
        source = self.find_notebook(notebook, assignment)
        for cell in (*source.grade_cells, *source.task_cells):
            if cell.name == name:
                return cell
        raise MissingEntry()


class _CompiledSchema(BaseMetadataValidator):
    """Base.validate_cell with the schema compiled once (placed under V3's checks in the MRO)."""

    _compiled = None

    def validate_cell(self, cell) -> None:
        if "nbgrader" not in cell.metadata:
            return
        version = cell.metadata["nbgrader"].get("schema_version", 0)
        if version < self.schema_version:
            raise SchemaTooOldError(f"Outdated schema version: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if version > self.schema_version:
            raise SchemaTooNewError(f"Schema version is too new: {version} (expected {self.schema_version})",
                                    version, self.schema_version)
        if type(self)._compiled is None:
            cls = validator_for(self.schema)
            cls.check_schema(self.schema)
            type(self)._compiled = cls(self.schema)
        error = next(iter(type(self)._compiled.iter_errors(cell.metadata["nbgrader"])), None)
        if error is not None:
            raise error


class QuickMetadataValidator(MetadataValidator, _CompiledSchema):
    """nbgrader's MetadataValidator (its V3 checks run first, then ours instead of Base's)."""


_validator: QuickMetadataValidator | None = None


class QuickCheckCellMetadata(CheckCellMetadata):
    def preprocess(self, nb, resources):
        global _validator
        if _validator is None:
            _validator = QuickMetadataValidator()
        try:
            _validator.validate_nb(nb)
        except ValidationError:
            self.log.error(traceback.format_exc())
            raise ValidationError("Notebook failed to validate; the nbgrader metadata may be corrupted.") from None
        return nb, resources
