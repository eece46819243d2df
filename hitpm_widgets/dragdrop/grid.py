"""The drag-and-drop grid every drag view shares: an anywidget front end and the view over a model.

The browser draws markers on a grid of cells (and unplaced ones in a tray beside it). When the
learner drags a marker, or moves it with the arrow keys, the browser sets the `markers` traitlet
(a JSON list of {name, x, y, ...}); the view reads which markers moved, checks the payload, and
calls the model's public methods. The model stays the one truth: after every change, from any view
or from code, the view sends the model's markers back and the browser draws those.
"""

from __future__ import annotations

import math
import pathlib
from typing import Any

import anywidget
import traitlets

from ..views.common import ExerciseView
from . import colours

_HERE = pathlib.Path(__file__).parent
#: Past this many characters a refused payload is cut short in the message.
_SHOWN = 80


class DragGrid(anywidget.AnyWidget):
    """The browser side: a grid of cells, a tray, and markers to drag or move with the arrow keys.

    `config` describes the grid (axes, cells, colours, texts); `markers` holds one record a marker:
    name, x and y (scale values, or None in the tray), short (the text on the marker), label (its
    accessible name), fill, text, border, shape (its look), and answered (the last request the view
    answered). A browser's move sets the moved record's x and y and a new request number.
    """

    _esm = _HERE / "grid.js"
    _css = _HERE / "grid.css"
    config = traitlets.Dict().tag(sync=True)
    # Any, not List(Dict): whatever a browser sends must reach the view, which refuses it into the
    # status line; a traitlet's own refusal would be raised in the kernel, out of the learner's sight.
    markers = traitlets.Any([]).tag(sync=True)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "..."


def _coordinate(name: str, axis: str, value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"the {axis} of marker {name!r} must be a number (or empty in the tray), "
                         f"not {_shown(value)}")
    return float(value)


def _level(name: str, axis: str, value: float, levels: list) -> Any:
    for level in levels:
        if math.isclose(value, level, rel_tol=0, abs_tol=1e-9):
            return level
    allowed = ", ".join(f"{level:g}" for level in levels)
    raise ValueError(f"marker {name!r} cannot go to {axis} {value:g}: the grid's {axis} values are {allowed}")


def read_moves(payload: Any, positions: dict, x_levels: list, y_levels: list,
               axes: tuple[str, str] = ("x", "y")) -> list[tuple[str, Any, Any]]:
    """The markers a browser payload moved, as (name, x, y) on the grid's levels.

    `positions` maps each known name to its (x, y) in the model, (None, None) when unplaced. Every
    record is checked before any move is returned, so a bad payload moves nothing. Markers the
    payload leaves out, or sends where they already are, do not move. `axes` names x and y in messages.
    """
    x_axis, y_axis = axes
    if not isinstance(payload, list):
        raise ValueError(f"the markers must come as a list of {{name, x, y}} records, not {_shown(payload)}")
    moves, seen = [], set()
    for record in payload:
        if not isinstance(record, dict) or not isinstance(record.get("name"), str):
            raise ValueError(f"each marker must be a {{name, x, y}} record with a text name, "
                             f"not {_shown(record)}")
        name = record["name"]
        if name not in positions:
            raise KeyError(f"unknown marker {_shown(name)}; known: {', '.join(positions)}")
        if name in seen:
            raise ValueError(f"marker {name!r} was sent twice: each marker has one place")
        seen.add(name)
        x = _coordinate(name, x_axis, record.get("x"))
        y = _coordinate(name, y_axis, record.get("y"))
        if (x is None) != (y is None):
            raise ValueError(f"marker {name!r} needs both {x_axis} and {y_axis} on the grid, "
                             "or neither in the tray")
        old_x, old_y = positions[name]
        if x is None and old_x is None:
            continue
        if x is not None and old_x is not None and math.isclose(x, old_x) and math.isclose(y, old_y):
            continue
        if x is None:
            raise ValueError(f"marker {name!r} cannot go back to the tray here")
        moves.append((name, _level(name, x_axis, x, x_levels), _level(name, y_axis, y, y_levels)))
    return moves


def marker_look(fill: str, shape: str = "") -> dict[str, str]:
    """How a marker looks: its fill, the text colour that reads on it, its outline and a shape."""
    return {"fill": fill, "text": colours.text_on(fill), "border": colours.OUTLINE, "shape": shape}


def page_colours() -> dict[str, str]:
    return {"page": colours.PAGE, "text": colours.TEXT, "tray": colours.TRAY, "outline": colours.OUTLINE,
            "focus": colours.FOCUS}


def colour_pairs(config: dict, markers: list[dict]) -> list[tuple[str, str, str]]:
    """Every (what, foreground, background) the browser shows: what the contrast test checks."""
    page = config["colours"]
    pairs = [("text on the page", page["text"], page["page"]),
             ("text in the tray", page["text"], page["tray"]),
             ("focus ring on the page", page["focus"], page["page"]),
             ("focus ring in the tray", page["focus"], page["tray"]),
             ("marker outline in the tray", page["outline"], page["tray"])]
    for row in config["cells"]:
        for cell in row:
            pairs.append((f"cell text {cell['label']!r}", cell["text"], cell["background"]))
            pairs.append(("focus ring on a cell", page["focus"], cell["background"]))
            pairs.append(("marker outline on a cell", page["outline"], cell["background"]))
    for caption in config["captions_above"] + config["captions_below"]:
        pairs.append((f"caption {caption['text']!r}", page["text"], page["page"]))
        look = caption["look"]
        pairs.append((f"caption swatch {caption['text']!r}", look["text"], look["fill"]))
    for marker in markers:
        pairs.append((f"marker {marker['name']!r}", marker["text"], marker["fill"]))
    return pairs


class MarkerDragView(ExerciseView):
    """A DragGrid over an exercise model, with the status line every exercise view has.

    Subclasses say what the grid shows (`_config`), where each marker is (`_markers`) and how a
    move reaches the model (`_move`, which calls a public method of the model).
    """

    def __init__(self, model) -> None:
        super().__init__(model)
        #: The highest request number of the browser's moves seen so far, sent back with the markers.
        self._answered = 0
        self.board = DragGrid(config=self._with_column_width(self._config()))
        self.board.observe(self._on_markers, names="markers")
        model.on_change(self.refresh)
        self.children = [self.board, self.status]
        self.refresh()

    def _with_column_width(self, config: dict) -> dict:
        """The config with the least width of a column: a placed marker's (its shape, its short name in 11px
        text, padding and border, in a cell with its own), or the cell size if that is more."""
        widest = max((len(marker["short"]) for marker in self._markers()), default=0)
        return {**config, "column_min": f"max({config.get('cell_size', 30)}px, calc({widest} * 0.55em + 1.8em + 10px))"}

    @property
    def least_width(self) -> str:
        """The width this view needs to show every column whole: the box around it keeps at least this much
        (PictureOrDrag), so that in a narrow panel it goes below the form instead of clipping the grid."""
        config = self.board.config
        return f"calc({len(config['columns'])} * {config['column_min']} + 5em)"

    # -- what subclasses implement ------------------------------------------------------------

    def _config(self) -> dict:
        raise NotImplementedError

    def _markers(self) -> list[dict]:
        raise NotImplementedError

    def _move(self, name: str, x, y) -> None:
        raise NotImplementedError

    # -- from the browser to the model --------------------------------------------------------

    def _read(self, payload) -> list[tuple[str, Any, Any]]:
        config = self.board.config
        positions = {marker["name"]: (marker["x"], marker["y"]) for marker in self._markers()}
        return read_moves(payload, positions, [column["value"] for column in config["columns"]],
                          [row["value"] for row in config["rows"]], axes=(config["x_name"], config["y_name"]))

    def _on_markers(self, change) -> None:
        if self._syncing:
            return
        self._note_requests(change["new"])
        try:
            moves = self._read(change["new"])
        except (ValueError, KeyError) as error:
            self.show_problem(error)
        else:
            for name, x, y in moves:
                self.apply(self._move, name, x, y)
        # Whatever the browser asked, it shows the model: a refused move snaps back.
        self._send_markers()

    def _note_requests(self, payload) -> None:
        records = payload if isinstance(payload, list) else []
        numbers = [record.get("request") for record in records if isinstance(record, dict)]
        numbers = [n for n in numbers if isinstance(n, int) and not isinstance(n, bool)]
        self._answered = max([self._answered, *numbers])

    # -- from the model to the browser --------------------------------------------------------

    def _send_markers(self) -> None:
        with self.syncing():
            self.board.markers = [{**marker, "answered": self._answered} for marker in self._markers()]

    def refresh(self) -> None:
        """Redraw after any change of the model, whether it came from here, another view or code."""
        self._send_markers()
        self.show_saving_status()


def short_names(names: list[str], longest: int = 5) -> dict[str, str]:
    """A short text for each marker, to fit a cell: the name if it fits, else its initials (or the
    first letters of a single word), made unique."""
    shorts: dict[str, str] = {}
    for name in names:
        words = [word for word in name.replace("-", " ").split() if word.lower() not in ("and", "of", "the")]
        if len(name) <= longest:
            short = name
        elif len(words) == 1:
            short = name[:longest - 1]
        else:
            # A word in capitals (IT, ED) is an abbreviation already: keep it whole.
            short = "".join(word if word.isupper() else word[0].upper() for word in words)
        candidate, number = short, 2
        while candidate in shorts.values():
            candidate, number = f"{short}{number}", number + 1
        shorts[name] = candidate
    return shorts
