"""LeadershipScenarios: Thomas–Kilmann modes, situational leadership, refusals, durable answers, widget."""

import json

import pandas as pd
import pytest

from hitpm_widgets.leadership import (
    CONFLICT_MODES,
    LEADERSHIP_STYLES,
    READINESS_LEVELS,
    REASON_MAX,
    LeadershipScenarios,
    style_for,
)
from hitpm_widgets.plots.leadership import describe_conflict_modes, draw_conflict_modes, mode_position

COLUMNS = ["scenario_id", "title", "situation", "parties", "person", "competence_evidence",
           "commitment_evidence"]
ROWS = [
    ["C1", "Order sets at war", "Two physician groups want different sepsis order sets.", "ED vs ICU leads",
     "Dr Amara Osei", "built three order sets before", "asks to lead the design"],
    ["C2", "The reluctant super-user", "A charge nurse stopped coming to super-user huddles.",
     "Nursing vs project", "Lena Fischer", "top scores in the EMR training",
     "says the project is not her job"],
    ["C3", "Printer fight", "Two clerks argue over a shared label printer.", "Front desk clerks",
     "Tom Reyes", "new to the role", "keen to learn"],
]


def scenarios_table():
    return pd.DataFrame(ROWS, columns=COLUMNS)


@pytest.fixture
def model():
    return LeadershipScenarios(None, scenarios_table())


# -- the frameworks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "assertiveness", "cooperativeness"),
    [("competing", "high", "low"), ("collaborating", "high", "high"), ("compromising", "middle", "middle"),
     ("avoiding", "low", "low"), ("accommodating", "low", "high")],
)
def test_conflict_modes_sit_where_thomas_and_kilmann_put_them(mode, assertiveness, cooperativeness):
    spec = CONFLICT_MODES[mode]
    assert (spec.assertiveness, spec.cooperativeness) == (assertiveness, cooperativeness)
    assert spec.when_it_fits and "\n" not in spec.when_it_fits


def test_there_are_exactly_five_lower_case_modes():
    assert list(CONFLICT_MODES) == ["competing", "collaborating", "compromising", "avoiding", "accommodating"]


@pytest.mark.parametrize(
    ("level", "able", "willing", "words", "style"),
    [("R1", False, False, "unable, unwilling", "S1 telling"),
     ("R2", False, True, "unable, willing", "S2 selling"),
     ("R3", True, False, "able, unwilling", "S3 participating"),
     ("R4", True, True, "able, willing", "S4 delegating")],
)
def test_readiness_and_styles_follow_hersey_and_blanchard(level, able, willing, words, style):
    readiness = READINESS_LEVELS[level]
    assert (readiness.able, readiness.willing, readiness.description) == (able, willing, words)
    assert style_for(level) == style
    assert style_for(level.lower()) == style
    assert style in LEADERSHIP_STYLES


def test_style_for_refuses_unknown_levels():
    with pytest.raises(ValueError, match=r"unknown readiness 'R5'; one of: R1 \(unable, unwilling\)"):
        style_for("R5")


# -- answering -------------------------------------------------------------------------------


def test_a_full_answer_is_recorded_and_read_back(model):
    model.answer("C1", mode="collaborating", readiness="R4", style="S4 delegating",
                 reason="both groups' concerns matter; she is able and willing")
    answer = model.answer_for("C1")
    assert (answer.mode, answer.readiness, answer.style) == ("collaborating", "R4", "S4 delegating")
    assert answer.reason == "both groups' concerns matter; she is able and willing"
    assert answer.complete
    assert model.unanswered() == ["C2", "C3"]


def test_parts_can_be_answered_one_at_a_time(model):
    model.answer("C2", mode="competing")
    model.answer("C2", readiness="R3")
    assert model.answer_for("C2").mode == "competing"
    assert model.answer_for("C2").style is None
    assert "C2" in model.unanswered()
    model.answer("C2", style="S3")
    model.answer("C2", reason="able but unwilling: involve her in decisions")
    assert "C2" not in model.unanswered()
    assert model.answer_for("C2").mode == "competing"


@pytest.mark.parametrize("given", ["S2", "s2", "selling", "S2 selling", " s2   SELLING "])
def test_short_forms_of_a_style_are_normalised(model, given):
    model.answer("C1", style=given)
    assert model.answer_for("C1").style == "S2 selling"


def test_mode_and_readiness_are_normalised(model):
    model.answer("C1", mode=" Avoiding ", readiness="r1")
    assert (model.answer_for("C1").mode, model.answer_for("C1").readiness) == ("avoiding", "R1")


def test_answer_for_is_a_copy(model):
    model.answer("C1", mode="competing")
    copy = model.answer_for("C1")
    copy.mode = "avoiding"
    assert model.answer_for("C1").mode == "competing"


@pytest.mark.parametrize(
    ("readiness", "style", "fits"),
    [("R1", "S1", True), ("R2", "S2", True), ("R3", "S3", True), ("R4", "S4", True),
     ("R1", "S4", False), ("R4", "S1", False), ("R2", "S3", False), ("R3", "S2", False)],
)
def test_style_matches_readiness(model, readiness, style, fits):
    model.answer("C3", readiness=readiness, style=style)
    assert model.style_matches_readiness("C3") is fits


def test_style_matches_readiness_is_none_until_both_are_chosen(model):
    assert model.style_matches_readiness("C1") is None
    model.answer("C1", readiness="R2")
    assert model.style_matches_readiness("C1") is None
    model.answer("C1", style="S2")
    assert model.style_matches_readiness("C1") is True


def test_clear_takes_the_answer_back_to_nothing(model):
    model.answer("C1", mode="competing", readiness="R1", style="S1", reason="safety first")
    model.clear("C1")
    assert model.answer_for("C1").mode is None and model.answer_for("C1").reason is None
    assert model.unanswered() == ["C1", "C2", "C3"]


def test_to_frame(model):
    model.answer("C2", mode="accommodating", readiness="R3", style="S1", reason="keep her goodwill")
    frame = model.to_frame()
    assert list(frame.index) == ["C1", "C2", "C3"]
    assert list(frame.columns) == ["title", "mode", "assertiveness", "cooperativeness", "readiness", "style",
                                   "style_matches_readiness", "reason"]
    assert frame.loc["C2", "title"] == "The reluctant super-user"
    assert (frame.loc["C2", "assertiveness"], frame.loc["C2", "cooperativeness"]) == ("low", "high")
    assert frame["style_matches_readiness"].tolist() == [None, False, None]
    assert pd.isna(frame.loc["C1", "mode"])


# -- refusals --------------------------------------------------------------------------------


def test_unknown_scenarios_raise_key_error_listing_the_known(model):
    with pytest.raises(KeyError, match="unknown scenario 'C9'; known: C1, C2, C3"):
        model.answer("C9", mode="competing")
    for reader in (model.answer_for, model.style_matches_readiness, model.clear):
        with pytest.raises(KeyError, match="known: C1, C2, C3"):
            reader("c1")


@pytest.mark.parametrize(
    ("part", "value", "allowed"),
    [("mode", "forcing", "one of: competing, collaborating, compromising, avoiding, accommodating"),
     ("mode", 3, "must be text"),
     ("readiness", "R0", "one of: R1 .unable, unwilling.; R2 .unable, willing.; R3 .able, unwilling.; "
                         "R4 .able, willing."),
     ("readiness", "high", "one of: R1"),
     ("style", "S5", "one of: S1 telling, S2 selling, S3 participating, S4 delegating"),
     ("style", "coaching", "S1 to S4"),
     ("reason", "   ", "must not be empty"),
     ("reason", "first line\nsecond line", "one line"),
     ("reason", "x" * (REASON_MAX + 1), f"301 characters long; keep it to one line of at most {REASON_MAX}")],
)
def test_bad_values_are_refused_saying_what_is_allowed(model, part, value, allowed):
    with pytest.raises(ValueError, match=allowed):
        model.answer("C1", **{part: value})
    assert model.answer_for("C1") == type(model.answer_for("C1"))()


def test_a_reason_of_the_longest_allowed_length_is_kept(model):
    model.answer("C1", reason="y" * REASON_MAX)
    assert len(model.answer_for("C1").reason) == REASON_MAX


def test_a_bad_part_leaves_the_good_parts_unrecorded(model):
    with pytest.raises(ValueError, match="unknown leadership style"):
        model.answer("C1", mode="competing", style="S9")
    assert model.answer_for("C1").mode is None


def test_an_answer_with_no_part_is_refused(model):
    with pytest.raises(ValueError, match="give at least one of mode, readiness, style, reason"):
        model.answer("C1")


def test_a_list_of_dicts_gives_the_scenarios():
    model = LeadershipScenarios(None, [{"scenario_id": "A"}, {"scenario_id": "B", "title": "second"}])
    assert model.scenario_ids == ["A", "B"]
    assert model.to_frame().loc["B", "title"] == "second"


@pytest.mark.parametrize(
    ("bad", "message"),
    [(pd.DataFrame({"title": ["x"]}), "needs a 'scenario_id' column; its columns: title"),
     (pd.DataFrame({"scenario_id": ["C1", "C1"]}), "unique; repeated: C1"),
     (pd.DataFrame({"scenario_id": ["C1", None]}), "scenario 2 of the table has no scenario_id"),
     (pd.DataFrame({"scenario_id": []}), "no scenarios"),
     ("C1", "a table"),
     ([1, 2], "a table")],
)
def test_bad_scenario_tables_are_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        LeadershipScenarios(None, bad)


# -- durable answers -------------------------------------------------------------------------


def test_answers_survive_a_new_model_with_the_same_id(tmp_path):
    first = LeadershipScenarios("mm-conflicts", scenarios_table(), directory=tmp_path)
    first.answer("C1", mode="collaborating", readiness="R4", style="S4", reason="able and willing")
    first.answer("C3", mode="avoiding")
    assert (tmp_path / ".hitpm" / "answers" / "mm-conflicts.json").is_file()
    again = LeadershipScenarios("mm-conflicts", scenarios_table(), directory=tmp_path)
    assert again.answer_for("C1") == first.answer_for("C1")
    assert again.answer_for("C3").mode == "avoiding"
    assert again.unanswered() == ["C2", "C3"]
    assert not again.saving_problem


def test_answers_to_scenarios_the_table_no_longer_lists_are_kept(tmp_path):
    first = LeadershipScenarios("mm-conflicts", scenarios_table(), directory=tmp_path)
    first.answer("C3", mode="avoiding")
    fewer = LeadershipScenarios("mm-conflicts", scenarios_table().iloc[:2], directory=tmp_path)
    fewer.answer("C1", mode="competing")
    all_three = LeadershipScenarios("mm-conflicts", scenarios_table(), directory=tmp_path)
    assert all_three.answer_for("C3").mode == "avoiding"
    assert all_three.answer_for("C1").mode == "competing"


@pytest.mark.parametrize(
    "tamper",
    [lambda model: model["scenarios"]["C1"].update(mode="forcing"),
     lambda model: model["scenarios"]["C1"].update(reason="z" * (REASON_MAX + 5)),
     lambda model: model["scenarios"]["C1"].update(grade="A"),
     lambda model: model.update(scenarios=["C1"])],
)
def test_a_tampered_answer_file_is_set_aside(tmp_path, tamper, capsys):
    first = LeadershipScenarios("mm-conflicts", scenarios_table(), directory=tmp_path)
    first.answer("C1", mode="competing", readiness="R1")
    first.answer("C2", mode="accommodating")
    path = tmp_path / ".hitpm" / "answers" / "mm-conflicts.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    tamper(record["model"])
    path.write_text(json.dumps(record), encoding="utf-8")
    again = LeadershipScenarios("mm-conflicts", scenarios_table(), directory=tmp_path)
    # Nothing of the bad file is taken, not even its good parts.
    assert again.unanswered() == ["C1", "C2", "C3"]
    assert again.answer_for("C2").mode is None
    assert again.saving_problem and "kept as mm-conflicts.json.bak" in again.saving_status
    assert path.with_name("mm-conflicts.json.bak").is_file()
    assert capsys.readouterr().err == ""


# -- the widget ------------------------------------------------------------------------------


def test_the_widget_writes_the_model(model):
    view = model.widget
    assert view.picker.value == "C1"
    assert "Two physician groups" in view.evidence.value and "asks to lead the design" in view.evidence.value
    view.picker.value = "C2"
    assert "top scores in the EMR training" in view.evidence.value
    view.mode.value = "collaborating"  # arrow keys on the radio buttons
    view.readiness.value = "R3"
    view.style.value = "S3 participating"
    view.reason.value = "able but unwilling: share the decisions with her"  # typed, then Enter
    answer = model.answer_for("C2")
    assert (answer.mode, answer.readiness, answer.style) == ("collaborating", "R3", "S3 participating")
    assert answer.reason == "able but unwilling: share the decisions with her"
    assert model.unanswered() == ["C1", "C3"]
    assert "collaborating</i> fits when" in view.mode_fits.value
    assert "1 of 3 scenarios fully answered" in view.table.value
    assert 'alt="Thomas–Kilmann conflict modes:' in view.figure.value
    assert "Chosen: collaborating." in view.figure.value
    view.clear_button.click()
    assert model.answer_for("C2").mode is None
    assert view.mode.value is None and view.reason.value == ""


def test_the_widget_shows_refusals_in_the_status_line(model):
    view = model.widget
    view.reason.value = "r" * (REASON_MAX + 20)
    assert model.answer_for("C1").reason is None
    assert "keep it to one line of at most 300" in view.status.value and "#B00020" in view.status.value
    view.reason.value = "fine now"
    assert model.answer_for("C1").reason == "fine now"
    assert "#B00020" not in view.status.value


def test_switching_scenarios_shows_each_answer_and_changes_nothing(model):
    view = model.widget
    view.mode.value = "competing"
    view.picker.value = "C3"
    assert view.mode.value is None and view.readiness.value is None and view.style.value is None
    view.picker.value = "C1"
    assert view.mode.value == "competing"
    assert model.unanswered() == ["C1", "C2", "C3"]
    assert model.answer_for("C3").mode is None


def test_the_widget_follows_changes_made_in_code(model):
    view = model.widget
    model.answer("C1", mode="compromising", readiness="R2", style="S2", reason="a quick settlement")
    assert view.mode.value == "compromising"
    assert (view.readiness.value, view.style.value) == ("R2", "S2 selling")
    assert view.reason.value == "a quick settlement"
    assert "mode <i>compromising</i>" in view.current.value
    assert "a quick settlement" in view.table.value
    assert "Chosen: compromising." in view.figure.value
    assert view.figure.value.startswith('<img src="data:image/png;base64,')


def test_the_widget_shows_where_answers_are_saved(tmp_path):
    model = LeadershipScenarios("mm-conflicts", scenarios_table(), directory=tmp_path)
    assert "mm-conflicts.json" in model.widget.status.value


def test_displaying_the_model_shows_the_widget(model):
    assert "application/vnd.jupyter.widget-view+json" in model._repr_mimebundle_()


# -- the Thomas–Kilmann picture ---------------------------------------------------------------


def test_the_picture_places_modes_by_cooperativeness_and_assertiveness():
    assert mode_position("competing") == (0.2, 0.8)
    assert mode_position("accommodating") == (0.8, 0.2)
    assert mode_position("compromising") == (0.5, 0.5)
    figure = draw_conflict_modes("avoiding")
    axes = figure.axes[0]
    texts = [text.get_text() for text in axes.texts]
    assert set(CONFLICT_MODES) <= set(texts) and "chosen: avoiding" in texts
    assert axes.get_xlabel().startswith("Cooperativeness") and axes.get_ylabel().startswith("Assertiveness")


def test_the_picture_describes_itself():
    text = describe_conflict_modes("Competing")
    assert "competing (assertiveness high, cooperativeness low)" in text
    assert "compromising (assertiveness middle, cooperativeness middle)" in text
    assert text.endswith("Chosen: competing.")
    assert describe_conflict_modes().endswith("No mode chosen yet.")
    with pytest.raises(ValueError, match="unknown conflict mode"):
        draw_conflict_modes("forcing")
