"""ps08: a class in which every learner works their own variant of the go-live case (stock nbgrader autograde)."""

import pytest

from hitpm_widgets import load_case
from hitpm_widgets.variants import make_variant, read_recorded

from .course import recorded_case, shown_in_cell, variant_classroom
from .course import saved_sheet as course_saved_sheet
from .specs.ps08 import ASSIGNMENT, CASE, CELL_QUESTIONS, KEY, SPEC, sheet_questions

POINTS = SPEC.points
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SLUG = KEY.CASE
# The figures and lists that differ between variants (the judgement does not).
VARYING = ("checkpoint_start", "lab_switch_latest_start", "chart_down_hours",
           "interruptions_removed_per_day")


def saved_sheet(folder):
    return course_saved_sheet(folder, ASSIGNMENT, sheet_questions)


def expected_scores(answers_folder, case) -> dict:
    """The points of a submission carrying the answers saved in `answers_folder`, graded against `case`:
    a cell is lost when one of its answers is not the variant's (a figure beyond its tolerance, a list of ids
    not exactly the variant's, a choice not accepted), and only then."""
    sheet, right = saved_sheet(answers_folder), KEY.answers(case)
    scores = dict(POINTS)
    for cell, keys in CELL_QUESTIONS.items():
        for key in keys:
            if key in KEY.TOLERANCES:
                wrong = abs(sheet[key] - right[key]) > KEY.TOLERANCES[key]
            elif key in KEY.ACCEPTED:
                wrong = sheet[key] not in KEY.ACCEPTED[key]
            elif isinstance(right[key], str):  # a clock time
                wrong = sheet[key] not in KEY.clock_spellings(right[key])
            else:
                wrong = set(sheet[key]) != set(right[key])
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
    alice, bob = (KEY.answers(variant_case_of(work[learner])) for learner in ("alice", "bob"))
    published = KEY.answers(CASE)
    assert alice["interruptions_removed_per_day"] != bob["interruptions_removed_per_day"]
    assert [key for key in VARYING if alice[key] != bob[key] or alice[key] != published[key]]
    for learner in ("alice", "bob"):
        assert read_recorded(course.root / "submitted" / learner / ASSIGNMENT).learner == learner
        assert course.scores(ASSIGNMENT, learner) == POINTS


def test_handing_in_a_classmates_answers_loses_the_points_whose_figures_differ(classroom):
    course, work, _ = classroom
    for learner in ("carol", "dave"):
        own = load_case(SLUG, variant=make_variant(ASSIGNMENT, SLUG, learner))
        expected = expected_scores(work["bob"], own)
        lost = {cell for cell, points in expected.items() if points == 0}
        assert len(lost) >= 2, lost  # the variants differ enough for the test to mean something
        assert course.scores(ASSIGNMENT, learner) == expected
        assert expected["ps08-test-security-rule"] == POINTS["ps08-test-security-rule"]  # a judgement


def test_regrading_gives_the_same_scores(classroom):
    course, _, first = classroom
    assert {learner: course.scores(ASSIGNMENT, learner) for learner in first} == first


def test_the_graded_notebook_shows_whose_numbers_and_never_their_key_figures(classroom):
    course, work, _ = classroom
    shown = shown_in_cell(course.root / "autograded" / "alice" / ASSIGNMENT / NOTEBOOK, "ps08-variant")
    figures = KEY.key_figures(variant_case_of(work["alice"]))
    assert "The numbers of alice for ps08-go-live-week" in shown
    assert figures["risks at high or very high"] not in shown
    assert "The numbers of carol" in shown_in_cell(course.root / "autograded" / "carol" / ASSIGNMENT / NOTEBOOK,
                                                   "ps08-variant")
