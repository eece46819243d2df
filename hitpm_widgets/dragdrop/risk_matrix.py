"""The probability-impact matrix to drag risks onto: impact across, probability up, one cell a level pair.

A risk dropped in a cell takes that cell's probability and impact (the scale's levels), so every
move snaps to the matrix. Open risks are shown, as on the heat map: a closed risk can no longer
happen. A risk not yet rated (no probability or impact) waits in the tray.
"""

from __future__ import annotations

from ..plots.risk import BAND_STYLE, OPPORTUNITY_MARK, SHADE_ALPHA, band_ranges
from ..risk import OPEN, OPPORTUNITY, RiskRegister, band_of
from . import colours
from .grid import MarkerDragView, marker_look, page_colours

RISK_LOOK = marker_look(colours.PAGE)


class RiskMatrixDragView(MarkerDragView):
    """Each open risk a marker: drag it to the cell of its probability and impact, or Tab to it and
    use the arrow keys (up and down: probability; left and right: impact)."""

    model: RiskRegister

    def _config(self) -> dict:
        register = self.model
        cutoffs = register.cutoffs
        cells = []
        for probability in register.probability_levels:
            row = []
            for impact in register.impact_levels:
                score = register.cell_score(probability, impact)
                colour, letter = BAND_STYLE[band_of(score, cutoffs)]
                row.append({"background": colours.tint(colour, SHADE_ALPHA), "text": colours.TEXT,
                            "label": f"{letter} {score:g}"})
            cells.append(row)
        middle = len(register.impact_levels) // 2, len(register.probability_levels) // 2
        return {
            "title": f"Probability-impact matrix ({register.scale} scale): drag each risk to its cell",
            "help": ("Drag a risk to the cell of its probability and impact, or Tab to it and use the arrow "
                     "keys: up and down set probability, left and right set impact. Each cell is marked "
                     "with its band (L low, M medium, H high) and its score; "
                     f"{OPPORTUNITY_MARK} before an id marks an opportunity."),
            "x_name": "impact",
            "y_name": "probability",
            "x_title": "Impact →",
            "y_title": "↑ Probability",
            "columns": [{"value": value, "label": register.impact_label(value)}
                        for value in register.impact_levels],
            "rows": [{"value": value, "label": register.probability_label(value)}
                     for value in register.probability_levels],
            "cells": cells,
            "dividers": {"columns": [], "rows": []},
            "captions_above": [],
            "captions_below": [self._caption(band, text) for band, text in band_ranges(register).items()],
            "tray_title": "Not rated yet",
            "tray_empty": "Every open risk is rated.",
            "key": [],
            "entry": list(middle),
            "cell_size": 64,
            "colours": page_colours(),
        }

    @staticmethod
    def _caption(band: str, text: str) -> dict:
        colour, letter = BAND_STYLE[band]
        return {"text": f"{band}: {text}", "look": marker_look(colours.tint(colour, SHADE_ALPHA), letter)}

    def _markers(self) -> list[dict]:
        register = self.model
        markers = []
        for risk_id in register.ids:
            risk = register.risk(risk_id)
            if risk.status != OPEN:
                continue
            opportunity = risk.kind == OPPORTUNITY
            short = (OPPORTUNITY_MARK if opportunity else "") + risk_id
            kind = ", opportunity" if opportunity else ""
            # getattr: a register may hold risks not rated yet; those wait in the tray.
            probability, impact = getattr(risk, "probability", None), getattr(risk, "impact", None)
            if probability is None or impact is None:
                label = f"{risk_id}: not rated yet{kind}"
                probability = impact = None
            else:
                label = (f"{risk_id}: probability {register.probability_label(probability)}, impact "
                         f"{register.impact_label(impact)}, score {register.score(risk_id):g}, "
                         f"{register.band(risk_id)}{kind}")
            markers.append({"name": risk_id, "x": impact, "y": probability, "short": short, "label": label,
                            **RISK_LOOK})
        return markers

    def _move(self, name: str, x, y) -> None:
        self.model.update(name, probability=y, impact=x)
