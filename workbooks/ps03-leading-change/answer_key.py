"""Answer key of ps03-leading-change: never released (see hitpm_widgets/grading/answer_key.py).

Every graded figure and list is computed here from the middle-manager case's tables with pandas and the
rules the workbook states, never with the kit's tools (a learner has those).
"""

from __future__ import annotations

ASSIGNMENT = "ps03-leading-change"
CASE = "middle-manager"

POINTS = {
    "ps03-test-barriers-inpatient": 2,
    "ps03-test-barriers-other": 2,
    "ps03-test-raci-rules": 1,
    "ps03-test-raci-owners": 1,
    "ps03-test-modes": 2,
    "ps03-test-leadership": 2,
    "ps03-test-stalled": 1,
    "ps03-test-override": 1,
}
MANUAL = {"ps03-answer-plan": 4}

#: What the workbook states, by the keyword names the kit's tools take.
GIVEN = {"threshold": 3.0, "from_week": 4, "to_week": 8, "min_gain": 0.02, "target": 0.85}

TOLERANCES = {"override_gap_pp": 1.0}

ADKAR = ("awareness", "desire", "knowledge", "ability", "reinforcement")
#: Task 1's two groups of areas, as the workbook's points table names them.
INPATIENT = ("4 West medical", "5 East surgical", "ICU", "Maternity")
OTHER_AREAS = ("Emergency", "Oncology day unit", "Pharmacy", "Outpatient clinics")


def _barrier_points(survey) -> dict[str, str | None]:
    """Each area's first element, in the order A, D, K, A, R, whose mean is 3.0 or lower (Prosci's rule)."""
    means = survey.groupby("unit", observed=True)[list(ADKAR)].mean()
    low = means <= GIVEN["threshold"]
    return {str(unit): (str(row.idxmax()) if row.any() else None) for unit, row in low.iterrows()}


def _cpoe_share(adoption):
    orders = adoption["orders_cpoe"] + adoption["orders_verbal"] + adoption["orders_paper"]
    return (adoption["orders_cpoe"] / orders).rename("cpoe_share")


def _stalled(adoption) -> list[str]:
    """Week-8 share less than 2 percentage points above week 4's, and still below 85 %."""
    shares = adoption.assign(cpoe_share=_cpoe_share(adoption)).pivot_table(
        index="department", columns="week", values="cpoe_share", observed=True)
    first, last = shares[GIVEN["from_week"]], shares[GIVEN["to_week"]]
    stalled = (last - first < GIVEN["min_gain"]) & (last < GIVEN["target"])
    return sorted(str(department) for department in shares.index[stalled])


def _overrides(adoption) -> tuple[str, float]:
    """The department overriding the largest share of its alerts over the eight weeks (summed, then divided),
    and how many percentage points its rate stands above all the other departments' alerts together."""
    totals = adoption.groupby("department", observed=True)[["alert_overrides", "alerts_fired"]].sum()
    rates = totals["alert_overrides"] / totals["alerts_fired"]
    outlier = str(rates.idxmax())
    rest = totals.drop(index=outlier).sum()
    return outlier, float(100 * (rates[outlier] - rest["alert_overrides"] / rest["alerts_fired"]))


def answers(case) -> dict:
    barriers = _barrier_points(case.readiness_survey)
    outlier, gap = _overrides(case.adoption_weekly)
    return {
        "barrier_points": barriers,
        "barrier_points_inpatient": {unit: barriers[unit] for unit in INPATIENT},
        "barrier_points_other": {unit: barriers[unit] for unit in OTHER_AREAS},
        "stalled_departments": _stalled(case.adoption_weekly),
        "override_outlier": outlier,
        "override_gap_pp": gap,
    }


#: The judgements, with every answer the evidence supports.
ACCEPTED = {
    # Task 2: the tasks whose owner Maren's draft left unclear, and the roles the case supports as their A.
    "raci_accountable": {
        "G05": ["it_service_desk", "vendor"],
        "G06": ["it_service_desk"],
        "G08": ["cmio", "pharmacy_lead"],
    },
    # Task 4: the Thomas-Kilmann modes, and the readiness (Hersey-Blanchard) of the person at the centre.
    "conflict_modes": {
        "C1": ["collaborating"],
        "C2": ["competing"],
        "C3": ["compromising"],
        "C4": ["avoiding", "accommodating"],
        "C5": ["accommodating"],
        "C6": ["collaborating"],
    },
    "readiness_levels": {"C1": "R3", "C2": "R2", "C3": "R4", "C4": "R3", "C5": "R1", "C6": "R2"},
}
