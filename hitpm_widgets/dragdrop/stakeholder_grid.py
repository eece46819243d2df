"""The power/interest grid to drag stakeholders onto: interest across, power up, 0 to 10 each."""

from __future__ import annotations

from ..plots.stakeholder_grid import QUADRANT_STYLE
from ..stakeholders import HIGH_FROM, SCALE_MAX, SCALE_MIN, StakeholderMap, quadrant_of
from . import colours
from .grid import MarkerDragView, marker_look, page_colours, short_names

#: The marker shapes of the matplotlib grid, as characters: the quadrant is told by shape too.
SHAPES = {"o": "●", "s": "■", "^": "▲", "D": "◆"}
LEVELS = list(range(SCALE_MIN, SCALE_MAX + 1))
UNPLACED_LOOK = marker_look(colours.PAGE)


def quadrant_look(quadrant: str) -> dict[str, str]:
    marker, colour, _ = QUADRANT_STYLE[quadrant]
    return marker_look(colour, SHAPES[marker])


def _number(value: float) -> str:
    return f"{value:g}"


class StakeholderDragView(MarkerDragView):
    """Each stakeholder a marker: drag it to its power and interest, or Tab to it and use the arrow
    keys (up and down: power; left and right: interest). Unplaced stakeholders wait in the tray."""

    model: StakeholderMap

    def _config(self) -> dict:
        low = [level for level in LEVELS if level < HIGH_FROM]
        cells = []
        for power in LEVELS:
            row = []
            for interest in LEVELS:
                colour = QUADRANT_STYLE[quadrant_of(power, interest)][1]
                row.append({"background": colours.tint(colour), "text": colours.TEXT, "label": ""})
            cells.append(row)
        shorts = short_names(self.model.names)
        return {
            "title": "Power/interest grid: drag each stakeholder to their place",
            "help": ("Drag a marker onto the grid, or Tab to it and use the arrow keys: up and down set "
                     "power, left and right set interest. Enter puts a marker from the tray in the middle "
                     f"of the grid. {HIGH_FROM} or more counts as high."),
            "x_name": "interest",
            "y_name": "power",
            "x_title": f"Interest ({SCALE_MIN}-{SCALE_MAX}) →",
            "y_title": f"↑ Power ({SCALE_MIN}-{SCALE_MAX})",
            "columns": [{"value": level, "label": str(level)} for level in LEVELS],
            "rows": [{"value": level, "label": str(level)} for level in LEVELS],
            "cells": cells,
            "dividers": {"columns": [len(low)], "rows": [len(low)]},
            "captions_above": [self._caption("keep satisfied"), self._caption("manage closely")],
            "captions_below": [self._caption("monitor"), self._caption("keep informed")],
            "tray_title": "Not placed yet",
            "tray_empty": "Every stakeholder is on the grid.",
            "key": [{"short": short, "name": name} for name, short in shorts.items() if short != name],
            "entry": [LEVELS.index(HIGH_FROM), LEVELS.index(HIGH_FROM)],
            "cell_size": 44,
            "colours": page_colours(),
        }

    @staticmethod
    def _caption(quadrant: str) -> dict:
        return {"text": quadrant.upper(), "look": quadrant_look(quadrant)}

    def _markers(self) -> list[dict]:
        shorts = short_names(self.model.names)
        markers = []
        for name in self.model.names:
            answer = self.model.assessment(name)
            quadrant = self.model.quadrant(name)
            if quadrant is None:
                label = f"{name}: not placed yet"
                look = UNPLACED_LOOK
            else:
                label = (f"{name}: power {_number(answer.power)}, "
                         f"interest {_number(answer.interest)}, {quadrant}")
                look = quadrant_look(quadrant)
            markers.append({"name": name, "x": answer.interest, "y": answer.power, "short": shorts[name],
                            "label": label, **look})
        return markers

    def _move(self, name: str, x, y) -> None:
        self.model.place(name, power=y, interest=x)
