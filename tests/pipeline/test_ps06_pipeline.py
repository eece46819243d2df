"""ps06 from source to grades with stock nbgrader: release, three submissions, autograde, gradebook."""

import ast

import nbformat
import pandas as pd
import pytest

from hitpm_widgets import QuestionSheet, load_case
from hitpm_widgets.manufacturing import batch_review, oee
from hitpm_widgets.patient_access import activation_rate, bookings_to_fill, chance_over_capacity, no_show_rate
from hitpm_widgets.staffing import average_daily_census, fte_needed, hppd, share_over_guideline

from ..conftest import FIXTURES, REPO
from .course import CourseCopy, read_json, solution_cell_sources

ASSIGNMENT = "ps06-operations-systems"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE = REPO / "workbooks" / ASSIGNMENT / NOTEBOOK
EXERCISE = "ps06-answers"
REFERENCE = read_json(FIXTURES / "ps06_reference.json")
ANSWERS, TOLERANCES, PARTLY = REFERENCE["answers"], REFERENCE["tolerances"], REFERENCE["partly_wrong"]
# The questions each test cell grades: a cell scores only when all of its questions are right.
CELL_QUESTIONS = {
    "ps06-test-no-shows": ["ortho_no_show_pct"],
    "ps06-test-bookings": ["ortho_bookings"],
    "ps06-test-overflow": ["ortho_overflow_pct"],
    "ps06-test-portal": ["below_goal_clinics"],
    "ps06-test-hppd": ["hppd_5east"],
    "ps06-test-fte": ["fte_5east"],
    "ps06-test-ratios": ["icu_night_over_pct"],
    "ps06-test-oee": ["oee_line2_july_pct"],
    "ps06-test-batches": ["rft_ebr_pct", "review_days_ebr_median"],
    "ps06-test-ei-first": ["ei_moment_1", "ei_moment_2"],
    "ps06-test-ei-second": ["ei_moment_3", "ei_moment_4"],
}
POINTS = dict.fromkeys(CELL_QUESTIONS, 1)
MANUAL = {"ps06-answer-review": 5}
# The partly wrong learner rounds every figure (within the tolerances, so it costs nothing) and makes two
# mistakes (see the fixture's partly_wrong.about): the FTEs at the HPPD worked, and moment 4 as motivation.
PARTLY_LOST = set(PARTLY["lost"])
PARTLY_TOTAL = 9
# The EI questions take one component; the fixture lists the components the hidden tests accept.
CHOICES = {key for key, value in ANSWERS.items() if key.startswith("ei_moment_")}


def the_cases():
    return {"manager_case": load_case("middle-manager"), "pharma_case": load_case("pharma-ctms")}


def sheet_questions(notebook_path):
    """The exercise id and the questions of the notebook's read-only answer-sheet cell, run as written."""
    (source,) = [cell.source for cell in nbformat.read(notebook_path, as_version=4).cells
                 if cell.metadata.get("nbgrader", {}).get("grade_id") == "ps06-widget-answers"]
    made = {}

    def record(exercise_id, questions):
        made.update(exercise_id=exercise_id, questions=questions)

    exec(source, {**the_cases(), "QuestionSheet": record})
    return made["exercise_id"], made["questions"]


def right_answers():
    """The fixture's answers as a learner gives them: one component for each EI moment."""
    return {key: value[0] if key in CHOICES else value for key, value in ANSWERS.items()}


def answer_through_the_sheet(folder, answers):
    """What a learner does in the form: only the sheet's answer file changes, no code cell."""
    exercise_id, questions = sheet_questions(folder / NOTEBOOK)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        sheet = QuestionSheet(exercise_id, questions, directory=folder)
        for key, value in answers.items():
            sheet.answer(key, value)
    assert (folder / ".hitpm" / "answers" / f"{EXERCISE}.json").is_file()


def write_the_review(notebook_path):
    notebook = nbformat.read(notebook_path, as_version=4)
    written = {"ps06-answer-review": "**Clinics.** Orthopedics and behavioral health are below the goal; book 17."}
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in written:
            cell.source = written.pop(grade_id)
    assert not written
    nbformat.write(notebook, notebook_path)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = CourseCopy(tmp_path_factory.mktemp("course"))
    course.generate(ASSIGNMENT)
    course.submit("untouched", ASSIGNMENT)
    right = course.submit("right", ASSIGNMENT)
    answer_through_the_sheet(right, right_answers())
    write_the_review(right / NOTEBOOK)
    answer_through_the_sheet(course.submit("partly", ASSIGNMENT), PARTLY["answers"])
    course.autograde(ASSIGNMENT)
    return course


def error_messages(course, student):
    """Each failed test cell's message in the autograded notebook, by grade id."""
    path = course.root / "autograded" / student / ASSIGNMENT / NOTEBOOK
    return {
        cell.metadata["nbgrader"]["grade_id"]: output["evalue"]
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
        for output in cell.outputs
        if output["output_type"] == "error"
    }


def test_the_release_holds_no_solutions_no_hidden_tests_and_no_answers(course):
    released = course.root / "release" / ASSIGNMENT
    text = (released / NOTEBOOK).read_text(encoding="utf-8")
    secrets = (
        # nbgrader's markers, the instructors' model answer, the calls that hold or compute the references
        "BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Model answer", "check_number(", "check_selection(",
        "check_choice(", "bookings_to_fill(", "fte_needed(", "batch_review(",
        # and the reference answers themselves, as the hidden tests and the model answer spell them
        # (whole numbers such as 18 bookings are too common in any text to search for)
        *(repr(ANSWERS[key]) for key in ANSWERS if not isinstance(ANSWERS[key], int)),
        "52.8 %", "44 productive FTEs", "Line 1's 76.1 %",
    )
    for secret in secrets:
        assert secret not in text, secret
    assert [p.name for p in released.iterdir()] == [NOTEBOOK]

    stubs = solution_cell_sources(released / NOTEBOOK)
    code_stubs = [stub for stub in stubs if stub != "YOUR ANSWER HERE"]
    assert len(code_stubs) == 1
    assert code_stubs[0].startswith("# YOUR CODE HERE") and "raise" not in code_stubs[0]
    assert stubs.count("YOUR ANSWER HERE") == len(MANUAL)

    notebook = nbformat.read(released / NOTEBOOK, as_version=4)
    graded = {cell.metadata.nbgrader["grade_id"]: (cell.cell_type, cell.metadata.nbgrader["points"])
              for cell in notebook.cells if cell.metadata.get("nbgrader", {}).get("grade")}
    assert graded == {**{cell: ("code", points) for cell, points in POINTS.items()},
                      **{cell: ("markdown", points) for cell, points in MANUAL.items()}}
    assert sum(POINTS.values()) == 11 and sum(MANUAL.values()) == 5
    # The slip checks stay visible, and the sheet the learners get asks exactly the fixture's questions.
    assert text.count("check_answered(sheet") == len(POINTS)
    exercise_id, questions = sheet_questions(released / NOTEBOOK)
    assert exercise_id == EXERCISE
    assert [question["key"] for question in questions] == list(ANSWERS)


def test_the_untouched_student_version_scores_nothing_and_is_told_what_to_answer(course):
    scores = course.scores(ASSIGNMENT, "untouched")
    assert set(scores) == set(POINTS)
    assert sum(scores.values()) == 0
    messages = error_messages(course, "untouched")
    assert set(messages) == set(POINTS)
    for cell, keys in CELL_QUESTIONS.items():
        assert messages[cell] == f"Answer these questions first: {', '.join(keys)}."


def test_answers_given_only_through_the_form_get_every_point(course):
    assert course.scores(ASSIGNMENT, "right") == POINTS
    answer = f"{ASSIGNMENT}/.hitpm/answers/{EXERCISE}.json"
    graded = course.root / "autograded" / "right" / answer
    submitted = course.root / "submitted" / "right" / answer
    assert graded.read_text() == submitted.read_text()  # grading read the answers and wrote nothing
    assert error_messages(course, "right") == {}


def test_two_mistakes_lose_exactly_their_cells_and_rounded_figures_lose_nothing(course):
    expected = {cell: 0 if cell in PARTLY_LOST else points for cell, points in POINTS.items()}
    scores = course.scores(ASSIGNMENT, "partly")
    assert scores == expected
    assert sum(scores.values()) == PARTLY_TOTAL


def test_the_messages_say_what_is_wrong_without_giving_the_answer(course):
    messages = error_messages(course, "partly")
    assert set(messages) == PARTLY_LOST

    fte = messages["ps06-test-fte"]
    assert fte.startswith("Your answer to fte_5east is not right yet.")
    assert not [figure for figure in (str(ANSWERS["fte_5east"]), "44", "8.4") if figure in fte]

    moment = messages["ps06-test-ei-second"]
    assert moment.startswith("Your answer to ei_moment_4 is not one the evidence supports.")
    components = ["self-awareness", "self-regulation", "motivation", "empathy", "social skill"]
    assert not [component for component in components if component in moment]


def test_a_written_review_waits_for_the_instructor_and_an_empty_one_scores_nothing(course):
    assert course.manual_cells_needing_grade(ASSIGNMENT, "right") == list(MANUAL)
    assert course.manual_cells_needing_grade(ASSIGNMENT, "untouched") == []
    assert course.manual_cells_needing_grade(ASSIGNMENT, "partly") == []
    assert course.total(ASSIGNMENT, "untouched") == 0


# -- the reference answers: what the kit computes from the cases, and what the hidden tests hold -----------


REFERENCE_CHECKS = ("check_number", "check_selection", "check_choice")


def hidden_references():
    """{test cell: {question: (reference, tolerance or None)}} from the source notebook's hidden tests."""
    found = {}
    for cell in nbformat.read(SOURCE, as_version=4).cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if not cell.metadata.get("nbgrader", {}).get("grade") or cell.cell_type != "code":
            continue
        checks = found.setdefault(grade_id, {})
        for node in ast.walk(ast.parse(cell.source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in REFERENCE_CHECKS:
                key, reference = (ast.literal_eval(arg) for arg in node.args[1:3])
                keywords = {keyword.arg: keyword.value for keyword in node.keywords}
                tolerance = ast.literal_eval(keywords["tolerance"]) if "tolerance" in keywords else None
                checks[key] = (reference, tolerance)
    return found


def accepted(key, value) -> bool:
    """What the hidden tests accept: a number within its tolerance, a listed choice, or exactly the options."""
    if key in TOLERANCES:
        return abs(value - ANSWERS[key]) <= TOLERANCES[key]
    if key in CHOICES:
        return value in ANSWERS[key]
    return set(value) == set(ANSWERS[key])


def test_the_hidden_tests_hold_the_fixtures_answers_and_tolerances():
    assert hidden_references() == {
        cell: {key: (ANSWERS[key], TOLERANCES.get(key)) for key in keys}
        for cell, keys in CELL_QUESTIONS.items()
    }


def test_the_partly_wrong_answers_fail_exactly_the_cells_the_design_says():
    assert list(PARTLY["answers"]) == list(ANSWERS)
    lost = {cell for cell, keys in CELL_QUESTIONS.items()
            if not all(accepted(key, PARTLY["answers"][key]) for key in keys)}
    assert lost == PARTLY_LOST
    assert sum(points for cell, points in POINTS.items() if cell not in lost) == PARTLY_TOTAL
    # The rounded figures differ from the references and are accepted: the tolerances are really exercised.
    for key in ("ortho_no_show_pct", "ortho_overflow_pct", "hppd_5east", "oee_line2_july_pct"):
        assert PARTLY["answers"][key] != ANSWERS[key] and accepted(key, PARTLY["answers"][key]), key


def test_the_reference_answers_are_what_the_kit_computes_from_the_cases():
    cases = the_cases()
    hospital, pharma = cases["manager_case"], cases["pharma_case"]
    also = REFERENCE["also_computed"]
    slots, booked = REFERENCE["session_slots"], REFERENCE["overflow_booked"]

    appointments = hospital.appointments_weekly
    ortho = appointments[appointments["clinic"] == "Orthopedics clinic"]
    with_reminders = ortho["week_start"] >= pd.Timestamp(REFERENCE["reminders_from"])
    assert (ortho["reminders_on"] == with_reminders).all()
    p, before = no_show_rate(ortho[with_reminders], by=None), no_show_rate(ortho[~with_reminders], by=None)
    assert round(100 * p, 1) == ANSWERS["ortho_no_show_pct"]
    assert round(100 * before, 1) == also["ortho_no_show_before_pct"]
    assert not accepted("ortho_no_show_pct", 100 * before)
    assert not accepted("ortho_no_show_pct", 100 * no_show_rate(ortho, by=None))  # all weeks pooled
    assert bookings_to_fill(slots, p) == ANSWERS["ortho_bookings"]
    assert bookings_to_fill(slots, before) == also["ortho_bookings_at_the_rate_before"]
    assert not accepted("ortho_bookings", also["ortho_bookings_at_the_rate_before"])
    assert round(100 * chance_over_capacity(booked, slots, p), 1) == ANSWERS["ortho_overflow_pct"]
    at_least = round(100 * chance_over_capacity(booked, slots - 1, p), 1)
    assert at_least == also["ortho_overflow_17_at_least_16_pct"] and not accepted("ortho_overflow_pct", at_least)
    assert not accepted("ortho_overflow_pct", 100 * chance_over_capacity(booked, slots, before))

    portal = hospital.portal_monthly
    december = activation_rate(portal[portal["month"] == "2025-12-01"])
    assert set(december.index[december < 0.5]) == set(ANSWERS["below_goal_clinics"])
    every_month = activation_rate(portal)
    assert set(every_month.index[every_month < 0.5]) == set(also["activation_all_months_below_goal"])

    staffing = hospital.nurse_staffing
    east = staffing[staffing["unit"] == "5 East surgical"]
    live = east["period_start"] >= pd.Timestamp(REFERENCE["shiftbridge_live"])
    worked = hppd(east[live], by=None)
    assert round(worked, 2) == ANSWERS["hppd_5east"]
    assert round(hppd(east[~live], by=None), 2) == also["hppd_5east_before"]
    assert not accepted("hppd_5east", hppd(east, by=None))  # every period, not only those since go-live
    census = average_daily_census(east[live], by=None)
    hours = REFERENCE["productive_hours_per_fte"]
    assert round(fte_needed(east["budgeted_hppd"].iloc[0], census, hours), 1) == ANSWERS["fte_5east"]
    at_worked = fte_needed(worked, census, hours)
    assert round(at_worked, 1) == also["fte_5east_at_worked_hppd"] and not accepted("fte_5east", at_worked)
    assert not accepted("fte_5east", fte_needed(east["budgeted_hppd"].iloc[0], census, 2080))  # paid, not worked

    guidelines = {"4 West medical": 5, "5 East surgical": 5, "ICU": 2}
    over = share_over_guideline(hospital.shift_staffing, guidelines)
    assert round(100 * over["ICU", "night"], 1) == ANSWERS["icu_night_over_pct"]
    icu = share_over_guideline(hospital.shift_staffing, guidelines, by="unit")["ICU"]
    assert round(100 * icu, 1) == also["icu_all_shifts_over_pct"] and not accepted("icu_night_over_pct", 100 * icu)

    weeks = pharma.line_weeks
    july = weeks[(weeks["line"] == "Line 2") & (weeks["week_start"].dt.month == 7)]
    assert len(july) == 4
    assert round(100 * oee(july, by=None)["oee"], 1) == ANSWERS["oee_line2_july_pct"]
    reviewed = batch_review(pharma.batches)
    electronic = reviewed[reviewed["batch_record"] == "electronic"]
    assert set(electronic["line"]) == {"Line 2"}
    assert round(100 * electronic["right_first_time"].mean(), 1) == ANSWERS["rft_ebr_pct"]
    assert electronic["review_days"].median() == ANSWERS["review_days_ebr_median"]
    mean = round(electronic["review_days"].mean(), 1)
    assert mean == also["review_days_ebr_mean"] and not accepted("review_days_ebr_median", mean)
    all_electronic = pharma.batches[pharma.batches["batch_record"] == "electronic"]
    counting_in_review = 100 * electronic["right_first_time"].sum() / len(all_electronic)
    assert round(counting_in_review, 1) == also["rft_ebr_counting_in_review_pct"]
    assert not accepted("rft_ebr_pct", counting_in_review)


def test_the_ei_moments_are_in_the_narrative_as_the_workbook_quotes_them():
    narrative = load_case("middle-manager").narrative
    workbook = "\n".join(cell.source for cell in nbformat.read(SOURCE, as_version=4).cells)
    for number, phrase in ((1, "saved it as a draft"), (2, "ask what a fair"), (3, "float-pool rule all three signed"),
                           (4, "That was\n   about me")):
        assert f"**Moment {number}.**" in narrative
        assert " ".join(phrase.split()) in " ".join(workbook.split()), number
        assert " ".join(phrase.split()) in " ".join(narrative.split()), number
