"""The kit's one plotting style: Okabe-Ito colours, shapes as well as colours, readable text.

Okabe and Ito's palette stays distinguishable under the common colour-vision deficiencies; every
category also gets its own marker shape so that nothing is told by colour alone.
"""

from __future__ import annotations

import base64
import html
import io

OKABE_ITO = {
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
    "black": "#000000",
}
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
TEXT_COLOUR = "#222222"
GRID_COLOUR = "#888888"


def new_figure(width: float = 6.4, height: float = 5.2):
    """A figure not registered with pyplot: redraws neither leak memory nor print twice inline."""
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    # Fixed margins, not a layout engine: constrained layout costs a second full draw on every redraw.
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.1, top=0.93)
    return figure, figure.add_subplot()


def figure_png(figure) -> bytes:
    buffer = io.BytesIO()
    # Legends and labels placed outside the axes are kept in the picture, not cropped.
    figure.savefig(buffer, format="png", bbox_inches="tight", pad_inches=0.1)
    return buffer.getvalue()


def img_html(png: bytes, alt: str) -> str:
    """An <img> with alt text, so a screen reader can tell what the picture shows."""
    data = base64.b64encode(png).decode("ascii")
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
        'style="max-width:100%;height:auto" />'
    )


class StaticBackground:
    """Renders a figure's unchanging parts once; each redraw paints only the artists that change.

    Axes, ticks and labels are most of a figure's drawing time, and a widget redraws on every
    change a learner makes, so they are drawn once and restored from a pixel buffer.
    """

    def __init__(self, figure) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.figure = figure
        self.canvas = FigureCanvasAgg(figure)
        self.canvas.draw()
        self.background = self.canvas.copy_from_bbox(figure.bbox)

    def png(self, add_changing_artists) -> bytes:
        """`add_changing_artists()` adds the changing artists to the figure and returns them."""
        from PIL import Image

        self.canvas.restore_region(self.background)
        artists = add_changing_artists()
        try:
            for artist in artists:
                self.figure.draw_artist(artist)
        finally:
            for artist in artists:
                artist.remove()
        width, height = self.canvas.get_width_height()
        image = Image.frombuffer("RGBA", (width, height), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        buffer = io.BytesIO()
        image.save(buffer, format="png", compress_level=1)
        return buffer.getvalue()
