"""The practice sets of lessons 15 and 19 show what the lessons' text says they show.

The lessons compute in plain pandas and then explain the result in words (Corvane Continuity leads until the
weight of independence reaches 33; the WBS misses 120 hours under Deploy; 3 South's baseline is stable and
shifts after go-live; falls do not). Whoever edits the data must keep those stories true, or rewrite the text.
"""

import numpy as np
import pandas as pd
import pytest

from hitpm_widgets import load_case


@pytest.fixture(scope="module")
def lab():
    return load_case("emr-lab-system")


@pytest.fixture(scope="module")
def go_live():
    return load_case("emr-go-live")


def weighted_totals(lab, criterion=None, weight=None):
    weights = lab.viewer_criteria.set_index("criterion")["weight"].astype(float)
    if criterion is not None:  # the others keep their proportions and share what is left
        others = weights.drop(criterion)
        weights = others * (100 - weight) / others.sum()
        weights[criterion] = weight
    scores = lab.viewer_scores.pivot(index="criterion", columns="product", values="score")
    return scores.mul(weights, axis=0).sum() / 100


def test_every_product_is_scored_once_on_every_criterion_and_the_weights_add_up(lab):
    criteria = set(lab.viewer_criteria["criterion"])
    assert lab.viewer_criteria["weight"].sum() == 100
    counts = lab.viewer_scores.groupby(["product", "criterion"], observed=True).size()
    assert (counts == 1).all()
    for product, rows in lab.viewer_scores.groupby("product", observed=True):
        assert set(rows["criterion"]) == criteria, product


def test_the_leader_changes_only_when_independence_weighs_33(lab):
    assert weighted_totals(lab).idxmax() == "Corvane Continuity"
    assert weighted_totals(lab, "independence", 32).idxmax() == "Corvane Continuity"
    assert weighted_totals(lab, "independence", 33).idxmax() == "Holdfast"
    # With the other weights in proportion, each total is linear in the weight moved, so a product that leads
    # at 0 and at 100 leads everywhere between.
    for criterion in set(lab.viewer_criteria["criterion"]) - {"independence"}:
        leaders = {weighted_totals(lab, criterion, w).idxmax() for w in (0, 100)}
        assert leaders == {"Corvane Continuity"}, criterion


def test_holdfast_is_cheapest_to_start_and_dearest_to_own(lab):
    costs = lab.viewer_costs
    first_year = costs[costs["year"] == 0].groupby("product", observed=True)["amount"].sum()
    whole = costs.groupby("product", observed=True)["amount"].sum()
    assert first_year.idxmin() == "Holdfast" and whole.idxmax() == "Holdfast"
    assert whole.idxmin() == "Corvane Continuity"
    assert set(costs["year"]) == set(range(6))


def test_the_wbs_breaks_the_100_percent_rule_only_under_deploy_by_the_training(lab):
    wbs = lab.viewer_wbs
    children = wbs.dropna(subset=["parent"]).groupby("parent")["hours"].sum()
    stated = wbs.set_index("code")["hours"]
    gaps = (stated[children.index] - children)
    assert gaps[gaps != 0].to_dict() == {"1.4": 120}


def xmr(values):
    centre = values.mean()
    spread = 2.66 * values.diff().abs().mean()
    return centre, centre - spread, centre + spread


def longest_run(values, centre):
    side = np.sign(values - centre)
    side = side[side != 0]
    return int(side.groupby((side != side.shift()).cumsum()).size().max())


def test_3_south_is_stable_before_go_live_and_shifts_after(go_live):
    weeks = go_live.practice_unit_weeks.set_index("week_start")
    minutes = weeks["median_minutes_to_first_dose"].astype(float)
    before = minutes[minutes.index < pd.Timestamp("2025-06-14")]
    after = minutes[minutes.index >= pd.Timestamp("2025-06-14")]
    assert len(before) == len(after) == 26
    centre, lower, upper = xmr(before)
    assert before.between(lower, upper).all() and longest_run(before, centre) < 8
    assert (after.iloc[:2] > upper).all() and after.iloc[2:].le(upper).all()  # the go-live weeks, then no more
    assert longest_run(after, centre) >= 8 and (after < lower).sum() > len(after) / 2
    settled = minutes[minutes.index >= pd.Timestamp("2025-07-14")]
    new_centre, new_lower, new_upper = xmr(settled)
    assert settled.between(new_lower, new_upper).all() and longest_run(settled, new_centre) < 8


def test_falls_give_no_shift_after_go_live(go_live):
    weeks = go_live.practice_unit_weeks.set_index("week_start")
    falls = 1000 * weeks["falls"] / weeks["patient_days"]
    median = falls[falls.index < pd.Timestamp("2025-06-14")].median()
    assert longest_run(falls[falls.index >= pd.Timestamp("2025-06-14")], median) < 6


def test_the_register_names_an_owner_for_every_benefit_but_one(go_live):
    register = go_live.practice_benefits
    assert register["owner"].isna().sum() == 1
    assert (go_live.practice_unit_weeks["doses_scanned"] <= go_live.practice_unit_weeks["doses_given"]).all()
