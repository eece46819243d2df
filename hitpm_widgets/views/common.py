"""Pieces every exercise view uses: the figure panel, the status line, the table style."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..plots.style import figure_png, img_html

WIDE = {"description_width": "initial"}


class FigurePanel(widgets.HTML):
    """A matplotlib figure shown as an image with alt text."""

    def show(self, figure, alt: str) -> None:
        self.value = img_html(figure_png(figure), alt)


class StatusLine(widgets.HTML):
    """Where the answer is saved, or what went wrong: visible, never on stderr."""

    def show(self, text: str, *, problem: bool = False) -> None:
        colour = "#B00020" if problem else "#444444"
        self.value = f'<div role="status" style="color:{colour};font-size:90%">{html.escape(text)}</div>'


def html_table(frame, caption: str) -> str:
    return (
        f'<div style="max-height:22em;overflow:auto">'
        f"{frame.to_html(na_rep='-', escape=True, border=0, classes='hitpm-table')}</div>"
        f'<div style="font-size:85%;color:#444">{html.escape(caption)}</div>'
    )
