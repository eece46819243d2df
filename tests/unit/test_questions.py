"""QuestionSheet: validation of each question type, durable answers, the widget, and its checks."""

import json

import pytest

from hitpm_widgets.checks import check_answered, check_choice, check_number, check_selection
from hitpm_widgets.questions import Question, QuestionSheet

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
