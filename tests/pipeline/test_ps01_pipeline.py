"""ps01 from source to grades with stock nbgrader: release, three submissions, autograde, gradebook."""

import nbformat
import pytest

from hitpm_widgets import StakeholderMap, load_case

from ..conftest import FIXTURES
from .course import CourseCopy, read_json, solution_cell_sources

ASSIGNMENT = "ps01-emr-stakeholders"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
REFERENCE = read_json(FIXTURES / "emr_stakeholder_reference.json")
POINTS = {
    "ps01-test-complete": 1,
    "ps01-test-quadrants-executive": 1,
    "ps01-test-quadrants-clinical": 1,
    "ps01-test-quadrants-operations": 1,
    "ps01-test-quadrants-external": 1,
    "ps01-test-salience-internal": 1,
    "ps01-test-salience-others": 1,
    "ps01-test-manage-closely": 2,
}
# Two placements wrong: the CFO put low on interest (an executive, and one the go-live needs managed
# closely) and the community practices put high on interest (external).
WRONG = {"CFO": (9, 2), "Community practices": (2, 6)}
PARTLY_LOST = {"ps01-test-quadrants-executive", "ps01-test-quadrants-external", "ps01-test-manage-closely"}


def answer_through_the_model(folder, wrong=None):
    """What a learner does in the widget: only the model's answer file changes, no code cell."""
    names = list(load_case("emr-rollout").stakeholders["name"])
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        smap = StakeholderMap(ASSIGNMENT, names, directory=folder)
        for name, reference in REFERENCE["stakeholders"].items():
            power, interest = (wrong or {}).get(name, (reference["power"], reference["interest"]))
            smap.place(name, power=power, interest=interest)
            smap.set_salience(name, **reference["salience"])
    assert (folder / ".hitpm" / "answers" / f"{ASSIGNMENT}.json").is_file()


def write_engagement_plan(notebook_path):
    notebook = nbformat.read(notebook_path, as_version=4)
    (cell,) = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ps01-answer-plan"]
    cell.source = "| stakeholder | action | by |\n| --- | --- | --- |\n| Nurses union | paid training time | 1 May |"
    nbformat.write(notebook, notebook_path)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = CourseCopy(tmp_path_factory.mktemp("course"))
    course.generate(ASSIGNMENT)
    course.submit("untouched", ASSIGNMENT)
    right = course.submit("right", ASSIGNMENT)
    answer_through_the_model(right)
    write_engagement_plan(right / NOTEBOOK)
    answer_through_the_model(course.submit("partly", ASSIGNMENT), wrong=WRONG)
    course.autograde(ASSIGNMENT)
    return course


def test_the_release_holds_no_solutions_no_hidden_tests_and_no_answers(course):
    released = course.root / "release" / ASSIGNMENT
    text = (released / NOTEBOOK).read_text(encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "check_quadrants(", "check_manage_closely(\\n    smap",
                   "Model answer", "smap.place('CMIO'"):
        assert secret not in text, secret
    assert [p.name for p in released.iterdir()] == [NOTEBOOK]
    stubs = solution_cell_sources(released / NOTEBOOK)
    assert stubs[0].startswith("# YOUR CODE HERE") and "raise" not in stubs[0]


def test_the_untouched_student_version_scores_nothing(course):
    scores = course.scores(ASSIGNMENT, "untouched")
    assert set(scores) == set(POINTS)
    assert sum(scores.values()) == 0


def test_answers_given_only_through_the_widget_model_get_every_point(course):
    assert course.scores(ASSIGNMENT, "right") == POINTS
    graded = course.root / "autograded" / "right" / ASSIGNMENT / ".hitpm" / "answers" / f"{ASSIGNMENT}.json"
    submitted = course.root / "submitted" / "right" / ASSIGNMENT / ".hitpm" / "answers" / f"{ASSIGNMENT}.json"
    assert graded.read_text() == submitted.read_text()  # grading read the answer and wrote nothing


def test_two_wrong_placements_lose_exactly_their_points(course):
    expected = {cell: 0 if cell in PARTLY_LOST else points for cell, points in POINTS.items()}
    scores = course.scores(ASSIGNMENT, "partly")
    assert scores == expected
    assert sum(scores.values()) == 5


def test_a_written_plan_waits_for_the_instructor_and_an_empty_one_scores_nothing(course):
    assert course.manual_cells_needing_grade(ASSIGNMENT, "right") == ["ps01-answer-plan"]
    assert course.manual_cells_needing_grade(ASSIGNMENT, "untouched") == []
    assert course.total(ASSIGNMENT, "untouched") == 0

