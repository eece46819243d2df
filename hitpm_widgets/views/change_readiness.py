"""The ADKAR readiness widget: pick a unit, try what-if scores against the threshold, diagnose it.

It shows the scores, the threshold, the rule and the what-ifs, never a verdict: the barrier point is the
learner's diagnosis (a workbook grades it), so no tool of the kit names it."""

from __future__ import annotations

import ipywidgets as widgets

from ..change_readiness import ADKAR_ELEMENTS, SCORE_MAX, SCORE_MIN, ChangeReadiness
from ..plots.change_readiness import describe_readiness, draw_readiness_bars, threshold_text
from .common import WIDE, ExerciseView, FigurePanel, number_box

#: The diagnosis Dropdown's values for "not diagnosed yet" and "no barrier": never an element name.
NOT_DIAGNOSED = ""
NO_BARRIER = "no barrier"
DIAGNOSIS_OPTIONS = [("not diagnosed yet", NOT_DIAGNOSED), ("no barrier", NO_BARRIER),
                     *((element.capitalize(), element) for element in ADKAR_ELEMENTS)]
#: What-if scores are kept to two decimals: a stepped 2.7000000000000002 is 2.7.
DECIMALS = 2
#: The five score boxes' labels share one width, so the boxes line up.
SCORE_STYLE = {"description_width": "10.5em"}


class ChangeReadinessView(ExerciseView):
    def __init__(self, model: ChangeReadiness) -> None:
        super().__init__(model)
        self.picker = widgets.Dropdown(options=model.units, description="Unit", style=WIDE)
        self.score_boxes = {
            element: number_box(f"{element.capitalize()} ({SCORE_MIN}-{SCORE_MAX})", minimum=SCORE_MIN,
                                maximum=SCORE_MAX, step=0.1, live=False, style=SCORE_STYLE, width="16.5em",
                                tooltip=f"What if this unit's mean {element} score were ...")
            for element in ADKAR_ELEMENTS
        }
        self.reset_button = widgets.Button(description="Reset what-if",
                                           tooltip="Back to the survey's means for this unit")
        self.computed = widgets.HTML()
        self.chart = FigurePanel()
        self.diagnosis = widgets.Dropdown(options=DIAGNOSIS_OPTIONS, value=NOT_DIAGNOSED,
                                          description="Your diagnosis: barrier point", style=WIDE)
        self.focus = widgets.Textarea(description="Your focus", continuous_update=False, style=WIDE,
                                      placeholder="What would you do about it, and how?",
                                      layout=widgets.Layout(width="95%", height="4.5em"))

        self.picker.observe(lambda _: self._show_selected(), names="value")
        for element, box in self.score_boxes.items():
            box.observe(lambda change, element=element: self._adjust(element, change["new"]),
                           names="value")
        self.reset_button.on_click(lambda _: self.apply(self.model.reset, self.picker.value))
        self.diagnosis.observe(lambda _: self._diagnose(), names="value")
        self.focus.observe(lambda _: self.apply(self.model.set_focus, self.picker.value, self.focus.value),
                           names="value")
        model.on_change(self.refresh)

        controls = widgets.VBox([
            self.picker,
            widgets.HTML("<b>What if</b> a mean score were different? Type it, or step it with the arrow "
                         "keys, then press Enter or Tab."),
            *self.score_boxes.values(), self.reset_button,
            self.computed,
            widgets.HTML("<b>Your answer</b>"), self.diagnosis, self.focus,
        ], layout=widgets.Layout(width="40%", min_width="22em"))
        self.children = [
            widgets.HBox([controls, widgets.Box([self.chart], layout=widgets.Layout(width="60%"))],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.status,
        ]
        self.refresh()

    # -- from the controls to the model ---------------------------------------------------------

    def _adjust(self, element: str, value: float) -> None:
        self.apply(self.model.adjust, self.picker.value, element, round(value, DECIMALS))

    def _diagnose(self) -> None:
        unit, choice = self.picker.value, self.diagnosis.value
        if choice == NOT_DIAGNOSED:
            self.apply(self.model.clear_diagnosis, unit)
        else:
            barrier = None if choice == NO_BARRIER else choice
            self.apply(self.model.diagnose, unit, barrier, focus=self.focus.value)

    # -- from the model to the controls ---------------------------------------------------------

    def _show_selected(self) -> None:
        if not self._syncing:
            self.refresh()

    def refresh(self) -> None:
        """Redraw after any change of the model, whether it came from here or from code."""
        model, unit = self.model, self.picker.value
        scores = model.unit_scores(unit)
        diagnosis = model.diagnosis(unit)
        with self.syncing():
            for element, box in self.score_boxes.items():
                box.value = round(scores[element], DECIMALS)
            if not diagnosis.diagnosed:
                self.diagnosis.value = NOT_DIAGNOSED
            else:
                self.diagnosis.value = NO_BARRIER if diagnosis.barrier is None else diagnosis.barrier
            self.focus.value = diagnosis.focus
        self.computed.value = _rule_html(model, unit)
        self.chart.show(draw_readiness_bars(model, unit=unit), describe_readiness(model, unit=unit))
        self.show_saving_status()


def _rule_html(model: ChangeReadiness, unit: str) -> str:
    """The rule to apply, in place of the verdict, when the learner's own diagnosis is what counts."""
    line = threshold_text(model.threshold)
    text = (f"The barrier point is the first element, in the order A, D, K, A, R, whose mean is at or below "
            f"{line} (a mean of exactly {line} is low); if none is, there is no barrier point.")
    if model.adjustments(unit):
        text += ("<br><span style='font-size:90%'>The chart shows your what-if scores (a black line marks "
                 "the survey's mean where it differs); diagnose from the survey's means.</span>")
    return f"<div style='margin:0.4em 0'>{text}</div>"
