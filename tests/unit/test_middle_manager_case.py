"""The middle-manager case pack: it loads, and its reference answers follow from its data.

Every reference answer in tests/fixtures/middle_manager_reference.json is recomputed here from the
data with plain pandas, so a change to the data that moves an answer fails until the reference
and the teaching note are changed with it.
"""

import json
import re

import pandas as pd
import pytest

from hitpm_widgets.cases import load_case

from ..conftest import FIXTURES, REPO

REFERENCE = json.loads((FIXTURES / "middle_manager_reference.json").read_text(encoding="utf-8"))
ELEMENTS = ["awareness", "desire", "knowledge", "ability", "reinforcement"]
ROLES = ["cno", "nurse_manager", "cmio", "super_users", "clinical_educator", "it_service_desk", "vendor",
         "pharmacy_lead"]
MODES = {"competing", "collaborating", "compromising", "avoiding", "accommodating"}
# Hersey–Blanchard: each readiness level is answered by one style.
STYLE_FOR = {"R1": "S1 telling", "R2": "S2 selling", "R3": "S3 participating", "R4": "S4 delegating"}
# A RACI role with R or A on more than this share of the tasks is overloaded.
OVERLOAD_SHARE = 0.40
# Stalled: CPOE share gained less than 2 percentage points from week 4 to week 8 and is under 85 %.
MIN_GAIN, TARGET = 0.02, 0.85
# The margin that keeps every unit mean that decides a barrier point clear of the threshold.
MARGIN = 0.25


@pytest.fixture(scope="module")
def case():
    return load_case("middle-manager")


# Pharmacists verify and dispense orders; they do not place them, so Pharmacy has no CPOE share.
NOT_ORDERING = {"Pharmacy"}


def unit_means(case):
    return case.readiness_survey.groupby("unit", observed=True)[ELEMENTS].mean()


def cpoe_share(case):
    adoption = case.adoption_weekly
    orders = adoption["orders_cpoe"] + adoption["orders_verbal"] + adoption["orders_paper"]
    shares = adoption.assign(share=adoption["orders_cpoe"] / orders)
    return shares.pivot(index="department", columns="week", values="share")


# -- the pack -------------------------------------------------------------------------------------


def test_the_case_loads_with_its_tables_and_sizes(case):
    assert case.slug == "middle-manager"
    assert set(case.tables) == {"readiness_survey", "raci", "conflict_scenarios", "training_attendance",
                                "adoption_weekly", "helpdesk_tickets",
                                # part three, the operations systems (tests/unit/test_operations_case_data.py)
                                "portal_monthly", "appointments_weekly", "telehealth_monthly", "nurse_staffing",
                                "shift_staffing", "supply_items", "purchase_orders"}
    assert 120 <= len(case.readiness_survey) <= 180
    assert 12 <= len(case.raci) <= 16
    assert 5 <= len(case.conflict_scenarios) <= 7
    assert 200 <= len(case.training_attendance) <= 300
    units = set(REFERENCE["barrier_points"])
    assert 6 <= len(units) <= 8
    # One row per ordering department and week (Pharmacy places no orders, so it has none), one per
    # department, week and ticket category.
    assert len(case.adoption_weekly) == 8 * len(units - NOT_ORDERING)
    assert not case.adoption_weekly.duplicated(["department", "week"]).any()
    assert len(case.helpdesk_tickets) == 8 * len(units) * 6
    assert not case.helpdesk_tickets.duplicated(["week", "department", "category"]).any()


def test_every_table_covers_the_same_units(case):
    units = set(REFERENCE["barrier_points"])
    assert set(case.readiness_survey["unit"]) == units
    assert set(case.training_attendance["unit"]) == units
    assert set(case.adoption_weekly["department"]) == units - NOT_ORDERING
    assert set(case.helpdesk_tickets["department"]) == units
    assert set(case.adoption_weekly["week"]) == set(range(1, 9))


def test_the_narrative_tells_the_same_hospital_story_at_the_right_length(case):
    # Parts one and two; part three (the operations systems) is a strand of its own.
    first_parts, _, part_three = case.narrative.partition("\n## Part three")
    words = len(re.findall(r"[A-Za-z0-9][\w'’.-]*", first_parts))
    assert 1400 <= words <= 2000, words
    assert "ShiftBridge" in part_three and "MyKestrel" in part_three
    assert case.narrative.count("\n## ") >= 4
    for fact in ("Kestrel Bay", "One Chart", "Corvane", "14 June", "Denise Haworth", "NurseNote"):
        assert fact in case.narrative, fact


# -- ADKAR barrier points -------------------------------------------------------------------------


def test_each_units_barrier_point_follows_from_the_survey(case):
    threshold = REFERENCE["adkar_threshold"]
    computed = {}
    for unit, means in unit_means(case).iterrows():
        low = [element for element in ELEMENTS if means[element] <= threshold]  # Prosci: 3 or lower
        computed[unit] = low[0] if low else None
    assert computed == REFERENCE["barrier_points"]


def test_every_mean_that_decides_a_barrier_is_clear_of_the_threshold(case):
    threshold = REFERENCE["adkar_threshold"]
    for unit, means in unit_means(case).iterrows():
        barrier = REFERENCE["barrier_points"][unit]
        deciding = ELEMENTS if barrier is None else ELEMENTS[: ELEMENTS.index(barrier) + 1]
        for element in deciding:
            assert abs(means[element] - threshold) >= MARGIN, (unit, element, means[element])


def test_the_barrier_points_differ_between_units(case):
    barriers = list(REFERENCE["barrier_points"].values())
    assert len({b for b in barriers if b is not None}) >= 4
    assert None in barriers


# -- the RACI chart -------------------------------------------------------------------------------


def test_the_raci_faults_follow_from_the_chart(case):
    chart = case.raci.set_index("task_id")[ROLES]
    accountable = (chart == "A").sum(axis=1)
    responsible = (chart == "R").sum(axis=1)
    load = ((chart == "R") | (chart == "A")).sum(axis=0) / len(chart)
    computed = {
        "no_accountable": sorted(chart.index[accountable == 0]),
        "several_accountable": sorted(chart.index[accountable > 1]),
        "no_responsible": sorted(chart.index[responsible == 0]),
        "overloaded_roles": sorted(load.index[load > OVERLOAD_SHARE]),
    }
    assert computed == {key: sorted(value) for key, value in REFERENCE["raci_faults"].items()}


def test_the_raci_faults_are_within_the_designed_counts(case):
    faults = REFERENCE["raci_faults"]
    assert 2 <= len(faults["no_accountable"]) <= 3
    assert 1 <= len(faults["several_accountable"]) <= 2
    assert 1 <= len(faults["no_responsible"]) <= 2
    assert faults["overloaded_roles"] == ["nurse_manager"]
    faulty = faults["no_accountable"] + faults["several_accountable"] + faults["no_responsible"]
    assert len(faulty) == len(set(faulty)), "each faulty task carries one fault"
    assert len(case.raci) - len(faulty) >= len(case.raci) / 2


# -- conflict scenarios ---------------------------------------------------------------------------


def test_the_scenario_references_are_complete_and_consistent(case):
    scenarios = REFERENCE["scenarios"]
    assert set(scenarios) == set(case.conflict_scenarios["scenario_id"])
    for scenario_id, answer in scenarios.items():
        assert answer["mode"] in MODES, scenario_id
        assert answer["mode"] in answer["accepted_modes"], scenario_id
        assert set(answer["accepted_modes"]) <= MODES, scenario_id
        assert answer["style"] == STYLE_FOR[answer["readiness"]], scenario_id
    assert len({answer["mode"] for answer in scenarios.values()}) >= 4
    assert {answer["readiness"] for answer in scenarios.values()} == set(STYLE_FOR)


def test_one_scenario_is_the_vendor_clinician_conflict(case):
    parties = case.conflict_scenarios["parties"]
    assert parties.str.contains("Corvane").sum() == 1


def test_every_scenario_situation_is_three_to_five_sentences(case):
    scenarios = case.conflict_scenarios
    for scenario_id, situation in zip(scenarios["scenario_id"], scenarios["situation"], strict=True):
        sentences = re.findall(r"[.!?]['’)]?(?:\s|$)", situation)
        assert 3 <= len(sentences) <= 5, scenario_id


# -- training -------------------------------------------------------------------------------------


def test_nobody_attended_more_sessions_than_required(case):
    training = case.training_attendance
    assert (training["sessions_attended"] <= training["sessions_required"]).all()


def test_a_completion_date_is_given_exactly_when_training_is_complete(case):
    training = case.training_attendance
    complete = training["sessions_attended"] == training["sessions_required"]
    assert (training["completed_on"].notna() == complete).all()
    assert (training.loc[complete, "completed_on"] <= pd.Timestamp("2025-06-06")).all()
    assert complete[training["super_user"]].all(), "every super-user finished training"


# -- adoption after go-live -----------------------------------------------------------------------


def test_the_stalled_departments_follow_from_the_cpoe_share(case):
    shares = cpoe_share(case)
    gain = shares[8] - shares[4]
    stalled = shares.index[(gain < MIN_GAIN) & (shares[8] < TARGET)]
    assert sorted(stalled) == sorted(REFERENCE["stalled_departments"])
    # The rest did not merely scrape past the rule: they rose clearly or arrived.
    others = shares.drop(index=REFERENCE["stalled_departments"])
    assert ((others[8] - others[4] >= 0.05) | (others[8] >= 0.90)).all()
    assert (shares[1].between(0.45, 0.80)).all()


def test_the_override_outlier_has_the_highest_override_rate(case):
    adoption = case.adoption_weekly
    totals = adoption.groupby("department", observed=True)[["alerts_fired", "alert_overrides"]].sum()
    rates = totals["alert_overrides"] / totals["alerts_fired"]
    assert rates.idxmax() == REFERENCE["override_outlier"]
    assert rates.max() - rates.drop(REFERENCE["override_outlier"]).max() >= 0.15
    weekly = adoption.assign(rate=adoption["alert_overrides"] / adoption["alerts_fired"])
    assert (weekly.pivot(index="week", columns="department", values="rate").idxmax(axis=1)
            == REFERENCE["override_outlier"]).all()


def test_counts_are_consistent(case):
    adoption = case.adoption_weekly
    assert (adoption["alert_overrides"] <= adoption["alerts_fired"]).all()
    assert (adoption["active_users"] <= adoption["staff"]).all()


def test_how_to_tickets_climb_only_in_the_stalled_departments(case):
    how_to = case.helpdesk_tickets[case.helpdesk_tickets["category"] == "how-to"]
    late = how_to[how_to["week"] >= 5].groupby("department", observed=True)["tickets"].sum()
    early = how_to[how_to["week"] <= 4].groupby("department", observed=True)["tickets"].sum()
    climbing = sorted(late.index[late >= early])
    assert climbing == sorted(REFERENCE["stalled_departments"])
    weekly = case.helpdesk_tickets.groupby("week")["tickets"].sum()
    assert weekly[8] < weekly[1] / 2


def test_the_ps03_answer_key_agrees_with_the_fixture_and_the_kits_own_rules(case):
    """Two computations that could disagree: the answer key's pandas, and the widget's private rules."""
    from hitpm_widgets.adoption import _stalled_departments
    from hitpm_widgets.change_readiness import ChangeReadiness
    from hitpm_widgets.grading.answer_key import load

    key = load(REPO / "workbooks" / "ps03-leading-change")
    answers = key.answers(case)
    readiness = ChangeReadiness(None, case.readiness_survey, threshold=key.GIVEN["threshold"])
    assert answers["barrier_points"] == {unit: readiness._barrier(unit) for unit in readiness.units}
    assert answers["barrier_points"] == REFERENCE["barrier_points"]
    assert {**answers["barrier_points_inpatient"], **answers["barrier_points_other"]} == answers["barrier_points"]
    settings = {name: key.GIVEN[name] for name in ("from_week", "to_week", "min_gain", "target")}
    assert answers["stalled_departments"] == _stalled_departments(case.adoption_weekly, **settings)
    assert answers["stalled_departments"] == sorted(REFERENCE["stalled_departments"])
    assert answers["override_outlier"] == REFERENCE["override_outlier"]
    assert 30 <= answers["override_gap_pp"] <= 40  # the teaching note: 91.6 % against 57.5 % for the rest
