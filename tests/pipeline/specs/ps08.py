"""ps08-go-live-week: the cutover run sheet, the downtime plan, the risk analysis and the alerts in one answer
sheet, and a written go/no-go memo. Every reference comes from the workbook's answer key."""

import ast
import functools
import re

import nbformat
import pytest

from hitpm_widgets import load_case
from hitpm_widgets.command_centre import CommandCentre, CommandCentreStaffing
from hitpm_widgets.schedule import critical_path

from ...conftest import REPO
from ..course import solution_cell_sources
from . import spec
from .spec import Workbook, error_messages, write_cells

ASSIGNMENT = "ps08-go-live-week"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE = REPO / "workbooks" / ASSIGNMENT / NOTEBOOK
KEY = spec.answer_key(ASSIGNMENT)
CASE = load_case(KEY.CASE)
EXERCISE = "ps08-answers"
# The questions each test cell grades: a cell scores only when all of its questions are right.
CELL_QUESTIONS = {
    "ps08-test-checkpoint": ["checkpoint_start"],
    "ps08-test-lab-latest-start": ["lab_switch_latest_start"],
    "ps08-test-shorten": ["shorten_one_hour"],
    "ps08-test-chart-down": ["chart_down_hours"],
    "ps08-test-rto": ["rto_missed"],
    "ps08-test-rpo": ["rpo_missed"],
    "ps08-test-risk-levels": ["high_risks"],
    "ps08-test-security-rule": ["security_rule_requires"],
    "ps08-test-retire": ["retire_alerts"],
    "ps08-test-tier": ["tier_alerts"],
    "ps08-test-interruptions": ["interruptions_removed_per_day"],
}
# The staffing cells grade the plan in the staffing exercise, by simulation.
STAFFING = "ps08-staffing"
STAFFING_CELLS = ("ps08-test-staffing-service", "ps08-test-staffing-cost")
NO_PLAN = "Set your staffing plan first (part B): nobody is rostered yet."
# The partly wrong learner's three mistakes, each losing exactly one cell (see partly_wrong_answers and
# costlier_plan).
PARTLY_LOST = frozenset({"ps08-test-rpo", "ps08-test-risk-levels", "ps08-test-staffing-cost"})
LEVELS = ["very low", "low", "moderate", "high", "very high"]


@functools.cache
def key_answers() -> dict:
    """The key's numbers and lists on the published case (computed once)."""
    return KEY.answers(CASE)


def reference() -> dict:
    """The key's numbers and lists, and the first accepted choice of each judgement, in the sheet's order."""
    found = {**key_answers(), **{key: KEY.ACCEPTED[key][0] for key in KEY.ACCEPTED}}
    return {key: found[key] for keys in CELL_QUESTIONS.values() for key in keys}


def product_of_levels(case) -> list[str]:
    """The usual mistake: the levels as numbers 1 to 5, multiplied, 12 or more taken as high."""
    risks = case.security_risks
    score = [(LEVELS.index(str(lk)) + 1) * (LEVELS.index(str(im)) + 1)
             for lk, im in zip(risks["likelihood"], risks["impact"], strict=True)]
    return sorted(r for r, s in zip(risks["risk_id"], score, strict=True) if s >= 12)


def rpo_with_equal_missed(case) -> list[str]:
    """The other mistake: a backup exactly as old as the RPO counted as missing it."""
    systems = KEY._recovery(case)
    return sorted(systems.loc[systems["lost_hours"] >= systems["rpo_hours"], "system_id"])


def partly_wrong_answers() -> dict:
    """Every figure rounded as a learner quotes it (within the tolerances, so it costs nothing), and two
    mistakes: the risk levels multiplied as numbers instead of read from NIST's matrix, and a backup exactly as
    old as its RPO counted as a miss."""
    answers = reference()
    answers["interruptions_removed_per_day"] = round(answers["interruptions_removed_per_day"])
    answers["checkpoint_start"] = KEY.clock_spellings(answers["checkpoint_start"])[-1]  # 4:30 for 04:30
    answers["high_risks"] = product_of_levels(CASE)
    answers["rpo_missed"] = rpo_with_equal_missed(CASE)
    return answers


def costlier_plan():
    """The partly wrong learner's plan: the reference with two more analysts on every day shift. It meets the
    service level (more staff never lengthens a wait) and costs more than the cost point allows."""
    plan = KEY.reference_plan()
    for day in range(1, 8):
        plan = plan.with_staff(day=day, shift="day", analysts=plan.staff(day, "day")["analysts"] + 2)
    return plan


def sheet_questions(notebook_path):
    return spec.sheet_questions(notebook_path, "ps08-widget-answers", {"case": CASE})


def answer(folder, partly_wrong):
    """What a learner does in the form: only the sheet's answer file changes, no code cell."""
    answers = partly_wrong_answers() if partly_wrong else reference()
    spec.fill_answer_sheet(folder, *sheet_questions(folder / NOTEBOOK), answers)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        staffing = CommandCentreStaffing(STAFFING, CASE, directory=folder)
        staffing.set_plan(costlier_plan() if partly_wrong else KEY.reference_plan())
        staffing.set_triage(KEY.REFERENCE_TRIAGE)


def write(notebook_path):
    write_cells(notebook_path, {
        "ps08-answer-memo": "**Go, with a third pharmacist on C06.** The call starts at 04:30 as timed: too late.",
    })


def check_release(released, text):
    spec.check_no_reference_shown(text, key_answers(), above=100)
    # One code stub for the sheet and the plan, one for the memo; the graded cells and their points.
    stubs = solution_cell_sources(released)
    assert [stub.startswith("# YOUR CODE HERE") and "raise" not in stub for stub in stubs] == [True, False]
    assert stubs[1] == "YOUR ANSWER HERE"
    notebook = nbformat.read(released, as_version=4)
    graded = {cell.metadata.nbgrader["grade_id"]: (cell.cell_type, cell.metadata.nbgrader["points"])
              for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade")}
    assert graded == {**{cell: ("code", points) for cell, points in SPEC.points.items()},
                      **{cell: ("markdown", points) for cell, points in SPEC.manual.items()}}
    # The slip checks stay visible: a learner can run them before handing in.
    assert text.count("check_answered(sheet") == len(CELL_QUESTIONS)
    assert text.count(NO_PLAN) == len(STAFFING_CELLS)
    staffing_cell = spec.cell_sources(released)["ps08-widget-staffing"]
    assert f'CommandCentreStaffing("{STAFFING}", case)' in staffing_cell
    exercise_id, questions = sheet_questions(released)
    assert exercise_id == EXERCISE
    assert [question["key"] for question in questions] == list(reference())


def check_graded(course):
    # The untouched version's every test cell says what to answer first, and nothing else fails.
    untouched = error_messages(course, ASSIGNMENT, "untouched")
    assert set(untouched) == set(CELL_QUESTIONS) | set(STAFFING_CELLS)
    for cell, keys in CELL_QUESTIONS.items():
        assert untouched[cell] == f"Answer these questions first: {', '.join(keys)}."
    for cell in STAFFING_CELLS:
        assert untouched[cell] == NO_PLAN
    # The messages say what is wrong without giving the answer: they count, they name no id.
    messages = error_messages(course, ASSIGNMENT, "partly")
    assert set(messages) == SPEC.partly_lost
    risks = messages["ps08-test-risk-levels"]
    assert risks.startswith("Your answer to high_risks: 2 chosen that should not be.")
    assert not re.search(r"\bR\d\d\b", risks)
    assert messages["ps08-test-rpo"].startswith("Your answer to rpo_missed: 1 chosen that should not be.")
    assert messages["ps08-test-staffing-cost"].startswith("Your plan meets the service level but costs $")


# -- the references: the key's own computation, the notebook's use of it, the kit's tools agreeing ---------


def accepted(key, value) -> bool:
    """What the hidden tests accept (spec.accepted_by; a clock time in either spelling), on the published case."""
    if isinstance(key_answers().get(key), str):
        return value in KEY.clock_spellings(key_answers()[key])
    return spec.accepted_by(KEY, key_answers(), key, value)


def the_hidden_tests_take_every_reference_from_the_answer_key(_tmp_path):
    notebook = nbformat.read(SOURCE, as_version=4)
    assert spec.graded_code_cells(SOURCE) == KEY.POINTS
    assert spec.manual_cells(SOURCE) == KEY.MANUAL
    assert [cell for cell in KEY.POINTS if cell not in STAFFING_CELLS] == list(CELL_QUESTIONS)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in STAFFING_CELLS:
            cost = grade_id == "ps08-test-staffing-cost"
            assert (f'answer_key.check_staffing(case_for("ps08-go-live-week", "emr-go-live"), staffing, '
                    f"cost={cost})") in cell.source
            continue
        if grade_id not in KEY.POINTS:
            continue
        calls = [node for node in ast.walk(ast.parse(cell.source))
                 if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith("check_")
                 and node.func.id != "check_answered"]
        assert [ast.literal_eval(call.args[1]) for call in calls] == CELL_QUESTIONS[grade_id]
        for call in calls:
            # the reference and the tolerance are read from the key, for the learner's own variant
            key = ast.literal_eval(call.args[1])
            keywords = {keyword.arg: ast.unparse(keyword.value) for keyword in call.keywords}
            if call.func.id == "check_choice" and key in KEY.ACCEPTED:
                assert ast.unparse(call.args[2]) == f"answer_key.ACCEPTED['{key}']", grade_id
                continue
            if call.func.id == "check_choice":  # a clock time: the key's, in either spelling
                assert ast.unparse(call.args[2]) == f"answer_key.clock_spellings(reference['{key}'])", grade_id
                assert 'answer_key.answers(case_for("ps08-go-live-week", "emr-go-live"))' in cell.source, grade_id
                continue
            assert 'answer_key.answers(case_for("ps08-go-live-week", "emr-go-live"))' in cell.source, grade_id
            assert ast.unparse(call.args[2]) == f"reference['{key}']", grade_id
            if call.func.id == "check_number":
                assert keywords["tolerance"] == f"answer_key.TOLERANCES['{key}']", grade_id
    # The sheet's choices are the key's options.
    questions = {question["key"]: question for question in sheet_questions(SOURCE)[1]}
    assert questions["security_rule_requires"]["options"] == KEY.SECURITY_RULE_OPTIONS
    assert set(key_answers()) | set(KEY.ACCEPTED) == set(questions)


def the_partly_wrong_answers_fail_exactly_the_cells_the_design_says(_tmp_path):
    partly, right = partly_wrong_answers(), reference()
    lost = {cell for cell, keys in CELL_QUESTIONS.items() if not all(accepted(key, partly[key]) for key in keys)}
    # the costlier plan loses the cost cell (the_reference_plan_meets_... checks it by simulation)
    lost.add("ps08-test-staffing-cost")
    assert lost == SPEC.partly_lost
    assert sum(points for cell, points in SPEC.points.items() if cell not in lost) == SPEC.partly_total
    # The rounded figure and the other spelling differ from the references and are accepted.
    assert partly["interruptions_removed_per_day"] != right["interruptions_removed_per_day"]
    assert partly["checkpoint_start"] != right["checkpoint_start"]


def the_key_agrees_with_the_kits_schedule_tool_and_refuses_the_usual_mistakes(_tmp_path):
    """Two computations of the run sheet agree on the published case: the key's passes and the kit's critical
    path (each task's hours as a fixed estimate, the tool's passes running to the sheet's end, not to 04:00)."""
    tasks = CASE.cutover_tasks
    fixed = tasks.assign(optimistic=tasks["hours"], most_likely=tasks["hours"], pessimistic=tasks["hours"])
    frame = critical_path(fixed).frame
    answers = key_answers()
    assert answers["checkpoint_start"] == KEY.clock(frame.loc[KEY.CHECKPOINT, "earliest_start"])
    # C08's every path runs through the call: against 04:00, its latest start moves by the call's own shift.
    shift = frame.loc[KEY.CHECKPOINT, "latest_start"] - KEY.CHECKPOINT_DEADLINE_HOURS
    assert answers["lab_switch_latest_start"] == KEY.clock(frame.loc[KEY.LAB_SWITCH, "latest_start"] - shift)
    # The tool's latest start (to the run sheet's end) is a different figure: the question is the 04:00 one.
    assert not accepted("lab_switch_latest_start", KEY.clock(frame.loc[KEY.LAB_SWITCH, "latest_start"]))
    # Shortening is not "every critical task": C01 is shorter than an hour, and the answer is what moves the call.
    critical = set(frame.index[frame["critical"]])
    assert set(answers["shorten_one_hour"]) <= critical
    assert not accepted("shorten_one_hour", sorted(critical - {KEY.CHECKPOINT, "C14"}))
    # The checkpoint is late on the published numbers, and the memo's rubric depends on it.
    assert frame.loc[KEY.CHECKPOINT, "earliest_start"] > KEY.CHECKPOINT_DEADLINE_HOURS

    assert not accepted("high_risks", product_of_levels(CASE))
    assert not accepted("rpo_missed", rpo_with_equal_missed(CASE))
    alerts = KEY._alert_rates(CASE)
    rounded = alerts.assign(rate_pct=alerts["rate_pct"].round())
    whole = sorted(rounded.loc[~rounded["severe"] & (rounded["rate_pct"] >= 95), "alert_id"])
    assert not accepted("retire_alerts", whole)  # a rate rounded to 95 before the rule is applied
    with_severe = sorted(alerts.loc[alerts["rate_pct"] >= KEY.RETIRE_FROM_PCT, "alert_id"])
    assert not accepted("retire_alerts", with_severe)  # the severe alert retired with the others


def the_reference_plan_meets_the_service_level_and_the_costlier_one_only_that(_tmp_path):
    """The plans the spec hands in, under the grader's replications: the reference meets every day's targets
    (so the cost point is reachable), the costlier plan meets them too and costs above the limit. The
    simulation's weekly figure is no stand-in for the graded rule: a plan can meet every weekly target and miss
    a day."""
    centre = CommandCentre.from_case(CASE)
    assert KEY.staffing_shortfalls(CASE, KEY.reference_plan(), KEY.REFERENCE_TRIAGE) == []
    assert KEY.staffing_shortfalls(CASE, costlier_plan(), KEY.REFERENCE_TRIAGE) == []
    assert centre.cost(costlier_plan()) > KEY.staffing_cost_limit(CASE) > centre.cost(KEY.reference_plan())
    thin = KEY.reference_plan().with_staff(day=3, shift="day", analysts=1)
    weekly = centre.run(thin, KEY.REFERENCE_TRIAGE, KEY.GRADER_REPLICATIONS, KEY.GRADER_SEED).service_levels()
    assert weekly["met"].all() and KEY.staffing_shortfalls(CASE, thin, KEY.REFERENCE_TRIAGE)


def the_teaching_note_gives_the_keys_figures(_tmp_path):
    """The teaching note's reference answers are the key's on the published case."""
    note = " ".join((REPO / "cases" / KEY.CASE / "teaching-note.md").read_text(encoding="utf-8").split())
    answers = key_answers()
    for key, value in answers.items():
        shown = ", ".join(value) if isinstance(value, list) else value if isinstance(value, str) else f"{value:g}"
        assert f"`{key}` = **{shown}**" in note or f"= **{shown}**" in note, key


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points=KEY.POINTS,
    manual=KEY.MANUAL,
    answer_files=(EXERCISE, STAFFING),
    answer=answer,
    write=write,
    partly_lost=PARTLY_LOST,
    partly_total=sum(KEY.POINTS.values()) - len(PARTLY_LOST),
    secrets=(
        # the instructors' model answer, the calls that hold or compute the references
        "check_number(", "check_selection(", "check_choice(", "import answer_key", "def forward(",
    ),
    check_release=check_release,
    check_graded=check_graded,
    check_references=(the_hidden_tests_take_every_reference_from_the_answer_key,
                      the_partly_wrong_answers_fail_exactly_the_cells_the_design_says,
                      the_key_agrees_with_the_kits_schedule_tool_and_refuses_the_usual_mistakes,
                      the_reference_plan_meets_the_service_level_and_the_costlier_one_only_that,
                      the_teaching_note_gives_the_keys_figures),
)
