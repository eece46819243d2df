"""Per-learner numbers of the go-live case (workbook ps08): a plain function of a seed.

What changes: the run sheet's task hours; the restore hours and the last clean backups of the downtime
exercise; a few likelihood levels of the risk analysis; how often each alert fired and was overridden.
What stays, so that the story and its judgements hold:

- the pharmacy chain (freeze, extract, census load, pharmacists' entry, second check) stays the longest path
  to the go/no-go call, and it reaches the call between 15 minutes and an hour after the 04:00 limit; the
  nurses' path stays behind it, sometimes within the hour (so which single task can win the hour back
  differs between learners); the lab, radiology and device paths stay well clear;
- the restore plan misses at least one system's RTO and meets at least one, and the backups miss at least one
  system's RPO and meet at least one;
- three to six risks stay at high or very high, and multiplying the levels as numbers (1 to 5, a product of 12
  or more) still gives another list than NIST's matrix;
- at least three alerts reach each of the committee's thresholds, no mild alert's rate sits within 0.2 points
  of a threshold, and the severe anaphylaxis alert is still overridden 95 % of the time or more.

The checks below look at sums over the paths this run sheet has and at counts; they are not a scheduler.
"""

from __future__ import annotations

import random

from hitpm_widgets.variants import draw_until_held

VERSION = 1
ATTEMPTS = 400
CHECKPOINT_DEADLINE = 9.0
# The paths of the published run sheet into the go/no-go call (C13), by task.
PHARMACY = ("C01", "C02", "C03", "C06", "C07")
NURSING = ("C01", "C02", "C03", "C04", "C11")
CLEAR_OF_THE_CALL = (("C01", "C02", "C03", "C08", "C09"), ("C01", "C02", "C03", "C10"), ("C01", "C12"),
                     ("C01", "C05", "C06", "C07"))
FIXED_TASKS = ("C01", "C13", "C14")  # the freeze, the call and the opening take the time they are given
ATTACK_MINUTE = 2 * 60  # 02:00 on the exercise's Tuesday
LEVELS = ("very low", "low", "moderate", "high", "very high")
MATRIX = {
    "very high": ("very low", "low", "moderate", "high", "very high"),
    "high": ("very low", "low", "moderate", "high", "very high"),
    "moderate": ("very low", "low", "moderate", "moderate", "high"),
    "low": ("very low", "low", "low", "low", "moderate"),
    "very low": ("very low", "very low", "very low", "low", "low"),
}
MOVABLE_RISKS = ("R02", "R03", "R04", "R05", "R08", "R10", "R11")
THRESHOLDS = (85.0, 95.0)
ANAPHYLAXIS = "A05"


def generate(case, seed: int) -> dict:
    """The changed cells, ``{table: {row: {column: value}}}``, for `seed`."""
    rng = random.Random(seed)
    parameters = {}
    for name, draw, holds in (("cutover_tasks", _hours, _run_sheet_holds),
                              ("downtime_systems", _restores, _recovery_holds),
                              ("security_risks", _likelihoods, _risks_hold),
                              ("alert_overrides", _alert_counts, _alerts_hold)):
        parameters[name] = draw_until_held(case, rng, draw, holds, attempts=ATTEMPTS, what=name, seed=seed)
    return parameters


def _cells(case, table: str, drawn: dict, column: str) -> dict:
    frame = case.tables[table]
    key = case.keys[table]
    return {str(k): drawn.get(str(k), {}).get(column, v) for k, v in zip(frame[key], frame[column], strict=True)}


# -- the run sheet ---------------------------------------------------------------------------------------


def _hours(case, rng) -> dict:
    drawn = {}
    for task, hours in zip(case.cutover_tasks["task_id"], case.cutover_tasks["hours"], strict=True):
        if task in FIXED_TASKS:
            continue
        new = max(0.5, round(float(hours) * rng.uniform(0.8, 1.25) * 4) / 4)
        if new != hours:
            drawn[task] = {"hours": new}
    return drawn


def _run_sheet_holds(case, drawn) -> bool:
    hours = _cells(case, "cutover_tasks", drawn, "hours")

    def length(path):
        return sum(hours[t] for t in path)

    pharmacy, nursing = length(PHARMACY), length(NURSING)
    return (CHECKPOINT_DEADLINE + 0.25 <= pharmacy <= CHECKPOINT_DEADLINE + 1.0
            and nursing <= pharmacy - 0.25 and nursing >= CHECKPOINT_DEADLINE - 1.0
            and all(length(path) <= CHECKPOINT_DEADLINE - 0.5 for path in CLEAR_OF_THE_CALL)
            and all(hours[t] >= 1.0 for t in ("C02", "C03", "C06", "C07")))


# -- the downtime exercise -------------------------------------------------------------------------------


def _restores(case, rng) -> dict:
    drawn = {}
    systems = case.downtime_systems
    for system, hours, backup in zip(systems["system_id"], systems["restore_hours"], systems["last_clean_backup"],
                                     strict=True):
        cells = {}
        new_hours = max(1, int(hours) + rng.choice((-1, 0, 0, 1)))
        if new_hours != hours:
            cells["restore_hours"] = new_hours
        day, time = backup.split(" ")
        minutes = int(time[:2]) * 60 + int(time[3:]) + 30 * rng.choice((-2, -1, 0, 0, 1))
        if day == "2025-08-19":
            minutes = min(minutes, ATTACK_MINUTE - 15)
        minutes = max(0, min(minutes, 23 * 60 + 45))
        new_backup = f"{day} {minutes // 60:02d}:{minutes % 60:02d}"
        if new_backup != backup:
            cells["last_clean_backup"] = new_backup
        if cells:
            drawn[system] = cells
    return drawn


def _recovery_holds(case, drawn) -> bool:
    systems = case.downtime_systems
    restore = _cells(case, "downtime_systems", drawn, "restore_hours")
    backups = _cells(case, "downtime_systems", drawn, "last_clean_backup")
    order = sorted(systems["system_id"], key=dict(zip(systems["system_id"], systems["restore_order"],
                                                          strict=True)).get)
    rto = dict(zip(systems["system_id"], systems["rto_hours"], strict=True))
    rpo = dict(zip(systems["system_id"], systems["rpo_hours"], strict=True))
    late, elapsed = [], 8
    for system in order:
        elapsed += restore[system]
        late.append(elapsed > rto[system])

    def age(stamp: str) -> float:
        day, time = stamp.split(" ")
        minutes = int(time[:2]) * 60 + int(time[3:]) - (24 * 60 if day == "2025-08-18" else 0)
        minutes -= 24 * 60 * (day < "2025-08-18")
        return (ATTACK_MINUTE - minutes) / 60

    # Only backups of the 17th to the 19th are in the table: one day's step is enough here.
    lost = [age(backups[s]) > rpo[s] for s in order]
    boundary = [abs(age(backups[s]) - rpo[s]) < 0.25 and age(backups[s]) != rpo[s] for s in order]
    return 0 < sum(late) < len(late) and 0 < sum(lost) < len(lost) and not any(boundary)


# -- the risk analysis -----------------------------------------------------------------------------------


def _likelihoods(case, rng) -> dict:
    drawn = {}
    risks = case.security_risks
    levels = dict(zip(risks["risk_id"], risks["likelihood"].astype(str), strict=True))
    for risk in rng.sample(MOVABLE_RISKS, 3):
        # never down to very low: no risk of the published analysis is there, so it is no category of the table
        place = min(len(LEVELS) - 1, max(1, LEVELS.index(levels[risk]) + rng.choice((-1, 1))))
        if LEVELS[place] != levels[risk]:
            drawn[risk] = {"likelihood": LEVELS[place]}
    return drawn


def _risks_hold(case, drawn) -> bool:
    likelihood = _cells(case, "security_risks", drawn, "likelihood")
    impact = {k: str(v) for k, v in _cells(case, "security_risks", {}, "impact").items()}
    high = {r for r in likelihood if MATRIX[str(likelihood[r])][LEVELS.index(impact[r])] in ("high", "very high")}
    product = {r for r in likelihood if (LEVELS.index(str(likelihood[r])) + 1) * (LEVELS.index(impact[r]) + 1) >= 12}
    return 3 <= len(high) <= 6 and product != high


# -- the alerts ------------------------------------------------------------------------------------------


def _alert_counts(case, rng) -> dict:
    drawn = {}
    for row in case.alert_overrides.itertuples():
        fired = max(40, round(row.fired * rng.uniform(0.85, 1.15)))
        rate = row.overridden / row.fired + rng.uniform(-0.015, 0.015)
        if row.alert_id == ANAPHYLAXIS:
            rate = rng.uniform(0.95, 0.97)
        overridden = min(fired, round(fired * rate))
        changed = min(fired - overridden, round(row.orders_changed * fired / row.fired))
        drawn[row.alert_id] = {"fired": fired, "overridden": overridden, "orders_changed": changed}
    return drawn


def _alerts_hold(case, drawn) -> bool:
    alerts = case.alert_overrides
    severe = dict(zip(alerts["alert_id"], alerts["severe"].astype(bool), strict=True))
    rates = {a: 100 * cells["overridden"] / cells["fired"] for a, cells in drawn.items()}
    mild = {a: rate for a, rate in rates.items() if not severe[a]}
    near = any(abs(rate - threshold) < 0.2 for rate in mild.values() for threshold in THRESHOLDS)
    retired = sum(rate >= THRESHOLDS[1] for rate in mild.values())
    tiered = sum(THRESHOLDS[0] <= rate < THRESHOLDS[1] for rate in mild.values())
    return not near and retired >= 3 and tiered >= 3 and rates[ANAPHYLAXIS] >= THRESHOLDS[1]
