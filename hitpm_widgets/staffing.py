"""Shift management: nursing hours per patient day, the FTEs a unit needs, overtime and ratios.

Tables (the middle-manager case has them):
- staffing, one row per unit and pay period: `patient_days`, `worked_hours` (productive nursing hours:
  RNs, LPNs and nursing assistants), `overtime_hours`, `agency_hours`;
- shifts, one row per unit, date and shift: `patients`, `rns_on_shift`.

Hours per patient day (HPPD) = nursing hours worked / patient days. FTEs needed = HPPD x average
daily census x 365 / productive hours per FTE. A full-time post is 2,080 paid hours a year; holidays,
leave and education leave about 1,800 to 1,900 of them productive, so the kit's default is 1,872.
"""

from __future__ import annotations

import numbers

from .measures import group_keys, pooled_ratio, require_columns, require_counts, require_not_more

STAFFING_COLUMNS = ("patient_days", "worked_hours", "overtime_hours", "agency_hours")
SHIFT_COLUMNS = ("unit", "patients", "rns_on_shift")
PRODUCTIVE_HOURS_PER_FTE = 1872
#: A pay period of the case's staffing table: two weeks.
PERIOD_DAYS = 14


def _checked(staffing):
    require_columns(staffing, STAFFING_COLUMNS, "staffing")
    require_counts(staffing, STAFFING_COLUMNS, "staffing")
    require_not_more(staffing, "overtime_hours", "worked_hours", "staffing")
    return staffing


def hppd(staffing, by="unit"):
    """Nursing hours worked per patient day, pooled per group (by=None: one figure)."""
    return pooled_ratio(_checked(staffing), "worked_hours", "patient_days", by)


def overtime_share(staffing, by="unit"):
    """Overtime hours per hour worked, pooled per group."""
    return pooled_ratio(_checked(staffing), "overtime_hours", "worked_hours", by)


def average_daily_census(staffing, by="unit", period_days: int = PERIOD_DAYS):
    """Patient days per calendar day over the periods in the table (each `period_days` long)."""
    _checked(staffing)
    if isinstance(period_days, bool) or not isinstance(period_days, numbers.Integral) or period_days < 1:
        raise ValueError(f"period_days must be a whole number of days, 1 or more; not {period_days!r}")
    if by is None:
        return float(staffing["patient_days"].sum() / (len(staffing) * period_days))
    groups = staffing.groupby(group_keys(by), observed=True)["patient_days"]
    return (groups.sum() / (groups.count() * period_days)).rename("average daily census")


def fte_needed(hours_per_patient_day: float, average_daily_census: float,
               productive_hours_per_fte: float = PRODUCTIVE_HOURS_PER_FTE) -> float:
    """Productive FTEs a unit needs to staff `hours_per_patient_day` at its census, all year round."""
    for name, value in (("hours_per_patient_day", hours_per_patient_day),
                        ("average_daily_census", average_daily_census),
                        ("productive_hours_per_fte", productive_hours_per_fte)):
        if isinstance(value, bool) or not isinstance(value, numbers.Real) or value < 0:
            raise ValueError(f"{name} must be a number of 0 or more, not {value!r}")
    if productive_hours_per_fte == 0:
        raise ValueError("productive_hours_per_fte must be above 0 (about 1,800 to 1,900 a year)")
    return float(hours_per_patient_day * average_daily_census * 365 / productive_hours_per_fte)


def shifts_over_guideline(shifts, patients_per_rn):
    """The shifts table with `guideline` (patients per RN) and `over_guideline`: more patients than
    the unit's guideline allows for the RNs on the shift. `patients_per_rn` maps each unit to its ratio."""
    require_columns(shifts, SHIFT_COLUMNS, "shifts")
    require_counts(shifts, ("patients", "rns_on_shift"), "shifts")
    units = set(shifts["unit"].astype(str))
    missing = sorted(units - set(patients_per_rn))
    if missing:
        raise KeyError(f"no patients-per-RN guideline for: {', '.join(missing)}")
    for unit, ratio in patients_per_rn.items():
        if isinstance(ratio, bool) or not isinstance(ratio, numbers.Real) or ratio <= 0:
            raise ValueError(f"the guideline for {unit} must be patients per RN above 0, not {ratio!r}")
    marked = shifts.copy()
    marked["guideline"] = marked["unit"].astype(str).map(patients_per_rn).astype(float)
    marked["over_guideline"] = marked["patients"] > marked["guideline"] * marked["rns_on_shift"]
    return marked


def share_over_guideline(shifts, patients_per_rn, by=("unit", "shift")):
    """The share of shifts over the guideline, per group."""
    marked = shifts_over_guideline(shifts, patients_per_rn)
    if by is None:
        return float(marked["over_guideline"].mean())
    return marked.groupby(group_keys(by), observed=True)["over_guideline"].mean().rename("share over guideline")
