"""Per-learner numbers of the One Chart case (workbook ps04): a plain function of a seed.

What changes: the go-live tasks' three-point estimates; the work packages' progress and actual
costs, and with them the monthly earned value figures; the integration team's story points; when
the build-fix team's cards reached done. What stays, so that the story and its judgements hold:

- the budget at completion ($14.4 million), the planned value, and training's 38 % against 45 %;
- the critical path stays training (G06, G07, G10) with the other paths well behind it, its tE below
  the 50 working days, and the chance of being ready between 45 and 88 %;
- the CPI stays below 1 and steady every month (a systematic overrun: BAC / CPI or the CPI × SPI
  forecast, never the one-off one), the SPI slides month by month, and finishing on budget needs a
  TCPI above 1.1;
- story points stay on the team's scale; sprint 6 still finishes fewer points than it committed; the
  go-live backlog of 75 points still needs three sprints at the average of sprints 4 to 6;
- a card's done moves only earlier, within working hours, after it entered testing: the board never
  breaks its WIP limits, and Little's law still holds within 10 %.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from hitpm_widgets.variants import draw_until_held

VERSION = 1
DEADLINE_DAYS = 50
TRAINING_PATH = ("G06", "G07", "G10")
BEHIND_PLAN = ("WP03", "WP04", "WP05", "WP06", "WP10", "WP11")  # training (WP08) stays at 38 % of 45 %
POINT_SCALE = (1, 2, 3, 5, 8, 13)
GO_LIVE_BACKLOG_POINTS = 75
WORKDAY = (8 * 60, 18 * 60)  # the board moves between 08:00 and 18:00, Monday to Friday
ATTEMPTS = 200


def generate(case, seed: int) -> dict:
    """The changed cells, ``{table: {row: {column: value}}}``, for `seed`."""
    rng = random.Random(seed)
    parameters = {}
    for name, draw, holds in ((("golive_tasks",), _estimates, _schedule_holds),
                              (("status_tasks", "evm_monthly"), _earned_value, _earned_value_holds),
                              (("sprint_stories",), _points, _velocity_holds),
                              (("kanban_events",), _done_times, _flow_holds)):
        parameters.update(draw_until_held(case, rng, draw, holds, attempts=ATTEMPTS, what=", ".join(name), seed=seed))
    return parameters


def changed(case, parameters: dict, table: str):
    """A copy of one of the case's tables with a draw's cells in place (for the checks below)."""
    frame = case.tables[table].copy()
    key = case.keys[table]
    labels = [_label(v) for v in frame[key]] if key else [str(i) for i in range(len(frame))]
    rows = parameters.get(table, {})
    for column in {column for cells in rows.values() for column in cells}:
        values = [rows.get(label, {}).get(column, value) for label, value in zip(labels, frame[column], strict=True)]
        frame[column] = pd_series(values, frame[column])
    return frame


def pd_series(values, like):
    import pandas as pd

    return pd.Series(values, index=like.index, dtype=like.dtype)


def _label(value) -> str:
    return value.date().isoformat() if hasattr(value, "date") and callable(value.date) else str(value)


# -- the work left before go-live --------------------------------------------------------------------


def _estimates(case, rng) -> dict:
    drawn = {}
    for _, row in case.golive_tasks.iterrows():
        if row["optimistic"] == row["pessimistic"]:
            continue  # a fixed-length meeting (the go/no-go vote)
        factor = rng.uniform(0.9, 1.1)
        optimistic, likely, pessimistic = (max(1, round(row[c] * factor))
                                           for c in ("optimistic", "most_likely", "pessimistic"))
        likely = max(likely, optimistic)
        pessimistic = max(pessimistic, likely + 1)
        drawn[row["task_id"]] = {"optimistic": float(optimistic), "most_likely": float(likely),
                                 "pessimistic": float(pessimistic)}
    return {"golive_tasks": drawn}


def _schedule_holds(case, drawn) -> bool:
    from hitpm_widgets.schedule import DEFAULT_SEED, critical_path, simulate

    tasks = changed(case, drawn, "golive_tasks")
    path = critical_path(tasks)
    if path.path != TRAINING_PATH or not 45 <= path.expected_duration < DEADLINE_DAYS - 0.3:
        return False
    others = path.frame.drop(index=list(TRAINING_PATH))
    if (others["slack"] < 5).any():
        return False
    chance = simulate(tasks, seed=DEFAULT_SEED).probability_by(DEADLINE_DAYS)
    return 0.45 <= chance <= 0.88


# -- earned value ------------------------------------------------------------------------------------


def _earned_value(case, rng) -> dict:
    tasks, monthly = case.status_tasks, case.evm_monthly
    cpi_ratio = rng.uniform(0.87, 0.93) / _cpi(monthly.iloc[-1])
    packages = {}
    for _, row in tasks.iterrows():
        cells = {}
        if row["task_id"] in BEHIND_PLAN:
            step = round(rng.uniform(-4.49, 3.49))
            cells["percent_complete"] = int(min(row["planned_percent"], max(1, row["percent_complete"] + step)))
        if row["actual_cost"] > 0:
            cells["actual_cost"] = int(round(row["actual_cost"] / cpi_ratio * rng.uniform(0.98, 1.02), -3))
        if cells:
            packages[row["task_id"]] = cells
    updated = changed(case, {"status_tasks": packages}, "status_tasks")
    earned = float((updated["budget"] * updated["percent_complete"] / 100).sum())
    spent = float(updated["actual_cost"].sum())
    last = monthly.iloc[-1]
    ev_shift = earned - last["earned_value"]
    cpi_last = earned / spent
    months = {}
    for i, row in monthly.iterrows():
        if i == len(monthly) - 1:
            ev, ac = earned, spent
        else:
            ev = round(row["earned_value"] + ev_shift * row["planned_value"] / last["planned_value"], -3)
            ac = round(ev / (_cpi(row) * cpi_last / _cpi(last)), -3)
        months[_label(row["month"])] = {"earned_value": float(ev), "actual_cost": float(ac)}
    return {"status_tasks": packages, "evm_monthly": months}


def _cpi(row) -> float:
    return row["earned_value"] / row["actual_cost"]


def _earned_value_holds(case, drawn) -> bool:
    monthly = changed(case, drawn, "evm_monthly")
    tasks = changed(case, drawn, "status_tasks")
    bac = float(tasks["budget"].sum())
    cpi = monthly["earned_value"] / monthly["actual_cost"]
    spi = monthly["earned_value"] / monthly["planned_value"]
    last = monthly.iloc[-1]
    tcpi = (bac - last["earned_value"]) / (bac - last["actual_cost"])
    return bool((cpi < 1).all() and (cpi - cpi.iloc[-1]).abs().max() <= 0.02
                and (spi.diff().iloc[1:] < 0).all() and 0.88 <= spi.iloc[-1] <= 0.97
                and (tasks["percent_complete"] <= tasks["planned_percent"]).all() and tcpi > 1.1)


# -- the integration team's story points -------------------------------------------------------------


def _points(case, rng) -> dict:
    drawn = {}
    for story_id, points in zip(case.sprint_stories["story_id"], case.sprint_stories["points"], strict=True):
        place = POINT_SCALE.index(points)
        move = rng.random()
        place += -1 if move < 0.2 else 1 if move > 0.8 else 0
        place = min(len(POINT_SCALE) - 1, max(0, place))
        if POINT_SCALE[place] != points:
            drawn[story_id] = {"points": POINT_SCALE[place]}
    return {"sprint_stories": drawn}


def _velocity_holds(case, drawn) -> bool:
    from hitpm_widgets.agile import burndown, velocity

    stories = changed(case, drawn, "sprint_stories")
    velocities = velocity(stories, case.sprints)["velocity"]
    last = case.sprints.iloc[-1]
    committed = burndown(stories[stories["sprint"] == last["sprint"]], last["start"], last["end"])["scope"].iloc[0]
    average = velocities.iloc[-3:].mean()
    return bool(committed - velocities.iloc[-1] >= 3 and -(-GO_LIVE_BACKLOG_POINTS // average) == 3)


# -- the build-fix team's board ----------------------------------------------------------------------


def _working_minutes(moment: datetime) -> int:
    monday = datetime(2025, 3, 3)
    days = (moment.date() - monday.date()).days
    weeks, weekday = divmod(days, 7)
    minute = min(max(moment.hour * 60 + moment.minute, WORKDAY[0]), WORKDAY[1]) - WORKDAY[0]
    return (weeks * 5 + min(weekday, 5)) * (WORKDAY[1] - WORKDAY[0]) + minute


def _from_working_minutes(minutes: int) -> datetime:
    length = WORKDAY[1] - WORKDAY[0]
    days, minute = divmod(minutes, length)
    weeks, weekday = divmod(days, 5)
    return datetime(2025, 3, 3) + timedelta(days=weeks * 7 + weekday, minutes=WORKDAY[0] + minute)


def _done_times(case, rng) -> dict:
    events = case.kanban_events
    entered_testing = {}
    drawn = {}
    # How much faster testing went for this variant: the cycle times shift together, not only jitter.
    faster = rng.uniform(0.1, 0.7)
    for position, (card, column, at) in enumerate(zip(events["card_id"], events["column"], events["at"], strict=True)):
        moment = datetime.strptime(at, "%Y-%m-%d %H:%M")
        if column == "testing":
            entered_testing[card] = moment
        elif column == "done" and card in entered_testing:
            start, end = _working_minutes(entered_testing[card]), _working_minutes(moment)
            earlier = round((end - start) * rng.uniform(0.0, faster))
            if earlier > 0:
                drawn[str(position)] = {"at": f"{_from_working_minutes(end - earlier):%Y-%m-%d %H:%M}"}
    return {"kanban_events": drawn}


def _flow_holds(case, drawn) -> bool:
    from hitpm_widgets.agile import KanbanBoard

    events = changed(case, drawn, "kanban_events")
    law = KanbanBoard.from_events(events, ["backlog", "in progress", "testing", "done"],
                                  {"in progress": 4, "testing": 3}).littles_law()
    return abs(law["relative_gap"]) <= 0.10

