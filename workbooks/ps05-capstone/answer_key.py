"""Answer key of ps05-capstone: the instructor's reference computations (never released).

Every graded figure is computed here from the cases' tables with pandas and the lessons' formulas, never with
hitpm_widgets' tools: a learner has those, and a figure a tool returns is not graded. The tools give the
cumulative earned value figures of any month, the simulated chance of any release date, each requirement's
status and each unit's mean scores; the learner reads those, and is graded on July's own work, on the release
date the simulation supports, on the tests that stand between the GxP-critical requirements and release, and
on the Kestrel Bay figures worked out from the raw survey and training record.
"""

from __future__ import annotations

ASSIGNMENT = "ps05-capstone"
CASE = "pharma-ctms"  # the figures of parts A and B; part C reads the middle-manager case (see `answers`)
OTHER_CASES = ("middle-manager",)

POINTS = {
    "ps05-test-indices": 1,
    "ps05-test-eac": 1,
    "ps05-test-release-date": 1,
    "ps05-test-gxp-verified": 1,
    "ps05-test-gxp-open-tests": 1,
    "ps05-test-low-ability": 1,
    "ps05-test-training": 1,
}
MANUAL = {"ps05-answer-scorecard": 5, "ps05-answer-risks": 4, "ps05-answer-decision": 5}

# What the workbook states to the learner, by the keyword names the kit's tools take.
GIVEN = {"bac": 2_600_000, "deadline_days": 150, "iterations": 20_000}
STATUS_MONTH, MONTH_BEFORE = "2025-07", "2025-06"
LOW = 3.0  # ADKAR (Prosci): an element scoring 3 or lower is low
TRAINING_UNIT = "5 East surgical"
# The release dates the steering committee can choose between (working days from 3 March 2025), and the
# confidence the sponsor asks of a date the committee commits to.
RELEASE_DATES = {"26 September (day 150)": 150, "3 October (day 155)": 155, "10 October (day 160)": 160,
                 "17 October (day 165)": 165}
CONFIDENCE = 0.80

TOLERANCES = {
    "cpi_july_month": 0.005,
    "spi_july_month": 0.005,
    "eac": 10_000,
    "gxp_verified_pct": 0.5,
    "trained_5east_pct": 1,
}

# Judgements: every defensible answer. The simulation (20,000 runs, seeded) gives P80 = 158.1 working days:
# 3 October has a 64 % chance, 10 October 87 %; a committed date needs 80 %.
ACCEPTED = {
    "release_commit": ["10 October (day 160)"],
}


def _middle_manager():
    from hitpm_widgets.cases import load_case

    return load_case("middle-manager")


def _july_month(case) -> dict:
    """July's own work: the change of the cumulative figures from the end of June to the end of July."""
    monthly = case.evm_monthly.assign(month=case.evm_monthly["month"].dt.strftime("%Y-%m")).set_index("month")
    july, june = monthly.loc[STATUS_MONTH], monthly.loc[MONTH_BEFORE]
    change = july - june
    return {"cpi": change["earned_value"] / change["actual_cost"],
            "spi": change["earned_value"] / change["planned_value"],
            "ev": float(july["earned_value"]), "ac": float(july["actual_cost"])}


def _tests_by_requirement(case):
    """One row a (test, requirement it covers) pair, with the test's status and the requirement's GxP flag."""
    tests = case.test_scripts.assign(req_id=case.test_scripts["covers"].str.split(";")).explode("req_id")
    tests["req_id"] = tests["req_id"].str.strip()
    tests = tests.dropna(subset=["req_id"])
    flags = case.requirements.set_index("req_id")["gxp_critical"]
    return tests.assign(gxp_critical=tests["req_id"].map(flags).fillna(False).astype(bool))


def answers(case) -> dict:
    """Every graded answer of ps05 (the pharma-ctms case in `case`; Kestrel Bay's data is the middle-manager
    case's published numbers)."""
    july = _july_month(case)
    bac = GIVEN["bac"]

    pairs = _tests_by_requirement(case)
    gxp = case.requirements.loc[case.requirements["gxp_critical"], "req_id"]
    gxp_pairs = pairs[pairs["gxp_critical"]]
    all_passed = gxp_pairs.groupby("req_id")["status"].apply(lambda status: (status == "passed").all())
    verified = [req for req in gxp if all_passed.get(req, False)]  # a requirement with no test is not verified
    open_tests = sorted(gxp_pairs.loc[gxp_pairs["status"] != "passed", "test_id"].unique())

    manager = _middle_manager()
    ability = manager.readiness_survey.groupby("unit", observed=True)["ability"].mean()
    training = manager.training_attendance
    unit = training[training["unit"] == TRAINING_UNIT]
    return {
        "cpi_july_month": float(july["cpi"]),
        "spi_july_month": float(july["spi"]),
        # If the rest of the work costs what July's work cost: EAC = AC + (BAC − EV) / July's own CPI.
        "eac": float(july["ac"] + (bac - july["ev"]) / july["cpi"]),
        "gxp_verified_pct": 100 * len(verified) / len(gxp),
        "gxp_open_tests": open_tests,
        "low_ability_units": sorted(ability.index[ability <= LOW]),
        "trained_5east_pct": float(100 * unit["completed_on"].notna().sum() / len(unit)),
    }


def key_figures(case) -> dict:
    """What an instructor checks the written parts against (the cumulative figures the tools also give)."""
    monthly = case.evm_monthly.assign(month=case.evm_monthly["month"].dt.strftime("%Y-%m")).set_index("month")
    july = monthly.loc[STATUS_MONTH]
    pv, ev, ac = july["planned_value"], july["earned_value"], july["actual_cost"]
    bac = GIVEN["bac"]
    cpi, spi = ev / ac, ev / pv
    return {
        "CPI / SPI at the end of July (cumulative)": f"{cpi:.3f} / {spi:.3f}",
        "EAC = BAC / CPI; AC + (BAC − EV); CPI × SPI ($)": (f"{bac / cpi:,.0f}; {ac + bac - ev:,.0f}; "
                                                          f"{ac + (bac - ev) / (cpi * spi):,.0f}"),
        "TCPI to BAC": f"{(bac - ev) / (bac - ac):.3f}",
    }
