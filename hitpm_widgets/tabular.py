"""Reading learners' and cases' tables: what counts as an empty cell."""

from __future__ import annotations

from typing import Any


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
