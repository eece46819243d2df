"""ADKAR readiness bars: one small panel a unit, five bars (A, D, K, A, R) with their values, and the
threshold as a dashed line.

The chart names no barrier point: reading it off (the first bar at or below the line) is the learner's
diagnosis, which a workbook grades."""

from __future__ import annotations

import math

from ..change_readiness import (
    ADKAR_ELEMENTS,
    DEFAULT_THRESHOLD,
    SCORE_MAX,
    SCORE_MIN,
    ChangeReadiness,
    check_threshold,
)
from .style import GRID_COLOUR, OKABE_ITO, TEXT_COLOUR, new_figure

BAR_COLOUR = OKABE_ITO["sky blue"]
SURVEY_MARK_COLOUR = OKABE_ITO["black"]
LETTERS = ("A", "D", "K", "A", "R")
#: Small multiples: at most this many panels side by side.
PANELS_PER_ROW = 3


def threshold_text(threshold: float) -> str:
    """3.0 reads "3.0", 2.75 reads "2.75": enough digits, and the decimal point shows it is a mean."""
    text = f"{threshold:.2f}"
    return text[:-1] if text.endswith("0") else text


def _inputs(model_or_scores, unit, threshold):
    """(what-if scores, survey scores or None, threshold, respondents or None) as DataFrames."""
    import pandas as pd

    if isinstance(model_or_scores, ChangeReadiness):
        model = model_or_scores
        scores, survey = model.scores(adjusted=True), model.scores(adjusted=False)
        threshold = model.threshold if threshold is None else threshold
        respondents = model.respondents
    else:
        scores = model_or_scores
        if isinstance(scores, pd.Series):
            scores = scores.to_frame().T
        if not isinstance(scores, pd.DataFrame):
            raise ValueError("give a ChangeReadiness exercise or a DataFrame of unit scores "
                             "(from unit_scores())")
        survey, respondents = None, None
        threshold = DEFAULT_THRESHOLD if threshold is None else threshold
    threshold = check_threshold(threshold)
    if unit is not None:
        if unit not in scores.index:
            raise KeyError(f"unknown unit {unit!r}; known: {', '.join(map(str, scores.index))}")
        scores = scores.loc[[unit]]
        survey = None if survey is None else survey.loc[[unit]]
    return scores, survey, threshold, respondents


def draw_readiness_bars(model_or_scores, unit: str | None = None, threshold: float | None = None):
    """A matplotlib Figure: one panel of five ADKAR bars per unit (or only `unit`).

    `model_or_scores` is a ChangeReadiness exercise (its what-if scores are drawn, the survey's
    means marked where they differ, and its threshold used) or a DataFrame from `unit_scores()`.
    `threshold` defaults to the exercise's, or 3.0.
    """
    from matplotlib.lines import Line2D

    scores, survey, threshold, respondents = _inputs(model_or_scores, unit, threshold)
    count = len(scores)
    columns = min(count, PANELS_PER_ROW)
    rows = math.ceil(count / columns)
    alone = count == 1
    # Fixed margins in inches, whatever the number of panels: room for titles on top and the legend
    # below (beside a panel that is alone).
    width, height = (6.2, 3.4) if alone else (3.3 * columns + 0.5, 2.6 * rows + 0.7)
    figure, first = new_figure(width, height)
    figure.delaxes(first)
    figure.subplots_adjust(left=0.6 / width, right=0.6 if alone else 0.98, top=1 - 0.45 / height,
                           bottom=(0.6 if alone else 0.95) / height, hspace=0.62, wspace=0.2)
    panels = figure.subplots(rows, columns, squeeze=False, sharey=True)
    shown = {"survey": False}
    for index, (name, row) in enumerate(scores.iterrows()):
        axes = panels[index // columns][index % columns]
        survey_row = None if survey is None else survey.loc[name]
        size = None if respondents is None else int(respondents.loc[name])
        drawn = _draw_panel(axes, str(name), row, survey_row, threshold, size,
                            first_column=index % columns == 0)
        for key in shown:
            shown[key] = shown[key] or drawn[key]
    for index in range(count, rows * columns):
        panels[index // columns][index % columns].set_visible(False)

    handles = [Line2D([], [], color=TEXT_COLOUR, linestyle="--",
                      label=f"threshold {threshold_text(threshold)}: at or below it is low")]
    if shown["survey"]:
        handles.append(Line2D([], [], marker="_", markersize=14, markeredgewidth=2.2, linestyle="",
                              color=SURVEY_MARK_COLOUR, label="survey mean, before your what-if"))
    if alone:
        figure.legend(handles=handles, loc="center left", bbox_to_anchor=(0.62, 0.5), fontsize=7.5,
                      frameon=False)
    else:
        figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=len(handles),
                      fontsize=7.5, frameon=False)
    return figure


def _draw_panel(axes, name, row, survey_row, threshold, size, first_column) -> dict[str, bool]:
    values = [float(row[element]) for element in ADKAR_ELEMENTS]
    positions = range(len(ADKAR_ELEMENTS))
    axes.axhline(threshold, color=TEXT_COLOUR, linestyle="--", linewidth=1.2, zorder=3)
    bars = axes.bar(positions, values, width=0.7, color=BAR_COLOUR, edgecolor=TEXT_COLOUR, linewidth=0.8)
    for bar, value in zip(bars, values, strict=True):
        # A white box keeps the value readable where it meets the threshold line.
        axes.text(bar.get_x() + bar.get_width() / 2, value + 0.1, f"{value:.2f}", ha="center", va="bottom",
                  fontsize=7, color=TEXT_COLOUR, zorder=5,
                  bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5, "alpha": 0.85})
    moved = []
    if survey_row is not None:
        moved = [(i, float(survey_row[e])) for i, e in enumerate(ADKAR_ELEMENTS)
                 if not math.isclose(float(survey_row[e]), values[i])]
        if moved:
            axes.scatter([i for i, _ in moved], [v for _, v in moved], marker="_", s=400, linewidths=2.2,
                         color=SURVEY_MARK_COLOUR, zorder=4)
    axes.set_ylim(0, SCORE_MAX + 1)
    axes.set_yticks(range(SCORE_MIN, SCORE_MAX + 1))
    labels = [f"{letter}\n{element}" for letter, element in zip(LETTERS, ADKAR_ELEMENTS, strict=True)]
    axes.set_xticks(list(positions), labels, fontsize=6.5)
    axes.grid(axis="y", color=GRID_COLOUR, linewidth=0.4, alpha=0.5)
    axes.set_axisbelow(True)
    if first_column:
        axes.set_ylabel(f"Mean score ({SCORE_MIN}-{SCORE_MAX})", fontsize=8)
    title = name if size is None else f"{name} (n={size})"
    axes.set_title(title, fontsize=9, color=TEXT_COLOUR)
    return {"survey": bool(moved)}


def describe_readiness(model_or_scores, unit: str | None = None, threshold: float | None = None) -> str:
    """Alt text: each unit's five mean scores and what-if changes (like the chart, no verdict)."""
    scores, survey, threshold, respondents = _inputs(model_or_scores, unit, threshold)
    parts = []
    for name, row in scores.iterrows():
        values = {element: float(row[element]) for element in ADKAR_ELEMENTS}
        count = None if respondents is None else int(respondents.loc[name])
        size = "" if count is None else f" ({count} respondent{'' if count == 1 else 's'})"
        listed = ", ".join(f"{element} {value:.2f}" for element, value in values.items())
        text = f"{name}{size}: {listed}"
        if survey is not None:
            moved = [f"{element} from {float(survey.loc[name, element]):.2f} to {value:.2f}"
                     for element, value in values.items()
                     if not math.isclose(float(survey.loc[name, element]), value)]
            if moved:
                text += f"; what-if: {', '.join(moved)}"
        parts.append(text)
    return (f"ADKAR readiness bar chart, mean scores from {SCORE_MIN} to {SCORE_MAX}, a dashed line at the "
            f"threshold {threshold_text(threshold)} (at or below it is low). " + ". ".join(parts) + ".")
