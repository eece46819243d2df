"""`hitpm grade` gives exactly the grades stock `nbgrader autograde` gives, on a class that mixes right,
partial, blank and broken submissions (two tampered, three forging), all late, so that nbgrader's late
penalty is compared too."""

from __future__ import annotations

import pytest

from .classroom import ASSIGNMENT, ORDINARY_AND_TAMPERED, POINTS, Classroom
from .hostile import FORGERS, claims_partly, code_only, tagged_to_skip

#: Blank maps whose answer cell would make every test pass where it runs, and one that forges its answer data.
FORGING = {"input-transformer": code_only(FORGERS["input-transformer"]),
           "patched-checks": code_only(FORGERS["patched-checks"]), "claims-partly": claims_partly(),
           "skip-tags": tagged_to_skip}
CLASS = {**ORDINARY_AND_TAMPERED, **FORGING}

LATE = """
c.LateSubmissionPlugin.penalty_method = "zero"
"""


def set_due_date(room: Classroom) -> None:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{room.root / 'gradebook.db'}") as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate="2026-01-01 00:00:00 UTC")


@pytest.fixture(scope="module")
def both(released, tmp_path_factory):
    """The same class graded twice: by stock nbgrader, and by hitpm grade."""
    stock = Classroom.copy_of(released, tmp_path_factory.mktemp("stock") / "course")
    kinds = stock.hand_in_class(len(CLASS), CLASS)
    ours = Classroom.copy_of(stock, tmp_path_factory.mktemp("ours") / "course")
    for room in (stock, ours):
        room.set_config(LATE)
        set_due_date(room)
    stock.nbgrader("autograde", ASSIGNMENT)
    result = ours.hitpm("grade", ASSIGNMENT, "--workers", "2", "--no-feedback", "--no-report")
    return stock, ours, kinds, result


def test_every_grade_cell_comment_and_penalty_is_the_same(both):
    stock, ours, _, _ = both
    expected, found = stock.grades(), ours.grades()
    assert set(found) == set(expected)
    for student in expected:
        assert found[student] == expected[student], student


def test_the_class_really_mixes_right_partial_blank_and_broken(both):
    stock, _, kinds, _ = both
    totals = stock.totals()
    by_kind = {kind: totals[student] for student, kind in kinds.items()}
    assert by_kind["right"] == sum(POINTS.values())
    assert 0 < by_kind["partly"] < by_kind["right"]
    assert by_kind["blank"] == by_kind["syntax"] == 0
    penalties = [cells[f"penalty {ASSIGNMENT}"] for cells in stock.grades().values()]
    assert any(penalty for penalty in penalties)  # the late penalty was applied, and compared


def test_stock_nbgrader_with_the_kits_configuration_runs_no_test_where_the_learners_code_ran(both):
    stock, _, kinds, _ = both
    totals = stock.totals()
    by_kind = {kind: totals[student] for student, kind in kinds.items()}
    assert by_kind["input-transformer"] == by_kind["patched-checks"] == by_kind["skip-tags"] == 0
    assert by_kind["claims-partly"] == by_kind["partly"]  # what it claims, no more


def test_it_graded_them_all_in_this_run_with_no_lock_waits(both):
    _, ours, kinds, result = both
    assert f"{len(kinds)} graded now" in result.stdout
    log = (ours.root / "grading" / f"{ASSIGNMENT}-grade.log").read_text()
    assert "database is locked" not in log and "could not grade" not in log


def test_force_grades_a_graded_submission_again_with_the_same_result(both):
    _, ours, kinds, _ = both
    student = next(s for s, kind in kinds.items() if kind == "partly")
    before = ours.grades()
    again = ours.hitpm("grade", ASSIGNMENT, "--student", student, "--no-feedback", "--no-report")
    assert "0 graded now, 1 graded before (--force grades them again)" in again.stdout
    forced = ours.hitpm("grade", ASSIGNMENT, "--student", student, "--force", "--no-feedback", "--no-report")
    assert "1 graded now" in forced.stdout
    assert ours.grades() == before
