"""ps04: a class in which every learner works their own variant of the case (stock nbgrader autograde)."""

import pytest

from hitpm_widgets import load_case
from hitpm_widgets.variants import make_variant, read_recorded

from .course import recorded_case, shown_in_cell, variant_classroom
from .course import saved_sheet as course_saved_sheet
from .specs.ps04 import ASSIGNMENT, CASE, CELL_QUESTIONS, KEY, SPEC, questions

POINTS = SPEC.points
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
TE = "tE of the critical path (working days)"  # a key figure the report shows, not a graded answer


# -- a class: every learner works their own variant of the case ------------------------------------------

SLUG = KEY.CASE


def the_figures(case) -> dict:
    """A variant's right answers: the answer key's, computed from the variant's tables."""
    return KEY.answers(case)


def saved_sheet(folder):
    return course_saved_sheet(folder, ASSIGNMENT, questions)


def expected_scores(answers_folder, case) -> dict:
    """The points of a submission carrying the answers saved in `answers_folder`, graded against `case`:
    a cell is lost when one of its figures is off by more than the cell's tolerance, and only then."""
    sheet, right = saved_sheet(answers_folder), the_figures(case)
    scores = dict(POINTS)
    for cell, keys in CELL_QUESTIONS.items():
        for key in keys:
            wrong = (abs(sheet[key] - right[key]) > KEY.TOLERANCES[key] if key in KEY.TOLERANCES
                     else sheet[key] != right[key])
            if wrong:
                scores[cell] = 0
    return scores


def variant_case_of(folder):
    return recorded_case(SLUG, folder)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """alice, bob, carol (bob's folder) and dave (bob's answers, his own variant)."""
    return variant_classroom(tmp_path_factory.mktemp("classroom"), ASSIGNMENT, SLUG, "dave")


def test_two_learners_running_the_source_get_their_own_figures_and_full_marks(classroom):
    course, work, _ = classroom
    alice, bob = (the_figures(variant_case_of(work[learner])) for learner in ("alice", "bob"))
    published = the_figures(CASE)
    for key in ("sd_days", "normal_chance_pct", "training_cv", "training_eac", "velocity_average", "testing_days"):
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


def test_the_graded_notebook_shows_whose_numbers_and_never_their_key_figures(classroom):
    # The graded notebook is what the learner's feedback is made from: the key figures are in the report only.
    course, work, _ = classroom
    shown = shown_in_cell(course.root / "autograded" / "alice" / ASSIGNMENT / NOTEBOOK, "ps04-variant")
    te = KEY.key_figures(variant_case_of(work["alice"]))[TE]
    assert "The numbers of alice for ps04-emr-schedule-and-value" in shown
    assert f"{round(te, 2)}" not in shown and "tE" not in shown
    assert "The numbers of carol" in shown_in_cell(course.root / "autograded" / "carol" / ASSIGNMENT / NOTEBOOK,
                                                   "ps04-variant")
