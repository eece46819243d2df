"""Reading learners' and cases' tables: what a table may be given as, and what counts as an empty cell."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


def as_frame(table: Any, what: str, row: str = "row", required: Sequence[str] = (), needs: str = ""):
    """A learner's table, given as a DataFrame or a list of dicts (one dict a `row`), as a DataFrame with
    `required` columns; otherwise a ValueError that names `what` ("the survey") and what it `needs`."""
    import pandas as pd

    if isinstance(table, pd.DataFrame):
        frame = table.reset_index(drop=True)
    elif isinstance(table, str | bytes) or not isinstance(table, Iterable):
        raise ValueError(f"{what} must be a DataFrame or a list of dicts, not {type(table).__name__}")
    else:
        rows = list(table)
        if not all(isinstance(item, dict) for item in rows):
            raise ValueError(f"{what} must be a DataFrame or a list of dicts (one dict a {row})")
        frame = pd.DataFrame(rows)
    missing = [column for column in required if column not in frame.columns]
    if missing:
        plural = "s" if len(missing) > 1 else ""
        raise ValueError(f"{what} lacks the column{plural} {', '.join(missing)}; "
                         f"it needs {needs or ', '.join(required)}")
    return frame


def is_missing(value: Any) -> bool:
    """None, NaN, NA or NaT: an empty cell of a DataFrame or a CSV file."""
    if value is None:
        return True
    try:
        import pandas as pd

        return bool(pd.isna(value))
    except (TypeError, ValueError):
        # pd.isna of a list or tuple is an array, not a truth value: such a value is not missing.
        return False
