"""The power/interest grid with its four labelled quadrants and each placed stakeholder named."""

from __future__ import annotations

from ..stakeholders import HIGH_FROM, QUADRANTS, SCALE_MAX, SCALE_MIN, StakeholderMap
from .style import GRID_COLOUR, MARKERS, OKABE_ITO, TEXT_COLOUR, new_figure

QUADRANT_STYLE = {
    # quadrant: (marker, colour, label position in data coordinates)
    "manage closely": (MARKERS[0], OKABE_ITO["vermillion"], (7.5, 10.3)),
    "keep satisfied": (MARKERS[1], OKABE_ITO["blue"], (2.5, 10.3)),
    "keep informed": (MARKERS[2], OKABE_ITO["bluish green"], (7.5, -0.9)),
    "monitor": (MARKERS[3], OKABE_ITO["reddish purple"], (2.5, -0.9)),
}
assert set(QUADRANT_STYLE) == set(QUADRANTS)


def draw_power_interest_grid(stakeholder_map: StakeholderMap, highlight: str | None = None):
    """A matplotlib Figure of the map; `highlight` rings one stakeholder (the one being edited)."""
    figure, axes = new_figure()
    low, high = SCALE_MIN - 0.5, SCALE_MAX + 0.5
    axes.set_xlim(low, high)
    axes.set_ylim(low - 1, high + 1)
    axes.axvline(HIGH_FROM - 0.5, color=GRID_COLOUR, linewidth=1)
    axes.axhline(HIGH_FROM - 0.5, color=GRID_COLOUR, linewidth=1)
    axes.set_xlabel("Interest (0-10)")
    axes.set_ylabel("Power (0-10)")
    axes.set_xticks(range(SCALE_MIN, SCALE_MAX + 1))
    axes.set_yticks(range(SCALE_MIN, SCALE_MAX + 1))
    axes.set_title("Power/interest grid", color=TEXT_COLOUR)
    for quadrant, (marker, colour, (x, y)) in QUADRANT_STYLE.items():
        axes.text(x, y, quadrant.upper(), ha="center", va="center", fontsize=9, color=colour, weight="bold")
    frame = stakeholder_map.to_frame()
    placed = frame.dropna(subset=["power", "interest"])
    # Stakeholders on the same spot are fanned out a little so each name stays readable.
    seen: dict[tuple[float, float], int] = {}
    for name, row in placed.iterrows():
        marker, colour, _ = QUADRANT_STYLE[row["quadrant"]]
        spot = (row["interest"], row["power"])
        offset = seen.get(spot, 0)
        seen[spot] = offset + 1
        axes.scatter(row["interest"], row["power"], marker=marker, s=70, color=colour,
                     edgecolor="black", linewidth=0.6, zorder=3)
        if name == highlight:
            axes.scatter(row["interest"], row["power"], marker="o", s=260, facecolor="none",
                         edgecolor="black", linewidth=1.6, zorder=4)
        axes.annotate(name, (row["interest"], row["power"]), xytext=(6, 4 - 11 * offset),
                      textcoords="offset points", fontsize=8, color=TEXT_COLOUR)
    return figure


def describe_power_interest_grid(stakeholder_map: StakeholderMap) -> str:
    """Alt text: the grid in words."""
    parts = []
    for quadrant in QUADRANTS:
        names = stakeholder_map.in_quadrant(quadrant)
        parts.append(f"{quadrant}: {', '.join(names) if names else 'nobody'}")
    unplaced = stakeholder_map.unplaced
    text = "Power/interest grid. " + "; ".join(parts) + "."
    if unplaced:
        text += f" Not placed yet: {', '.join(unplaced)}."
    return text
