"""How long a learner waits for the stakeholder map to redraw after a change.

Compares, in the same run, the widget's redraw (an unregistered Figure rendered to a PNG in an HTML
image with alt text) with the common peer approach: a pyplot figure shown in an Output widget
after clear_output. Prints both times and the ratio. Run: `.venv/bin/python benchmarks/redraw.py`.
"""

from __future__ import annotations

import contextlib
import io
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import ipywidgets as widgets  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402

from hitpm_widgets import StakeholderMap, load_case  # noqa: E402
from hitpm_widgets.plots.stakeholder_grid import QUADRANT_STYLE  # noqa: E402

ROUNDS = 30


def timed(action, rounds=ROUNDS) -> list[float]:
    times = []
    for i in range(rounds):
        start = time.perf_counter()
        action(i)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    case = load_case("emr-rollout")
    smap = StakeholderMap(None, case.stakeholders)
    for i, name in enumerate(smap.names):
        smap.place(name, power=i % 11, interest=(i * 3) % 11)
    _ = smap.widget  # builds the view once; what follows is what each change costs
    ours = timed(lambda i: smap.place("CFO", power=i % 11, interest=7))

    output = widgets.Output()

    def peer_redraw(i):
        smap._answers["CFO"].power = i % 11  # same data change, without our redraw
        frame = smap.to_frame().dropna(subset=["power"])
        with output:
            output.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(6.4, 5.2))
            for name, row in frame.iterrows():
                marker, colour, _ = QUADRANT_STYLE[row["quadrant"]]
                ax.scatter(row["interest"], row["power"], marker=marker, color=colour)
                ax.annotate(name, (row["interest"], row["power"]))
            fig.savefig(io.BytesIO(), format="png")  # the inline backend sends a PNG too
            plt.close(fig)

    with contextlib.redirect_stdout(io.StringIO()):  # clear_output writes terminal codes outside Jupyter
        peer = timed(peer_redraw)
    mine, theirs = statistics.median(ours), statistics.median(peer)
    print(f"stakeholder map with {len(smap.names)} stakeholders, {ROUNDS} changes each, median per change:")
    print(f"  hitpm widget redraw (grid + table + status): {mine * 1000:7.1f} ms")
    print(f"  peer: pyplot figure in an Output widget     : {theirs * 1000:7.1f} ms")
    print(f"  ratio hitpm / peer: {mine / theirs:.2f}")


def risk_register() -> None:
    """The heat map: the widget's blitted redraw against drawing the whole figure each time."""
    from hitpm_widgets import RiskRegister
    from hitpm_widgets.plots.risk import describe_heat_map, draw_heat_map
    from hitpm_widgets.plots.style import figure_png

    risks = load_case("pharma-ctms").risks.drop(columns=["evidence"])
    register = RiskRegister(None, risks, categories=sorted(set(risks["category"])))
    levels, impacts = register.probability_levels, register.impact_levels
    for i, risk_id in enumerate(register.ids):
        register.update(risk_id, probability=levels[i % 5], impact=impacts[(i * 2) % 5])
    _ = register.widget
    first = register.ids[0]
    ours = timed(lambda i: register.update(first, probability=levels[i % 5]))
    whole = timed(lambda i: (figure_png(draw_heat_map(register, first)), describe_heat_map(register)))
    mine, theirs = statistics.median(ours), statistics.median(whole)
    print(f"risk register with {len(register.ids)} risks, median per change:")
    print(f"  hitpm widget redraw (heat map + table + totals): {mine * 1000:7.1f} ms")
    print(f"  peer: the whole heat map drawn and saved again : {theirs * 1000:7.1f} ms")
    print(f"  ratio hitpm / peer: {mine / theirs:.2f}")


if __name__ == "__main__":
    main()
    risk_register()
