"""The report's two charts, in the kit's plotting style, each with the alt text that says what it shows."""

from __future__ import annotations

from ..plots.style import GRID_COLOUR, OKABE_ITO, TEXT_COLOUR, figure_png, new_figure

DIFFICULTY_STYLE = {
    # band: (colour, hatch) - a hatch too, so that the band does not rest on colour alone
    "hard": (OKABE_ITO["vermillion"], "xx"),
    "moderate": (OKABE_ITO["yellow"], "//"),
    "easy": (OKABE_ITO["bluish green"], ""),
}


def score_histogram(totals: list[float], max_score: float) -> tuple[bytes, str]:
    figure, axes = new_figure(6.4, 3.6)
    figure.subplots_adjust(left=0.1, right=0.97, bottom=0.16, top=0.9)
    bins = max(1, min(20, int(max_score) or 1))
    axes.hist(totals, bins=bins, range=(0, max_score or 1), color=OKABE_ITO["blue"], edgecolor="white")
    axes.set_xlabel(f"total score (of {max_score:g})", color=TEXT_COLOUR)
    axes.set_ylabel("submissions", color=TEXT_COLOUR)
    axes.set_title("Score distribution", color=TEXT_COLOUR)
    axes.grid(axis="y", color=GRID_COLOUR, alpha=0.3)
    axes.yaxis.get_major_locator().set_params(integer=True)
    ordered = sorted(totals)
    median = ordered[len(ordered) // 2] if len(ordered) % 2 else (ordered[len(ordered) // 2 - 1] +
                                                                  ordered[len(ordered) // 2]) / 2
    alt = (f"Histogram of the total scores of {len(totals)} submissions, out of {max_score:g} points: "
           f"lowest {ordered[0]:g}, median {median:g}, highest {ordered[-1]:g}.")
    return figure_png(figure), alt


def difficulty_bars(questions: list[tuple[str, float, str]]) -> tuple[bytes, str]:
    """`questions`: (name, share of points earned 0..1, band) in notebook order."""
    height = max(2.4, 0.42 * len(questions) + 1.2)
    figure, axes = new_figure(6.4, height)
    figure.subplots_adjust(left=0.42, right=0.95, bottom=0.9 / height, top=1 - 0.5 / height)
    names = [name for name, _, _ in questions][::-1]
    for row, (_, share, band) in enumerate(reversed(questions)):
        colour, hatch = DIFFICULTY_STYLE[band]
        axes.barh(row, share, color=colour, hatch=hatch, edgecolor=TEXT_COLOUR, linewidth=0.5)
        axes.text(min(share, 0.86) + 0.02, row, f"{share:.0%} {band}", va="center", fontsize=8, color=TEXT_COLOUR)
    axes.set_yticks(range(len(names)), names, fontsize=8)
    axes.set_xlim(0, 1)
    axes.set_xlabel("share of the points earned (difficulty index: lower is harder)", color=TEXT_COLOUR)
    axes.set_title("Questions", color=TEXT_COLOUR)
    hardest = min(questions, key=lambda q: q[1])
    alt = (f"Bar chart of {len(questions)} questions by the share of their points the class earned; the "
           f"hardest is {hardest[0]} at {hardest[1]:.0%}. " +
           "; ".join(f"{name} {share:.0%} ({band})" for name, share, band in questions) + ".")
    return figure_png(figure), alt
