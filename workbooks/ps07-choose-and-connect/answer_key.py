"""Answer key of ps07-choose-and-connect: the instructor's reference computations (never released).

Every graded figure and list is computed here from the case's tables with pandas, plain Python and the
lessons' rules, for whatever variant `case` holds; never with hitpm_widgets' tools, and never with hl7apy or
fhir.resources (the learner uses those: the pipeline spec checks that both ways agree). The hidden tests, the
pipeline spec (tests/pipeline/specs/ps07.py) and the README's points table all read this file.
"""

from __future__ import annotations

import re

ASSIGNMENT = "ps07-choose-and-connect"
CASE = "emr-lab-system"

POINTS = {
    "ps07-test-leader": 1,
    "ps07-test-margin": 1,
    "ps07-test-sensitivity": 1,
    "ps07-test-tco": 1,
    "ps07-test-lowest-tco": 1,
    "ps07-test-messages": 2,
    "ps07-test-mapping": 2,
    "ps07-test-counts": 1,
    "ps07-test-sample": 1,
    "ps07-test-signoff": 1,
}
MANUAL = {"ps07-answer-contract": 4}

#: What the workbook states to the learner, by the keyword names the kit's tools take.
GIVEN = {"contract_years": 7, "years": 7, "criterion": "integration", "version": "2.5.1"}
CONTRACT_YEARS = 7
MOVED_CRITERION = "integration"  # the sensitivity check moves this weight, the others scaled in proportion
SUBSCRIPTION_VENDOR = "Brightwater Cloud Lab"  # the vendor whose contract cost Task 3 asks for
#: The interface specification agreed with the vendor (the workbook states it).
AGREED_VERSION = "2.5.1"
AGREED_TYPES = ("ADT^A01", "ADT^A08", "ORU^R01", "SIU^S12")
MRN_PATTERN = r"KB\d{7}"
ENCODING = "MSH|^~\\&|"
#: The mapping's rules: the legacy statuses FHIR's Observation.status takes, and the collection time's format.
STATUS_MAP = {"F": "final", "P": "preliminary", "C": "corrected"}
COLLECTED_FORMAT = "%Y-%m-%dT%H:%M:%S"
#: The conversion's sign-off criteria: error rates in the sample check a field may have, in per cent.
CRITICAL_LIMIT_PCT, OTHER_LIMIT_PCT = 1.0, 5.0
NON_CRITICAL_FIELDS = ("reference_range",)

TOLERANCES = {
    "leader_margin": 0.006,
    "breakeven_weight_pct": 0.3,
    "tco_subscription": 1_000,
    "unaccounted_records": 0,
}

#: The options the answer sheet offers for the sign-off (the notebook's sheet lists the same; the spec checks).
SIGNOFF_OPTIONS = [
    "Sign off: load the legacy data in production at cutover",
    "Sign off, and correct the mismatched records by hand after go-live",
    "Do not sign off: find the lost and the duplicated records, fix the failing fields, then repeat the trial "
    "load and the sample check",
]
#: The judgements: every answer the evidence supports. The counts do not reconcile and the units are wrong in
#: more of the sample than a critical field may be, whatever the variant: the trial load is not signed off.
ACCEPTED = {"signoff": [SIGNOFF_OPTIONS[2]]}


# -- choosing --------------------------------------------------------------------------------------


def _criterion_means(case):
    """The panel's average score of each vendor on each criterion (vendors × criteria)."""
    return case.lis_scores.groupby(["vendor", "criterion"])["score"].mean().unstack()


def weighted_totals(case):
    """Each vendor's weighted total on the panel's weights, on the 1-5 scale, highest first."""
    weights = case.lis_criteria.set_index("criterion")["weight_pct"]
    means = _criterion_means(case)[weights.index]
    return (means * weights).sum(axis=1).div(100).sort_values(ascending=False)


def breakeven(case) -> tuple[float, str]:
    """The weight of the moved criterion at which another vendor first ties the leader, and that vendor.

    With the moved criterion at w (per cent) and the others scaled to share 100 − w in their agreed
    proportions, a vendor's total is w·s/100 + (100 − w)·R/(100 − w0), where s is its average on the moved
    criterion and R/100 the weighted sum of its other averages at the agreed weights: a straight line in w.
    """
    weights = case.lis_criteria.set_index("criterion")["weight_pct"].astype(float)
    w0 = weights[MOVED_CRITERION]
    means = _criterion_means(case)
    moved = means[MOVED_CRITERION]
    rest = (means[weights.drop(MOVED_CRITERION).index] * weights.drop(MOVED_CRITERION)).sum(axis=1)
    leader = weighted_totals(case).index[0]
    found = {}
    for vendor in means.index.drop(leader):
        # leader − vendor = a·w + b·(100 − w) = 0, with a the moved criterion's gap and b the rest's per point
        a = (moved[leader] - moved[vendor]) / 100
        b = (rest[leader] - rest[vendor]) / (100 * (100 - w0))
        if a - b < 0:  # the gap closes as the weight rises
            w = -100 * b / (a - b)
            if w0 < w <= 100:
                found[vendor] = w
    vendor = min(found, key=found.get)
    return float(found[vendor]), vendor


def contract_costs(case):
    """Each vendor's one-time costs and total cost of ownership over the contract, in US dollars."""
    import pandas as pd

    costs = case.lis_costs
    one_time = costs[costs["kind"] == "one-time"].groupby("vendor")["amount"].sum()
    annual = costs[costs["kind"] == "annual"]
    # an annual item is paid every year: the first year's amount, rising by its escalation each year after
    factor = sum((1 + annual["escalation_pct"] / 100) ** year for year in range(CONTRACT_YEARS))
    recurring = (annual["amount"] * factor).groupby(annual["vendor"]).sum()
    return pd.DataFrame({"one_time": one_time, "tco": one_time.add(recurring, fill_value=0)})


# -- connecting ------------------------------------------------------------------------------------


def _fields(segment: str) -> list[str]:
    return segment.split("|")


def message_faults(case) -> dict[str, str]:
    """{message id: the rule it breaks} for the messages the interface specification rejects."""
    codes = case.lis_code_map.set_index("local_code")
    faults = {}
    for message_id, text in zip(case.lis_test_messages["message_id"], case.lis_test_messages["text"], strict=True):
        segments = [_fields(line) for line in text.split("\n") if line]
        msh = segments[0]
        kind = "^".join(msh[8].split("^")[:2])
        pid = next((s for s in segments if s[0] == "PID"), None)
        mrn = pid[3].split("^")[0] if pid is not None and len(pid) > 3 else ""
        if not text.startswith(ENCODING):
            faults[message_id] = "the MSH segment's encoding characters"
        elif msh[11] != AGREED_VERSION:
            faults[message_id] = "the HL7 version"
        elif kind not in AGREED_TYPES:
            faults[message_id] = "a message type the interface does not take"
        elif not re.fullmatch(MRN_PATTERN, mrn):
            faults[message_id] = "no One Chart medical record number in PID-3"
        elif kind == "ORU^R01":
            for obx in (s for s in segments if s[0] == "OBX"):
                code = obx[3].split("^")[0]
                if code not in codes.index:
                    faults[message_id] = "a result code not in the code map"
                    break
                if obx[2] == "NM" and (not _is_number(obx[5]) or not obx[6]):
                    faults[message_id] = "a numeric result without a number or a unit"
                    break
    return faults


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def unmappable(case) -> dict[str, str]:
    """{record id: why} for the legacy results that cannot be mapped to a valid FHIR R4B Observation."""
    import pandas as pd

    records = case.lis_legacy_results.merge(case.lis_code_map, on="local_code", how="left")
    value = pd.to_numeric(records["value"], errors="coerce")
    collected = pd.to_datetime(records["collected"], format=COLLECTED_FORMAT, errors="coerce")
    why = {}
    for i, record in records.iterrows():
        if pd.isna(record["loinc"]):
            why[record["record_id"]] = "no LOINC code for its local code"
        elif record["value_type"] == "NM" and pd.isna(value[i]):
            why[record["record_id"]] = "a numeric result that is not a number"
        elif record["units"] != record["unit"]:
            why[record["record_id"]] = "a unit other than the code map's"
        elif record["status"] not in STATUS_MAP:
            why[record["record_id"]] = "a status FHIR's Observation.status has no match for"
        elif pd.isna(collected[i]):
            why[record["record_id"]] = "a collection time that is not a valid date-time"
    return why


def count_gaps(case):
    """Each kind of record's legacy count less what was loaded and rejected: lost (+) or duplicated (−)."""
    counts = case.lis_conversion_counts.set_index("object")
    return counts["legacy_count"] - counts["loaded"] - counts["rejected"]


def error_rates(case):
    """Each sampled field's error rate in the sample check, in per cent."""
    sample = case.lis_conversion_sample
    differs = sample["legacy_value"] != sample["converted_value"]
    return differs.groupby(sample["field"]).mean() * 100


def answers(case) -> dict:
    """Every graded figure and list for the variant `case` holds."""
    totals = weighted_totals(case)
    weight, _ = breakeven(case)
    costs = contract_costs(case)
    rates = error_rates(case)
    limits = {field: OTHER_LIMIT_PCT if field in NON_CRITICAL_FIELDS else CRITICAL_LIMIT_PCT for field in rates.index}
    return {
        "leader": totals.index[0],
        "leader_margin": float(totals.iloc[0] - totals.iloc[1]),
        "breakeven_weight_pct": weight,
        "tco_subscription": float(costs.at[SUBSCRIPTION_VENDOR, "tco"]),
        "lowest_tco_vendor": costs["tco"].idxmin(),
        "failing_messages": sorted(message_faults(case)),
        "unmappable_records": sorted(unmappable(case)),
        "unaccounted_records": int(count_gaps(case).abs().sum()),
        "fields_over_limit": sorted(field for field, rate in rates.items() if rate > limits[field]),
    }


def key_figures(case) -> dict:
    """What an instructor checks ps07's written contract review against, for the variant `case` holds."""
    totals = weighted_totals(case)
    weight, vendor = breakeven(case)
    costs = contract_costs(case)
    gaps = count_gaps(case)
    return {
        "weighted totals": "; ".join(f"{v} {t:.2f}" for v, t in totals.items()),
        f"{MOVED_CRITERION} weight at which the leader changes (%)": f"{weight:.1f} ({vendor} ties)",
        "one-time costs ($)": "; ".join(f"{v} {c:,.0f}" for v, c in costs["one_time"].items()),
        f"total cost of ownership over {CONTRACT_YEARS} years ($)": "; ".join(f"{v} {c:,.0f}"
                                                                            for v, c in costs["tco"].items()),
        "messages rejected": "; ".join(f"{m} {why}" for m, why in sorted(message_faults(case).items())),
        "legacy results not mapped": "; ".join(f"{r} {why}" for r, why in sorted(unmappable(case).items())),
        "count gaps (lost +, duplicated −)": "; ".join(f"{o} {g:+d}" for o, g in gaps.items() if g),
        "sample error rates (%)": "; ".join(f"{f} {r:.0f}" for f, r in error_rates(case).items()),
    }
