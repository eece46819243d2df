"""Learners who have read how grading works and want the points without the work (issue 18).

Each forger hands in a blank map and one line in the answer cell that would make every test pass in
the kernel that runs it. The tests run in a second kernel on the answers as data, so each gets 0 and
is flagged; a learner who forges the answer data itself gets exactly what it claims, no more.
"""

from __future__ import annotations

import json

import nbformat
import pytest

from ..conftest import REPO
from .classroom import ASSIGNMENT, NOTEBOOK, grade_id
from .hostile import FORGERS

#: Tests that read the answer key: they cannot pass in the learner's kernel, which never has the key (a learner
#: could read it there), so a forger there is not caught by them, only graded by them.
READ_THE_KEY = {grade_id(cell) for cell in nbformat.read(REPO / "workbooks" / ASSIGNMENT / NOTEBOOK, 4).cells
                if "import answer_key" in cell.source}

PASSED_IN_OWN_KERNEL = "passed in the learner's own kernel but fails on the answers"


def findings(run, student: str) -> list[dict]:
    kept = json.loads((run.room.root / "grading" / f"{ASSIGNMENT}-findings.json").read_text())
    return kept.get(student, {}).get("findings", [])


def scores_of_tests(run, student: str) -> dict[str, tuple]:
    return {name: grade for name, grade in run.room.grades()[student].items()
            if name.startswith("ps01-test-")}


@pytest.mark.parametrize("student", sorted(FORGERS))
def test_a_blank_map_that_tampers_with_the_tests_gets_nothing_and_is_flagged(hostile_run, student):
    assert hostile_run.room.totals()[student] == 0
    flagged = {f["cell"] for f in findings(hostile_run, student)
               if f["kind"] == "tampering" and PASSED_IN_OWN_KERNEL in f["reason"]}
    # Every test passed where the forger's code ran: the attack worked there, and counted for nothing.
    assert READ_THE_KEY and "ps01-test-complete" not in READ_THE_KEY
    assert flagged == set(scores_of_tests(hostile_run, student)) - READ_THE_KEY, findings(hostile_run, student)
    assert f"hitpm grade: {student}: tampering" in hostile_run.result.stdout


@pytest.mark.parametrize("student", ["claims-partly", "claims-partly-and-skips-tests"])
def test_forged_answer_data_gets_what_it_claims_and_no_more(hostile_run, student):
    honest = scores_of_tests(hostile_run, "partly")
    assert 0 < hostile_run.room.totals()["partly"] < 9
    assert scores_of_tests(hostile_run, student) == honest


def test_a_forger_that_also_skips_the_tests_is_flagged_an_honest_learner_is_not(hostile_run):
    assert any(f["kind"] == "tampering" and PASSED_IN_OWN_KERNEL in f["reason"]
               for f in findings(hostile_run, "claims-partly-and-skips-tests"))
    assert not any(f["kind"] == "tampering" for f in findings(hostile_run, "partly")), findings(hostile_run, "partly")
    assert not any(f["kind"] == "tampering" for f in findings(hostile_run, "claims-partly"))


def test_the_graded_notebook_shows_the_learners_code_and_the_clean_kernels_test_results(hostile_run):
    cells = hostile_run.room.graded_notebook("input-transformer").cells
    (answer,) = [c for c in cells if grade_id(c) == "ps01-answer-map"]
    assert "input_transformers_cleanup" in answer.source  # what the learner wrote, for the instructor to see
    (test,) = [c for c in cells if grade_id(c) == "ps01-test-complete"]
    assert "check_placed(smap)" in test.source
    assert [o["ename"] for o in test.outputs if o["output_type"] == "error"] == ["AssertionError"]
    assert "restore(" not in "".join(c.source for c in cells)


def test_test_cells_tagged_to_be_skipped_still_run(hostile_run):
    assert hostile_run.room.totals()["skip-tags"] == 0
    cells = hostile_run.room.graded_notebook("skip-tags").cells
    tests = [c for c in cells if (grade_id(c) or "").startswith("ps01-test-")]
    assert tests and all(any(o["output_type"] == "error" for o in c.outputs) for c in tests)


def test_a_learner_can_neither_import_the_instructors_answer_key_nor_hand_in_one_of_their_own(hostile_run):
    # The key is in no folder the learner's kernel sees: the cell that would place the map from it fails there.
    assert hostile_run.room.totals()["imports-the-key"] == 0
    cells = hostile_run.room.graded_notebook("imports-the-key").cells
    (answer,) = [c for c in cells if grade_id(c) == "ps01-answer-map"]
    assert [o.get("evalue") for o in answer.outputs if o["output_type"] == "error"] == ["No module named 'answer_key'"]
    # A key handed in with the submission is not the one the tests read: the partly right map scores as it is.
    assert scores_of_tests(hostile_run, "own-answer-key") == scores_of_tests(hostile_run, "partly")
