"""ChangeReadiness (ADKAR): unit means, the barrier point and its threshold, refusals, the learner's
diagnosis and what-if scores, durable answers, the bar chart and the widget over the model."""

import json
import math

import numpy as np
import pandas as pd
import pytest

from hitpm_widgets.change_readiness import (
    ADKAR_ELEMENTS,
    SUGGESTED_FOCUS,
    ChangeReadiness,
    Diagnosis,
    _barrier_point,
    unit_scores,
)
from hitpm_widgets.plots.change_readiness import describe_readiness, draw_readiness_bars

COLUMNS = ["respondent_id", "unit", "role", *ADKAR_ELEMENTS]
RESPONSES = [
    # respondent, unit, role, awareness, desire, knowledge, ability, reinforcement
    ("S01", "Ward 4B", "nurse", 4, 2, 3, 3, 3),
    ("S02", "Ward 4B", "nurse", 5, 3, 2, 4, 3),
    ("S03", "ED", "physician", 2, 4, 4, 4, 4),
    ("S04", "ED", "nurse", 3, 4, 4, 4, 4),
    ("S05", "Pharmacy", "pharmacist", 4, 4, 4, 4, 4),
    ("S06", "ICU", "nurse", 4, 4, 3, 2, 2),
    ("S07", "ICU", "nurse", 4, 4, 3, 4, 4),
    ("S08", "Clinic", "physician", 4, 4, 4, 2, 1),
]
UNITS = ["Ward 4B", "ED", "Pharmacy", "ICU", "Clinic"]
# By hand: Ward 4B (4.5, 2.5, 2.5, 3.5, 3.0) -> desire, the first low one although knowledge is as low;
# ED awareness 2.5 -> awareness; Pharmacy all 4 -> none; ICU (4, 4, 3.0, 3.0, 3.0), knowledge exactly at
# the threshold -> knowledge (Prosci: a 3 is a barrier); Clinic ability 2 before reinforcement 1 -> ability.
BARRIERS = {"Ward 4B": "desire", "ED": "awareness", "Pharmacy": None, "ICU": "knowledge", "Clinic": "ability"}


def make_survey(rows=RESPONSES):
    return pd.DataFrame(rows, columns=COLUMNS)


@pytest.fixture
def readiness():
    return ChangeReadiness(None, make_survey())


def scores(awareness=4, desire=4, knowledge=4, ability=4, reinforcement=4):
    return dict(awareness=awareness, desire=desire, knowledge=knowledge, ability=ability,
                reinforcement=reinforcement)


# -- unit means and the barrier point ----------------------------------------------------------------


def test_unit_scores_are_the_means_per_unit_in_survey_order():
    frame = unit_scores(make_survey())
    assert list(frame.index) == UNITS and list(frame.columns) == list(ADKAR_ELEMENTS)
    assert frame.loc["Ward 4B"].tolist() == [4.5, 2.5, 2.5, 3.5, 3.0]
    assert frame.loc["ICU"].tolist() == [4.0, 4.0, 3.0, 3.0, 3.0]
    assert frame.loc["Clinic", "reinforcement"] == 1.0


def test_the_barrier_point_of_each_hand_made_unit():
    frame = unit_scores(make_survey())
    for unit, barrier in BARRIERS.items():
        assert _barrier_point(frame.loc[unit]) == barrier, unit
    series = _barrier_point(frame)
    assert series.to_dict() == BARRIERS


@pytest.mark.parametrize(
    ("values", "barrier"),
    [
        (scores(), None),
        (scores(awareness=1), "awareness"),
        (scores(desire=2.9, knowledge=1), "desire"),  # the first low element, not the lowest
        (scores(reinforcement=2.99), "reinforcement"),
        (scores(ability=3.0), "ability"),  # exactly at the threshold is low: Prosci's "3 or lower"
        (scores(ability=3.01), None),
        (scores(awareness=3, desire=3, knowledge=3, ability=3, reinforcement=3), "awareness"),
        (scores(knowledge=3.0001, ability=2.9999), "ability"),
    ],
)
def test_the_barrier_point_is_the_first_element_at_or_below_the_threshold(values, barrier):
    assert _barrier_point(values) == barrier


def test_the_organisation_may_set_another_threshold():
    values = scores(desire=3.2, knowledge=3.4)
    assert _barrier_point(values) is None
    assert _barrier_point(values, threshold=3.5) == "desire"
    assert _barrier_point(values, threshold=3.2) == "desire"
    assert _barrier_point(values, threshold=3.1) is None
    assert _barrier_point(scores(desire=3.41), threshold=3.4) is None
    readiness = ChangeReadiness(None, make_survey(), threshold=3.5)
    assert readiness._barrier("ICU") == "knowledge"
    assert readiness._barrier("Ward 4B") == "desire"


def test_a_unit_whose_mean_is_exactly_3_has_its_barrier_there():
    """Regression (issue 19): Prosci's barrier point is the first element scoring 3 or lower, so a unit
    mean of exactly 3.0 is low. The kit once taught "exactly 3.0 is not low"."""
    survey = make_survey([
        ("R1", "Rehab ward", "RN", 3, 2, 4, 3, 2),
        ("R2", "Rehab ward", "RN", 3, 3, 3, 3, 3),
        ("R3", "Rehab ward", "physician", 3, 4, 3, 3, 3),
    ])
    readiness = ChangeReadiness(None, survey)
    assert readiness.unit_scores("Rehab ward")["awareness"] == 3.0
    assert readiness.threshold == 3.0
    assert readiness._barrier("Rehab ward") == "awareness"  # not desire (3.0), the later one
    assert "exactly 3.0" not in describe_readiness(readiness)  # the chart names no verdict (see below)


def test_the_barrier_point_reads_element_names_in_any_case():
    values = {"Awareness": 4, "DESIRE": 2, "knowledge ": 4, "ability": 4, "reinforcement": 4}
    assert _barrier_point(values) == "desire"


def test_every_element_has_a_suggested_focus_in_the_fields_words():
    assert tuple(SUGGESTED_FOCUS) == ADKAR_ELEMENTS
    expected = {"awareness": "why", "desire": "resistance", "knowledge": "training", "ability": "coaching",
                "reinforcement": "celebrate"}
    for element, word in expected.items():
        assert word in SUGGESTED_FOCUS[element].lower(), element


# -- refusals of bad surveys and bad scores ------------------------------------------------------------


def test_missing_columns_are_named():
    survey = make_survey().drop(columns=["desire", "role"])
    with pytest.raises(ValueError, match="lacks the columns role, desire; it needs respondent_id, unit, "):
        unit_scores(survey)
    with pytest.raises(ValueError, match="lacks the column ability;"):
        ChangeReadiness(None, make_survey().drop(columns=["ability"]))


@pytest.mark.parametrize(
    ("value", "problem"),
    [(6, "S03's knowledge score is 6, outside the scale"), (0, "S03's knowledge score is 0, outside"),
     (3.5, "S03's knowledge score is 3.5; scores are whole numbers from 1 to 5"),
     ("4", "S03's knowledge score is '4'; scores are whole numbers"),
     (True, "S03's knowledge score is True"), (math.nan, "respondent S03 has no knowledge score"),
     (None, "respondent S03 has no knowledge score")],
)
def test_bad_scores_name_the_respondent_and_the_column(value, problem):
    survey = make_survey().astype({"knowledge": object})
    survey.loc[2, "knowledge"] = value
    with pytest.raises(ValueError, match=problem):
        unit_scores(survey)


def test_whole_numbers_of_any_type_are_scores():
    survey = make_survey()
    as_float = survey.astype({element: float for element in ADKAR_ELEMENTS})
    nullable = survey.astype({element: "Int64" for element in ADKAR_ELEMENTS})
    as_numpy = [{**row, "desire": np.int8(row["desire"])} for row in survey.to_dict("records")]
    expected = unit_scores(survey)
    for other in (as_float, nullable, as_numpy):
        pd.testing.assert_frame_equal(unit_scores(other), expected)


def test_a_missing_answer_in_a_nullable_column_is_refused():
    survey = make_survey().astype({"ability": "Int64"})
    survey.loc[7, "ability"] = pd.NA
    with pytest.raises(ValueError, match="respondent S08 has no ability score"):
        unit_scores(survey)


@pytest.mark.parametrize(
    ("change", "problem"),
    [({"respondent_id": "S01"}, "respondent ids must be unique; repeated: S01"),
     ({"unit": None}, "respondent S02 has no unit"),
     ({"respondent_id": "  "}, "row 2 of the survey has no respondent_id")],
)
def test_bad_respondents_are_refused(change, problem):
    survey = make_survey().astype({"respondent_id": object, "unit": object})
    for column, value in change.items():
        survey.loc[1, column] = value
    with pytest.raises(ValueError, match=problem):
        unit_scores(survey)


@pytest.mark.parametrize("bad", [make_survey().iloc[0:0], "survey.csv", 42, [1, 2]])
def test_empty_or_non_tables_are_refused(bad):
    with pytest.raises(ValueError, match="survey"):
        unit_scores(bad)


def test_a_list_of_dicts_is_a_survey():
    rows = make_survey().to_dict("records")
    pd.testing.assert_frame_equal(unit_scores(rows), unit_scores(make_survey()))


def test_barrier_point_refuses_unknown_missing_and_bad_scores():
    with pytest.raises(KeyError, match="unknown ADKAR element 'motivation'; known: awareness, desire, "):
        _barrier_point({**scores(), "motivation": 3})
    with pytest.raises(ValueError, match="scores lack knowledge, reinforcement"):
        _barrier_point({"awareness": 4, "desire": 4, "ability": 4})
    with pytest.raises(ValueError, match="the desire score must be from 1 to 5; 0.5 is outside"):
        _barrier_point(scores(desire=0.5))
    with pytest.raises(ValueError, match="the ability score must be a number from 1 to 5, not nan"):
        _barrier_point(scores(ability=math.nan))
    with pytest.raises(ValueError, match="must map each ADKAR element"):
        _barrier_point([4, 4, 4, 4, 4])


@pytest.mark.parametrize("threshold", [0, 5.5, "3", None, True, math.nan])
def test_bad_thresholds_are_refused(threshold):
    with pytest.raises(ValueError, match="threshold"):
        _barrier_point(scores(), threshold=threshold)
    with pytest.raises(ValueError, match="threshold"):
        ChangeReadiness(None, make_survey(), threshold=threshold)


# -- the exercise: diagnosis and what-if --------------------------------------------------------------


def test_the_model_gives_each_units_barrier(readiness):
    assert readiness.units == UNITS
    assert {unit: readiness._barrier(unit) for unit in UNITS} == BARRIERS
    assert readiness.respondents.to_dict() == {"Ward 4B": 2, "ED": 2, "Pharmacy": 1, "ICU": 2, "Clinic": 1}


def test_diagnose_records_the_barrier_and_the_focus(readiness):
    assert readiness.undiagnosed == UNITS
    readiness.diagnose("Ward 4B", barrier="Desire", focus="Nurse champions explain what is in it for them")
    readiness.diagnose("Pharmacy", barrier=None)
    diagnosis = readiness.diagnosis("Ward 4B")
    assert (diagnosis.diagnosed, diagnosis.barrier) == (True, "desire")
    assert diagnosis.focus == "Nurse champions explain what is in it for them"
    assert readiness.diagnosis("Pharmacy").diagnosed and readiness.diagnosis("Pharmacy").barrier is None
    assert not readiness.diagnosis("ED").diagnosed and readiness.diagnosis("ED").barrier is None
    assert readiness.undiagnosed == ["ED", "ICU", "Clinic"]


def test_a_new_diagnosis_keeps_the_focus_unless_given_and_clearing_keeps_it_too(readiness):
    readiness.set_focus("ED", "Town hall on why the change")
    assert not readiness.diagnosis("ED").diagnosed
    readiness.diagnose("ED", "awareness")
    assert readiness.diagnosis("ED").focus == "Town hall on why the change"
    readiness.diagnose("ED", "desire", focus="")
    assert readiness.diagnosis("ED").focus == ""
    readiness.set_focus("ED", "Listen to the physicians' objections")
    readiness.clear_diagnosis("ED")
    assert readiness.diagnosis("ED") == Diagnosis(False, None, "Listen to the physicians' objections")


def test_what_if_scores_move_the_barrier_and_reset_brings_the_survey_back(readiness):
    readiness.adjust("Ward 4B", "desire", 3.5)
    assert readiness._barrier("Ward 4B") == "knowledge"
    assert readiness._barrier("Ward 4B", adjusted=False) == "desire"
    readiness.adjust("Ward 4B", "Knowledge", 3)
    assert readiness._barrier("Ward 4B") == "knowledge"  # exactly 3 is still low
    readiness.adjust("Ward 4B", "reinforcement", 3.25)
    readiness.adjust("Ward 4B", "Knowledge", 3.25)
    assert readiness._barrier("Ward 4B") is None
    assert readiness.adjustments("Ward 4B") == {"desire": 3.5, "knowledge": 3.25, "reinforcement": 3.25}
    assert readiness.scores().loc["Ward 4B", "desire"] == 3.5
    assert readiness.scores(adjusted=False).loc["Ward 4B", "desire"] == 2.5
    readiness.adjust("Pharmacy", "reinforcement", 1)
    assert readiness._barrier("Pharmacy") == "reinforcement"
    readiness.reset("Ward 4B")
    assert readiness._barrier("Ward 4B") == "desire" and readiness.adjustments("Ward 4B") == {}
    assert readiness._barrier("Pharmacy") == "reinforcement"  # only the one unit was reset


def test_unknown_units_and_elements_are_refused_listing_the_known_ones(readiness):
    for call in (lambda: readiness.diagnose("Ward 5", "desire"), lambda: readiness._barrier("ward 4b"),
                 lambda: readiness.adjust("Ward 5", "desire", 3), lambda: readiness.reset(None)):
        with pytest.raises(KeyError, match="known: Ward 4B, ED, Pharmacy, ICU, Clinic"):
            call()
    with pytest.raises(KeyError, match="diagnose one of awareness, desire, knowledge, ability, "
                                       "reinforcement, or None"):
        readiness.diagnose("ED", "no barrier")
    with pytest.raises(KeyError, match="unknown ADKAR element 'motivation'"):
        readiness.adjust("ED", "motivation", 3)
    assert readiness.undiagnosed == UNITS and readiness.adjustments("ED") == {}


@pytest.mark.parametrize("score", [0.9, 5.1, math.nan, "3", True, None])
def test_what_if_scores_outside_1_to_5_are_refused(readiness, score):
    with pytest.raises(ValueError, match="what-if desire score of 'Ward 4B' must be"):
        readiness.adjust("Ward 4B", "desire", score)
    assert readiness.adjustments("Ward 4B") == {}


def test_a_focus_must_be_text(readiness):
    with pytest.raises(ValueError, match="the focus for 'ED' must be text, not int"):
        readiness.diagnose("ED", "awareness", focus=3)
    with pytest.raises(ValueError, match="must be text"):
        readiness.set_focus("ED", None)
    assert not readiness.diagnosis("ED").diagnosed


def test_to_frame(readiness):
    readiness.diagnose("Ward 4B", "knowledge", focus="More classroom time")
    readiness.diagnose("Pharmacy", None)
    readiness.adjust("Clinic", "ability", 4)
    frame = readiness.to_frame()
    assert list(frame.index) == UNITS and frame.index.name == "unit"
    # No barrier column: the barrier point is the learner's to find, never the model's to hand out.
    assert list(frame.columns) == ["respondents", *ADKAR_ELEMENTS, "diagnosed", "diagnosed_barrier", "focus"]
    assert frame.loc["Clinic", "ability"] == 2.0  # the survey's mean, not the what-if
    assert frame.loc["Ward 4B", "diagnosed_barrier"] == "knowledge" and frame.loc["Ward 4B", "diagnosed"]
    assert frame.loc["Pharmacy", "diagnosed"] and frame.loc["Pharmacy", "diagnosed_barrier"] is None
    assert not frame.loc["ED", "diagnosed"] and frame.loc["ED", "diagnosed_barrier"] is None
    assert frame.loc["Ward 4B", "focus"] == "More classroom time"


# -- durable answers --------------------------------------------------------------------------------


def answer_file(tmp_path, exercise_id="mm-readiness"):
    return tmp_path / ".hitpm" / "answers" / f"{exercise_id}.json"


def test_a_restart_loses_nothing(tmp_path):
    first = ChangeReadiness("mm-readiness", make_survey(), directory=tmp_path)
    first.diagnose("Ward 4B", "desire", focus="Champions on every shift")
    first.diagnose("ICU", None)
    first.adjust("ED", "awareness", 3.25)
    again = ChangeReadiness("mm-readiness", make_survey(), directory=tmp_path)
    pd.testing.assert_frame_equal(again.to_frame(), first.to_frame())
    assert again.adjustments("ED") == {"awareness": 3.25} and again._barrier("ED") is None
    record = json.loads(answer_file(tmp_path).read_text())
    assert record["kind"] == "ChangeReadiness"
    assert record["model"]["units"]["Ward 4B"]["barrier"] == "desire"


@pytest.mark.parametrize(
    ("field", "value"),
    [("barrier", "motivation"), ("diagnosed", "yes"), ("focus", 7), ("adjustments", {"desire": 9}),
     ("adjustments", {"drive": 3}), ("adjustments", [3])],
)
def test_a_tampered_answer_is_set_aside_and_nothing_of_it_is_loaded(tmp_path, capsys, field, value):
    first = ChangeReadiness("mm-readiness", make_survey(), directory=tmp_path)
    first.diagnose("ED", "awareness", focus="Why now")
    first.diagnose("Ward 4B", "desire")
    record = json.loads(answer_file(tmp_path).read_text())
    record["model"]["units"]["Ward 4B"][field] = value
    answer_file(tmp_path).write_text(json.dumps(record))
    again = ChangeReadiness("mm-readiness", make_survey(), directory=tmp_path)
    assert again.undiagnosed == UNITS  # the good unit of the bad file is not loaded either
    assert again.saving_problem and "mm-readiness.json.bak" in again.saving_status
    assert answer_file(tmp_path).with_name("mm-readiness.json.bak").exists()
    assert "hitpm:" in capsys.readouterr().out


def test_a_barrier_on_an_undiagnosed_unit_is_tampering(tmp_path):
    ChangeReadiness("mm-readiness", make_survey(), directory=tmp_path).set_focus("ED", "x")
    record = json.loads(answer_file(tmp_path).read_text())
    record["model"]["units"]["ED"]["barrier"] = "desire"
    answer_file(tmp_path).write_text(json.dumps(record))
    assert ChangeReadiness("mm-readiness", make_survey(), directory=tmp_path).saving_problem


def test_answers_for_units_the_survey_no_longer_has_are_kept(tmp_path):
    ChangeReadiness("mm-readiness", make_survey(), directory=tmp_path).diagnose("Clinic", "ability")
    fewer = ChangeReadiness("mm-readiness", make_survey(RESPONSES[:7]), directory=tmp_path)
    assert "Clinic" not in fewer.units and not fewer.saving_problem
    fewer.diagnose("ED", "awareness")
    back = ChangeReadiness("mm-readiness", make_survey(), directory=tmp_path)
    assert back.diagnosis("Clinic").barrier == "ability" and back.diagnosis("ED").barrier == "awareness"


# -- the bar chart ----------------------------------------------------------------------------------


def panels(figure):
    return [axes for axes in figure.axes if axes.get_visible()]


def hatched_bars(axes):
    return [patch for patch in axes.patches if patch.get_hatch()]


def test_the_chart_has_a_panel_a_unit_and_names_no_barrier_point(readiness):
    # The barrier point is the learner's diagnosis, graded in ps03: no tool of the kit names it.
    figure = draw_readiness_bars(readiness)
    shown = panels(figure)
    assert len(shown) == len(UNITS)
    for axes, unit in zip(shown, UNITS, strict=True):
        assert axes.get_title() == f"{unit} (n={int(readiness.respondents[unit])})"
        assert hatched_bars(axes) == [] and "BARRIER" not in [text.get_text() for text in axes.texts]
        assert len(axes.patches) == len(ADKAR_ELEMENTS)
        values = [text.get_text() for text in axes.texts]
        assert values == [f"{readiness.unit_scores(unit)[e]:.2f}" for e in ADKAR_ELEMENTS]
        dashed = [line for line in axes.lines if line.get_linestyle() == "--"]
        assert len(dashed) == 1 and list(dashed[0].get_ydata()) == [3.0, 3.0]
    legend = [text.get_text() for text in figure.legends[0].get_texts()]
    assert legend == ["threshold 3.0: at or below it is low"]


def test_one_units_chart_marks_the_survey_mean_under_a_what_if(readiness):
    readiness.adjust("Ward 4B", "desire", 4)
    [axes] = panels(draw_readiness_bars(readiness, unit="Ward 4B"))
    assert hatched_bars(axes) == []
    [marks] = axes.collections
    assert marks.get_offsets().tolist() == [[1.0, 2.5]]  # desire's survey mean


def test_a_table_of_unit_scores_draws_with_its_own_threshold():
    frame = unit_scores(make_survey())
    [axes] = panels(draw_readiness_bars(frame, unit="ICU", threshold=3.5))
    dashed = [line for line in axes.lines if line.get_linestyle() == "--"]
    assert list(dashed[0].get_ydata()) == [3.5, 3.5]
    assert len(panels(draw_readiness_bars(frame))) == len(UNITS)
    with pytest.raises(KeyError, match="unknown unit 'Ward 5'; known: Ward 4B, ED"):
        draw_readiness_bars(frame, unit="Ward 5")
    with pytest.raises(ValueError, match="give a ChangeReadiness exercise or a DataFrame"):
        draw_readiness_bars([1, 2, 3])


def test_the_alt_text_gives_every_score_and_no_verdict(readiness):
    text = describe_readiness(readiness)
    assert text.startswith("ADKAR readiness bar chart, mean scores from 1 to 5, a dashed line at the "
                           "threshold 3.0")
    assert ("Ward 4B (2 respondents): awareness 4.50, desire 2.50, knowledge 2.50, ability 3.50, "
            "reinforcement 3.00.") in text
    assert "Pharmacy (1 respondent): awareness 4.00" in text and "barrier" not in text
    readiness.adjust("ED", "awareness", 3.5)
    one = describe_readiness(readiness, unit="ED")
    assert "ED (2 respondents)" in one and "Ward 4B" not in one
    assert one.endswith("what-if: awareness from 2.50 to 3.50.") and "barrier" not in one
    assert "threshold 2.75" in describe_readiness(unit_scores(make_survey()), threshold=2.75)


# -- the widget -------------------------------------------------------------------------------------


def test_each_what_if_score_is_a_labelled_number_box(readiness):
    import ipywidgets as widgets

    box = readiness.widget.score_boxes["reinforcement"]
    # A label screen readers read (sliders have none); the arrow keys step it by a tenth.
    assert isinstance(box, widgets.BoundedFloatText) and box.description == "Reinforcement (1-5)"
    assert (box.min, box.max, box.step) == (1, 5, 0.1)


def test_the_widget_writes_the_model(readiness):
    view = readiness.widget
    assert view.picker.options == tuple(UNITS)
    view.picker.value = "Ward 4B"
    assert [view.score_boxes[e].value for e in ADKAR_ELEMENTS] == [4.5, 2.5, 2.5, 3.5, 3.0]
    view.score_boxes["desire"].value = 3.2000000000000006  # a keyboard user's arrow keys on the box
    assert readiness.adjustments("Ward 4B") == {"desire": 3.2}
    assert readiness._barrier("Ward 4B") == "knowledge"
    view.diagnosis.value = "desire"
    assert readiness.diagnosis("Ward 4B").barrier == "desire"
    view.focus.value = "Let nurses shape the new workflow"
    assert readiness.diagnosis("Ward 4B").focus == "Let nurses shape the new workflow"
    view.diagnosis.value = "no barrier"
    assert readiness.diagnosis("Ward 4B").diagnosed and readiness.diagnosis("Ward 4B").barrier is None
    view.diagnosis.value = ""
    assert not readiness.diagnosis("Ward 4B").diagnosed
    view.reset_button.click()
    assert readiness.adjustments("Ward 4B") == {} and view.score_boxes["desire"].value == 2.5


def test_the_widget_redraws_on_every_change_and_never_names_the_barrier(readiness):
    view = readiness.widget
    view.picker.value = "Ward 4B"
    focus_texts = list(SUGGESTED_FOCUS.values())
    for shown in (view.computed.value, view.chart.value):
        assert "barrier point:" not in shown.lower() and not any(focus in shown for focus in focus_texts)
    assert "whose mean is at or below 3.0" in view.computed.value
    view.score_boxes["desire"].value = 4
    assert readiness._barrier("Ward 4B") == "knowledge"  # the model knows; the view does not say
    assert "what-if: desire from 2.50 to 4.00." in view.chart.value
    assert "Knowledge" not in view.computed.value and "barrier" not in view.chart.value


def test_switching_units_changes_nothing_in_the_model(readiness):
    view = readiness.widget
    readiness.adjust("ICU", "ability", 2)
    for unit in UNITS:
        view.picker.value = unit
    view.picker.value = "ICU"
    assert view.score_boxes["ability"].value == 2.0
    assert {unit: readiness.adjustments(unit) for unit in UNITS} == {
        **{unit: {} for unit in UNITS}, "ICU": {"ability": 2.0}}
    assert readiness.undiagnosed == UNITS


def test_the_widget_follows_changes_made_in_code(readiness):
    view = readiness.widget
    view.picker.value = "ED"
    readiness.diagnose("ED", "awareness", focus="Explain the safety case")
    readiness.adjust("ED", "awareness", 3.75)
    assert view.diagnosis.value == "awareness" and view.focus.value == "Explain the safety case"
    assert view.score_boxes["awareness"].value == 3.75
    assert "alt=\"ADKAR readiness bar chart" in view.chart.value
    assert "ED (2 respondents): awareness 3.75" in view.chart.value
    assert readiness.adjustments("ED") == {"awareness": 3.75}  # the synced box did not write back
    readiness.diagnose("ED", None)
    assert view.diagnosis.value == "no barrier"


def test_the_widget_shows_where_the_answer_is_saved(tmp_path):
    readiness = ChangeReadiness("mm-readiness", make_survey(), directory=tmp_path)
    view = readiness.widget
    assert "mm-readiness.json" in view.status.value
    view.diagnosis.value = "desire"
    again = ChangeReadiness("mm-readiness", make_survey(), directory=tmp_path)
    assert again.diagnosis("Ward 4B").barrier == "desire"


def test_displaying_the_model_shows_the_widget(readiness):
    assert "application/vnd.jupyter.widget-view+json" in readiness._repr_mimebundle_()


