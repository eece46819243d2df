"""Adoption after go-live in pictures: one line a department, and help-desk tickets as stacked bars.

Every department has its own colour, marker and line style, and its name at the end of its line;
every ticket category its own colour and hatching: nothing is told by colour alone.
"""

from __future__ import annotations

import math

from ..adoption import ALL_DEPARTMENTS, MEASURES, TICKET_CATEGORIES, adoption_table, ticket_trends
from .style import GRID_COLOUR, MARKERS, OKABE_ITO, TEXT_COLOUR, new_figure

# Yellow is left out of the lines (a thin yellow line on white is hard to see); the first colours are
# the ones furthest apart, since most charts show only a few departments.
LINE_COLOURS = tuple(OKABE_ITO[name] for name in ("blue", "vermillion", "bluish green", "orange",
                                                   "reddish purple", "black", "sky blue"))
LINE_STYLES = ("-", "--", "-.", ":")
BAR_COLOURS = tuple(OKABE_ITO.values())
HATCHES = ("//", "\\\\", "xx", "..", "--", "++", "oo", "**")
#: Labels at line ends are kept at least this fraction of the y range apart, so that none overlap.
LABEL_GAP = 0.055


def department_styles(departments) -> dict[str, dict]:
    """A colour, marker and line style for each department (in text order), none two alike up to 56."""
    return {
        department: {"color": LINE_COLOURS[i % len(LINE_COLOURS)], "marker": MARKERS[i % len(MARKERS)],
                     "linestyle": LINE_STYLES[i % len(LINE_STYLES)]}
        for i, department in enumerate(sorted(departments))
    }


def category_styles(categories) -> dict[str, dict]:
    """A colour and a hatching for each ticket category; the case's categories keep theirs in every chart."""
    ordered = [c for c in TICKET_CATEGORIES if c in set(categories)]
    ordered += sorted(set(categories) - set(TICKET_CATEGORIES))
    styles = {}
    for category in ordered:
        i = TICKET_CATEGORIES.index(category) if category in TICKET_CATEGORIES else len(styles)
        styles[category] = {"color": BAR_COLOURS[i % len(BAR_COLOURS)], "hatch": HATCHES[i % len(HATCHES)]}
    return styles


def _is_ratio(measure: str) -> bool:
    return measure in MEASURES


def _format(measure: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no value"
    return f"{100 * value:.1f} %" if _is_ratio(measure) else f"{value:,.0f}"


def _label(measure: str) -> str:
    return MEASURES.get(measure, measure.replace("_", " "))


def _sentence_case(text: str) -> str:
    # Not str.capitalize(): that would turn "CPOE" into "Cpoe".
    return text[:1].upper() + text[1:]


def _highlighted(table, highlight) -> list[str]:
    names = [highlight] if isinstance(highlight, str) else list(highlight or ())
    unknown = [name for name in names if name not in table.index]
    if unknown:
        raise ValueError(f"cannot highlight unknown department(s) {', '.join(map(repr, unknown))}; "
                         f"known: {', '.join(table.index)}")
    return names


def _spread(positions: list[float], gap: float) -> list[float]:
    """Move label heights apart by at least `gap`, keeping their order and staying near where they were."""
    order = sorted(range(len(positions)), key=lambda i: positions[i])
    placed = [positions[i] for i in order]
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    # Shift the whole stack down by half its overshoot so labels stay centred on their lines.
    overshoot = sum(p - positions[i] for p, i in zip(placed, order, strict=True)) / max(len(placed), 1)
    result = [0.0] * len(positions)
    for p, i in zip(placed, order, strict=True):
        result[i] = p - overshoot
    return result


def draw_adoption_lines(adoption, measure: str = "cpoe_share", highlight=(), *, target: float | None = None):
    """A line a department of `measure` by week; `highlight`ed departments (e.g. the stalled) drawn thick.

    `target`: a dashed horizontal line at this value (for instance the 0.85 CPOE target).
    """
    from matplotlib.ticker import PercentFormatter

    table = adoption_table(adoption, measure)
    highlight = _highlighted(table, highlight)
    styles = department_styles(table.index)
    figure, axes = new_figure(7.4, 4.8)
    figure.subplots_adjust(left=0.1, right=0.76, bottom=0.12, top=0.91)
    weeks = list(table.columns)
    ends: list[tuple[str, float, float]] = []
    for department, values in table.iterrows():
        strong = department in highlight
        faded = bool(highlight) and not strong
        axes.plot(weeks, values.to_numpy(dtype=float), linewidth=3.2 if strong else 1.4,
                  markersize=7 if strong else 5, alpha=0.7 if faded else 1.0, zorder=3 if strong else 2,
                  markeredgecolor="black", markeredgewidth=0.5, **styles[department])
        present = values.dropna()
        if len(present):
            ends.append((department, float(present.index[-1]), float(present.iloc[-1])))
    if target is not None:
        axes.axhline(target, color=GRID_COLOUR, linestyle=(0, (6, 3)), linewidth=1.2, zorder=1)
        axes.annotate(f"target {_format(measure, target)}", (weeks[0], target), xytext=(2, 3),
                      textcoords="offset points", fontsize=8, color=TEXT_COLOUR)
    if _is_ratio(measure):
        axes.set_ylim(0, 1.02)
        axes.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    low, high = axes.get_ylim()
    # Names at the line ends, outside the plot on the right, nudged apart where lines end close together.
    heights = _spread([y for _, _, y in ends], LABEL_GAP * (high - low))
    for (department, x, y), label_y in zip(ends, heights, strict=True):
        strong = department in highlight
        axes.annotate(department, (x, y), xytext=(weeks[-1] + 0.35, label_y), textcoords="data",
                      va="center", fontsize=9 if strong else 8, weight="bold" if strong else "normal",
                      color=TEXT_COLOUR, annotation_clip=False,
                      arrowprops={"arrowstyle": "-", "color": GRID_COLOUR, "linewidth": 0.6})
    axes.set_xticks(weeks)
    axes.set_xlim(weeks[0] - 0.3, weeks[-1] + 0.3)
    axes.set_xlabel("Week after go-live")
    axes.set_ylabel(_sentence_case(_label(measure)))
    title = f"{_sentence_case(_label(measure))} by department and week"
    axes.set_title(title + (" (thick: " + ", ".join(highlight) + ")" if highlight else ""), color=TEXT_COLOUR,
                   fontsize=10)
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.5, alpha=0.5)
    return figure


def describe_adoption_lines(adoption, measure: str = "cpoe_share", highlight=(), *,
                            target: float | None = None) -> str:
    """Alt text: each department's first and last value and the change, the highlighted ones first."""
    table = adoption_table(adoption, measure)
    highlight = _highlighted(table, highlight)
    first, last = table.columns[0], table.columns[-1]
    order = highlight + [d for d in table.index if d not in highlight]
    parts = []
    for department in order:
        start, end = table.loc[department, first], table.loc[department, last]
        change = ""
        if not (math.isnan(start) or math.isnan(end)):
            difference = end - start
            change = f" ({100 * difference:+.1f} points)" if _is_ratio(measure) else f" ({difference:+,.0f})"
        parts.append(f"{department}: {_format(measure, start)} in week {first}, "
                     f"{_format(measure, end)} in week {last}{change}")
    text = (f"Line chart of {_label(measure)} by week, weeks {first} to {last}, "
            f"{len(table)} department{'s' if len(table) != 1 else ''}. " + "; ".join(parts) + ".")
    if highlight:
        text += f" Drawn thick: {', '.join(highlight)}."
    if target is not None:
        text += f" Dashed line: target {_format(measure, target)}."
    return text


def draw_ticket_bars(tickets, department: str | None = None):
    """Help-desk tickets as one stacked bar a week, one hatched and coloured block a category."""
    trends = ticket_trends(tickets, department=department)
    styles = category_styles(trends.columns)
    figure, axes = new_figure(7.4, 4.8)
    figure.subplots_adjust(left=0.1, right=0.74, bottom=0.12, top=0.91)
    weeks = list(trends.index)
    bottom = [0] * len(weeks)
    for category in trends.columns:
        counts = trends[category].tolist()
        axes.bar(weeks, counts, bottom=bottom, label=category, edgecolor="black", linewidth=0.6,
                 **styles[category])
        bottom = [b + c for b, c in zip(bottom, counts, strict=True)]
    # The week's total above its bar: the number people look for first.
    for week, total in zip(weeks, bottom, strict=True):
        axes.annotate(f"{total:,}", (week, total), xytext=(0, 3), textcoords="offset points", ha="center",
                      fontsize=8, color=TEXT_COLOUR)
    axes.set_ylim(0, max(max(bottom), 1) * 1.12)
    axes.set_xticks(weeks)
    axes.set_xlabel("Week after go-live")
    axes.set_ylabel("Help-desk tickets")
    axes.set_title(f"Help-desk tickets by category, {department or ALL_DEPARTMENTS}", color=TEXT_COLOUR,
                   fontsize=10)
    # Reversed so the legend reads top to bottom in the order the blocks are stacked.
    handles, labels = axes.get_legend_handles_labels()
    axes.legend(handles[::-1], labels[::-1], title="Category", loc="upper left", bbox_to_anchor=(1.01, 1.0),
                fontsize=8, title_fontsize=8, frameon=False, handleheight=1.6, handlelength=2.2)
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.5, alpha=0.5)
    return figure


def describe_ticket_bars(tickets, department: str | None = None) -> str:
    """Alt text: the weekly totals, each category's first and last week, and the largest category."""
    trends = ticket_trends(tickets, department=department)
    first, last = trends.index[0], trends.index[-1]
    totals = trends.sum(axis=1)
    weekly = ", ".join(f"week {week} {total:,}" for week, total in totals.items())
    categories = "; ".join(f"{category} {trends.loc[first, category]:,} to {trends.loc[last, category]:,}"
                           for category in trends.columns)
    overall = trends.sum()
    largest = overall.idxmax()
    return (f"Stacked bar chart of help-desk tickets by week and category, {department or ALL_DEPARTMENTS}, "
            f"weeks {first} to {last}. Total tickets: {weekly}. By category, week {first} to week {last}: "
            f"{categories}. Most tickets over all weeks: {largest} ({overall[largest]:,}).")

