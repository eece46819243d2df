"""The drag views' colours, and the WCAG 2 contrast ratio that every text colour is held to.

The views send these colours to the browser; the style sheet holds none of its own, so the pairs
tested here are the pairs a learner sees.
"""

from __future__ import annotations

import re

from ..plots.style import TEXT_COLOUR

#: WCAG 2.x success criterion 1.4.3: normal text needs 4.5:1 against its background.
MINIMUM_CONTRAST = 4.5
WHITE, BLACK = "#FFFFFF", "#000000"
PAGE = WHITE
TEXT = TEXT_COLOUR
#: The tray of unplaced markers: a light grey, so it reads as a separate place.
TRAY = "#F2F2F2"
#: Outlines of markers and of the focused marker: dark enough on every cell and on white.
OUTLINE = "#222222"
FOCUS = BLACK
#: How much of a category colour tints a cell: light enough for dark text on every tint.
CELL_TINT = 0.22

_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def _channels(colour: str) -> tuple[int, int, int]:
    if not isinstance(colour, str) or not _HEX.fullmatch(colour):
        raise ValueError(f"a colour is written #RRGGBB, e.g. '#0072B2'; not {colour!r}")
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def relative_luminance(colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour, from 0 (black) to 1 (white)."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_ratio(foreground: str, background: str) -> float:
    """(lighter + 0.05) / (darker + 0.05): 1 for the same colour, 21 for black on white."""
    first, second = relative_luminance(foreground), relative_luminance(background)
    lighter, darker = max(first, second), min(first, second)
    return (lighter + 0.05) / (darker + 0.05)


def tint(colour: str, share: float = CELL_TINT) -> str:
    """`colour` laid at `share` opacity over white, as one opaque colour."""
    mixed = (round(255 - share * (255 - channel)) for channel in _channels(colour))
    return "#" + "".join(f"{channel:02X}" for channel in mixed)


def text_on(background: str) -> str:
    """Black or white, whichever reads better on `background`."""
    return BLACK if contrast_ratio(BLACK, background) >= contrast_ratio(WHITE, background) else WHITE
