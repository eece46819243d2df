"""QuestionSheet: validation of each question type, durable answers, the widget, and its checks."""

import ast
import json
from datetime import date
from decimal import Decimal

import ipywidgets as widgets
import nbformat
import pytest

from hitpm_widgets.checks import (
    check_answered,
    check_choice,
    check_figures_match_report,
    check_number,
    check_reserve_matches_register,
    check_selection,
)
from hitpm_widgets.questions import Question, QuestionSheet
from hitpm_widgets.views.common import html_table

from ..conftest import REPO

QUESTIONS = [
    {"key": "p80_days", "prompt": "P80 of the completion date", "unit": "working days", "minimum": 0},
    {"key": "response", "prompt": "Response to R03", "type": "choice", "options": ["avoid", "mitigate", "accept"]},
    {"key": "untested", "prompt": "Requirements without a test", "type": "choices",
     "options": ["URS-001", "URS-002", "URS-003"]},
    {"key": "memo", "prompt": "One line to the sponsor", "type": "text"},
]


@pytest.fixture
def sheet(tmp_path):
    return QuestionSheet("ps02-answers", QUESTIONS, directory=tmp_path)


def test_answers_of_every_type_are_kept_as_given(sheet):
    sheet.answer("p80_days", "1,161.5")
    sheet.answer("response", "mitigate")
    sheet.answer("untested", ["URS-003", "URS-001", "URS-003"])
    sheet.answer("memo", "  Fund the extra validation cycle.  ")
    assert sheet.answers == {"p80_days": 1161.5, "response": "mitigate", "untested": ["URS-001", "URS-003"],
                             "memo": "Fund the extra validation cycle."}
    assert sheet.unanswered == []


@pytest.mark.parametrize(("key", "value", "message"), [
    ("p80_days", "soon", "must be a number"),
    ("p80_days", -3, "at least 0"),
    ("p80_days", float("nan"), "must be a number"),
    ("p80_days", True, "must be a number"),
    ("response", "transfer", "must be one of: avoid, mitigate, accept"),
    ("untested", ["URS-009"], "'URS-009' not among the options"),
    ("memo", 42, "must be text"),
    ("memo", "x" * 601, "keep it to 600"),
])
def test_bad_answers_are_refused_saying_what_is_allowed(sheet, key, value, message):
    with pytest.raises(ValueError, match=message):
        sheet.answer(key, value)
    assert sheet[key] is None


def test_unknown_questions_list_the_known_ones(sheet):
    with pytest.raises(KeyError, match="questions: p80_days, response, untested, memo"):
        sheet.answer("p50", 3)


@pytest.mark.parametrize("bad", [
    [{"key": "not a name", "prompt": "?"}],
    [{"key": "x", "prompt": "?", "type": "date"}],
    [{"key": "x", "prompt": "?", "type": "choice", "options": ["only one"]}],
    [{"key": "x", "prompt": "?"}, {"key": "x", "prompt": "again"}],
    [{"key": "x", "prompt": "?", "colour": "red"}],
    [],
])
def test_bad_sheets_are_refused(bad):
    with pytest.raises(ValueError):
        QuestionSheet(None, bad)


def test_none_takes_an_answer_back(sheet):
    sheet.answer("p80_days", 150)
    sheet.answer("p80_days", None)
    assert sheet["p80_days"] is None and "p80_days" in sheet.unanswered


def test_answers_survive_a_restart_and_unknown_ones_are_kept(tmp_path, sheet):
    sheet.answer("p80_days", 150)
    fewer = QuestionSheet("ps02-answers", QUESTIONS[1:], directory=tmp_path)
    fewer.answer("response", "avoid")
    again = QuestionSheet("ps02-answers", QUESTIONS, directory=tmp_path)
    assert again["p80_days"] == 150 and again["response"] == "avoid"


def test_a_tampered_answer_is_set_aside(tmp_path):
    path = tmp_path / ".hitpm" / "answers" / "ps02-answers.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"kind": "QuestionSheet", "model": {"answers": {"response": "bribe"}}}))
    sheet = QuestionSheet("ps02-answers", QUESTIONS, directory=tmp_path)
    assert sheet["response"] is None
    assert path.with_name("ps02-answers.json.bak").exists()


def test_the_widget_writes_and_follows_the_model():
    sheet = QuestionSheet(None, QUESTIONS)
    view = sheet.widget
    view.controls["p80_days"].value = "161"
    view.controls["response"].value = "accept"
    boxes = view.controls["untested"].children
    boxes[1].value = True
    view.controls["memo"].value = "ok"
    assert sheet.answers == {"p80_days": 161.0, "response": "accept", "untested": ["URS-002"], "memo": "ok"}
    view.controls["p80_days"].value = "later"
    assert "must be a number" in view.status.value and sheet["p80_days"] == 161.0
    sheet.answer("untested", ["URS-001"])
    assert [box.value for box in boxes] == [True, False, False]
    assert "4 of 4 answered" in view.summary.value


def test_learners_read_prompts_and_blanks_not_keys_or_none():
    sheet = QuestionSheet(None, QUESTIONS)
    labels = " ".join(child.children[0].value for child in sheet.widget.children if isinstance(child, widgets.VBox))
    assert "P80 of the completion date" in labels and "p80_days" not in labels
    sheet.answer("untested", ["URS-001", "URS-003"])
    review = sheet.to_frame()
    assert list(review.index) == [q["prompt"] for q in QUESTIONS]
    assert review.loc["P80 of the completion date", "answer"] == "" and review.loc["Response to R03", "unit"] == ""
    assert review.loc["Requirements without a test", "answer"] == "URS-001; URS-003"
    page = html_table(review, "review")
    assert "None" not in page and "<td>-</td>" not in page and "p80_days" not in page
    assert "None" not in review.to_html() and "p80_days" not in review.to_html()  # as the notebook shows it


def test_many_options_use_a_selection_list():
    options = [f"URS-{n:03}" for n in range(1, 30)]
    sheet = QuestionSheet(None, [Question("untested", "?", "choices", options=tuple(options))])
    view = sheet.widget
    view.controls["untested"].value = ("URS-004", "URS-010")
    assert sheet["untested"] == ["URS-004", "URS-010"]


def test_checks_pass_right_answers_and_name_nothing_of_the_reference(sheet):
    sheet.answer("p80_days", 161)
    sheet.answer("response", "mitigate")
    sheet.answer("untested", ["URS-001", "URS-002"])
    check_number(sheet, "p80_days", 160, tolerance=2, hint="")
    check_choice(sheet, "response", {"mitigate", "avoid"}, hint="")
    with pytest.raises(AssertionError, match="not right yet. Read the S-curve"):
        check_number(sheet, "p80_days", 150, tolerance=2, hint="Read the S-curve at 80 %.")
    with pytest.raises(AssertionError) as failure:
        check_selection(sheet, "untested", {"URS-002", "URS-003"}, hint="Look at the coverage.")
    assert "1 missing and 1 chosen that should not be" in str(failure.value)
    assert "URS-003" not in str(failure.value)
    with pytest.raises(AssertionError, match="Answer these questions first: memo"):
        check_answered(sheet, ["memo"])


# -- tolerances, at their boundary -----------------------------------------------------------------


def workbook_tolerances() -> set[float]:
    """Every tolerance of the workbooks: in their answer keys, and any written as a number in a test cell."""
    from hitpm_widgets.grading.answer_key import load

    found = {tolerance for folder in sorted((REPO / "workbooks").glob("*/")) if (key := load(folder))
             for tolerance in getattr(key, "TOLERANCES", {}).values()}
    for path in sorted((REPO / "workbooks").glob("*/*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for call in ast.walk(ast.parse(cell.source)):
                if not isinstance(call, ast.Call):
                    continue
                for keyword in call.keywords:
                    if keyword.arg == "tolerance" and isinstance(keyword.value, ast.Constant):
                        found.add(keyword.value.value)
                name = getattr(call.func, "attr", getattr(call.func, "id", None))
                if name == "check_figures_match_report" and isinstance(call.args[2], ast.Dict):
                    found.update(value.value for value in call.args[2].values)
    return found


TOLERANCES = sorted(workbook_tolerances())
#: References of the sizes the workbooks grade: ratios, per cents, days, counts and dollars.
REFERENCES = (0.86, 0.889, 7.1, 28.5, 63.9, 87.2, 160, 2_925_840)


def typed(reference: float, offset: float) -> float:
    """The answer a learner types for reference + offset: the decimal, not a sum of two binary floats."""
    return float(Decimal(repr(reference)) + Decimal(repr(offset)))


def test_the_workbooks_state_the_tolerances_this_test_covers():
    assert len(TOLERANCES) >= 12 and {0, 0.005, 0.3, 1_000, 10_000} <= set(TOLERANCES)


@pytest.mark.parametrize("tolerance", TOLERANCES)
def test_an_answer_exactly_at_the_tolerance_is_accepted_and_one_just_beyond_it_refused(tolerance):
    for reference in REFERENCES:
        for sign in (1, -1):
            check_number({"x": typed(reference, sign * tolerance)}, "x", reference, tolerance=tolerance, hint="")
            beyond = sign * (1.01 * tolerance if tolerance else 0.001)
            with pytest.raises(AssertionError, match="not right yet"):
                check_number({"x": typed(reference, beyond)}, "x", reference, tolerance=tolerance, hint="")


def test_no_answer_that_is_not_a_number_within_the_tolerance_is_accepted():
    for answer in (float("inf"), float("-inf"), float("nan"), 1e300):
        with pytest.raises(AssertionError):
            check_number({"x": answer}, "x", 7.1, tolerance=0.3, hint="")


class Register:
    """A register whose every risk is rated and whose reserve is given."""

    ids = ()

    def __init__(self, reserve):
        self.reserve = reserve

    def contingency_reserve(self, offset_by_opportunities=False):
        return self.reserve


class Report:
    """An earned value report at a status date, with given figures."""

    status_date = date(2025, 3, 31)

    def __init__(self, **figures):
        self.figures = figures

    def summary(self):
        return self.figures


def test_the_register_and_report_checks_also_accept_an_answer_at_their_tolerance():
    check_reserve_matches_register({"reserve": 7.4}, "reserve", Register(7.1), tolerance=0.3)
    check_figures_match_report({"cpi": 0.894}, Report(cpi=0.889), {"cpi": 0.005})
    with pytest.raises(AssertionError):
        check_reserve_matches_register({"reserve": 7.41}, "reserve", Register(7.1), tolerance=0.3)
    with pytest.raises(AssertionError):
        check_figures_match_report({"cpi": 0.895}, Report(cpi=0.889), {"cpi": 0.005})
