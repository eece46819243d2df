"""The operations data of the middle-manager and pharma cases: they load validated, hang together, and
tell the story their narratives tell (so a change to the data that breaks the story fails here)."""

import pandas as pd
import pytest

from hitpm_widgets import load_case
from hitpm_widgets.manufacturing import batch_review, oee
from hitpm_widgets.patient_access import activation_rate, no_show_rate, video_failure_rate
from hitpm_widgets.staffing import hppd, overtime_share
from hitpm_widgets.supply_chain import three_way_match

REMINDERS_FROM = pd.Timestamp("2025-10-06")
SHIFTBRIDGE_LIVE = pd.Timestamp("2025-08-25")
EBR_LIVE = pd.Timestamp("2025-06-02")
CASE_TODAY = pd.Timestamp("2025-08-04")


@pytest.fixture(scope="module")
def hospital():
    return load_case("middle-manager")


@pytest.fixture(scope="module")
def pharma():
    return load_case("pharma-ctms")


def test_the_clinic_tables_cover_six_clinics_every_week_and_month(hospital):
    appointments = hospital.appointments_weekly
    assert appointments.groupby("week_start").size().eq(6).all() and appointments["week_start"].nunique() == 25
    assert (appointments["week_start"].dt.day_of_week == 0).all()
    assert (appointments["arrived"] + appointments["no_shows"] == appointments["booked"]).all()
    for table in (hospital.portal_monthly, hospital.telehealth_monthly):
        assert table.groupby("month").size().eq(6).all() and table["month"].nunique() == 6


def test_reminders_are_on_in_three_clinics_from_6_october_and_cut_their_no_shows(hospital):
    appointments = hospital.appointments_weekly
    on = appointments[appointments["reminders_on"]]
    assert set(on["clinic"]) == {"Cardiology clinic", "Family medicine", "Orthopedics clinic"}
    assert on["week_start"].min() == REMINDERS_FROM
    later = appointments["week_start"] >= REMINDERS_FROM
    before, after = no_show_rate(appointments[~later]), no_show_rate(appointments[later])
    for clinic in set(on["clinic"]):
        assert after[clinic] < 0.75 * before[clinic], clinic
    for clinic in set(appointments["clinic"]) - set(on["clinic"]):
        assert abs(after[clinic] - before[clinic]) < 0.03, clinic


def test_portal_activation_climbs_towards_the_goal_and_two_clinics_miss_it(hospital):
    portal = hospital.portal_monthly
    monthly = activation_rate(portal, by="month")
    assert monthly.is_monotonic_increasing and monthly.iloc[-1] > 0.5 > monthly.iloc[0]
    december = activation_rate(portal[portal["month"] == "2025-12-01"])
    # Clear of the 50 % goal either way, so that rounding cannot change which clinics miss it.
    assert set(december.index[december < 0.5]) == {"Orthopedics clinic", "Behavioral health"}
    assert ((december - 0.5).abs() > 0.02).all()


def test_video_failures_spike_in_september_only(hospital):
    rates = video_failure_rate(hospital.telehealth_monthly, by="month")
    september = rates[pd.Timestamp("2025-09-01")]
    assert september > 2 * rates.drop(pd.Timestamp("2025-09-01")).max()


def test_shiftbridge_cut_overtime_except_on_5_east(hospital):
    staffing = hospital.nurse_staffing
    assert staffing.groupby("period_start").size().eq(4).all()
    live = staffing["period_start"] >= SHIFTBRIDGE_LIVE
    before, after = overtime_share(staffing[~live]), overtime_share(staffing[live])
    for unit in ("4 West medical", "ICU", "Maternity"):
        assert after[unit] < 0.75 * before[unit], unit
    assert after["5 East surgical"] > 0.9 * before["5 East surgical"]
    budget = staffing.groupby("unit", observed=True)["budgeted_hppd"].first()
    assert hppd(staffing[live])["5 East surgical"] > budget["5 East surgical"]


def test_the_shift_table_has_every_shift_once_and_no_more_rns_than_patients(hospital):
    shifts = hospital.shift_staffing
    assert not shifts.duplicated(["date", "unit", "shift"]).any()
    assert len(shifts) == 28 * 3 * 2
    assert (shifts["rns_on_shift"] <= shifts["patients"]).all()


def test_purchase_orders_name_known_items_in_date_order_and_some_fail_the_match(hospital):
    orders = hospital.purchase_orders
    assert set(orders["item_id"]) <= set(hospital.supply_items["item_id"])
    assert (orders["ordered_on"] <= orders["received_on"]).all()
    assert (orders["received_on"] <= orders["invoiced_on"]).all()
    assert (orders["qty_received"] <= orders["qty_ordered"]).all()
    exceptions = three_way_match(orders)["exception"]
    assert 0 < (exceptions != "").sum() < len(orders) / 3
    prices = orders.merge(hospital.supply_items, on="item_id")
    assert (prices["po_unit_price"] == prices["unit_cost"]).all()


def test_batches_follow_the_lines_and_the_ebr_go_live(pharma):
    batches = pharma.batches
    electronic = batches["batch_record"] == "electronic"
    assert set(batches.loc[electronic, "line"]) == {"Line 2"}
    assert batches.loc[electronic, "manufactured_on"].min() >= EBR_LIVE
    assert (batches.loc[(batches["line"] == "Line 2") & ~electronic, "manufactured_on"] < EBR_LIVE).all()
    pending = batches["disposition"] == "in review"
    assert batches.loc[pending, "dispositioned_on"].isna().all()
    assert (batches.loc[~pending, "dispositioned_on"] <= CASE_TODAY).all()
    assert (batches.loc[~pending, "dispositioned_on"] > batches.loc[~pending, "manufactured_on"]).all()


def test_the_ebr_halved_review_time_and_line_2_recovered_after_its_first_weeks(pharma):
    reviewed = batch_review(pharma.batches)
    median = reviewed.groupby("batch_record", observed=True)["review_days"].median()
    assert median["electronic"] <= median["paper"] / 2
    weeks = pharma.line_weeks
    first_weeks = weeks["week_start"] < pd.Timestamp("2025-06-23")
    line2 = weeks["line"] == "Line 2"
    assert oee(weeks[line2 & first_weeks]).loc["Line 2", "availability"] < \
        oee(weeks[line2 & ~first_weeks]).loc["Line 2", "availability"]
