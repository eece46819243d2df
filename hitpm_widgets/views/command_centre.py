"""The go-live command centre widget: staff each shift, pick a triage rule, run the week, read the results."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..command_centre import (
    DAYS,
    MAX_REPLICATIONS,
    ROLES,
    SHIFT_HOURS,
    SHIFTS,
    TRIAGE_RULES,
    CommandCentreStaffing,
)
from ..plots.command_centre import (
    ROLE_NAMES,
    describe_cost,
    describe_service_levels,
    describe_waits_by_hour,
    describe_workload,
    draw_cost,
    draw_service_levels,
    draw_waits_by_hour,
    draw_workload,
)
from .common import WIDE, ExerciseView, FigurePanel, html_table, number_box

#: The "day" picker's value for "every day of the week".
EVERY_DAY = 0
ROLE_LABELS = {"analysts": "Analysts", "super_users": "Super-users"}
#: The triage rules as short labels: a radio button's label does not wrap.
TRIAGE_LABELS = {"fcfs": "first come, first served", "severity": "by severity",
                 "severity-preemptive": "by severity, severity 1 pre-empts"}
#: The seed box's top: any whole number works in code; the box needs a bound.
MAX_SEED = 2**31 - 1


class CommandCentreView(ExerciseView):
    def __init__(self, model: CommandCentreStaffing) -> None:
        super().__init__(model)
        dates = model.centre.arrivals["date"]
        self.day = widgets.Dropdown(
            options=[("every day of the week", EVERY_DAY)]
            + [(f"day {d}, {dates[(d - 1) * 24]:%A %d %B}", d) for d in range(1, DAYS + 1)],
            description="Staff for", style=WIDE)
        self.day_note = widgets.HTML()
        available = model.centre.available
        self.boxes = {
            (role, shift): number_box(f"{ROLE_LABELS[role]}, {shift} ({SHIFT_HOURS[shift]})", minimum=0,
                                      maximum=available[role], whole=True, live=False, style=WIDE, width=None)
            for role in ROLES for shift in SHIFTS
        }
        self.triage = widgets.RadioButtons(options=[(TRIAGE_LABELS.get(key, name), key)
                                                    for key, name in TRIAGE_RULES.items()],
                                           description="Triage", style=WIDE,
                                           layout=widgets.Layout(width="auto"))
        self.replications = number_box("Replications", minimum=1, maximum=MAX_REPLICATIONS, whole=True,
                                        live=False, style=WIDE, width=None)
        self.seed = number_box("Seed", minimum=0, maximum=MAX_SEED, whole=True, live=False, style=WIDE,
                               width=None)
        self.run_button = widgets.Button(description="Run the week", button_style="primary",
                                         tooltip="Simulate go-live week with this plan and triage rule")
        self.cost = widgets.HTML()
        self.results = widgets.HTML()
        self.waits = FigurePanel()
        self.levels = FigurePanel()
        self.cost_figure = FigurePanel()
        self.workload = FigurePanel()

        self.day.observe(lambda _: self._sync_controls(), names="value")
        for (role, shift), box in self.boxes.items():
            box.observe(lambda change, r=role, s=shift: self._set_staff(r, s, change["new"]), names="value")
        self.triage.observe(lambda _: self.apply(self.model.set_triage, self.triage.value), names="value")
        self.replications.observe(lambda _: self.apply(self.model.set_replications, self.replications.value),
                                  names="value")
        self.seed.observe(lambda _: self.apply(self.model.set_seed, self.seed.value), names="value")
        self.run_button.on_click(lambda _: self._run())
        model.on_change(self.refresh)

        column = widgets.Layout(width="50%", min_width="22em")
        staffing = widgets.VBox([
            self.day, self.day_note,
            widgets.HTML(f"<b>Command-centre {ROLE_NAMES['analysts'].split(' ', 1)[1]}</b>"),
            *(self.boxes[("analysts", s)] for s in SHIFTS),
            widgets.HTML(f"<b>{ROLE_NAMES['super_users'].capitalize()}</b>"),
            *(self.boxes[("super_users", s)] for s in SHIFTS),
        ], layout=column)
        running = widgets.VBox([self.triage, self.replications, self.seed, self.run_button, self.cost],
                               layout=column)
        half = widgets.Layout(width="50%", min_width="20em")
        self.children = [
            widgets.HBox([staffing, running], layout=widgets.Layout(flex_flow="row wrap")),
            self.workload,
            self.results,
            self.waits,
            widgets.HBox([widgets.Box([self.levels], layout=half), widgets.Box([self.cost_figure], layout=half)],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.status,
        ]
        self.refresh()

    # -- from the controls to the model ---------------------------------------------------------

    def _set_staff(self, role: str, shift: str, value: int) -> None:
        day = None if self.day.value == EVERY_DAY else self.day.value
        self.apply(self.model.set_staff, shift, day=day, **{role: value})

    def _run(self) -> None:
        if self._syncing:
            return
        self.run_button.disabled = True
        self.status.show("Simulating the week ...")
        try:
            self.apply(self.model.run)  # a refusal (nobody rostered) is shown in the status line
        finally:
            self.run_button.disabled = False

    # -- from the model to the controls ---------------------------------------------------------

    def _sync_controls(self) -> None:
        plan, day = self.model.plan, self.day.value
        shown = 1 if day == EVERY_DAY else day
        differ = []
        with self.syncing():
            for (role, shift), box in self.boxes.items():
                box.value = plan.staff(shown, shift)[role]
                if day == EVERY_DAY and len({plan.staff(d, shift)[role] for d in range(1, DAYS + 1)}) > 1:
                    differ.append(f"{ROLE_LABELS[role].lower()} on the {shift} shift")
            self.triage.value = self.model.triage
            self.replications.value = self.model.replications
            self.seed.value = self.model.seed
        self.day_note.value = (
            "<div style='font-size:90%'>The days differ for " + html.escape(", ".join(differ))
            + ": the boxes show day 1, and a change sets every day.</div>" if differ else "")

    def refresh(self) -> None:
        """Redraw after any change of the model or a run, whether it came from here or from code."""
        self._sync_controls()
        model = self.model
        by_role = model.centre.cost_by_role(model.plan)
        self.cost.value = (
            f"<div aria-live='polite'><b>Cost of the plan: ${model.cost:,.0f}</b><br>"
            + " &middot; ".join(f"{html.escape(ROLE_NAMES[r])} ${by_role[r]:,.0f}" for r in ROLES) + "</div>")
        self.cost_figure.show(draw_cost(model.centre, model.plan), describe_cost(model.centre, model.plan))
        self.workload.show(draw_workload(model.centre, model.plan), describe_workload(model.centre, model.plan))
        result = model.result
        if result is None:
            stale = model.last_result is not None
            self.results.value = (
                "<div aria-live='polite'><b>"
                + ("The plan or the settings changed since the last run: press Run the week to see their "
                   "results." if stale else "Press Run the week to simulate this plan.")
                + "</b></div>")
            if not stale:
                self.waits.value = self.levels.value = ""
        else:
            levels = result.service_levels()
            table = levels[["name", "tickets", "target_minutes", "target_share", "within_target", "lowest",
                            "met"]].reset_index(drop=True)
            table["tickets"] = table["tickets"].map(lambda n: f"{n:,.0f}")
            for column in ("target_share", "within_target", "lowest"):
                table[column] = table[column].map(lambda share: f"{share:.0%}")
            table["met"] = table["met"].map({True: "met", False: "missed"})
            table.columns = ["severity", "tickets a week", "target (minutes)", "target share",
                             "within target (mean)", "lowest replication", "target"]
            met = int(levels["met"].sum())
            self.results.value = (
                f"<div aria-live='polite'><b>{met} of {len(levels)} service levels met</b> "
                f"({result.replications} replications, seed {result.seed}, {TRIAGE_RULES[result.triage]}); "
                f"mean wait {result.mean_wait():.0f} minutes.</div>"
                + html_table(table, "Service levels of the last run"))
            self.waits.show(draw_waits_by_hour(result), describe_waits_by_hour(result))
            self.levels.show(draw_service_levels(result), describe_service_levels(result))
        self.show_saving_status()
