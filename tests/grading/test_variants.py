"""`hitpm grade` grades every submission against the variant of the learner whose submission it is.

alice and bob run ps04's source as themselves and hand in their work; carol hands in bob's folder
(his answers and his variant). Each kernel is expected to run with HITPM_LEARNER set to the
submission's student id; the variant check in prepare.py puts carol's own variant in place of bob's
and flags it; the report shows each learner's key figures; --force grades again to the same scores.
"""

from __future__ import annotations

import html
import json

import nbformat
import pytest

from hitpm_widgets import load_case
from hitpm_widgets.variants import make_variant, read_recorded

from ..pipeline.test_ps04_variants import ASSIGNMENT, KEY, NOTEBOOK, POINTS, SLUG, TE, expected_scores
from .classroom import Classroom

LEARNERS = ("alice", "bob", "carol")


def scores(room: Classroom) -> dict[str, dict[str, float]]:
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{room.root / 'gradebook.db'}") as gradebook:
        return {s.student_id: {g.name: g.score for nb in s.notebooks for g in nb.grades if g.cell_type == "code"}
                for s in gradebook.assignment_submissions(ASSIGNMENT)}


def say_the_kernels_learner(folder) -> None:
    """A code answer that prints the learner the grading kernel runs as (a learner may write any code here)."""
    path = folder / NOTEBOOK
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ps04-answer-sheet"]
    cell.source = "import os\nprint('kernel learner:', os.environ.get('HITPM_LEARNER'))"
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    room = Classroom(tmp_path_factory.mktemp("variants") / "course")
    room.generate(ASSIGNMENT)
    work = {learner: room.run_source_as(learner, ASSIGNMENT) for learner in ("alice", "bob")}
    for learner in ("alice", "bob"):
        say_the_kernels_learner(room.hand_in_work(learner, ASSIGNMENT, work[learner]))
    room.hand_in_work("carol", ASSIGNMENT, work["bob"])
    room.hitpm("grade", ASSIGNMENT, "--workers", "2", "--no-feedback")
    first = scores(room)
    room.hitpm("grade", ASSIGNMENT, "--workers", "2", "--no-feedback", "--force")
    return room, work, first


def test_each_learner_is_graded_against_their_own_variant(graded):
    room, work, first = graded
    assert first["alice"] == first["bob"] == POINTS
    carol = load_case(SLUG, variant=make_variant(ASSIGNMENT, SLUG, "carol"))
    expected = expected_scores(work["bob"], carol)
    assert sum(expected.values()) < sum(POINTS.values())
    assert first["carol"] == expected


def test_the_kernels_run_as_the_submitting_learner(graded):
    room, _, _ = graded
    for learner in ("alice", "bob"):
        nb = nbformat.read(room.root / "autograded" / learner / ASSIGNMENT / NOTEBOOK, as_version=4)
        printed = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
        assert f"kernel learner: {learner}" in printed


def test_a_classmates_variant_is_flagged_and_replaced_by_the_learners_own(graded):
    room, _, _ = graded
    findings = json.loads((room.root / "grading" / f"{ASSIGNMENT}-findings.json").read_text())
    flagged = {student: [f for f in kept["findings"] if f["kind"] == "variant"] for student, kept in findings.items()}
    assert flagged["alice"] == flagged["bob"] == []
    (finding,) = flagged["carol"]
    assert "'bob'" in finding["reason"] and "carol's own numbers" in finding["reason"]
    assert read_recorded(room.root / "submitted" / "carol" / ASSIGNMENT).learner == "bob"  # the submission is kept


def test_regrading_with_force_gives_the_same_scores(graded):
    room, _, first = graded
    assert scores(room) == first


def test_the_report_shows_each_learners_key_figures(graded):
    room, work, _ = graded
    # Entities read back as their characters: which spelling of an escaped quote the page uses does not matter.
    report = html.unescape((room.root / "grading" / f"{ASSIGNMENT}-report.html").read_text(encoding="utf-8"))
    assert "Each learner's numbers" in report
    for learner in LEARNERS:
        case = load_case(SLUG, variant=make_variant(ASSIGNMENT, SLUG, learner))
        assert f"<th scope='row'>{learner}</th><td>{learner}'s" in report
        assert f"<td class='n'>{KEY.key_figures(case)[TE]}</td>" in report
