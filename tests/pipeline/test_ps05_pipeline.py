"""ps05 from source to grades with stock nbgrader: release, three submissions, autograde, gradebook."""

import ast
from math import erf, sqrt

import nbformat
import pytest

from hitpm_widgets import (
    EarnedValueSeries,
    QuestionSheet,
    ScheduleRisk,
    TraceabilityMatrix,
    barrier_point,
    load_case,
    unit_scores,
)

from ..conftest import FIXTURES, REPO
from .course import CourseCopy, read_json, solution_cell_sources

ASSIGNMENT = "ps05-capstone"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE = REPO / "workbooks" / ASSIGNMENT / NOTEBOOK
EXERCISE = "ps05-answers"
REFERENCE = read_json(FIXTURES / "ps05_reference.json")
ANSWERS, TOLERANCES, PARTLY = REFERENCE["answers"], REFERENCE["tolerances"], REFERENCE["partly_wrong"]
POINTS = {
    "ps05-test-indices": 1,
    "ps05-test-eac": 1,
    "ps05-test-release-chance": 1,
    "ps05-test-validation-gaps": 2,
    "ps05-test-knowledge-barrier": 1,
    "ps05-test-training": 1,
}
# The questions each test cell grades: a cell scores only when all of its questions are right.
CELL_QUESTIONS = {
    "ps05-test-indices": ["cpi", "spi"],
    "ps05-test-eac": ["eac"],
    "ps05-test-release-chance": ["release_chance_pct"],
    "ps05-test-validation-gaps": ["untested_gxp_count", "blocking_failures"],
    "ps05-test-knowledge-barrier": ["knowledge_barrier_units"],
    "ps05-test-training": ["trained_5east_pct"],
}
MANUAL = {"ps05-answer-scorecard": 5, "ps05-answer-risks": 4, "ps05-answer-decision": 5}
# The partly wrong learner rounds every figure (within the tolerances, so it costs nothing) and makes two
# mistakes (see the fixture's partly_wrong.about): the EAC by AC + (BAC - EV), and Outpatient clinics, whose
# knowledge mean is low but whose first low element is desire, added to the knowledge-barrier areas.
PARTLY_LOST = set(PARTLY["lost"])
PARTLY_TOTAL = 5


def the_cases():
    return {"ctms_case": load_case("pharma-ctms"), "emr_case": load_case("emr-rollout"),
            "manager_case": load_case("middle-manager")}


def sheet_questions(notebook_path):
    """The exercise id and the questions of the notebook's read-only answer-sheet cell, run as written."""
    (source,) = [cell.source for cell in nbformat.read(notebook_path, as_version=4).cells
                 if cell.metadata.get("nbgrader", {}).get("grade_id") == "ps05-widget-answers"]
    made = {}

    def record(exercise_id, questions):
        made.update(exercise_id=exercise_id, questions=questions)

    exec(source, {**the_cases(), "QuestionSheet": record})
    return made["exercise_id"], made["questions"]


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
    written = {
        "ps05-answer-scorecard": "| dimension | rating |\n| --- | --- |\n| Data | not ready (E11, PQ-004) |",
        "ps05-answer-risks": "1. Vendor fixes late (OQ-006): mitigate; Lena Vasquez-Holt; by 5 September.",
        "ps05-answer-decision": "**Conditional go** for a release by 8 October; go / no-go on 3 October.",
    }
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
    answer_through_the_sheet(right, ANSWERS)
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
        # nbgrader's markers, the instructors' model answers, the calls that hold or compute the references
        "BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Model answer", "check_number(", "check_selection(",
        "eac_cpi", "barrier_point(", "blocking_failures()",
        # and the reference answers themselves, as the hidden tests and the model answers spell them
        repr(ANSWERS["cpi"]), repr(ANSWERS["eac"]), "2,925,840", "2.93 million",
        repr(ANSWERS["release_chance_pct"]), repr(ANSWERS["trained_5east_pct"]),
        repr(ANSWERS["blocking_failures"]), "PQ-004", "URS-024", repr(ANSWERS["knowledge_barrier_units"]),
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
    assert sum(POINTS.values()) == 7 and sum(MANUAL.values()) == 14
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

    eac = messages["ps05-test-eac"]
    assert eac.startswith("Your answer to eac is not right yet.")
    figures = [f"{ANSWERS['eac']:,}", str(ANSWERS["eac"]), f"{ANSWERS['cpi']}", "2.9"]
    assert not [figure for figure in figures if figure in eac]

    barrier = messages["ps05-test-knowledge-barrier"]
    assert barrier.startswith("Your answer to knowledge_barrier_units: 1 chosen that should not be.")
    areas = load_case("middle-manager").readiness_survey["unit"].cat.categories
    assert not [area for area in areas if area in barrier]


def test_a_written_review_waits_for_the_instructor_and_an_empty_one_scores_nothing(course):
    assert course.manual_cells_needing_grade(ASSIGNMENT, "right") == list(MANUAL)
    assert course.manual_cells_needing_grade(ASSIGNMENT, "untouched") == []
    assert course.manual_cells_needing_grade(ASSIGNMENT, "partly") == []
    assert course.total(ASSIGNMENT, "untouched") == 0



# -- the reference answers: what the kit computes from the cases, and what the hidden tests hold -----------


REFERENCE_CHECKS = ("check_number", "check_selection")


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
    """What the hidden tests accept: a number within its tolerance, or exactly the reference options."""
    if key in TOLERANCES:
        return abs(value - ANSWERS[key]) <= TOLERANCES[key]
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
    for key in ("cpi", "release_chance_pct", "trained_5east_pct"):
        assert PARTLY["answers"][key] != ANSWERS[key] and accepted(key, PARTLY["answers"][key]), key


def test_the_reference_answers_are_what_the_kit_computes_from_the_cases():
    cases = the_cases()
    ctms, manager = cases["ctms_case"], cases["manager_case"]
    july = EarnedValueSeries(ctms.evm_monthly, bac=REFERENCE["bac"]).latest
    assert f"{july.status_date:%Y-%m}" == REFERENCE["status_month"]
    assert abs(july.cpi - ANSWERS["cpi"]) < 0.0005 and abs(july.spi - ANSWERS["spi"]) < 0.0005
    assert round(july.eac_cpi) == ANSWERS["eac"]
    also = REFERENCE["also_computed"]
    assert (round(july.eac_atypical), round(july.eac_cpi_spi)) == (also["eac_atypical"], also["eac_cpi_spi"])
    # A CPI rounded to two decimals gives an EAC the tolerance accepts; the other two EAC formulas do not.
    assert accepted("eac", REFERENCE["bac"] / round(july.cpi, 2))
    assert not accepted("eac", also["eac_atypical"]) and not accepted("eac", also["eac_cpi_spi"])

    settings = REFERENCE["schedule"]
    schedule = ScheduleRisk(None, ctms.schedule, deadline_days=settings["deadline_days"],
                            iterations=settings["iterations"])
    assert round(100 * schedule.probability_of_meeting_deadline(), 1) == ANSWERS["release_chance_pct"]
    path = schedule.critical_path()
    z = (settings["deadline_days"] - path.expected_duration) / path.sd
    critical_path_chance = round(100 * 0.5 * (1 + erf(z / sqrt(2))), 1)
    assert critical_path_chance == also["critical_path_chance_pct"]
    assert not accepted("release_chance_pct", critical_path_chance)  # merge bias is more than the tolerance

    trace = TraceabilityMatrix(ctms.requirements, ctms.test_scripts)
    assert trace.untested_requirements(gxp_critical_only=True) == also["untested_gxp"]
    assert len(also["untested_gxp"]) == ANSWERS["untested_gxp_count"]
    # Counting every untested requirement, not only the GxP-critical ones, is not accepted.
    assert not accepted("untested_gxp_count", len(trace.untested_requirements()))
    assert list(trace.blocking_failures()["test_id"]) == ANSWERS["blocking_failures"]

    means = unit_scores(manager.readiness_survey)
    barriers = barrier_point(means)
    assert set(barriers.index[barriers == "knowledge"]) == set(ANSWERS["knowledge_barrier_units"])
    assert set(means.index[means["knowledge"] < 3.0]) == set(also["knowledge_low_units"])
    training = manager.training_attendance
    east = training[training["unit"] == "5 East surgical"]
    assert round(100 * east["completed_on"].notna().mean(), 1) == ANSWERS["trained_5east_pct"]
    sessions = 100 * east["sessions_attended"].sum() / east["sessions_required"].sum()
    assert round(sessions, 1) == also["trained_5east_sessions_pct"]
    assert not accepted("trained_5east_pct", sessions)  # the question counts people, not sessions
