"""ps04-emr-schedule-and-value: PERT's σ and normal curve, earned value of the training work, velocity and flow."""

import re
from statistics import NormalDist

import pytest

from hitpm_widgets import EarnedValueStatus, QuestionSheet, ScheduleRisk, load_case

from .spec import Workbook, answer_key, cell_sources, sheet_questions, write_cells

ASSIGNMENT = "ps04-emr-schedule-and-value"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
KEY = answer_key(ASSIGNMENT)
CASE = load_case(KEY.CASE)
GIVEN = KEY.GIVEN
# The questions each figure or choice cell grades (the status date and the EAC method are the widget's).
CELL_QUESTIONS = {
    "ps04-test-path-sd": ["sd_days"],
    "ps04-test-normal-chance": ["normal_chance_pct"],
    "ps04-test-schedule-lever": ["schedule_lever"],
    "ps04-test-evm-training": ["training_cv", "training_tcpi"],
    "ps04-test-training-eac": ["training_eac"],
    "ps04-test-velocity": ["velocity_average"],
    "ps04-test-kanban-flow": ["arrivals_per_day", "testing_days"],
    "ps04-test-littles-law": ["littles_law_holds"],
}


def questions(notebook_path):
    """The answer sheet as the notebook's read-only cell makes it."""
    return sheet_questions(notebook_path, "ps04-widget-answers", {"case": CASE})


def the_models(folder, notebook_path):
    """The three exercises as the workbook makes them, answering into `folder`."""
    schedule = ScheduleRisk("ps04-schedule", CASE.golive_tasks, deadline_days=GIVEN["deadline_days"],
                            directory=folder)
    report = EarnedValueStatus("ps04-evm", CASE.evm_monthly, bac=GIVEN["bac"],
                               planned_finish=GIVEN["planned_finish"], directory=folder)
    exercise_id, asked = questions(notebook_path)
    return schedule, report, QuestionSheet(exercise_id, asked, directory=folder)


def partly_wrong_answers(right: dict) -> dict:
    """The designed mistakes, each a real one (see `answer`)."""
    tasks = CASE.golive_tasks.set_index("task_id")
    path = list(ScheduleRisk(None, CASE.golive_tasks, deadline_days=GIVEN["deadline_days"]).critical_path().path)
    summed = float(((tasks["pessimistic"] - tasks["optimistic"]) / 6)[path].sum())
    te = float(((tasks["optimistic"] + 4 * tasks["most_likely"] + tasks["pessimistic"]) / 6)[path].sum())
    chance = 100 * NormalDist().cdf((GIVEN["deadline_days"] - te) / summed)
    return {**right, "sd_days": summed, "normal_chance_pct": chance,
            "velocity_average": float(KEY._velocities(CASE).mean())}  # all six sprints, not the last three


def answer(folder, partly_wrong):
    """What a learner does in the widgets and the form: only the models' answer files change, no code cell.

    Figures are typed in rounded, as a learner would. The partly wrong learner makes three mistakes, which
    cost exactly four test cells:
    - σ of the critical path taken as the sum of its tasks' σ instead of √Σσ²: the σ cell is lost, and so is
      the normal-curve chance computed with it;
    - the EAC method AC + (BAC − EV): the overrun treated as a one-off although CPI has stayed at 0.90 every
      month (the training work's EAC, BAC / CPI as asked, keeps its point);
    - the velocity averaged over all six sprints instead of the last three the team plans with.
    """
    right = KEY.answers(CASE)
    answers = partly_wrong_answers(right) if partly_wrong else right
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        schedule, report, sheet = the_models(folder, folder / NOTEBOOK)

        # Part A. A what-if first (training's pessimistic estimate raised), then back to the plan.
        schedule.set_estimate("G06", pessimistic=60)
        schedule.reset_estimate("G06")
        # Part B. The status date and the method in the widget.
        report.set_status_date(f"{KEY.ACCEPTED['status_month'][0]}-01")  # the Dropdown's value for the month
        if partly_wrong:
            report.choose_eac("atypical", "The overrun came from the late change requests: a one-off")
        else:
            report.choose_eac("cpi_spi", "A fixed go-live date, SPI falling: catching up will cost overtime")
        for key, value in answers.items():
            sheet.answer(key, round(value, 2) if isinstance(value, float) else value)


def write(notebook_path):
    write_cells(notebook_path, {
        "ps04-answer-report": ("**Status: amber on schedule, red on cost.** We need backfill money by 18 April.\n\n"
                               "| figure | value |\n| --- | --- |\n| chance of 14 June | 68 % |\n"
                               "| EAC | $16.4 million |"),
    })


def check_release(released, text):
    for value in KEY.answers(CASE).values():
        if isinstance(value, float):
            for shown in (f"{value:.2f}", f"{value:,.0f}"):
                if len(shown.replace(".", "").replace(",", "").lstrip("-0")) >= 3:
                    assert shown not in text, shown
    sources = cell_sources(released)
    # The sheet the learners get asks every graded question, and the widgets are the ones this test answers.
    _, asked = questions(released)
    assert [q["key"] for q in asked] == [key for keys in CELL_QUESTIONS.values() for key in keys]
    schedule_widget = 'ScheduleRisk("ps04-schedule", case.golive_tasks, deadline_days=50)'
    assert schedule_widget in sources["ps04-widget-schedule"]
    assert f'planned_finish="{GIVEN["planned_finish"]}"' in sources["ps04-widget-evm"]
    # No locked cell computes a graded figure for the learner: the velocity table and its tool are gone.
    assert not re.search(r"\bvelocity\(", text)


def the_key_agrees_with_the_kit_on_the_published_case(_tmp_path):
    """Two computations: the key's pandas and the kit's tools give the same figures the tools do give."""
    from hitpm_widgets.agile import KanbanBoard, velocity
    from hitpm_widgets.earned_value import from_tasks

    right = KEY.answers(CASE)
    schedule = ScheduleRisk(None, CASE.golive_tasks, deadline_days=GIVEN["deadline_days"])
    path = schedule.critical_path()
    assert list(path.path) == KEY.critical_path(CASE.golive_tasks)[0]
    assert path.expected_duration == pytest.approx(KEY.critical_path(CASE.golive_tasks)[1])
    sigmas = [schedule.network.task(task).pert_sd for task in path.path]
    assert right["sd_days"] == pytest.approx(sum(s * s for s in sigmas) ** 0.5)
    training = from_tasks(CASE.status_tasks[CASE.status_tasks["phase"] == "training"])
    assert right["training_cv"] == pytest.approx(training.cv)
    assert right["training_tcpi"] == pytest.approx(training.tcpi_bac)
    assert right["training_eac"] == pytest.approx(training.eac_cpi)
    velocities = velocity(CASE.sprint_stories, CASE.sprints)["velocity"]
    assert right["velocity_average"] == pytest.approx(velocities.iloc[-3:].mean())
    board = KanbanBoard.from_events(CASE.kanban_events, GIVEN["columns"], GIVEN["wip_limits"])
    law = board.littles_law()
    assert right["arrivals_per_day"] == pytest.approx(len(board.cards) / law["window_days"])
    assert (right["littles_law_holds"] == "yes") == (abs(law["relative_gap"]) <= 0.10)
    flow = KEY._flow(CASE)
    assert flow["average_wip"] == pytest.approx(law["average_wip"])
    assert flow["cycle_days"] == pytest.approx(law["average_cycle_days"])
    # The time in testing is a part of the cycle time, which a tool gives whole.
    assert 0 < right["testing_days"] < law["average_cycle_days"]


def the_partly_wrong_answers_are_wrong_by_more_than_the_tolerances(_tmp_path):
    right = KEY.answers(CASE)
    wrong = partly_wrong_answers(right)
    for key in ("sd_days", "normal_chance_pct", "velocity_average"):
        assert abs(wrong[key] - right[key]) > KEY.TOLERANCES[key], key
    assert "atypical" not in KEY.ACCEPTED["eac_method"]


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points=KEY.POINTS,
    manual=KEY.MANUAL,
    answer_files=("ps04-schedule", "ps04-evm", "ps04-answers"),
    answer=answer,
    write=write,
    partly_lost=frozenset({"ps04-test-path-sd", "ps04-test-normal-chance", "ps04-test-evm-method",
                           "ps04-test-velocity"}),
    partly_total=8,
    secrets=("check_number(", "check_choice(", "check_status_date(", "check_eac_method(", "answer_key",
             'report.set_status_date("2025-03")', '["cpi", "cpi_spi"]', "NormalDist().cdf((50"),
    check_release=check_release,
    check_references=(the_key_agrees_with_the_kit_on_the_published_case,
                      the_partly_wrong_answers_are_wrong_by_more_than_the_tolerances),
)
