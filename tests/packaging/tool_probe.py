"""Run inside a learner's venv (the wheel alone): what the package's public tools give on a workbook's case.

    python tool_probe.py WORKBOOKS_JSON OUTPUT_JSON

WORKBOOKS_JSON: [{"assignment", "case" (slug or null), "also" (other case slugs its answers use), "given"
({keyword: value})}, ...]. For each workbook
the case is loaded as a learner in a class loads it (`case_for`, so a case with variants gives this learner
their own numbers), and every public function and class of the package's teaching modules is called with the
case and its tables (the workbook's `given` settings passed by keyword where a signature names them), then
every public attribute, property and argument-free method of what comes back. Everything the calls give is
written out as data: numbers, sets of ids, {id: label} mappings, each with where it came from. The test on
the other side compares them with the answer keys, which this venv does not have.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import itertools
import json
import math
import os
import pkgutil
import re
import signal
import sys
import tempfile
import warnings
from pathlib import Path

#: Not teaching tools: the grader, the command line, the learner's Lab and workspace, kernels and widgets' views.
NOT_TOOLS = ("hitpm_widgets.grading", "hitpm_widgets.cli", "hitpm_widgets.learner_lab", "hitpm_widgets.workspace",
             "hitpm_widgets.student_versions", "hitpm_widgets.selfcheck", "hitpm_widgets.views",
             "hitpm_widgets.dragdrop", "hitpm_widgets.answers", "hitpm_widgets.variants", "hitpm_widgets.checks",
             "hitpm_widgets.lms")
SECONDS = 10  # a call that takes longer is left (a simulation of 20,000 runs takes about one)
NUMBER = re.compile(r"-?\d[\d,]*\.?\d*")
LEARNER = "oracle-learner"
#: An array of more numbers than this is a simulation's sample (a Monte Carlo run's durations): one of its
#: thousands of random draws lands within 0.1 % of almost any figure by chance, and no learner reads a figure
#: off a single draw. What the tools make of a sample (its mean, percentiles, chances) is read all the same.
SAMPLE = 1000


class TookTooLong(Exception):
    pass


def _alarm(*_):
    raise TookTooLong


def tools() -> list[tuple[str, object]]:
    import hitpm_widgets

    found, seen = [], set()
    names = ["hitpm_widgets"] + [m.name for m in pkgutil.walk_packages(hitpm_widgets.__path__, "hitpm_widgets.")
                                 if not any(part.startswith("_") for part in m.name.split("."))]
    for name in names:
        if name.startswith(NOT_TOOLS):
            continue
        try:
            module = importlib.import_module(name)
        except Exception:  # noqa: BLE001 - a module that needs an extra is not the learner's
            continue
        for attribute, value in vars(module).items():
            if attribute.startswith(("_", "draw_")) or not (inspect.isfunction(value) or inspect.isclass(value)):
                continue  # a drawing is a picture: its text twin, describe_*, is read
            if not getattr(value, "__module__", "").startswith("hitpm_widgets") or id(value) in seen:
                continue
            seen.add(id(value))
            found.append((f"{value.__module__}.{value.__qualname__}", value))
            if inspect.isclass(value):  # its other constructors too: KanbanBoard.from_events(events, ...)
                for name, member in vars(value).items():
                    if not name.startswith("_") and isinstance(member, classmethod | staticmethod):
                        found.append((f"{value.__module__}.{value.__qualname__}.{name}", getattr(value, name)))
    return found


class Harvest:
    """What came back, as data."""

    def __init__(self) -> None:
        self.numbers: dict[float, str] = {}  # value -> where first seen
        self.scalars: dict[float, str] = {}  # numbers returned alone (not a cell of a table)
        self.id_sets: dict[tuple, str] = {}
        self.mappings: list[tuple[dict, str]] = []
        self._seen: set[int] = set()

    def number(self, value, where: str, scalar: bool) -> None:
        try:
            value = float(value)
        except (TypeError, ValueError):
            return
        if math.isfinite(value):
            key = float(f"{value:.9g}")
            self.numbers.setdefault(key, where)
            if scalar:
                self.scalars.setdefault(key, where)

    def ids(self, items, where: str) -> None:
        items = [str(item) for item in items]
        if 1 <= len(items) <= 60:
            self.id_sets.setdefault(tuple(sorted(set(items))), where)

    def mapping(self, data: dict, where: str) -> None:
        data = {str(k): str(v) for k, v in data.items()
                if isinstance(v, str | bool) or v is None or hasattr(v, "item")}
        if len(data) >= 2 and len(self.mappings) < 20000:
            self.mappings.append((data, where))

    def take(self, value, where: str, depth: int = 0, alone: bool = True) -> None:
        """Read what a call gave; `alone`: a value by itself, not an item of a list or an array."""
        import numpy as np
        import pandas as pd

        if value is None or isinstance(value, bool | type) or inspect.isroutine(value) or inspect.ismodule(value):
            return
        if isinstance(value, int | float | np.number):
            self.number(value, where, scalar=alone and depth <= 2)
            return
        if isinstance(value, str):
            for text in NUMBER.findall(value):  # a figure in a sentence: a table's cell, a small count is no answer
                self.number(text.replace(",", "").rstrip("."), f"{where} (in its text)", scalar=False)
            return
        if id(value) in self._seen or depth > 3:
            return
        self._seen.add(id(value))
        if isinstance(value, pd.DataFrame):
            self.ids(value.index, f"{where}.index")
            for position, column in enumerate(value.columns):  # by position: a name may be there twice
                self._series(value.iloc[:, position], f"{where}[{column!r}]")
            return
        if isinstance(value, pd.Series):
            self._series(value, where)
            return
        if isinstance(value, np.ndarray):
            if value.dtype.kind in "iuf" and value.size <= SAMPLE:
                for item in value.ravel()[:5000].tolist():
                    self.number(item, f"{where}[...]", scalar=False)
            return
        if isinstance(value, dict):
            self.ids(value.keys(), f"{where}.keys()")
            self.mapping(value, where)
            record = alone and len(value) <= 12  # a few named figures, not a collection keyed by ids
            for key, item in list(value.items())[:500]:
                self.take(item, f"{where}[{key!r}]", depth + 1, alone=record)
            return
        if isinstance(value, list | tuple | set | frozenset):
            items = list(value)
            if items and all(isinstance(item, str) for item in items):
                self.ids(items, where)
            for i, item in enumerate(items[:500]):
                self.take(item, f"{where}[{i}]", depth + 1, alone=False)
            return
        import ipywidgets

        if (not type(value).__module__.startswith("hitpm_widgets") or type(value).__name__ == "Case"
                or isinstance(value, ipywidgets.Widget)):
            # Only the kit's own objects are looked into (a Path's methods would delete files); a case is the data
            # the learner is given, not what a tool computed from it; a widget shows what its model holds.
            return
        if dataclasses.is_dataclass(value):
            for field in dataclasses.fields(value):
                self.take(getattr(value, field.name, None), f"{where}.{field.name}", depth + 1, alone=alone)
        self._attributes(value, where, depth, alone)

    def _series(self, series, where: str) -> None:
        import pandas as pd

        index = [str(i) for i in series.index]
        if series.dtype == bool:
            self.ids([i for i, flag in zip(index, series, strict=True) if flag], f"{where} (the rows where True)")
            return
        if pd.api.types.is_numeric_dtype(series):
            for item in series.dropna().tolist()[:5000]:
                self.number(item, where, scalar=False)
        else:
            values = [str(value) for value in series.tolist()]
            self.mapping(dict(zip(index, values, strict=True)), where)
            self.ids(values, f"{where} (its values)")
            self.take(" ".join(values[:200]), where)

    def _attributes(self, value, where: str, depth: int, alone: bool) -> None:
        for name in dir(value):
            if name.startswith(("_", *SKIPPED)):
                continue
            try:
                attribute = getattr(value, name)
            except Exception:  # noqa: BLE001 - a property that cannot be read here gives nothing
                continue
            if inspect.ismethod(attribute):
                try:
                    signature = inspect.signature(attribute)
                except (TypeError, ValueError):
                    continue
                if any(p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                       for p in signature.parameters.values()):
                    continue
                attribute = call(attribute, (), {})
                if attribute is FAILED:
                    continue
                self.take(attribute, f"{where}.{name}()", depth + 1, alone=alone)
            else:
                self.take(attribute, f"{where}.{name}", depth + 1, alone=alone)


FAILED = object()
#: Methods and properties not called: they change the model, write files, or draw (a widget shows its model).
SKIPPED = ("save", "write", "reset", "clear", "set_", "show", "display", "draw", "plot", "widget", "view", "figure",
           "remove", "delete", "unlink", "record", "place", "answer", "choose", "load")


def call(function, args, kwargs):
    signal.alarm(SECONDS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return function(*args, **kwargs)
    except BaseException as error:  # noqa: BLE001 - a call that fails on these arguments gives nothing
        if isinstance(error, KeyboardInterrupt):
            raise
        return FAILED
    finally:
        signal.alarm(0)


def argument_lists(function, pool: list[tuple[str, object]], given: dict) -> list[tuple[str, tuple, dict]]:
    """The argument lists worth trying: the case or its tables for the required arguments, an exercise id of None
    first where a class takes one, and the workbook's settings by keyword."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return []
    parameters = [p for p in signature.parameters.values() if p.name != "self"]
    required = [p for p in parameters if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY,
                                                                               p.POSITIONAL_OR_KEYWORD)]
    keywords = {p.name: given[p.name] for p in parameters if p.name in given
                and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    required = [p for p in required if p.name not in keywords]
    if len(required) > 3:
        return []
    choices = []
    for parameter in required:
        if parameter.name in ("exercise_id", "id", "name"):
            choices.append([("None", None)])
        else:
            choices.append(pool)
    lists = []
    for combination in itertools.product(*choices) if choices else [()]:
        label = ", ".join(name for name, _ in combination)
        lists.append((label, tuple(value for _, value in combination), keywords))
        if len(lists) >= 400:
            break
    return lists


def probe(workbook: dict, harvest: Harvest) -> dict:
    from hitpm_widgets.cases import load_case
    from hitpm_widgets.variants import case_for

    with tempfile.TemporaryDirectory() as folder:
        record = None
        if workbook["case"]:
            case = load_case(workbook["case"])
            if case.variants_file is not None:  # as the workbook loads it in a class: this learner's own numbers
                case = case_for(workbook["assignment"], workbook["case"], folder)
            variant_file = Path(folder) / ".hitpm" / "variant.json"
            record = variant_file.read_text(encoding="utf-8") if variant_file.is_file() else None
            cases = [case]
        else:
            cases = []
        cases += [load_case(slug) for slug in workbook.get("also", [])]
        # One case at a time: a tool takes tables of one case together.
        pools = [[(f"case {c.slug}", c), *((f"{c.slug}.{name}", table) for name, table in c.tables.items())]
                 for c in cases]
        given = workbook["given"]
        tried = 0
        for (name, function), pool in itertools.product(tools(), pools):
            for label, args, kwargs in argument_lists(function, pool, given):
                # A fresh copy each call: a tool that changes its table in place must not change the next call's.
                args = tuple(a.copy() if hasattr(a, "copy") and hasattr(a, "columns") else a for a in args)
                result = call(function, args, kwargs)
                tried += 1
                if result is not FAILED:
                    try:
                        harvest.take(result, f"{name}({label})")
                    except Exception as error:  # noqa: BLE001 - said, not hidden: the test shows the probe's stderr
                        print(f"could not read what {name}({label}) gave: {error!r}", file=sys.stderr)
    return {"variant": record, "calls": tried}


def main() -> None:
    import pandas as pd

    os.environ.update(HITPM_LEARNER=LEARNER, HITPM_COURSE_ID="oracle-course", MPLBACKEND="Agg")
    # Tools called with the wrong table say so with the table in the message: printing it is most of the time.
    pd.DataFrame.__repr__ = pd.Series.__repr__ = lambda self: f"<{type(self).__name__} {self.shape}>"
    signal.signal(signal.SIGALRM, _alarm)
    workbooks = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    out = {}
    for workbook in workbooks:
        harvest = Harvest()
        about = probe(workbook, harvest)
        out[workbook["assignment"]] = {
            **about,
            "numbers": [[value, where] for value, where in harvest.numbers.items()],
            "scalars": [[value, where] for value, where in harvest.scalars.items()],
            "id_sets": [[list(ids), where] for ids, where in harvest.id_sets.items()],
            "mappings": [[data, where] for data, where in harvest.mappings],
        }
        import matplotlib.pyplot as plt

        plt.close("all")
    Path(sys.argv[2]).write_text(json.dumps(out), encoding="utf-8")


if __name__ == "__main__":
    main()
