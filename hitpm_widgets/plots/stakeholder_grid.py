"""The power/interest grid with its four labelled quadrants and each placed stakeholder named."""

from __future__ import annotations

from ..stakeholders import HIGH_FROM, QUADRANTS, SCALE_MAX, SCALE_MIN, StakeholderMap
from .style import GRID_COLOUR, MARKERS, OKABE_ITO, TEXT_COLOUR, StaticBackground, new_figure

QUADRANT_STYLE = {
    # quadrant: (marker, colour, label position in data coordinates)
    "manage closely": (MARKERS[0], OKABE_ITO["vermillion"], (7.5, 11.1)),
    "keep satisfied": (MARKERS[1], OKABE_ITO["blue"], (2.5, 11.1)),
    "keep informed": (MARKERS[2], OKABE_ITO["bluish green"], (7.5, -1.1)),
    "monitor": (MARKERS[3], OKABE_ITO["reddish purple"], (2.5, -1.1)),
}
assert set(QUADRANT_STYLE) == set(QUADRANTS)


def _empty_grid():
    figure, axes = new_figure()
    low, high = SCALE_MIN - 0.5, SCALE_MAX + 0.5
    axes.set_xlim(low, high)
    axes.set_ylim(low - 1.1, high + 1.1)
    axes.axvline(HIGH_FROM - 0.5, color=GRID_COLOUR, linewidth=1)
    axes.axhline(HIGH_FROM - 0.5, color=GRID_COLOUR, linewidth=1)
    axes.set_xlabel("Interest (0-10)")
    axes.set_ylabel("Power (0-10)")
    axes.set_xticks(range(SCALE_MIN, SCALE_MAX + 1))
    axes.set_yticks(range(SCALE_MIN, SCALE_MAX + 1))
    axes.set_title("Power/interest grid", color=TEXT_COLOUR)
    # Labels in dark text (readable at any contrast need); the quadrant's marker shape stands beside it.
    for quadrant, (marker, colour, (x, y)) in QUADRANT_STYLE.items():
        axes.text(x, y, quadrant.upper(), ha="center", va="center", fontsize=9, color=TEXT_COLOUR, weight="bold")
        axes.scatter([x - 0.1 * len(quadrant) - 0.3], [y], marker=marker, s=40, color=colour, edgecolor="black",
                     linewidth=0.6)
    return figure, axes


def _add_stakeholders(axes, stakeholder_map: StakeholderMap, highlight: str | None) -> list:
    artists = []
    placed = stakeholder_map.to_frame().dropna(subset=["power", "interest"])
    # One scatter per quadrant, not per stakeholder: each artist costs time on every redraw.
    for quadrant, group in placed.groupby("quadrant"):
        marker, colour, _ = QUADRANT_STYLE[quadrant]
        artists.append(axes.scatter(group["interest"], group["power"], marker=marker, s=70, color=colour,
                                    edgecolor="black", linewidth=0.6, zorder=3))
    # Stakeholders on the same spot are fanned out a little so each name stays readable.
    seen: dict[tuple[float, float], int] = {}
    for name, row in placed.iterrows():
        spot = (row["interest"], row["power"])
        offset = seen.get(spot, 0)
        seen[spot] = offset + 1
        # Names near the right edge go to the left of their point, so they are not cut off.
        left = spot[0] >= SCALE_MAX - 2
        artists.append(axes.annotate(name, spot, xytext=(-6 if left else 6, 4 - 11 * offset),
                                     textcoords="offset points", ha="right" if left else "left",
                                     fontsize=8, color=TEXT_COLOUR))
    if highlight in placed.index:
        row = placed.loc[highlight]
        artists.append(axes.scatter(row["interest"], row["power"], marker="o", s=260, facecolor="none",
                                    edgecolor="black", linewidth=1.6, zorder=4))
    return artists


def draw_power_interest_grid(stakeholder_map: StakeholderMap, highlight: str | None = None):
    """A matplotlib Figure of the map; `highlight` rings one stakeholder (the one being edited)."""
    figure, axes = _empty_grid()
    _add_stakeholders(axes, stakeholder_map, highlight)
    return figure


class PowerInterestGridRenderer:
    """PNG pictures of a map for a widget that redraws on every change: the empty grid is drawn once."""

    def __init__(self) -> None:
        figure, self.axes = _empty_grid()
        self.static = StaticBackground(figure)

    def png(self, stakeholder_map: StakeholderMap, highlight: str | None = None) -> bytes:
        return self.static.png(lambda: _add_stakeholders(self.axes, stakeholder_map, highlight))


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
