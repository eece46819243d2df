"""The go-live command centre: the case's tables, the plan's refusals, the simulation's rules of queueing,
the exercise's durable answer, the pictures and the widget.

Every simulation is seeded, so each test sees the same tickets on every run. Runs use few replications
(a week of one replication is ~2,300 tickets) so that the file stays quick.
"""

import html
import json

import numpy as np
import pandas as pd
import pytest

from hitpm_widgets import load_case
from hitpm_widgets.command_centre import (
    AT_THE_ELBOW,
    COMMAND_CENTRE,
    DAYS,
    SAMPLE_EVERY_MINUTES,
    SHIFTS,
    TRIAGE_RULES,
    WEEK_MINUTES,
    CommandCentre,
    CommandCentreStaffing,
    StaffingPlan,
)
from hitpm_widgets.plots.command_centre import (
    describe_cost,
    describe_service_levels,
    describe_waits_by_hour,
    describe_workload,
    draw_cost,
    draw_service_levels,
    draw_waits_by_hour,
    draw_workload,
)

SEED = 11
#: A plan that meets no target on the busy days: queues long enough for the rules to show.
THIN = StaffingPlan.weekly(analysts={"day": 3, "evening": 2, "night": 1},
                           super_users={"day": 8, "evening": 5, "night": 2})
ROOMY = StaffingPlan.weekly(analysts={"day": 6, "evening": 4, "night": 2},
                            super_users={"day": 14, "evening": 8, "night": 3})


@pytest.fixture(scope="module")
def case():
    return load_case("emr-go-live")


@pytest.fixture(scope="module")
def centre(case):
    return CommandCentre.from_case(case)


@pytest.fixture(scope="module")
def thin_run(centre):
    return centre.run(THIN, "severity", replications=4, seed=SEED)


# -- the case's tables -----------------------------------------------------------------------------


def test_the_case_tables_describe_a_week_that_peaks_early(case, centre):
    arrivals = case.command_centre_arrivals
    assert len(arrivals) == 24 * DAYS and set(arrivals["shift"]) == set(SHIFTS)
    daily = arrivals.groupby("go_live_day")[list(centre.order)].sum().sum(axis=1)
    # The first day is busier than the last by far; Monday (day 3) brings a second peak.
    assert daily[1] > 2 * daily[7] and daily[3] > daily[2] and list(daily[3:]) == sorted(daily[3:], reverse=True)
    assert 1500 < daily.sum() < 4000  # a 412-bed hospital's logged tickets and questions in a week
    assert list(centre.order) == ["sev1", "sev2", "sev3", "how_to"]
    assert centre.at_the_elbow == ("how_to",)
    assert (centre.shift_hours == 8).all()


# -- the plan and its refusals ---------------------------------------------------------------------


def test_a_weekly_plan_and_its_table_are_the_same_plan():
    table = ROOMY.to_frame()
    assert len(table) == DAYS * len(SHIFTS)
    assert StaffingPlan.from_table(table) == ROOMY
    assert StaffingPlan.from_records(ROOMY.to_records()) == ROOMY
    changed = ROOMY.with_staff(day=3, shift="day", analysts=9)
    assert changed.staff(3, "day") == {"analysts": 9, "super_users": 14}
    assert changed.staff(2, "day") == {"analysts": 6, "super_users": 14} and ROOMY.staff(3, "day")["analysts"] == 6
    assert ROOMY.with_staff(shift="night", super_users=0).people_per_day("super_users") == [22] * DAYS


@pytest.mark.parametrize("make, message", [
    (lambda: StaffingPlan.weekly(analysts={"day": -1, "evening": 1, "night": 1}, super_users=0),
     "analysts on the day shift (every day) must be from 0 to"),
    (lambda: StaffingPlan.weekly(analysts={"day": 2.5, "evening": 1, "night": 1}, super_users=0),
     "must be a whole number, not 2.5"),
    (lambda: StaffingPlan.weekly(analysts={"day": True, "evening": 1, "night": 1}, super_users=0),
     "must be a whole number, not True"),
    (lambda: StaffingPlan.weekly(analysts={"day": 2, "evening": 1}, super_users=0),
     "missing for the night shift"),
    (lambda: StaffingPlan(((1, 1, 1),) * 6, ((1, 1, 1),) * 7), "must have 7 rows, one a go-live day, not 6"),
    (lambda: StaffingPlan.from_table(ROOMY.to_frame().iloc[:-1]), "lacks 1 shift(s): day 7 night"),
    (lambda: StaffingPlan.from_table(pd.concat([ROOMY.to_frame(), ROOMY.to_frame().iloc[:1]])),
     "gives day 1's day shift twice"),
    (lambda: StaffingPlan.from_table(ROOMY.to_frame().drop(columns="analysts")), "lacks the column analysts"),
    (lambda: ROOMY.with_staff(day=8, shift="day", analysts=1), "go-live day must be from 1 to 7, not 8"),
    (lambda: ROOMY.with_staff(shift="day"), "give analysts, super_users or both"),
])
def test_a_bad_plan_is_refused_with_a_clear_error(make, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_an_unknown_shift_is_refused_naming_the_shifts():
    with pytest.raises(KeyError, match="the shifts are day, evening, night"):
        ROOMY.with_staff(shift="late", analysts=2)
    with pytest.raises(KeyError, match="unknown shift 'late'"):
        StaffingPlan.weekly(analysts={"day": 1, "evening": 1, "night": 1, "late": 1}, super_users=0)


def test_the_case_cannot_roster_more_people_than_it_has(centre):
    available = centre.available["super_users"]
    crowded = ROOMY.with_staff(day=2, shift="day", super_users=available)
    with pytest.raises(ValueError, match=rf"go-live day 2 needs {available + 11} at-the-elbow super-users over "
                                         rf"its three shifts, but only {available} can be rostered"):
        centre.run(crowded, replications=1)


@pytest.mark.parametrize("keywords, message", [
    ({"triage": "loudest first"}, "unknown triage rule 'loudest first'; choose one of: 'fcfs'"),
    ({"replications": 0}, "the number of replications must be from 1 to"),
    ({"seed": -3}, "the seed must be 0 or more"),
])
def test_bad_run_settings_are_refused(centre, keywords, message):
    with pytest.raises(ValueError, match=message):
        centre.run(ROOMY, **keywords)


def test_bad_case_tables_are_refused_naming_what_is_wrong(case):
    tables = [case.command_centre_arrivals, case.command_centre_severities, case.command_centre_service,
              case.support_roles]
    with pytest.raises(ValueError, match="the arrivals table lacks the column"):
        CommandCentre(tables[0].drop(columns="sev2"), *tables[1:])
    with pytest.raises(ValueError, match="one row for each hour of the week"):
        CommandCentre(tables[0].iloc[:-1], *tables[1:])
    service = tables[2].copy()
    service.loc[0, "mean_minutes"] = 0
    with pytest.raises(ValueError, match="mean_minutes of 'sev1'/command_centre must be above 0"):
        CommandCentre(tables[0], tables[1], service, tables[3])


# -- cost ------------------------------------------------------------------------------------------


def test_the_cost_is_hours_on_shift_times_hourly_cost(centre):
    one_analyst = StaffingPlan.weekly(analysts={"day": 1, "evening": 0, "night": 0}, super_users=0)
    assert centre.cost(one_analyst) == pytest.approx(DAYS * 8 * centre.hourly_cost["analysts"])
    by_role = centre.cost_by_role(ROOMY)
    assert by_role["analysts"] == pytest.approx(12 * 8 * DAYS * centre.hourly_cost["analysts"])
    assert by_role["super_users"] == pytest.approx(25 * 8 * DAYS * centre.hourly_cost["super_users"])
    assert centre.cost(ROOMY) == pytest.approx(sum(by_role.values()))


# -- the work by hour --------------------------------------------------------------------------------


def test_the_work_by_hour_is_arrivals_times_handling_time(centre, case):
    work = centre.workload_by_hour(ROOMY)
    rates = case.command_centre_arrivals.set_index("hour_of_week")
    minutes = case.command_centre_service.set_index(["severity", "handler"])["mean_minutes"]
    hour = 50
    desk = sum(rates.loc[hour, k] * minutes[(k, COMMAND_CENTRE)] for k in ("sev1", "sev2", "sev3"))
    desk += rates.loc[hour, "how_to"] * 0.08 * minutes[("sev3", COMMAND_CENTRE)]  # escalations
    assert work.loc[hour, "command_centre_work"] == pytest.approx(desk / 60)
    assert work.loc[hour, "at_the_elbow_work"] == pytest.approx(rates.loc[hour, "how_to"] * minutes[
        ("how_to", AT_THE_ELBOW)] / 60)
    assert work.loc[hour, "command_centre_utilisation"] == pytest.approx(desk / 60 / work.loc[hour, "analysts"])
    # With no super-user on a shift, its questions are the command centre's work, by phone.
    nights = centre.workload_by_hour(ROOMY.with_staff(shift="night", super_users=0))
    night = 20  # 03:00 on day 1
    assert nights.loc[night, "at_the_elbow_work"] == 0 and np.isnan(nights.loc[night, "at_the_elbow_utilisation"])
    assert nights.loc[night, "command_centre_work"] == pytest.approx(
        sum(rates.loc[night, k] * minutes[(k, COMMAND_CENTRE)] for k in centre.order) / 60)
    nobody = centre.workload_by_hour(StaffingPlan.weekly(0, 0))
    assert np.isinf(nobody["command_centre_utilisation"]).all()


# -- the simulation --------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_week_and_another_seed_another(centre, thin_run):
    again = centre.run(THIN, "severity", replications=4, seed=SEED)
    pd.testing.assert_frame_equal(again.tickets, thin_run.tickets)
    other = centre.run(THIN, "severity", replications=4, seed=SEED + 1)
    assert not other.tickets["arrival_minute"].equals(thin_run.tickets["arrival_minute"])


def test_every_plan_and_rule_sees_the_same_tickets(centre, thin_run):
    """Common random numbers: the arrivals of a seed do not depend on the plan or the triage rule."""
    def arrivals(result):
        first = result.tickets[~result.tickets["escalated"]]
        return first.sort_values(["replication", "ticket"])[["replication", "ticket", "severity",
                                                             "arrival_minute"]].reset_index(drop=True)

    other = centre.run(ROOMY, "fcfs", replications=4, seed=SEED)
    pd.testing.assert_frame_equal(arrivals(other), arrivals(thin_run))


def test_the_simulated_volumes_match_the_table(centre):
    result = centre.run(ROOMY, replications=10, seed=SEED)
    first = result.tickets[~result.tickets["escalated"]]
    expected = centre.expected_tickets()
    for key, mean in expected.items():
        simulated = (first["severity"] == key).sum() / 10
        # Poisson: the weekly count's standard deviation is √mean; over 10 replications √(mean/10).
        assert abs(simulated - mean) <= 4 * np.sqrt(mean / 10), key
    escalated = result.tickets["escalated"]
    assert set(result.tickets.loc[escalated, "severity"]) == {"sev3"}
    assert set(result.tickets.loc[escalated, "handler"]) == {COMMAND_CENTRE}
    elbow = (result.tickets["handler"] == AT_THE_ELBOW).sum()
    assert escalated.sum() == pytest.approx(0.08 * elbow, rel=0.25)


@pytest.mark.parametrize("triage", list(TRIAGE_RULES))
def test_more_staff_never_lengthens_the_mean_wait(centre, triage):
    plans = [THIN,
             THIN.with_staff(shift="day", analysts=4),
             THIN.with_staff(shift="day", analysts=4).with_staff(shift="night", analysts=2),
             THIN.with_staff(shift="day", analysts=4).with_staff(shift="night", analysts=2, super_users=3),
             ROOMY]
    waits = [centre.run(plan, triage, replications=2, seed=SEED).mean_wait() for plan in plans]
    assert waits == sorted(waits, reverse=True), waits
    assert waits[-1] < waits[0] / 3


def test_littles_law_holds_at_the_desk_and_on_the_units(thin_run):
    """L = λW: the time-average number waiting (sampled every 15 minutes) equals the total waiting time
    divided by the week, for the tickets' own waits (no pre-emption, so a ticket waits once)."""
    tickets, queues = thin_run.tickets, thin_run.queue_lengths
    for handler in (COMMAND_CENTRE, AT_THE_ELBOW):
        waited = tickets.loc[tickets["handler"] == handler, "wait_minutes"].sum() / thin_run.replications
        little = waited / WEEK_MINUTES
        sampled = queues[handler].mean()
        assert sampled == pytest.approx(little, rel=0.1), handler
    assert queues["minute"].max() == WEEK_MINUTES - SAMPLE_EVERY_MINUTES


def test_with_no_night_staff_night_tickets_wait_for_the_morning(centre):
    plan = ROOMY.with_staff(shift="night", analysts=0, super_users=0)
    result = centre.run(plan, "severity-preemptive", replications=2, seed=SEED)
    tickets = result.tickets
    night = tickets[(tickets["hour_of_week"] % 24) >= 16]  # 23:00 to 07:00
    assert len(night) > 100
    started = night["start_minute"].dropna()
    # Nobody starts on anything at night: every start is in a day or evening shift.
    assert ((started // 60) % 24 < 16).all()
    assert night.loc[night["severity"] == "sev1", "within_target"].sum() == 0
    assert night["wait_minutes"].mean() > 3 * 60
    staffed = centre.run(ROOMY, "severity-preemptive", replications=2, seed=SEED)
    assert staffed.mean_wait() < result.mean_wait() / 5


def test_tickets_still_waiting_at_the_end_of_the_week_are_not_answered(centre):
    nobody = StaffingPlan.weekly(analysts=0, super_users=0)
    result = centre.run(nobody, replications=1, seed=SEED)
    assert not result.tickets["answered"].any() and not result.tickets["within_target"].any()
    waits = result.tickets["wait_minutes"]
    assert np.allclose(waits, WEEK_MINUTES - result.tickets["arrival_minute"])
    assert (result.service_levels()["within_target"] == 0).all()
    assert result.tickets["handler"].eq(COMMAND_CENTRE).all()  # no super-user: questions go to the phones


def test_putting_severity_first_shortens_severity_1_waits(centre):
    waits = {rule: centre.run(THIN, rule, replications=3, seed=SEED).mean_wait("sev1") for rule in TRIAGE_RULES}
    assert waits["severity-preemptive"] <= waits["severity"] < waits["fcfs"]
    levels = centre.run(THIN, "severity-preemptive", replications=3, seed=SEED).service_levels()
    assert levels.loc["sev1", "within_target"] > 0.95


def test_service_levels_are_the_share_of_tickets_within_target(thin_run, centre):
    levels = thin_run.service_levels()
    assert list(levels.index) == list(centre.order)
    tickets = thin_run.tickets
    for key, severity in centre.severities.items():
        own = tickets[tickets["severity"] == key]
        # A ticket still waiting when the week ends was not answered, however short its wait so far.
        within = (own["wait_minutes"] <= severity.target_minutes) & own["answered"]
        shares = within.groupby(own["replication"]).mean()
        assert levels.loc[key, "within_target"] == pytest.approx(shares.mean())
        assert levels.loc[key, "lowest"] == pytest.approx(shares.min())
        assert levels.loc[key, "met"] == (shares.mean() >= severity.target_share)
        assert levels.loc[key, "tickets"] == pytest.approx(len(own) / thin_run.replications)
    assert thin_run.cost == centre.cost(THIN)


def test_waits_by_hour_cover_the_week(thin_run):
    table = thin_run.waits_by_hour()
    assert table.shape == (24 * DAYS, 4)
    tickets = thin_run.tickets
    hour = tickets[(tickets["hour_of_week"] == 10) & (tickets["severity"] == "sev3")]
    assert table.loc[10, "sev3"] == pytest.approx(hour["wait_minutes"].mean())


# -- the exercise ----------------------------------------------------------------------------------


def test_the_exercise_starts_with_nobody_and_keeps_the_learners_plan(case, tmp_path):
    first = CommandCentreStaffing("golive-staffing", case, directory=tmp_path)
    assert first.cost == 0 and first.plan == StaffingPlan.weekly(0, 0)
    first.set_staff("day", analysts=5, super_users=12)
    first.set_staff("night", day=1, analysts=2)
    first.set_triage("severity-preemptive")
    first.set_replications(5)
    first.set_seed(99)
    saved = json.loads((tmp_path / ".hitpm" / "answers" / "golive-staffing.json").read_text(encoding="utf-8"))
    assert saved["kind"] == "CommandCentreStaffing"
    assert saved["model"]["plan"][2] == {"go_live_day": 1, "shift": "night", "analysts": 2, "super_users": 0}

    again = CommandCentreStaffing("golive-staffing", case, directory=tmp_path)
    assert again.plan == first.plan and again.plan.staff(4, "day") == {"analysts": 5, "super_users": 12}
    assert (again.triage, again.replications, again.seed) == ("severity-preemptive", 5, 99)


def test_the_exercise_refuses_bad_input_and_keeps_its_answer(case):
    staffing = CommandCentreStaffing(None, case, plan=ROOMY)
    with pytest.raises(ValueError, match="only 160 can be rostered"):
        staffing.set_staff("day", super_users=150)
    with pytest.raises(ValueError, match="unknown triage rule"):
        staffing.set_triage("random")
    assert staffing.plan == ROOMY and staffing.triage == "severity"
    with pytest.raises(ValueError, match="give the emr-go-live case"):
        CommandCentreStaffing(None, load_case("emr-rollout"))


def test_a_tampered_answer_is_set_aside(case, tmp_path, capsys):
    first = CommandCentreStaffing("golive-staffing", case, directory=tmp_path)
    first.set_staff("day", analysts=4)
    path = tmp_path / ".hitpm" / "answers" / "golive-staffing.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["model"]["plan"][0]["analysts"] = -4
    path.write_text(json.dumps(record), encoding="utf-8")
    again = CommandCentreStaffing("golive-staffing", case, directory=tmp_path)
    assert again.plan == StaffingPlan.weekly(0, 0) and again.saving_problem
    assert path.with_name("golive-staffing.json.bak").exists()
    assert "starts fresh" in capsys.readouterr().out


def test_the_exercise_will_not_run_a_plan_that_rosters_nobody(case):
    staffing = CommandCentreStaffing(None, case, replications=1)
    with pytest.raises(ValueError, match="nobody is rostered yet"):
        staffing.run()
    view = staffing.widget
    view.run_button.click()
    assert staffing.last_result is None and "nobody is rostered yet" in view.status.value
    assert not view.run_button.disabled


def test_a_run_is_current_until_the_answer_changes(case):
    staffing = CommandCentreStaffing(None, case, plan=ROOMY, replications=2, seed=SEED)
    assert staffing.result is None
    result = staffing.run()
    assert staffing.result is result and result.plan == ROOMY and result.replications == 2
    staffing.set_staff("evening", analysts=5)
    assert staffing.result is None and staffing.last_result is result
    frame = staffing.to_frame()
    assert frame["cost"].sum() == pytest.approx(staffing.cost)


# -- pictures --------------------------------------------------------------------------------------


def test_the_pictures_tell_severities_apart_without_colour_and_say_what_they_show(thin_run, centre):
    axes = draw_waits_by_hour(thin_run).axes[0]
    lines = [line for line in axes.get_lines() if line.get_label().startswith(("severity", '"how'))]
    assert len(lines) == 4
    assert len({line.get_linestyle() for line in lines}) == 4 and len({line.get_marker() for line in lines}) == 4
    text = describe_waits_by_hour(thin_run)
    assert f"severity 3: mean {thin_run.mean_wait('sev3'):.0f} minutes" in text and "night shifts shaded" in text

    levels = thin_run.service_levels()
    axes = draw_service_levels(thin_run).axes[0]
    verdicts = [t.get_text() for t in axes.texts]
    assert sum("MISSED" in v for v in verdicts) == int((~levels["met"]).sum()) > 0
    # A missed target is hatched, a met one is not: told without colour.
    hatched = [bool(bar.get_hatch()) for bar in axes.patches]
    assert sorted(hatched) == sorted(~levels["met"])
    assert f"severity 1: {levels.loc['sev1', 'within_target']:.0%} within 15 minutes" in describe_service_levels(
        thin_run)

    panels = draw_workload(centre, THIN).axes
    assert len(panels) == 2
    work = centre.workload_by_hour(THIN)
    over = int(((work["command_centre_work"] >= work["analysts"]) & (work["command_centre_work"] > 0)).sum())
    assert over > 0 and f"in {over} of 168 hours the expected work reaches the staff" in describe_workload(
        centre, THIN)
    marked = [line for line in panels[0].get_lines() if line.get_marker() == "X"]
    assert len(marked) == 1 and len(marked[0].get_xdata()) == over

    axes = draw_cost(centre, THIN).axes[0]
    assert f"${centre.cost(THIN):,.0f}" in axes.get_title() and f"${centre.cost(THIN):,.0f}" in describe_cost(
        centre, THIN)
    assert len({bar.get_hatch() for bar in axes.patches}) == 2


# -- the widget ------------------------------------------------------------------------------------


def test_the_widget_writes_the_model(case):
    staffing = CommandCentreStaffing(None, case, replications=2, seed=SEED)
    view = staffing.widget
    assert "Press Run the week" in view.results.value
    view.boxes[("analysts", "day")].value = 5  # what typing a number and pressing Enter does
    assert staffing.plan.people_per_day("analysts") == [5] * DAYS
    view.day.value = 3
    view.boxes[("super_users", "evening")].value = 9
    assert staffing.plan.staff(3, "evening")["super_users"] == 9 and staffing.plan.staff(2, "evening")[
        "super_users"] == 0
    view.day.value = 0
    assert "The days differ for super-users on the evening shift" in view.day_note.value
    view.triage.value = "fcfs"
    view.replications.value = 3
    assert (staffing.triage, staffing.replications) == ("fcfs", 3)
    assert f"Cost of the plan: ${staffing.cost:,.0f}" in view.cost.value
    assert "expected work reaches the staff on shift" in view.workload.value
    view.run_button.click()
    assert staffing.result is not None and staffing.result.triage == "fcfs"
    assert "service levels met" in view.results.value and view.waits.value.startswith("<img")
    view.boxes[("analysts", "night")].value = 1
    assert staffing.result is None and "changed since the last run" in view.results.value


def test_the_widget_shows_a_refusal_and_follows_code(case):
    staffing = CommandCentreStaffing(None, case, plan=ROOMY, replications=1)
    view = staffing.widget
    view.boxes[("super_users", "day")].value = 150  # more than the 160 trained can cover in three shifts
    assert staffing.plan == ROOMY
    assert "only 160 can be rostered" in html.unescape(view.status.value)
    staffing.set_staff("night", analysts=3)
    assert view.boxes[("analysts", "night")].value == 3
    staffing.run()
    assert "service levels met" in view.results.value
    assert "application/vnd.jupyter.widget-view+json" in staffing._repr_mimebundle_()
