"""The stakeholder map widget: pick a stakeholder, place them, tick salience, see the grid."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..plots.stakeholder_grid import PowerInterestGridRenderer, describe_power_interest_grid
from ..stakeholders import SCALE_MAX, SCALE_MIN, StakeholderMap
from .common import WIDE, ExerciseView, FigurePanel, PictureOrDrag, evidence_html, html_table, number_box

#: Where the power and interest boxes start, and go back to for a stakeholder not placed yet.
START = 5


class StakeholderMapView(ExerciseView):
    def __init__(self, model: StakeholderMap) -> None:
        super().__init__(model)
        self.picker = widgets.Dropdown(options=model.names, description="Stakeholder", style=WIDE)
        self.evidence = widgets.HTML()
        self.power = number_box("Power (0-10)", minimum=SCALE_MIN, maximum=SCALE_MAX, value=START, whole=True)
        self.interest = number_box("Interest (0-10)", minimum=SCALE_MIN, maximum=SCALE_MAX, value=START, whole=True)
        self.place_button = widgets.Button(description="Place on grid", tooltip="Place at these values")
        self.clear_button = widgets.Button(description="Clear", tooltip="Take this stakeholder off the grid")
        self.salience_power = widgets.Checkbox(description="Power: can impose their will", indent=False)
        self.legitimacy = widgets.Checkbox(description="Legitimacy: a rightful claim", indent=False)
        self.urgency = widgets.Checkbox(description="Urgency: a time-critical claim", indent=False)
        self.salience_button = widgets.Button(description="Record salience",
                                              tooltip="Record the ticked attributes (none ticked is an answer too)")
        self.note = widgets.Textarea(description="Engagement note", placeholder="How will you engage them?",
                                     continuous_update=False, style=WIDE,
                                     layout=widgets.Layout(width="95%", height="4.5em"))
        self.current = widgets.HTML()
        self.grid = FigurePanel()
        self._renderer = PowerInterestGridRenderer()
        self.table = widgets.HTML()
        self.grid_pane = PictureOrDrag(self.grid, model.drag_view)
        self.grid_as = self.grid_pane.choice

        self.picker.observe(lambda _: self._show_selected(), names="value")
        for box in (self.power, self.interest):
            box.observe(lambda _: self._place(), names="value")
        self.place_button.on_click(lambda _: self._place())
        self.clear_button.on_click(lambda _: self.apply(self.model.clear, self.picker.value))
        for box in (self.salience_power, self.legitimacy, self.urgency):
            box.observe(lambda _: self._record_salience(), names="value")
        self.salience_button.on_click(lambda _: self._record_salience())
        self.note.observe(lambda _: self._save_note(), names="value")
        model.on_change(self.refresh)

        controls = widgets.VBox([
            self.picker, self.evidence, self.current,
            self.power, self.interest, widgets.HBox([self.place_button, self.clear_button]),
            widgets.HTML("<b>Salience attributes</b>"),
            self.salience_power, self.legitimacy, self.urgency, self.salience_button,
            self.note,
        ], layout=widgets.Layout(width="46%", min_width="22em"))
        self.children = [
            widgets.HBox([controls, self.grid_pane], layout=widgets.Layout(flex_flow="row wrap")),
            self.table,
            self.status,
        ]
        self._show_selected()
        self.refresh()

    # -- from the controls to the model ---------------------------------------------------------

    def _place(self) -> None:
        self.apply(self.model.place, self.picker.value, power=self.power.value, interest=self.interest.value)

    def _record_salience(self) -> None:
        self.apply(self.model.set_salience, self.picker.value, power=self.salience_power.value,
                    legitimacy=self.legitimacy.value, urgency=self.urgency.value)

    def _save_note(self) -> None:
        self.apply(self.model.set_note, self.picker.value, self.note.value)

    # -- from the model to the controls ---------------------------------------------------------

    def _show_selected(self) -> None:
        name = self.picker.value
        answer = self.model.assessment(name)
        with self.syncing():
            # Not placed yet: the form starts again, so the last stakeholder's values are never theirs by one click.
            self.power.value = round(answer.power) if answer.placed else START
            self.interest.value = round(answer.interest) if answer.placed else START
            self.salience_power.value = bool(answer.salience_power)
            self.legitimacy.value = bool(answer.legitimacy)
            self.urgency.value = bool(answer.urgency)
            self.note.value = answer.note
        self.evidence.value = _evidence_html(self.model, name)
        self._show_current(name)
        self._draw()

    def _show_current(self, name: str) -> None:
        quadrant = self.model.quadrant(name) or "not placed yet"
        salience = self.model.salience_class(name) or "not assessed yet"
        self.current.value = (f"<div aria-live='polite'><b>{html.escape(name)}</b>: quadrant "
                              f"<i>{quadrant}</i>; salience class <i>{salience}</i></div>")

    def _draw(self) -> None:
        png = self._renderer.png(self.model, highlight=self.picker.value)
        self.grid.show_png(png, describe_power_interest_grid(self.model))

    def refresh(self) -> None:
        """Redraw after any change of the model, whether it came from here or from code."""
        name = self.picker.value
        answer = self.model.assessment(name)
        if answer.placed and (round(answer.power), round(answer.interest)) != (self.power.value, self.interest.value):
            self._show_selected()
        else:
            self._show_current(name)
            self._draw()
        summary = self.model.to_frame()[["power", "interest", "quadrant", "salience_class"]]
        self.table.value = html_table(summary, f"{len(self.model.unplaced)} not placed, "
                                               f"{len(self.model.unassessed_salience)} without salience")
        self.show_saving_status()


def _evidence_html(model: StakeholderMap, name: str) -> str:
    return evidence_html(model.evidence.loc[name]) if model.evidence.shape[1] else ""
