"""ps04: a class in which every learner works their own variant of the case (stock nbgrader autograde)."""

import pytest

from hitpm_widgets import EarnedValueSeries, KanbanBoard, QuestionSheet, ScheduleRisk, load_case
from hitpm_widgets.agile import velocity
from hitpm_widgets.variants import make_variant, read_recorded

from .course import shown_in_cell, variant_classroom
from .specs.ps04 import ASSIGNMENT, CASE, EVM, KANBAN, QUESTIONS, SCHEDULE, SPEC

POINTS = SPEC.points
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


# -- a class: every learner works their own variant of the case ------------------------------------------

SLUG = "emr-rollout"
# Each graded figure with the tolerance its test cell grants, by cell (the date and the method are no figures).
CELL_FIGURES = {
    "ps04-test-pert": {"te_days": 0.1, "sd_days": 0.05},
    "ps04-test-chance": {"chance_golive_pct": 3},
    "ps04-test-evm-figures": {"cv": 1_000, "sv": 1_000, "cpi": 0.005, "spi": 0.005, "tcpi_bac": 0.005},
    "ps04-test-evm-forecast": {"eac": 10_000},
    "ps04-test-velocity": {"velocity_last": 0.05, "velocity_average": 0.05},
    "ps04-test-kanban-flow": {"cycle_time_days": 0.1, "throughput_per_day": 0.03, "average_wip": 0.1},
}


def the_figures(case) -> dict:
    """A variant's right figures, computed with the kit's models (the EAC of the solution's method, BAC / CPI)."""
    schedule = ScheduleRisk(None, case.golive_tasks, deadline_days=SCHEDULE["deadline_days"])
    path = schedule.critical_path()
    status = EarnedValueSeries(case.evm_monthly, bac=EVM["bac"]).at(EVM["status_date"])
    velocities = velocity(case.sprint_stories, case.sprints)["velocity"]
    law = KanbanBoard.from_events(case.kanban_events, KANBAN["columns"], KANBAN["wip_limits"]).littles_law()
    holds = abs(law["throughput_per_day"] * law["average_cycle_days"] - law["average_wip"]) <= 0.1 * law["average_wip"]
    return {"te_days": path.expected_duration, "sd_days": path.sd,
            "chance_golive_pct": 100 * schedule.probability_of_meeting_deadline(),
            "cv": status.cv, "sv": status.sv, "cpi": status.cpi, "spi": status.spi, "tcpi_bac": status.tcpi_bac,
            "eac": status.eac["cpi"], "velocity_last": velocities.iloc[-1],
            "velocity_average": velocities.iloc[-3:].mean(), "cycle_time_days": law["average_cycle_days"],
            "throughput_per_day": law["finished"] / law["window_days"], "average_wip": law["average_wip"],
            "littles_law_holds": "yes" if holds else "no"}


def saved_sheet(folder):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        return QuestionSheet("ps04-answers", QUESTIONS, directory=folder)


def expected_scores(answers_folder, case) -> dict:
    """The points of a submission carrying the answers saved in `answers_folder`, graded against `case`:
    a cell is lost when one of its figures is off by more than the cell's tolerance, and only then."""
    sheet, right = saved_sheet(answers_folder), the_figures(case)
    scores = dict(POINTS)
    for cell, tolerances in CELL_FIGURES.items():
        if any(abs(sheet[key] - right[key]) > tolerance for key, tolerance in tolerances.items()):
            scores[cell] = 0
    if sheet["littles_law_holds"] != right["littles_law_holds"]:
        scores["ps04-test-littles-law"] = 0
    return scores


def variant_case_of(folder):
    return load_case(SLUG, variant=read_recorded(folder))


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """alice, bob, carol (bob's folder) and dave (bob's answers, his own variant)."""
    return variant_classroom(tmp_path_factory.mktemp("classroom"), ASSIGNMENT, SLUG, "dave")


def test_two_learners_running_the_source_get_their_own_figures_and_full_marks(classroom):
    course, work, _ = classroom
    alice, bob = (the_figures(variant_case_of(work[learner])) for learner in ("alice", "bob"))
    published = the_figures(CASE)
    for key in ("te_days", "chance_golive_pct", "cpi", "cv", "velocity_average", "cycle_time_days"):
        assert alice[key] != bob[key] and (alice[key], bob[key]) != (published[key], published[key]), key
    for learner in ("alice", "bob"):
        assert read_recorded(course.root / "submitted" / learner / ASSIGNMENT).learner == learner
        assert course.scores(ASSIGNMENT, learner) == POINTS


def test_handing_in_a_classmates_answers_loses_the_points_whose_figures_differ(classroom):
    course, work, _ = classroom
    for learner in ("carol", "dave"):
        own = load_case(SLUG, variant=make_variant(ASSIGNMENT, SLUG, learner))
        expected = expected_scores(work["bob"], own)
        lost = {cell for cell, points in expected.items() if points == 0}
        assert len(lost) >= 4, lost  # the variants differ enough for the test to mean something
        assert course.scores(ASSIGNMENT, learner) == expected
        assert expected["ps04-test-evm-date"] == POINTS["ps04-test-evm-date"]  # a judgement, not a figure


def test_regrading_gives_the_same_scores(classroom):
    course, _, first = classroom
    assert {learner: course.scores(ASSIGNMENT, learner) for learner in first} == first


def test_the_graded_notebook_shows_whose_numbers_and_never_their_key_figures(classroom):
    # The graded notebook is what the learner's feedback is made from: the key figures are in the report only.
    course, work, _ = classroom
    shown = shown_in_cell(course.root / "autograded" / "alice" / ASSIGNMENT / NOTEBOOK, "ps04-variant")
    te = the_figures(variant_case_of(work["alice"]))["te_days"]
    assert "The numbers of alice for ps04-emr-schedule-and-value" in shown
    assert f"{round(te, 2)}" not in shown and "tE" not in shown
    assert "The numbers of carol" in shown_in_cell(course.root / "autograded" / "carol" / ASSIGNMENT / NOTEBOOK,
                                                   "ps04-variant")
