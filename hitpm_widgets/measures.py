"""What the operations measures share: checking a table's columns and counts, and pooled ratios.

A pooled ratio adds up numerators and denominators over the rows of a group before dividing, so a
clinic with few patients weighs as little as it should. A group whose denominator is 0 gets NaN.
"""

from __future__ import annotations

from collections.abc import Iterable

#: How many bad rows an error message lists before it says how many more there are.
_LISTED = 5


def require_columns(frame, columns: Iterable[str], table: str) -> None:
    """ValueError naming the missing columns, so a learner knows which table was meant."""
    if not hasattr(frame, "columns"):
        raise ValueError(f"the {table} table must be a pandas DataFrame, not {type(frame).__name__}")
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ValueError(f"the {table} table lacks the columns: {', '.join(missing)}")


def require_counts(frame, columns: Iterable[str], table: str) -> None:
    """Counts and amounts are numbers of 0 or more; ValueError names the first bad rows."""
    import pandas as pd

    for column in columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        bad = frame.index[values.isna() | (values < 0)]
        if len(bad):
            rows = ", ".join(str(index + 1) for index in list(bad)[:_LISTED])
            raise ValueError(f"the {table} table's {column} must be numbers of 0 or more; "
                             f"not so in row(s) {rows}")


def require_not_more(frame, part: str, whole: str, table: str) -> None:
    """A part cannot exceed its whole (no-shows above bookings, overrides above alerts)."""
    bad = frame.index[frame[part] > frame[whole]]
    if len(bad):
        rows = ", ".join(str(index + 1) for index in list(bad)[:_LISTED])
        raise ValueError(f"the {table} table has more {part} than {whole} in row(s) {rows}")


def group_keys(by) -> list[str]:
    return [by] if isinstance(by, str) else list(by)


def pooled_ratio(frame, numerator: str, denominator: str, by):
    """sum(numerator) / sum(denominator) per group of `by` (a column or columns), or overall for by=None."""
    import numpy as np

    if by is None:
        total = frame[denominator].sum()
        return float(frame[numerator].sum() / total) if total else float("nan")
    sums = frame.groupby(group_keys(by), observed=True)[[numerator, denominator]].sum()
    return (sums[numerator] / sums[denominator].replace(0, np.nan)).rename(f"{numerator} / {denominator}")
