"""Competency pictures: a radar of your ratings against a role's profile, and the gaps as bars.

On the radar the two profiles differ in line style and marker shape as well as colour; on the bar
chart every bar carries its gap as a number, and bars above the target are hatched.
"""

from __future__ import annotations

import math
import textwrap

from ..careers import COMPETENCIES, LEVEL_MAX, LEVEL_MIN, LEVELS, ROLES, CompetencySelfAssessment, level_text
from .style import GRID_COLOUR, OKABE_ITO, TEXT_COLOUR, StaticBackground, new_figure

RATING_STYLE = {"color": OKABE_ITO["blue"], "linestyle": "-", "marker": "o", "linewidth": 2, "markersize": 6}
TARGET_STYLE = {"color": OKABE_ITO["vermillion"], "linestyle": "--", "marker": "s", "linewidth": 1.6,
                "markersize": 5}
BELOW_TARGET_COLOUR = OKABE_ITO["vermillion"]
AT_OR_ABOVE_COLOUR = OKABE_ITO["sky blue"]
ABOVE_HATCH = "///"
#: How many of the largest gaps the alt text names.
GAPS_IN_WORDS = 3
#: One spoke a competency, clockwise from the top; the first repeats at the end to close the loop.
ANGLES = [2 * math.pi * i / len(COMPETENCIES) for i in range(len(COMPETENCIES))] + [0.0]


def _polar_figure(size: float = 7.4):
    """A figure not registered with pyplot (as plots.style.new_figure) with one polar axes."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(size, size), dpi=100)
    figure.subplots_adjust(left=0.17, right=0.83, bottom=0.14, top=0.84)
    return figure, figure.add_subplot(projection="polar")


def _role_name(model: CompetencySelfAssessment) -> str | None:
    return ROLES[model.target_role].name if model.target_role else None


def _radar_background(role_id: str | None):
    """The radar's unchanging parts for one target role: spokes, levels, the target profile, the legend."""
    from matplotlib.lines import Line2D

    figure, axes = _polar_figure()
    count = len(COMPETENCIES)
    axes.set_theta_offset(math.pi / 2)
    axes.set_theta_direction(-1)
    axes.set_ylim(0, LEVEL_MAX)
    axes.set_yticks(range(LEVEL_MIN, LEVEL_MAX + 1))
    axes.set_yticklabels([str(level) for level in LEVELS], fontsize=7, color=GRID_COLOUR)
    axes.set_rlabel_position(360 / count / 2)
    axes.set_xticks(ANGLES[:-1])
    axes.set_xticklabels([textwrap.fill(c.name, 16) for c in COMPETENCIES.values()], fontsize=7.5,
                         color=TEXT_COLOUR)
    axes.tick_params(axis="x", pad=12)
    axes.grid(color=GRID_COLOUR, linewidth=0.5, alpha=0.6)

    handles = []
    if role_id is not None:
        levels = list(ROLES[role_id].targets.values())
        axes.plot(ANGLES, levels + levels[:1], zorder=2, **TARGET_STYLE)
        handles.append(Line2D([], [], label=f"target: {ROLES[role_id].name}", **TARGET_STYLE))
    handles.append(Line2D([], [], label="your rating", **RATING_STYLE))
    title = (f"Your ratings against {ROLES[role_id].name}" if role_id is not None
             else "Your ratings (no target role chosen)")
    figure.suptitle(title, color=TEXT_COLOUR, fontsize=11, y=0.985)
    figure.legend(handles=handles, loc="lower center", ncols=2, frameon=False, fontsize=9,
                  bbox_to_anchor=(0.5, 0.01))
    return figure, axes


def _add_ratings(figure, axes, model: CompetencySelfAssessment) -> list:
    """The parts that change with every rating: your line and the count of competencies rated."""
    values = [math.nan if (rating := model.rating(c)) is None else rating for c in COMPETENCIES]
    (line,) = axes.plot(ANGLES, values + values[:1], zorder=3, **RATING_STYLE)
    count = len(COMPETENCIES)
    rated = count - len(model.unrated())
    scale = ", ".join(f"{level} {meaning}" for level, meaning in LEVELS.items())
    text = figure.text(0.5, 0.935, f"{rated} of {count} competencies rated; levels: {scale}",
                       ha="center", fontsize=8, color=TEXT_COLOUR)
    return [line, text]


def draw_competency_radar(model: CompetencySelfAssessment):
    """A matplotlib Figure: one spoke a competency, your ratings and (if chosen) the target role's levels.

    A competency not rated yet leaves a break in your line, so it is not mistaken for level 0.
    """
    figure, axes = _radar_background(model.target_role)
    _add_ratings(figure, axes, model)
    return figure


class CompetencyRadarRenderer:
    """PNG radars for a widget that redraws on every rating: each role's background is drawn once."""

    def __init__(self) -> None:
        self._backgrounds: dict[str | None, tuple] = {}

    def png(self, model: CompetencySelfAssessment) -> bytes:
        role_id = model.target_role
        if role_id not in self._backgrounds:
            figure, axes = _radar_background(role_id)
            self._backgrounds[role_id] = (StaticBackground(figure), figure, axes)
        static, figure, axes = self._backgrounds[role_id]
        return static.png(lambda: _add_ratings(figure, axes, model))


def draw_gap_bars(model: CompetencySelfAssessment):
    """A matplotlib Figure: one horizontal bar a rated competency, its gap (target - rating), largest on top.

    Needs a target role (ValueError otherwise).
    """
    from matplotlib.patches import Patch

    gaps = model.gaps()
    height = max(2.6, 0.3 * len(gaps) + 1.5)
    figure, axes = new_figure(7.4, height)
    figure.subplots_adjust(left=0.36, right=0.95, bottom=0.85 / height, top=1 - 0.5 / height)
    names = [COMPETENCIES[c].name for c in gaps.index]
    positions = list(range(len(gaps)))[::-1]
    colours = [BELOW_TARGET_COLOUR if gap > 0 else AT_OR_ABOVE_COLOUR for gap in gaps]
    hatches = ["" if gap > 0 else ABOVE_HATCH for gap in gaps]
    bars = axes.barh(positions, list(gaps), color=colours, edgecolor="black", linewidth=0.6)
    for bar, hatch in zip(bars, hatches, strict=True):
        bar.set_hatch(hatch)
    # The number beside each bar says the gap without colour or hatch; a zero gap has no bar at all.
    for position, gap in zip(positions, gaps, strict=True):
        axes.text(gap + (0.08 if gap >= 0 else -0.08), position, f"{gap:+d}" if gap else "0 (on target)",
                  va="center", ha="left" if gap >= 0 else "right", fontsize=8, color=TEXT_COLOUR)
    axes.set_yticks(positions)
    axes.set_yticklabels(names, fontsize=8)
    low = min([0, *gaps]) - 0.8
    high = max([0, *gaps]) + 1.2
    axes.set_xlim(low, high)
    axes.set_xticks(range(math.ceil(low), math.floor(high) + 1))
    axes.axvline(0, color=TEXT_COLOUR, linewidth=1)
    axes.set_xlabel("gap in levels: target minus your rating", fontsize=9)
    axes.set_title(f"Gaps against {_role_name(model)}, largest first", color=TEXT_COLOUR, fontsize=11)
    if not len(gaps):
        axes.text(0.5, 0.5, "Nothing rated yet", transform=axes.transAxes, ha="center", va="center",
                  color=TEXT_COLOUR)
    figure.legend(handles=[Patch(facecolor=BELOW_TARGET_COLOUR, edgecolor="black", label="below target"),
                           Patch(facecolor=AT_OR_ABOVE_COLOUR, edgecolor="black", hatch=ABOVE_HATCH,
                                 label="at or above target")],
                  loc="lower center", ncols=2, frameon=False, fontsize=8, bbox_to_anchor=(0.5, 0.0))
    return figure


def _largest_gaps_text(model: CompetencySelfAssessment, n: int) -> str:
    gaps = model.gaps()
    above_zero = gaps[gaps > 0].head(n)
    if not len(gaps):
        return "Nothing is rated yet, so there are no gaps."
    if not len(above_zero):
        return "No rated competency is below the role's target."
    targets = model.targets()
    parts = [f"{COMPETENCIES[c].name} (you {level_text(model.rating(c))}, target "
             f"{level_text(targets[c])}, gap {gap})" for c, gap in above_zero.items()]
    return "Largest gaps: " + "; ".join(parts) + "."


def describe_competency_radar(model: CompetencySelfAssessment, n: int = GAPS_IN_WORDS) -> str:
    """Alt text for the radar: what is drawn, how much is rated, and the largest gaps."""
    count = len(COMPETENCIES)
    rated = count - len(model.unrated())
    role_name = _role_name(model)
    text = (f"Radar chart of {count} competencies on a scale of 1 to 5: your ratings as a solid line "
            "with circles")
    if role_name is None:
        return text + f". No target role is chosen. {rated} of {count} competencies rated."
    text += (f", the target profile of {role_name} as a dashed line with squares. "
             f"{rated} of {count} competencies rated. ")
    return text + _largest_gaps_text(model, n)


def describe_gap_bars(model: CompetencySelfAssessment, n: int = GAPS_IN_WORDS) -> str:
    """Alt text for the gap bars."""
    gaps = model.gaps()
    above = int((gaps < 0).sum())
    on_target = int((gaps == 0).sum())
    below = int((gaps > 0).sum())
    return (f"Horizontal bar chart of the gaps between your ratings and {_role_name(model)}'s targets, "
            f"largest first: {below} competencies below target, {on_target} on target, {above} above. "
            + _largest_gaps_text(model, n))
