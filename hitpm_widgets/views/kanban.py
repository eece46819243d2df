"""The Kanban board widget: the columns with their cards and WIP limits; pick a card and pull it on.

`board.widget` (or `KanbanBoardView(board)`) over a `KanbanBoard`: a move made here is the board's own `move` (stamped
now), so a WIP limit refuses it with the board's message in the status line. A board changed in code
shows here after `view.refresh()` (or `board.widget` again): the board keeps no listeners.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..agile import KanbanBoard
from ..plots.style import OKABE_ITO, TEXT_COLOUR
from .common import WIDE, ExerciseView

AT_LIMIT_COLOUR = OKABE_ITO["vermillion"]
ROOM_COLOUR = OKABE_ITO["blue"]


class KanbanBoardView(ExerciseView):
    def __init__(self, board: KanbanBoard) -> None:
        super().__init__(board)
        self.board = board
        self.card = widgets.Dropdown(description="Card", style=WIDE)
        self.to_column = widgets.Dropdown(options=board.columns, description="Move to", style=WIDE)
        self.move_button = widgets.Button(description="Move card", tooltip="Move the card to that column now")
        self.where = widgets.HTML()
        self.columns = widgets.HTML()

        self.card.observe(lambda _: self._show_card(), names="value")
        self.move_button.on_click(lambda _: self._move())
        self.children = [
            widgets.HBox([self.card, self.to_column, self.move_button], layout=widgets.Layout(flex_flow="row wrap")),
            self.where,
            self.columns,
            self.status,
        ]
        self.refresh()

    def _move(self) -> None:
        card, column = self.card.value, self.to_column.value
        if card is None:
            self.status.show("The board has no cards yet.", problem=True)
            return
        if not self.apply(self.board.move, card, column):
            return
        self.refresh()
        self.status.show(f"{card} moved to {column}.")

    def _show_card(self) -> None:
        card = self.card.value
        text = "No cards yet." if card is None else (
            f"<b>{html.escape(card)}</b> is in <i>{html.escape(self.board.column_of(card))}</i>.")
        self.where.value = f"<div aria-live='polite'>{text}</div>"

    def refresh(self) -> None:
        """Show the board as it is now, after a move made here or in code."""
        cards = self.board.cards
        picked = self.card.value if self.card.value in cards else (cards[0] if cards else None)
        self.card.options = cards
        self.card.value = picked
        self._show_card()
        self.columns.value = board_html(self.board)


def board_html(board: KanbanBoard) -> str:
    """The columns side by side, each a headed list; a column at its WIP limit says so in words."""
    parts = []
    for column in board.columns:
        cards = board.cards_in(column)
        limit = board.wip_limits[column]
        full = limit is not None and len(cards) >= limit
        count = f"{len(cards)}" if limit is None else f"{len(cards)} of WIP limit {limit}"
        heading = f"{html.escape(column)} ({count}{', full' if full else ''})"
        items = "".join(f"<li>{html.escape(card)}</li>" for card in cards) or "<li><i>empty</i></li>"
        colour = AT_LIMIT_COLOUR if full else ROOM_COLOUR
        parts.append(
            f'<section aria-label="{html.escape(heading, quote=True)}" style="flex:1 1 9em;min-width:9em;'
            f'border-top:5px solid {colour};padding:0.2em 0.4em;color:{TEXT_COLOUR}">'
            f'<div style="font-weight:bold">{heading}</div>'
            f'<ul style="margin:0.2em 0;padding-left:1.2em">{items}</ul></section>')
    return f'<div style="display:flex;gap:0.6em;flex-wrap:wrap">{"".join(parts)}</div>'
