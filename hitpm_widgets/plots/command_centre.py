"""Go-live command centre pictures: the work expected against the plan's staff, waits by hour of the
week, service levels against their targets, and the plan's cost by day.

Each severity has its own colour, line style and marker; a missed target is told by hatching and by
its label as well as by colour.
"""

from __future__ import annotations

from ..command_centre import DAYS, ROLES, SHIFTS, TRIAGE_RULES, CommandCentre, StaffingPlan, WeekResult
from .style import GRID_COLOUR, MARKERS, OKABE_ITO, TEXT_COLOUR, new_figure

#: A severity's look, by its place in the severities table (most urgent first).
LOOKS = [
    (OKABE_ITO["vermillion"], "-", MARKERS[0]),
    (OKABE_ITO["orange"], "--", MARKERS[1]),
    (OKABE_ITO["blue"], "-.", MARKERS[2]),
    (OKABE_ITO["bluish green"], ":", MARKERS[3]),
]
ROLE_LOOKS = {"analysts": (OKABE_ITO["blue"], ""), "super_users": (OKABE_ITO["sky blue"], "//")}
ROLE_NAMES = {"analysts": "command-centre analysts", "super_users": "at-the-elbow super-users"}
NIGHT_SHADE = "#DDDDDD"


def _look(index: int):
    return LOOKS[index % len(LOOKS)]


def _short(result: WeekResult, key: str) -> str:
    return result.centre.severities[key].name.split(":")[0]


def draw_waits_by_hour(result: WeekResult):
    """A Figure: the mean wait of the tickets arriving in each hour of the week, one line a severity,
    night shifts shaded."""
    figure, axes = new_figure(9.6, 4.2)
    table = result.waits_by_hour()
    centre = result.centre
    for day in range(DAYS):
        night = [h for h in range(24) if centre.hour_shift[day * 24 + h] == SHIFTS.index("night")]
        if night:
            axes.axvspan(day * 24 + min(night), day * 24 + max(night) + 1, color=NIGHT_SHADE, zorder=0,
                         label="night shift (23:00-07:00)" if day == 0 else None)
    for index, key in enumerate(centre.order):
        colour, style, marker = _look(index)
        axes.plot(table.index + 0.5, table[key].to_numpy(), color=colour, linestyle=style, marker=marker,
                  markevery=(index * 3, 12), markersize=5, linewidth=1.5,
                  label=f"{_short(result, key)} (target {centre.severities[key].target_minutes:g} min)")
    _day_axis(axes, centre)
    axes.set_ylim(bottom=0)
    axes.set_ylabel("Mean wait until someone starts (minutes)")
    axes.set_title(f"Waits by hour of arrival ({result.replications} replications, "
                   f"{TRIAGE_RULES[result.triage]})", color=TEXT_COLOUR, fontsize=11)
    axes.grid(axis="y", color=GRID_COLOUR, alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(0, -0.16), ncol=3, fontsize=8, frameon=False)
    return figure


def draw_service_levels(result: WeekResult):
    """A Figure: each severity's share of tickets started within target (bar, with the range over
    replications) beside its target (diamond); missed targets hatched and labelled."""
    from matplotlib.ticker import PercentFormatter

    levels = result.service_levels()
    figure, axes = new_figure(6.4, 3.6)
    rows = list(levels.index)[::-1]  # the most urgent on top
    for y, key in enumerate(rows):
        row = levels.loc[key]
        colour, _, marker = _look(list(levels.index).index(key))
        axes.barh(y, row["within_target"], color=colour, alpha=0.85, hatch="" if row["met"] else "xx",
                  edgecolor="black", linewidth=0.6, height=0.6)
        axes.plot([row["lowest"], row["highest"]], [y, y], color="black", linewidth=1.2)
        axes.plot([row["target_share"]], [y], marker="D", markersize=8, color="white", markeredgecolor="black",
                  linestyle="none", label="target" if y == 0 else None)
        verdict = "met" if row["met"] else "MISSED"
        axes.annotate(f"{row['within_target']:.0%} (target {row['target_share']:.0%}, {verdict})",
                      (1.02, y), xycoords=("axes fraction", "data"), va="center", fontsize=8,
                      color=TEXT_COLOUR, annotation_clip=False)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([f"{_short(result, k)}\nwithin {levels.loc[k, 'target_minutes']:g} min" for k in rows],
                         fontsize=8)
    axes.set_xlim(0, 1)
    axes.xaxis.set_major_formatter(PercentFormatter(xmax=1))
    axes.set_xlabel("Share of tickets started within target (bar: mean; line: lowest to highest replication)")
    axes.set_title("Service levels against their targets", color=TEXT_COLOUR, fontsize=11)
    axes.grid(axis="x", color=GRID_COLOUR, alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(0, -0.22), fontsize=8, frameon=False)
    figure.subplots_adjust(left=0.2, right=0.68)
    return figure


def draw_cost(centre: CommandCentre, plan: StaffingPlan):
    """A Figure: the plan's cost on each go-live day, stacked by role."""
    import numpy as np

    figure, axes = new_figure(6.4, 3.4)
    days = np.arange(1, DAYS + 1)
    bottom = np.zeros(DAYS)
    for role in ROLES:
        daily = (np.array(getattr(plan, role)) * centre.shift_hours).sum(axis=1) * centre.hourly_cost[role]
        colour, hatch = ROLE_LOOKS[role]
        axes.bar(days, daily, bottom=bottom, color=colour, hatch=hatch, edgecolor="black", linewidth=0.5,
                 label=f"{ROLE_NAMES[role]} (${centre.hourly_cost[role]:,.0f} an hour)")
        bottom += daily
    axes.set_xticks(days)
    axes.set_xticklabels([f"day {d}" for d in days])
    axes.set_ylim(0, max(1000.0, float(bottom.max()) * 1.08))  # an empty plan still gets a readable axis
    axes.yaxis.set_major_formatter(lambda value, _: f"${value:,.0f}")
    axes.set_ylabel("Cost of the day's shifts")
    axes.set_title(f"Cost of the plan: ${centre.cost(plan):,.0f} for the week", color=TEXT_COLOUR, fontsize=11)
    axes.grid(axis="y", color=GRID_COLOUR, alpha=0.3)
    axes.legend(loc="upper left", bbox_to_anchor=(0, -0.12), fontsize=8, frameon=False)
    return figure


WORK_LOOK = {"command_centre": (OKABE_ITO["blue"], "analysts", "Command centre"),
             "at_the_elbow": (OKABE_ITO["bluish green"], "super_users", "Units (at the elbow)")}


def _day_axis(axes, centre: CommandCentre) -> None:
    axes.set_xlim(0, DAYS * 24)
    axes.set_xticks([d * 24 for d in range(DAYS)])
    dates = [centre.arrivals.loc[d * 24, "date"] for d in range(DAYS)]
    axes.set_xticklabels([f"day {d + 1}\n{date:%a %d %b}" for d, date in enumerate(dates)], fontsize=8)


def draw_workload(centre: CommandCentre, plan: StaffingPlan):
    """A Figure of two panels, the command centre and the units: the work expected to arrive in each hour
    (people it would keep busy) against the staff the plan puts on shift; hours where the work reaches the
    staff are marked."""
    import numpy as np

    figure, first = new_figure(9.6, 5.4)
    first.remove()
    panels = figure.subplots(2, 1, sharex=True)
    figure.subplots_adjust(hspace=0.3, top=0.88)
    table = centre.workload_by_hour(plan)
    hours = np.arange(len(table) + 1)
    for axes, (place, (colour, role, title)) in zip(panels, WORK_LOOK.items(), strict=True):
        work = table[f"{place}_work"].to_numpy()
        staff = table[role].to_numpy()
        axes.stairs(work, hours, fill=True, color=colour, alpha=0.35, label="work arriving (people it keeps busy)")
        axes.stairs(work, hours, color=colour, linewidth=1.2)
        axes.stairs(staff, hours, color="black", linestyle="--", linewidth=1.6, label=f"{ROLE_NAMES[role]} on shift")
        over = np.flatnonzero((work >= staff) & (work > 0))
        if len(over):
            axes.plot(over + 0.5, work[over], linestyle="none", marker="X", markersize=6, color=OKABE_ITO["vermillion"],
                      markeredgecolor="black", label="hours the work reaches the staff (queues build)")
        axes.set_ylim(0, max(1.0, float(work.max()), float(staff.max())) * 1.1)  # an empty panel keeps whole people
        axes.set_ylabel("People", fontsize=9)
        axes.set_title(title, color=TEXT_COLOUR, fontsize=10, loc="left")
        axes.grid(axis="y", color=GRID_COLOUR, alpha=0.3)
        axes.legend(loc="upper right", fontsize=7, frameon=True)
    _day_axis(panels[1], centre)
    figure.suptitle("Expected work against the plan, hour by hour (averages: bunching makes queues sooner)",
                    color=TEXT_COLOUR, fontsize=11)
    return figure


def describe_workload(centre: CommandCentre, plan: StaffingPlan) -> str:
    """Alt text of the workload figure."""
    table = centre.workload_by_hour(plan)
    parts = []
    for place, (_, role, title) in WORK_LOOK.items():
        work, staff = table[f"{place}_work"], table[role]
        peak = int(work.idxmax())
        over = int(((work >= staff) & (work > 0)).sum())
        parts.append(f"{title.lower()}: the work peaks in hour {peak} (day {peak // 24 + 1}) at {work.max():.1f} "
                     f"people's worth against {int(staff[peak])} on shift; in {over} of {len(table)} hours the "
                     "expected work reaches the staff on shift")
    return ("Two step charts, hour by hour over the week, of the work expected to arrive (filled) against the "
            "staff on shift (dashed line). " + "; ".join(parts) + ".")


def describe_waits_by_hour(result: WeekResult) -> str:
    """Alt text of the waits-by-hour figure."""
    table = result.waits_by_hour()
    parts = []
    for key in result.centre.order:
        column = table[key]
        if column.notna().any():
            worst = int(column.idxmax())
            parts.append(f"{_short(result, key)}: mean {result.mean_wait(key):.0f} minutes, longest in hour "
                         f"{worst} (day {worst // 24 + 1}) at {column.max():.0f} minutes")
    return (f"Line chart of the mean wait, in minutes, of tickets arriving in each of the week's "
            f"{len(table)} hours, one line a severity, night shifts shaded; {result.replications} replications, "
            f"{TRIAGE_RULES[result.triage]}. " + "; ".join(parts) + ".")


def describe_service_levels(result: WeekResult) -> str:
    """Alt text of the service-level figure."""
    levels = result.service_levels()
    parts = [f"{_short(result, key)}: {row['within_target']:.0%} within {row['target_minutes']:g} minutes "
             f"(target {row['target_share']:.0%}, {'met' if row['met'] else 'missed'}; replications from "
             f"{row['lowest']:.0%} to {row['highest']:.0%})" for key, row in levels.iterrows()]
    return "Bar chart of the share of tickets started within target, by severity. " + "; ".join(parts) + "."


def describe_cost(centre: CommandCentre, plan: StaffingPlan) -> str:
    """Alt text of the cost figure."""
    by_role = centre.cost_by_role(plan)
    return (f"Stacked bar chart of the plan's cost on each of the {DAYS} go-live days. The week costs "
            f"${centre.cost(plan):,.0f}: " + ", ".join(f"{ROLE_NAMES[r]} ${by_role[r]:,.0f}" for r in ROLES) + ".")
