"""Per-learner numbers of the laboratory system case (workbook ps07): a plain function of a seed.

What changes: the selection panel's scores and the vendors' quoted costs; which of the interface test
messages are faulty and how, and the patients and results they carry; which legacy results cannot be
mapped and why; the conversion's counts and which sampled fields differ. What stays, so that the story
and its judgements hold:

- Aldercrest LIS leads on the panel's weights by a small margin (0.22 to 0.29 on the 1-5 scale: small enough
  for the weights to matter; the bounds also keep the figure clear of the weights and of the small whole
  numbers in the kit's texts, as hundredths, which the oracle test would take for a tool giving it), and
  Corvane Lab (One Chart's maker) is the first to tie it when the integration weight rises, before that
  weight reaches 40 %;
- Brightwater Cloud Lab (a subscription) costs least up front and Corvane Lab least over the seven
  years of the contract;
- every rule of the interface specification rejects at least one test message, and every mapping rule
  at least one legacy result;
- the conversion's counts do not reconcile (records lost in one object, duplicated in another), the
  units are wrong in more of the sample than the sign-off allows, so the trial load cannot be signed off.

The published tables are this generator's draw with PUBLISHED_SEED, for the messages, the legacy results
and the conversion (`published_tables`, which a unit test holds to the data files); the scores and costs are
the panel's and the vendors' own.
"""

from __future__ import annotations

import random

from hitpm_widgets.variants import draw_until_held

VERSION = 1
PUBLISHED_SEED = 20251110
ATTEMPTS = 300
CONTRACT_YEARS = 7
LEADER, INTEGRATOR, SUBSCRIPTION = "Aldercrest LIS", "Corvane Lab", "Brightwater Cloud Lab"
CRITERION_MOVED = "integration"


def generate(case, seed: int) -> dict:
    """The changed cells, ``{table: {row: {column: value}}}``, for `seed`."""
    rng = random.Random(seed)
    parameters = {}
    for name, draw, holds in (("lis_scores", _scores, _scores_hold), ("lis_costs", _costs, _costs_hold),
                              ("lis_test_messages", _messages, _messages_hold),
                              ("lis_legacy_results", _legacy, _legacy_hold),
                              ("lis_conversion", _conversion, _conversion_holds)):
        parameters.update(draw_until_held(case, rng, draw, holds, attempts=ATTEMPTS, what=name, seed=seed))
    return parameters


def _frame(case, drawn, table):
    """The case's table with a draw's cells in place."""
    frame = case.tables[table].copy()
    rows = {str(label): row for row, label in zip(frame.index, frame[case.keys[table]], strict=True)}
    for label, cells in drawn.get(table, {}).items():
        for column, value in cells.items():
            frame.loc[rows[label], column] = value
    return frame


# -- the selection ---------------------------------------------------------------------------------


def _scores(case, rng) -> dict:
    drawn = {}
    for row in case.lis_scores.itertuples():
        move = rng.random()
        score = row.score + (-1 if move < 0.15 else 1 if move > 0.85 else 0)
        if 1 <= score <= 5 and score != row.score:
            drawn[row.score_id] = {"score": score}
    return {"lis_scores": drawn}


def _weighted_totals(scores, criteria):
    """Each vendor's weighted total at the agreed weights (in per cent)."""
    weights = criteria.set_index("criterion")["weight_pct"].astype(float)
    means = scores.groupby(["vendor", "criterion"])["score"].mean().unstack()
    return (means[weights.index] * weights).sum(axis=1) / 100


def _first_to_tie(scores, criteria, leader):
    """(weight, vendor): the moved criterion's weight at which another vendor first ties `leader`, the other
    weights scaled in proportion; a vendor's total is a straight line in that weight."""
    weights = criteria.set_index("criterion")["weight_pct"].astype(float)
    w0, rest = weights[CRITERION_MOVED], weights.drop(CRITERION_MOVED)
    means = scores.groupby(["vendor", "criterion"])["score"].mean().unstack()
    moved, others = means[CRITERION_MOVED], (means[rest.index] * rest).sum(axis=1) / (100 - w0)
    ties = {}
    for vendor in means.index.drop(leader):
        slope = (moved[leader] - moved[vendor]) - (others[leader] - others[vendor])
        if slope < 0:
            ties[vendor] = -100 * (others[leader] - others[vendor]) / slope
    vendor = min(ties, key=ties.get, default=None)
    return (ties[vendor], vendor) if vendor else (None, None)


def _scores_hold(case, drawn) -> bool:
    scores = _frame(case, drawn, "lis_scores")
    totals = _weighted_totals(scores, case.lis_criteria).sort_values(ascending=False)
    if totals.index[0] != LEADER or not 0.22 <= totals.iloc[0] - totals.iloc[1] <= 0.29:
        return False
    weight, vendor = _first_to_tie(scores, case.lis_criteria, LEADER)
    current = float(case.lis_criteria.set_index("criterion").at[CRITERION_MOVED, "weight_pct"])
    return vendor == INTEGRATOR and current + 2 <= weight <= 40


def _costs(case, rng) -> dict:
    return {"lis_costs": {row.cost_id: {"amount": int(round(row.amount * rng.uniform(0.92, 1.08), -3))}
                          for row in case.lis_costs.itertuples()}}


def _contract_costs(costs):
    """{vendor: (one-time costs, total cost of ownership over the contract)}."""
    years = range(CONTRACT_YEARS)
    annual = costs[costs["kind"] == "annual"]
    growth = annual["escalation_pct"].map(lambda pct: sum((1 + pct / 100) ** year for year in years))
    over_contract = (annual["amount"] * growth).groupby(annual["vendor"]).sum()
    one_time = costs[costs["kind"] == "one-time"].groupby("vendor")["amount"].sum()
    return {vendor: (float(one_time[vendor]), float(one_time[vendor] + over_contract.get(vendor, 0.0)))
            for vendor in one_time.index}


def _costs_hold(case, drawn) -> bool:
    costs = _contract_costs(_frame(case, drawn, "lis_costs"))
    return (min(costs, key=lambda v: costs[v][1]) == INTEGRATOR
            and min(costs, key=lambda v: costs[v][0]) == SUBSCRIPTION
            and costs[SUBSCRIPTION][1] - costs[INTEGRATOR][1] > 150_000)


# -- the interface test messages -------------------------------------------------------------------

PATIENTS = [("Okafor", "Grace", "19580312", "F"), ("Lindahl", "Peter", "19470705", "M"),
            ("Moreau", "Anais", "19910218", "F"), ("Tamaki", "Kenji", "19630930", "M"),
            ("Brennan", "Siobhan", "19800114", "F"), ("Adeyemi", "Tunde", "19550622", "M"),
            ("Castillo", "Rosa", "19731103", "F"), ("Hughes", "Owen", "20010427", "M"),
            ("Nakashima", "Emi", "19681208", "F"), ("Petrov", "Ivan", "19390516", "M"),
            ("Whitfield", "June", "19520829", "F"), ("Osei", "Kwabena", "19850301", "M")]
RESULTS = [("GLU", "Glucose", "NM", (70, 250, 0), "mg/dL", "70-99"),
           ("NA", "Sodium", "NM", (128, 148, 0), "mmol/L", "136-145"),
           ("K", "Potassium", "NM", (3.0, 6.0, 1), "mmol/L", "3.5-5.1"),
           ("CREAT", "Creatinine", "NM", (0.5, 3.5, 2), "mg/dL", "0.6-1.2"),
           ("HGB", "Haemoglobin", "NM", (7.5, 17.0, 1), "g/dL", "12.0-16.0"),
           ("WBC", "White cell count", "NM", (2.5, 18.0, 1), "10*3/uL", "4.0-11.0"),
           ("INR", "INR", "NM", (0.9, 4.5, 1), "{INR}", "0.8-1.2"),
           ("TROP", "Troponin I, high sensitivity", "NM", (2, 400, 0), "ng/L", "0-34"),
           ("ABO", "ABO and Rh group", "ST", None, "", "")]
NOT_IN_MAP = [("CK", "Creatine kinase"), ("LACT", "Lactate"), ("CRP", "C-reactive protein"), ("AMY", "Amylase")]
#: The faults an interface specification rejects a message for, one per faulty message.
FAULTS = ("encoding", "version", "message_type", "mrn", "unknown_code", "numeric")
ORU_FAULTS = ("unknown_code", "numeric")


def _mrn(rng) -> str:
    return f"KB{rng.randrange(10**7):07d}"


def _value(rng, low_high) -> str:
    low, high, decimals = low_high
    value = rng.uniform(low, high)
    return f"{value:.{decimals}f}" if decimals else str(round(value))


def _message(rng, message_id: str, kind: str, fault: str | None, when: str) -> str:
    family, patient = rng.choice(PATIENTS), _mrn(rng)
    if fault == "mrn":
        patient = rng.choice([f"L{rng.randrange(10**6):06d}", f"KB{rng.randrange(10**5):05d}", ""])
    sending, receiving = (("LIS", "ONECHART") if kind == "ORU^R01" else ("ONECHART", "LIS"))
    structure = {"ORU^R01": "ORU^R01^ORU_R01", "ADT^A01": "ADT^A01^ADT_A01", "ADT^A08": "ADT^A08^ADT_A01",
                 "SIU^S12": "SIU^S12^SIU_S12"}[kind]
    if fault == "message_type":
        structure = rng.choice(["ORM^O01^ORM_O01", "ADT^A31^ADT_A05", "ORU^R30^ORU_R30"])
    version = rng.choice(["2.3", "2.4"]) if fault == "version" else "2.5.1"
    encoding = "^~&" if fault == "encoding" else "^~\\&"
    identifier = f"{patient}^^^KBCH^MR" if patient else ""
    segments = [f"MSH|{encoding}|{sending}|KBCH|{receiving}|KBCH|{when}||{structure}|{message_id}|P|{version}"]
    pid = f"PID|1||{identifier}||{family[0]}^{family[1]}||{family[2]}|{family[3]}"
    if kind.startswith("ADT"):
        ward = rng.choice(["4W^412^1", "5E^507^2", "ICU^03^1", "MAT^211^1"])
        segments += [f"EVN|{kind[4:]}|{when}", pid, f"PV1|1|I|{ward}"]
    elif kind == "SIU^S12":
        slot = f"202511{rng.randrange(12, 29):02d}{rng.choice(['0800', '0830', '0900', '0930', '1000'])}00"
        segments += [f"SCH|A{message_id[1:]}|A{message_id[1:]}|||||ROUTINE|||^^15^{slot}", pid, "RGS|1",
                     "AIL|1||PHLEB^Outpatient phlebotomy"]
    else:
        picked = rng.sample([r for r in RESULTS if r[2] == "NM"], rng.randrange(1, 4))
        observations = [[code, name, value_type, _value(rng, low_high), unit, normal]
                        for code, name, value_type, low_high, unit, normal in picked]
        if fault == "unknown_code":
            code, name = rng.choice(NOT_IN_MAP)
            observations[rng.randrange(len(observations))][:2] = [code, name]
        elif fault == "numeric":
            broken = observations[rng.randrange(len(observations))]
            if rng.random() < 0.5:
                broken[3] = rng.choice(["haemolysed", "see comment", "QNS"])
            else:
                broken[4] = ""
        order = f"{rng.randrange(10**6):06d}"
        segments += [pid, f"OBR|1|OC{order}|LB{order}|PANEL^Laboratory panel^L|||{when[:8]}0700"]
        for position, (code, name, value_type, value, unit, normal) in enumerate(observations, start=1):
            segments.append(f"OBX|{position}|{value_type}|{code}^{name}^L||{value}|{unit}|{normal}|||F")
    return "\n".join(segments)


MESSAGE_KINDS = ["ORU^R01"] * 10 + ["ADT^A01"] * 4 + ["ADT^A08"] * 4 + ["SIU^S12"] * 6


def message_batch(rng) -> dict:
    """{message id: text} of the 24 test messages, with 8 to 10 faulty ones, each with one fault."""
    kinds = list(MESSAGE_KINDS)
    rng.shuffle(kinds)
    faulty = rng.randrange(8, 11)
    faults = list(FAULTS) + [rng.choice(FAULTS) for _ in range(faulty - len(FAULTS))]
    rng.shuffle(faults)
    faults.sort(key=lambda fault: fault not in ORU_FAULTS)  # the results' faults first: only results carry them
    assigned: dict[int, str] = {}
    oru = [i for i, kind in enumerate(kinds) if kind == "ORU^R01"]
    others = [i for i in range(len(kinds)) if i not in oru]
    rng.shuffle(oru)
    rng.shuffle(others)
    for fault in faults:
        pool = oru if fault in ORU_FAULTS or not others else rng.choice([oru, others])
        assigned[pool.pop()] = fault
    return {f"M{i + 1:03d}": _message(rng, f"M{i + 1:03d}", kind, assigned.get(i), f"202511{10 + i // 6:02d}"
                                      f"{8 + i % 6:02d}{rng.randrange(60):02d}00")
            for i, kind in enumerate(kinds)}


def _messages(case, rng) -> dict:
    return {"lis_test_messages": {mid: {"text": text} for mid, text in message_batch(rng).items()}}


def _messages_hold(case, drawn) -> bool:
    return True  # every fault is placed once at least by construction


# -- the legacy results to map to FHIR ---------------------------------------------------------------

LEGACY_FAULTS = ("unknown_code", "not_numeric", "units", "status", "collected")


def legacy_records(rng) -> list[dict]:
    """The 30 legacy results of the mapping trial, 6 to 9 of them unmappable (one fault each)."""
    faulty = rng.randrange(6, 10)
    faults = list(LEGACY_FAULTS) + [rng.choice(LEGACY_FAULTS) for _ in range(faulty - len(LEGACY_FAULTS))]
    faults += [None] * (30 - len(faults))
    rng.shuffle(faults)
    records = []
    for number, fault in enumerate(faults, start=1):
        code, _, _, low_high, unit, _ = rng.choice([r for r in RESULTS if r[2] == "NM"])
        value = _value(rng, low_high)
        day = f"20{rng.randrange(18, 25):02d}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        collected = f"{day}T{rng.randrange(0, 24):02d}:{rng.randrange(60):02d}:00"
        status = rng.choice("FFFFFFPC")
        if fault == "unknown_code":
            code = rng.choice(NOT_IN_MAP)[0]
        elif fault == "not_numeric":
            value = rng.choice(["<0.5", ">1000", "haemolysed", "see comment"])
        elif fault == "units":
            unit = {"mg/dL": "mmol/L", "mmol/L": "mEq/L", "g/dL": "g/L", "10*3/uL": "10*9/L", "{INR}": "ratio",
                    "ng/L": "ng/mL"}[unit]
        elif fault == "status":
            status = rng.choice(["D", "X"])
        elif fault == "collected":
            impossible = f"{day[:8]}30T{collected[11:]}" if day[5:7] == "02" else f"{day}T24:{collected[14:]}"
            collected = rng.choice([impossible, f"{day[8:10]}/{day[5:7]}/{day[:4]} {collected[11:16]}"])
        records.append({"record_id": f"R{number:03d}", "mrn": f"KB{rng.randrange(10**7):07d}", "local_code": code,
                        "value": value, "units": unit, "collected": collected, "status": status})
    return records


def _legacy(case, rng) -> dict:
    return {"lis_legacy_results": {record.pop("record_id"): record for record in legacy_records(rng)}}


def _legacy_hold(case, drawn) -> bool:
    return True  # every fault is placed once at least by construction


# -- the conversion's trial load ---------------------------------------------------------------------

SAMPLE_RECORDS = 100
FIELDS = ("patient_mrn", "test_code", "result_value", "units", "collected", "reference_range")
#: Errors in the sample of 100 records per field: the units always above the 1 % a critical field may have.
ERRORS_DRAWN = {"patient_mrn": (0, 1), "test_code": (0, 2), "result_value": (0, 2), "units": (2, 6),
                "collected": (0, 2), "reference_range": (2, 9)}
LOST_IN, DUPLICATED_IN = "microbiology reports", "patients"


def conversion_counts(rng, objects) -> dict:
    """{object: {legacy_count, loaded, rejected}}: records lost in one object, duplicated in another."""
    counts = {}
    for name, legacy in objects:
        legacy = int(legacy * rng.uniform(0.95, 1.05))
        rejected = int(legacy * rng.uniform(0.0005, 0.004))
        loaded = legacy - rejected
        if name == LOST_IN:
            loaded -= rng.randrange(15, 81)
        elif name == DUPLICATED_IN:
            loaded += rng.randrange(2, 10)
        counts[name] = {"legacy_count": legacy, "loaded": loaded, "rejected": rejected}
    return counts


def _wrong(field: str, value: str, rng) -> str:
    if field == "patient_mrn":
        return value[:2] + value[3:]  # a leading zero lost
    if field == "test_code":
        return value + "T" if len(value) < 5 else value[:-1]
    if field == "result_value":
        return value.replace(".", "") if "." in value else value + "0"
    if field == "units":
        return {"mg/dL": "mmol/L", "mmol/L": "mg/dL", "g/dL": "g/L", "10*3/uL": "10*9/L", "{INR}": "",
                "ng/L": "ng/mL"}[value]
    if field == "collected":
        return value[:11] + f"{(int(value[11:13]) + 1) % 24:02d}" + value[13:]  # an hour off: the clock change
    return value.split("-")[0] + "-"  # the upper limit cut off


def conversion_sample(rng) -> list[dict]:
    """The sample check: 100 converted results, six fields each, as the legacy and the new system hold them."""
    rows = []
    wrong = {field: set(rng.sample(range(SAMPLE_RECORDS), rng.randrange(low, high + 1)))
             for field, (low, high) in ERRORS_DRAWN.items()}
    for record in range(SAMPLE_RECORDS):
        code, _, _, low_high, unit, normal = rng.choice([r for r in RESULTS if r[2] == "NM"])
        day = f"2025-{rng.randrange(1, 11):02d}-{rng.randrange(1, 29):02d}"
        legacy = {"patient_mrn": f"KB0{rng.randrange(10**6):06d}", "test_code": code,
                  "result_value": _value(rng, low_high), "units": unit,
                  "collected": f"{day}T{rng.randrange(0, 23):02d}:{rng.randrange(60):02d}:00",
                  "reference_range": normal}
        for field in FIELDS:
            converted = _wrong(field, legacy[field], rng) if record in wrong[field] else legacy[field]
            rows.append({"record": f"T{record + 1:03d}", "field": field, "legacy_value": legacy[field],
                         "converted_value": converted})
    return rows


def _conversion(case, rng) -> dict:
    objects = list(zip(case.lis_conversion_counts["object"], case.lis_conversion_counts["legacy_count"],
                       strict=True))
    sample = conversion_sample(rng)
    return {"lis_conversion_counts": conversion_counts(rng, objects),
            "lis_conversion_sample": {f"K{i + 1:03d}": {"legacy_value": row["legacy_value"],
                                                        "converted_value": row["converted_value"]}
                                      for i, row in enumerate(sample)}}


def _conversion_holds(case, drawn) -> bool:
    return True  # the lost and duplicated records, and the units' errors, are drawn that way


# -- the published draw ------------------------------------------------------------------------------

#: The kinds of record the legacy system holds, with their counts before the published draw scales them.
LEGACY_OBJECTS = (("patients", 48210), ("orders", 1204330), ("chemistry results", 5831904),
                  ("haematology results", 2176455), ("microbiology reports", 61402), ("blood bank records", 18905),
                  ("pathology reports", 9877))


def published_tables() -> dict[str, list[dict]]:
    """The rows of the published lis_test_messages, lis_legacy_results, lis_conversion_sample and
    lis_conversion_counts tables: the draw of PUBLISHED_SEED (how the case's data files were written)."""
    rng = random.Random(PUBLISHED_SEED)
    messages = [{"message_id": mid, "text": text} for mid, text in message_batch(rng).items()]
    legacy = legacy_records(rng)
    sample = [{"check_id": f"K{i + 1:03d}", **row} for i, row in enumerate(conversion_sample(rng))]
    counts = [{"object": name, **cells} for name, cells in conversion_counts(rng, LEGACY_OBJECTS).items()]
    return {"lis_test_messages": messages, "lis_legacy_results": legacy, "lis_conversion_sample": sample,
            "lis_conversion_counts": counts}
