"""Shift management measures: HPPD, census, FTEs, overtime and staffing guidelines."""

import pandas as pd
import pytest

from hitpm_widgets.staffing import (
    average_daily_census,
    fte_needed,
    hppd,
    overtime_share,
    share_over_guideline,
    shifts_over_guideline,
)


def staffing():
    return pd.DataFrame({"unit": ["A", "A", "B"], "patient_days": [100, 300, 140],
                         "worked_hours": [800, 2600, 2520], "overtime_hours": [80, 100, 0],
                         "agency_hours": [0, 0, 0]})


def test_hppd_is_hours_over_patient_days_pooled():
    assert hppd(staffing())["A"] == pytest.approx(3400 / 400)
    assert hppd(staffing(), by=None) == pytest.approx(5920 / 540)
    assert overtime_share(staffing())["A"] == pytest.approx(180 / 3400)


def test_census_counts_the_days_of_every_period():
    census = average_daily_census(staffing())
    assert census["A"] == pytest.approx(400 / 28) and census["B"] == pytest.approx(10)
    with pytest.raises(ValueError, match="period_days"):
        average_daily_census(staffing(), period_days=0)


def test_fte_needed_follows_the_formula():
    # 8 HPPD x 30 patients x 365 days / 1,872 productive hours per FTE
    assert fte_needed(8, 30) == pytest.approx(8 * 30 * 365 / 1872)
    assert fte_needed(8, 30, productive_hours_per_fte=1800) > fte_needed(8, 30)
    with pytest.raises(ValueError):
        fte_needed(-1, 30)
    with pytest.raises(ValueError):
        fte_needed(8, 30, productive_hours_per_fte=0)


def test_overtime_above_hours_worked_is_refused():
    bad = staffing()
    bad.loc[0, "overtime_hours"] = 900
    with pytest.raises(ValueError, match="more overtime_hours than worked_hours"):
        hppd(bad)


def shifts():
    return pd.DataFrame({"unit": ["ICU", "ICU", "Ward", "Ward"], "shift": ["day", "night", "day", "night"],
                         "patients": [8, 9, 20, 21], "rns_on_shift": [4, 4, 4, 4]})


def test_a_shift_is_over_its_guideline_only_when_patients_exceed_ratio_times_rns():
    marked = shifts_over_guideline(shifts(), {"ICU": 2, "Ward": 5})
    assert list(marked["over_guideline"]) == [False, True, False, True]
    shares = share_over_guideline(shifts(), {"ICU": 2, "Ward": 5}, by="unit")
    assert shares["ICU"] == 0.5
    assert share_over_guideline(shifts(), {"ICU": 2, "Ward": 6}, by=None) == 0.25


def test_a_unit_without_a_guideline_is_named():
    with pytest.raises(KeyError, match="Ward"):
        shifts_over_guideline(shifts(), {"ICU": 2})
    with pytest.raises(ValueError, match="above 0"):
        shifts_over_guideline(shifts(), {"ICU": 2, "Ward": 0})
