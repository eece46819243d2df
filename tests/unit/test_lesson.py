import base64
import re

import IPython.display
import pytest

from hitpm_widgets.lesson import SelfCheck, SelfCheckView, show_figure
from hitpm_widgets.plots.style import new_figure

QUADRANT_OPTIONS = ["manage closely", "keep satisfied", "keep informed", "monitor"]


@pytest.fixture
def displayed(monkeypatch):
    """What show_figure hands to IPython's display(), instead of a notebook."""
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda *objects: shown.extend(objects))
    return shown


def a_figure():
    figure, axes = new_figure(2, 2)
    axes.plot([0, 1], [0, 1])
    return figure


def quadrant_check():
    return SelfCheck(
        "A stakeholder has high power and low interest. Which quadrant?",
        QUADRANT_OPTIONS,
        answer=1,
        explanations={0: "That needs high interest as well.", 1: "Meet their needs; do not overload them."},
    )


def salience_check():
    return SelfCheck(
        "Which classes have legitimacy?",
        ["definitive", "dangerous", "dependent", "demanding"],
        answer={0, 2},
        explanations={1: "Dangerous is power and urgency, without legitimacy.", 3: "Urgency alone."},
    )


# -- show_figure ---------------------------------------------------------------------------------


def test_show_figure_displays_a_png_image_with_the_alt_text(displayed):
    show_figure(a_figure(), 'A rising line from "low" to high & back')
    assert len(displayed) == 1
    markup = displayed[0].data
    assert 'alt="A rising line from &quot;low&quot; to high &amp; back"' in markup
    encoded = re.search(r'src="data:image/png;base64,([^"]+)"', markup).group(1)
    assert base64.b64decode(encoded).startswith(b"\x89PNG")


@pytest.mark.parametrize("alt", ["", "   ", None, 42])
def test_show_figure_refuses_missing_alt_text(displayed, alt):
    with pytest.raises(ValueError, match="alt text"):
        show_figure(a_figure(), alt)
    assert displayed == []


def test_show_figure_refuses_what_is_not_a_figure(displayed):
    with pytest.raises(ValueError, match="matplotlib Figure, not str"):
        show_figure("grid.png", "a grid")
    assert displayed == []


# -- SelfCheck: building it ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([], "at least two options"),
        (["only one"], "at least two options"),
        ("ab", "list of answer texts"),
        (["yes", ""], "option 1 must be non-empty text"),
        (["yes", 3], "option 1 must be non-empty text"),
        (["yes", "no", "yes"], "repeated: 'yes'"),
    ],
)
def test_bad_options_are_refused(options, message):
    with pytest.raises(ValueError, match=message):
        SelfCheck("Which?", options, answer=0)


@pytest.mark.parametrize("answer", [4, -1, {1, 4}, {-1}])
def test_answer_out_of_range_is_refused(answer):
    with pytest.raises(ValueError, match="out of range: the options are numbered 0 to 3"):
        SelfCheck("Which?", QUADRANT_OPTIONS, answer=answer)


@pytest.mark.parametrize("answer", [True, 1.0, "1", {"1"}])
def test_answer_that_is_no_index_is_refused(answer):
    with pytest.raises(ValueError, match="index|set of option indexes"):
        SelfCheck("Which?", QUADRANT_OPTIONS, answer=answer)


def test_empty_answer_set_is_refused():
    with pytest.raises(ValueError, match="at least one correct option"):
        SelfCheck("Which?", QUADRANT_OPTIONS, answer=set())


@pytest.mark.parametrize("question", ["", "  ", None])
def test_a_question_is_required(question):
    with pytest.raises(ValueError, match="needs a question"):
        SelfCheck(question, QUADRANT_OPTIONS, answer=0)


@pytest.mark.parametrize(
    ("explanations", "message"),
    [
        ({7: "no such option"}, "explanation key 7 is out of range"),
        ({"0": "a text key"}, "explanation key must be an option's index"),
        ({0: 12}, "explanation for option 0 must be text"),
        (["a list"], "must map an option's index"),
    ],
)
def test_bad_explanations_are_refused(explanations, message):
    with pytest.raises(ValueError, match=message):
        SelfCheck("Which?", QUADRANT_OPTIONS, answer=0, explanations=explanations)


def test_one_answer_or_select_all_follows_the_type_of_answer():
    assert quadrant_check().select_all is False
    assert quadrant_check().answer == 1
    assert salience_check().select_all is True
    assert salience_check().answer == {0, 2}
    assert SelfCheck("Which?", QUADRANT_OPTIONS, answer=[2]).select_all is True


# -- SelfCheck: checking in code -----------------------------------------------------------------


def test_right_choice_is_correct_with_its_explanation():
    assert quadrant_check().check(1) == (True, "Correct. Meet their needs; do not overload them.")


def test_wrong_choice_gets_its_explanation_and_an_invitation_to_retry():
    assert quadrant_check().check(0) == (False, "Not quite. That needs high interest as well. Try again.")


def test_wrong_choice_without_explanation_does_not_give_the_answer_away():
    correct, feedback = quadrant_check().check(3)
    assert correct is False
    assert feedback == "Not quite. Try again."
    assert "keep satisfied" not in feedback


def test_nothing_chosen_yet_is_not_correct():
    assert quadrant_check().check(None) == (False, "Choose an option, then check.")
    assert salience_check().check(None)[0] is False
    assert salience_check().check(set()) == (False, "Tick every option that applies, then check.")


@pytest.mark.parametrize("choice", [4, -1, "1", {1}, 1.5])
def test_impossible_choice_raises(choice):
    with pytest.raises(ValueError, match="choice"):
        quadrant_check().check(choice)


def test_select_all_is_correct_only_with_exactly_the_right_set():
    check = salience_check()
    assert check.check({0, 2}) == (True, "Correct.")
    assert check.check([2, 0])[0] is True
    assert check.check({0})[0] is False
    assert check.check({0, 1, 2})[0] is False


def test_select_all_feedback_counts_wrong_ticks_and_missed_options():
    check = salience_check()
    assert check.check({0}) == (False, "Not quite: 1 option that applies is not ticked. Try again.")
    assert check.check({0, 1, 2}) == (
        False, "Not quite: 1 of your ticks does not apply. Dangerous is power and urgency, without "
               "legitimacy. Try again.")
    correct, feedback = check.check({1, 3})
    assert correct is False
    assert feedback.startswith(
        "Not quite: 2 of your ticks do not apply and 2 options that apply are not ticked.")
    assert "Urgency alone." in feedback


@pytest.mark.parametrize("choice", [2, {9}, "02"])
def test_impossible_select_all_choice_raises(choice):
    with pytest.raises(ValueError, match="choice"):
        salience_check().check(choice)


# -- SelfCheck: the widget, driven as the keyboard would -----------------------------------------


def test_radio_buttons_start_unselected_and_check_the_choice():
    check = quadrant_check()
    view = check.widget
    assert isinstance(view, SelfCheckView)
    assert check.widget is view
    assert view.choices.value is None
    assert "not graded" in view.feedback.value
    view.choices.value = 1
    view.check_button.click()
    assert 'role="status"' in view.feedback.value
    assert "Correct. Meet their needs" in view.feedback.value
    view.choices.value = 0
    assert "Correct" not in view.feedback.value
    view.check_button.click()
    assert "Not quite. That needs high interest as well." in view.feedback.value


def test_the_arrow_keys_stay_in_the_self_check_as_in_every_exercise():
    from hitpm_widgets.views.keyboard import HITPM_WIDGET_CLASS, ArrowKeyGuard

    for view in (quadrant_check().widget, salience_check().widget):
        # JupyterLab would move to another cell on ArrowUp/ArrowDown from a radio button without the guard.
        assert HITPM_WIDGET_CLASS in view._dom_classes
        assert sum(isinstance(child, ArrowKeyGuard) for child in view.children) == 1
        assert view.children[:4] == (view.prompt, view.choices, view.check_button, view.feedback)


def test_check_without_a_choice_asks_for_one():
    view = quadrant_check().widget
    view.check_button.click()
    assert "Choose an option" in view.feedback.value


def test_checkboxes_for_select_all():
    view = salience_check().widget
    assert [box.description for box in view.boxes] == ["definitive", "dangerous", "dependent", "demanding"]
    assert "Select all that apply." in view.prompt.value
    view.boxes[0].value = True
    view.check_button.click()
    assert "1 option that applies is not ticked" in view.feedback.value
    view.boxes[2].value = True
    view.check_button.click()
    assert "Correct." in view.feedback.value


def test_question_and_feedback_are_escaped():
    check = SelfCheck("Is <b>1 < 2</b>?", ["yes", "no"], answer=0, explanations={0: "1 < 2 & so on"})
    view = check.widget
    assert "&lt;b&gt;1 &lt; 2&lt;/b&gt;" in view.prompt.value
    view.choices.value = 0
    view.check_button.click()
    assert "1 &lt; 2 &amp; so on" in view.feedback.value


def test_a_self_check_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    view = quadrant_check().widget
    view.choices.value = 1
    view.check_button.click()
    assert list(tmp_path.iterdir()) == []


def test_displays_as_its_widget():
    check = quadrant_check()
    bundle = check._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == check.widget.model_id
