"""Answer key of ps02-ctms-risk: never released (see hitpm_widgets/grading/answer_key.py).

Every graded figure and list is computed here from the pharma-ctms case's tables (the learner's own variant
in a class) with pandas and the lessons' formulas, never with the kit's tools (a learner has those):
PERT tE = (O + 4M + P) / 6 and σ = (P − O) / 6 per activity, a path's tE the sum and its σ = √Σσ², the
chance of a date on one path from the normal distribution; the quality unit's release rules on the
traceability matrix.
"""

from __future__ import annotations

from math import erf, sqrt

ASSIGNMENT = "ps02-ctms-risk"
CASE = "pharma-ctms"

POINTS = {
    "ps02-test-register-complete": 1,
    "ps02-test-bands-release": 1,
    "ps02-test-bands-smaller": 1,
    "ps02-test-responses": 2,
    "ps02-test-reserve": 2,
    "ps02-test-schedule": 2,
    "ps02-test-schedule-interfaces": 1,
    "ps02-test-traceability-unverified": 1,
    "ps02-test-traceability-retest": 1,
}
MANUAL = {"ps02-answer-memo": 4}

#: What the workbook states, by the keyword names the kit's tools take.
GIVEN = {"deadline_days": 150, "iterations": 20_000, "bac": 2_600_000}
#: The sponsor's contingency reserve (US dollars), which task 2 compares with the register's.
SPONSOR_RESERVE = 200_000
#: The interfaces path of task 3 (the workbook lists it): the EDC and IRT interfaces (T13) through the
#: configuration freeze and OQ to PQ and release. It is not the critical path of the plan as given.
INTERFACES = "T13"
INTERFACES_PATH = ("T01", "T04", "T05", "T06", "T07", "T13", "T15", "T24", "T25", "T27", "T28", "T29", "T30",
                   "T35", "T36", "T37")
#: Deviations of these severities block release whatever the requirement (E05, E07).
BLOCKING_SEVERITIES = ("critical", "major")

TOLERANCES = {
    "contingency_reserve": 1_000,  # against the learner's own register
    "interfaces_path_te_days": 0.5,
    "interfaces_path_sd_days": 0.2,
    "interfaces_doubled_path_chance_pct": 1.0,
}

#: The judgements, with every answer the evidence supports.
ACCEPTED = {
    "bands_release": {"R1": ["high"], "R2": ["medium", "high"], "R3": ["high"], "R4": ["medium", "high"],
                      "R5": ["medium", "high"], "R6": ["medium", "high"]},
    "bands_smaller": {"R7": ["low", "medium"], "R8": ["low", "medium"], "R10": ["low", "medium"]},
    "responses_threats": {"R1": ["mitigate", "avoid", "escalate"], "R3": ["mitigate", "avoid", "escalate"],
                          "R4": ["avoid", "mitigate"], "R5": ["mitigate", "avoid"], "R6": ["mitigate", "avoid"]},
    "responses_opportunities": {"R10": ["exploit", "enhance"]},
    "reserve_enough": ["no"],
}


def _pert(schedule):
    """Each activity's PERT tE and σ, by task id."""
    tasks = schedule.set_index("task_id")
    te = (tasks["optimistic"] + 4 * tasks["most_likely"] + tasks["pessimistic"]) / 6
    sd = (tasks["pessimistic"] - tasks["optimistic"]) / 6
    return te, sd


def _path(schedule) -> tuple[float, float]:
    te, sd = _pert(schedule)
    path = list(INTERFACES_PATH)
    return float(te[path].sum()), float(sqrt((sd[path] ** 2).sum()))


def _chance_by(deadline: float, te: float, sd: float) -> float:
    """The normal distribution's chance of finishing within `deadline`, in per cent."""
    return 100 * 0.5 * (1 + erf((deadline - te) / sd / sqrt(2)))


def _interfaces_doubled(schedule):
    doubled = schedule.copy()
    row = doubled["task_id"] == INTERFACES
    doubled.loc[row, ["optimistic", "most_likely", "pessimistic"]] *= 2
    return doubled


def _traced(tests):
    """One row a (test, requirement) pair: `covers` split on ';'."""
    pairs = tests.assign(req_id=tests["covers"].str.split(";")).explode("req_id")
    pairs["req_id"] = pairs["req_id"].str.strip()
    return pairs.dropna(subset=["req_id"])


def _unverified_gxp(requirements, tests) -> list[str]:
    """GxP-critical requirements not verified: no test traces to them, or one of their tests has not passed."""
    passed = _traced(tests).groupby("req_id")["status"].agg(lambda status: bool((status == "passed").all()))
    gxp = requirements.loc[requirements["gxp_critical"], "req_id"]
    return [req for req in gxp if not passed.get(req, False)]


def _blocking_tests(requirements, tests) -> list[str]:
    """Failed tests that block release: a critical or major deviation, no severity judged yet, or a trace to a
    GxP-critical requirement (whatever the severity)."""
    gxp = set(requirements.loc[requirements["gxp_critical"], "req_id"])
    failed = _traced(tests.loc[tests["status"] == "failed"]).groupby("test_id")["req_id"].agg(set)
    blocking = []
    for _, test in tests.loc[tests["status"] == "failed"].iterrows():
        severity = test["severity_if_failed"]
        unjudged = not isinstance(severity, str) or not severity.strip()
        if unjudged or severity in BLOCKING_SEVERITIES or failed.get(test["test_id"], set()) & gxp:
            blocking.append(test["test_id"])
    return blocking


def _retest(requirements, tests) -> list[str]:
    """The requirements the blocking failures trace to: what must be fixed and re-tested before QA can sign."""
    blocking = _blocking_tests(requirements, tests)
    traced = set(_traced(tests.loc[tests["test_id"].isin(blocking)])["req_id"])
    return [req for req in requirements["req_id"] if req in traced]


def answers(case) -> dict:
    te, sd = _path(case.schedule)
    doubled_te, doubled_sd = _path(_interfaces_doubled(case.schedule))
    return {
        "interfaces_path_te_days": te,
        "interfaces_path_sd_days": sd,
        "interfaces_doubled_path_chance_pct": _chance_by(GIVEN["deadline_days"], doubled_te, doubled_sd),
        "unverified_gxp": _unverified_gxp(case.requirements, case.test_scripts),
        "retest_before_release": _retest(case.requirements, case.test_scripts),
    }


def key_figures(case) -> dict:
    """What an instructor checks ps02's written work (the memo) against: money, the date and the what-if, for
    whatever variant `case` holds. The simulation's figures come from the workbook's seeded simulation."""
    from hitpm_widgets.schedule import DEFAULT_SEED, simulate

    risks = case.risks.set_index("id")["monetary_impact"]
    plan = simulate(case.schedule, GIVEN["iterations"], seed=DEFAULT_SEED)
    doubled = simulate(_interfaces_doubled(case.schedule), GIVEN["iterations"], seed=DEFAULT_SEED)
    last = case.evm_monthly.iloc[-1]
    cpi = last["earned_value"] / last["actual_cost"]
    return {
        "monetary impacts R1-R10 ($)": ", ".join(f"{amount:,.0f}" for amount in risks),
        "chance of 150 working days (%)": round(100 * plan.probability_by(GIVEN["deadline_days"]), 1),
        "P80 (working days)": round(plan.p80, 1),
        "chance with the interfaces doubled (%)": round(100 * doubled.probability_by(GIVEN["deadline_days"]), 1),
        "CPI at the end of July": round(float(cpi), 3),
        "EAC = BAC / CPI ($)": f"{GIVEN['bac'] / cpi:,.0f}",
    }
