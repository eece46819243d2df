"""Patient access systems: the patient portal, appointment scheduling and telemedicine.

Tables (the middle-manager case has them):
- portal: `patients_seen`, `active_accounts`, `self_scheduled`, `appointments_booked` per clinic and month;
  activation = active_accounts / patients_seen (the share of the clinic's patients with an active account);
- appointments: `booked`, `arrived`, `no_shows` per clinic and week; no-show rate = no_shows / booked,
  where booked counts the appointments still booked on the day (cancellations in time are not no-shows);
- telehealth: `visits`, `video_visits`, `video_failed` per clinic and month; video share =
  video_visits / visits, failure rate = video_failed / video_visits (dropped, or converted to a phone call).

Overbooking: with n booked and each patient missing the visit with probability p, independently,
arrivals follow a binomial distribution with mean n(1 - p). Booking more fills the idle slots that
no-shows leave, at the price of sessions where more patients arrive than there are slots.
"""

from __future__ import annotations

import math
import numbers

from .measures import pooled_ratio, require_columns, require_counts, require_not_more

PORTAL_COLUMNS = ("patients_seen", "active_accounts", "self_scheduled", "appointments_booked")
APPOINTMENT_COLUMNS = ("booked", "arrived", "no_shows")
TELEHEALTH_COLUMNS = ("visits", "video_visits", "video_failed")


def _checked(frame, columns, table, parts=()):
    require_columns(frame, columns, table)
    require_counts(frame, columns, table)
    for part, whole in parts:
        require_not_more(frame, part, whole, table)
    return frame


def activation_rate(portal, by="clinic"):
    """Active portal accounts per patient seen, pooled per group (by=None: one figure for all rows)."""
    _checked(portal, PORTAL_COLUMNS, "portal", [("active_accounts", "patients_seen")])
    return pooled_ratio(portal, "active_accounts", "patients_seen", by)


def self_scheduling_share(portal, by="clinic"):
    """The share of appointments that patients booked themselves in the portal."""
    _checked(portal, PORTAL_COLUMNS, "portal", [("self_scheduled", "appointments_booked")])
    return pooled_ratio(portal, "self_scheduled", "appointments_booked", by)


def no_show_rate(appointments, by="clinic"):
    """No-shows per appointment booked on the day, pooled per group."""
    _checked(appointments, APPOINTMENT_COLUMNS, "appointments", [("no_shows", "booked")])
    mismatched = appointments.index[appointments["arrived"] + appointments["no_shows"] != appointments["booked"]]
    if len(mismatched):
        raise ValueError("the appointments table's arrived + no_shows must equal booked; not so in row(s) "
                         + ", ".join(str(i + 1) for i in list(mismatched)[:5]))
    return pooled_ratio(appointments, "no_shows", "booked", by)


def video_share(telehealth, by="clinic"):
    """Video visits per visit, pooled per group."""
    _checked(telehealth, TELEHEALTH_COLUMNS, "telehealth", [("video_visits", "visits")])
    return pooled_ratio(telehealth, "video_visits", "visits", by)


def video_failure_rate(telehealth, by="clinic"):
    """Video visits that dropped or were converted to a phone call, per video visit."""
    _checked(telehealth, TELEHEALTH_COLUMNS, "telehealth", [("video_failed", "video_visits")])
    return pooled_ratio(telehealth, "video_failed", "video_visits", by)


# -- overbooking --------------------------------------------------------------------------------


def _whole(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(f"{what} must be a whole number of 0 or more, not {value!r}")
    return int(value)


def _probability(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value < 1:
        raise ValueError(f"{what} must be a probability from 0 up to (not including) 1, e.g. 0.12; not {value!r}")
    return float(value)


def arrivals_distribution(booked: int, no_show_rate: float):
    """P(k patients arrive) for k = 0..booked: a pandas Series indexed by k (binomial)."""
    import pandas as pd

    n = _whole(booked, "booked")
    show = 1 - _probability(no_show_rate, "no_show_rate")
    return pd.Series([math.comb(n, k) * show ** k * (1 - show) ** (n - k) for k in range(n + 1)],
                     index=pd.RangeIndex(n + 1, name="arrivals"), name="probability")


def expected_arrivals(booked: int, no_show_rate: float) -> float:
    return _whole(booked, "booked") * (1 - _probability(no_show_rate, "no_show_rate"))


def bookings_to_fill(slots: int, no_show_rate: float) -> int:
    """The fewest bookings whose expected arrivals, n(1 - p), fill every slot."""
    slots = _whole(slots, "slots")
    show = 1 - _probability(no_show_rate, "no_show_rate")
    # Rounded first, so that 16 / 0.8 = 20.000000000000004 does not become 21.
    return math.ceil(round(slots / show, 9))


def chance_over_capacity(booked: int, slots: int, no_show_rate: float) -> float:
    """The probability that more patients arrive than there are slots."""
    slots = _whole(slots, "slots")
    distribution = arrivals_distribution(booked, no_show_rate)
    return float(distribution[distribution.index > slots].sum())


def expected_idle_slots(booked: int, slots: int, no_show_rate: float) -> float:
    """Slots left empty on average: E[max(slots - arrivals, 0)]."""
    slots = _whole(slots, "slots")
    distribution = arrivals_distribution(booked, no_show_rate)
    idle = (slots - distribution.index.to_numpy()).clip(min=0)
    return float((idle * distribution.to_numpy()).sum())
