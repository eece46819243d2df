"""Every graded workbook from source to grades with stock nbgrader: release, three submissions (untouched,
right, partly wrong), autograde, gradebook. What differs between workbooks is in tests/pipeline/specs/."""

import pytest

from .course import CourseCopy, solution_cell_sources
from .shown import every_answer, leaks, locked_outputs
from .specs import SPECS
from .specs.spec import error_messages, graded_code_cells

BY_NAME = {spec.assignment: spec for spec in SPECS}


@pytest.fixture(scope="module", params=[spec.assignment for spec in SPECS])
def graded(request, tmp_path_factory):
    """The workbook's spec and a course copy in which its three submissions are autograded."""
    spec = BY_NAME[request.param]
    course = CourseCopy(tmp_path_factory.mktemp(spec.assignment))
    course.generate(spec.assignment)
    course.submit("untouched", spec.assignment)
    right = course.submit("right", spec.assignment)
    partly = course.submit("partly", spec.assignment)
    for folder, partly_wrong in ((right, False), (partly, True)):
        spec.answer(folder, partly_wrong)
        for exercise_id in spec.answer_files:  # the learner's work is in answer files, not in the notebook
            assert (folder / ".hitpm" / "answers" / f"{exercise_id}.json").is_file()
    spec.write(right / spec.notebook)
    # The same submissions graded by hitpm grade too: tests in a kernel of their own, on the answers as data.
    by_hitpm = course.copy_to(course.root.parent / f"{course.root.name}-hitpm")
    course.autograde(spec.assignment)
    by_hitpm.hitpm_grade(spec.assignment)
    return spec, course, by_hitpm


def test_the_release_holds_no_solutions_no_hidden_tests_and_no_answers(graded):
    spec, course, _ = graded
    released = spec.released(course)
    text = released.read_text(encoding="utf-8")
    for secret in ("BEGIN SOLUTION", "BEGIN HIDDEN TESTS", "Model answer", *spec.secrets):
        assert secret not in text, secret
    assert [p.name for p in released.parent.iterdir()] == [spec.notebook]
    stubs = solution_cell_sources(released)
    assert stubs[0].startswith("# YOUR CODE HERE") and "raise" not in stubs[0]
    assert graded_code_cells(released) == spec.points
    spec.check_release(released, text)


def test_the_workbooks_own_cells_show_no_graded_answer_of_any_workbook(graded):
    # The untouched submission is the student version run top to bottom: what its read-only cells show a learner.
    spec, course, _ = graded
    shown = locked_outputs(course.root / "autograded" / "untouched" / spec.assignment / spec.notebook)
    assert shown  # the workbook shows its case: an empty list would mean the outputs were not read
    assert not leaks(shown, every_answer()), spec.assignment


def test_the_untouched_student_version_scores_nothing(graded):
    spec, course, _ = graded
    scores = course.scores(spec.assignment, "untouched")
    assert set(scores) == set(spec.points)
    assert sum(scores.values()) == 0


def test_answers_given_only_through_the_widgets_and_the_form_get_every_point(graded):
    spec, course, _ = graded
    assert course.scores(spec.assignment, "right") == spec.points
    for exercise_id in spec.answer_files:
        answer = f"{spec.assignment}/.hitpm/answers/{exercise_id}.json"
        graded_file = course.root / "autograded" / "right" / answer
        submitted = course.root / "submitted" / "right" / answer
        assert graded_file.read_text() == submitted.read_text()  # grading read the answers and wrote nothing
    assert error_messages(course, spec.assignment, "right") == {}


def test_the_designed_mistakes_lose_exactly_their_cells(graded):
    spec, course, _ = graded
    expected = {cell: 0 if cell in spec.partly_lost else points for cell, points in spec.points.items()}
    scores = course.scores(spec.assignment, "partly")
    assert scores == expected
    assert sum(scores.values()) == spec.partly_total
    assert set(error_messages(course, spec.assignment, "partly")) == spec.partly_lost


def test_written_answers_wait_for_the_instructor_and_empty_ones_score_nothing(graded):
    spec, course, _ = graded
    assert course.manual_cells_needing_grade(spec.assignment, "right") == list(spec.manual)
    assert course.manual_cells_needing_grade(spec.assignment, "untouched") == []
    assert course.manual_cells_needing_grade(spec.assignment, "partly") == []
    assert course.total(spec.assignment, "untouched") == 0


def test_what_only_this_workbook_checks_on_its_graded_submissions(graded):
    spec, course, _ = graded
    spec.check_graded(course)


def test_hitpm_grade_gives_every_cell_the_grade_stock_nbgrader_gives(graded):
    spec, course, by_hitpm = graded
    for student in ("untouched", "right", "partly"):
        assert by_hitpm.scores(spec.assignment, student) == course.scores(spec.assignment, student), student
    assert error_messages(by_hitpm, spec.assignment, "partly") == error_messages(course, spec.assignment, "partly")


@pytest.mark.parametrize("check", [check for spec in SPECS for check in spec.check_references],
                         ids=lambda check: f"{check.__module__.rsplit('.', 1)[-1]}-{check.__name__}")
def test_the_reference_answers_agree_with_the_cases(check, tmp_path):
    check(tmp_path)
