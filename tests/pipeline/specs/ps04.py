"""ps04-emr-schedule-and-value: PERT and Monte Carlo, earned value, velocity and Kanban flow."""

import re

import pytest

from hitpm_widgets import EarnedValueStatus, KanbanBoard, QuestionSheet, ScheduleRisk, load_case
from hitpm_widgets.agile import burndown, velocity

from ...conftest import FIXTURES
from ..course import read_json, solution_cell_sources
from .spec import Workbook, cell_sources, write_cells

ASSIGNMENT = "ps04-emr-schedule-and-value"
REFERENCE = read_json(FIXTURES / "ps04_reference.json")
SCHEDULE, EVM, KANBAN = REFERENCE["schedule"], REFERENCE["evm"], REFERENCE["kanban"]
CASE = load_case("emr-rollout")
# The answer sheet as the workbook asks it (keys, types, options); the prompts do not matter here.
QUESTIONS = [
    {"key": "te_days", "prompt": "tE", "minimum": 0},
    {"key": "sd_days", "prompt": "σ", "minimum": 0},
    {"key": "chance_golive_pct", "prompt": "chance", "minimum": 0, "maximum": 100},
    {"key": "cv", "prompt": "CV"},
    {"key": "sv", "prompt": "SV"},
    {"key": "cpi", "prompt": "CPI", "minimum": 0},
    {"key": "spi", "prompt": "SPI", "minimum": 0},
    {"key": "eac", "prompt": "EAC", "minimum": 0},
    {"key": "tcpi_bac", "prompt": "TCPI", "minimum": 0},
    {"key": "velocity_last", "prompt": "velocity", "minimum": 0},
    {"key": "velocity_average", "prompt": "average velocity", "minimum": 0},
    {"key": "cycle_time_days", "prompt": "cycle time", "minimum": 0},
    {"key": "throughput_per_day", "prompt": "throughput", "minimum": 0},
    {"key": "average_wip", "prompt": "WIP", "minimum": 0},
    {"key": "littles_law_holds", "prompt": "Little's law", "type": "choice", "options": ["yes", "no"]},
]


def the_models(folder):
    """The three exercises as the workbook makes them, answering into `folder`."""
    schedule = ScheduleRisk("ps04-schedule", CASE.golive_tasks, deadline_days=SCHEDULE["deadline_days"],
                            directory=folder)
    report = EarnedValueStatus("ps04-evm", CASE.evm_monthly, bac=EVM["bac"],
                               planned_finish=EVM["planned_finish"], directory=folder)
    return schedule, report, QuestionSheet("ps04-answers", QUESTIONS, directory=folder)


def answer(folder, partly_wrong):
    """What a learner does in the widgets and the form: only the models' answer files change, no code cell.

    Figures are read off what the workbook shows and typed in rounded, as a learner would. The partly wrong
    learner makes three mistakes, each costing exactly the points of one test cell:
    - σ of the critical path taken as the sum of its tasks' σ (3.00 + 1.00 + 0.33 = 4.33) instead of
      √Σσ² (3.18): tE is right, but the cell grades both;
    - the EAC method AC + (BAC − EV): the overrun treated as a one-off although CPI has stayed at 0.90 every
      month. The EAC answered is that method's own figure, so only the method is wrong: the forecast cell
      is lost, and the figures cell (CV, SV, CPI, SPI, TCPI to BAC, which no method changes) keeps its points;
    - sprint 6's velocity taken as the 31 points committed at sprint planning instead of the 24 done.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        schedule, report, sheet = the_models(folder)

        # Part A. A what-if first (training's pessimistic estimate raised), then back to the plan.
        what_if = SCHEDULE["what_if"]
        schedule.set_estimate(what_if["task_id"], pessimistic=what_if["pessimistic"])
        schedule.reset_estimate(what_if["task_id"])
        path = schedule.critical_path()
        sheet.answer("te_days", round(path.expected_duration, 1))
        tasks_sd = [schedule.network.task(task).pert_sd for task in path.path]
        sd = sum(tasks_sd) if partly_wrong else sum(s * s for s in tasks_sd) ** 0.5
        sheet.answer("sd_days", round(sd, 2))
        sheet.answer("chance_golive_pct", round(100 * schedule.probability_of_meeting_deadline()))

        # Part B. The status date and the method in the widget; the figures read off it.
        report.set_status_date("2025-03-01")  # the Dropdown's value for March 2025
        if partly_wrong:
            report.choose_eac("atypical", "The overrun came from the late change requests: a one-off")
        else:
            report.choose_eac("cpi_spi", "A fixed go-live date, SPI falling: catching up will cost overtime")
        status = report.status
        for key in ("cv", "sv"):
            sheet.answer(key, f"{getattr(status, key):,.0f}")
        sheet.answer("cpi", round(status.cpi, 2))
        sheet.answer("spi", round(status.spi, 2))
        sheet.answer("tcpi_bac", round(status.tcpi_bac, 2))
        sheet.answer("eac", round(report.eac, -3))

        # Part C. The velocity table and the burndown; the board's figures.
        velocities = velocity(CASE.sprint_stories, CASE.sprints)["velocity"]
        last = CASE.sprints.iloc[-1]
        stories = CASE.sprint_stories[CASE.sprint_stories["sprint"] == last["sprint"]]
        committed = burndown(stories, last["start"], last["end"])["scope"].iloc[0]
        sheet.answer("velocity_last", committed if partly_wrong else velocities.iloc[-1])
        sheet.answer("velocity_average", round(velocities.iloc[-3:].mean(), 1))
        board = KanbanBoard.from_events(CASE.kanban_events, KANBAN["columns"], KANBAN["wip_limits"])
        law = board.littles_law()
        cycle = board.cycle_time()["cycle_days"].mean()
        throughput = law["finished"] / law["window_days"]
        sheet.answer("cycle_time_days", round(cycle, 1))
        sheet.answer("throughput_per_day", round(throughput, 2))
        sheet.answer("average_wip", round(law["average_wip"], 1))
        holds = abs(throughput * cycle - law["average_wip"]) <= 0.1 * law["average_wip"]
        sheet.answer("littles_law_holds", "yes" if holds else "no")


def write(notebook_path):
    write_cells(notebook_path, {
        "ps04-answer-report": ("**Status: amber on schedule, red on cost.** We need backfill money by 18 April.\n\n"
                               "| figure | value |\n| --- | --- |\n| chance of 14 June | 68 % |\n"
                               "| EAC | $16.4 million |"),
    })


def check_release(released, _text):
    stubs = solution_cell_sources(released)
    code_stubs, text_stub = stubs[:2], stubs[2:]
    assert all(stub.startswith("# YOUR CODE HERE") and "raise" not in stub for stub in code_stubs)
    assert text_stub == ["YOUR ANSWER HERE"]
    # The sheet the learners get asks exactly the questions this test answers, and the widgets are the ones
    # this test answers through.
    sources = cell_sources(released)
    assert re.findall(r'"key": "(\w+)"', sources["ps04-widget-answers"]) == [q["key"] for q in QUESTIONS]
    assert '"options": ["yes", "no"]' in sources["ps04-widget-answers"]
    schedule_widget = 'ScheduleRisk("ps04-schedule", case.golive_tasks, deadline_days=50)'
    assert schedule_widget in sources["ps04-widget-schedule"]
    assert f'planned_finish="{EVM["planned_finish"]}"' in sources["ps04-widget-evm"]


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points={
        "ps04-test-pert": 2,
        "ps04-test-chance": 1,
        "ps04-test-evm-date": 1,
        "ps04-test-evm-figures": 2,
        "ps04-test-evm-forecast": 2,
        "ps04-test-velocity": 1,
        "ps04-test-kanban-flow": 2,
        "ps04-test-littles-law": 1,
    },
    manual={"ps04-answer-report": 4},
    answer_files=("ps04-schedule", "ps04-evm", "ps04-answers"),
    answer=answer,
    write=write,
    partly_lost=frozenset({"ps04-test-pert", "ps04-test-evm-forecast", "ps04-test-velocity"}),
    partly_total=7,
    secrets=("check_number(", "check_choice(", "check_status_date(", "check_eac_method(", '"cv": 1_000',
             'report.set_status_date("2025-03")',
             "48.33", "3.18", "68.1", "26.33", "4.82", "1.081", "5.44", '["cpi", "cpi_spi"]'),
    check_release=check_release,
)
