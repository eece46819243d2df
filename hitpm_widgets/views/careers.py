"""The competency self-assessment widget: a target role, a number box a competency, the chart and your focus."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..careers import (
    ACHE_DOMAINS,
    COMPETENCIES,
    DOMAINS,
    LEVEL_MAX,
    LEVEL_MIN,
    ROLES,
    CompetencySelfAssessment,
    level_text,
)
from ..plots.careers import (
    CompetencyRadarRenderer,
    describe_competency_radar,
    describe_gap_bars,
    draw_gap_bars,
)
from .common import WIDE, ExerciseView, FigurePanel, html_table, number_box

#: The role Dropdown's value for "no target role": never a role id.
NO_ROLE = ""
ROLE_OPTIONS = [("no target role yet", NO_ROLE), *((r.name, r.id) for r in ROLES.values())]
RADAR, BARS = "radar", "bars"
CHART_OPTIONS = [("radar: you against the role", RADAR), ("bars: your gaps, largest first", BARS)]
#: Where an unrated competency's box starts: the middle of the scale, so either way is one step.
START_LEVEL = 3
LABEL_STYLE = {"description_width": "16em"}
FOCUS_SIZE = 3


class CompetencyView(ExerciseView):
    def __init__(self, model: CompetencySelfAssessment) -> None:
        super().__init__(model)
        self.role = widgets.Dropdown(options=ROLE_OPTIONS, value=NO_ROLE, description="Target role",
                                     style=WIDE)
        self.chart_kind = widgets.Dropdown(options=CHART_OPTIONS, value=RADAR, description="Chart",
                                           style=WIDE)
        self.rating_boxes: dict[str, widgets.BoundedIntText] = {}
        self.levels: dict[str, widgets.HTML] = {}
        self.rate_buttons: dict[str, widgets.Button] = {}
        for competency_id, item in COMPETENCIES.items():
            self.rating_boxes[competency_id] = number_box(
                item.name, minimum=LEVEL_MIN, maximum=LEVEL_MAX, value=START_LEVEL, whole=True,
                live=False, style=LABEL_STYLE, width="21.5em", tooltip=item.description)
            self.levels[competency_id] = widgets.HTML(layout=widgets.Layout(width="7.5em"))
            self.rate_buttons[competency_id] = widgets.Button(
                description="Rate", tooltip=f"Rate {item.name} at the box's level",
                layout=widgets.Layout(width="4.5em"))
        self.chart = FigurePanel()
        self.chart_note = widgets.HTML()
        self.focus = widgets.HTML()
        self.table = widgets.HTML()
        self._radar = CompetencyRadarRenderer()

        self.role.observe(lambda change: self.apply(self.model.set_target_role, change["new"] or None),
                          names="value")
        self.chart_kind.observe(lambda _: self._draw(), names="value")
        for competency_id, box in self.rating_boxes.items():
            box.observe(lambda change, c=competency_id: self.apply(self.model.rate, c, change["new"]),
                           names="value")
            # Rating at the box's starting level needs a press: a box cannot change to what it shows.
            self.rate_buttons[competency_id].on_click(
                lambda _, c=competency_id: self.apply(self.model.rate, c, self.rating_boxes[c].value))
        model.on_change(self.refresh)

        scale = ", ".join(level_text(level) for level in range(LEVEL_MIN, LEVEL_MAX + 1))
        controls = widgets.VBox([
            self.role,
            widgets.HTML(f"<div style='font-size:90%'>Rate yourself on each competency: {scale}. "
                         "Type a level or step it with the arrow keys, then press Enter or Tab; or press "
                         "<b>Rate</b> to keep the level shown.</div>"),
            *(self._domain_box(domain) for domain in DOMAINS),
        ], layout=widgets.Layout(flex="1 1 37em"))
        picture = widgets.VBox([self.chart_kind, self.chart, self.chart_note, self.focus],
                               layout=widgets.Layout(flex="1 1 24em"))
        self.children = [
            widgets.HBox([controls, picture], layout=widgets.Layout(flex_flow="row wrap")),
            self.table,
            self.status,
        ]
        self.refresh()

    def _domain_box(self, domain: str) -> widgets.VBox:
        source = "ACHE domain" if domain in ACHE_DOMAINS else "added by this kit"
        heading = widgets.HTML(f"<h4 style='margin:0.7em 0 0.2em'>{html.escape(domain.capitalize())} "
                               f"<span style='font-weight:normal;font-size:85%'>({source})</span></h4>")
        rows = [widgets.HBox([self.rating_boxes[c], self.levels[c], self.rate_buttons[c]])
                for c, item in COMPETENCIES.items() if item.domain == domain]
        return widgets.VBox([heading, *rows])

    # -- from the model to the controls ---------------------------------------------------------

    def refresh(self) -> None:
        """Show the model after any change, whether it came from here or from code."""
        with self.syncing():
            self.role.value = self.model.target_role or NO_ROLE
            for competency_id, box in self.rating_boxes.items():
                rating = self.model.rating(competency_id)
                if rating is not None:
                    box.value = rating
                text = level_text(rating)
                self.levels[competency_id].value = (f"<b>{text}</b>" if rating is not None
                                                    else f"<i style='color:#444'>{text}</i>")
        self._draw()
        self._show_focus()
        self._show_table()
        self.show_saving_status()

    def _draw(self) -> None:
        if self.chart_kind.value == BARS and self.model.target_role is not None:
            self.chart.show(draw_gap_bars(self.model), describe_gap_bars(self.model))
            self.chart_note.value = ""
            return
        self.chart.show_png(self._radar.png(self.model), describe_competency_radar(self.model))
        self.chart_note.value = ("<div style='font-size:90%'>Choose a target role to see your gaps as bars."
                                 "</div>" if self.chart_kind.value == BARS else "")

    def _show_focus(self) -> None:
        if self.model.target_role is None:
            body = "<p>Choose a target role to compare your ratings with its profile.</p>"
        else:
            focus = self.model.development_focus(FOCUS_SIZE)
            if len(focus):
                items = "".join(
                    f"<li><b>{html.escape(row['name'])}</b> (gap {row['gap']}): "
                    f"{html.escape(row['suggestion'])}</li>"
                    for _, row in focus.iterrows())
                body = f"<ol style='margin:0.2em 0'>{items}</ol>"
            elif len(self.model.unrated()) == len(COMPETENCIES):
                body = "<p>Rate yourself on some competencies to see where to grow first.</p>"
            else:
                body = "<p>None of the competencies you rated is below this role's target.</p>"
        self.focus.value = (f"<div aria-live='polite' style='font-size:90%'><b>Development focus</b>"
                            f"{body}</div>")

    def _show_table(self) -> None:
        scores = self.model.domain_scores().round(1)
        rated = len(COMPETENCIES) - len(self.model.unrated())
        self.table.value = html_table(scores, f"{rated} of {len(COMPETENCIES)} competencies rated; "
                                              "means of the rated competencies per domain")
