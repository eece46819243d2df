"""The earned value S-curve: cumulative PV, EV and AC over time, BAC, the status date and the EAC forecast.

Each line has its own line style and marker shape and is labelled at its end, so nothing is told by
colour alone. At a status date, EV and AC are drawn up to that month only (what was known then);
the plan (PV) is drawn in full.
"""

from __future__ import annotations

from ..earned_value import EAC_METHODS, EarnedValueSeries, format_money, format_ratio
from .style import GRID_COLOUR, OKABE_ITO, TEXT_COLOUR, new_figure

LINES = {
    # key: (column, name, colour, line style, marker, line style in words, marker in words)
    "PV": ("planned_value", "planned value", OKABE_ITO["blue"], "-", "o", "solid line", "circles"),
    "EV": ("earned_value", "earned value", OKABE_ITO["bluish green"], "-.", "s", "dash-dot line", "squares"),
    "AC": ("actual_cost", "actual cost", OKABE_ITO["vermillion"], (0, (5, 1.5, 1, 1.5, 1, 1.5)), "^",
           "dash-dot-dot line", "triangles"),
}
BAC_STYLE = (OKABE_ITO["black"], ":")
EAC_STYLE = (OKABE_ITO["reddish purple"], "--", "D")
STATUS_STYLE = (GRID_COLOUR, (0, (1, 2)))


def _short_money(value: float, _position=None) -> str:
    """Axis ticks: 2.6M, 500k, 0."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.1f}M".replace(".0M", "M")
    if abs(value) >= 1_000:
        return f"{value / 1_000:.0f}k"
    return f"{value:.0f}"


def _label_money(value: float) -> str:
    """Line labels: 2.93M, 946k (ticks round more)."""
    if abs(value) >= 1_000_000:
        return f"{value / 1_000_000:.2f}M"
    return _short_money(value)


def _spread(positions: dict[str, float], gap: float) -> dict[str, float]:
    """Label heights at least `gap` apart, in the lines' order from the bottom, so labels never overlap."""
    placed: dict[str, float] = {}
    floor = None
    for key, value in sorted(positions.items(), key=lambda item: item[1]):
        height = value if floor is None else max(value, floor + gap)
        placed[key] = floor = height
    return placed


def _status_month(series: EarnedValueSeries, status_date):
    return None if status_date is None else series.month(status_date)


def draw_s_curve(series: EarnedValueSeries, status_date=None, *, eac: str | None = "cpi",
                 planned_finish=None):
    """A Figure: the S-curve of a series at a status date (None: no status date marked).

    `eac` is the forecast method ("cpi", "atypical", "cpi_spi"; None for no forecast). The forecast
    is drawn as a dashed line from AC at the status date to the EAC at `planned_finish`, when that
    date is given and later than the status date.
    """
    import matplotlib.dates as mdates
    import pandas as pd
    from matplotlib.ticker import FuncFormatter

    figure, axes = new_figure(7.2, 4.6)
    figure.subplots_adjust(left=0.1, right=0.84, bottom=0.24, top=0.92)
    table = series.table()
    status = _status_month(series, status_date)
    ends: dict[str, tuple] = {}
    for key, (column, name, colour, style, marker, _, _) in LINES.items():
        values = table[column]
        if status is not None and key != "PV":
            values = values[values.index <= status]
        axes.plot(values.index, values.to_numpy(), color=colour, linestyle=style, linewidth=2, marker=marker,
                  markersize=6, markeredgecolor="black", markeredgewidth=0.5, label=f"{key}: {name}")
        ends[key] = (values.index[-1], float(values.iloc[-1]))
    axes.axhline(series.bac, color=BAC_STYLE[0], linestyle=BAC_STYLE[1], linewidth=1.4,
                 label=f"BAC: budget at completion {series.bac:,.0f}")
    last = table.index[-1]
    finish = None if planned_finish is None else pd.Timestamp(planned_finish)
    right = max(last, finish) if finish is not None else last
    if status is not None:
        colour, style = STATUS_STYLE
        axes.axvline(status, color=colour, linestyle=style, linewidth=1.6,
                     label=f"status date: {status:%b %Y}")
        axes.annotate(f"status\n{status:%b %Y}", (status, 0.02), xycoords=("data", "axes fraction"),
                      xytext=(-4, 0), textcoords="offset points", ha="right", va="bottom", fontsize=8,
                      color=TEXT_COLOUR)
        forecast = None if eac is None else series.at(status).eac[eac]
        if forecast is not None and finish is not None and finish > status:
            colour, style, marker = EAC_STYLE
            start_cost = float(table.at[status, "actual_cost"])
            axes.plot([status, finish], [start_cost, forecast], color=colour, linestyle=style, linewidth=2,
                      label=f"EAC ({EAC_METHODS[eac][0]}): {forecast:,.0f}")
            axes.plot([finish], [forecast], marker=marker, markersize=7, color=colour,
                      markeredgecolor="black", linestyle="none")
            ends["EAC"] = (finish, forecast)
    top = max([series.bac, *(value for _, value in ends.values())])
    gap = 0.06 * top
    heights = _spread({key: value for key, (_, value) in ends.items()}, gap)
    # Direct labels just right of each line's end, spread apart vertically.
    for key, (when, value) in ends.items():
        colour = EAC_STYLE[0] if key == "EAC" else LINES[key][2]
        axes.annotate(f"{key} {_label_money(value)}", (when, heights[key]), xytext=(6, 0),
                      textcoords="offset points", ha="left", va="center", fontsize=9, color=TEXT_COLOUR,
                      annotation_clip=False,
                      bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": colour})
    axes.annotate(f"BAC {_label_money(series.bac)}", (table.index[0], series.bac), xytext=(0, 4),
                  textcoords="offset points", ha="left", va="bottom", fontsize=9, color=TEXT_COLOUR)
    span = right - table.index[0]
    axes.set_xlim(table.index[0] - span * 0.04, right + span * 0.04)
    axes.set_ylim(0, max(top, max(heights.values())) * 1.1)
    axes.xaxis.set_major_locator(mdates.MonthLocator())
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%b\n%Y"))
    axes.yaxis.set_major_formatter(FuncFormatter(_short_money))
    axes.set_ylabel("Cumulative cost (budget money)")
    axes.set_title("Earned value S-curve", color=TEXT_COLOUR, fontsize=11)
    axes.grid(color=GRID_COLOUR, alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(0, -0.16), fontsize=8, frameon=False, ncol=2)
    return figure


def describe_s_curve(series: EarnedValueSeries, status_date=None, *, eac: str | None = "cpi",
                     planned_finish=None) -> str:
    """Alt text of the S-curve: what is drawn and PV, EV, AC, CPI and SPI at the status date."""
    import pandas as pd

    months = series.status_dates
    lines = ", ".join(f"{name} ({key}, {style_words} with {marker_words})"
                      for key, (_, name, _, _, _, style_words, marker_words) in LINES.items())
    text = (f"Earned value S-curve from {months[0]:%B %Y} to {months[-1]:%B %Y}: cumulative {lines}; "
            f"budget at completion (BAC) {series.bac:,.0f} as a dotted horizontal line. ")
    status = _status_month(series, status_date)
    figures = series.at(status) if status is not None else series.latest
    where = (f"At the status date, {status:%B %Y} (dotted vertical line)" if status is not None
             else f"No status date chosen; at the latest month, {months[-1]:%B %Y}")
    text += (f"{where}: PV {format_money(figures.pv)}, EV {format_money(figures.ev)}, "
             f"AC {format_money(figures.ac)}, CPI {format_ratio(figures.cpi, 3)}, "
             f"SPI {format_ratio(figures.spi, 3)}; {figures.reading}.")
    if status is not None and eac is not None:
        forecast = figures.eac[eac]
        finish = None if planned_finish is None else pd.Timestamp(planned_finish)
        if forecast is not None:
            text += f" EAC ({EAC_METHODS[eac][0]}) {forecast:,.0f}"
            if finish is not None and finish > status:
                text += f", drawn as a dashed line out to the planned finish, {finish:%B %Y}"
            text += "."
    return text
