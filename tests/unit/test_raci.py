"""RaciChart: the rules (one A, at least one R, no overloaded role), refusals, the table, durable
answers, and the editable grid over the model."""

import html
import json
import math

import pandas as pd
import pytest

from hitpm_widgets.plots.style import OKABE_ITO
from hitpm_widgets.raci import (
    NO_ACCOUNTABLE,
    NO_RESPONSIBLE,
    OVERLOADED,
    SEVERAL_ACCOUNTABLE,
    RaciChart,
    raci_letter,
)

ROLES = ["cno", "cmio", "super_users", "vendor", "educator"]
CHART = [
    # task_id, task, cno, cmio, super_users, vendor, educator
    ("G01", "Plan the training", "A", "C", "R", "I", "C"),
    ("G02", "Build the order sets", None, "A", "C", "R", "I"),
    ("G03", "Run the go-live command centre", "R", "R", None, "I", None),  # no A
    ("G04", "Sign off the cut-over", "A", "A", "I", "R", None),  # two A
    ("G05", "Report downtime", "", "A", "C", math.nan, "I"),  # no R
]
# R or A by hand: cno G01 G03 G04 (3 of 5, 60 %), cmio G02 G03 G04 G05 (4 of 5, 80 %),
# super_users G01 (20 %), vendor G02 G04 (2 of 5: exactly 40 %, not more, so not overloaded), educator 0.
# Every task needs an A and an R: 10 of the 25 cells, so 5 roles at 2 tasks each is the least that can
# hold a valid chart at 40 % (4 roles could not).


def make_chart(rows=CHART, roles=ROLES):
    return pd.DataFrame(rows, columns=["task_id", "task", *roles])


@pytest.fixture
def raci():
    return RaciChart(None, make_chart())


def put_right(chart):
    """Edits that clear every problem of CHART: each role ends R or A on 2 tasks."""
    chart.assign("G03", "cmio", "C")
    chart.assign("G03", "educator", "A")
    chart.assign("G04", "cno", "I")
    chart.assign("G04", "cmio", "C")
    chart.assign("G04", "super_users", "A")
    chart.assign("G05", "educator", "R")


# -- the rules --------------------------------------------------------------------------------------


def test_the_given_chart_reads_back_letter_by_letter(raci):
    assert raci.task_ids == ["G01", "G02", "G03", "G04", "G05"] and raci.roles == ROLES
    assert raci.task("G03") == "Run the go-live command centre"
    assert raci.letter("G01", "cno") == "A" and raci.letter("G01", "super_users") == "R"
    assert raci.letter("G02", "cno") is None and raci.letter("G05", "cno") is None  # None and ""
    assert raci.letter("G05", "vendor") is None  # NaN


def test_every_rule_broken_in_the_hand_made_chart(raci):
    problems = raci.problems()
    assert list(problems.columns) == ["task_id", "role", "rule", "message"]
    assert list(zip(problems["task_id"], problems["role"], problems["rule"], strict=True)) == [
        ("G03", None, NO_ACCOUNTABLE), ("G04", None, SEVERAL_ACCOUNTABLE), ("G05", None, NO_RESPONSIBLE),
        (None, "cno", OVERLOADED), (None, "cmio", OVERLOADED)]
    messages = problems["message"].tolist()
    assert messages[0] == ("task G03 'Run the go-live command centre' has no Accountable role: "
                           "give exactly one role the A")
    assert messages[1].startswith("task G04 'Sign off the cut-over' has 2 Accountable roles (cno, cmio): "
                                  "keep exactly one A")
    assert messages[2].startswith("task G05 'Report downtime' has no Responsible role: "
                                  "give at least one role the R")
    assert messages[3].startswith("role cno is R or A on 3 of 5 tasks (60%), more than 40%")
    assert messages[4].startswith("role cmio is R or A on 4 of 5 tasks (80%)")
    assert not raci.is_valid()


def test_loads_and_the_overload_boundary(raci):
    assert {role: raci.load(role) for role in ROLES} == {"cno": 3, "cmio": 4, "super_users": 1, "vendor": 2,
                                                         "educator": 0}
    assert raci.load_share("vendor") == 0.4
    assert not raci.overloaded("vendor")  # exactly the share allowed is not more than it
    assert raci.overloaded("cno") and raci.role_problem("vendor") is None


def test_the_course_may_allow_another_share():
    loose = RaciChart(None, make_chart(), overload_share=0.8)
    assert [p.role for p in loose.problem_list() if p.rule == OVERLOADED] == []
    tight = RaciChart(None, make_chart(), overload_share=0.2)
    assert [p.role for p in tight.problem_list() if p.rule == OVERLOADED] == ["cno", "cmio", "vendor"]
    assert "more than 20%" in tight.role_problem("vendor").message


def test_consulted_and_informed_do_not_count_towards_the_load(raci):
    before = raci.load("super_users")
    raci.assign("G02", "super_users", "C")
    raci.assign("G03", "super_users", "I")
    assert raci.load("super_users") == before
    raci.assign("G03", "super_users", "A")
    assert raci.load("super_users") == before + 1


def test_putting_the_chart_right_clears_every_problem(raci):
    put_right(raci)
    assert raci.problems().empty and list(raci.problems().columns) == ["task_id", "role", "rule", "message"]
    assert raci.is_valid()
    raci.assign("G01", "super_users", "C")  # now nobody does the planning
    assert [p.rule for p in raci.problem_list()] == [NO_RESPONSIBLE]
    assert not raci.is_valid()


def test_several_responsible_roles_are_fine(raci):
    assert raci.roles_with("G03", "R") == ["cno", "cmio"]
    assert [p.rule for p in raci.task_problems("G03")] == [NO_ACCOUNTABLE]


def test_any_role_columns_are_accepted():
    chart = RaciChart(None, [
        {"task_id": "T1", "task": "Write the test scripts", "qa_lead": "A", "analyst": "R"},
        {"task_id": "T2", "task": "Approve the plan", "qa_lead": "R", "analyst": "A", "sponsor": "I"},
    ])
    assert chart.roles == ["qa_lead", "analyst", "sponsor"]
    assert chart.letter("T1", "sponsor") is None


@pytest.mark.parametrize(("given", "letter"), [("r", "R"), (" A ", "A"), ("c", "C"), ("I", "I"), ("", None),
                                               ("  ", None), (None, None), (math.nan, None), (pd.NA, None)])
def test_letters_in_any_case_and_empty_cells(given, letter):
    assert raci_letter(given) == letter


# -- refusals ---------------------------------------------------------------------------------------


def test_unknown_tasks_and_roles_are_refused_listing_the_known_ones(raci):
    with pytest.raises(KeyError, match="unknown task 'G09'; known: G01, G02, G03, G04, G05"):
        raci.assign("G09", "cno", "R")
    with pytest.raises(KeyError, match="unknown role 'CNO'; known: cno, cmio, super_users, vendor, educator"):
        raci.assign("G01", "CNO", "R")
    with pytest.raises(KeyError, match="unknown task"):
        raci.letter(1, "cno")
    with pytest.raises(KeyError, match="unknown role"):
        raci.load("pharmacy_lead")


@pytest.mark.parametrize("letter", ["X", "RA", "A/R", "responsible", 1, True, 0.0])
def test_letters_other_than_r_a_c_i_are_refused_and_change_nothing(raci, letter):
    with pytest.raises(ValueError, match="is not a RACI letter; allowed: R, A, C, I, or None"):
        raci.assign("G01", "cno", letter)
    assert raci.letter("G01", "cno") == "A"


@pytest.mark.parametrize(
    ("chart", "problem"),
    [(make_chart().drop(columns=["task"]), "lacks the column task; it needs task_id, task"),
     (make_chart().drop(columns=ROLES), "has no role columns"),
     (make_chart().iloc[0:0], "has no tasks"),
     (make_chart([CHART[0], CHART[0]]), "task ids must be unique; 'G01' is repeated"),
     (make_chart([(None, *CHART[0][1:])]), "row 1 of the RACI chart has no task_id"),
     (make_chart([("G01", " ", *CHART[0][2:])]), "task G01 has no description"),
     (make_chart([("G01", "Plan", "A", "X", None, None, None)]),
      "task G01, role cmio: 'X' is not a RACI letter"),
     (make_chart([("G01", "Plan", "A", "R", None, None, None)], roles=["cno", "cno", "vendor", "x", "y"]),
      "role columns must be unique; repeated: cno"),
     ("raci.csv", "must be a DataFrame or a list of dicts"),
     ([("G01", "Plan")], "must be a DataFrame or a list of dicts")],
)
def test_bad_charts_are_refused(chart, problem):
    with pytest.raises(ValueError, match=problem):
        RaciChart(None, chart)


@pytest.mark.parametrize("share", [0, -0.1, 1.5, "0.4", True, None, math.nan])
def test_bad_overload_shares_are_refused(share):
    with pytest.raises(ValueError, match="overload_share must be a fraction of the tasks above 0 and at"):
        RaciChart(None, make_chart(), overload_share=share)


# -- tables -----------------------------------------------------------------------------------------


def test_to_frame_is_the_edited_chart_and_makes_the_same_chart_again(raci):
    raci.assign("G03", "vendor", "A")
    frame = raci.to_frame()
    assert list(frame.columns) == ["task_id", "task", *ROLES]
    assert frame["task_id"].tolist() == raci.task_ids
    assert frame.loc[2, "vendor"] == "A" and frame.loc[1, "cno"] is None
    again = RaciChart(None, frame)
    assert again.to_frame().equals(frame)
    assert again.problems().equals(raci.problems())


def test_changes_lists_the_learners_edits_and_reset_undoes_them(raci):
    assert raci.changes().empty
    raci.assign("G03", "vendor", "A")
    raci.assign("G05", "cno", None)  # no change: it was empty
    raci.assign("G01", "cmio", None)
    assert raci.changes().to_dict("records") == [
        {"task_id": "G01", "role": "cmio", "given": "C", "now": None},
        {"task_id": "G03", "role": "vendor", "given": "I", "now": "A"}]
    raci.reset()
    assert raci.changes().empty and raci.letter("G03", "vendor") == "I"


# -- durable answers --------------------------------------------------------------------------------


def answer_file(tmp_path, exercise_id="mm-raci"):
    return tmp_path / ".hitpm" / "answers" / f"{exercise_id}.json"


def test_a_restart_loses_nothing(tmp_path):
    first = RaciChart("mm-raci", make_chart(), directory=tmp_path)
    put_right(first)
    first.assign("G01", "vendor", None)
    again = RaciChart("mm-raci", make_chart(), directory=tmp_path)  # what a kernel restart does
    assert again.to_frame().equals(first.to_frame())
    assert again.is_valid() and again.letter("G01", "vendor") is None
    record = json.loads(answer_file(tmp_path).read_text())
    assert record["kind"] == "RaciChart"
    assert record["model"]["cells"]["G03"] == {"cno": "R", "cmio": "C", "super_users": None, "vendor": "I",
                                               "educator": "A"}


@pytest.mark.parametrize("value", ["X", 3, ["R"], {"R": 1}])
def test_a_tampered_letter_is_set_aside_and_nothing_of_it_is_loaded(tmp_path, capsys, value):
    first = RaciChart("mm-raci", make_chart(), directory=tmp_path)
    first.assign("G03", "super_users", "A")
    first.assign("G01", "cmio", "I")
    record = json.loads(answer_file(tmp_path).read_text())
    record["model"]["cells"]["G04"]["vendor"] = value
    answer_file(tmp_path).write_text(json.dumps(record))
    again = RaciChart("mm-raci", make_chart(), directory=tmp_path)
    assert again.changes().empty  # the good edits of the bad file are not loaded either
    assert again.saving_problem and "mm-raci.json.bak" in again.saving_status
    assert answer_file(tmp_path).with_name("mm-raci.json.bak").exists()
    assert "hitpm:" in capsys.readouterr().out


def test_a_file_without_cells_is_set_aside(tmp_path):
    RaciChart("mm-raci", make_chart(), directory=tmp_path).assign("G03", "vendor", "A")
    record = json.loads(answer_file(tmp_path).read_text())
    record["model"] = {"cells": ["G03"]}
    answer_file(tmp_path).write_text(json.dumps(record))
    assert RaciChart("mm-raci", make_chart(), directory=tmp_path).saving_problem


def test_saved_letters_of_tasks_and_roles_the_chart_no_longer_has_are_kept(tmp_path):
    full = RaciChart("mm-raci", make_chart(), directory=tmp_path)
    full.assign("G05", "vendor", "R")
    smaller = make_chart(CHART[:4]).drop(columns=["vendor"])
    fewer = RaciChart("mm-raci", smaller, directory=tmp_path)
    assert not fewer.saving_problem and fewer.roles == ["cno", "cmio", "super_users", "educator"]
    fewer.assign("G01", "cno", "R")
    back = RaciChart("mm-raci", make_chart(), directory=tmp_path)
    assert back.letter("G05", "vendor") == "R" and back.letter("G01", "cno") == "R"


def test_another_kinds_answer_is_not_loaded(tmp_path):
    from hitpm_widgets import AnswerKindError, StakeholderMap

    StakeholderMap("mm-raci", ["CNO"], directory=tmp_path).place("CNO", power=9, interest=9)
    with pytest.raises(AnswerKindError, match="'StakeholderMap' exercise"):
        RaciChart("mm-raci", make_chart(), directory=tmp_path)


# -- the widget -------------------------------------------------------------------------------------


def row_text(view, task):
    return view.row_status[task].value


def test_the_grid_has_a_header_a_dropdown_a_cell_and_a_check_a_row(raci):
    import ipywidgets as widgets

    view = raci.widget
    assert isinstance(view.grid, widgets.GridBox)
    columns = len(ROLES) + 2
    children = view.grid.children
    assert len(children) == columns * (len(raci.task_ids) + 2)  # header, tasks, load footer
    assert [child.value for child in children[:columns]] == [
        "<b>Task</b>", "<b>cno</b>", "<b>cmio</b>", "<b>super users</b>", "<b>vendor</b>", "<b>educator</b>",
        "<b>Check</b>"]
    dropdowns = [child for child in children if isinstance(child, widgets.Dropdown)]
    assert len(dropdowns) == len(raci.task_ids) * len(ROLES)
    assert [value for _, value in dropdowns[0].options] == ["", "R", "A", "C", "I"]
    assert dropdowns[0]._options_labels == ("–", "R", "A", "C", "I")  # an empty cell shows a dash
    assert view.cells[("G01", "cno")].value == "A" and view.cells[("G02", "cno")].value == ""


def test_each_cell_is_named_for_screen_readers_and_keeps_the_arrow_keys(raci):
    from hitpm_widgets.views.common import UNSEEN_LABEL
    from hitpm_widgets.views.keyboard import ArrowKeyGuard

    view = raci.widget
    cell = view.cells[("G02", "super_users")]
    # The headings show the role and the task; a screen reader gets them from the cell's own label.
    assert cell.description == "super users, G02" and UNSEEN_LABEL in cell._dom_classes
    assert any(UNSEEN_LABEL in getattr(child, "value", "") for child in view.children)  # its style is there
    assert sum(isinstance(child, ArrowKeyGuard) for child in view.children) == 1


def test_each_row_says_whether_it_is_broken_in_words_and_colour(raci):
    view = raci.widget
    assert ">✓<" in row_text(view, "G01") and OKABE_ITO["bluish green"] in row_text(view, "G01")
    assert ">✗ no A<" in row_text(view, "G03") and OKABE_ITO["vermillion"] in row_text(view, "G03")
    assert ">✗ 2 A<" in row_text(view, "G04")
    assert ">✗ no R<" in row_text(view, "G05")
    assert "has no Accountable role" in row_text(view, "G03")  # the full message as a tooltip
    assert "✗ 3/5" in view.role_load["cno"].value and "✓ 2/5" in view.role_load["vendor"].value


def test_the_widget_writes_the_model(raci):
    view = raci.widget
    view.cells[("G03", "educator")].value = "A"  # what a keyboard user's choice in the Dropdown does
    assert raci.letter("G03", "educator") == "A"
    assert ">✓<" in row_text(view, "G03")
    assert "G03" not in view.problems.value and "4 problems" in view.problems.value
    view.cells[("G01", "super_users")].value = ""
    assert raci.letter("G01", "super_users") is None
    assert ">✗ no R<" in row_text(view, "G01")
    view.cells[("G01", "super_users")].value = "R"
    put_right(raci)
    assert "No problems" in view.problems.value
    assert all(">✓<" in row_text(view, task) for task in raci.task_ids)
    view.cells[("G02", "cmio")].value = "C"
    assert ">✗ no A<" in row_text(view, "G02")
    assert "task G02 'Build the order sets' has no Accountable" in html.unescape(view.problems.value)
    view.reset_button.click()
    assert raci.changes().empty and view.cells[("G02", "cmio")].value == "A"


def test_a_change_in_code_reaches_the_cell_the_row_and_the_problems(raci):
    view = raci.widget
    raci.assign("G05", "vendor", "R")
    assert view.cells[("G05", "vendor")].value == "R"
    assert ">✓<" in row_text(view, "G05") and "G05" not in view.problems.value
    assert "✗ 3/5" in view.role_load["vendor"].value
    assert "role vendor is R or A on 3 of 5 tasks" in view.problems.value
    assert raci.letter("G05", "vendor") == "R"  # the synced Dropdown did not write back


def test_an_edit_updates_only_its_row_and_role_and_builds_no_dropdown_again(raci):
    view = raci.widget
    cells_before = dict(view.cells)
    grid_before = view.grid.children
    touched = []
    for task, cell in view.row_status.items():
        cell.observe(lambda _, task=task: touched.append(task), names="value")
    for role, cell in view.role_load.items():
        cell.observe(lambda _, role=role: touched.append(role), names="value")
    redrawn = []
    show_row, show_role = view._show_row, view._show_role
    view._show_row = lambda task: (redrawn.append(task), show_row(task))
    view._show_role = lambda role: (redrawn.append(role), show_role(role))
    view.cells[("G03", "vendor")].value = "A"
    assert touched == ["G03", "vendor"] and redrawn == ["G03", "vendor"]
    touched.clear()
    redrawn.clear()
    raci.assign("G04", "cmio", "C")
    assert touched == ["G04", "cmio"] and redrawn == ["G04", "cmio"]
    assert view.grid.children == grid_before
    assert all(view.cells[key] is cell for key, cell in cells_before.items())


def test_the_widget_shows_where_the_answer_is_saved(tmp_path):
    raci = RaciChart("mm-raci", make_chart(), directory=tmp_path)
    view = raci.widget
    assert "mm-raci.json" in view.status.value
    view.cells[("G03", "vendor")].value = "A"
    assert RaciChart("mm-raci", make_chart(), directory=tmp_path).letter("G03", "vendor") == "A"


def test_displaying_the_model_shows_the_widget(raci):
    assert "application/vnd.jupyter.widget-view+json" in raci._repr_mimebundle_()
