"""Patient access measures: portal activation, no-shows, overbooking and video visits."""

import math

import pandas as pd
import pytest

from hitpm_widgets.patient_access import (
    activation_rate,
    arrivals_distribution,
    bookings_to_fill,
    chance_over_capacity,
    expected_arrivals,
    expected_idle_slots,
    no_show_rate,
    self_scheduling_share,
    video_failure_rate,
    video_share,
)


def portal():
    return pd.DataFrame({"clinic": ["A", "A", "B"], "patients_seen": [100, 300, 50],
                         "active_accounts": [10, 90, 40], "self_scheduled": [1, 2, 0],
                         "appointments_booked": [10, 10, 0]})


def test_activation_is_pooled_not_averaged():
    rates = activation_rate(portal())
    assert rates["A"] == pytest.approx(100 / 400)  # not the mean of 0.1 and 0.3
    assert rates["B"] == pytest.approx(0.8)
    assert activation_rate(portal(), by=None) == pytest.approx(140 / 450)


def test_a_group_with_nothing_booked_gets_nan_not_an_error():
    shares = self_scheduling_share(portal())
    assert shares["A"] == pytest.approx(0.15) and math.isnan(shares["B"])


def test_more_active_accounts_than_patients_is_refused():
    bad = portal()
    bad.loc[2, "active_accounts"] = 60
    with pytest.raises(ValueError, match="more active_accounts than patients_seen in row.* 3"):
        activation_rate(bad)


def test_a_missing_column_is_named():
    with pytest.raises(ValueError, match="lacks the columns: self_scheduled"):
        activation_rate(portal().drop(columns="self_scheduled"))


def test_no_show_rate_and_its_consistency_check():
    table = pd.DataFrame({"clinic": ["A", "A"], "booked": [100, 50], "arrived": [90, 45], "no_shows": [10, 5]})
    assert no_show_rate(table)["A"] == pytest.approx(0.1)
    table.loc[1, "arrived"] = 40
    with pytest.raises(ValueError, match="arrived \\+ no_shows must equal booked; not so in row.* 2"):
        no_show_rate(table)


def test_the_arrivals_are_binomial():
    distribution = arrivals_distribution(3, 0.5)
    assert list(distribution) == pytest.approx([0.125, 0.375, 0.375, 0.125])
    assert distribution.sum() == pytest.approx(1)
    assert expected_arrivals(20, 0.2) == pytest.approx(16)
    assert (arrivals_distribution(10, 0.1).index * arrivals_distribution(10, 0.1)).sum() == pytest.approx(9)


def test_bookings_to_fill_rounds_up_and_is_not_fooled_by_floating_point():
    assert bookings_to_fill(16, 0.2) == 20     # 16 / 0.8 is 20.000000000000004 in floating point
    assert bookings_to_fill(16, 0.12) == 19    # 18.18 rounds up
    assert bookings_to_fill(16, 0.0) == 16


def test_overbooking_trades_idle_slots_for_overflow():
    assert chance_over_capacity(16, 16, 0.1) == 0  # booking no more than the slots never overflows
    assert chance_over_capacity(18, 16, 0.1) == pytest.approx(0.9 ** 18 + 18 * 0.9 ** 17 * 0.1)
    assert expected_idle_slots(18, 16, 0.1) < expected_idle_slots(16, 16, 0.1)


@pytest.mark.parametrize("call", [lambda: arrivals_distribution(-1, 0.1), lambda: arrivals_distribution(10, 1.0),
                                  lambda: bookings_to_fill(16, 12), lambda: arrivals_distribution(2.5, 0.1),
                                  lambda: chance_over_capacity(10, True, 0.1)])
def test_bad_inputs_are_refused(call):
    with pytest.raises(ValueError):
        call()


def test_video_share_and_failures():
    table = pd.DataFrame({"clinic": ["A", "B"], "visits": [100, 200], "video_visits": [50, 20],
                          "video_failed": [5, 4]})
    assert video_share(table)["A"] == pytest.approx(0.5)
    assert video_failure_rate(table, by=None) == pytest.approx(9 / 70)
    table.loc[0, "video_failed"] = 51
    with pytest.raises(ValueError, match="more video_failed than video_visits"):
        video_failure_rate(table)
