"""Schedule risk pictures: the histogram of simulated completion and the S-curve.

P50, P80 and the deadline are told apart by line style, marker shape and a label on the line as
well as by colour.
"""

from __future__ import annotations

from ..schedule import DISTRIBUTIONS, SimulationResult
from .style import GRID_COLOUR, OKABE_ITO, TEXT_COLOUR, new_figure

MARKS = {
    # mark: (colour, line style, marker on the S-curve, label on the line)
    "p50": (OKABE_ITO["blue"], "--", "o", "P50"),
    "p80": (OKABE_ITO["orange"], "-.", "s", "P80"),
    "deadline": (OKABE_ITO["vermillion"], "-", "D", "deadline"),
}
BAR_COLOUR = OKABE_ITO["sky blue"]
CURVE_COLOUR = OKABE_ITO["black"]


def format_chance(probability: float) -> str:
    """A probability as a percentage for people: 63%, under 1%, over 99%."""
    # "100 %" would promise certainty that a few thousand iterations cannot show.
    if 0 < probability < 0.01:
        return "under 1%"
    if 0.99 < probability < 1:
        return "over 99%"
    return f"{probability:.0%}"


def _marks(result: SimulationResult, deadline_days: float | None) -> list[tuple[str, float, float, str]]:
    """(mark, day, cumulative probability, legend text) for P50, P80 and the deadline if given."""
    marks = [
        ("p50", result.p50, 0.5, f"P50: {result.p50:.1f} days (half the runs finish by then)"),
        ("p80", result.p80, 0.8, f"P80: {result.p80:.1f} days"),
    ]
    if deadline_days is not None:
        chance = result.probability_by(deadline_days)
        marks.append(("deadline", float(deadline_days), chance,
                      f"deadline: {deadline_days:g} days ({format_chance(chance)} chance to meet it)"))
    return marks


def _title(result: SimulationResult, what: str) -> str:
    return f"{what} ({result.iterations:,} runs, {DISTRIBUTIONS[result.distribution]} durations)"


def _label_lines(axes, marks) -> None:
    # Labels on the lines themselves, staggered in height so that close marks stay readable.
    for row, (mark, day, _, _) in enumerate(marks):
        colour, _, _, label = MARKS[mark]
        axes.annotate(label, (day, 0.97 - 0.08 * row), xycoords=("data", "axes fraction"), xytext=(4, 0),
                      textcoords="offset points", ha="left", va="top", fontsize=9, color=TEXT_COLOUR,
                      bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": colour})


def draw_completion_histogram(result: SimulationResult, deadline_days: float | None = None, *,
                              bins: int = 40):
    """A Figure: how often each project duration came out, with P50, P80 and the deadline marked."""
    import numpy as np

    figure, axes = new_figure(6.4, 4.2)
    axes.hist(result.durations, bins=bins, color=BAR_COLOUR, edgecolor="white", linewidth=0.4,
              weights=np.full(result.iterations, 100 / result.iterations), label="simulated runs")
    marks = _marks(result, deadline_days)
    for mark, day, _, legend in marks:
        colour, style, _, _ = MARKS[mark]
        axes.axvline(day, color=colour, linestyle=style, linewidth=2.2 if mark == "deadline" else 1.8,
                     label=legend)
    _label_lines(axes, marks)
    axes.set_xlabel("Project duration (working days)")
    axes.set_ylabel("Share of runs (%)")
    axes.set_title(_title(result, "Simulated completion"), color=TEXT_COLOUR, fontsize=11)
    axes.grid(axis="y", color=GRID_COLOUR, alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(0, -0.16), fontsize=8, frameon=False)
    return figure


def draw_s_curve(result: SimulationResult, deadline_days: float | None = None):
    """A Figure: the chance of finishing by each day, with P50, P80 and the deadline marked."""
    from matplotlib.ticker import PercentFormatter

    figure, axes = new_figure(6.4, 4.2)
    days, probabilities = result.cumulative()
    axes.plot(days, probabilities, color=CURVE_COLOUR, linewidth=1.8, label="chance of finishing by day")
    marks = _marks(result, deadline_days)
    for mark, day, chance, legend in marks:
        colour, style, marker, _ = MARKS[mark]
        axes.axvline(day, color=colour, linestyle=style, linewidth=1.4, ymax=1)
        axes.plot([day], [chance], marker=marker, markersize=8, color=colour, markeredgecolor="black",
                  linestyle=style, label=legend)
    _label_lines(axes, marks)
    axes.set_ylim(0, 1.02)
    axes.yaxis.set_major_formatter(PercentFormatter(xmax=1))
    axes.set_xlabel("Project duration (working days)")
    axes.set_ylabel("Chance of finishing by then")
    axes.set_title(_title(result, "S-curve"), color=TEXT_COLOUR, fontsize=11)
    axes.grid(color=GRID_COLOUR, alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(0, -0.16), fontsize=8, frameon=False)
    return figure


def _figures_in_words(result: SimulationResult, deadline_days: float | None) -> str:
    text = (f"P50 {result.p50:.1f} working days, P80 {result.p80:.1f} working days, "
            f"mean {result.mean:.1f}")
    if deadline_days is not None:
        text += (f"; deadline {deadline_days:g} working days, with a "
                 f"{format_chance(result.probability_by(deadline_days))} chance of finishing by it")
    return text + "."


def describe_completion_histogram(result: SimulationResult, deadline_days: float | None = None) -> str:
    """Alt text of the histogram."""
    low, high = float(result.durations.min()), float(result.durations.max())
    return (f"Histogram of {result.iterations:,} simulated project durations "
            f"({DISTRIBUTIONS[result.distribution]} task durations), from {low:.1f} to {high:.1f} working "
            f"days. Marked: P50 (dashed line), P80 (dash-dot line)"
            f"{', deadline (solid line)' if deadline_days is not None else ''}. "
            + _figures_in_words(result, deadline_days))


def describe_s_curve(result: SimulationResult, deadline_days: float | None = None) -> str:
    """Alt text of the S-curve."""
    p10, p90 = result.percentile(10), result.percentile(90)
    return (f"S-curve: the chance of finishing the project by each working day, from {result.iterations:,} "
            f"simulated runs ({DISTRIBUTIONS[result.distribution]}). It rises from 10% at {p10:.1f} days to "
            f"90% at {p90:.1f} days. " + _figures_in_words(result, deadline_days))
