"""Answer key of ps04-emr-schedule-and-value: the instructor's reference computations (never released).

Every graded figure is computed here from the case's tables with pandas and the lessons' formulas, for
whatever variant `case` holds, and never with hitpm_widgets' tools: a learner has those, and a figure a tool
returns is not graded (the tools give the critical path's tE, the simulated chance, the project's monthly
earned value figures, the velocity table and Little's law; the learner reads them and decides with them).
"""

from __future__ import annotations

import math

ASSIGNMENT = "ps04-emr-schedule-and-value"
CASE = "emr-rollout"

POINTS = {
    "ps04-test-path-sd": 1,
    "ps04-test-normal-chance": 1,
    "ps04-test-schedule-lever": 1,
    "ps04-test-evm-date": 1,
    "ps04-test-evm-training": 2,
    "ps04-test-evm-method": 1,
    "ps04-test-training-eac": 1,
    "ps04-test-velocity": 1,
    "ps04-test-kanban-flow": 2,
    "ps04-test-littles-law": 1,
}
MANUAL = {"ps04-answer-report": 4}

# What the workbook states to the learner, by the keyword names the kit's tools take.
GIVEN = {
    "deadline_days": 50,
    "bac": 14_400_000,
    "planned_finish": "2025-06-27",
    "columns": ["backlog", "in progress", "testing", "done"],
    "wip_limits": {"in progress": 4, "testing": 3},
}
STATUS_MONTH = "2025-03"  # the last month closed when the report goes out on Monday 7 April
CONTINGENCY_LEFT = 1_900_000
PLANNING_SPRINTS = (4, 5, 6)  # the integration team plans sprint 7 with the average of these
GO_LIVE_BACKLOG_POINTS = 75

TOLERANCES = {
    "sd_days": 0.05,
    "normal_chance_pct": 1,
    "training_cv": 1_000,
    "training_tcpi": 0.005,
    "training_eac": 10_000,
    "velocity_average": 0.05,
    "arrivals_per_day": 0.03,
    "testing_days": 0.1,
}

# Judgements: every defensible answer.
ACCEPTED = {
    "status_month": [STATUS_MONTH],
    # CPI has stayed below 1 and steady every month: the overrun is systematic, so BAC / CPI; with SPI
    # sliding and a fixed date, the CPI × SPI forecast is defensible too. The one-off forecast is not.
    "eac_method": ["cpi", "cpi_spi"],
}


# -- the schedule ----------------------------------------------------------------------------------


def _pert(tasks):
    """tE = (O + 4M + P) / 6 and σ = (P − O) / 6 of every task, indexed by task id."""
    frame = tasks.set_index("task_id")
    te = (frame["optimistic"] + 4 * frame["most_likely"] + frame["pessimistic"]) / 6
    sd = (frame["pessimistic"] - frame["optimistic"]) / 6
    return frame.assign(te=te, sd=sd)


def _predecessors(value) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip() for p in value.split(";") if p.strip()]


def critical_path(tasks) -> tuple[list[str], float]:
    """The longest path of tE (a forward pass in plain Python) and its length."""
    frame = _pert(tasks)
    finish, came_from = {}, {}
    remaining = list(frame.index)
    while remaining:
        for task in list(remaining):
            before = _predecessors(frame.at[task, "predecessors"])
            if all(p in finish for p in before):
                start_from = max(before, key=lambda p: finish[p], default=None)
                finish[task] = frame.at[task, "te"] + (finish[start_from] if start_from else 0.0)
                came_from[task] = start_from
                remaining.remove(task)
    step = max(finish, key=finish.get)
    length = finish[step]
    path = []
    while step is not None:
        path.append(step)
        step = came_from[step]
    return path[::-1], float(length)


def _normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


# -- earned value ----------------------------------------------------------------------------------


def _training_packages(case):
    """The training work packages at the end of March: budget, PV, EV and AC summed."""
    tasks = case.status_tasks
    training = tasks[tasks["phase"] == "training"]
    return {
        "bac": float(training["budget"].sum()),
        "pv": float((training["budget"] * training["planned_percent"] / 100).sum()),
        "ev": float((training["budget"] * training["percent_complete"] / 100).sum()),
        "ac": float(training["actual_cost"].sum()),
    }


# -- the teams -------------------------------------------------------------------------------------


def _velocities(case):
    """Done points per sprint: a story counts in the sprint whose days hold its done_on."""
    import pandas as pd

    stories = case.sprint_stories.dropna(subset=["done_on"])
    done_on = pd.to_datetime(stories["done_on"])
    velocities = {}
    for sprint in case.sprints.itertuples():
        inside = (done_on >= pd.Timestamp(sprint.start)) & (done_on <= pd.Timestamp(sprint.end))
        velocities[int(sprint.sprint)] = float(stories.loc[inside, "points"].sum())
    return pd.Series(velocities)


def _board(case):
    """Each event with its card's next event: how long the card stayed in that column."""
    import pandas as pd

    events = case.kanban_events.assign(at=pd.to_datetime(case.kanban_events["at"]),
                                       column=case.kanban_events["column"].astype(str))
    events = events.sort_values(["card_id", "at"], kind="stable")
    events["left"] = events.groupby("card_id")["at"].shift(-1)
    return events


def _flow(case) -> dict:
    """The board over its whole history, first event to last: arrivals, finishes, cycle and testing times,
    and the time-weighted WIP (cards between leaving the backlog and reaching done)."""
    import pandas as pd

    events = _board(case)
    first, last = events["at"].min(), events["at"].max()
    days = (last - first).total_seconds() / 86_400
    done = events[events["column"] == "done"].groupby("card_id")["at"].min()
    started = events[events["column"] == "in progress"].groupby("card_id")["at"].min()
    cycle = ((done - started.reindex(done.index)).dt.total_seconds() / 86_400)
    testing = events[(events["column"] == "testing") & events["card_id"].isin(done.index)]
    testing_days = (testing["left"] - testing["at"]).dt.total_seconds().groupby(testing["card_id"]).sum() / 86_400
    # WIP steps: +1 when a card starts, −1 when it is done; weighted by how long each level lasts.
    changes = pd.concat([pd.Series(1, index=started.values), pd.Series(-1, index=done.values)]).sort_index()
    level = changes.groupby(level=0).sum().cumsum()
    times = list(level.index) + [last]
    weighted = sum(level.iloc[i] * (times[i + 1] - times[i]).total_seconds() for i in range(len(level)))
    return {
        "window_days": days,
        "arrivals": events["card_id"].nunique(),
        "finished": len(done),
        "cycle_days": float(cycle.mean()),
        "testing_days": float(testing_days.mean()),
        "average_wip": weighted / 86_400 / days,
    }


# -- the answers -----------------------------------------------------------------------------------


def answers(case) -> dict:
    """Every graded answer of ps04 for the variant `case` holds."""
    path, te = critical_path(case.golive_tasks)
    pert = _pert(case.golive_tasks)
    sd = math.sqrt(float((pert.loc[path, "sd"] ** 2).sum()))
    training = _training_packages(case)
    cpi = training["ev"] / training["ac"]
    flow = _flow(case)
    throughput = flow["finished"] / flow["window_days"]
    predicted_wip = throughput * flow["cycle_days"]
    return {
        "sd_days": sd,
        "normal_chance_pct": 100 * _normal_cdf((GIVEN["deadline_days"] - te) / sd),
        # The task on the critical path whose uncertainty weighs most on the path's σ: narrowing it (more
        # trainers, more sessions) raises the chance most.
        "schedule_lever": str(pert.loc[path, "sd"].idxmax()),
        "training_cv": training["ev"] - training["ac"],
        "training_tcpi": (training["bac"] - training["ev"]) / (training["bac"] - training["ac"]),
        "training_eac": training["bac"] / cpi,
        "velocity_average": float(_velocities(case).loc[list(PLANNING_SPRINTS)].mean()),
        "arrivals_per_day": flow["arrivals"] / flow["window_days"],
        "testing_days": flow["testing_days"],
        "littles_law_holds": "yes" if abs(predicted_wip - flow["average_wip"]) <= 0.1 * flow["average_wip"]
        else "no",
    }


def key_figures(case) -> dict:
    """What an instructor checks ps04's written report against, for the variant `case` holds."""
    path, te = critical_path(case.golive_tasks)
    figures = answers(case)
    monthly = case.evm_monthly
    march = monthly[monthly["month"].dt.strftime("%Y-%m") == STATUS_MONTH].iloc[-1]
    pv, ev, ac = march["planned_value"], march["earned_value"], march["actual_cost"]
    bac = GIVEN["bac"]
    cpi, spi = ev / ac, ev / pv
    velocities = _velocities(case)
    flow = _flow(case)
    return {
        "critical path": " → ".join(path),
        "tE of the critical path (working days)": round(te, 2),
        "σ of the critical path (working days)": round(figures["sd_days"], 2),
        "chance of 50 working days, normal approximation (%)": round(figures["normal_chance_pct"], 1),
        "CPI / SPI at March": f"{cpi:.3f} / {spi:.3f}",
        "CV / SV at March ($)": f"{ev - ac:,.0f} / {ev - pv:,.0f}",
        "TCPI to BAC": f"{(bac - ev) / (bac - ac):.3f}",
        "EAC = BAC / CPI; CPI × SPI ($)": f"{bac / cpi:,.0f}; {ac + (bac - ev) / (cpi * spi):,.0f}",
        "VAC of BAC / CPI against the contingency left ($)": f"{bac - bac / cpi:,.0f} / {CONTINGENCY_LEFT:,.0f}",
        "training CV ($) / TCPI; its EAC = BAC / CPI ($)": (f"{figures['training_cv']:,.0f} / "
                                                           f"{figures['training_tcpi']:.3f}; "
                                                           f"{figures['training_eac']:,.0f}"),
        "velocity of sprint 6 / average of 4-6": f"{velocities.iloc[-1]:g} / {figures['velocity_average']:.2f}",
        "cycle time (days) / throughput (a day) / WIP": (f"{flow['cycle_days']:.2f} / "
                                                        f"{flow['finished'] / flow['window_days']:.3f} / "
                                                        f"{flow['average_wip']:.2f}"),
        "arrivals (a day) / time in testing (days)": (f"{figures['arrivals_per_day']:.2f} / "
                                                      f"{figures['testing_days']:.2f}"),
    }
