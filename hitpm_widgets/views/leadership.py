"""The conflict and leadership widget: read a scenario, choose the mode, readiness and style, say why."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..leadership import CONFLICT_MODES, LEADERSHIP_STYLES, READINESS_LEVELS, REASON_MAX, LeadershipScenarios
from ..plots.leadership import ConflictModesRenderer, describe_conflict_modes
from .common import WIDE, ExerciseView, FigurePanel, evidence_html, html_table

TABLE_COLUMNS = ["title", "mode", "readiness", "style", "reason"]
EVIDENCE_COLUMNS = ("situation", "parties", "person", "competence_evidence", "commitment_evidence")


class LeadershipView(ExerciseView):
    def __init__(self, model: LeadershipScenarios) -> None:
        super().__init__(model)
        self.picker = widgets.Dropdown(options=[(_scenario_label(model, i), i) for i in model.scenario_ids],
                                       description="Scenario", style=WIDE)
        self.evidence = widgets.HTML()
        self.mode = widgets.RadioButtons(
            options=[(f"{m.name} (assertiveness {m.assertiveness}, cooperativeness {m.cooperativeness})",
                      m.name) for m in CONFLICT_MODES.values()],
            value=None, description="Conflict mode", style=WIDE, layout=widgets.Layout(width="max-content"))
        self.mode_fits = widgets.HTML()
        self.readiness = widgets.Dropdown(
            options=[(f"{r.level}: {r.description}", r.level) for r in READINESS_LEVELS.values()],
            value=None, description="Readiness of the person", style=WIDE)
        self.style = widgets.Dropdown(options=LEADERSHIP_STYLES, value=None, description="Leadership style",
                                      style=WIDE)
        self.reason = widgets.Text(description="Reason", continuous_update=False, style=WIDE,
                                   placeholder=f"One line (at most {REASON_MAX} characters): "
                                               "why this mode and style",
                                   layout=widgets.Layout(width="95%"))
        self.clear_button = widgets.Button(description="Clear answer",
                                           tooltip="Take this scenario's answer back to nothing chosen")
        self.current = widgets.HTML()
        self.figure = FigurePanel()
        self._renderer = ConflictModesRenderer()
        self.table = widgets.HTML()

        self.picker.observe(lambda _: self.refresh(), names="value")
        self.mode.observe(lambda change: self._record("mode", change["new"]), names="value")
        self.readiness.observe(lambda change: self._record("readiness", change["new"]), names="value")
        self.style.observe(lambda change: self._record("style", change["new"]), names="value")
        self.reason.observe(lambda change: self._record("reason", change["new"]), names="value")
        self.clear_button.on_click(lambda _: self.apply(self.model.clear, self.picker.value))
        model.on_change(self.refresh)

        controls = widgets.VBox([
            self.picker, self.evidence, self.current,
            self.mode, self.mode_fits, self.readiness, self.style, self.reason, self.clear_button,
        ], layout=widgets.Layout(width="58%", min_width="24em"))
        self.children = [
            widgets.HBox([controls, widgets.Box([self.figure], layout=widgets.Layout(width="42%"))],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.table,
            self.status,
        ]
        self.refresh()

    # -- from the controls to the model ---------------------------------------------------------

    def _record(self, part: str, value) -> None:
        # None is a control showing "not chosen" (after a switch of scenario): nothing to record.
        if value is None:
            return
        self.apply(self.model.answer, self.picker.value, **{part: value})

    # -- from the model to the controls ---------------------------------------------------------

    def refresh(self) -> None:
        """Show the picked scenario's answer, after a change made here, in code, or a new pick."""
        scenario_id = self.picker.value
        answer = self.model.answer_for(scenario_id)
        with self.syncing():
            self.mode.value = answer.mode
            self.readiness.value = answer.readiness
            self.style.value = answer.style
            self.reason.value = answer.reason or ""
        self.evidence.value = _evidence_html(self.model, scenario_id)
        self.mode_fits.value = _mode_fits_html(answer.mode)
        self.current.value = _current_html(scenario_id, answer)
        self.figure.show_png(self._renderer.png(answer.mode), describe_conflict_modes(answer.mode))
        frame = self.model.to_frame()[TABLE_COLUMNS]
        done = len(self.model.scenario_ids) - len(self.model.unanswered())
        caption = f"{done} of {len(self.model.scenario_ids)} scenarios fully answered"
        self.table.value = html_table(frame, caption)
        self.show_saving_status()


def _scenario_label(model: LeadershipScenarios, scenario_id: str) -> str:
    if "title" not in model.scenarios.columns:
        return scenario_id
    return f"{scenario_id}: {model.scenarios.loc[scenario_id, 'title']}"


def _evidence_html(model: LeadershipScenarios, scenario_id: str) -> str:
    return evidence_html(model.scenarios.loc[scenario_id], EVIDENCE_COLUMNS)


def _mode_fits_html(mode: str | None) -> str:
    if mode is None:
        return ""
    return (f"<div style='font-size:90%'><i>{html.escape(mode)}</i> fits when "
            f"{html.escape(CONFLICT_MODES[mode].when_it_fits)}.</div>")


def _current_html(scenario_id: str, answer) -> str:
    parts = [f"mode <i>{html.escape(answer.mode or 'not chosen')}</i>",
             f"readiness <i>{html.escape(answer.readiness or 'not chosen')}</i>",
             f"style <i>{html.escape(answer.style or 'not chosen')}</i>",
             "reason " + ("given" if answer.reason else "<i>not given</i>")]
    return f"<div aria-live='polite'><b>{html.escape(scenario_id)}</b>: {'; '.join(parts)}</div>"
