"""ps03 from source to grades with stock nbgrader: release, three submissions, autograde, gradebook."""

import nbformat
import pytest

from hitpm_widgets import ChangeReadiness, LeadershipScenarios, QuestionSheet, RaciChart, load_case
from hitpm_widgets.change_readiness import ADKAR_ELEMENTS

from ..conftest import FIXTURES
from .course import CourseCopy, read_json, solution_cell_sources

ASSIGNMENT = "ps03-leading-change"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
EXERCISES = ("ps03-readiness", "ps03-raci", "ps03-scenarios", "ps03-answers")
CASE_REFERENCE = read_json(FIXTURES / "middle_manager_reference.json")
REFERENCE = read_json(FIXTURES / "ps03_reference.json")
POINTS = {
    "ps03-test-barriers-inpatient": 2,
    "ps03-test-barriers-other": 2,
    "ps03-test-raci-rules": 1,
    "ps03-test-raci-owners": 1,
    "ps03-test-modes": 2,
    "ps03-test-leadership": 2,
    "ps03-test-stalled": 1,
    "ps03-test-override": 1,
}

# The partly wrong learner makes three mistakes, each of which loses exactly one test cell, and takes
# three accepted alternatives, which lose nothing:
# - 5 East surgical diagnosed at ability, its lowest element, instead of knowledge, its first low one
#   (the mistake the teaching note's rubric names): the inpatient units' cell (2 points) is lost;
# - G06 (triage and log problems on the units) owned by the vendor, the "with the vendor" / "with the
#   hospital" bounce of the case. The chart still keeps every rule (the vendor is R or A on 6 of 15
#   tasks, exactly 40 %), so the rules point stays and the owners point (1) is lost. G05 owned by the
#   vendor and G08 by the pharmacy lead are accepted alternatives;
# - Liam (C2) judged R4 and led with S4 delegating: Maren's own misreading ("he volunteered, so I
#   assumed he was fine"). The style answers the readiness chosen, so the visible check passes and only
#   the readiness cell (2) is lost. C4 answered with accommodating, an accepted mode, keeps the modes.
WRONG_BARRIERS = {"5 East surgical": "ability"}
WRONG_RACI = {
    ("G05", "it_service_desk"): "R", ("G05", "vendor"): "A",  # accepted: the vendor runs the command centre
    ("G06", "it_service_desk"): "R", ("G06", "vendor"): "A",  # wrong: the hospital must own unit problems
    ("G08", "cmio"): "C", ("G08", "pharmacy_lead"): "A",  # accepted: alert rules are the pharmacy lead's
}
WRONG_SCENARIOS = {"C2": {"readiness": "R4", "style": "S4"}, "C4": {"mode": "accommodating"}}
PARTLY_LOST = {"ps03-test-barriers-inpatient", "ps03-test-raci-owners", "ps03-test-leadership"}
PARTLY_TOTAL = 7


def question_sheet(folder):
    """The sheet with the notebook's keys and options (the notebook checks every answer against its own)."""
    departments = list(load_case("middle-manager").adoption_weekly["department"].cat.categories)
    return QuestionSheet("ps03-answers", [
        {"key": "stalled_departments", "prompt": "stalled", "type": "choices", "options": departments},
        {"key": "override_outlier", "prompt": "outlier", "type": "choice", "options": departments},
    ], directory=folder)


def answer_through_the_models(folder, *, wrong=False):
    """What a learner does in the widgets and the form: only the models' answer files change, no code cell."""
    case = load_case("middle-manager")
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        readiness = ChangeReadiness("ps03-readiness", case.readiness_survey, directory=folder)
        barriers = {**CASE_REFERENCE["barrier_points"], **(WRONG_BARRIERS if wrong else {})}
        for unit, barrier in barriers.items():
            readiness.diagnose(unit, barrier, focus="What the unit needs next, from the survey")

        raci = RaciChart("ps03-raci", case.raci, directory=folder)
        for task, letters in REFERENCE["raci_corrected"].items():
            for role, letter in zip(REFERENCE["raci_roles"], letters, strict=True):
                raci.assign(task, role, (WRONG_RACI if wrong else {}).get((task, role), letter))
        assert raci.is_valid()  # the partly wrong chart too: its one mistake is an owner, not a rule

        scenarios = LeadershipScenarios("ps03-scenarios", case.conflict_scenarios, directory=folder)
        for scenario_id, reference in CASE_REFERENCE["scenarios"].items():
            given = {part: reference[part] for part in ("mode", "readiness", "style")}
            given.update(WRONG_SCENARIOS.get(scenario_id, {}) if wrong else {})
            scenarios.answer(scenario_id, **given, reason="The stakes, the time and the person's evidence.")

        sheet = question_sheet(folder)
        sheet.answer("stalled_departments", CASE_REFERENCE["stalled_departments"])
        sheet.answer("override_outlier", CASE_REFERENCE["override_outlier"])
    for exercise_id in EXERCISES:
        assert (folder / ".hitpm" / "answers" / f"{exercise_id}.json").is_file()


def write_plan(notebook_path):
    notebook = nbformat.read(notebook_path, as_version=4)
    (cell,) = [c for c in notebook.cells
               if c.metadata.get("nbgrader", {}).get("grade_id") == "ps03-answer-plan"]
    cell.source = ("| area | communication | training | support |\n| --- | --- | --- | --- |\n"
                   "| ICU | huddles from 26 May | catch-up by 6 June | a super-user on every shift |")
    nbformat.write(notebook, notebook_path)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = CourseCopy(tmp_path_factory.mktemp("course"))
    course.generate(ASSIGNMENT)
    course.submit("untouched", ASSIGNMENT)
    right = course.submit("right", ASSIGNMENT)
    answer_through_the_models(right)
    write_plan(right / NOTEBOOK)
    answer_through_the_models(course.submit("partly", ASSIGNMENT), wrong=True)
    course.autograde(ASSIGNMENT)
    return course


def error_messages(course, student):
    """Each failed test cell's message in the autograded notebook, by grade id."""
    path = course.root / "autograded" / student / ASSIGNMENT / NOTEBOOK
    notebook = nbformat.read(path, as_version=4)
    return {
        cell.metadata["nbgrader"]["grade_id"]: output["evalue"]
        for cell in notebook.cells
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade")
        for output in cell.outputs
        if output["output_type"] == "error"
    }


def test_the_release_holds_no_solutions_no_hidden_tests_and_no_answers(course):
    released = course.root / "release" / ASSIGNMENT
    text = (released / NOTEBOOK).read_text(encoding="utf-8")
    secrets = (
        # nbgrader's markers, the instructors' model plan, and every call that holds a reference answer
        "BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Model answer", "check_barrier_points(readiness",
        "check_accountable(raci", "check_conflict_modes(scenarios", "check_readiness_levels(scenarios",
        "check_selection(answers", "check_choice(answers", "readiness.diagnose('4 West medical'",
        "raci.assign('G06'", "scenarios.answer('C1'", "overridden.idxmax()",
        # and the reference answers themselves, as the hidden tests spell them
        "'5 East surgical': 'knowledge'", "'G06': ['it_service_desk']", "'C2': 'R2'",
    )
    for secret in secrets:
        assert secret not in text, secret
    assert [p.name for p in released.iterdir()] == [NOTEBOOK]
    stubs = [source for source in solution_cell_sources(released / NOTEBOOK) if source != "YOUR ANSWER HERE"]
    assert len(stubs) == 4  # readiness, RACI, scenarios, hotspots: all answerable in the widgets instead
    assert all(stub.startswith("# YOUR CODE HERE") and "raise" not in stub for stub in stubs)
    # The slip checks stay visible: a learner can run them before handing in.
    for visible in ("check_diagnosed(readiness", "check_raci_valid(raci)", "check_single_accountable(raci",
                    "check_scenarios_answered(scenarios", "check_styles_match_readiness(scenarios",
                    "check_answered(answers", "ChangeReadinessView(readiness, show_barrier=False)"):
        assert visible in text, visible


def test_the_untouched_student_version_scores_nothing(course):
    scores = course.scores(ASSIGNMENT, "untouched")
    assert set(scores) == set(POINTS)
    assert sum(scores.values()) == 0


def test_answers_given_only_through_the_widget_models_get_every_point(course):
    assert course.scores(ASSIGNMENT, "right") == POINTS
    assert sum(POINTS.values()) == 12
    for exercise_id in EXERCISES:
        answer = f".hitpm/answers/{exercise_id}.json"
        graded = course.root / "autograded" / "right" / ASSIGNMENT / answer
        submitted = course.root / "submitted" / "right" / ASSIGNMENT / answer
        assert graded.read_text() == submitted.read_text()  # grading read the answer and wrote nothing


def test_three_mistakes_lose_exactly_their_cells_and_accepted_alternatives_lose_nothing(course):
    expected = {cell: 0 if cell in PARTLY_LOST else points for cell, points in POINTS.items()}
    scores = course.scores(ASSIGNMENT, "partly")
    assert scores == expected
    assert sum(scores.values()) == PARTLY_TOTAL


def test_the_messages_say_what_is_wrong_without_giving_the_answer(course):
    messages = error_messages(course, "partly")
    assert set(messages) == PARTLY_LOST

    barriers = messages["ps03-test-barriers-inpatient"]
    assert "1 of the 4 inpatient units" in barriers and "5 East surgical" in barriers
    # The rule is stated with every element in order; beyond it, no element is named.
    rest = barriers.replace("in the order awareness, desire, knowledge, ability, reinforcement", "")
    assert not [element for element in ADKAR_ELEMENTS if element in rest]

    owners = messages["ps03-test-raci-owners"]
    assert "G06" in owners and "G05" not in owners and "G08" not in owners
    assert not [role for role in REFERENCE["raci_roles"] if role in owners]

    leadership = messages["ps03-test-leadership"]
    assert "C2" in leadership and "C4" not in leadership
    assert not [level for level in ("R1", "R2", "R3", "R4", "S1", "S2", "S3", "S4") if level in leadership]


def test_the_untouched_version_is_told_what_to_do_first(course):
    messages = error_messages(course, "untouched")
    assert set(messages) == set(POINTS)
    assert messages["ps03-test-barriers-other"].startswith("Diagnose the barrier point of: Emergency")
    assert "G05, G06, G08, G10, G12, G13" in messages["ps03-test-raci-rules"]
    assert "nurse_manager" in messages["ps03-test-raci-rules"]
    assert messages["ps03-test-modes"].startswith(
        "Complete these scenarios first: C1 (no mode and no reason)")
    assert messages["ps03-test-stalled"] == "Answer these questions first: stalled_departments."


def test_a_written_plan_waits_for_the_instructor_and_an_empty_one_scores_nothing(course):
    assert course.manual_cells_needing_grade(ASSIGNMENT, "right") == ["ps03-answer-plan"]
    assert course.manual_cells_needing_grade(ASSIGNMENT, "untouched") == []
    assert course.total(ASSIGNMENT, "untouched") == 0

