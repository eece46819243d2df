"""Pieces every exercise view uses: the figure panel, the status line, the table style."""

from __future__ import annotations

import html
from contextlib import contextmanager

import ipywidgets as widgets

from ..plots.style import figure_png, img_html
from .keyboard import keep_arrow_keys

WIDE = {"description_width": "initial"}
#: Controls stacked in a column share one label width, so they line up.
ALIGNED = {"description_width": "7.5em"}


#: The class of a control whose label screen readers read but nobody sees, where headings around it
#: already show what it is (a cell of a grid); `unseen_labels_style()` must be in the same view.
UNSEEN_LABEL = "hitpm-unseen-label"


def unseen_labels_style() -> widgets.HTML:
    # The usual visually hidden pattern: still in the accessibility tree, unlike display:none.
    return widgets.HTML(f"<style>.{UNSEEN_LABEL} .widget-label {{position:absolute;width:1px;height:1px;"
                        "margin:0;padding:0;overflow:hidden;clip-path:inset(50%);white-space:nowrap}}</style>",
                        layout=widgets.Layout(height="0", margin="0"))


def number_box(description: str, *, minimum: float, maximum: float, step: float = 1, value: float | None = None,
               whole: bool = False, live: bool = True, style=ALIGNED, width: str | None = "13em",
               tooltip: str | None = None) -> widgets.Widget:
    """A labelled number box in place of a slider.

    Its label names it for screen readers (a slider's handle has no accessible name in ipywidgets),
    and the arrow keys still step it. `live` sends every change at once (each arrow key); otherwise
    the value goes to the model on Enter or when the box loses the focus.
    """
    kind = widgets.BoundedIntText if whole else widgets.BoundedFloatText
    value = minimum if value is None else value
    return kind(min=minimum, max=maximum, step=step, value=value, description=description,
                continuous_update=live, style=style, tooltip=tooltip,
                layout=widgets.Layout(width=width) if width else widgets.Layout())


class FigurePanel(widgets.HTML):
    """A matplotlib figure shown as an image with alt text."""

    def show(self, figure, alt: str) -> None:
        self.value = img_html(figure_png(figure), alt)

    def show_png(self, png: bytes, alt: str) -> None:
        self.value = img_html(png, alt)


class StatusLine(widgets.HTML):
    """Where the answer is saved, or what went wrong: visible, never on stderr."""

    def show(self, text: str, *, problem: bool = False) -> None:
        colour = "#B00020" if problem else "#444444"
        self.value = f'<div role="status" style="color:{colour};font-size:90%">{html.escape(text)}</div>'


class PictureOrDrag(widgets.VBox):
    """An exercise's picture, or the same as markers to drag (or move with the arrow keys).

    The drag view is made on first use, so that a notebook that never shows it (grading, for one)
    never loads its front end.
    """

    def __init__(self, picture: widgets.Widget, make_drag, width: str = "54%") -> None:
        self.picture = picture
        self.drag = None
        self._make_drag = make_drag
        self.choice = widgets.ToggleButtons(options=["Picture", "Drag and drop"], description="Grid",
                                            style={"button_width": "auto"})
        super().__init__([self.choice, picture], layout=widgets.Layout(width=width))
        self.choice.observe(lambda _: self._show(), names="value")

    def _show(self) -> None:
        if self.choice.value == "Picture":
            self.children = [self.choice, self.picture]
            self.layout.min_width = None
            return
        if self.drag is None:
            self.drag = self._make_drag()
        self.children = [self.choice, self.drag]
        # The markers need more room than the picture: where the panel is narrow, below the form, not clipped.
        self.layout.min_width = getattr(self.drag, "least_width", None)


def evidence_html(row, columns=None) -> str:
    """A case table's row as a short list, e.g. the evidence about one stakeholder or scenario."""
    columns = row.index if columns is None else [c for c in columns if c in row.index]
    items = "".join(
        f"<li><b>{html.escape(str(column).replace('_', ' '))}</b>: {html.escape(str(row[column]))}</li>"
        for column in columns
        if str(row[column]) not in ("", "nan", "None", "<NA>")
    )
    return f"<ul style='margin:0.2em 0;font-size:90%;line-height:1.35'>{items}</ul>" if items else ""


def _headed(frame):
    """The index as a named first column, so that every header cell has a name a screen reader can read."""
    names = [name for name in frame.index.names if name is not None]
    return frame.reset_index() if names else frame


def html_table(frame, caption: str) -> str:
    # A scrolling box is a focusable, named region: keyboard users can scroll it too. What is not there yet
    # is a blank cell: a learner reads neither "None" nor "-" as "not answered".
    return (
        f'<div style="max-height:22em;overflow:auto" tabindex="0" role="region" '
        f'aria-label="{html.escape(caption, quote=True)}">'
        f"{_headed(frame).to_html(index=False, na_rep='', escape=True, border=0, classes='hitpm-table')}</div>"
        f'<div style="font-size:85%;color:#444">{html.escape(caption)}</div>'
    )


class ExerciseView(widgets.VBox):
    """The base of every exercise widget: a model, a status line, and safe two-way syncing.

    Subclasses build their controls, then set `self.children`, and register
    `model.on_change(self.refresh)`.
    """

    def __init__(self, model) -> None:
        super().__init__()
        self.model = model
        self.status = StatusLine()
        self._syncing = False
        # Whatever children a subclass sets, the guard is among them: the arrow keys stay in the widget.
        keep_arrow_keys(self)

    @contextmanager
    def syncing(self):
        """Set controls from the model without their observers writing the values back."""
        self._syncing = True
        try:
            yield
        finally:
            self._syncing = False

    def apply(self, action, *args, **kwargs) -> bool:
        """Make a change a control asked for; the model's refusal is shown, never raised."""
        if self._syncing:
            return False
        try:
            action(*args, **kwargs)
        except (ValueError, KeyError) as error:
            self.show_problem(error)
            return False
        return True

    def show_problem(self, error: Exception) -> None:
        # str() of a KeyError is the repr of its message: show the message itself.
        message = error.args[0] if isinstance(error, KeyError) and error.args else error
        self.status.show(str(message), problem=True)

    def show_saving_status(self) -> None:
        self.status.show(self.model.saving_status, problem=self.model.saving_problem)
