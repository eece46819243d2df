"""StakeholderMap: the domain rules, bad input, the table, and the widget over the model."""

import math

import pandas as pd
import pytest

from hitpm_widgets import StakeholderMap, quadrant_of, salience_class_of

NAMES = ["CFO", "CNO", "Nurses union", "Patients council"]


@pytest.fixture
def smap():
    return StakeholderMap(None, NAMES)


@pytest.mark.parametrize(
    ("power", "interest", "quadrant"),
    [(9, 9, "manage closely"), (9, 1, "keep satisfied"), (1, 9, "keep informed"), (1, 1, "monitor"),
     (5, 5, "manage closely"), (4.9, 5, "keep informed"), (5, 4.9, "keep satisfied"), (0, 10, "keep informed")],
)
def test_quadrants_follow_the_power_interest_grid(power, interest, quadrant):
    assert quadrant_of(power, interest) == quadrant


@pytest.mark.parametrize(
    ("attributes", "salience"),
    [((True, False, False), "dormant"), ((False, True, False), "discretionary"),
     ((False, False, True), "demanding"), ((True, True, False), "dominant"),
     ((True, False, True), "dangerous"), ((False, True, True), "dependent"),
     ((True, True, True), "definitive"), ((False, False, False), "non-stakeholder")],
)
def test_salience_classes_follow_mitchell_agle_and_wood(smap, attributes, salience):
    assert salience_class_of(*attributes) == salience
    power, legitimacy, urgency = attributes
    smap.set_salience("CNO", power=power, legitimacy=legitimacy, urgency=urgency)
    assert smap.salience_class("CNO") == salience


def test_not_yet_assessed_is_none_not_a_class(smap):
    assert smap.quadrant("CFO") is None
    assert smap.salience_class("CFO") is None
    assert smap.unplaced == NAMES and smap.unassessed_salience == NAMES


def test_place_and_read_back(smap):
    smap.place("CFO", power=9, interest=3)
    smap.place("CNO", power=8, interest=9.5)
    assert smap.quadrant("CFO") == "keep satisfied"
    assert smap.in_quadrant("manage closely") == ["CNO"]
    assert smap.unplaced == ["Nurses union", "Patients council"]


def test_unknown_names_raise_key_error_listing_the_known_ones(smap):
    with pytest.raises(KeyError, match="unknown stakeholder 'CTO'; known: CFO, CNO, Nurses union, Patients council"):
        smap.place("CTO", power=1, interest=1)
    with pytest.raises(KeyError, match="known: CFO"):
        smap.quadrant("cfo")


@pytest.mark.parametrize("value", [-1, 10.5, 11, math.nan, "7", True, None])
def test_values_outside_the_scale_raise_value_error(smap, value):
    with pytest.raises(ValueError, match="0 to 10"):
        smap.place("CFO", power=value, interest=5)
    with pytest.raises(ValueError, match="0 to 10"):
        smap.place("CFO", power=5, interest=value)
    assert smap.quadrant("CFO") is None


@pytest.mark.parametrize("value", [1, "yes", None])
def test_salience_attributes_must_be_true_or_false(smap, value):
    with pytest.raises(ValueError, match="True or False"):
        smap.set_salience("CFO", power=value, legitimacy=True, urgency=False)


def test_unknown_quadrant_names_are_refused(smap):
    with pytest.raises(ValueError, match="one of: manage closely"):
        smap.in_quadrant("manage")


def test_clear_takes_a_stakeholder_off_the_grid_but_keeps_the_note(smap):
    smap.place("CFO", power=9, interest=3)
    smap.set_note("CFO", "monthly budget briefing")
    smap.clear("CFO")
    assert smap.quadrant("CFO") is None
    assert smap.assessment("CFO").note == "monthly budget briefing"


def test_to_frame(smap):
    smap.place("CFO", power=9, interest=3)
    smap.set_salience("CFO", power=True, legitimacy=True, urgency=False)
    frame = smap.to_frame()
    assert list(frame.index) == NAMES
    assert list(frame.columns) == ["power", "interest", "quadrant", "salience_power", "legitimacy",
                                   "urgency", "salience_class", "note"]
    assert frame.loc["CFO", "quadrant"] == "keep satisfied"
    assert frame.loc["CFO", "salience_class"] == "dominant"
    assert pd.isna(frame.loc["CNO", "power"])


def test_a_case_table_gives_the_names_and_the_evidence():
    table = pd.DataFrame({"name": ["CFO", "CNO"], "controls": ["the budget", "nursing staff"]})
    smap = StakeholderMap(None, table)
    assert smap.names == ["CFO", "CNO"]
    assert smap.evidence.loc["CFO", "controls"] == "the budget"


@pytest.mark.parametrize("bad", [[], "CFO", [1, 2], ["CFO", "CFO"]])
def test_bad_stakeholder_lists_are_refused(bad):
    with pytest.raises(ValueError):
        StakeholderMap(None, bad)


def test_the_widget_writes_the_model():
    table = pd.DataFrame({"name": NAMES, "controls": ["budget", "nurses", "contracts", "nothing"]})
    smap = StakeholderMap(None, table)
    view = smap.widget
    view.picker.value = "CNO"
    assert "nurses" in view.evidence.value
    view.power.value = 8  # what a keyboard user's arrow keys do to the slider
    view.interest.value = 9
    assert smap.assessment("CNO").power == 8 and smap.quadrant("CNO") == "manage closely"
    view.picker.value = "Patients council"
    view.power.value, view.interest.value = 2, 8
    view.place_button.click()
    assert smap.quadrant("Patients council") == "keep informed"
    view.legitimacy.value = True
    assert smap.salience_class("Patients council") == "discretionary"
    view.note.value = "invite to the go-live briefing"
    assert smap.assessment("Patients council").note == "invite to the go-live briefing"
    view.clear_button.click()
    assert smap.quadrant("Patients council") is None


def test_the_widget_follows_changes_made_in_code():
    smap = StakeholderMap(None, NAMES)
    view = smap.widget
    smap.place("CFO", power=9, interest=2)
    assert (view.power.value, view.interest.value) == (9, 2)
    assert "keep satisfied" in view.current.value
    assert "keep satisfied" in view.table.value
    assert "alt=\"Power/interest grid. manage closely: nobody; keep satisfied: CFO" in view.grid.value
    assert view.grid.value.startswith("<img src=\"data:image/png;base64,")


def test_switching_stakeholders_does_not_move_anyone():
    smap = StakeholderMap(None, NAMES)
    view = smap.widget
    smap.place("CFO", power=9, interest=2)
    view.picker.value = "CNO"
    view.picker.value = "CFO"
    assert smap.unplaced == ["CNO", "Nurses union", "Patients council"]
    assert smap.assessment("CFO").power == 9


def test_choosing_a_stakeholder_not_placed_yet_starts_the_form_again():
    """Not the last stakeholder's values, which one click on Place would give them."""
    smap = StakeholderMap(None, NAMES)
    view = smap.widget
    view.picker.value = "CFO"
    view.power.value, view.interest.value = 9, 2
    view.legitimacy.value = True
    view.note.value = "monthly budget review"
    view.picker.value = "CNO"
    assert (view.power.value, view.interest.value) == (5, 5)
    assert not view.legitimacy.value and view.note.value == ""
    assert smap.unplaced == ["CNO", "Nurses union", "Patients council"]
    view.picker.value = "CFO"
    assert (view.power.value, view.interest.value) == (9, 2) and view.legitimacy.value


def test_displaying_the_model_shows_the_widget(smap):
    bundle = smap._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
