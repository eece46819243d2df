"""ps04 from source to grades with stock nbgrader: release, three submissions, autograde, gradebook."""

import re

import nbformat
import pytest

from hitpm_widgets import EarnedValueSeries, EarnedValueStatus, KanbanBoard, QuestionSheet, ScheduleRisk, load_case
from hitpm_widgets.agile import burndown, velocity
from hitpm_widgets.variants import VARIANT_FILE, make_variant, read_recorded, record

from ..conftest import FIXTURES
from .course import CourseCopy, read_json, solution_cell_sources

ASSIGNMENT = "ps04-emr-schedule-and-value"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
REFERENCE = read_json(FIXTURES / "ps04_reference.json")
SCHEDULE, EVM, KANBAN = REFERENCE["schedule"], REFERENCE["evm"], REFERENCE["kanban"]
CASE = load_case("emr-rollout")
POINTS = {
    "ps04-test-pert": 2,
    "ps04-test-chance": 1,
    "ps04-test-evm-date": 1,
    "ps04-test-evm-figures": 2,
    "ps04-test-evm-forecast": 2,
    "ps04-test-velocity": 1,
    "ps04-test-kanban-flow": 2,
    "ps04-test-littles-law": 1,
}
# Three mistakes, each costing exactly the points of one test cell:
PARTLY_LOST = {
    # σ of the critical path taken as the sum of its tasks' σ (3.00 + 1.00 + 0.33 = 4.33) instead of
    # √Σσ² (3.18): tE is right, but the cell grades both.
    "ps04-test-pert",
    # The EAC method AC + (BAC − EV): the overrun treated as a one-off although CPI has stayed at 0.90 every
    # month. The EAC answered is that method's own figure, so only the method is wrong: the forecast cell
    # is lost, and the figures cell (CV, SV, CPI, SPI, TCPI to BAC, which no method changes) keeps its points.
    "ps04-test-evm-forecast",
    # Sprint 6's velocity taken as the 31 points committed at sprint planning instead of the 24 done.
    "ps04-test-velocity",
}
PARTLY_TOTAL = 7
EXERCISES = ("ps04-schedule", "ps04-evm", "ps04-answers")
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


def answer_through_the_models(folder, *, partly_wrong=False):
    """What a learner does in the widgets and the form: only the models' answer files change, no code cell.

    Figures are read off what the workbook shows and typed in rounded, as a learner would.
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
    for exercise_id in EXERCISES:
        assert (folder / ".hitpm" / "answers" / f"{exercise_id}.json").is_file()


def write_report(notebook_path):
    notebook = nbformat.read(notebook_path, as_version=4)
    (cell,) = [c for c in notebook.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "ps04-answer-report"]
    cell.source = ("**Status: amber on schedule, red on cost.** We need backfill money by 18 April.\n\n"
                   "| figure | value |\n| --- | --- |\n| chance of 14 June | 68 % |\n| EAC | $16.4 million |")
    nbformat.write(notebook, notebook_path)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = CourseCopy(tmp_path_factory.mktemp("course"))
    course.generate(ASSIGNMENT)
    course.submit("untouched", ASSIGNMENT)
    right = course.submit("right", ASSIGNMENT)
    answer_through_the_models(right)
    write_report(right / NOTEBOOK)
    answer_through_the_models(course.submit("partly", ASSIGNMENT), partly_wrong=True)
    course.autograde(ASSIGNMENT)
    return course


def test_the_release_holds_no_solutions_no_hidden_tests_and_no_answers(course):
    released = course.root / "release" / ASSIGNMENT
    text = (released / NOTEBOOK).read_text(encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "check_number(", "check_choice(",
                   "check_status_date(", "check_eac_method(", '"cv": 1_000', "Model answer",
                   'report.set_status_date("2025-03")',
                   "48.33", "3.18", "68.1", "26.33", "4.82", "1.081", "5.44", '["cpi", "cpi_spi"]'):
        assert secret not in text, secret
    assert [p.name for p in released.iterdir()] == [NOTEBOOK]
    stubs = solution_cell_sources(released / NOTEBOOK)
    code_stubs, text_stub = stubs[:2], stubs[2:]
    assert all(stub.startswith("# YOUR CODE HERE") and "raise" not in stub for stub in code_stubs)
    assert text_stub == ["YOUR ANSWER HERE"]
    notebook = nbformat.read(released / NOTEBOOK, as_version=4)
    graded = {cell.metadata.nbgrader["grade_id"]: cell.metadata.nbgrader["points"] for cell in notebook.cells
              if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")}
    assert graded == POINTS
    # The sheet the learners get asks exactly the questions this test answers, and the widgets are the ones
    # this test answers through.
    sources = {cell.metadata.get("nbgrader", {}).get("grade_id"): cell.source for cell in notebook.cells}
    assert re.findall(r'"key": "(\w+)"', sources["ps04-widget-answers"]) == [q["key"] for q in QUESTIONS]
    assert '"options": ["yes", "no"]' in sources["ps04-widget-answers"]
    schedule_widget = 'ScheduleRisk("ps04-schedule", case.golive_tasks, deadline_days=50)'
    assert schedule_widget in sources["ps04-widget-schedule"]
    assert f'planned_finish="{EVM["planned_finish"]}"' in sources["ps04-widget-evm"]


def test_the_untouched_student_version_scores_nothing(course):
    scores = course.scores(ASSIGNMENT, "untouched")
    assert set(scores) == set(POINTS)
    assert sum(scores.values()) == 0


def test_answers_given_only_through_the_widget_models_get_every_point(course):
    assert course.scores(ASSIGNMENT, "right") == POINTS
    for exercise_id in EXERCISES:
        path = f"{ASSIGNMENT}/.hitpm/answers/{exercise_id}.json"
        graded = course.root / "autograded" / "right" / path
        submitted = course.root / "submitted" / "right" / path
        assert graded.read_text() == submitted.read_text()  # grading read the answers and wrote nothing


def test_three_mistakes_lose_exactly_their_cells_points(course):
    expected = {cell: 0 if cell in PARTLY_LOST else points for cell, points in POINTS.items()}
    scores = course.scores(ASSIGNMENT, "partly")
    assert scores == expected
    assert sum(scores.values()) == PARTLY_TOTAL


def test_a_written_report_waits_for_the_instructor_and_an_empty_one_scores_nothing(course):
    assert course.manual_cells_needing_grade(ASSIGNMENT, "right") == ["ps04-answer-report"]
    assert course.manual_cells_needing_grade(ASSIGNMENT, "untouched") == []
    assert course.total(ASSIGNMENT, "untouched") == 0



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
    """alice and bob run the source as themselves and hand in their work; carol hands in bob's folder
    (his answers and his variant); dave hands in bob's answers beside a variant of his own."""
    course = CourseCopy(tmp_path_factory.mktemp("classroom"))
    course.generate(ASSIGNMENT)
    work = {learner: course.run_source_as(learner, ASSIGNMENT) for learner in ("alice", "bob")}
    for learner in ("alice", "bob"):
        course.hand_in_work(learner, ASSIGNMENT, work[learner])
    course.hand_in_work("carol", ASSIGNMENT, work["bob"])
    dave = course.hand_in_work("dave", ASSIGNMENT, work["bob"])
    (dave / VARIANT_FILE).unlink()
    assert record(make_variant(ASSIGNMENT, SLUG, "dave"), dave)
    course.autograde(ASSIGNMENT)
    first = {learner: course.scores(ASSIGNMENT, learner) for learner in ("alice", "bob", "carol", "dave")}
    course.autograde(ASSIGNMENT)
    return course, work, first


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


def test_the_graded_notebook_shows_the_instructor_whose_numbers_and_their_key_figures(classroom):
    course, work, _ = classroom
    graded = nbformat.read(course.root / "autograded" / "alice" / ASSIGNMENT / NOTEBOOK, as_version=4)
    (cell,) = [c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ps04-variant"]
    shown = "".join(output.get("text", "") for output in cell.outputs)
    te = the_figures(variant_case_of(work["alice"]))["te_days"]
    assert "The numbers of alice for ps04-emr-schedule-and-value" in shown
    assert f"tE of the critical path (working days): {round(te, 2)}" in shown
    carol = nbformat.read(course.root / "autograded" / "carol" / ASSIGNMENT / NOTEBOOK, as_version=4)
    (cell,) = [c for c in carol.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ps04-variant"]
    assert "The numbers of carol" in "".join(output.get("text", "") for output in cell.outputs)
