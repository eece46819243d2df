"""A learner's answers as data: taken from the kernel that ran the learner's cells, given to the test kernel.

Grading runs in two kernels (runner.py). The first runs the learner's notebook; after each cell of the
learner's, `collect` takes what tests read: every exercise model's state (its `_dump`, the same JSON
its answer file holds) and the values of the names the test cells read that no cell of the
instructor's sets. Only data travels: JSON values, numbers, DataFrames and Series. Never a pickle,
a function or an object with behaviour, so that what the learner's code did can claim answers but
cannot decide whether a test runs or what it sees.

The second kernel, which no learner code ever touches, runs the instructor's cells and, in place of
each learner cell, `restore` with that cell's data: exercise models the instructor's cells made get
the learner's state through their own validation (`_restore`), other names get their values.

Both functions run inside kernels; keep this module's imports light.
"""

from __future__ import annotations

import json
from typing import Any

#: More answer data than this from one cell is not an answer: it is refused (and the cell's answers lost).
MAX_BYTES = 8 << 20


class AnswerDataError(ValueError):
    """Answer data that cannot be used: the message says which names and why."""


def _exercise_class():
    from hitpm_widgets.exercise import Exercise

    return Exercise


def _class_name(value: Any) -> str:
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def _plain(value: Any, depth: int = 0) -> bool:
    """JSON data all the way down (tuples count as lists)."""
    if depth > 50:
        return False
    if value is None or isinstance(value, (bool, int, str)):
        return True
    if isinstance(value, float):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(item, depth + 1) for item in value)
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item, depth + 1) for key, item in value.items())
    return False


def encode(value: Any) -> dict | None:
    """`value` as tagged JSON data, or None when it is not data (a function, a module, an object)."""
    if type(value) in (bool, int, float, str, type(None), list, tuple, dict) and _plain(value):
        return {"json": list(value) if isinstance(value, tuple) else value}
    module = type(value).__module__ or ""
    if module.startswith("numpy"):
        try:
            import numpy

            if isinstance(value, numpy.generic):
                return {"json": value.item()}
            if isinstance(value, numpy.ndarray) and value.dtype.kind in "biufUS":
                items = value.tolist()
                return {"json": items} if _plain(items) else None
        except ImportError:  # pragma: no cover - numpy comes with pandas
            return None
    if module.startswith("pandas"):
        import pandas

        if isinstance(value, pandas.DataFrame):
            return {"frame": value.to_json(orient="split", date_format="iso", default_handler=str),
                    "dtypes": {str(k): str(v) for k, v in value.dtypes.items()}}
        if isinstance(value, pandas.Series):
            return {"series": value.to_json(orient="split", date_format="iso", default_handler=str),
                    "dtype": str(value.dtype)}
    return None


def decode(tagged: dict) -> Any:
    if not isinstance(tagged, dict) or len(tagged) == 0:
        raise AnswerDataError(f"not tagged answer data: {str(tagged)[:80]}")
    if "json" in tagged:
        return tagged["json"]
    import io

    import pandas

    if "frame" in tagged:
        frame = pandas.read_json(io.StringIO(tagged["frame"]), orient="split")
        for column, dtype in (tagged.get("dtypes") or {}).items():
            if column in frame.columns and str(frame[column].dtype) != dtype:
                try:
                    frame[column] = frame[column].astype(dtype)
                except (TypeError, ValueError):
                    pass  # as JSON gave it: a test comparing numbers still sees the numbers
        return frame
    if "series" in tagged:
        series = pandas.read_json(io.StringIO(tagged["series"]), orient="split", typ="series")
        try:
            return series.astype(tagged.get("dtype") or series.dtype)
        except (TypeError, ValueError):
            return series
    raise AnswerDataError(f"unknown kind of answer data: {sorted(tagged)[:3]}")


def collect(namespace: dict, names: list[str]) -> str:
    """In the learner's kernel: the state of every exercise model, and the data behind `names`, as JSON."""
    exercise = _exercise_class()
    found: dict[str, dict] = {}
    wanted = set(names)
    for name, value in list(namespace.items()):
        if name.startswith("_"):
            continue
        if isinstance(value, exercise):
            try:
                found[name] = {"exercise": _class_name(value), "state": value._dump()}
            except Exception:  # noqa: BLE001 - a model that cannot say its state has no answer to give
                continue
        elif name in wanted:
            tagged = encode(value)
            if tagged is not None:
                found[name] = {"value": tagged}
    return json.dumps(found, ensure_ascii=False, default=_numpy_item)


def _numpy_item(value: Any) -> Any:
    # numpy numbers inside a model's state are numbers
    try:
        return value.item()
    except AttributeError:
        raise TypeError(f"{type(value).__name__} is not answer data") from None


def parse(text: str) -> dict[str, dict]:
    """The grader's check of what `collect` sent: a mapping of names to tagged entries, nothing else."""
    if len(text) > MAX_BYTES:
        raise AnswerDataError(f"{len(text) >> 20} MB of answer data from one cell (at most {MAX_BYTES >> 20} MB)")
    data = json.loads(text)
    if not isinstance(data, dict):
        raise AnswerDataError("answer data is not a mapping of names")
    for name, entry in data.items():
        if not isinstance(name, str) or not name.isidentifier() or not isinstance(entry, dict):
            raise AnswerDataError(f"answer data for {str(name)[:40]!r} is not a name with data")
        if not (("exercise" in entry and isinstance(entry["exercise"], str) and isinstance(entry.get("state"), dict))
                or "value" in entry):
            raise AnswerDataError(f"answer data for {name!r} is neither an exercise's state nor a value")
    return data


def restore(namespace: dict, text: str, owned: list[str]) -> None:
    """In the test kernel, in place of a learner cell: give the names their answers from that cell.

    `owned`: names the instructor's cells set. Their values stay the instructor's, except exercise
    models, which take the learner's state through their own validation. An exercise the learner made
    alone cannot be rebuilt (its constructor's arguments are not data) and is left out.
    """
    import builtins

    exercise = _exercise_class()
    data = parse(text)
    owned_names = set(owned)
    problems = []
    for name, entry in data.items():
        current = namespace.get(name)
        if "exercise" in entry:
            if not isinstance(current, exercise) or _class_name(current) != entry["exercise"]:
                continue
            try:
                current._restore(entry["state"])
            except (ValueError, TypeError, KeyError, AttributeError) as error:
                problems.append(f"{name} ({type(error).__name__}: {error})")
                continue
            current._changed()
        elif name not in owned_names and not hasattr(builtins, name):
            try:
                namespace[name] = decode(entry["value"])
            except (ValueError, TypeError, KeyError) as error:
                problems.append(f"{name} ({type(error).__name__}: {error})")
    if problems:
        raise AnswerDataError("these answers could not be used: " + "; ".join(problems))
