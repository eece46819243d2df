"""The EMR case's status data (problem set 4): it loads, it tells the narrative's story, and the figures of
the teaching note follow from it.

The story's figures (what the teaching note and the model report say) are recomputed here from the data with
the kit's own functions, so a change to the data that moves one fails until the teaching note changes with
it. The graded answers are the answer key's (workbooks/ps04-emr-schedule-and-value/answer_key.py), computed
with pandas; here they are checked against the kit's tools and the teaching note's table.
"""

import math
import re

import numpy as np
import pandas as pd
import pytest

from hitpm_widgets import load_case
from hitpm_widgets.agile import KanbanBoard, burndown, velocity
from hitpm_widgets.earned_value import EarnedValueSeries, from_tasks
from hitpm_widgets.grading.answer_key import load
from hitpm_widgets.schedule import ScheduleRisk, critical_path

from ..conftest import REPO

KEY = load(REPO / "workbooks" / "ps04-emr-schedule-and-value")
# The story of the teaching note and the model report: figures the tools give and a learner reads (no graded
# answer among them: those are the key's).
SCHEDULE = {"deadline_days": KEY.GIVEN["deadline_days"], "iterations": 10_000, "critical_path": ["G06", "G07", "G10"],
            "te_days": 48.33, "sd_summed_days": 4.33, "chance_golive_pct": 68.1, "p80_days": 51.4,
            "training_criticality_pct": 98}
EVM = {"bac": KEY.GIVEN["bac"], "status_date": KEY.STATUS_MONTH, "planned_finish": KEY.GIVEN["planned_finish"],
       "contingency_left": KEY.CONTINGENCY_LEFT, "pv": 10_345_000.0, "ev": 9_603_000.0, "ac": 10_645_000.0,
       "cv": -1_042_000.0, "sv": -742_000.0, "cpi": 0.902, "spi": 0.928, "tcpi_bac": 1.277,
       "eac": {"cpi": 15_962_512, "atypical": 15_442_000, "cpi_spi": 16_373_383},
       "accepted_eac_methods": KEY.ACCEPTED["eac_method"]}
VELOCITY = {"by_sprint": {"1": 21.0, "2": 25.0, "3": 28.0, "4": 26.0, "5": 29.0, "6": 24.0}, "last": 24.0,
            "last_committed": 31.0, "last_added": 5.0, "last_remaining": 12.0, "average_all": 25.5,
            "go_live_backlog_points": KEY.GO_LIVE_BACKLOG_POINTS}
KANBAN = {"columns": KEY.GIVEN["columns"], "wip_limits": KEY.GIVEN["wip_limits"], "cards": 45, "finished": 35,
          "open": 10, "window_days": 32.37, "cycle_time_days": 4.82, "throughput_per_day": 1.081,
          "average_wip": 5.44, "predicted_wip": 5.21, "relative_gap_pct": -4.1}
NOTE = REPO / "cases" / "emr-rollout" / "teaching-note.md"
TODAY, CUTOVER = pd.Timestamp("2025-04-07"), pd.Timestamp("2025-06-14")
NEW_TABLES = {"golive_tasks", "status_tasks", "evm_monthly", "sprints", "sprint_stories", "kanban_events"}


@pytest.fixture(scope="module")
def case():
    return load_case("emr-rollout")


@pytest.fixture(scope="module")
def board(case):
    return KanbanBoard.from_events(case.kanban_events, KANBAN["columns"], KANBAN["wip_limits"])


def note_reference_rows() -> dict[str, str]:
    """The table under the teaching note's 'Reference answers' heading: key → its 'reference' cell."""
    text = NOTE.read_text(encoding="utf-8")
    section = text.split("### Reference answers", 1)[1].split("\n#", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| `(\w+)` \|", line)
        if match:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            rows[match.group(1)] = cells[2]
    return rows


# -- the tables load and fit the story ------------------------------------------------------------


def test_the_new_tables_load_beside_the_old_ones(case):
    assert {"stakeholders", "milestones"} | NEW_TABLES <= set(case.tables)
    assert len(case.golive_tasks) == 10 and len(case.status_tasks) == 11 and len(case.evm_monthly) == 8
    assert len(case.sprints) == 6 and len(case.sprint_stories) == 39
    for table in NEW_TABLES:
        assert case.descriptions[table], f"{table} has no description in the manifest"
    assert pd.api.types.is_datetime64_any_dtype(case.evm_monthly["month"])
    assert pd.api.types.is_datetime64_any_dtype(case.sprint_stories["done_on"])
    # Stories not done yet have no done_on, and only sprint 6 has any.
    undone = case.sprint_stories[case.sprint_stories["done_on"].isna()]
    assert set(undone["sprint"]) == {6}


def test_the_deadline_is_the_weekdays_from_today_to_the_cutover_and_the_go_no_go_fits(case):
    assert np.busday_count(TODAY.date(), CUTOVER.date()) == SCHEDULE["deadline_days"]
    path = critical_path(case.golive_tasks)
    # The readiness review on Friday 23 May ends working day 35; its latest finish must allow it.
    go_no_go = np.busday_count(TODAY.date(), pd.Timestamp("2025-05-24").date())
    assert go_no_go == 35
    assert path.frame.loc["G08", "latest_finish"] >= go_no_go
    assert path.frame.loc["G08", "slack"] > 0


def test_the_work_packages_add_up_to_the_march_figures_and_the_budget_to_38_million(case):
    bac = int(case.status_tasks["budget"].sum())
    assert bac == EVM["bac"] == 14_400_000
    # Baseline + licences and hardware + first year's running costs + contingency, as the narrative says.
    assert bac + 13_000_000 + 7_100_000 + 3_500_000 == 38_000_000
    for amount in ("$14.4 million", "$13.0 million", "$7.1 million", "$1.9 million"):
        assert amount in case.narrative
    tasks = from_tasks(case.status_tasks)
    march = EarnedValueSeries(case.evm_monthly, bac).at("2025-03")
    figures = (EVM["pv"], EVM["ev"], EVM["ac"])
    assert (tasks.pv, tasks.ev, tasks.ac) == (march.pv, march.ev, march.ac) == figures
    # The March status is the latest month: a report made on 7 April has nothing later.
    assert case.evm_monthly["month"].max() == pd.Timestamp(EVM["status_date"])


def test_cpi_is_steady_and_spi_slides_month_by_month(case):
    """The evidence for the EAC methods the workbook accepts: no one-off, and a schedule falling behind."""
    monthly = EarnedValueSeries(case.evm_monthly, EVM["bac"]).to_frame()
    assert monthly["cpi"].between(0.895, 0.915).all()
    assert monthly["spi"].is_monotonic_decreasing and monthly["spi"].iloc[0] > 0.98
    packages = from_tasks(case.status_tasks)
    assert packages.cpi < 1
    # Nearly every package with cost booked is over budget: the overrun is spread, not one event.
    by_package = case.status_tasks[case.status_tasks["actual_cost"] > 0]
    earned = by_package["budget"] * by_package["percent_complete"] / 100
    assert (earned < by_package["actual_cost"]).all()


def test_sprints_are_back_to_back_two_week_sprints_and_items_are_done_inside_their_sprint(case):
    sprints = case.sprints.sort_values("start")
    assert (sprints["start"].dt.day_of_week == 0).all() and (sprints["end"].dt.day_of_week == 6).all()
    assert ((sprints["end"] - sprints["start"]).dt.days == 13).all()
    day_after = sprints["end"].iloc[:-1] + pd.Timedelta(days=1)
    assert (sprints["start"].iloc[1:].to_numpy() == day_after.to_numpy()).all()
    assert sprints["end"].iloc[-1] + pd.Timedelta(days=1) == TODAY  # sprint 7 starts today
    stories = case.sprint_stories.merge(case.sprints, on="sprint")
    done = stories.dropna(subset=["done_on"])
    assert ((done["done_on"] >= done["start"]) & (done["done_on"] <= done["end"])).all()
    assert ((stories["added_on"] >= stories["start"]) & (stories["added_on"] <= stories["end"])).all()
    assert (done["done_on"].dt.day_of_week < 5).all()


def test_the_board_replays_within_its_wip_limits_and_shows_the_open_defects(case, board):
    assert len(board.cards) == KANBAN["cards"] == case.kanban_events["card_id"].nunique()
    open_cards = [card for card in board.cards if board.column_of(card) != "done"]
    assert len(open_cards) == KANBAN["open"] == 10
    assert len(open_cards) >= 9  # the nine high-severity defects are among them
    history = board.history()
    assert history["at"].min() >= pd.Timestamp("2025-03-03")
    assert history["at"].max() < pd.Timestamp("2025-04-05")
    assert ((history["from_column"] == "testing") & (history["to_column"] == "in progress")).any()


# -- the reference answers follow from the data ----------------------------------------------------


def test_the_pert_figures_and_the_seeded_chance(case):
    schedule = ScheduleRisk(None, case.golive_tasks, deadline_days=SCHEDULE["deadline_days"],
                            iterations=SCHEDULE["iterations"])
    path = schedule.critical_path()
    answers = KEY.answers(case)
    assert list(path.path) == SCHEDULE["critical_path"] == KEY.critical_path(case.golive_tasks)[0]
    assert round(path.expected_duration, 2) == SCHEDULE["te_days"]
    sigmas = [schedule.network.task(task).pert_sd for task in path.path]
    assert answers["sd_days"] == pytest.approx(math.sqrt(sum(s * s for s in sigmas)))
    assert round(sum(sigmas), 2) == SCHEDULE["sd_summed_days"]
    # Training holds most of the path's variance: the task to act on.
    assert answers["schedule_lever"] == "G06" == max(path.path, key=lambda t: schedule.network.task(t).pert_sd)
    assert round(100 * schedule.probability_of_meeting_deadline(), 1) == SCHEDULE["chance_golive_pct"]
    assert round(schedule.result.p80, 1) == SCHEDULE["p80_days"]
    assert round(100 * schedule.result.criticality_index["G06"]) == SCHEDULE["training_criticality_pct"]
    normal = 0.5 * (1 + math.erf((50 - path.expected_duration) / answers["sd_days"] / math.sqrt(2)))
    assert 100 * normal == pytest.approx(answers["normal_chance_pct"])
    # The normal curve on the critical path alone is more hopeful than the simulation (merge bias and skew), by
    # more than the tolerance: the simulation's figure read off the widget is not accepted for the learner's.
    assert answers["normal_chance_pct"] - SCHEDULE["chance_golive_pct"] > KEY.TOLERANCES["normal_chance_pct"]
    # The partly wrong learner's σ is wrong by more than the workbook's tolerance (0.05 days).
    assert abs(SCHEDULE["sd_summed_days"] - answers["sd_days"]) > KEY.TOLERANCES["sd_days"]


def test_the_earned_value_figures_and_the_three_forecasts(case):
    march = EarnedValueSeries(case.evm_monthly, EVM["bac"]).at(EVM["status_date"])
    assert (march.cv, march.sv) == (EVM["cv"], EVM["sv"])
    assert (round(march.cpi, 3), round(march.spi, 3), round(march.tcpi_bac, 3)) == (
        EVM["cpi"], EVM["spi"], EVM["tcpi_bac"])
    assert {method: round(value) for method, value in march.eac.items()} == EVM["eac"]
    # The forecasts the workbook accepts take most or all of the contingency left; the one it refuses
    # is the smallest, which is why it tempts.
    overruns = {method: value - EVM["bac"] for method, value in march.eac.items()}
    assert all(overruns[method] > 0.8 * EVM["contingency_left"] for method in EVM["accepted_eac_methods"])
    assert min(overruns, key=overruns.get) == "atypical" and "atypical" not in EVM["accepted_eac_methods"]


def test_velocity_and_the_last_sprints_burndown(case):
    velocities = velocity(case.sprint_stories, case.sprints)["velocity"]
    assert velocities.to_dict() == VELOCITY["by_sprint"]
    assert velocities.iloc[-1] == VELOCITY["last"]
    average = KEY.answers(case)["velocity_average"]
    assert velocities.iloc[-3:].mean() == pytest.approx(average)
    assert round(velocities.mean(), 2) == VELOCITY["average_all"]
    assert abs(VELOCITY["average_all"] - average) > KEY.TOLERANCES["velocity_average"]
    last = case.sprints.iloc[-1]
    stories = case.sprint_stories[case.sprint_stories["sprint"] == last["sprint"]]
    frame = burndown(stories, last["start"], last["end"])
    assert frame["scope"].iloc[0] == VELOCITY["last_committed"]
    assert frame["added"].sum() == VELOCITY["last_added"]
    assert frame["remaining"].iloc[-1] == VELOCITY["last_remaining"]
    assert frame["done"].iloc[-1] == VELOCITY["last"]
    # Three sprints of the team's own velocity finish the go-live backlog before the go/no-go on 23 May.
    assert math.ceil(VELOCITY["go_live_backlog_points"] / average) == 3
    assert "75 points" in case.narrative


def test_the_flow_figures_and_littles_law(case, board):
    law = board.littles_law()
    answers = KEY.answers(case)
    assert law["finished"] == KANBAN["finished"]
    assert round(law["window_days"], 2) == KANBAN["window_days"]
    assert round(law["average_cycle_days"], 2) == KANBAN["cycle_time_days"]
    assert round(law["throughput_per_day"], 3) == KANBAN["throughput_per_day"]
    assert round(law["average_wip"], 2) == KANBAN["average_wip"]
    assert round(law["predicted_wip"], 2) == KANBAN["predicted_wip"]
    assert round(100 * law["relative_gap"], 1) == KANBAN["relative_gap_pct"]
    assert (abs(law["relative_gap"]) <= 0.10) == (answers["littles_law_holds"] == "yes")
    # Cards arrive faster than they are finished: the open list grows.
    arrivals = len(board.cards) / law["window_days"]
    assert arrivals == pytest.approx(answers["arrivals_per_day"]) and arrivals > law["throughput_per_day"]
    # Finishes counted as arrivals are outside the tolerance.
    assert abs(law["throughput_per_day"] - arrivals) > KEY.TOLERANCES["arrivals_per_day"]
    # Testing is a part of the cycle time, and not most of it: the cards wait in progress longer.
    assert 0 < answers["testing_days"] < law["average_cycle_days"] / 2
    # The readings the teaching note accepts besides the reference fall inside the workbook's tolerances.
    whole_days = law["finished"] / len(board.cumulative_flow())
    assert abs(whole_days - KANBAN["throughput_per_day"]) <= 0.03
    flow = board.cumulative_flow()
    assert abs((flow["in progress"] + flow["testing"]).mean() - KANBAN["average_wip"]) <= 0.1
    # The median is not the mean: a learner who takes it is outside the tolerance.
    assert abs(board.cycle_time()["cycle_days"].median() - KANBAN["cycle_time_days"]) > 0.1


def test_the_teaching_notes_reference_table_is_the_answer_keys(case):
    rows = note_reference_rows()
    answers = KEY.answers(case)
    assert set(rows) == set(answers)
    for key, value in answers.items():
        if isinstance(value, str):
            assert rows[key] == value, key
        else:
            assert float(rows[key].replace(",", "")) == pytest.approx(value, abs=KEY.TOLERANCES[key] / 2), key


# -- the checks the workbook's earned value cells call, on this data ----------------------------------


def a_report_and_sheet(case):
    from hitpm_widgets import EarnedValueStatus, QuestionSheet

    report = EarnedValueStatus(None, case.evm_monthly, bac=EVM["bac"], planned_finish=EVM["planned_finish"])
    keys = ("cv", "sv", "cpi", "spi", "eac", "tcpi_bac")
    return report, QuestionSheet(None, [{"key": key, "prompt": key} for key in keys])


def test_the_status_checks_ask_for_what_is_missing_and_name_the_learners_month_not_the_reference(case):
    from hitpm_widgets import checks

    report, _ = a_report_and_sheet(case)
    with pytest.raises(AssertionError, match="Choose the status date"):
        checks.check_status_chosen(report)
    report.set_status_date("2025-02")
    checks.check_status_chosen(report)
    with pytest.raises(AssertionError, match="February 2025, is not the one") as refused:
        checks.check_status_date(report, EVM["status_date"], hint="Which month is closed?")
    assert "March" not in str(refused.value)
    report.set_status_date(EVM["status_date"])
    checks.check_status_date(report, EVM["status_date"], hint="unused")
    with pytest.raises(AssertionError, match="choose the EAC method .* say in one line"):
        checks.check_eac_chosen(report)
    report.choose_eac("atypical", "a one-off")
    with pytest.raises(AssertionError, match="does not fit the evidence. Look at CPI") as refused:
        checks.check_eac_method(report, EVM["accepted_eac_methods"], hint="Look at CPI.")
    assert not any(method in str(refused.value) for method in ("cpi_spi", "BAC / CPI"))
    for method in EVM["accepted_eac_methods"]:
        report.choose_eac(method)
        checks.check_eac_method(report, EVM["accepted_eac_methods"], hint="unused")


def test_figures_are_checked_against_the_learners_own_report_without_giving_them_away(case):
    from hitpm_widgets import checks

    report, sheet = a_report_and_sheet(case)
    tolerances = {"cv": 1_000, "sv": 1_000, "cpi": 0.005, "spi": 0.005, "tcpi_bac": 0.005}
    report.set_status_date(EVM["status_date"])
    sheet.answer("cv", -EVM["cv"])  # the sign flipped: AC − EV
    sheet.answer("sv", EVM["sv"])
    sheet.answer("cpi", round(EVM["cpi"], 2))
    sheet.answer("spi", round(EVM["spi"], 2))
    sheet.answer("tcpi_bac", round(EVM["tcpi_bac"], 2))
    with pytest.raises(AssertionError, match=r"Your answer to cv does not match .* CV = EV − AC") as refused:
        checks.check_figures_match_report(sheet, report, tolerances)
    message = str(refused.value)
    assert f"{abs(EVM['cv']):,.0f}" not in message and f"{abs(EVM['cv']):.0f}" not in message
    sheet.answer("cv", "-1,042,000")
    checks.check_figures_match_report(sheet, report, tolerances)
    # A learner who reports at February is checked against February's figures: the date is marked once.
    february = EarnedValueSeries(case.evm_monthly, EVM["bac"]).at("2025-02")
    report.set_status_date("2025-02")
    with pytest.raises(AssertionError, match="February 2025"):
        checks.check_figures_match_report(sheet, report, tolerances)
    for key in ("cv", "sv", "cpi", "spi", "tcpi_bac"):
        sheet.answer(key, getattr(february, key))
    checks.check_figures_match_report(sheet, report, tolerances)
    # The EAC is the chosen method's own figure, within its tolerance; no method chosen, no EAC to check.
    sheet.answer("eac", EVM["eac"]["cpi_spi"])
    report.set_status_date(EVM["status_date"])
    with pytest.raises(AssertionError, match="choose the EAC method"):
        checks.check_figures_match_report(sheet, report, {"eac": 10_000})
    report.choose_eac("cpi_spi", "schedule pressure costs money")
    checks.check_figures_match_report(sheet, report, {"eac": 10_000})
    report.choose_eac("cpi")
    with pytest.raises(AssertionError, match="the EAC of the method you chose"):
        checks.check_figures_match_report(sheet, report, {"eac": 10_000})
    with pytest.raises(KeyError, match="no report figure named bac"):
        checks.check_figures_match_report(sheet, report, {"bac": 1})
