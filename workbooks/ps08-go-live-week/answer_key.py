"""ps08-go-live-week: the answer key (instructors only; never released, never in the learner package).

Every graded figure and list is computed here from the go-live case's tables with pandas and plain Python, for
whatever variant `case` holds, never with hitpm_widgets' tools (a learner has those). The kit's schedule tools
take three-point estimates in days and give a project's critical path; what ps08 grades is the learner's own
forward and backward pass over a run sheet in hours, against a checkpoint deadline the tools know nothing of.
The hidden tests, the pipeline spec (tests/pipeline/specs/ps08.py), the case's variant generator
(cases/emr-go-live/variants.py) and the README's points table all read this file.
"""

from __future__ import annotations

ASSIGNMENT = "ps08-go-live-week"
CASE = "emr-go-live"

POINTS = {
    "ps08-test-checkpoint": 1,
    "ps08-test-lab-latest-start": 1,
    "ps08-test-shorten": 1,
    "ps08-test-staffing-service": 1,
    "ps08-test-staffing-cost": 1,
    "ps08-test-chart-down": 1,
    "ps08-test-rto": 1,
    "ps08-test-rpo": 1,
    "ps08-test-risk-levels": 1,
    "ps08-test-security-rule": 1,
    "ps08-test-retire": 1,
    "ps08-test-tier": 1,
    "ps08-test-interruptions": 1,
}
MANUAL = {"ps08-answer-memo": 5}

#: What the workbook states to the learner.
GIVEN = {}
#: The run sheet: hour 0 is the freeze at 19:00 on Friday 13 June 2025. The go/no-go call must start by 04:00
#: (hour 9), so that a rollback to the legacy systems (three hours) is done before the day shift at 07:00.
CHECKPOINT = "C13"
CHECKPOINT_DEADLINE_HOURS = 9.0
LAB_SWITCH = "C08"
SHORTENED_BY_HOURS = 1.0  # the question: which task, one hour shorter, brings the checkpoint back in time
#: The downtime exercise: encryption at 02:00 on Tuesday 19 August 2025; containment and a clean rebuild of
#: the network take 8 hours before the first restore starts; then one restore at a time, in the plan's order.
ATTACK = "2025-08-19 02:00"
CONTAINMENT_HOURS = 8
CHART = "S1"
#: NIST SP 800-30 Rev. 1, Table I-2: the level of risk from the overall likelihood (rows) and the level of
#: impact (columns), both very low to very high. The workbook shows the same matrix.
LEVELS = ["very low", "low", "moderate", "high", "very high"]
RISK_MATRIX = {
    "very high": ["very low", "low", "moderate", "high", "very high"],
    "high": ["very low", "low", "moderate", "high", "very high"],
    "moderate": ["very low", "low", "moderate", "moderate", "high"],
    "low": ["very low", "low", "low", "low", "moderate"],
    "very low": ["very low", "very low", "very low", "low", "low"],
}
#: The alert committee's rule over the first 28 days: retire at an override rate of 95 % or more, make
#: non-interruptive (a passive notice) from 85 % up to 95 %, keep interruptive below 85 %; an alert marked
#: severe stays interruptive whatever its rate.
ALERT_DAYS = 28
RETIRE_FROM_PCT, TIER_FROM_PCT = 95.0, 85.0

#: The command centre: the learner's plan is graded under the grader's own replications and seed (not the
#: learner's), with the learner's triage rule. A plan meets the service level when, on every go-live day, each
#: severity's share of tickets answered within its target (the tickets of all the grader's replications
#: together) reaches the target share: Kwame's rule, stricter than the simulation's weekly figure.
GRADER_SEED = 4_242
GRADER_REPLICATIONS = 10
#: The cheapest plan the authors found that meets the service level with a margin (REFERENCE_PLAN below, by a
#: search over the shifts with the simulation), and how far above its cost a plan may be for the cost point.
COST_SLACK = 0.05
REFERENCE_TRIAGE = "severity-preemptive"
#: {go-live day: (day, evening, night)}: found by taking people off one shift at a time while every day still
#: met its targets, then adding back where six other seeds of 10 replications each missed a day (margin 0.01).
#: It costs $90,368; the cost point's limit is 5 % above.
REFERENCE_ANALYSTS = {1: (4, 4, 2), 2: (3, 3, 1), 3: (4, 5, 2), 4: (3, 4, 2), 5: (2, 3, 1), 6: (2, 2, 2), 7: (2, 2, 1)}
REFERENCE_SUPER_USERS = {1: (8, 6, 3), 2: (8, 5, 2), 3: (9, 7, 3), 4: (7, 5, 2),
                         5: (6, 4, 3), 6: (5, 4, 1), 7: (4, 3, 2)}
REFERENCE_PLAN = [{"go_live_day": day, "shift": shift, "analysts": REFERENCE_ANALYSTS[day][place],
                   "super_users": REFERENCE_SUPER_USERS[day][place]}
                  for day in range(1, 8) for place, shift in enumerate(("day", "evening", "night"))]

TOLERANCES = {
    "chart_down_hours": 0.01,
    "interruptions_removed_per_day": 1.0,
}

#: The run sheet's two times are answered as clock times (HH:MM, 24-hour): how a run sheet is read on the night.
FREEZE_HOUR = 19


def clock(hours_after_freeze: float) -> str:
    """The clock time `hours_after_freeze` hours after the freeze at 19:00 (HH:MM)."""
    minutes = round((FREEZE_HOUR + hours_after_freeze) * 60) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def clock_spellings(time: str) -> list[str]:
    """The ways a learner may write a clock time: 04:30 and 4:30."""
    hours, minutes = time.split(":")
    return sorted({time, f"{int(hours)}:{minutes}"})


#: The options the answer sheet offers for the Security Rule (the notebook's widget cell lists the same).
SECURITY_RULE_OPTIONS = [
    "A yearly penetration test by an outside firm",
    "Certification of the hospital's systems against NIST SP 800-30",
    "An accurate and thorough risk analysis of the risks to ePHI, and measures that reduce them to a reasonable "
    "and appropriate level",
    "Encryption of all ePHI, at rest and in transit, with no exception",
]
ACCEPTED = {
    # 164.308(a)(1)(ii)(A) and (B): risk analysis and risk management; encryption is addressable, NIST's guides
    # are guidance, not a certification, and the rule names no penetration test.
    "security_rule_requires": [SECURITY_RULE_OPTIONS[2]],
}


# -- the run sheet ---------------------------------------------------------------------------------------


def _predecessors(value) -> list[str]:
    if not isinstance(value, str):
        return []
    return [p.strip() for p in value.split(";") if p.strip()]


def forward_pass(tasks, hours=None) -> dict[str, tuple[float, float]]:
    """{task: (earliest start, earliest finish)} in hours from the freeze; `hours` overrides durations."""
    durations = dict(zip(tasks["task_id"], tasks["hours"].astype(float), strict=True))
    durations.update(hours or {})
    before = dict(zip(tasks["task_id"], tasks["predecessors"].map(_predecessors), strict=True))
    times: dict[str, tuple[float, float]] = {}
    while len(times) < len(before):
        for task, after in before.items():
            if task not in times and all(p in times for p in after):
                start = max((times[p][1] for p in after), default=0.0)
                times[task] = (start, start + durations[task])
    return times


def latest_start_by(tasks, task: str, deadline_task: str, deadline: float) -> float:
    """The latest start of `task` that lets `deadline_task` start by `deadline`: a backward pass."""
    durations = dict(zip(tasks["task_id"], tasks["hours"].astype(float), strict=True))
    successors: dict[str, list[str]] = {t: [] for t in durations}
    for t, value in zip(tasks["task_id"], tasks["predecessors"], strict=True):
        for p in _predecessors(value):
            successors[p].append(t)
    latest: dict[str, float] = {deadline_task: deadline}

    def start(t: str) -> float:
        if t not in latest:
            reach = [start(s) for s in successors[t] if _reaches(s, deadline_task, successors)]
            latest[t] = min(reach) - durations[t]
        return latest[t]

    return start(task)


def _reaches(task: str, target: str, successors) -> bool:
    return task == target or any(_reaches(s, target, successors) for s in successors[task])


def _run_sheet(case) -> dict:
    tasks = case.cutover_tasks
    checkpoint = forward_pass(tasks)[CHECKPOINT][0]
    helps = []  # the tasks that, one hour shorter each alone, bring the call to hour 9 (04:00)
    for task, hours in zip(tasks["task_id"], tasks["hours"].astype(float), strict=True):
        if hours < SHORTENED_BY_HOURS or task == CHECKPOINT:
            continue  # only a task of an hour or more can lose an hour
        shorter = forward_pass(tasks, {task: hours - SHORTENED_BY_HOURS})[CHECKPOINT][0]
        if shorter <= CHECKPOINT_DEADLINE_HOURS + 1e-9:
            helps.append(task)
    return {
        "checkpoint_start": clock(checkpoint),
        "lab_switch_latest_start": clock(latest_start_by(tasks, LAB_SWITCH, CHECKPOINT, CHECKPOINT_DEADLINE_HOURS)),
        "shorten_one_hour": sorted(helps),
    }


# -- the downtime exercise -------------------------------------------------------------------------------


def _recovery(case):
    """Each system's hours down (from the attack until restored) and hours of data lost."""
    import pandas as pd

    systems = case.downtime_systems.sort_values("restore_order")
    attack = pd.Timestamp(ATTACK)
    down = CONTAINMENT_HOURS + systems["restore_hours"].cumsum()
    lost = (attack - pd.to_datetime(systems["last_clean_backup"])).dt.total_seconds() / 3600
    return systems.assign(down_hours=down, lost_hours=lost)


def _downtime(case) -> dict:
    systems = _recovery(case)
    return {
        "chart_down_hours": float(systems.loc[systems["system_id"] == CHART, "down_hours"].iloc[0]),
        "rto_missed": sorted(systems.loc[systems["down_hours"] > systems["rto_hours"], "system_id"]),
        "rpo_missed": sorted(systems.loc[systems["lost_hours"] > systems["rpo_hours"], "system_id"]),
    }


# -- the risk analysis and the alerts --------------------------------------------------------------------


def risk_level(likelihood: str, impact: str) -> str:
    return RISK_MATRIX[str(likelihood)][LEVELS.index(str(impact))]


def _risks(case) -> dict:
    risks = case.security_risks
    levels = [risk_level(lk, im) for lk, im in zip(risks["likelihood"], risks["impact"], strict=True)]
    return {"high_risks": sorted(r for r, level in zip(risks["risk_id"], levels, strict=True)
                                 if level in ("high", "very high"))}


def _alert_rates(case):
    alerts = case.alert_overrides
    return alerts.assign(rate_pct=100 * alerts["overridden"] / alerts["fired"])


def _alerts(case) -> dict:
    alerts = _alert_rates(case)
    mild = ~alerts["severe"].astype(bool)
    retire = mild & (alerts["rate_pct"] >= RETIRE_FROM_PCT)
    tier = mild & (alerts["rate_pct"] >= TIER_FROM_PCT) & ~retire
    return {
        "retire_alerts": sorted(alerts.loc[retire, "alert_id"]),
        "tier_alerts": sorted(alerts.loc[tier, "alert_id"]),
        "interruptions_removed_per_day": float(alerts.loc[retire | tier, "fired"].sum() / ALERT_DAYS),
    }


# -- the command centre (graded with the simulation: the plan is the learner's, the replications the grader's) --


def staffing_shortfalls(case, plan, triage: str) -> list[str]:
    """Each go-live day and severity whose share of tickets within target misses its target share, under the
    grader's replications: [] when the plan meets the service level."""
    # Both staffing cells ask: simulate once per plan (the test kernel imports this key once).
    records = tuple(tuple(sorted(row.items())) for row in plan.to_records())
    if (id(case), records, triage) not in _SIMULATED:
        _SIMULATED[id(case), records, triage] = _shortfalls(case, plan, triage)
    return list(_SIMULATED[id(case), records, triage])


_SIMULATED: dict = {}


def _shortfalls(case, plan, triage) -> tuple[str, ...]:
    from hitpm_widgets.command_centre import CommandCentre

    centre = CommandCentre.from_case(case)
    tickets = centre.run(plan, triage, GRADER_REPLICATIONS, GRADER_SEED).tickets
    share = tickets.groupby([tickets["hour_of_week"] // 24 + 1, "severity"], observed=True)["within_target"].mean()
    missed = []
    for (day, severity), within in share.items():
        target = centre.severities[str(severity)].target_share
        if within < target:
            missed.append(f"go-live day {day}, {severity}: {100 * within:.1f} % within target against "
                          f"{100 * target:.0f} %")
    return tuple(missed)


def reference_plan():
    """The authors' plan (see REFERENCE_PLAN): the plan a grader compares a learner's cost with."""
    from hitpm_widgets.command_centre import StaffingPlan

    return StaffingPlan.from_records(REFERENCE_PLAN)


def staffing_cost_limit(case) -> float:
    from hitpm_widgets.command_centre import CommandCentre

    return CommandCentre.from_case(case).cost(reference_plan()) * (1 + COST_SLACK)


def check_staffing(case, staffing, *, cost: bool) -> None:
    """The hidden tests of the staffing cells: the service level under the grader's replications, and with
    `cost`, a cost within COST_SLACK of the reference plan's."""
    missed = staffing_shortfalls(case, staffing.plan, staffing.triage)
    assert not missed, ("Under the grader's replications your plan misses the service level: "
                        + "; ".join(missed[:4]) + (" ..." if len(missed) > 4 else "")
                        + ". Check every day and severity with more replications and leave a margin.")
    if cost:
        limit = staffing_cost_limit(case)
        assert staffing.cost <= limit, (
            f"Your plan meets the service level but costs ${staffing.cost:,.0f}: more than 5 % above the "
            "cheapest plan the course's authors found. Look for shifts where fewer people still meet every "
            "day's targets.")


def answers(case) -> dict:
    """Every autograded number and list of ps08, for the variant `case` holds."""
    return {**_run_sheet(case), **_downtime(case), **_risks(case), **_alerts(case)}


def key_figures(case) -> dict:
    """What a grader checks the go/no-go memo against, for the variant `case` holds (rounded as a reader
    would quote them)."""
    tasks = case.cutover_tasks
    times = forward_pass(tasks)
    finish = max(end for _, end in times.values())
    figures = answers(case)
    systems = _recovery(case)
    return {
        "run sheet: the call's earliest start (limit 04:00)": figures["checkpoint_start"],
        "run sheet: earliest finish (One Chart open)": clock(finish),
        "run sheet: tasks that, one hour shorter, bring the checkpoint in time":
            ", ".join(figures["shorten_one_hour"]),
        "downtime: hours down by system (RTO)": {row.system_id: f"{row.down_hours:g} ({row.rto_hours})"
                                                 for row in systems.itertuples()},
        "downtime: hours of data lost by system (RPO)": {row.system_id: f"{row.lost_hours:g} ({row.rpo_hours})"
                                                         for row in systems.itertuples()},
        "risks at high or very high": ", ".join(figures["high_risks"]),
    }
