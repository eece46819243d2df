"""A learner in a real JupyterLab: ps01's stakeholder grid and a risk matrix, dragged and keyed, kept
across a kernel restart, self-checked with `hitpm check`, and audited with axe-core.

The tests run in order on one server and one browser page: each goes on from where the last left off,
as a learner's session does.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from axe_playwright_python.sync_playwright import Axe

from ..conftest import FIXTURES
from .jupyterlab import (
    active_cell,
    cell_index,
    checked,
    drag,
    open_notebook,
    restart_kernel,
    run_all,
    run_new_notebook,
    save,
    scroll_to,
    serious,
    set_and_run,
    tab_to,
    wait_until,
)

ASSIGNMENT = "ps01-emr-stakeholders"
PS01 = f"workbooks/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"
REFERENCE = json.loads((FIXTURES / "emr_stakeholder_reference.json").read_text())["stakeholders"]
#: Done in the browser: the CFO dragged to keep satisfied (wrong: the go-live needs them managed
#: closely), the CNO moved with the keyboard to manage closely (right).
DRAGGED, KEYED = "CFO", "CNO"
CFO_LABEL = "CFO: power 9, interest 3, keep satisfied"
CNO_LABEL = "CNO: power 8, interest 9, manage closely"
RISK_NOTEBOOK = "scratch/risk-matrix.ipynb"
RISKS = [
    # id, probability, impact, kind
    ("R01", 0.3, 0.4, "threat"),
    ("R02", 0.5, 0.2, "threat"),
    ("R03", 0.7, 0.1, "opportunity"),
    ("R04", 0.9, 0.8, "threat"),
]


def marker(page, name: str):
    return page.locator(f".hitpm-dd-marker[data-name='{name}']")


def cell(page, x, y):
    return page.locator(f".hitpm-dd-cell[data-x='{x:g}'][data-y='{y:g}']")


def label_of(page, name: str) -> str:
    return marker(page, name).get_attribute("aria-label")


def wait_for_label(page, name: str, label: str) -> None:
    page.wait_for_function("([name, label]) => document.querySelector("
                           "`.hitpm-dd-marker[data-name='${name}']`)?.getAttribute('aria-label') === label",
                           arg=[name, label], timeout=15_000)


def show_drag_view(page) -> None:
    """Scroll to ps01's widget and switch its grid to drag and drop."""
    scroll_to(page, cell_index(page, "ps01-widget"))
    page.get_by_role("button", name="Drag and drop").click()
    page.locator(".hitpm-dd").wait_for()
    page.locator(".hitpm-dd").scroll_into_view_if_needed()


def saved_answer(folder, exercise_id: str) -> dict:
    path = folder / ".hitpm" / "answers" / f"{exercise_id}.json"
    return json.loads(path.read_text(encoding="utf-8"))["model"] if path.is_file() else {}


def code_answer(skip: set[str]) -> str:
    """What a learner might type in the answer cell: every placement but `skip`'s, and every salience."""
    lines = []
    for name, reference in REFERENCE.items():
        if name not in skip:
            power, interest = reference["power"], reference["interest"]
            lines.append(f"smap.place({name!r}, power={power}, interest={interest})")
        lines.append(f"smap.set_salience({name!r}, **{reference['salience']!r})")
    return "\n".join(lines)


# -- ps01: the stakeholder grid ---------------------------------------------------------------------


def test_ps01_opens_from_a_fresh_workspace_and_both_grids_render(lab, page):
    assert not (lab.workspace / "workbooks" / ASSIGNMENT / ".hitpm").exists()
    open_notebook(page, lab, PS01)
    run_all(page)
    scroll_to(page, cell_index(page, "ps01-widget"))
    picture = page.locator("img[alt^='Power/interest grid.']")
    picture.wait_for()
    assert "Not placed yet: CMIO" in picture.get_attribute("alt")
    show_drag_view(page)
    markers = page.locator(".hitpm-dd-marker")
    assert markers.count() == len(REFERENCE) == 20
    assert page.locator(".hitpm-dd-tray .hitpm-dd-marker").count() == 20
    assert label_of(page, "Health information management") == "Health information management: not placed yet"
    assert page.locator(".hitpm-dd-cell").count() == 11 * 11


def test_a_change_in_code_shows_in_the_drag_view(lab, page, screenshot):
    set_and_run(page, cell_index(page, "ps01-answer-map"), code_answer(skip={DRAGGED, KEYED}))
    scroll_to(page, cell_index(page, "ps01-widget"))
    wait_for_label(page, "CEO", "CEO: power 9, interest 7, manage closely")
    tray = page.locator(".hitpm-dd-tray .hitpm-dd-marker")
    assert sorted(tray.evaluate_all("nodes => nodes.map(n => n.dataset.name)")) == sorted([DRAGGED, KEYED])
    page.locator(".hitpm-dd").scroll_into_view_if_needed()
    screenshot(page.locator(".hitpm-dd"), "stakeholder-drag-grid")


def test_a_drag_and_the_keyboard_alone_change_the_model(lab, page):
    show_drag_view(page)
    drag(page, marker(page, DRAGGED), cell(page, 3, 9))
    wait_for_label(page, DRAGGED, CFO_LABEL)
    assert marker(page, DRAGGED).evaluate("node => node.closest('.hitpm-dd-cell').dataset.x") == "3"

    widget_cell = active_cell(page)
    tab_to(page, KEYED)
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "CNO: not placed yet"
    # Enter puts the marker in the middle (power 5, interest 5); then up 3 and right 4, at typing speed.
    for key in ["Enter", *["ArrowUp"] * 3, *["ArrowRight"] * 4]:
        page.keyboard.press(key)
    wait_for_label(page, KEYED, CNO_LABEL)
    assert page.evaluate("() => document.activeElement.dataset.name") == KEYED  # focus stays on the marker
    assert page.locator(".hitpm-dd-live").inner_text() == CNO_LABEL  # and a screen reader hears where it is
    assert active_cell(page) == widget_cell  # the notebook did not take the arrow keys

    folder = lab.workspace / "workbooks" / ASSIGNMENT
    def saved_stakeholders():
        stakeholders = saved_answer(folder, ASSIGNMENT).get("stakeholders", {})
        return stakeholders if stakeholders.get(KEYED, {}).get("interest") == 9 else None

    stakeholders = wait_until(saved_stakeholders, what="the CNO's answer file")
    assert (stakeholders[DRAGGED]["power"], stakeholders[DRAGGED]["interest"]) == (9, 3)
    assert (stakeholders[KEYED]["power"], stakeholders[KEYED]["interest"]) == (8, 9)
    # The form view over the same model shows it too.
    row = page.locator("table.hitpm-table tr", has=page.locator("td", has_text=re.compile("^CFO$"))).first
    assert row.locator("td").all_inner_texts()[:4] == ["CFO", "9.0", "3.0", "keep satisfied"]


def test_the_placements_are_still_there_after_a_kernel_restart(lab, page):
    restart_kernel(page)
    run_all(page)
    show_drag_view(page)
    wait_for_label(page, DRAGGED, CFO_LABEL)
    assert label_of(page, KEYED) == CNO_LABEL
    assert page.locator(".hitpm-dd-tray .hitpm-dd-marker").count() == 0


GRID_FIT = """() => {
  const grid = document.querySelector('.hitpm-dd');
  // What the learner can see of it: the nearest boxes around it that clip (the output, the notebook, the window).
  let clip = window.innerWidth;
  for (let node = grid.parentElement; node; node = node.parentElement) {
    if (getComputedStyle(node).overflowX !== 'visible') clip = Math.min(clip, node.getBoundingClientRect().right);
  }
  const cells = [...grid.querySelectorAll('.hitpm-dd-cell')];
  const placed = [...grid.querySelectorAll('.hitpm-dd-cell .hitpm-dd-marker')];
  const spilled = placed.filter((marker) => {
    const box = marker.getBoundingClientRect(), home = marker.closest('.hitpm-dd-cell').getBoundingClientRect();
    return box.right > home.right + 0.5 || box.left < home.left - 0.5 || marker.scrollWidth > marker.clientWidth;
  });
  return {clip, right: Math.max(...cells.map((cell) => cell.getBoundingClientRect().right)),
          placed: placed.length, spilled: spilled.map((marker) => marker.dataset.name)};
}"""


def test_the_grid_fits_a_1280_pixel_window_with_the_file_browser_open(page):
    """Every column (interest 10 too) and every placed marker's short name is seen whole, not clipped."""
    page.set_viewport_size({"width": 1280, "height": 1000})
    try:
        if not page.locator("#filebrowser").is_visible():
            page.locator(".jp-SideBar [data-id='filebrowser']").click()
        page.locator("#filebrowser").wait_for(state="visible")
        page.locator(".hitpm-dd").scroll_into_view_if_needed()
        page.wait_for_timeout(500)  # JupyterLab lays the panel out again after the window's change
        fit = page.evaluate(GRID_FIT)
        assert fit["placed"] >= 2, fit
        assert fit["right"] <= fit["clip"] + 1, fit
        assert fit["spilled"] == [], fit
    finally:
        page.set_viewport_size({"width": 1500, "height": 1100})


def test_axe_finds_nothing_serious_in_the_stakeholder_drag_grid(page):
    results = Axe().run(page, context=".hitpm-dd")
    assert serious(results) == []
    assert checked(results) >= {"button-name", "nested-interactive", "aria-roles"}


def test_axe_finds_nothing_serious_in_the_whole_stakeholder_widget(page):
    """The form (picker, number boxes, check boxes, tables) as well as the grid."""
    results = Axe().run(page, context=".hitpm-exercise")
    assert serious(results) == []
    assert checked(results) >= {"label", "button-name", "scrollable-region-focusable"}


def test_hitpm_check_scores_what_was_done_in_the_browser(lab, page):
    notebook = lab.workspace / PS01
    save(page)
    wait_until(lambda: "smap.place('CEO'" in notebook.read_text(encoding="utf-8"), what="the saved notebook")
    env = {key: value for key, value in os.environ.items() if key != "HITPM_ANSWERS_DIR"}
    result = subprocess.run([sys.executable, "-m", "hitpm_widgets.cli", "check", str(notebook)],
                            capture_output=True, text=True, env=env, cwd=lab.home, timeout=180)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    # The dragged CFO in keep satisfied loses the executives' quadrants (1) and manage closely (2).
    assert "Total: 6 of 9 points checked automatically; 4 more points to be graded by your instructor." in out
    assert "executive stakeholders are in a quadrant the case's evidence does not support: CFO." in out
    assert "pass  Map complete [ps01-test-complete]" in out  # the keyed CNO completes the map
    assert "FAIL  Manage closely before go-live [ps01-test-manage-closely]: 0 of 2 points" in out
    progress = json.loads((lab.workspace / ".hitpm" / "progress.json").read_text())["workbooks"][PS01]
    assert (progress["points"], progress["max_points"]) == (6, 9)


# -- a risk register's probability-impact matrix ----------------------------------------------------


def risk_notebook() -> list[str]:
    risks = [dict(id=risk_id, cause=f"cause {risk_id}", event=f"event {risk_id}", effect=f"effect {risk_id}",
                  category="technical", probability=probability, impact=impact, kind=kind)
             for risk_id, probability, impact, kind in RISKS]
    return ["from hitpm_widgets import RiskRegister\n"
            "from hitpm_widgets.dragdrop import RiskMatrixDragView\n\n"
            f"register = RiskRegister('browser-risks', {risks!r})",
            "RiskMatrixDragView(register)",
            ""]


@pytest.fixture(scope="module")
def risk_page(lab, page):
    run_new_notebook(page, lab, RISK_NOTEBOOK, risk_notebook())
    scroll_to(page, 1)
    page.locator(".hitpm-dd").wait_for()
    return page


def test_risks_snap_to_the_matrix_by_drag_and_by_keyboard(lab, risk_page, screenshot):
    page = risk_page
    assert page.locator(".hitpm-dd-cell").count() == 25
    assert label_of(page, "R03") == "R03: probability 0.7, impact 0.10, score 0.07, medium, opportunity"
    # Onto a cell that holds another risk already: dropped on that risk, it lands in its cell.
    drag(page, marker(page, "R02"), marker(page, "R04"))
    wait_for_label(page, "R02", "R02: probability 0.9, impact 0.80, score 0.72, high")
    tab_to(page, "R01")
    for key in ["ArrowUp", "ArrowUp", "ArrowLeft"]:
        page.keyboard.press(key)
    wait_for_label(page, "R01", "R01: probability 0.7, impact 0.20, score 0.14, medium")

    def saved_risks():
        saved = saved_answer(lab.workspace / "scratch", "browser-risks").get("risks", [])
        risks = {risk["id"]: risk for risk in saved}
        return risks if risks and risks["R01"]["impact"] == 0.2 else None

    risks = wait_until(saved_risks, what="the register's answer file")
    assert (risks["R02"]["probability"], risks["R02"]["impact"]) == (0.9, 0.8)
    assert (risks["R01"]["probability"], risks["R01"]["impact"]) == (0.7, 0.2)
    set_and_run(page, 2, "register.update('R04', probability=0.1, impact=0.05)")
    wait_for_label(page, "R04", "R04: probability 0.1, impact 0.05, score 0.005, low")
    page.locator(".hitpm-dd").scroll_into_view_if_needed()
    screenshot(page.locator(".hitpm-dd"), "risk-matrix-drag-grid")


def test_axe_finds_nothing_serious_in_the_risk_matrix(risk_page):
    results = Axe().run(risk_page, context=".hitpm-dd")
    assert serious(results) == []
    assert checked(results) >= {"button-name", "nested-interactive", "aria-roles"}
