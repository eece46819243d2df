"""The Thomas–Kilmann picture: the five conflict modes on assertiveness × cooperativeness."""

from __future__ import annotations

from ..leadership import CONFLICT_MODES, conflict_mode
from .style import GRID_COLOUR, MARKERS, OKABE_ITO, TEXT_COLOUR, StaticBackground, new_figure

#: Where "low", "middle" and "high" sit on each axis (0 to 1).
LEVEL_POSITION = {"low": 0.2, "middle": 0.5, "high": 0.8}

MODE_STYLE = {
    # mode: (marker, colour)
    "competing": (MARKERS[0], OKABE_ITO["vermillion"]),
    "collaborating": (MARKERS[1], OKABE_ITO["bluish green"]),
    "compromising": (MARKERS[2], OKABE_ITO["orange"]),
    "avoiding": (MARKERS[3], OKABE_ITO["reddish purple"]),
    "accommodating": (MARKERS[4], OKABE_ITO["blue"]),
}
assert set(MODE_STYLE) == set(CONFLICT_MODES)


def mode_position(mode: str) -> tuple[float, float]:
    """(cooperativeness, assertiveness) of a mode on the picture's 0-1 axes."""
    spec = CONFLICT_MODES[mode]
    return LEVEL_POSITION[spec.cooperativeness], LEVEL_POSITION[spec.assertiveness]


def _empty_modes_figure():
    figure, axes = new_figure(4.6, 4.0)
    figure.subplots_adjust(left=0.14, right=0.96, bottom=0.13, top=0.9)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1)
    axes.set_xticks([0.2, 0.5, 0.8], ["low", "middle", "high"])
    axes.set_yticks([0.2, 0.5, 0.8], ["low", "middle", "high"])
    axes.set_xlabel("Cooperativeness (the other side's concerns)")
    axes.set_ylabel("Assertiveness (your own concerns)")
    axes.set_title("Thomas–Kilmann conflict modes", color=TEXT_COLOUR)
    axes.grid(color=GRID_COLOUR, linewidth=0.5, alpha=0.5)
    # Every mode has its own marker and a name beside it: colour is never the only cue.
    for mode, (marker, colour) in MODE_STYLE.items():
        x, y = mode_position(mode)
        axes.scatter([x], [y], marker=marker, s=90, color=colour, edgecolor="black", linewidth=0.6, zorder=3)
        axes.annotate(mode, (x, y), xytext=(0, -16), textcoords="offset points", ha="center",
                      fontsize=9, color=TEXT_COLOUR)
    return figure, axes


def _mark_chosen(axes, chosen: str | None) -> list:
    if chosen is None:
        return []
    x, y = mode_position(chosen)
    ring = axes.scatter([x], [y], marker="o", s=420, facecolor="none", edgecolor="black", linewidth=2,
                        zorder=4)
    label = axes.annotate(f"chosen: {chosen}", (x, y), xytext=(0, 14), textcoords="offset points",
                          ha="center", fontsize=9, weight="bold", color=TEXT_COLOUR)
    return [ring, label]


def draw_conflict_modes(chosen: str | None = None):
    """A matplotlib Figure of the five modes; `chosen` (a mode name) is ringed and labelled."""
    chosen = None if chosen is None else conflict_mode(chosen)
    figure, axes = _empty_modes_figure()
    _mark_chosen(axes, chosen)
    return figure


class ConflictModesRenderer:
    """PNG pictures for a widget that redraws on every change: the five modes are drawn once."""

    def __init__(self) -> None:
        figure, self.axes = _empty_modes_figure()
        self.static = StaticBackground(figure)

    def png(self, chosen: str | None = None) -> bytes:
        chosen = None if chosen is None else conflict_mode(chosen)
        return self.static.png(lambda: _mark_chosen(self.axes, chosen))


def describe_conflict_modes(chosen: str | None = None) -> str:
    """Alt text: the five modes with their assertiveness and cooperativeness, and the chosen one."""
    parts = [f"{mode.name} (assertiveness {mode.assertiveness}, cooperativeness {mode.cooperativeness})"
             for mode in CONFLICT_MODES.values()]
    text = "Thomas–Kilmann conflict modes: " + "; ".join(parts) + "."
    if chosen is None:
        return text + " No mode chosen yet."
    return text + f" Chosen: {conflict_mode(chosen)}."
