"""The risk register widget: a form to add or edit a risk, the heat map, the register and its EMV."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..plots.risk import HeatMapRenderer, describe_heat_map
from ..risk import KINDS, OPEN, RESPONSES, STATUSES, RiskRegister
from .common import WIDE, ExerciseView, FigurePanel, PictureOrDrag, html_table

#: The picker's value for "a new risk", the response's for "not decided" and the probability's and
#: impact's for "not rated": never a risk id, a response or a level of a scale.
NEW = ""
NOT_DECIDED = ""
NOT_RATED = ""
#: What the table shows in the band column of a risk without a probability or an impact.
NOT_RATED_YET = "not rated yet"
#: ... and in the response column of a risk whose response is not chosen yet.
NOT_DECIDED_YET = "not decided"
TABLE_COLUMNS = ["description", "category", "kind", "probability", "impact", "score", "rank", "band",
                 "response", "owner", "monetary_impact", "emv", "status"]
FULL = widgets.Layout(width="95%")


class RiskRegisterView(ExerciseView):
    def __init__(self, model: RiskRegister) -> None:
        super().__init__(model)
        # The risk to show after the next refresh (the one just saved), if not the picked one.
        self._wanted: str | None = None
        self.picker = widgets.Dropdown(options=[("new risk", NEW)], value=NEW, description="Risk", style=WIDE)
        self.risk_id = widgets.Text(description="Id", placeholder="e.g. R01", style=WIDE)
        self.cause = widgets.Text(description="Cause", placeholder="Because of ...", style=WIDE, layout=FULL)
        self.event = widgets.Text(description="Risk (event)", placeholder="... this may happen ...",
                                  style=WIDE, layout=FULL)
        self.effect = widgets.Text(description="Effect", placeholder="... which would lead to ...",
                                   style=WIDE, layout=FULL)
        self.category = widgets.Dropdown(options=model.categories, description="Category", style=WIDE)
        self.kind = widgets.Dropdown(options=KINDS, value=KINDS[0], description="Kind", style=WIDE)
        self.probability = widgets.Dropdown(
            options=[("not rated", NOT_RATED),
                     *((model.probability_label(value), value) for value in model.probability_levels)],
            description="Probability", style=WIDE)
        self.impact = widgets.Dropdown(
            options=[("not rated", NOT_RATED),
                     *((model.impact_label(value), value) for value in model.impact_levels)],
            description="Impact", style=WIDE)
        self.response = widgets.Dropdown(description="Response", style=WIDE)
        self.owner = widgets.Text(description="Owner", placeholder="who watches and acts", style=WIDE)
        self.trigger = widgets.Text(description="Trigger", placeholder="the sign it is about to happen",
                                    style=WIDE, layout=FULL)
        self.monetary_impact = widgets.FloatText(value=0.0, description="Monetary impact", style=WIDE,
                                                 tooltip="What it would cost (threat) or gain (opportunity)")
        self.risk_status = widgets.Dropdown(options=STATUSES, value=OPEN, description="Status", style=WIDE)
        self.save_button = widgets.Button(description="Save risk",
                                          tooltip="Add this risk, or save the changes to it")
        self.remove_button = widgets.Button(description="Remove risk",
                                            tooltip="Take the picked risk off the register")
        self.current = widgets.HTML()
        self.heat_map = FigurePanel()
        self._renderer = HeatMapRenderer(model)
        self.grid_pane = PictureOrDrag(self.heat_map, model.drag_view)
        self.table = widgets.HTML()
        self.totals = widgets.HTML()

        self._follow_kind()
        self._clear_form()
        self.picker.observe(lambda _: self._on_pick(), names="value")
        self.kind.observe(lambda _: self._follow_kind(), names="value")
        self.save_button.on_click(lambda _: self._save())
        self.remove_button.on_click(lambda _: self._remove())
        model.on_change(self.refresh)

        form = widgets.VBox([
            self.picker, self.risk_id, self.cause, self.event, self.effect, self.category, self.kind,
            self.probability, self.impact, self.response, self.owner, self.trigger, self.monetary_impact,
            self.risk_status, widgets.HBox([self.save_button, self.remove_button]), self.current,
        ], layout=widgets.Layout(width="46%", min_width="22em"))
        self.children = [
            widgets.HBox([form, self.grid_pane],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.table,
            self.totals,
            self.status,
        ]
        self.refresh()

    # -- from the controls to the model ---------------------------------------------------------

    def _form_values(self) -> dict:
        return {
            "id": self.risk_id.value.strip(),
            "cause": self.cause.value,
            "event": self.event.value,
            "effect": self.effect.value,
            "category": self.category.value,
            "kind": self.kind.value,
            "probability": None if self.probability.value == NOT_RATED else self.probability.value,
            "impact": None if self.impact.value == NOT_RATED else self.impact.value,
            "response": None if self.response.value == NOT_DECIDED else self.response.value,
            "owner": self.owner.value,
            "trigger": self.trigger.value,
            "monetary_impact": self.monetary_impact.value,
            "status": self.risk_status.value,
        }

    def _save(self) -> None:
        values = self._form_values()
        picked = self.picker.value
        self._wanted = values["id"]
        try:
            if picked == NEW:
                self.model.add(values.pop("id"), **values)
            else:
                self.model.update(picked, **values)
        except (ValueError, KeyError) as error:
            self._wanted = None
            self.show_problem(error)

    def _remove(self) -> None:
        picked = self.picker.value
        if picked == NEW:
            self.status.show("Pick the risk to remove first: a new risk is not in the register yet.",
                             problem=True)
            return
        self._wanted = NEW
        try:
            self.model.remove(picked)
        except KeyError as error:
            self._wanted = None
            self.show_problem(error)

    # -- from the model to the controls ---------------------------------------------------------

    def _follow_kind(self) -> None:
        """The response options are the strategies for this kind of risk."""
        previous = self.response.value
        options = [("not decided", NOT_DECIDED), *((name, name) for name in RESPONSES[self.kind.value])]
        self.response.options = options
        self.response.value = previous if previous in RESPONSES[self.kind.value] else NOT_DECIDED

    def _clear_form(self) -> None:
        for text in (self.risk_id, self.cause, self.event, self.effect, self.owner, self.trigger):
            text.value = ""
        self.category.value = self.model.categories[0]
        self.kind.value = KINDS[0]
        # A new risk is not rated until the learner rates it: no level is chosen for them.
        self.probability.value = NOT_RATED
        self.impact.value = NOT_RATED
        self.response.value = NOT_DECIDED
        self.monetary_impact.value = 0.0
        self.risk_status.value = OPEN

    def _load_form(self, risk_id: str) -> None:
        risk = self.model.risk(risk_id)
        self.risk_id.value = risk.id
        for name in ("cause", "event", "effect", "owner", "trigger"):
            getattr(self, name).value = getattr(risk, name)
        self.category.value = risk.category
        self.kind.value = risk.kind
        self.probability.value = NOT_RATED if risk.probability is None else risk.probability
        self.impact.value = NOT_RATED if risk.impact is None else risk.impact
        self.response.value = risk.response or NOT_DECIDED
        self.monetary_impact.value = risk.monetary_impact
        self.risk_status.value = risk.status

    def _on_pick(self) -> None:
        if self._syncing:
            return
        picked = self.picker.value
        if picked == NEW:
            self._clear_form()
        else:
            self._load_form(picked)
        self._show_current()
        self._draw()
        self.show_saving_status()

    def _show_current(self) -> None:
        picked = self.picker.value
        if picked == NEW:
            self.current.value = "<div aria-live='polite'>Fill in the form and save to add a risk.</div>"
            return
        model = self.model
        if model.is_rated(picked):
            figures = (f"score {model.score(picked):g}, rank {model.rank(picked)}, "
                       f"band <i>{model.band(picked)}</i>, EMV {model.emv(picked):,.2f}")
        else:
            figures = "<i>not rated yet</i>: choose a probability and an impact, then save"
        self.current.value = (
            f"<div aria-live='polite'><b>{html.escape(picked)}</b>: {html.escape(model.description(picked))}"
            f"<br>{figures}</div>")

    def _draw(self) -> None:
        highlight = None if self.picker.value == NEW else self.picker.value
        self.heat_map.show_png(self._renderer.png(self.model, highlight=highlight), describe_heat_map(self.model))

    def refresh(self) -> None:
        """Redraw after any change of the model, whether it came from here or from code."""
        model = self.model
        picked = self.picker.value
        wanted = picked if self._wanted is None else self._wanted
        self._wanted = None
        if wanted not in model.ids:
            wanted = NEW
        with self.syncing():
            self.picker.options = [("new risk", NEW),
                                   *((f"{id}: {model.risk(id).event}", id) for id in model.ids)]
            self.picker.value = wanted
        if wanted != NEW:
            self._load_form(wanted)
        elif picked != NEW:
            self._clear_form()  # the risk being edited is gone; an unsaved new risk is left as typed
        self._show_current()
        self._draw()
        frame = model.to_frame()[TABLE_COLUMNS]
        unrated = model.unrated
        frame["band"] = frame["band"].fillna(NOT_RATED_YET)
        frame["response"] = frame["response"].fillna(NOT_DECIDED_YET)
        # The table writer shows a missing whole number as <NA>, not as the other columns' blank.
        frame["rank"] = frame["rank"].astype(object).where(frame["rank"].notna(), "")
        open_count = int((frame["status"] == OPEN).sum())
        waiting = f", {len(unrated)} not rated yet" if unrated else ""
        self.table.value = html_table(frame, f"{len(frame)} risks, {open_count} open{waiting}; rank 1 is the "
                                             "highest score (ties: higher impact first, then id).")
        not_counted = ""
        if unrated:
            plural = "s" if len(unrated) > 1 else ""
            not_counted = f" &nbsp;|&nbsp; <i>{len(unrated)} risk{plural} not rated yet, not counted</i>"
        self.totals.value = (
            f"<div aria-live='polite'><b>Total EMV</b> of the open risks: {model.total_emv():,.2f}"
            f" &nbsp;|&nbsp; <b>Contingency reserve</b> for the open threats: "
            f"{model.contingency_reserve():,.2f}{not_counted}</div>")
        self.show_saving_status()
