"""Adoption after go-live: CPOE share, active users, alert overrides and help-desk tickets.

The weekly adoption table has one row per department and week: `week`, `department`, `staff`,
`active_users`, `logins`, `orders_cpoe`, `orders_verbal`, `orders_paper`, `alerts_fired`,
`alert_overrides`. The ticket table has `week`, `department`, `category`, `tickets`.

Measures (each NaN, not an error, where its denominator is 0):
- CPOE share = orders_cpoe / (orders_cpoe + orders_verbal + orders_paper): how much of the ordering
  has moved into the system;
- adoption rate = active_users / staff;
- override rate = alert_overrides / alerts_fired (a high rate is a sign of alert fatigue).

Every function checks its table first and refuses, with the department and week at fault, missing
columns, counts that are not whole numbers of 0 or more, more active users than staff, and more
overrides than alerts fired.
"""

from __future__ import annotations

import math
import numbers

ADOPTION_COLUMNS = ("week", "department", "staff", "active_users", "logins", "orders_cpoe", "orders_verbal",
                    "orders_paper", "alerts_fired", "alert_overrides")
ADOPTION_COUNTS = ADOPTION_COLUMNS[2:]
TICKET_COLUMNS = ("week", "department", "category", "tickets")
#: The help-desk categories of the case, in the order tables show them; other categories follow these.
TICKET_CATEGORIES = ("access and login", "how-to", "defect", "hardware", "order sets", "printing")
ALL_DEPARTMENTS = "all departments"

MEASURES = {
    # measure: (what it is, for labels and alt text)
    "cpoe_share": "CPOE share of orders",
    "adoption_rate": "active users per member of staff",
    "override_rate": "alert override rate",
}
#: How many problems an error message lists before it says how many more there are.
_LISTED = 6
#: Gains are rounded to this many decimals before they meet min_gain: 0.30 - 0.28 is a gain of 0.02.
_GAIN_DECIMALS = 9


# -- checking the tables ------------------------------------------------------------------------


def _problems(items: list[str]) -> str:
    listed = "; ".join(items[:_LISTED])
    more = len(items) - _LISTED
    return listed + (f"; and {more} more" if more > 0 else "")


def _where(row) -> str:
    return f"department {row['department']}, week {row['week']}"


def _place(frame, index, column: str) -> str:
    """Where a bad value is: by department and week, or by row while the week itself is bad."""
    if column == "week":
        return f"row {index + 1} (department {frame.at[index, 'department']})"
    return _where(frame.loc[index])


def _is_whole_number(value) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
            and float(value).is_integer())


def _checked_table(table, columns: tuple[str, ...], counts: tuple[str, ...], what: str):
    """A copy of `table` with every column present, departments as text, weeks and counts as integers."""
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"the {what} table must be a DataFrame, not {type(table).__name__}")
    missing = [column for column in columns if column not in table.columns]
    if missing:
        raise ValueError(f"the {what} table has no column {', '.join(map(repr, missing))}; "
                         f"it needs: {', '.join(columns)}")
    if table.empty:
        raise ValueError(f"the {what} table has no rows")
    frame = table.reset_index(drop=True).copy()
    for text_column in [c for c in ("department", "category") if c in columns]:
        values = frame[text_column]
        empty = [number for number, value in enumerate(values, start=1)
                 if not isinstance(value, str) or not value.strip()]
        if empty:
            rows = ", ".join(map(str, empty[:_LISTED]))
            raise ValueError(f"the {what} table has no {text_column} (text) in row(s) {rows}")
        frame[text_column] = values.map(str.strip).astype("str")
    for column in ("week", *counts):
        whole = frame[column].map(_is_whole_number).astype(bool)
        if not whole.all():
            bad = [f"{_place(frame, index, column)}: {column} is {frame.at[index, column]!r}"
                   for index in frame.index[~whole]]
            raise ValueError(f"{column} must be a whole number in the {what} table: {_problems(bad)}")
        frame[column] = frame[column].astype("int64")
    early = frame.index[frame["week"] < 1]
    if len(early):
        bad = [f"{_place(frame, index, 'week')}: week {frame.at[index, 'week']}" for index in early]
        raise ValueError(f"weeks are numbered from 1 in the {what} table: {_problems(bad)}")
    negative = [f"{_place(frame, index, column)}: {column} is {frame.at[index, column]}"
                for column in counts for index in frame.index[frame[column] < 0]]
    if negative:
        raise ValueError(f"counts cannot be negative in the {what} table: {_problems(negative)}")
    return frame


def check_adoption(adoption):
    """The adoption table checked: a copy, weeks and counts as integers, rows sorted by department and week.

    ValueError says what is wrong, naming the department and week.
    """
    frame = _checked_table(adoption, ADOPTION_COLUMNS, ADOPTION_COUNTS, "adoption")
    repeated = frame[frame.duplicated(["department", "week"], keep="first")]
    if len(repeated):
        raise ValueError("the adoption table has one row per department and week; repeated: "
                         + _problems([_where(row) for _, row in repeated.iterrows()]))
    too_many_users = [f"{_where(row)}: {row['active_users']} active users but {row['staff']} staff"
                      for _, row in frame[frame["active_users"] > frame["staff"]].iterrows()]
    if too_many_users:
        raise ValueError(f"active_users cannot exceed staff: {_problems(too_many_users)}")
    too_many_overrides = [f"{_where(row)}: {row['alert_overrides']} overrides of "
                          f"{row['alerts_fired']} alerts fired"
                          for _, row in frame[frame["alert_overrides"] > frame["alerts_fired"]].iterrows()]
    if too_many_overrides:
        raise ValueError(f"alert_overrides cannot exceed alerts_fired: {_problems(too_many_overrides)}")
    return frame.sort_values(["department", "week"], kind="stable").reset_index(drop=True)


def check_tickets(tickets):
    """The help-desk ticket table checked (a copy); ValueError says what is wrong."""
    return _checked_table(tickets, TICKET_COLUMNS, ("tickets",), "ticket")


# -- measures -----------------------------------------------------------------------------------


def _ratio(numerator, denominator):
    # A zero denominator (a week without orders or alerts) has no rate: NaN, not infinity or an error.
    return (numerator / denominator.where(denominator > 0)).astype("float64")


def cpoe_share(adoption):
    """The adoption table with a `cpoe_share` column: CPOE orders over all orders (NaN with no orders)."""
    frame = check_adoption(adoption)
    orders = frame["orders_cpoe"] + frame["orders_verbal"] + frame["orders_paper"]
    frame["cpoe_share"] = _ratio(frame["orders_cpoe"], orders)
    return frame


def adoption_rate(adoption):
    """The adoption table with an `adoption_rate` column: active users over staff (NaN with no staff)."""
    frame = check_adoption(adoption)
    frame["adoption_rate"] = _ratio(frame["active_users"], frame["staff"])
    return frame


def override_rate(adoption):
    """The adoption table with an `override_rate` column: overrides over alerts fired (NaN with no alerts)."""
    frame = check_adoption(adoption)
    frame["override_rate"] = _ratio(frame["alert_overrides"], frame["alerts_fired"])
    return frame


_MEASURE_FUNCTIONS = {"cpoe_share": cpoe_share, "adoption_rate": adoption_rate,
                      "override_rate": override_rate}


def with_measure(adoption, measure: str):
    """The checked adoption table with `measure` available as a column (a measure or a count column)."""
    if measure in _MEASURE_FUNCTIONS:
        return _MEASURE_FUNCTIONS[measure](adoption)
    if measure in ADOPTION_COUNTS:
        return check_adoption(adoption)
    raise ValueError(f"unknown measure {measure!r}; one of: {', '.join([*MEASURES, *ADOPTION_COUNTS])}")


def adoption_table(adoption, measure: str = "cpoe_share"):
    """`measure` as a department × week table (departments in text order, weeks ascending)."""
    frame = with_measure(adoption, measure)
    table = frame.pivot(index="department", columns="week", values=measure).sort_index()
    return table.reindex(columns=sorted(table.columns))


def _week(frame, week, what: str) -> int:
    """`week` checked against the table's weeks (first to last: a week may have no rows of tickets)."""
    if isinstance(week, bool) or not isinstance(week, numbers.Integral):
        raise ValueError(f"{what} must be a week number (a whole number), not {week!r}")
    first, last = int(frame["week"].min()), int(frame["week"].max())
    if not first <= week <= last:
        raise ValueError(f"{what} {week} is not in the table; its weeks run from {first} to {last}")
    return int(week)


def _cpoe_progress(adoption, *, from_week: int = 4, to_week: int = 8, min_gain: float = 0.02,
                   target: float = 0.85):
    """Each department's CPOE share in two weeks, the gain between them, and whether it has stalled.

    Columns: `share_from`, `share_to`, `gain` (share_to - share_from, absolute), `below_target`
    (share_to < target) and `stalled` (gain < min_gain and below target), one row a department.
    See `_stalled_departments` for the rule. Private, like it: which departments
    stalled is what a learner works out (ps03), from `adoption_table` and the rule.
    """
    frame = cpoe_share(adoption)
    from_week = _week(frame, from_week, "from_week")
    to_week = _week(frame, to_week, "to_week")
    if from_week >= to_week:
        raise ValueError(f"from_week ({from_week}) must come before to_week ({to_week})")
    for name, value in (("min_gain", min_gain), ("target", target)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
            raise ValueError(f"{name} must be a number (a share from 0 to 1), not {value!r}")
    if not 0 <= target <= 1:
        raise ValueError(f"target is a CPOE share from 0 to 1, not {target!r}")
    if not -1 <= min_gain <= 1:
        raise ValueError(f"min_gain is a change of share, from -1 to 1, not {min_gain!r}")
    table = frame.pivot(index="department", columns="week", values="cpoe_share").sort_index()
    progress = table.reindex(columns=[from_week, to_week])
    progress.columns = ["share_from", "share_to"]
    unknown = progress[progress.isna().any(axis=1)]
    if len(unknown):
        problems = []
        for department, row in unknown.iterrows():
            weeks = [str(week) for week, share in zip((from_week, to_week), row, strict=True)
                     if math.isnan(share)]
            problems.append(f"{department} has no CPOE share in week {' or '.join(weeks)} "
                            "(no row, or no orders)")
        raise ValueError(f"cannot tell whether these departments stalled: {_problems(problems)}; "
                         "choose other weeks or leave them out of the table")
    progress["gain"] = (progress["share_to"] - progress["share_from"]).round(_GAIN_DECIMALS)
    progress["below_target"] = progress["share_to"] < target
    progress["stalled"] = (progress["gain"] < min_gain) & progress["below_target"]
    return progress


def _stalled_departments(adoption, *, from_week: int = 4, to_week: int = 8, min_gain: float = 0.02,
                         target: float = 0.85) -> list[str]:
    """The departments whose move to CPOE has stalled, in text order.

    A department has stalled when both hold:
    - its CPOE share gained less than `min_gain` (an absolute change of share: 0.02 is 2 percentage
      points) from `from_week` to `to_week`; a gain of exactly `min_gain` is not stalled;
    - its share in `to_week` is still below `target`; a share of exactly `target` has reached it.
    A department at or above the target is not stalled however flat its line: it has arrived.
    A department without a CPOE share in either week (no row, or no orders at all) cannot be judged:
    it is refused with a ValueError naming it.
    """
    progress = _cpoe_progress(adoption, from_week=from_week, to_week=to_week, min_gain=min_gain, target=target)
    return sorted(progress.index[progress["stalled"]])


# -- help-desk tickets --------------------------------------------------------------------------


def _category_order(categories) -> list[str]:
    known = [c for c in TICKET_CATEGORIES if c in set(categories)]
    return known + sorted(set(categories) - set(TICKET_CATEGORIES))


def ticket_trends(tickets, *, department: str | None = None, by_department: bool = False):
    """Tickets per week and category (weeks as rows, categories as columns, 0 where there were none).

    `department`: count one department only. `by_department=True`: rows are (department, week).
    Weeks run from the first to the last week of the table, so a week without tickets shows as 0.
    """
    frame = check_tickets(tickets)
    if department is not None and by_department:
        raise ValueError("give either department (one department's trend) or by_department=True, not both")
    categories = _category_order(frame["category"].unique())
    weeks = range(int(frame["week"].min()), int(frame["week"].max()) + 1)
    if department is not None:
        known = sorted(frame["department"].unique())
        if department not in known:
            raise ValueError(f"unknown department {department!r}; known: {', '.join(known)}")
        frame = frame[frame["department"] == department]
    if by_department:
        import pandas as pd

        totals = frame.pivot_table(index=["department", "week"], columns="category", values="tickets",
                                   aggfunc="sum", fill_value=0)
        full = pd.MultiIndex.from_product([sorted(frame["department"].unique()), weeks],
                                          names=["department", "week"])
        result = totals.reindex(index=full, columns=categories, fill_value=0)
    else:
        totals = frame.pivot_table(index="week", columns="category", values="tickets", aggfunc="sum",
                                   fill_value=0)
        result = totals.reindex(index=weeks, columns=categories, fill_value=0)
        result.index.name = "week"
    result.columns.name = "category"
    return result.astype("int64")


def ticket_change(tickets, category: str, first_week: int = 1, last_week: int = 8):
    """How the tickets of one category changed from `first_week` to `last_week`.

    One row per department and a last row "all departments"; columns `first` (tickets in
    first_week), `last` (in last_week), `change` (last - first) and `percent_change`
    (100 x change / first; NaN when first is 0).
    """
    frame = check_tickets(tickets)
    categories = _category_order(frame["category"].unique())
    if category not in categories:
        raise ValueError(f"unknown ticket category {category!r}; the table has: {', '.join(categories)}")
    first_week = _week(frame, first_week, "first_week")
    last_week = _week(frame, last_week, "last_week")
    if first_week >= last_week:
        raise ValueError(f"first_week ({first_week}) must come before last_week ({last_week})")
    by_department = ticket_trends(frame, by_department=True)[category].unstack("week")
    counts = by_department[[first_week, last_week]].copy()
    counts.columns = ["first", "last"]
    counts.loc[ALL_DEPARTMENTS] = counts.sum()
    counts["change"] = counts["last"] - counts["first"]
    first = counts["first"].where(counts["first"] > 0)
    counts["percent_change"] = (100 * counts["change"] / first).astype("float64")
    counts.index.name = "department"
    return counts
