"""Lesson 18's practice tables in the go-live case: they load validated and tell the story the lessons tell
(so a change to the data that would make a lesson's text wrong fails here, not in a learner's hands)."""

import pytest

from hitpm_widgets import load_case


@pytest.fixture(scope="module")
def case():
    return load_case("emr-go-live")


def test_every_system_meets_its_rpo_for_a_failed_disk_and_most_miss_it_against_ransomware(case):
    systems = case.tabletop_systems.set_index("system_id")
    target = systems["tolerable_data_loss_minutes"]
    everyday = systems["snapshot_interval_minutes"].where(systems["replication"] == "none", 0)
    assert (everyday <= target).all()
    # Against ransomware only the offline or immutable copy counts: the replicated blood bank misses too.
    ransomware = systems["offline_copy_interval_hours"] * 60
    assert set(systems.index[ransomware <= target]) == {"TT-06", "TT-07"}
    assert systems.loc["TT-01", "replication"] == "continuous to second site"


def test_nurse_call_misses_its_rto_even_alone_and_dictation_was_never_test_restored(case):
    systems = case.tabletop_systems.set_index("system_id")
    restore, rto = systems["restore_test_hours"], systems["tolerable_downtime_hours"]
    assert list(systems.index[restore.isna()]) == ["TT-06"]
    assert list(systems.index[restore > rto]) == ["TT-05"]
    # A one-hour RTO and a day of tolerable data loss: RTO and RPO are separate questions.
    assert rto["TT-05"] == rto.min() and systems.loc["TT-05", "tolerable_data_loss_minutes"] >= 24 * 60


@pytest.mark.parametrize("clean_core_hours", [36, 12])
def test_after_a_hospital_wide_attack_no_tier_1_or_2_system_meets_its_rto(case, clean_core_hours):
    systems = case.tabletop_systems.set_index("system_id")
    rto = systems["tolerable_downtime_hours"]
    order = systems.assign(tier=rto.map(lambda h: 1 if h <= 4 else 2 if h <= 24 else 3)).sort_values(
        ["tier", "tolerable_downtime_hours"]).index
    hours = systems["restore_test_hours"].fillna(systems["restore_test_hours"].max()).loc[order]
    back = clean_core_hours + hours.cumsum()
    tiers_1_and_2 = rto.index[rto <= 24]
    assert (back[tiers_1_and_2] > rto[tiers_1_and_2]).all()
    if clean_core_hours == 36:
        assert set(back.index[back <= rto.loc[order]]) == {"TT-06", "TT-07"}
        staff_hours = systems["paper_records_per_hour"] * back * systems["back_entry_minutes"] / 60
        assert staff_hours.idxmax() == "TT-03"  # the anaesthesia record: long forms
        assert (systems["paper_records_per_hour"] * back).idxmax() == "TT-08"  # not the most records


def test_the_three_contingency_practices_never_done_are_the_drill_back_entry_and_the_copy_test(case):
    checklist = case.contingency_selfcheck.set_index("practice_id")
    assert set(checklist.index[checklist["status"] == "not implemented"]) == {"CP-06", "CP-07", "CP-09"}
    assert set(checklist["domain"]) == {"Safe health IT", "Using health IT safely", "Monitoring safety"}


def test_the_asset_list_has_one_line_per_asset_and_the_evidence_the_ratings_cite(case):
    assets = case.security_assets_practice.set_index("asset_id")
    assert list(assets.index) == [f"PA-{n:02}" for n in range(1, 9)]
    assert not assets.loc["PA-01", "mfa"] and assets.loc["PA-01", "internet_facing"]
    assert not assets.loc["PA-02", "vendor_supported"]
    assert "31 of the 48" in assets.loc["PA-04", "vulnerability"]
    assert set(assets["threat_source"]) <= {"adversarial", "accidental", "structural", "environmental"}


def override_rates(firings):
    alerts = firings.groupby("alert_id").agg(severity=("severity", "first"), fired=("firing_id", "size"),
                                             overridden=("outcome", lambda o: (o == "overridden").sum()))
    return alerts.assign(rate=alerts["overridden"] / alerts["fired"])


def test_the_override_extract_sorts_cleanly_under_the_committees_rule(case):
    firings = case.alert_overrides_practice
    assert firings["firing_id"].is_unique and firings["week"].between(1, 8).all()
    # One severity and one name per alert; a reason exactly when the alert was overridden.
    assert (firings.groupby("alert_id")[["severity", "alert"]].nunique() == 1).all().all()
    assert (firings["override_reason"].notna() == (firings["outcome"] == "overridden")).all()
    alerts = override_rates(firings)
    overall = alerts["overridden"].sum() / alerts["fired"].sum()
    assert 0.49 <= overall <= 0.96  # inside the range van der Sijs et al. reported
    # Clear of the rule's thresholds, so that no rounding moves an alert across one.
    judged = alerts[alerts["fired"] >= 20]
    assert ((judged["rate"] - 0.5).abs() > 0.05).all() and ((judged["rate"] - 0.9).abs() > 0.01).all()
    assert set(alerts.index[alerts["fired"] < 20]) == {"SW-12"}
    high = judged[judged["rate"] >= 0.9]
    assert set(high.index[high["severity"] == "low"]) == {"SW-01", "SW-09", "SW-10"}
    assert set(high.index[high["severity"] == "moderate"]) == {"SW-04", "SW-05"}
    assert set(high["severity"]) == {"low", "moderate"}  # no high-severity alert up there to tempt retiring
    assert set(judged.index[(judged["rate"] >= 0.5) & (judged["rate"] < 0.9)]) == {"SW-02", "SW-08"}


def test_the_leading_override_reasons_are_the_ones_the_lesson_reads(case):
    overridden = case.alert_overrides_practice.query("outcome == 'overridden'")
    leading = overridden.groupby("alert_id")["override_reason"].agg(lambda r: r.value_counts().index[0])
    assert leading["SW-01"] == "Orders are alternatives (PRN)"
    assert leading["SW-04"] == "Tolerated before"
    assert leading["SW-02"] == "Will monitor"
    share = overridden[overridden["alert_id"] == "SW-01"]["override_reason"].value_counts(normalize=True)
    assert share.iloc[0] > 0.6
