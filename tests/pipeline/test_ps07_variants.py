"""ps07: a class in which every learner works their own variant of the case (stock nbgrader autograde)."""

import pytest

from hitpm_widgets import load_case
from hitpm_widgets.variants import make_variant, read_recorded

from .course import recorded_case, shown_in_cell, variant_classroom
from .course import saved_sheet as course_saved_sheet
from .specs.ps07 import ASSIGNMENT, CASE, CELL_QUESTIONS, KEY, SPEC, accepted, sheet_questions

POINTS = SPEC.points
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SLUG = KEY.CASE
FIGURES = ("leader_margin", "breakeven_weight_pct", "tco_subscription", "failing_messages", "unmappable_records",
           "unaccounted_records")


def saved_sheet(folder):
    return course_saved_sheet(folder, ASSIGNMENT, sheet_questions)


def expected_scores(answers_folder, case) -> dict:
    """The points of a submission carrying the answers saved in `answers_folder`, graded against `case`:
    a cell is lost when one of its answers is not what the key accepts for that case, and only then."""
    sheet = saved_sheet(answers_folder)
    return {cell: points if all(accepted(key, sheet[key], case) for key in CELL_QUESTIONS[cell]) else 0
            for cell, points in POINTS.items()}


def variant_case_of(folder):
    return recorded_case(SLUG, folder)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """alice, bob, carol (bob's folder) and dave (bob's answers, his own variant)."""
    return variant_classroom(tmp_path_factory.mktemp("classroom"), ASSIGNMENT, SLUG, "dave")


def test_two_learners_running_the_source_get_their_own_figures_and_full_marks(classroom):
    course, work, _ = classroom
    alice, bob = (KEY.answers(variant_case_of(work[learner])) for learner in ("alice", "bob"))
    published = KEY.answers(CASE)
    for key in FIGURES:
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
        assert expected["ps07-test-signoff"] == POINTS["ps07-test-signoff"]  # a judgement, not a figure


def test_regrading_gives_the_same_scores(classroom):
    course, _, first = classroom
    assert {learner: course.scores(ASSIGNMENT, learner) for learner in first} == first


def test_the_graded_notebook_shows_whose_numbers_and_never_their_key_figures(classroom):
    course, work, _ = classroom
    shown = shown_in_cell(course.root / "autograded" / "alice" / ASSIGNMENT / NOTEBOOK, "ps07-variant")
    figures = KEY.key_figures(variant_case_of(work["alice"]))
    assert f"The numbers of alice for {ASSIGNMENT}" in shown
    assert figures["weighted totals"] not in shown and "Aldercrest" not in shown
