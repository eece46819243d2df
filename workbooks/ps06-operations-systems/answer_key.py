"""ps06-operations-systems: the answer key (instructors only; never released, never in the learner package).

Every autograded reference is computed here, once, from the case tables with pandas and module 14's
formulas, never with hitpm_widgets' measures (a learner has those: a graded answer is never one call of
theirs). The hidden tests, the pipeline spec (tests/pipeline/specs/ps06.py) and the README's points table
all read this file.
"""

from __future__ import annotations

import functools
import math

ASSIGNMENT = "ps06-operations-systems"
CASE = "middle-manager"
#: Part C grades the Harbourlight case's production tables, which `answers` loads itself.
PHARMA_CASE = "pharma-ctms"
OTHER_CASES = (PHARMA_CASE,)  # its answers read the Harbourlight plant too

POINTS = {
    "ps06-test-reminders": 1,
    "ps06-test-bookings": 1,
    "ps06-test-portal": 1,
    "ps06-test-video": 1,
    "ps06-test-licensure": 1,
    "ps06-test-hours": 1,
    "ps06-test-agency": 1,
    "ps06-test-ratios": 1,
    "ps06-test-days-on-hand": 1,
    "ps06-test-restock": 1,
    "ps06-test-oee": 1,
    "ps06-test-batches": 1,
    "ps06-test-ei-first": 1,
    "ps06-test-ei-second": 1,
}
MANUAL = {"ps06-answer-review": 5}

#: What the workbook states to the learner, by the keyword names the kit's tools take.
GIVEN = {
    "slots": 16,
    "patients_per_rn": {"4 West medical": 5, "5 East surgical": 5, "ICU": 2},
    "productive_hours_per_fte": 1872,
    "period_days": 14,
    "price_tolerance": 0.02,
}
REMINDERS_FROM = "2025-10-06"  # the Monday the reminders started in three clinics
SHIFTBRIDGE_LIVE = "2025-08-25"  # ShiftBridge's first pay period
PORTAL_GOAL = 0.5  # half of each clinic's patients seen with an active account, by December 2025
#: The overbooking decision: an idle slot costs 1, a patient beyond the slots costs 2 (the team's overtime).
IDLE_COST, OVERFLOW_COST, BOOKING_CHOICES = 1, 2, range(16, 21)
UPGRADE_MONTH = "2025-09-01"  # the portal upgrade of 2 September broke video until the 24th
NIGHT_UNITS = ("5 East surgical", "ICU")  # the units whose nights a float pool would cover
STOCK_COVER_DAYS = 7  # restock first: items whose count covers less than a week of their use

TOLERANCES = {
    "reminder_effect_pts": 0.3,
    "ortho_bookings": 0,
    "portal_accounts_short": 1,
    "video_excess_failures": 3,
    "hours_over_budget_5east": 15,
    "agency_fte_5east": 0.2,
    "night_rns_short": 0,
    "icu_days_on_hand": 0.5,
    "oee_gap_july_pts": 0.3,
    "review_time_ratio_pct": 0.5,
    "rft_gain_pts": 1.0,
}

#: The options the answer sheet offers for the licensure decision (the notebook's widget cell lists the same;
#: the pipeline spec checks it). Licensure follows where the patient is during the visit, whatever the channel.
LICENSURE_OPTIONS = [
    "Go ahead by video: she lives in the hospital's state",
    "Go ahead, but by phone instead of video",
    "Go ahead: the business associate agreement with Corvane covers visits in any state",
    "Only a clinician licensed (or authorised) in the state where she is during the visit may see her",
]
#: The judgements: every answer the evidence supports.
ACCEPTED = {
    "licensure_decision": [LICENSURE_OPTIONS[3]],
    "oee_gap_factor": ["performance"],  # tests/pipeline/specs/ps06.py checks it on the line weeks
    "ei_moment_1": ["self-regulation"],
    "ei_moment_2": ["empathy"],
    "ei_moment_3": ["social skill"],
    "ei_moment_4": ["self-awareness"],
}
OEE_FACTORS = ["availability", "performance", "quality"]


def _pooled(frame, numerator: str, denominator: str) -> float:
    return float(frame[numerator].sum() / frame[denominator].sum())


def _binomial(booked: int, show: float) -> list[float]:
    return [math.comb(booked, k) * show ** k * (1 - show) ** (booked - k) for k in range(booked + 1)]


def _expected_cost(booked: int, slots: int, no_show: float) -> float:
    """Expected idle slots x IDLE_COST + expected patients beyond the slots x OVERFLOW_COST, one session."""
    chances = _binomial(booked, 1 - no_show)
    idle = sum(p * max(slots - k, 0) for k, p in enumerate(chances))
    beyond = sum(p * max(k - slots, 0) for k, p in enumerate(chances))
    return IDLE_COST * idle + OVERFLOW_COST * beyond


def _clinics(case) -> dict:
    import pandas as pd

    appointments = case.appointments_weekly
    after = appointments["week_start"] >= pd.Timestamp(REMINDERS_FROM)

    def change(clinic):
        rows = appointments["clinic"] == clinic
        return _pooled(appointments[rows & after], "no_shows", "booked") \
            - _pooled(appointments[rows & ~after], "no_shows", "booked")

    ortho = appointments[(appointments["clinic"] == "Orthopedics clinic") & after]
    no_show = _pooled(ortho, "no_shows", "booked")
    costs = {n: _expected_cost(n, GIVEN["slots"], no_show) for n in BOOKING_CHOICES}

    portal = case.portal_monthly
    december = portal[portal["month"] == portal["month"].max()]
    needed = (december["patients_seen"] * PORTAL_GOAL).map(math.ceil)
    short = (needed - december["active_accounts"]).clip(lower=0)

    video = case.telehealth_monthly
    upgrade = video["month"] == pd.Timestamp(UPGRADE_MONTH)
    usual = _pooled(video[~upgrade], "video_failed", "video_visits")
    return {
        # difference in differences: orthopedics' change with the reminders, less women's health's (none)
        "reminder_effect_pts": round(100 * (change("Orthopedics clinic") - change("Women's health")), 2),
        "ortho_bookings": min(costs, key=costs.get),
        "portal_accounts_short": int(short.sum()),
        "video_excess_failures": round(float(video.loc[upgrade, "video_failed"].sum()
                                             - usual * video.loc[upgrade, "video_visits"].sum()), 1),
    }


def _units(case) -> dict:
    import pandas as pd

    staffing = case.nurse_staffing
    east = staffing[(staffing["unit"] == "5 East surgical")
                    & (staffing["period_start"] >= pd.Timestamp(SHIFTBRIDGE_LIVE))]
    budget = float(east["budgeted_hppd"].iloc[0])
    days = len(east) * GIVEN["period_days"]

    shifts = case.shift_staffing
    nights = shifts[shifts["unit"].isin(NIGHT_UNITS) & (shifts["shift"] == "night")]
    ratio = nights["unit"].astype(str).map(GIVEN["patients_per_rn"])
    rns_needed = (nights["patients"] / ratio).map(math.ceil)

    items = case.supply_items
    icu = items[items["department"] == "ICU"]
    units_a_day = items["annual_usage_cost"] / items["unit_cost"] / 365
    cover = items["on_hand"] / units_a_day
    return {
        "hours_over_budget_5east": round(float(east["worked_hours"].sum() - budget * east["patient_days"].sum()), 1),
        "agency_fte_5east": round(float(east["agency_hours"].sum() / days * 365
                                        / GIVEN["productive_hours_per_fte"]), 2),
        "night_rns_short": int((rns_needed - nights["rns_on_shift"]).clip(lower=0).sum()),
        "icu_days_on_hand": round(365 * _pooled(icu, "average_inventory_cost", "annual_usage_cost"), 2),
        "restock_first_items": sorted(items.loc[cover < STOCK_COVER_DAYS, "item_id"]),
    }


def _line_2(pharma) -> dict:
    weeks = pharma.line_weeks
    july = weeks[(weeks["week_start"].dt.month == 7) & (weeks["week_start"].dt.year == 2025)]

    def factors(line):
        rows = july[july["line"] == line]
        run = rows["planned_minutes"] - rows["downtime_minutes"]
        availability = run.sum() / rows["planned_minutes"].sum()
        performance = rows["tablets_made"].sum() / (run * rows["ideal_rate_per_minute"]).sum()
        quality = rows["tablets_good"].sum() / rows["tablets_made"].sum()
        return {"availability": availability, "performance": performance, "quality": quality,
                "oee": availability * performance * quality}

    one, two = factors("Line 1"), factors("Line 2")

    batches = pharma.batches
    line = batches[(batches["line"] == "Line 2") & (batches["disposition"].astype(str) != "in review")]
    review_days = (line["dispositioned_on"] - line["manufactured_on"]).dt.days
    first_time = (line["disposition"].astype(str) == "released") & (line["deviations"] == 0)
    electronic = line["batch_record"] == "electronic"
    records = {
        record: {"batches": int(len(group)),
                 "right first time, per cent": round(float(100 * first_time[group.index].mean()), 1),
                 "median review days": float(review_days[group.index].median())}
        for record, group in line.groupby(line["batch_record"].astype(str))}
    return {
        "july": {name: (round(float(100 * one[name]), 1), round(float(100 * two[name]), 1))
                 for name in (*OEE_FACTORS, "oee")},
        "records": records,
        "oee_gap_july_pts": round(float(100 * (two["oee"] - one["oee"])), 2),
        "oee_gap_factor": min(OEE_FACTORS, key=lambda name: two[name] - one[name]),
        "review_time_ratio_pct": round(float(100 * review_days[electronic].median()
                                             / review_days[~electronic].median()), 2),
        "rft_gain_pts": round(float(100 * (first_time[electronic].mean() - first_time[~electronic].mean())), 2),
    }


@functools.cache
def _pharma():
    """The Harbourlight case, loaded once: every hidden test asks for the answers."""
    from hitpm_widgets import load_case

    return load_case(PHARMA_CASE)


def answers(case) -> dict:
    """Every autograded number and list of ps06, for the middle-manager case `case` (and the Harbourlight case)."""
    line_2 = _line_2(_pharma())
    return {
        **_clinics(case),
        **_units(case),
        **{key: line_2[key] for key in ("oee_gap_july_pts", "review_time_ratio_pct", "rft_gain_pts")},
    }


def key_figures(case) -> dict:
    """What a grader checks part E's review against (rounded as a reader would quote them), and the data
    behind the judgement `oee_gap_factor`."""
    import pandas as pd

    appointments = case.appointments_weekly
    after = appointments["week_start"] >= pd.Timestamp(REMINDERS_FROM)

    def rate(rows) -> float:
        return round(100 * _pooled(appointments[rows], "no_shows", "booked"), 1)

    no_shows = {clinic: {"before 6 October": rate((appointments["clinic"] == clinic) & ~after),
                         "from 6 October": rate((appointments["clinic"] == clinic) & after)}
                for clinic in ("Orthopedics clinic", "Cardiology clinic", "Women's health")}
    ortho = appointments[(appointments["clinic"] == "Orthopedics clinic") & after]
    no_show = _pooled(ortho, "no_shows", "booked")
    portal = case.portal_monthly
    december = portal[portal["month"] == portal["month"].max()]

    staffing = case.nurse_staffing
    live = staffing["period_start"] >= pd.Timestamp(SHIFTBRIDGE_LIVE)
    east = staffing[staffing["unit"] == "5 East surgical"]
    east_live = east[east["period_start"] >= pd.Timestamp(SHIFTBRIDGE_LIVE)]
    census = east_live["patient_days"].sum() / (len(east_live) * GIVEN["period_days"])
    budget = float(east["budgeted_hppd"].iloc[0])
    overtime = {
        unit: {"before": round(100 * _pooled(rows[~live[rows.index]], "overtime_hours", "worked_hours"), 1),
               "since ShiftBridge": round(100 * _pooled(rows[live[rows.index]], "overtime_hours", "worked_hours"), 1)}
        for unit, rows in staffing.groupby("unit", observed=True)}

    line_2 = _line_2(_pharma())
    return {
        "no-show rate, per cent": no_shows,
        "expected cost of each booking choice (idle 1, beyond the slots 2)":
            {n: round(_expected_cost(n, GIVEN["slots"], no_show), 2) for n in BOOKING_CHOICES},
        "December activation, per cent": {
            str(row["clinic"]): round(100 * row["active_accounts"] / row["patients_seen"], 1)
            for _, row in december.iterrows()},
        "December activation, all clinics, per cent":
            round(100 * _pooled(december, "active_accounts", "patients_seen"), 1),
        "overtime share, per cent": overtime,
        "5 East HPPD since go-live (budget)": (round(_pooled(east_live, "worked_hours", "patient_days"), 2), budget),
        "5 East productive FTEs at the budgeted HPPD":
            round(float(budget * census * 365 / GIVEN["productive_hours_per_fte"]), 1),
        "Line 2 against Line 1, July (per cent)": line_2["july"],
        "Line 2's batch records with a disposition": line_2["records"],
    }
