"""Case packs: a narrative, CSV data and a manifest that declares each file's columns and types.

`load_case("emr-rollout")` finds the pack wherever the kit is (a clone, an editable or a regular
install, nbgrader's autograded/ folders), checks every value against the manifest, and fails
naming the file, the row and the column at fault.
"""

from __future__ import annotations

import csv
import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

#: Extra folders of case packs (os.pathsep-separated), searched before the kit's own.
CASES_PATH_ENV = "HITPM_CASES_PATH"
COLUMN_TYPES = ("str", "int", "float", "bool", "date", "category")
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}
#: Classes that MathJax 3 and later, and MathJax 2, leave untypeset.
NOT_MATHEMATICS = "mathjax_ignore tex2jax_ignore"


class CaseDataError(ValueError):
    """A case pack's manifest or data does not hold what it should."""


def case_folders() -> list[Path]:
    """Where case packs are looked for, first match wins."""
    folders = [Path(p) for p in os.environ.get(CASES_PATH_ENV, "").split(os.pathsep) if p]
    package = Path(__file__).resolve().parent
    # A clone or editable install has the packs at the top of the repository ...
    folders.append(package.parent / "cases")
    # ... a regular install carries them inside the package.
    folders.append(package / "_cases")
    return folders


def available_cases() -> list[str]:
    slugs = set()
    for folder in case_folders():
        if folder.is_dir():
            slugs.update(p.parent.name for p in folder.glob("*/manifest.toml"))
    return sorted(slugs)


@dataclass
class Case:
    """A loaded case pack. Tables are DataFrames: ``case.tables["stakeholders"]`` or ``case.stakeholders``."""

    slug: str
    title: str
    summary: str
    narrative: str
    folder: Path
    tables: dict[str, Any] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    #: Each table's key column (None for a table without one): how a variant names the rows it changes.
    keys: dict[str, str | None] = field(default_factory=dict)
    #: The pack's variant generator (a Python file beside its data), if it has one.
    variants_file: Path | None = None
    #: The variant whose numbers the tables hold, or None for the case's published numbers.
    variant: Any = None

    def __getattr__(self, name: str):
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(f"case {self.__dict__.get('slug')!r} has no table {name!r}; tables: {', '.join(tables)}")

    def __dir__(self):
        return [*super().__dir__(), *self.tables]

    def show_narrative(self):
        """The learner-facing narrative, rendered as Markdown in a notebook."""
        from IPython.display import Markdown

        # Money, "$38 million ... $3.5 million", is not mathematics. Escaped, the dollars get past the
        # Markdown step, which would take them for delimiters; the classes then keep MathJax (JupyterLab 4's,
        # and version 2's) from typesetting the text between them.
        escaped = self.narrative.replace("$", r"\$")
        return Markdown(f'<div class="{NOT_MATHEMATICS}">\n\n{escaped}\n\n</div>')

    def __repr__(self) -> str:
        return f"<Case {self.slug!r}: {self.title}; tables: {', '.join(self.tables)}>"


def load_case(slug: str, variant=None) -> Case:
    """Load and validate a case pack by its name, e.g. ``load_case("emr-rollout")``.

    `variant`, a `hitpm_widgets.variants.Variant` of this case, puts its numbers in place of the
    published ones (see `hitpm_widgets.variants.case_for` for the learner's own).
    """
    for folder in case_folders():
        manifest = folder / slug / "manifest.toml"
        if manifest.is_file():
            case = _load(manifest)
            if variant is not None:
                apply_variant(case, variant)
            return case
    known = ", ".join(available_cases()) or "none found"
    raise KeyError(f"no case pack named {slug!r}; available: {known}")


def row_label(value) -> str:
    """A key cell as a variant names its row: dates as YYYY-MM-DD, anything else as its text."""
    if hasattr(value, "date") and callable(value.date):
        return value.date().isoformat()
    return str(value)


def apply_variant(case: Case, variant) -> Case:
    """Write a variant's cells into the case's tables: ``{table: {row: {column: value}}}``.

    A row is named by its key (a table without a key, by its position from 0). Only the named cells
    change, so a recorded variant gives the same numbers whatever the generator has become since.
    """
    if variant.case != case.slug:
        raise CaseDataError(f"the variant is of case {variant.case!r}, not of {case.slug!r}")
    for table, rows in variant.parameters.items():
        if table not in case.tables:
            raise CaseDataError(f"the variant changes table {table!r}, which case {case.slug!r} does not have")
        frame = case.tables[table]
        key = case.keys.get(table)
        labels = [row_label(v) for v in frame[key]] if key else [str(i) for i in range(len(frame))]
        position = {label: i for i, label in enumerate(labels)}
        for label, cells in rows.items():
            if label not in position:
                raise CaseDataError(f"the variant changes row {label!r} of table {table!r}, which does not exist")
            for column, value in cells.items():
                if column not in frame.columns:
                    raise CaseDataError(f"the variant changes column {column!r} of table {table!r}, "
                                        "which does not exist")
                frame.iloc[position[label], frame.columns.get_loc(column)] = _as_column(frame[column], value)
    case.variant = variant
    return case


def _as_column(series, value):
    # A JSON number keeps the column's type: pandas warns (on stderr) when a float lands in an int column.
    kind = series.dtype.kind
    if kind in "iu":
        return int(value)
    if kind == "f":
        return float(value)
    return value


def _load(manifest_path: Path) -> Case:
    folder = manifest_path.parent
    try:
        manifest = tomllib.loads(manifest_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise CaseDataError(f"{manifest_path}: not valid TOML ({error})") from None
    for key in ("slug", "title", "narrative", "tables"):
        if key not in manifest:
            raise CaseDataError(f"{manifest_path}: missing the key {key!r}")
    narrative_path = folder / manifest["narrative"]
    if not narrative_path.is_file():
        raise CaseDataError(f"{manifest_path}: the narrative {manifest['narrative']!r} does not exist")
    case = Case(
        slug=manifest["slug"],
        title=manifest["title"],
        summary=manifest.get("summary", ""),
        narrative=narrative_path.read_text(encoding="utf-8"),
        folder=folder,
    )
    for table, spec in manifest["tables"].items():
        case.tables[table] = _load_table(folder, manifest_path, table, spec)
        case.descriptions[table] = spec.get("description", "")
        case.keys[table] = spec.get("key")
    if "variants" in manifest:
        case.variants_file = folder / manifest["variants"]
        if not case.variants_file.is_file():
            raise CaseDataError(f"{manifest_path}: the variant generator {manifest['variants']!r} does not exist")
    return case


def _load_table(folder: Path, manifest_path: Path, table: str, spec: dict):
    import pandas as pd

    # Case tables are full of money ("$1.9 million of $3.5 million"): shown in JupyterLab, text between
    # two dollar signs would be typeset as mathematics. This marks pandas' HTML tables to be left alone.
    pd.set_option("display.html.use_mathjax", False)

    columns = spec.get("columns") or []
    if "file" not in spec or not columns:
        raise CaseDataError(f"{manifest_path}: table {table!r} needs a 'file' and its 'columns'")
    for column in columns:
        if column.get("type") not in COLUMN_TYPES:
            raise CaseDataError(
                f"{manifest_path}: column {column.get('name')!r} of table {table!r} has type "
                f"{column.get('type')!r}; allowed: {', '.join(COLUMN_TYPES)}"
            )
    path = folder / spec["file"]
    where = spec["file"]
    try:
        with path.open(encoding="utf-8", newline="") as stream:
            rows = list(csv.reader(stream))
    except FileNotFoundError:
        raise CaseDataError(f"{where}: the data file is missing") from None
    except UnicodeDecodeError as error:
        raise CaseDataError(f"{where}: not UTF-8 text ({error.reason})") from None
    if not rows:
        raise CaseDataError(f"{where}: the file is empty (a header row is expected)")
    header, body = rows[0], rows[1:]
    expected = [c["name"] for c in columns]
    if header != expected:
        missing = [c for c in expected if c not in header]
        extra = [c for c in header if c not in expected]
        raise CaseDataError(
            f"{where}: the header does not match the manifest; expected columns {expected}"
            + (f"; missing {missing}" if missing else "")
            + (f"; not declared {extra}" if extra else "")
        )
    values: dict[str, list] = {name: [] for name in expected}
    for number, row in enumerate(body, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise CaseDataError(f"{where}, row {number}: {len(row)} fields where the header has {len(header)}")
        for column, cell in zip(columns, row, strict=True):
            values[column["name"]].append(_convert(cell, column, f"{where}, row {number}, column {column['name']!r}"))
    key = spec.get("key")
    if key is not None:
        if key not in values:
            raise CaseDataError(f"{manifest_path}: table {table!r} has key {key!r}, which is not a column")
        seen: dict[Any, int] = {}
        for number, value in enumerate(values[key], start=2):
            if value in seen:
                raise CaseDataError(
                    f"{where}, row {number}, column {key!r}: {value!r} repeats row {seen[value]}; keys are unique"
                )
            seen[value] = number
    return pd.DataFrame({c["name"]: pd.Series(values[c["name"]], dtype=_dtype(c)) for c in columns})


def _dtype(column: dict) -> str:
    required = column.get("required", True)
    return {
        "int": "int64" if required else "Int64",
        "float": "float64",
        "bool": "bool" if required else "boolean",
        "date": "datetime64[ns]",
        "category": "category",
    }.get(column["type"], "object")


def _convert(cell: str, column: dict, where: str):
    text = cell.strip()
    if text == "":
        if column.get("required", True):
            raise CaseDataError(f"{where}: empty, but a value is required")
        return None
    kind = column["type"]
    try:
        if kind == "int":
            value = int(text)
        elif kind == "float":
            value = float(text)
        elif kind == "bool":
            if text.lower() not in _TRUE | _FALSE:
                raise ValueError
            return text.lower() in _TRUE
        elif kind == "date":
            return date.fromisoformat(text)
        elif kind == "category":
            allowed = column.get("values", [])
            if text not in allowed:
                raise CaseDataError(f"{where}: {text!r} is not one of {allowed}")
            return text
        else:
            return text
    except ValueError as error:
        if isinstance(error, CaseDataError):
            raise
        expected = {"int": "a whole number", "float": "a number", "bool": "true or false",
                    "date": "a date as YYYY-MM-DD"}[kind]
        raise CaseDataError(f"{where}: {text!r} is not {expected}") from None
    low, high = column.get("min"), column.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        raise CaseDataError(f"{where}: {value} is outside the allowed range {low} to {high}")
    return value
