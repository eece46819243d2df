"""Earned value management: the figures of one status date, a monthly series, and the status exercise.

Formulas (FACTS.md):
- CV = EV − AC; SV = EV − PV; CPI = EV / AC; SPI = EV / PV.
- EAC = BAC / CPI (current cost performance continues); = AC + (BAC − EV) (the variance so far was a
  one-off); = AC + (BAC − EV) / (CPI × SPI) (cost and schedule both weigh on the rest);
  = AC + bottom-up ETC.
- ETC = EAC − AC; VAC = BAC − EAC; TCPI = (BAC − EV) / (BAC − AC) to finish on budget,
  (BAC − EV) / (EAC − AC) to finish on the new estimate.

A ratio whose denominator is 0 is None (undefined), never an error and never infinity: CPI before any
cost is booked (AC = 0), SPI before any work was planned (PV = 0), an EAC that divides by a CPI or
SPI that is 0 or undefined, TCPI to budget once the budget is spent (AC ≥ BAC), and TCPI to an EAC
that is already spent (EAC ≤ AC). The first status dates of a project have such figures, and a
learner must still be able to look at them. Bad inputs (negative or missing amounts, BAC ≤ 0, EV or
PV above BAC) are refused with a ValueError that says what is allowed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from numbers import Real
from typing import Any

from .exercise import Exercise
from .tabular import is_missing

#: The EAC forecasts a status report chooses among: key, formula, when it fits.
EAC_METHODS = {
    "cpi": ("BAC / CPI", "current cost performance continues"),
    "atypical": ("AC + (BAC − EV)", "the variance so far was a one-off; the rest goes as planned"),
    "cpi_spi": ("AC + (BAC − EV) / (CPI × SPI)", "cost and schedule performance both weigh on the rest"),
}
MONTHLY_COLUMNS = ("month", "planned_value", "earned_value", "actual_cost")
MONTHLY_NAMES = {"planned_value": "planned value (PV)", "earned_value": "earned value (EV)",
                 "actual_cost": "actual cost (AC)"}
TASK_COLUMNS = ("task_id", "budget", "percent_complete", "actual_cost")
PLANNED_DATES = ("planned_start", "planned_finish")
# Sums of task shares may pass BAC by a rounding error when every task is 100 % done.
_ROUNDING = 1e-9


# -- checking amounts ------------------------------------------------------------------------------


def _amount(what: str, value: Any) -> float:
    """A finite amount of 0 or more, as a float."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{what} must be an amount of 0 or more, not {value!r}")
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{what} must be a finite amount of 0 or more, not {value!r} "
                         "(an empty cell reads as NaN: fill it in)")
    if value < 0:
        raise ValueError(f"{what} must be an amount of 0 or more; {value!r} is negative")
    return float(value)


def _percent(what: str, value: Any) -> float:
    share = _amount(what, value)
    if share > 100:
        raise ValueError(f"{what} must be a percentage from 0 to 100, not {value!r}")
    return share


def _bac(value: Any) -> float:
    bac = _amount("the budget at completion (BAC)", value)
    if bac <= 0:
        raise ValueError(f"the budget at completion (BAC) must be more than 0, not {value!r}")
    return bac


def format_money(value: float | None) -> str:
    return "undefined" if value is None else f"{value:,.0f}"


def format_ratio(value: float | None, decimals: int = 2) -> str:
    """A ratio with `decimals` decimals, more when they would round a ratio that is not 1 to 1.00."""
    if value is None:
        return "undefined"
    for places in range(decimals, decimals + 3):
        text = f"{value:.{places}f}"
        if float(text) != 1 or value == 1:
            break
    return text


def _month_label(month) -> str:
    return f"{month:%B %Y}"


def _timestamp(what: str, value: Any):
    """A pandas Timestamp (no time zone) from a date, a datetime or ISO text; ValueError if none."""
    import pandas as pd

    if is_missing(value) or isinstance(value, bool | Real):
        raise ValueError(f"{what} must be a date (e.g. '2025-07-01'), not {value!r}")
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise ValueError(f"{what} must be a date (e.g. '2025-07-01'), not {value!r}") from None
    if stamp.tzinfo is not None:
        stamp = stamp.tz_localize(None)
    return stamp


# -- one status date -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EarnedValue:
    """The earned value figures of one status date.

    >>> status = EarnedValue(bac=100_000, pv=50_000, ev=40_000, ac=45_000)
    >>> round(status.cpi, 3), round(status.spi, 3)
    (0.889, 0.8)
    >>> status.cost_reading
    'over budget: each dollar spent earns 0.89 dollars of planned work'

    `status_date` only labels the figures. Undefined ratios are None (see the module's notes).
    """

    bac: float
    pv: float
    ev: float
    ac: float
    status_date: Any = None

    def __post_init__(self) -> None:
        bac = _bac(self.bac)
        pv = _amount("planned value (PV)", self.pv)
        ev = _amount("earned value (EV)", self.ev)
        ac = _amount("actual cost (AC)", self.ac)
        if ev > bac:
            raise ValueError(f"earned value (EV) {ev:,.0f} cannot be more than the budget at completion "
                             f"(BAC) {bac:,.0f}: EV is the budget of the work done, so at most the whole "
                             "budget")
        if pv > bac:
            raise ValueError(f"planned value (PV) {pv:,.0f} cannot be more than the budget at completion "
                             f"(BAC) {bac:,.0f}: PV is the budget of the work scheduled so far, so at most "
                             "the whole budget")
        for name, value in (("bac", bac), ("pv", pv), ("ev", ev), ("ac", ac)):
            object.__setattr__(self, name, value)

    @classmethod
    def from_tasks(cls, tasks, status_date=None) -> EarnedValue:
        """The status summed over a task table; see the module function `from_tasks`."""
        return from_tasks(tasks, status_date)

    # -- variances and indices -------------------------------------------------------------------

    @property
    def cv(self) -> float:
        """Cost variance EV − AC: negative means over budget."""
        return self.ev - self.ac

    @property
    def sv(self) -> float:
        """Schedule variance EV − PV: negative means behind schedule (in money, not in days)."""
        return self.ev - self.pv

    @property
    def cpi(self) -> float | None:
        """Cost performance index EV / AC; None while nothing is spent (AC = 0)."""
        return None if self.ac == 0 else self.ev / self.ac

    @property
    def spi(self) -> float | None:
        """Schedule performance index EV / PV; None while no work was planned yet (PV = 0)."""
        return None if self.pv == 0 else self.ev / self.pv

    # -- forecasts -------------------------------------------------------------------------------

    @property
    def eac_cpi(self) -> float | None:
        """EAC = BAC / CPI; None when CPI is 0 or undefined."""
        if not self.cpi:
            return None
        # BAC × AC / EV: the same figure as BAC / CPI without rounding CPI first.
        return self.bac * self.ac / self.ev

    @property
    def eac_atypical(self) -> float:
        """EAC = AC + (BAC − EV): the variance so far was a one-off."""
        return self.ac + (self.bac - self.ev)

    @property
    def eac_cpi_spi(self) -> float | None:
        """EAC = AC + (BAC − EV) / (CPI × SPI); None when CPI or SPI is 0 or undefined."""
        if not self.cpi or not self.spi:
            return None
        return self.ac + (self.bac - self.ev) / (self.cpi * self.spi)

    def eac_bottom_up(self, etc: float) -> float:
        """EAC = AC + a bottom-up estimate to complete (the remaining work estimated afresh)."""
        return self.ac + _amount("the bottom-up estimate to complete (ETC)", etc)

    @property
    def eac(self) -> dict[str, float | None]:
        """The three formula forecasts by method key: "cpi", "atypical", "cpi_spi"."""
        return {"cpi": self.eac_cpi, "atypical": self.eac_atypical, "cpi_spi": self.eac_cpi_spi}

    def _eac_value(self, eac: str | float) -> float | None:
        """An EAC given as a method key or as a figure (a bottom-up EAC, say)."""
        if isinstance(eac, str):
            return self.eac[check_eac_method(eac)]
        value = _amount("the estimate at completion (EAC)", eac)
        if value < self.ac:
            raise ValueError(f"an estimate at completion (EAC) of {value:,.0f} is less than the actual cost "
                             f"so far ({self.ac:,.0f}): money spent cannot be unspent")
        return value

    def etc(self, eac: str | float = "cpi") -> float | None:
        """Estimate to complete, EAC − AC, for an EAC method key or an EAC figure."""
        value = self._eac_value(eac)
        return None if value is None else value - self.ac

    def vac(self, eac: str | float = "cpi") -> float | None:
        """Variance at completion, BAC − EAC: negative means the project will end over budget."""
        value = self._eac_value(eac)
        return None if value is None else self.bac - value

    @property
    def tcpi_bac(self) -> float | None:
        """(BAC − EV) / (BAC − AC): the CPI the rest of the work needs to finish on budget.

        None once the budget is spent (AC ≥ BAC): no performance can finish on budget then.
        """
        return None if self.ac >= self.bac else (self.bac - self.ev) / (self.bac - self.ac)

    def tcpi_eac(self, eac: str | float = "cpi") -> float | None:
        """(BAC − EV) / (EAC − AC): the CPI the rest of the work needs to finish at the EAC.

        None when that EAC is undefined or already spent (EAC ≤ AC).
        """
        value = self._eac_value(eac)
        if value is None or value <= self.ac:
            return None
        return (self.bac - self.ev) / (value - self.ac)

    @property
    def percent_complete(self) -> float:
        """EV / BAC as a percentage (0-100): how much of the budgeted work is done."""
        return 100 * self.ev / self.bac

    @property
    def percent_spent(self) -> float:
        """AC / BAC as a percentage: how much of the budget is spent (above 100 once overrun)."""
        return 100 * self.ac / self.bac

    # -- in words --------------------------------------------------------------------------------

    @property
    def cost_reading(self) -> str:
        """CPI in plain words, one line."""
        if self.cpi is None:
            return "no cost booked yet: CPI is undefined until money is spent"
        verdict = "over budget" if self.cv < 0 else "under budget" if self.cv > 0 else "on budget"
        return f"{verdict}: each dollar spent earns {format_ratio(self.cpi)} dollars of planned work"

    @property
    def schedule_reading(self) -> str:
        """SPI in plain words, one line."""
        if self.spi is None:
            return "no work was planned by this date: SPI is undefined"
        verdict = "behind schedule" if self.sv < 0 else "ahead of schedule" if self.sv > 0 else "on schedule"
        return (f"{verdict}: for each dollar of work planned by now, {format_ratio(self.spi)} dollars' worth "
                "is done")

    @property
    def reading(self) -> str:
        return f"{self.cost_reading}; {self.schedule_reading}"

    def eac_reading(self, eac: str | float = "cpi") -> str:
        value = self._eac_value(eac)
        if isinstance(eac, str):
            formula, assumption = EAC_METHODS[eac]
            basis = f"if {assumption} (EAC = {formula})"
        else:
            basis = "on the given estimate"
        if value is None:
            return f"{basis}: no forecast, as CPI or SPI is 0 or undefined"
        vac = self.bac - value
        outcome = (f"{-vac:,.0f} over budget" if vac < 0 else f"{vac:,.0f} under budget" if vac > 0
                   else "exactly on budget")
        return f"{basis}: {value:,.0f} at completion, {outcome}"

    def tcpi_reading(self) -> str:
        tcpi = self.tcpi_bac
        if tcpi is None:
            return "the budget is spent: finishing on budget is no longer possible"
        so_far = f", against {format_ratio(self.cpi)} so far" if self.cpi is not None else ""
        return (f"to finish on budget, each dollar still to spend must earn {format_ratio(tcpi)} dollars of "
                f"work{so_far}")

    def summary(self, eac: str | float = "cpi") -> dict[str, Any]:
        """Every figure by name (None where undefined), for `eac` (a method key or an EAC figure)."""
        return {
            "status_date": self.status_date,
            "bac": self.bac, "pv": self.pv, "ev": self.ev, "ac": self.ac,
            "cv": self.cv, "sv": self.sv, "cpi": self.cpi, "spi": self.spi,
            "eac_cpi": self.eac_cpi, "eac_atypical": self.eac_atypical, "eac_cpi_spi": self.eac_cpi_spi,
            "eac_method": eac if isinstance(eac, str) else "given",
            "eac": self._eac_value(eac), "etc": self.etc(eac), "vac": self.vac(eac),
            "tcpi_bac": self.tcpi_bac, "tcpi_eac": self.tcpi_eac(eac),
            "percent_complete": self.percent_complete, "percent_spent": self.percent_spent,
            "cost_reading": self.cost_reading, "schedule_reading": self.schedule_reading,
        }

    def to_frame(self, eac: str | float = "cpi"):
        """One row a figure: its value (NaN where undefined), unit, formula and a reading in words.

        ETC, VAC and TCPI to EAC are for `eac`: a method key ("cpi", "atypical", "cpi_spi") or a figure.
        """
        import pandas as pd

        chosen = f"EAC ({EAC_METHODS[eac][0]})" if isinstance(eac, str) else "the given EAC"
        forecast = self.eac_reading(eac)
        rows = [
            ("BAC", self.bac, "money", "budget at completion", "the whole budget"),
            ("PV", self.pv, "money", "planned value", "budget of the work scheduled by now"),
            ("EV", self.ev, "money", "earned value", "budget of the work done by now"),
            ("AC", self.ac, "money", "actual cost", "what the work done cost"),
            ("CV", self.cv, "money", "EV − AC", self.cost_reading),
            ("SV", self.sv, "money", "EV − PV", self.schedule_reading),
            ("CPI", self.cpi, "ratio", "EV / AC", self.cost_reading),
            ("SPI", self.spi, "ratio", "EV / PV", self.schedule_reading),
        ]
        for key, value in self.eac.items():
            formula, _ = EAC_METHODS[key]
            rows.append((f"EAC ({formula})", value, "money", formula, self.eac_reading(key)))
        rows += [
            ("ETC", self.etc(eac), "money", f"{chosen} − AC", "what the rest will cost: " + forecast),
            ("VAC", self.vac(eac), "money", f"BAC − {chosen}", forecast),
            ("TCPI to BAC", self.tcpi_bac, "ratio", "(BAC − EV) / (BAC − AC)", self.tcpi_reading()),
            ("TCPI to EAC", self.tcpi_eac(eac), "ratio", f"(BAC − EV) / ({chosen} − AC)",
             f"the CPI the rest needs to finish at {chosen}"),
            ("% complete", self.percent_complete, "%", "EV / BAC", "share of the budgeted work done"),
            ("% spent", self.percent_spent, "%", "AC / BAC", "share of the budget spent"),
        ]
        frame = pd.DataFrame(rows, columns=["figure", "value", "unit", "formula", "reading"])
        frame["value"] = frame["value"].astype("float64")
        return frame.set_index("figure")


def check_eac_method(method: Any) -> str:
    if not isinstance(method, str) or method not in EAC_METHODS:
        choices = "; ".join(f"{key!r} ({formula}: {why})" for key, (formula, why) in EAC_METHODS.items())
        raise ValueError(f"the EAC method must be one of: {choices}; not {method!r}")
    return method


# -- from a task table -----------------------------------------------------------------------------


def _rows_of(table, what: str) -> list[dict]:
    import pandas as pd

    if isinstance(table, pd.DataFrame):
        named = table.index.name is not None and table.index.name not in table.columns
        return table.reset_index(drop=not named).to_dict("records")
    if isinstance(table, str | bytes | Mapping) or not isinstance(table, Iterable):
        raise ValueError(f"give the {what} as a table (a pandas DataFrame) or a list of dicts, one a row, "
                         f"not {type(table).__name__}")
    rows = list(table)
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise ValueError(f"row {number} of the {what} must be a dict, not {type(row).__name__}")
    return rows


def planned_share(planned_start, planned_finish, status_date) -> float:
    """The share (0-1) of a task planned to be done by the end of the status date.

    The work is planned evenly over the task's days, its start and finish days both included: a task
    planned from 1 to 10 March is 30 % planned by the end of 3 March.
    """
    start = _timestamp("the planned start", planned_start).normalize()
    finish = _timestamp("the planned finish", planned_finish).normalize()
    status = _timestamp("the status date", status_date).normalize()
    if finish < start:
        raise ValueError(f"the planned finish {finish:%Y-%m-%d} is before the planned start {start:%Y-%m-%d}")
    days = (finish - start).days + 1
    done = (status - start).days + 1
    return min(max(done / days, 0.0), 1.0)


def earned_value_by_task(tasks, status_date=None):
    """Each task's budget, planned and done percentages, PV, EV, AC, CV and SV: a DataFrame by task_id.

    Columns needed: task_id, budget (the task's share of BAC), percent_complete (0-100), actual_cost,
    and either planned_percent (0-100, the share planned done by the status date) or planned_start
    and planned_finish (dates, with `status_date`; see `planned_share`). PV = budget × planned %,
    EV = budget × % complete.
    """
    import pandas as pd

    rows = _rows_of(tasks, "tasks")
    if not rows:
        raise ValueError("the task table has no tasks")
    columns = set().union(*(row.keys() for row in rows))
    missing = [column for column in TASK_COLUMNS if column not in columns]
    by_percent = "planned_percent" in columns
    by_dates = any(column in columns for column in PLANNED_DATES)
    if by_percent and by_dates:
        raise ValueError("the task table has both planned_percent and planned dates: give one way of saying "
                         "what was planned by the status date, not both")
    if not by_percent:
        missing += [column for column in PLANNED_DATES if column not in columns]
    if missing:
        raise ValueError(f"the task table has no column {', '.join(map(repr, missing))}; it needs task_id, "
                         "budget, percent_complete, actual_cost, and planned_percent or planned_start and "
                         "planned_finish")
    if not by_percent and status_date is None:
        raise ValueError("give the status date: each task's planned share is read from its planned start "
                         "and finish")
    status = None if status_date is None else _timestamp("the status date", status_date)
    seen: set[str] = set()
    records = []
    for number, row in enumerate(rows, start=1):
        task_id = row.get("task_id")
        if is_missing(task_id) or not str(task_id).strip():
            raise ValueError(f"task {number} has no task_id")
        task_id = str(task_id).strip()
        if task_id in seen:
            raise ValueError(f"task ids must be unique; {task_id!r} is used more than once")
        seen.add(task_id)
        label = f"task {task_id!r}"
        budget = _amount(f"the budget of {label}", row.get("budget"))
        done = _percent(f"the percent complete of {label}", row.get("percent_complete"))
        cost = _amount(f"the actual cost of {label}", row.get("actual_cost"))
        if by_percent:
            planned = _percent(f"the planned percent of {label}", row.get("planned_percent"))
        else:
            try:
                planned = 100 * planned_share(row.get("planned_start"), row.get("planned_finish"), status)
            except ValueError as error:
                raise ValueError(f"{label}: {error}") from None
        records.append({"task_id": task_id, "budget": budget, "planned_percent": planned,
                        "percent_complete": done, "pv": budget * planned / 100, "ev": budget * done / 100,
                        "ac": cost})
    frame = pd.DataFrame(records).set_index("task_id")
    frame["cv"] = frame["ev"] - frame["ac"]
    frame["sv"] = frame["ev"] - frame["pv"]
    return frame


def from_tasks(tasks, status_date=None) -> EarnedValue:
    """The project's EarnedValue from a task table: BAC = Σ budget, PV = Σ budget × planned %,
    EV = Σ budget × % complete, AC = Σ actual cost (columns: see `earned_value_by_task`).

    With planned dates, `status_date` says how much was planned; with planned_percent it only labels
    the result.
    """
    frame = earned_value_by_task(tasks, status_date)
    bac = float(frame["budget"].sum())
    if bac <= 0:
        raise ValueError("the tasks' budgets add up to 0: the budget at completion (BAC) must be more than 0")

    def at_most_bac(total: float) -> float:
        return bac if bac < total <= bac * (1 + _ROUNDING) else total

    stamp = None if status_date is None else _timestamp("the status date", status_date)
    return EarnedValue(bac=bac, pv=at_most_bac(float(frame["pv"].sum())),
                       ev=at_most_bac(float(frame["ev"].sum())), ac=float(frame["ac"].sum()),
                       status_date=stamp)


# -- a monthly series ------------------------------------------------------------------------------


class EarnedValueSeries:
    """Cumulative PV, EV and AC at the end of each month, against one BAC.

    `monthly` has the columns month (a date; the figures are cumulative to the end of that month),
    planned_value, earned_value and actual_cost. Months are sorted; each calendar month appears once.
    Refused, naming the month: a missing or negative amount, a figure that falls from one month to
    the next (they are cumulative), EV or PV above BAC.
    """

    def __init__(self, monthly, bac: float) -> None:
        self.bac = _bac(bac)
        self._frame = _checked_monthly(monthly, self.bac)

    @property
    def status_dates(self) -> list:
        """The months, as pandas Timestamps, in order."""
        return list(self._frame.index)

    def __len__(self) -> int:
        return len(self._frame)

    def month(self, value: Any):
        """The series' month (a Timestamp) for a date in that calendar month; KeyError if it has none."""
        stamp = _timestamp("the status date", value)
        for month in self._frame.index:
            if (month.year, month.month) == (stamp.year, stamp.month):
                return month
        known = ", ".join(f"{m:%Y-%m}" for m in self._frame.index)
        raise KeyError(f"there are no earned value figures for {_month_label(stamp)}; months: {known}")

    def at(self, month: Any) -> EarnedValue:
        """The EarnedValue at the end of a month (given as any date in it: '2025-07', a date ...)."""
        month = self.month(month)
        row = self._frame.loc[month]
        return EarnedValue(bac=self.bac, pv=row["planned_value"], ev=row["earned_value"],
                           ac=row["actual_cost"], status_date=month)

    @property
    def latest(self) -> EarnedValue:
        return self.at(self._frame.index[-1])

    def table(self):
        """The checked monthly figures, indexed by month (a copy)."""
        return self._frame.copy()

    def to_frame(self):
        """Each month's figures: PV, EV, AC, CV, SV, CPI, SPI, the three EACs, TCPI to BAC, % complete."""
        import pandas as pd

        rows = []
        for month in self._frame.index:
            status = self.at(month)
            rows.append({"month": month, "planned_value": status.pv, "earned_value": status.ev,
                         "actual_cost": status.ac, "cv": status.cv, "sv": status.sv, "cpi": status.cpi,
                         "spi": status.spi, "eac_cpi": status.eac_cpi, "eac_atypical": status.eac_atypical,
                         "eac_cpi_spi": status.eac_cpi_spi, "tcpi_bac": status.tcpi_bac,
                         "percent_complete": status.percent_complete})
        frame = pd.DataFrame(rows).set_index("month")
        return frame.astype("float64")

    def __repr__(self) -> str:
        first, last = self._frame.index[0], self._frame.index[-1]
        return (f"<EarnedValueSeries: {len(self)} months, {_month_label(first)} to {_month_label(last)}, "
                f"BAC {self.bac:,.0f}>")


def _checked_monthly(monthly, bac: float):
    import pandas as pd

    if not isinstance(monthly, pd.DataFrame):
        monthly = pd.DataFrame(_rows_of(monthly, "monthly figures"))
    if "month" not in monthly.columns and monthly.index.name == "month":
        monthly = monthly.reset_index()
    missing = [column for column in MONTHLY_COLUMNS if column not in monthly.columns]
    if missing:
        raise ValueError(f"the monthly figures have no column {', '.join(map(repr, missing))}; they need: "
                         f"{', '.join(MONTHLY_COLUMNS)}")
    if monthly.empty:
        raise ValueError("the monthly figures have no rows")
    records = []
    for number, row in enumerate(monthly[list(MONTHLY_COLUMNS)].to_dict("records"), start=1):
        month = _timestamp(f"the month in row {number}", row["month"])
        record = {"month": month}
        for column, name in MONTHLY_NAMES.items():
            record[column] = _amount(f"{name} in {_month_label(month)}", row[column])
        records.append(record)
    frame = pd.DataFrame(records).sort_values("month", kind="stable")
    periods = frame["month"].dt.to_period("M")
    repeated = sorted({str(p) for p in periods[periods.duplicated()]})
    if repeated:
        raise ValueError(f"each month appears once in the monthly figures; repeated: {', '.join(repeated)}")
    frame = frame.set_index("month")
    for column, name in MONTHLY_NAMES.items():
        values = frame[column]
        for before, after in zip(frame.index[:-1], frame.index[1:], strict=True):
            if values[after] < values[before]:
                raise ValueError(
                    f"{name} falls from {values[before]:,.0f} in {_month_label(before)} to "
                    f"{values[after]:,.0f} in {_month_label(after)}: the figures are cumulative (to date), "
                    "so they never fall. If the table holds each month's own figures, add them up first "
                    "(DataFrame.cumsum())")
    for column, short in (("earned_value", "EV"), ("planned_value", "PV")):
        over = frame.index[frame[column] > bac]
        if len(over):
            month = over[0]
            raise ValueError(f"{MONTHLY_NAMES[column]} in {_month_label(month)} is "
                             f"{frame.at[month, column]:,.0f}, more than the budget at completion (BAC) "
                             f"{bac:,.0f}: {short} is at most BAC")
    return frame


# -- the status exercise ---------------------------------------------------------------------------


class EarnedValueStatus(Exercise):
    """A status report from monthly earned value figures.

    The learner's answer: the status date (a month of the data), the EAC method they would forecast
    with ("cpi", "atypical" or "cpi_spi") and a one-line justification of that choice.

    >>> report = EarnedValueStatus(None, monthly, bac=2_600_000)   # doctest: +SKIP
    >>> report.set_status_date("2025-07")                            # doctest: +SKIP
    >>> report.choose_eac("cpi_spi", "CPI and SPI both fell every month")  # doctest: +SKIP
    """

    kind = "EarnedValueStatus"

    def __init__(self, exercise_id: str | None, monthly, *, bac: float, planned_finish=None,
                 directory=None) -> None:
        super().__init__(exercise_id, directory=directory)
        self.series = EarnedValueSeries(monthly, bac)
        #: The planned finish date, if given: the S-curve draws the EAC forecast out to it.
        self.planned_finish = (None if planned_finish is None
                               else _timestamp("the planned finish", planned_finish).normalize())
        self._status_date = None
        self._eac_method: str | None = None
        self._justification = ""
        self._load_saved_answer()

    # -- answering -------------------------------------------------------------------------------

    def set_status_date(self, month: Any) -> None:
        """Choose the status date: a month of the data, as any date in it ('2025-07', a Timestamp ...)."""
        self._status_date = self.series.month(month)
        self._changed()

    def choose_eac(self, method: str | None, justification: str | None = None) -> None:
        """Choose the EAC method ("cpi", "atypical", "cpi_spi"; None: undecided), with a one-line reason."""
        method = None if method is None else check_eac_method(method)
        reason = self._justification if justification is None else _one_line(justification)
        self._eac_method, self._justification = method, reason
        self._changed()

    def set_justification(self, text: str) -> None:
        """Why this EAC method fits the project, in one line."""
        self._justification = _one_line(text)
        self._changed()

    # -- reading ---------------------------------------------------------------------------------

    @property
    def status_date(self):
        """The chosen month (a Timestamp), or None while not chosen."""
        return self._status_date

    @property
    def eac_method(self) -> str | None:
        return self._eac_method

    @property
    def justification(self) -> str:
        return self._justification

    @property
    def status(self) -> EarnedValue | None:
        """The EarnedValue at the chosen status date, or None while no date is chosen."""
        return None if self._status_date is None else self.series.at(self._status_date)

    @property
    def eac(self) -> float | None:
        """The forecast of the chosen method at the chosen date; None while either is missing."""
        status = self.status
        if status is None or self._eac_method is None:
            return None
        return status.eac[self._eac_method]

    @property
    def answered(self) -> bool:
        """A status date, an EAC method and a justification are all given."""
        return None not in (self._status_date, self._eac_method) and bool(self._justification)

    def summary(self) -> dict[str, Any]:
        """The answer and the figures it leads to (figures None while no status date is chosen)."""
        status = self.status
        answer = {"status_date": self._status_date, "eac_method": self._eac_method,
                  "justification": self._justification}
        if status is None:
            return {**answer, "eac": None, "cpi": None, "spi": None, "cv": None, "sv": None}
        figures = status.summary(self._eac_method or "cpi")
        del figures["status_date"], figures["eac_method"]
        if self._eac_method is None:
            # No method chosen: no forecast is the learner's yet.
            figures.update(eac=None, etc=None, vac=None, tcpi_eac=None)
        return {**answer, **figures}

    def to_frame(self):
        """The figures at the chosen status date (see EarnedValue.to_frame); no rows while none is chosen."""
        status = self.status
        if status is None:
            import pandas as pd

            columns = {"value": pd.Series(dtype="float64"), "unit": [], "formula": [], "reading": []}
            return pd.DataFrame(columns, index=pd.Index([], name="figure"))
        return status.to_frame(self._eac_method or "cpi")

    # -- durable answers and display ---------------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        date = None if self._status_date is None else f"{self._status_date:%Y-%m-%d}"
        return {"status_date": date, "eac_method": self._eac_method, "justification": self._justification}

    def _restore(self, data: dict[str, Any]) -> None:
        # Check everything before changing anything: a bad file leaves the exercise as it was.
        saved_date = data["status_date"]
        if saved_date is not None and not isinstance(saved_date, str):
            raise ValueError(f"the saved status date is not a date: {saved_date!r}")
        date = None if saved_date is None else self.series.month(saved_date)
        method = None if data["eac_method"] is None else check_eac_method(data["eac_method"])
        justification = _one_line(data["justification"])
        self._status_date, self._eac_method, self._justification = date, method, justification

    def _make_view(self):
        from .views.earned_value import EarnedValueView

        return EarnedValueView(self)

    def __repr__(self) -> str:
        date = "no status date" if self._status_date is None else f"status {_month_label(self._status_date)}"
        method = self._eac_method or "not chosen"
        return f"<EarnedValueStatus {self.exercise_id!r}: {date}, EAC method {method}>"


def _one_line(text: Any) -> str:
    if not isinstance(text, str):
        raise ValueError(f"the justification must be text, not {type(text).__name__}")
    text = text.strip()
    if "\n" in text or "\r" in text:
        raise ValueError("the justification is one line: say in a sentence why this EAC method fits")
    return text
