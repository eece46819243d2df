"""The schedule risk widget: revise a task's three-point estimate or the deadline, see the risk move."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..plots.schedule import (
    describe_completion_histogram,
    describe_s_curve,
    draw_completion_histogram,
    draw_s_curve,
    format_chance,
)
from ..schedule import DISTRIBUTIONS, ScheduleRisk
from .common import WIDE, ExerciseView, FigurePanel, html_table, number_box

#: The number boxes stop here (about forty years of working days); the model itself has no cap.
MAX_DAYS = 10_000
#: How many tasks the criticality table lists.
TOP_CRITICAL = 5


class ScheduleRiskView(ExerciseView):
    def __init__(self, model: ScheduleRisk) -> None:
        super().__init__(model)
        plan = model.plan
        self.picker = widgets.Dropdown(options=[(f"{t}: {plan.tasks[t].name}", t) for t in plan.task_ids],
                                       description="Task", style=WIDE)
        self.task_info = widgets.HTML()
        self.optimistic = _days_box("Optimistic (O)")
        self.most_likely = _days_box("Most likely (M)")
        self.pessimistic = _days_box("Pessimistic (P)")
        self.reset_button = widgets.Button(description="Back to the plan",
                                           tooltip="Take this task back to the plan's three-point estimate")
        self.deadline = number_box("Deadline (working days)", minimum=0, maximum=MAX_DAYS, style=WIDE, width=None,
                                   live=False)
        self.distribution = widgets.RadioButtons(options=[(name, key) for key, name in DISTRIBUTIONS.items()],
                                                 description="Task durations", style=WIDE)
        self.figures = widgets.HTML()
        self.criticality = widgets.HTML()
        self.histogram = FigurePanel()
        self.s_curve = FigurePanel()

        self.picker.observe(lambda _: self._show_selected(), names="value")
        for box in (self.optimistic, self.most_likely, self.pessimistic):
            box.observe(lambda _: self._set_estimate(), names="value")
        self.reset_button.on_click(lambda _: self.apply(self.model.reset_estimate, self.picker.value))
        self.deadline.observe(lambda _: self.apply(self.model.set_deadline, self.deadline.value),
                              names="value")
        self.distribution.observe(lambda _: self.apply(self.model.set_distribution, self.distribution.value),
                                  names="value")
        model.on_change(self.refresh)

        controls = widgets.VBox([
            self.picker, self.task_info,
            self.optimistic, self.most_likely, self.pessimistic, self.reset_button,
            widgets.HTML("<b>Project</b>"), self.deadline, self.distribution,
        ], layout=widgets.Layout(width="46%", min_width="22em"))
        results = widgets.VBox([self.figures, self.criticality], layout=widgets.Layout(width="54%"))
        half = widgets.Layout(width="50%", min_width="20em")
        self.children = [
            widgets.HBox([controls, results], layout=widgets.Layout(flex_flow="row wrap")),
            widgets.HBox([widgets.Box([self.histogram], layout=half),
                          widgets.Box([self.s_curve], layout=half)],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.status,
        ]
        self._show_selected()
        self.refresh()

    # -- from the controls to the model ---------------------------------------------------------

    def _set_estimate(self) -> None:
        self.apply(self.model.set_estimate, self.picker.value, optimistic=self.optimistic.value,
                    most_likely=self.most_likely.value, pessimistic=self.pessimistic.value)

    # -- from the model to the controls ---------------------------------------------------------

    def _sync_controls(self) -> None:
        optimistic, most_likely, pessimistic = self.model.estimate(self.picker.value)
        with self.syncing():
            self.optimistic.value = optimistic
            self.most_likely.value = most_likely
            self.pessimistic.value = pessimistic
            self.deadline.value = self.model.deadline_days
            self.distribution.value = self.model.distribution

    def _show_selected(self) -> None:
        self._sync_controls()
        self._show_task()

    def _show_task(self) -> None:
        task_id = self.picker.value
        task, planned = self.model.network.task(task_id), self.model.plan.task(task_id)
        after = ", ".join(task.predecessors) if task.predecessors else "nothing (starts at day 0)"
        change = ("<i>changed from the plan</i>" if task_id in self.model.changed_tasks
                  else "as planned")
        self.task_info.value = (
            "<div aria-live='polite' style='font-size:90%'>"
            f"<b>{html.escape(task.name)}</b> waits for {html.escape(after)}.<br>"
            f"Plan: O {planned.optimistic:g}, M {planned.most_likely:g}, P {planned.pessimistic:g} days; "
            f"now {change}.<br>"
            f"PERT tE = {task.pert_mean:.1f} days, σ = {task.pert_sd:.1f} days; "
            f"criticality index {self.model.result.criticality_index[task_id]:.0%}.</div>"
        )

    def refresh(self) -> None:
        """Redraw after any change of the model, whether it came from here or from code."""
        self._sync_controls()
        self._show_task()
        model, result = self.model, self.model.result
        deadline = model.deadline_days
        path = model.critical_path()
        self.figures.value = (
            "<div aria-live='polite'>"
            f"<b>Chance of meeting the deadline ({deadline:g} days): "
            f"{format_chance(model.probability_of_meeting_deadline())}</b><br>"
            f"P50 {result.p50:.1f} days &middot; P80 {result.p80:.1f} days &middot; "
            f"mean {result.mean:.1f} days<br>"
            f"PERT critical path: {path.expected_duration:.1f} days "
            f"({html.escape(' → '.join(path.path))})</div>"
        )
        top = result.to_frame().sort_values("criticality_index", ascending=False, kind="stable")
        top = top.head(TOP_CRITICAL)[["name", "criticality_index"]]
        top["criticality_index"] = top["criticality_index"].map(lambda share: f"{share:.0%}")
        self.criticality.value = html_table(
            top, f"The {len(top)} tasks most often on the longest path, of {result.iterations:,} runs")
        self.histogram.show(draw_completion_histogram(result, deadline),
                            describe_completion_histogram(result, deadline))
        self.s_curve.show(draw_s_curve(result, deadline), describe_s_curve(result, deadline))
        self.show_saving_status()


def _days_box(description: str):
    return number_box(description, minimum=0, maximum=MAX_DAYS, step=0.5, style=WIDE, width=None, live=False)
