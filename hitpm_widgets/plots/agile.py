"""Agile pictures: the sprint burndown and the cumulative flow diagram of a Kanban board.

Lines differ by line style and marker shape, bands by hatching, and each is labelled where it is
drawn, so nothing is told by colour alone.
"""

from __future__ import annotations

from .style import GRID_COLOUR, OKABE_ITO, TEXT_COLOUR, new_figure

BURNDOWN_LINES = {
    # column: (name, colour, line style, marker, in words)
    "remaining": ("remaining", OKABE_ITO["blue"], "-", "o", "solid line with circles"),
    "ideal": ("ideal", OKABE_ITO["black"], "--", None, "dashed line"),
    "scope": ("scope", OKABE_ITO["orange"], ":", "s", "dotted line with squares"),
}
BAND_COLOURS = ("bluish green", "sky blue", "orange", "reddish purple", "yellow", "blue", "vermillion")
HATCHES = ("//", "..", "xx", "\\\\", "oo", "--", "++", "**")


def _points(value: float) -> str:
    return f"{value:g}"


def _burndown_series(frame):
    """The burndown's day numbers with day 0 (the start, before any work) in front: x, {column: values}."""
    committed = float(frame["scope"].iloc[0])
    days = [0, *frame["day"].tolist()]
    values = {
        "remaining": [committed, *frame["remaining"].tolist()],
        "ideal": [committed, *frame["ideal"].tolist()],
        "scope": [committed, *frame["scope"].tolist()],
    }
    return days, values


def draw_burndown(frame, title: str = "Sprint burndown"):
    """A Figure of a `burndown()` table: remaining points against the ideal line, and the scope when it grew.

    Day 0 is the start of the sprint, before any work; day k is the end of the k-th day.
    """
    figure, axes = new_figure(6.4, 4.2)
    figure.subplots_adjust(left=0.1, right=0.85, bottom=0.2, top=0.92)
    days, values = _burndown_series(frame)
    grew = bool((frame["added"] > 0).any())
    shown = ["remaining", "ideal", *(["scope"] if grew else [])]
    for column in shown:
        name, colour, style, marker, _ = BURNDOWN_LINES[column]
        axes.plot(days, values[column], color=colour, linestyle=style, linewidth=2, marker=marker,
                  markersize=5, markeredgecolor="black", markeredgewidth=0.5, label=name)
        end = values[column][-1]
        axes.annotate(f"{name} {_points(end)}", (days[-1], end), xytext=(6, 8 if column == "scope" else 0),
                      textcoords="offset points", ha="left", va="center", fontsize=9, color=TEXT_COLOUR,
                      annotation_clip=False,
                      bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": colour})
    for day, added in zip(frame["day"], frame["added"], strict=True):
        if added > 0:
            axes.annotate(f"+{_points(added)} added", (day, values["remaining"][day]), xytext=(0, 10),
                          textcoords="offset points", ha="center", fontsize=8, color=TEXT_COLOUR)
    # Long sprints label every other day (and the last), so the dates never run into each other.
    step = 1 if len(days) <= 11 else 2
    labels = ["start", *(f"{day}\n{date:%d %b}" for day, date in zip(frame["day"], frame.index, strict=True))]
    shown = [i for i in range(len(days)) if i % step == 0 or i == len(days) - 1]
    axes.set_xticks([days[i] for i in shown])
    axes.set_xticklabels([labels[i] for i in shown], fontsize=8)
    top = max(max(values["scope"]), 1)
    axes.set_ylim(0, top * 1.15)
    axes.set_xlim(-0.3, days[-1] + 0.3)
    axes.set_xlabel("Sprint day (end of day)")
    axes.set_ylabel("Story points")
    axes.set_title(title, color=TEXT_COLOUR, fontsize=11)
    axes.grid(color=GRID_COLOUR, alpha=0.3)
    return figure


def describe_burndown(frame, title: str = "Sprint burndown") -> str:
    """Alt text of the burndown."""
    days, values = _burndown_series(frame)
    committed, remaining = values["remaining"][0], values["remaining"][-1]
    first, last = frame.index[0], frame.index[-1]
    text = (f"{title} over {len(frame)} days, {first:%d %B %Y} to {last:%d %B %Y}: story points remaining "
            f"({BURNDOWN_LINES['remaining'][4]}) against the ideal line ({BURNDOWN_LINES['ideal'][4]}) from "
            f"the {_points(committed)} points committed at the start to 0 at the end. ")
    added_by_day = zip(frame["day"], frame["added"], strict=True)
    additions = [f"{_points(added)} on day {day}" for day, added in added_by_day if added > 0]
    if additions:
        text += (f"Scope added during the sprint: {', '.join(additions)}; the scope is drawn as a "
                 f"{BURNDOWN_LINES['scope'][4]}, ending at {_points(values['scope'][-1])} points. ")
    behind = [day for day, actual, ideal in zip(days, values["remaining"], values["ideal"], strict=True)
              if actual > ideal]
    text += f"At the end, {_points(remaining)} points remain"
    text += f" ({_points(float(frame['done'].iloc[-1]))} done)."
    if behind:
        text += f" The remaining line is above the ideal on {len(behind)} of {len(days)} days."
    return text


def _spread(heights: list[float], gap: float, ceiling: float) -> list[float]:
    """Label heights, in the given (bottom-up) order, at least `gap` apart and none above `ceiling`."""
    placed: list[float] = []
    for height in heights:
        placed.append(height if not placed else max(height, placed[-1] + gap))
    # Labels pushed past the top come back down, pushing the ones below them down too.
    for index in range(len(placed) - 1, -1, -1):
        limit = ceiling if index == len(placed) - 1 else placed[index + 1] - gap
        placed[index] = min(placed[index], limit)
    return placed


def draw_cumulative_flow(flow, title: str = "Cumulative flow"):
    """A Figure of a `KanbanBoard.cumulative_flow()` table: stacked bands, the last column at the bottom.

    Each band has its own hatching and colour, is in the legend, and is named at the right edge (a thin
    line points to its band when the name had to move to stay readable).
    """
    import matplotlib.dates as mdates
    import numpy as np
    import pandas as pd
    from matplotlib.ticker import MaxNLocator

    figure, axes = new_figure(7.0, 4.4)
    figure.subplots_adjust(left=0.09, right=0.78, bottom=0.13, top=0.92)
    columns = list(flow.columns)[::-1]
    # One more day at the end, so that the last day is drawn as a full step, like the others.
    dates = flow.index.append(pd.DatetimeIndex([flow.index[-1] + pd.Timedelta(days=1)]))
    bottom = np.zeros(len(dates))
    middles, labels = [], []
    for number, column in enumerate(columns):
        counts = flow[column].to_numpy(dtype=float)
        top = bottom + np.append(counts, counts[-1])
        colour = OKABE_ITO[BAND_COLOURS[number % len(BAND_COLOURS)]]
        axes.fill_between(dates, bottom, top, step="post", facecolor=colour, edgecolor="black", linewidth=0.6,
                          hatch=HATCHES[number % len(HATCHES)], alpha=0.85, label=column)
        middles.append((bottom[-1] + top[-1]) / 2)
        labels.append(f"{column} ({int(counts[-1])})")
        bottom = top
    highest = max(float(bottom.max()), 1)
    # Names just right of the plot, as far up as needed to keep them apart.
    name_at = dates[-1] + (dates[-1] - dates[0]) * 0.03
    for label, middle, height in zip(labels, middles, _spread(middles, 0.07 * highest, highest), strict=True):
        pointer = {"arrowstyle": "-", "color": GRID_COLOUR, "linewidth": 0.8}
        axes.annotate(label, (dates[-1], middle), xytext=(name_at, height), textcoords="data",
                      ha="left", va="center", fontsize=9, color=TEXT_COLOUR, annotation_clip=False,
                      arrowprops=pointer if abs(height - middle) > 1e-9 else None)
    axes.set_xlim(dates[0], dates[-1])
    axes.set_ylim(0, highest * 1.05)
    # At most about eight date ticks, whatever the span, so labels stay apart.
    axes.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=8))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylabel("Cards")
    axes.set_xlabel("Day (the cards in each column at the end of the day)")
    axes.set_title(title, color=TEXT_COLOUR, fontsize=11)
    axes.grid(color=GRID_COLOUR, alpha=0.3)
    handles, names = axes.get_legend_handles_labels()
    axes.legend(handles[::-1], names[::-1], loc="upper left", fontsize=8, framealpha=0.9)
    return figure


def describe_cumulative_flow(flow, title: str = "Cumulative flow") -> str:
    """Alt text of the cumulative flow diagram."""
    columns = list(flow.columns)
    bands = "; ".join(f"{column} (hatched {HATCHES[number % len(HATCHES)]})"
                      for number, column in enumerate(columns[::-1]))
    end = flow.iloc[-1]
    counts = ", ".join(f"{int(end[column])} in {column}" for column in columns)
    start = flow.iloc[0]
    started = ", ".join(f"{int(start[column])} in {column}" for column in columns)
    done = columns[-1]
    return (f"{title} diagram from {flow.index[0]:%d %B %Y} to {flow.index[-1]:%d %B %Y}: the cards in each "
            f"column, stacked from the bottom: {bands}. On the first day: {started}. "
            f"On the last day: {counts}. Where the bands above {done} widen, work piles up; where the top "
            f"of the {done} band stays flat, nothing is being finished.")

