"""Per-learner numbers of the Harbourlight case (workbook ps02): a plain function of a seed.

What changes: the risks' monetary impacts, the schedule's three-point estimates, the actual costs
of the earned value table. What stays, so that the story and its judgements hold in every variant:

- each monetary impact stays within a fifth of the published one and in the same band of ps02's
  cost impact scale, so the evidence rates every risk as before, and any register's contingency
  reserve moves by at most a fifth: the one the teaching note's ratings suggest stays far above the
  sponsor's $200,000;
- T13, the EDC and IRT interfaces, keeps its estimates: ps02 prints them doubled (28, 40, 80);
- the critical path stays the published one (URS, vendor contract, specification, eTMF
  configuration, TMF migration, PQ, release); release within 150 working days stays unlikely but
  possible (a chance of 20 to 50 %); the critical path alone stays more hopeful than the simulation
  (merge bias);
  doubling the interfaces still sinks the date;
- the cost performance index stays below 1 every month and slides as published.

What an instructor checks a learner's memo against (`key_figures`) is in ps02's answer key,
workbooks/ps02-ctms-risk/answer_key.py, which is never released: this module ships with the kit.
"""

from __future__ import annotations

import random

VERSION = 1
DEADLINE_DAYS = 150
ITERATIONS = 20_000
INTERFACES = "T13"
#: ps02's cost impact scale on the $2.6 million budget: 10 %, 20 % and 40 % of it.
COST_BANDS = (260_000, 520_000, 1_040_000)
ATTEMPTS = 200


def generate(case, seed: int) -> dict:
    """The changed cells, ``{table: {row: {column: value}}}``, for `seed`."""
    rng = random.Random(seed)
    parameters = {"risks": _impacts(case, rng), "evm_monthly": _actual_costs(case, rng)}
    for _ in range(ATTEMPTS):
        estimates = _estimates(case, rng)
        if _schedule_holds(case, estimates):
            parameters["schedule"] = estimates
            return parameters
    raise RuntimeError(f"no schedule variant of {case.slug} keeps the teaching point for seed {seed}")


def _band(amount: float) -> int:
    return sum(amount >= edge for edge in COST_BANDS)


def _impacts(case, rng) -> dict:
    changed = {}
    for risk_id, published in zip(case.risks["id"], case.risks["monetary_impact"], strict=True):
        while True:
            amount = round(published * rng.uniform(0.8, 1.2) / 5_000) * 5_000
            if _band(amount) == _band(published) and amount > 0:
                break
        changed[risk_id] = {"monetary_impact": float(amount)}
    return changed


def _actual_costs(case, rng) -> dict:
    factor = rng.uniform(0.98, 1.06)
    return {
        month.date().isoformat(): {"actual_cost": float(round(cost * factor * rng.uniform(0.995, 1.005), -3))}
        for month, cost in zip(case.evm_monthly["month"], case.evm_monthly["actual_cost"], strict=True)
    }


def _three_point(row, factor: float) -> dict:
    optimistic, likely, pessimistic = (max(1, round(row[c] * factor)) for c in ("optimistic", "most_likely",
                                                                               "pessimistic"))
    likely = max(likely, optimistic)
    pessimistic = max(pessimistic, likely + 1)
    return {"optimistic": float(optimistic), "most_likely": float(likely), "pessimistic": float(pessimistic)}


def _estimates(case, rng) -> dict:
    overall = rng.uniform(0.97, 1.03)
    return {
        row["task_id"]: _three_point(row, overall * rng.uniform(0.9, 1.1))
        for _, row in case.schedule.iterrows() if row["task_id"] != INTERFACES
    }


def _with(case, estimates):
    tasks = case.schedule.copy()
    for column in ("optimistic", "most_likely", "pessimistic"):
        tasks[column] = [estimates.get(task_id, {}).get(column, value)
                         for task_id, value in zip(tasks["task_id"], tasks[column], strict=True)]
    return tasks


def _schedule_holds(case, estimates) -> bool:
    from math import erf, sqrt

    from hitpm_widgets.schedule import DEFAULT_SEED, critical_path, simulate

    tasks = _with(case, estimates)
    path = critical_path(tasks)
    # Cheap first: the path, and a length that can give a 20 to 50 % chance (the simulations cost more).
    if path.path != critical_path(case.schedule).path or not 148 <= path.expected_duration <= 155:
        return False
    chance = simulate(tasks, ITERATIONS, seed=DEFAULT_SEED).probability_by(DEADLINE_DAYS)
    sd = sqrt(sum(((tasks["pessimistic"] - tasks["optimistic"]) / 6)[tasks["task_id"].isin(path.path)] ** 2))
    path_alone = 0.5 * (1 + erf((DEADLINE_DAYS - path.expected_duration) / sd / sqrt(2)))
    if not (0.2 <= chance <= 0.5 and path_alone - chance >= 0.02):
        return False
    row = tasks["task_id"] == INTERFACES
    tasks.loc[row, ["optimistic", "most_likely", "pessimistic"]] *= 2
    doubled = simulate(tasks, ITERATIONS, seed=DEFAULT_SEED).probability_by(DEADLINE_DAYS)
    return doubled <= chance - 0.15

