"""The probability-impact heat map: 5 x 5 cells shaded and lettered by rating band, each open risk's id
written in its cell. Closed risks and risks not rated yet have no cell: the title and the alt text
say how many are left out."""

from __future__ import annotations

from ..risk import BANDS, HIGH, LOW, MEDIUM, OPPORTUNITY, RiskRegister, band_of
from .style import OKABE_ITO, TEXT_COLOUR, StaticBackground, new_figure

BAND_STYLE = {
    # band: (colour, letter written in every cell of the band)
    LOW: (OKABE_ITO["bluish green"], "L"),
    MEDIUM: (OKABE_ITO["yellow"], "M"),
    HIGH: (OKABE_ITO["vermillion"], "H"),
}
assert set(BAND_STYLE) == set(BANDS)
# Light enough for black text on every band colour.
SHADE_ALPHA = 0.5
#: Written before an opportunity's id, so that threats and opportunities differ without colour.
OPPORTUNITY_MARK = "+"


def _empty_heat_map(register: RiskRegister):
    """The grid shaded and lettered by band, axes and legend: everything but the risks."""
    from matplotlib.patches import Patch, Rectangle

    figure, axes = new_figure(6.4, 5.6)
    cutoffs = register.cutoffs
    for row, probability in enumerate(register.probability_levels):
        for column, impact in enumerate(register.impact_levels):
            score = register.cell_score(probability, impact)
            colour, letter = BAND_STYLE[band_of(score, cutoffs)]
            axes.add_patch(Rectangle((column, row), 1, 1, facecolor=colour, alpha=SHADE_ALPHA,
                                     edgecolor="white", linewidth=2))
            axes.text(column + 0.06, row + 0.94, f"{letter} {score:g}", ha="left", va="top", fontsize=7,
                      color=TEXT_COLOUR, weight="bold")
    axes.set_xlim(0, len(register.impact_levels))
    axes.set_ylim(0, len(register.probability_levels))
    axes.set_xticks([column + 0.5 for column in range(len(register.impact_levels))],
                    [register.impact_label(value) for value in register.impact_levels])
    axes.set_yticks([row + 0.5 for row in range(len(register.probability_levels))],
                    [register.probability_label(value) for value in register.probability_levels])
    axes.tick_params(length=0)
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.set_xlabel("Impact")
    axes.set_ylabel("Probability")
    axes.set_aspect("equal")
    handles = [Patch(facecolor=BAND_STYLE[band][0], alpha=SHADE_ALPHA, edgecolor=TEXT_COLOUR,
                     label=f"{BAND_STYLE[band][1]} {band}: {text}")
               for band, text in band_ranges(register).items()]
    handles.append(Patch(facecolor="none", edgecolor="none", label=f"{OPPORTUNITY_MARK}R = opportunity"))
    axes.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=8,
                frameon=False)
    return figure, axes


def _title(register: RiskRegister) -> str:
    closed, unrated = left_out(register)
    title = f"Risk heat map ({register.scale} scale)"
    notes = []
    if closed:
        notes.append(f"{len(closed)} closed risk{'s' if len(closed) > 1 else ''}")
    if unrated:
        notes.append(f"{len(unrated)} not rated yet")
    if notes:
        title += f"; not shown: {', '.join(notes)}"
    return title


def _add_risks(axes, register: RiskRegister, highlight: str | None) -> list:
    """Each open risk's id in its cell, and a frame round the highlighted one; returns the artists."""
    from matplotlib.patches import Rectangle

    artists = []
    for row, probability in enumerate(register.probability_levels):
        for column, impact in enumerate(register.impact_levels):
            ids = register.in_cell(probability, impact)
            if highlight in ids:
                frame = Rectangle((column + 0.03, row + 0.03), 0.94, 0.94, facecolor="none",
                                  edgecolor="black", linewidth=2.2, zorder=3)
                axes.add_patch(frame)
                artists.append(frame)
            if ids:
                labels = [_label(register, id, highlight) for id in ids]
                text, size = _cell_text(labels)
                artists.append(axes.text(column + 0.5, row + 0.42, text, ha="center", va="center", fontsize=size,
                                         color=TEXT_COLOUR, linespacing=1.15, zorder=4))
    return artists


def draw_heat_map(register: RiskRegister, highlight: str | None = None):
    """A matplotlib Figure of the register's open risks; `highlight` frames one risk (the one being
    edited) and brackets its id."""
    figure, axes = _empty_heat_map(register)
    _add_risks(axes, register, highlight)
    axes.set_title(_title(register), color=TEXT_COLOUR)
    return figure


class HeatMapRenderer:
    """PNG pictures of a register for a widget that redraws on every change: the grid is drawn once."""

    def __init__(self, register: RiskRegister) -> None:
        figure, self.axes = _empty_heat_map(register)
        # Room inside the picture for the legend below the grid (no tight crop when blitting).
        figure.subplots_adjust(left=0.16, right=0.97, bottom=0.24, top=0.92)
        self.static = StaticBackground(figure)

    def png(self, register: RiskRegister, highlight: str | None = None) -> bytes:
        def changing():
            title = self.axes.text(0.5, 1.02, _title(register), transform=self.axes.transAxes, ha="center",
                                   va="bottom", fontsize=12, color=TEXT_COLOUR)
            return [*_add_risks(self.axes, register, highlight), title]

        return self.static.png(changing)


def _label(register: RiskRegister, risk_id: str, highlight: str | None) -> str:
    label = (OPPORTUNITY_MARK if register.risk(risk_id).kind == OPPORTUNITY else "") + risk_id
    return f"[{label}]" if risk_id == highlight else label


def _cell_text(labels: list[str]) -> tuple[str, int]:
    """The ids of one cell on up to 3 lines; past that, how many more there are."""
    longest = max(len(label) for label in labels)
    per_line = 3 if longest <= 4 else 2 if longest <= 7 else 1
    room = per_line * 3
    if len(labels) > room:
        labels = [*labels[:room - 1], f"+{len(labels) - room + 1} more"]
    lines = [" ".join(labels[start:start + per_line]) for start in range(0, len(labels), per_line)]
    return "\n".join(lines), 8 if len(lines) < 3 else 7


def left_out(register: RiskRegister) -> tuple[list[str], list[str]]:
    """The rated risks that are closed, and the risks not rated yet: the ids the heat map leaves out."""
    shown = {id for band in BANDS for id in register.in_band(band)}
    unrated = register.unrated
    closed = [id for id in register.ids if id not in shown and id not in unrated]
    return closed, unrated


def band_ranges(register: RiskRegister) -> dict[str, str]:
    """Each band's scores in words, from the register's cut-offs."""
    medium, high = register.cutoffs[MEDIUM], register.cutoffs[HIGH]
    return {LOW: f"score < {medium:g}", MEDIUM: f"{medium:g} ≤ score < {high:g}", HIGH: f"score ≥ {high:g}"}


def describe_heat_map(register: RiskRegister) -> str:
    """Alt text: each band's open risks, with where they sit on the matrix."""
    parts = []
    for band, scores in reversed(band_ranges(register).items()):
        entries = []
        for id in register.in_band(band):
            risk = register.risk(id)
            kind = ", opportunity" if risk.kind == OPPORTUNITY else ""
            entries.append(f"{id} (probability {register.probability_label(risk.probability)}, impact "
                           f"{register.impact_label(risk.impact)}, score {register.score(id):g}{kind})")
        parts.append(f"{band} ({scores}): {', '.join(entries) if entries else 'none'}")
    text = f"Risk heat map, {register.scale} scale, open risks by band. " + "; ".join(parts) + "."
    closed, unrated = left_out(register)
    if closed:
        text += f" Closed, not shown: {', '.join(closed)}."
    if unrated:
        text += f" Not rated yet, not shown: {', '.join(unrated)}."
    return text
