"""Every exercise widget in one notebook in a real JupyterLab: axe finds nothing serious in any, and each
one's main control is reached with Tab and changed with the keyboard alone, changing the model.

Also the case narratives as `show_narrative()` renders them: money is text, never typeset as mathematics.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe

from hitpm_widgets import ChangeReadiness, load_case

from .jupyterlab import active_cell, checked, focus_reaches, printed, run_new_notebook, scroll_to, serious, wait_until

NOTEBOOK = "scratch/every-widget.ipynb"
SETUP = """\
from hitpm_widgets import (ChangeReadiness, CommandCentreStaffing, CompetencySelfAssessment, EarnedValueStatus,
                           KanbanBoard, LeadershipScenarios, RaciChart, RiskRegister, ScheduleRisk, SelfCheck,
                           StakeholderMap, load_case)

emr, people, ctms = load_case("emr-rollout"), load_case("middle-manager"), load_case("pharma-ctms")"""
NARRATIVES = ("emr-rollout", "pharma-ctms", "middle-manager")
#: Real mathematics after the narratives: once it is typeset, the typesetter has had its go at them.
TYPESET = "The control: $E = mc^2$."
MATHEMATICS = "mjx-container, .MathJax, .katex, math"


@dataclass(frozen=True)
class Widget:
    name: str
    #: The cell that makes the model and shows its widget.
    source: str
    #: What a keyboard user does: for each control (its ARIA role and the name a screen reader reads),
    #: Tab until it has the focus, then press these keys (Tab after a number box sends its value).
    steps: tuple[tuple[str, str, tuple[str, ...]], ...]
    #: An expression over the model, and what it prints before and after the keys.
    probe: str
    before: str
    after: str


def _first_unit_desire() -> float:
    survey = load_case("middle-manager").readiness_survey
    return float(ChangeReadiness(None, survey).unit_scores(ChangeReadiness(None, survey).units[0])["desire"])


WIDGETS = [
    Widget("change readiness (ADKAR)",
           "readiness = ChangeReadiness(None, people.readiness_survey)\nreadiness",
           (("spinbutton", "Desire (1-5)", ("ArrowUp", "Tab")),),
           "readiness.adjustments(readiness.units[0])", "{}", f"{{'desire': {_first_unit_desire() + 0.1:.1f}}}"),
    Widget("careers self-assessment",
           "me = CompetencySelfAssessment(None, target_role='project-manager')\nme",
           (("spinbutton", "Risk management", ("ArrowUp", "Tab")),),
           "me.rating('risk-management')", "None", "4"),
    Widget("RACI chart",
           "raci = RaciChart(None, people.raci)\nraci",
           (("combobox", "cno, G01", ("ArrowDown",)),),
           "raci.letter('G01', 'cno')", "A", "C"),
    Widget("leadership scenarios",
           "scenarios = LeadershipScenarios(None, people.conflict_scenarios)\nscenarios",
           (("radio", "competing (assertiveness high, cooperativeness low)", ("ArrowDown",)),),
           "scenarios.answer_for(scenarios.scenario_ids[0]).mode", "None", "collaborating"),
    Widget("earned value status",
           "report = EarnedValueStatus(None, emr.evm_monthly, bac=int(emr.status_tasks['budget'].sum()),\n"
           "                           planned_finish='2025-06-27')\nreport",
           (("combobox", "Status date", ("ArrowDown",)),),
           "report.status_date and f'{report.status_date:%B %Y}'", "None",
           f"{load_case('emr-rollout').evm_monthly['month'].min():%B %Y}"),
    Widget("schedule risk",
           "schedule = ScheduleRisk(None, emr.golive_tasks, deadline_days=50, iterations=2000)\nschedule",
           (("spinbutton", "Deadline (working days)", ("ArrowUp", "Tab")),),
           "schedule.deadline_days", "50.0", "51.0"),
    Widget("Kanban board",
           "board = KanbanBoard(['backlog', 'doing', 'done'], {'doing': 2})\n"
           "for card in ('EMR-101', 'EMR-102'):\n"
           "    board.add(card, at='2025-03-03 09:00')\n"
           "board",
           (("combobox", "Move to", ("ArrowDown",)), ("button", "Move card", ("Enter",))),
           "board.column_of('EMR-101')", "backlog", "doing"),
    Widget("stakeholder map",
           "smap = StakeholderMap(None, emr.stakeholders)\nsmap",
           (("spinbutton", "Power (0-10)", ("ArrowUp",)),),
           "smap.assessment(smap.names[0]).power", "None", "6.0"),
    Widget("risk register",
           "register = RiskRegister(None, ctms.risks.drop(columns='evidence'),\n"
           "                        categories=list(ctms.risks['category'].cat.categories))\nregister",
           (("combobox", "Risk", ("ArrowDown",)), ("combobox", "Status", ("ArrowDown",)),
            ("button", "Save risk", ("Enter",))),
           "register.to_frame().loc['R1', 'status']", "open", "closed"),
    # Tab to a shift's number box, step it up, then Tab on to the Run button and press it.
    Widget("go-live command centre",
           "staffing = CommandCentreStaffing(None, load_case('emr-go-live'), replications=2)\nstaffing",
           (("spinbutton", "Analysts, day (07:00-15:00)", ("ArrowUp", "Tab")),
            ("button", "Run the week", ("Enter",))),
           "staffing.plan.staff(1, 'day')['analysts'], staffing.result is not None", "0 False", "1 True"),
    # A lesson's self-check: its radio buttons keep the arrow keys, as the exercises' do.
    Widget("lesson self-check",
           "check = SelfCheck('Which stakeholders do you manage closely?',\n"
           "                  ['low power, low interest', 'high power, high interest', 'high power, low interest'],\n"
           "                  answer=1)\ncheck",
           (("radio", "low power, low interest", ("ArrowDown",)),),
           "check.widget.choices.value", "None", "1"),
]


def widget_notebook() -> list[str]:
    return [SETUP, *(widget.source for widget in WIDGETS),
            *(f"load_case({slug!r}).show_narrative()" for slug in NARRATIVES),
            f"from IPython.display import Markdown\nMarkdown({TYPESET!r})",
            ""]  # where the tests ask the kernel about the models


TYPESET_CELL = 1 + len(WIDGETS) + len(NARRATIVES)
PROBE = TYPESET_CELL + 1


def cell_of(page, index: int):
    return page.locator(f".jp-Notebook .jp-Cell[data-windowed-list-index='{index}']")


@pytest.fixture(scope="module")
def notebook_page(lab, page):
    run_new_notebook(page, lab, NOTEBOOK, widget_notebook())
    # Every widget cell ran: Run All stops at the first cell that fails.
    assert printed(page, PROBE, "type(register).__name__") == "RiskRegister"
    return page


def shown(page, index: int):
    """The widget of cell `index`, scrolled into view and drawn."""
    scroll_to(page, index)
    widget = cell_of(page, index).locator(".hitpm-exercise")
    widget.wait_for()
    widget.scroll_into_view_if_needed()
    return widget


@pytest.mark.parametrize("number", range(len(WIDGETS)), ids=[w.name for w in WIDGETS])
def test_axe_finds_nothing_serious(notebook_page, number, screenshot):
    index = 1 + number
    screenshot(shown(notebook_page, index), "widget-" + WIDGETS[number].name.split(" (")[0].replace(" ", "-").lower())
    results = Axe().run(notebook_page, context=f".jp-Cell[data-windowed-list-index='{index}'] .hitpm-exercise")
    assert serious(results) == []
    assert checked(results) & {"label", "select-name"}  # it had form controls to check, and they passed


@pytest.mark.parametrize("number", range(len(WIDGETS)), ids=[w.name for w in WIDGETS])
def test_the_keyboard_alone_changes_the_model(notebook_page, number):
    page, widget, index = notebook_page, WIDGETS[number], 1 + number
    assert printed(page, PROBE, widget.probe) == widget.before
    view = shown(page, index)
    # From the widget's first control, as after a click into it or a Tab from the cell above.
    view.locator("select, input, button, textarea").first.focus()
    widget_cell = active_cell(page)
    for role, name, keys in widget.steps:
        control = view.get_by_role(role, name=name, exact=True)
        focus_reaches(page, control)
        for key in keys:
            page.keyboard.press(key)
    assert active_cell(page) == widget_cell  # the notebook did not take the arrow keys
    wait_until(lambda: printed(page, PROBE, widget.probe) == widget.after,
               what=f"{widget.probe} to print {widget.after}")


# -- the case narratives ------------------------------------------------------------------------------


def narrative(page, slug: str) -> str:
    """The text of a case's narrative as JupyterLab shows it, once it is drawn and typesetting is over."""
    index = 1 + len(WIDGETS) + NARRATIVES.index(slug)
    scroll_to(page, index)
    output = cell_of(page, index).locator(".jp-RenderedMarkdown")
    output.wait_for()
    output.scroll_into_view_if_needed()
    # The DOM's text, drawn or not: JupyterLab skips drawing cells out of view.
    wait_until(lambda: output.text_content().strip(), what=f"the {slug} narrative's text")
    scroll_to(page, TYPESET_CELL)
    cell_of(page, TYPESET_CELL).locator(MATHEMATICS).first.wait_for()
    scroll_to(page, index)
    assert output.locator(MATHEMATICS).count() == 0, "money typeset as mathematics"
    return output.text_content()


@pytest.mark.parametrize("slug", NARRATIVES)
def test_narratives_show_money_as_text_not_mathematics(notebook_page, slug):
    assert narrative(notebook_page, slug).count("$") == load_case(slug).narrative.count("$")


def test_the_emr_narrative_reads_as_its_author_wrote_it(notebook_page):
    text = " ".join(narrative(notebook_page, "emr-rollout").split())
    assert "approved a budget of $38 million for implementation and the first year of running costs" in text
    assert "a $3.5 million contingency. Of that contingency, $1.9 million is left." in text
