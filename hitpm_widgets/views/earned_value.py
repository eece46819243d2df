"""The earned value status widget: pick the status date and the EAC method; see the figures and S-curve."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..earned_value import EAC_METHODS, EarnedValueStatus, format_money, format_ratio
from ..plots.earned_value import describe_s_curve, draw_s_curve
from ..plots.style import figure_png
from .common import WIDE, ExerciseView, FigurePanel, html_table

#: The Dropdowns' value for "not chosen yet": never a month or a method key.
NOT_CHOSEN = ""
FULL = widgets.Layout(width="95%")


class EarnedValueView(ExerciseView):
    def __init__(self, model: EarnedValueStatus) -> None:
        super().__init__(model)
        months = [(f"{month:%B %Y}", f"{month:%Y-%m-%d}") for month in model.series.status_dates]
        self.status_date = widgets.Dropdown(options=[("choose a month", NOT_CHOSEN), *months],
                                            value=NOT_CHOSEN, description="Status date", style=WIDE)
        self.eac_method = widgets.Dropdown(
            options=[("choose a method", NOT_CHOSEN),
                     *((f"{formula}: {why}", key) for key, (formula, why) in EAC_METHODS.items())],
            value=NOT_CHOSEN, description="EAC method", style=WIDE, layout=FULL)
        self.justification = widgets.Text(description="Why this method", style=WIDE, layout=FULL,
                                          placeholder="One line: what in the figures makes it fit?",
                                          continuous_update=False)
        self.headline = widgets.HTML()
        self.figures = widgets.HTML()
        self.chart = FigurePanel()
        self._charts: dict[tuple, tuple[bytes, str]] = {}

        self.status_date.observe(lambda _: self._set_status_date(), names="value")
        self.eac_method.observe(lambda _: self._choose_eac(), names="value")
        self.justification.observe(lambda _: self.apply(self.model.set_justification,
                                                        self.justification.value), names="value")
        model.on_change(self.refresh)

        controls = widgets.VBox([self.status_date, self.eac_method, self.justification, self.headline],
                                layout=widgets.Layout(width="46%", min_width="22em"))
        self.children = [
            widgets.HBox([controls, widgets.Box([self.chart], layout=widgets.Layout(width="54%"))],
                         layout=widgets.Layout(flex_flow="row wrap")),
            self.figures,
            self.status,
        ]
        self.refresh()

    # -- from the controls to the model ---------------------------------------------------------

    def _set_status_date(self) -> None:
        # "choose a month" is no answer: the model keeps its date and refresh shows it again.
        if self.status_date.value == NOT_CHOSEN:
            if not self._syncing:
                self.refresh()
            return
        self.apply(self.model.set_status_date, self.status_date.value)

    def _choose_eac(self) -> None:
        # "choose a method" takes the choice back to undecided.
        self.apply(self.model.choose_eac, self.eac_method.value or None)

    # -- from the model to the controls ---------------------------------------------------------

    def _sync_controls(self) -> None:
        model = self.model
        with self.syncing():
            self.status_date.value = (NOT_CHOSEN if model.status_date is None
                                      else f"{model.status_date:%Y-%m-%d}")
            self.eac_method.value = model.eac_method or NOT_CHOSEN
            self.justification.value = model.justification

    def _show_headline(self) -> None:
        model, status = self.model, self.model.status
        if status is None:
            self.headline.value = ("<div aria-live='polite'>Choose the status date of your report to see "
                                   "its figures.</div>")
            return
        lines = [f"<b>{model.status_date:%B %Y}</b>: CPI {format_ratio(status.cpi, 3)}, "
                 f"SPI {format_ratio(status.spi, 3)}",
                 html.escape(status.cost_reading), html.escape(status.schedule_reading)]
        if model.eac_method is not None:
            reading = html.escape(status.eac_reading(model.eac_method))
            lines.append(f"<b>EAC {format_money(model.eac)}</b>: {reading}")
        else:
            lines.append("Choose the EAC method your forecast uses.")
        if model.eac_method is not None and not model.justification:
            lines.append("Say in one line why this method fits.")
        self.headline.value = "<div aria-live='polite'>" + "<br>".join(lines) + "</div>"

    def _show_figures(self) -> None:
        frame = self.model.to_frame()
        if frame.empty:
            self.figures.value = ""
            return
        shown = frame[["formula", "reading"]].copy()
        values = zip(frame["value"], frame["unit"], strict=True)
        shown.insert(0, "value", [_formatted(value, unit) for value, unit in values])
        method = self.model.eac_method
        caption = (f"ETC, VAC and TCPI to EAC use EAC = {EAC_METHODS[method][0]}." if method is not None
                   else "ETC, VAC and TCPI to EAC use EAC = BAC / CPI until you choose a method.")
        self.figures.value = html_table(shown, caption)

    def refresh(self) -> None:
        """Redraw after any change of the model, whether it came from here or from code."""
        model = self.model
        self._sync_controls()
        self._show_headline()
        self._show_figures()
        # The picture depends only on the status date and the EAC method (the monthly data is fixed):
        # drawing it takes about half a second, so each one is drawn once and kept.
        key = (model.status_date, model.eac_method)
        if key not in self._charts:
            arguments = {"eac": model.eac_method, "planned_finish": model.planned_finish}
            figure = draw_s_curve(model.series, model.status_date, **arguments)
            self._charts[key] = (figure_png(figure), describe_s_curve(model.series, model.status_date, **arguments))
        self.chart.show_png(*self._charts[key])
        self.show_saving_status()


def _formatted(value: float, unit: str) -> str:
    if value != value:  # NaN: the figure is undefined here
        return "undefined"
    if unit == "ratio":
        return format_ratio(value, 3)
    if unit == "%":
        return f"{value:.1f}%"
    return format_money(value)
