"""The drag-and-drop views' Python side: the browser's payload reaches the model (or is refused into the
status line), every model change reaches the browser, and every colour the browser shows is readable.

The browser side (grid.js) is driven by the browser tests in tests/browser.
"""

import html
import json
import re
from importlib import resources

import pytest

from hitpm_widgets import RiskRegister, StakeholderMap
from hitpm_widgets.dragdrop import RiskMatrixDragView, StakeholderDragView, read_moves
from hitpm_widgets.dragdrop.colours import MINIMUM_CONTRAST, contrast_ratio, text_on, tint
from hitpm_widgets.dragdrop.grid import colour_pairs, short_names
from hitpm_widgets.views.stakeholder_map import StakeholderMapView

NAMES = ["CFO", "Nurses union", "Health information management", "Local press", "Unit clerks"]
PROBLEM_COLOUR = "#B00020"  # the status line's colour for a problem (views/common.py)


@pytest.fixture
def smap(tmp_path):
    return StakeholderMap("drag-test", NAMES, directory=tmp_path)


@pytest.fixture
def view(smap):
    return StakeholderDragView(smap)


def as_browser(view, changes: dict, request: int = 1) -> None:
    """What grid.js does on a drop or an arrow key: the whole list back, moved markers changed."""
    markers = [dict(marker) for marker in view.board.markers]
    for marker in markers:
        if marker["name"] in changes:
            marker["x"], marker["y"] = changes[marker["name"]]
            marker["request"] = request
    view.board.markers = markers


def status_text(view) -> str:
    return html.unescape(view.status.value)


def marker(view, name: str) -> dict:
    (found,) = [m for m in view.board.markers if m["name"] == name]
    return found


# -- from the browser to the model ------------------------------------------------------------------


def test_a_drop_places_the_stakeholder_through_the_model_and_is_saved(smap, view, tmp_path):
    as_browser(view, {"CFO": (3, 9)})
    assert smap.quadrant("CFO") == "keep satisfied"
    assert (smap.assessment("CFO").power, smap.assessment("CFO").interest) == (9, 3)
    assert marker(view, "CFO")["label"] == "CFO: power 9, interest 3, keep satisfied"
    assert marker(view, "CFO")["answered"] == 1
    saved = json.loads((tmp_path / ".hitpm" / "answers" / "drag-test.json").read_text())
    assert saved["model"]["stakeholders"]["CFO"]["power"] == 9
    assert StakeholderMap("drag-test", NAMES, directory=tmp_path).quadrant("CFO") == "keep satisfied"


def test_only_the_markers_the_browser_moved_change(smap, view):
    smap.place("Local press", power=5.5, interest=2.25)  # from code: not on the grid's whole numbers
    as_browser(view, {"CFO": (7, 9), "Nurses union": (8, 8)})
    assert smap.quadrant("CFO") == smap.quadrant("Nurses union") == "manage closely"
    assert (smap.assessment("Local press").power, smap.assessment("Local press").interest) == (5.5, 2.25)
    assert smap.unplaced == ["Health information management", "Unit clerks"]


def test_a_risk_dropped_in_a_cell_takes_the_cells_levels(tmp_path):
    register = RiskRegister("risk-drag", directory=tmp_path)
    for risk_id, probability, impact in (("R01", 0.3, 0.4), ("R02", 0.5, 0.2)):
        register.add(risk_id, cause="c", event="e", effect="f", category="technical",
                     probability=probability, impact=impact)
    view = RiskMatrixDragView(register)
    as_browser(view, {"R02": (0.8, 0.9)})
    assert (register.risk("R02").probability, register.risk("R02").impact) == (0.9, 0.8)
    assert register.band("R02") == "high"
    assert marker(view, "R02")["label"] == "R02: probability 0.9, impact 0.80, score 0.72, high"
    as_browser(view, {"R01": (0.3, 0.4)})  # impact 0.3 is no level of the pmbok scale: refused
    assert (register.risk("R01").probability, register.risk("R01").impact) == (0.3, 0.4)
    assert "impact 0.3: the grid's impact values are 0.05, 0.1, 0.2, 0.4, 0.8" in status_text(view)


def test_the_risk_matrix_shows_open_risks_and_marks_opportunities():
    register = RiskRegister(None)
    register.add("R01", cause="c", event="e", effect="f", category="technical", probability=0.3, impact=0.4)
    register.add("R02", cause="c", event="e", effect="f", category="technical", probability=0.5, impact=0.2,
                 status="closed")
    register.add("O1", cause="c", event="e", effect="f", category="technical", probability=0.7, impact=0.1,
                 kind="opportunity", response="exploit")
    view = RiskMatrixDragView(register)
    assert [m["name"] for m in view.board.markers] == ["R01", "O1"]
    assert marker(view, "O1")["short"] == "+O1"
    assert marker(view, "O1")["label"].endswith(", opportunity")
    cells = view.board.config["cells"]
    assert (len(cells), len(cells[0])) == (5, 5)
    assert cells[4][4]["label"] == "H 0.72" and cells[0][0]["label"] == "L 0.005"


# -- bad payloads: refused into the status line, never raised ---------------------------------------


@pytest.mark.parametrize("payload, message", [
    ("junk", "must come as a list of {name, x, y} records"),
    (None, "must come as a list"),
    ([42], "each marker must be a {name, x, y} record"),
    ([{"name": "Nobody", "x": 1, "y": 1}], "unknown marker 'Nobody'; known: CFO, Nurses union"),
    ([{"name": "CFO", "x": 3}], "needs both interest and power on the grid"),
    ([{"name": "CFO", "x": "3", "y": 9}], "the interest of marker 'CFO' must be a number"),
    ([{"name": "CFO", "x": True, "y": 9}], "must be a number"),
    ([{"name": "CFO", "x": float("nan"), "y": 9}], "must be a number"),
    ([{"name": "CFO", "x": 11, "y": 9}], "cannot go to interest 11: the grid's interest values are 0, 1, 2"),
    ([{"name": "CFO", "x": 3.5, "y": 9}], "cannot go to interest 3.5"),
    ([{"name": "CFO", "x": 3, "y": 9}, {"name": "CFO", "x": 4, "y": 9}], "was sent twice"),
])
def test_a_bad_payload_is_refused_into_the_status_and_moves_nothing(smap, view, payload, message):
    before = smap.to_frame()
    view.board.markers = payload  # what a broken or tampered front end could send
    assert message in status_text(view)
    assert PROBLEM_COLOUR in view.status.value
    assert smap.to_frame().equals(before)
    assert isinstance(view.board.markers, list) and len(view.board.markers) == len(NAMES)  # the truth again


def test_a_marker_cannot_go_back_to_the_tray_and_snaps_back(smap, view):
    smap.place("CFO", power=9, interest=3)
    as_browser(view, {"CFO": (None, None), "Local press": (2, 5)})
    assert "cannot go back to the tray" in view.status.value
    assert smap.quadrant("CFO") == "keep satisfied"
    assert smap.quadrant("Local press") is None  # one bad record: the whole payload is refused
    assert (marker(view, "CFO")["x"], marker(view, "CFO")["y"]) == (3, 9)


def test_read_moves_leaves_out_unmoved_and_unsent_markers():
    positions = {"A": (1.0, 2.0), "B": (None, None), "C": (4.0, 4.0)}
    levels = list(range(11))
    payload = [{"name": "A", "x": 1, "y": 2}, {"name": "B", "x": 5, "y": 6, "extra": "ignored"}]
    assert read_moves(payload, positions, levels, levels) == [("B", 5, 6)]
    assert read_moves([], positions, levels, levels) == []


# -- from the model (code, or the form view) to the browser ----------------------------------------


def test_a_change_in_code_reaches_the_drag_view(smap, view):
    smap.place("Unit clerks", power=1, interest=9)
    assert marker(view, "Unit clerks")["x"] == 9 and marker(view, "Unit clerks")["y"] == 1
    assert marker(view, "Unit clerks")["label"] == "Unit clerks: power 1, interest 9, keep informed"
    assert marker(view, "Unit clerks")["shape"] == "▲"
    smap.clear("Unit clerks")
    assert marker(view, "Unit clerks")["x"] is None
    assert marker(view, "Unit clerks")["label"] == "Unit clerks: not placed yet"
    assert "Saved automatically" in view.status.value


def test_the_form_view_and_the_drag_view_stay_in_step(smap):
    form = StakeholderMapView(smap)
    assert form.grid_pane.children[1] is form.grid
    form.grid_as.value = "Drag and drop"
    drag_view = form.grid_pane.children[1]
    assert isinstance(drag_view, StakeholderDragView) and drag_view.model is smap
    form.picker.value = "CFO"
    form.power.value, form.interest.value = 9, 2  # a keyboard user's slider moves
    assert marker(drag_view, "CFO")["label"] == "CFO: power 9, interest 2, keep satisfied"
    as_browser(drag_view, {"CFO": (8, 9)})
    assert (form.power.value, form.interest.value) == (9, 8)
    assert "manage closely" in form.current.value and "manage closely" in form.table.value
    # The markers keep room for every column, each as wide as the longest short name a placed marker shows.
    widest = max(len(entry["short"]) for entry in drag_view.board.markers)
    assert form.grid_pane.layout.min_width == drag_view.least_width == \
        f"calc(11 * max(44px, calc({widest} * 0.55em + 1.8em + 10px)) + 5em)"
    form.grid_as.value = "Picture"
    assert form.grid_pane.children[1] is form.grid and form.grid_pane.layout.min_width is None
    form.grid_as.value = "Drag and drop"
    assert form.grid_pane.children[1] is drag_view  # made once


def test_the_grid_describes_its_axes_cells_and_short_names(view):
    config = view.board.config
    assert [c["value"] for c in config["columns"]] == list(range(11))
    assert (config["x_name"], config["y_name"]) == ("interest", "power")
    assert config["dividers"] == {"columns": [5], "rows": [5]}
    assert config["entry"] == [5, 5]
    assert {"short": "HIM", "name": "Health information management"} in config["key"]
    assert config["cells"][9][2]["background"] != config["cells"][9][7]["background"]  # two quadrants


def test_short_names_fit_a_cell_and_are_unique():
    shorts = short_names(["CFO", "Nurse managers", "North manor", "Pharmacy", "IT operations",
                          "Opt-out group"])
    assert shorts == {"CFO": "CFO", "Nurse managers": "NM", "North manor": "NM2", "Pharmacy": "Phar",
                      "IT operations": "ITO", "Opt-out group": "OOG"}


# -- colours ---------------------------------------------------------------------------------------


def test_the_contrast_ratio_matches_wcag():
    assert contrast_ratio("#000000", "#FFFFFF") == pytest.approx(21)
    assert contrast_ratio("#0072B2", "#0072B2") == pytest.approx(1)
    # #767676 is the lightest grey that passes on white.
    assert contrast_ratio("#767676", "#FFFFFF") == pytest.approx(4.54, abs=0.01)
    assert contrast_ratio("#777777", "#FFFFFF") < MINIMUM_CONTRAST
    assert contrast_ratio("#FFFFFF", "#767676") == contrast_ratio("#767676", "#FFFFFF")
    assert tint("#000000", 0.5) == "#808080" and tint("#123456", 0) == "#FFFFFF"
    assert text_on("#0072B2") == "#FFFFFF" and text_on("#E69F00") == "#000000"
    with pytest.raises(ValueError, match="#RRGGBB"):
        contrast_ratio("blue", "#FFFFFF")


def every_colour_pair_of(view) -> list[tuple[str, str, str]]:
    return colour_pairs(view.board.config, view.board.markers)


def test_every_colour_of_the_stakeholder_grid_reads_at_4_5_to_1(smap, view):
    for name, (power, interest) in zip(NAMES[:4], [(9, 9), (9, 1), (1, 9), (1, 1)], strict=True):
        smap.place(name, power=power, interest=interest)  # a marker in every quadrant, one in the tray
    pairs = every_colour_pair_of(view)
    assert {what for what, _, _ in pairs} >= {"marker 'CFO'", "marker 'Unit clerks'", "focus ring on a cell"}
    low = [(what, round(contrast_ratio(fg, bg), 2)) for what, fg, bg in pairs if contrast_ratio(fg, bg) < 4.5]
    assert low == []
    assert len({marker["fill"] for marker in view.board.markers}) == 5  # four quadrant colours and the tray's


def test_every_colour_of_the_risk_matrix_reads_at_4_5_to_1():
    register = RiskRegister(None, scale="ordinal")
    register.add("A", cause="c", event="e", effect="f", category="technical", probability=5, impact=5)
    register.add("B", cause="c", event="e", effect="f", category="technical", probability=1, impact=2,
                 kind="opportunity")
    pairs = every_colour_pair_of(RiskMatrixDragView(register))
    assert len([p for p in pairs if p[0].startswith("cell text")]) == 25
    low = [(what, round(contrast_ratio(fg, bg), 2)) for what, fg, bg in pairs if contrast_ratio(fg, bg) < 4.5]
    assert low == []


def test_the_style_sheet_holds_no_colour_of_its_own():
    """Every colour comes from Python, where the tests above check it."""
    package = resources.files("hitpm_widgets.dragdrop")
    css = (package / "grid.css").read_text(encoding="utf-8")
    assert "var(--hitpm-dd-focus)" in css
    assert not re.search(r"#[0-9A-Fa-f]{3,8}\b|\brgba?\(|\bhsla?\(", css)
    assert "export default" in (package / "grid.js").read_text(encoding="utf-8")


def test_the_risk_register_form_offers_the_drag_view_in_step():
    from hitpm_widgets.views.risk_register import RiskRegisterView

    register = RiskRegister(None)
    register.add("R01", cause="c", event="e", effect="f", category="technical", probability=0.3, impact=0.4)
    form = RiskRegisterView(register)
    assert form.grid_pane.children[1] is form.heat_map
    form.grid_pane.choice.value = "Drag and drop"
    drag_view = form.grid_pane.children[1]
    assert isinstance(drag_view, RiskMatrixDragView) and drag_view.model is register
    as_browser(drag_view, {"R01": (0.8, 0.9)})
    assert register.band("R01") == "high"
    assert "R01" in form.table.value and "high" in form.table.value
    form.grid_pane.choice.value = "Picture"
    assert form.grid_pane.children[1] is form.heat_map
