"""Production tracking measures: OEE, right-first-time and batch record review time."""

import pandas as pd
import pytest

from hitpm_widgets.manufacturing import batch_review, oee, right_first_time


def test_oee_is_availability_times_performance_times_quality_pooled():
    weeks = pd.DataFrame({"line": ["L", "L"], "planned_minutes": [1000, 1000], "downtime_minutes": [100, 300],
                          "ideal_rate_per_minute": [10, 10], "tablets_made": [8000, 6000],
                          "tablets_good": [7900, 5900]})
    result = oee(weeks).loc["L"]
    assert result["availability"] == pytest.approx(1600 / 2000)
    assert result["performance"] == pytest.approx(14000 / 16000)
    assert result["quality"] == pytest.approx(13800 / 14000)
    assert result["oee"] == pytest.approx(13800 / 20000)  # good output / what the planned time could make
    assert oee(weeks, by=None)["oee"] == pytest.approx(result["oee"])
    weeks.loc[0, "tablets_good"] = 9000
    with pytest.raises(ValueError, match="row"):
        oee(weeks)


def batches():
    day = pd.Timestamp("2025-06-02")
    return pd.DataFrame({
        "line": ["L", "L", "L", "L"], "deviations": [0, 1, 0, 3],
        "manufactured_on": [day] * 4,
        "dispositioned_on": [day + pd.Timedelta(days=5), day + pd.Timedelta(days=9), pd.NaT,
                             day + pd.Timedelta(days=20)],
        "disposition": ["released", "released", "in review", "rejected"]})


def test_right_first_time_counts_only_dispositioned_batches():
    assert right_first_time(batches())["L"] == pytest.approx(1 / 3)  # the batch in review does not count
    reviewed = batch_review(batches())
    assert list(reviewed["review_days"]) == [5, 9, 20]


def test_a_disposition_without_its_date_is_refused():
    bad = batches()
    bad.loc[0, "dispositioned_on"] = pd.NaT
    with pytest.raises(ValueError, match="dispositioned_on"):
        batch_review(bad)
