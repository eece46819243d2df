"""Answers as data between the learner's kernel and the test kernel (grading/answer_data.py, answer_plan.py)."""

from __future__ import annotations

import json

import nbformat
import numpy as np
import pandas as pd
import pytest

from hitpm_widgets import QuestionSheet
from hitpm_widgets.grading.answer_data import MAX_BYTES, AnswerDataError, collect, decode, encode, parse, restore
from hitpm_widgets.grading.answer_plan import AnswerPlan, AnswersTaken, instructor_cells


def sheet() -> QuestionSheet:
    return QuestionSheet(None, [{"key": "cpi", "prompt": "CPI", "minimum": 0}, {"key": "why", "prompt": "Why"}])


@pytest.mark.parametrize("value", [3, 2.5, "text", None, True, [1, "a", [2.0]], {"a": {"b": [1, 2]}}])
def test_plain_values_travel_as_they_are(value):
    assert decode(json.loads(json.dumps(encode(value)))) == value


def test_numbers_tables_and_series_travel_as_data():
    assert decode(encode(np.float64(1.25))) == 1.25 and decode(encode((1, 2))) == [1, 2]
    frame = pd.DataFrame({"unit": ["4 West", "5 East"], "share": [0.5, 0.75], "beds": [28, 32]})
    back = decode(json.loads(json.dumps(encode(frame))))
    pd.testing.assert_frame_equal(back, frame)
    series = pd.Series([1.5, 2.5], index=["a", "b"], name="cpi")
    pd.testing.assert_series_equal(decode(json.loads(json.dumps(encode(series)))), series)


@pytest.mark.parametrize("value", [len, pd, sheet(), {1: "a"}, [len], object()])
def test_what_has_behaviour_is_not_data(value):
    assert encode(value) is None


def test_collect_takes_every_exercise_and_the_wanted_data_but_no_function():
    answers = sheet()
    answers.answer("cpi", 0.91)
    namespace = {"sheet": answers, "total": 12, "helper": lambda: 1, "other": 5, "_hidden": 3}
    found = json.loads(collect(namespace, ["total", "helper"]))
    state = {"answers": {"cpi": 0.91}}
    assert found == {"sheet": {"exercise": "hitpm_widgets.questions.QuestionSheet", "state": state},
                     "total": {"value": {"json": 12}}}


def test_restore_gives_exercises_their_state_and_new_names_their_values_never_the_instructors_names():
    learner = sheet()
    learner.answer("cpi", 0.91)
    text = collect({"sheet": learner, "reference": 1.0, "total": 12, "len": 3}, ["reference", "total", "len"])
    target = sheet()
    namespace = {"sheet": target, "reference": 0.5}
    restore(namespace, text, owned=["sheet", "reference"])
    assert target["cpi"] == 0.91  # the learner's answer, through the sheet's own checks
    assert namespace["reference"] == 0.5  # set by the instructor's cells: stays theirs
    assert namespace["total"] == 12
    assert "len" not in namespace  # no shadowing of Python's own names


def test_restore_ignores_a_claimed_model_of_another_kind_and_refuses_an_invalid_state():
    text = json.dumps({"sheet": {"exercise": "hitpm_widgets.risk.RiskRegister", "state": {"risks": []}}})
    target = sheet()
    restore({"sheet": target}, text, owned=["sheet"])
    assert target.answers == {}
    bad = json.dumps({"sheet": {"exercise": "hitpm_widgets.questions.QuestionSheet",
                                "state": {"answers": {"cpi": -4}}}})
    with pytest.raises(AnswerDataError, match="sheet"):
        restore({"sheet": target}, bad, owned=["sheet"])
    assert target.answers == {}


@pytest.mark.parametrize("text", ["[1, 2]", '{"not a name": {"value": {"json": 1}}}', '{"x": {"code": "1"}}',
                                  '{"x": 3}'])
def test_parse_refuses_what_is_not_answer_data(text):
    with pytest.raises(AnswerDataError):
        parse(text)


def test_parse_refuses_too_much_data():
    with pytest.raises(AnswerDataError, match="MB"):
        parse(json.dumps({"x": {"value": {"json": "a" * MAX_BYTES}}}))


def _cell(source: str, **nbgrader) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "grade": False, "solution": False, "locked": False,
                                     **nbgrader}
    return cell


def source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _cell("from hitpm_widgets.checks import check_number\nsheet = make_sheet()", grade_id="setup", locked=True),
        _cell("sheet.answer('cpi', 0.9)", grade_id="answer", solution=True),
        _cell("check_number(sheet, 'cpi', 0.9, tolerance=0.01, hint='')\nassert total > 3", grade_id="test",
              grade=True, locked=True, points=1),
    ]
    return nb


def test_the_plan_runs_the_sources_code_for_instructor_cells_and_treats_everything_else_as_the_learners():
    source = source_notebook()
    submitted = source_notebook()
    submitted.cells[0].source = "import hitpm_widgets.checks as c; c.check_number = print"  # edited locked cell
    submitted.cells.insert(2, _cell("total = 5"))  # a cell the learner added
    submitted.cells.append(_cell("pass", grade_id="test", grade=True, locked=True, points=1))  # a copied id
    plan = AnswerPlan.of(submitted, instructor_cells(source))
    assert plan.learner == [1, 2]
    assert sorted(plan.instructor) == [0, 3, 4]
    assert plan.instructor[0] == source.cells[0].source and plan.instructor[4] == source.cells[2].source
    assert plan.wanted == ["total"]  # read by a test, set by no instructor's cell
    assert {"check_number", "sheet"} <= set(plan.owned)

    taken = AnswersTaken(snapshots={1: '{"sheet": {"exercise": "x", "state": {}}}'}, frozen={1: ["out"]})
    tests = plan.test_notebook(submitted, taken, stop=len(submitted.cells))
    assert tests.cells[0].source == source.cells[0].source
    assert "restore(globals()" in tests.cells[1].source and "sheet" in tests.cells[1].source
    assert "total = 5" not in tests.cells[2].source  # no snapshot: nothing of the learner's runs
    assert tests.cells[4].source == source.cells[2].source

    for index, cell in enumerate(tests.cells):
        cell.outputs = [{"output_type": "stream", "name": "stdout", "text": f"b{index}"}]
    graded = plan.merge(submitted, tests, taken)
    assert graded.cells[1].outputs == ["out"] and graded.cells[1].source == submitted.cells[1].source
    assert graded.cells[0].outputs[0]["text"] == "b0" and graded.cells[0].source == source.cells[0].source


def test_the_test_kernels_folder_keeps_the_assignments_code_and_none_of_the_learners(tmp_path):
    import shutil

    from hitpm_widgets.grading.answer_plan import only_code_of

    folder = tmp_path / "ps01"
    (folder / "pkg" / "__pycache__").mkdir(parents=True)
    (folder / ".hitpm" / "answers").mkdir(parents=True)
    for name in ("helpers.py", "statistics.py", "pkg/__init__.py", "pkg/checks.py", "pkg/__pycache__/x.pyc",
                 "fast.cpython-311-x86_64-linux-gnu.so", "data.csv", ".hitpm/answers/ps01.json", "nb.ipynb"):
        (folder / name).write_text("x")
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy, ignore=only_code_of(folder, frozenset({"helpers.py", "data.csv"})))
    kept = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*") if p.is_file())
    assert kept == [".hitpm/answers/ps01.json", "data.csv", "helpers.py", "nb.ipynb"]


def test_what_a_notebook_wrote_is_kept_as_files_never_through_a_link(tmp_path):
    import os
    import shutil

    from hitpm_widgets.grading.answer_plan import place_file
    from hitpm_widgets.grading.runner import files_written

    folder, work = tmp_path / "folder", tmp_path / "work"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "given.csv").write_text("a,b\n")
    (folder / "nb.ipynb").write_text("{}")
    shutil.copytree(folder, work)
    (work / "side-effect.txt").write_text("a side effect")
    (work / "data" / "given.csv").write_text("a,b\n1,2\n")  # changed
    (work / "nb.ipynb").write_text('{"cells": []}')  # the notebook itself is the grader's to write
    os.symlink("/etc/passwd", work / "passwd")
    os.mkfifo(work / "pipe")
    written = files_written(folder, work)
    assert written == {"side-effect.txt": b"a side effect", "data/given.csv": b"a,b\n1,2\n"}

    target = tmp_path / "autograded"
    (target / "out").mkdir(parents=True)
    os.symlink(tmp_path / "elsewhere", target / "link")
    for relative in ("../escape.txt", "/tmp/absolute.txt", "link/through.txt", "out/kept.txt"):
        place_file(target, relative, b"x")
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.txt")) == [
        "autograded/out/kept.txt", "work/side-effect.txt"]


def test_a_notebook_whose_learner_cells_hold_only_comments_needs_no_kernel_of_the_learners():
    source = source_notebook()
    submitted = source_notebook()
    plan = AnswerPlan.of(submitted, instructor_cells(source))
    for stub, nothing in (("# YOUR CODE HERE (or answer with the widget above)\n", True), ("\n\n", True),
                          ("pass", False), ("%matplotlib inline", False), ("x = (", False)):
        submitted.cells[1].source = stub
        assert plan.no_learner_code(submitted) is nothing, stub
