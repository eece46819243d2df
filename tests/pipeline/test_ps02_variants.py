"""ps02: a class in which every learner works their own variant of the case (stock nbgrader autograde)."""

import pytest

from hitpm_widgets import QuestionSheet, RiskRegister, load_case
from hitpm_widgets.variants import make_variant, read_recorded

from .course import recorded_case, shown_in_cell, variant_classroom
from .specs.ps02 import ASSIGNMENT, KEY, QUESTIONS, SPEC

POINTS = SPEC.points
NOTEBOOK = f"{ASSIGNMENT}.ipynb"


# -- a class: every learner works their own variant of the case ------------------------------------------

SLUG = KEY.CASE
# The graded figures of each test cell, which vary with the learner's variant (ratings, responses and the
# traceability gaps do not); their tolerances are the answer key's.
CELL_FIGURES = {
    "ps02-test-schedule": ("interfaces_path_te_days", "interfaces_path_sd_days"),
    "ps02-test-schedule-interfaces": ("interfaces_doubled_path_chance_pct",),
}


def the_figures(case) -> dict:
    """A variant's right figures, from the answer key."""
    return KEY.answers(case)


def saved_answers(folder, case):
    """The register and the sheet as grading restores them from the answers saved in `folder`."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        register = RiskRegister("ps02-ctms-risks", case.risks.drop(columns="evidence"),
                                categories=list(case.risks["category"].cat.categories), directory=folder)
        return register, QuestionSheet("ps02-answers", QUESTIONS, directory=folder)


def expected_scores(answers_folder, case) -> dict:
    """The points of a submission carrying the answers saved in `answers_folder`, graded against `case`."""
    register, sheet = saved_answers(answers_folder, case)
    right = the_figures(case)
    scores = dict(POINTS)
    for cell, keys in CELL_FIGURES.items():
        if any(abs(sheet[key] - right[key]) > KEY.TOLERANCES[key] for key in keys):
            scores[cell] = 0
    if abs(sheet["contingency_reserve"] - register.contingency_reserve()) > KEY.TOLERANCES["contingency_reserve"]:
        scores["ps02-test-reserve"] = 0
    return scores


def variant_case_of(folder):
    return recorded_case(SLUG, folder)


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """alice, bob, carol (bob's folder) and erin (bob's answers, her own variant). Schedule figures are
    graded within a few points: a classmate whose figures fall within them loses nothing, as dave would."""
    return variant_classroom(tmp_path_factory.mktemp("classroom"), ASSIGNMENT, SLUG, "erin")


def test_two_learners_running_the_source_get_their_own_figures_and_full_marks(classroom):
    course, work, _ = classroom
    alice, bob = (variant_case_of(work[learner]) for learner in ("alice", "bob"))
    assert list(alice.risks["monetary_impact"]) != list(bob.risks["monetary_impact"])
    assert the_figures(alice) != the_figures(bob)
    for learner in ("alice", "bob"):
        assert read_recorded(course.root / "submitted" / learner / ASSIGNMENT).learner == learner
        assert course.scores(ASSIGNMENT, learner) == POINTS


def test_handing_in_a_classmates_answers_loses_the_points_whose_figures_differ(classroom):
    course, work, _ = classroom
    for learner in ("carol", "erin"):
        own = load_case(SLUG, variant=make_variant(ASSIGNMENT, SLUG, learner))
        expected = expected_scores(work["bob"], own)
        assert sum(expected.values()) < sum(POINTS.values()), expected  # the variants differ enough to matter
        assert course.scores(ASSIGNMENT, learner) == expected


def test_regrading_gives_the_same_scores(classroom):
    course, _, first = classroom
    assert {learner: course.scores(ASSIGNMENT, learner) for learner in first} == first


def test_the_graded_notebook_shows_whose_numbers_and_never_their_key_figures(classroom):
    # The graded notebook is what the learner's feedback is made from: the key figures are in the report only.
    course, work, _ = classroom
    shown = shown_in_cell(course.root / "autograded" / "alice" / ASSIGNMENT / NOTEBOOK, "ps02-variant")
    p80 = KEY.key_figures(variant_case_of(work["alice"]))["P80 (working days)"]
    assert "The numbers of alice for ps02-ctms-risk" in shown
    assert f"{round(p80, 1)}" not in shown and "P80" not in shown
