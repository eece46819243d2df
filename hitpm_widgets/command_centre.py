"""The go-live command centre: a discrete-event simulation (SimPy) of One Chart's go-live week.

Tickets arrive hour by hour at the rates of the case's table (a Poisson process whose rate is
constant within each hour of the week). Severity 1 to 3 tickets go to the command centre's analysts;
"how do I" questions go to the at-the-elbow super-users on the units while any are on shift, else to
the command centre by phone. A super-user passes some questions on as severity 3 tickets (they turn
out to be faults). The learner's staffing plan sets how many analysts and super-users work each
shift (day 07-15, evening 15-23, night 23-07) of each go-live day; the triage rule sets the order in
which analysts take tickets. A ticket's *wait* is the time from its arrival (or escalation) until
someone starts on it; its severity's *service level* is the share of its tickets with a wait within
the severity's target. Staff going off shift finish the ticket in hand first; tickets still waiting
when the week ends count as not answered within target (their wait runs to the week's end).

API (stable: the ps08 workbook's grading uses it; things are added, never renamed)::

    from hitpm_widgets import load_case
    from hitpm_widgets.command_centre import CommandCentre, StaffingPlan

    centre = CommandCentre.from_case(load_case("emr-go-live"))
    plan = StaffingPlan.weekly(analysts={"day": 6, "evening": 4, "night": 2},
                               super_users={"day": 14, "evening": 8, "night": 3})
    plan = plan.with_staff(day=1, shift="day", analysts=8)   # change one shift (day=None: every day)
    plan = StaffingPlan.from_table(frame)      # 21 rows: go_live_day, shift, analysts, super_users
    result = centre.run(plan, triage="severity-preemptive", replications=20, seed=2025)
    result.service_levels()   # one row a severity: within_target (mean share), target_share, met, ...
    result.cost               # dollars: staffed hours x each role's hourly cost (= centre.cost(plan))
    result.waits_by_hour()    # mean wait (minutes) by hour of the week and severity
    result.tickets            # one row a ticket and replication: arrival, wait, answered, ...

The same seed gives the same tickets (arrivals, service times, escalations) whatever the plan or
the triage rule (common random numbers), so two plans differ only by what was changed.
`CommandCentreStaffing(exercise_id, case)` is the exercise (durable answers, the widget) over the
same model; its answer file's "model" is {"plan": StaffingPlan.to_records() (21 rows), "triage": ...,
"replications": ..., "seed": ...}, so a grader rebuilds the learner's plan with
`StaffingPlan.from_records(model["plan"])` and runs it with its own replications and seed.
Nothing here searches for a plan: the plan is the learner's.
"""

from __future__ import annotations

import bisect
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral
from typing import Any

from .exercise import Exercise

#: The shifts of a go-live day, in order, with the clock hours they cover (the case's table says
#: which hour belongs to which shift).
SHIFTS = ("day", "evening", "night")
SHIFT_HOURS = {"day": "07:00-15:00", "evening": "15:00-23:00", "night": "23:00-07:00"}
#: Go-live days the plan covers (day 1 starts with the first day shift after the cutover, at 07:00).
DAYS = 7
ROLES = ("analysts", "super_users")
#: The roles' names in the case's support_roles table.
ROLE_IN_TABLE = {"analysts": "analyst", "super_users": "super_user"}
#: Handlers of tickets in the service table.
COMMAND_CENTRE, AT_THE_ELBOW = "command_centre", "at_the_elbow"
TRIAGE_RULES = {
    "fcfs": "first come, first served",
    "severity": "by severity (a started ticket is finished first)",
    "severity-preemptive": "by severity, and a severity 1 interrupts lower-severity work",
}
DEFAULT_TRIAGE = "severity"
DEFAULT_REPLICATIONS = 20
MAX_REPLICATIONS = 500
DEFAULT_SEED = 20_250_614
#: No shift needs more people than this; a bigger number is a typing slip.
MAX_STAFF_PER_SHIFT = 1000
#: How often the queues are counted (minutes): `WeekResult.queue_lengths`.
SAMPLE_EVERY_MINUTES = 15
MINUTES_PER_HOUR = 60
HOURS = DAYS * 24
WEEK_MINUTES = HOURS * MINUTES_PER_HOUR

ARRIVAL_COLUMNS = ("hour_of_week", "go_live_day", "shift")
SEVERITY_COLUMNS = ("severity", "name", "target_minutes", "target_share")
SERVICE_COLUMNS = ("severity", "handler", "mean_minutes", "cv", "escalated_share", "escalates_to")
ROLE_COLUMNS = ("role", "title", "hourly_cost", "available")


# -- checking input ------------------------------------------------------------------------------


def _whole(value: Any, what: str, *, minimum: int = 0, maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral | float) or (
            isinstance(value, float) and not value.is_integer()):
        raise ValueError(f"{what} must be a whole number, not {value!r}")
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        allowed = f"{minimum} or more" if maximum is None else f"from {minimum} to {maximum}"
        raise ValueError(f"{what} must be {allowed}, not {value}")
    return value


def _shift(shift: Any) -> str:
    if shift not in SHIFTS:
        raise KeyError(f"unknown shift {shift!r}; the shifts are {', '.join(SHIFTS)}")
    return shift


def _day(day: Any) -> int:
    return _whole(day, "the go-live day", minimum=1, maximum=DAYS)


def check_triage(rule: Any) -> str:
    if rule not in TRIAGE_RULES:
        raise ValueError(f"unknown triage rule {rule!r}; choose one of: "
                         + "; ".join(f"{key!r} ({name})" for key, name in TRIAGE_RULES.items()))
    return rule


def check_replications(replications: Any) -> int:
    return _whole(replications, "the number of replications", minimum=1, maximum=MAX_REPLICATIONS)


def check_seed(seed: Any) -> int:
    return _whole(seed, "the seed", minimum=0)


# -- the staffing plan ---------------------------------------------------------------------------


def _per_shift(value: Any, role: str, where: str) -> tuple[int, int, int]:
    """A role's numbers for the three shifts of one day: a mapping by shift, or one number for all."""
    if isinstance(value, Mapping):
        unknown = [key for key in value if key not in SHIFTS]
        if unknown:
            raise KeyError(f"unknown shift {unknown[0]!r} for {role} ({where}); the shifts are {', '.join(SHIFTS)}")
        missing = [shift for shift in SHIFTS if shift not in value]
        if missing:
            raise ValueError(f"the number of {role} is missing for the {', '.join(missing)} shift ({where}); "
                             "give every shift, 0 where nobody works")
        return tuple(_whole(value[s], f"the number of {role} on the {s} shift ({where})",
                            maximum=MAX_STAFF_PER_SHIFT) for s in SHIFTS)
    if isinstance(value, list | tuple):
        if len(value) != len(SHIFTS):
            raise ValueError(f"give {len(SHIFTS)} numbers of {role} ({', '.join(SHIFTS)}) for {where}, "
                             f"not {len(value)}")
        return tuple(_whole(v, f"the number of {role} on the {s} shift ({where})", maximum=MAX_STAFF_PER_SHIFT)
                     for s, v in zip(SHIFTS, value, strict=True))
    number = _whole(value, f"the number of {role} ({where})", maximum=MAX_STAFF_PER_SHIFT)
    return (number,) * len(SHIFTS)


@dataclass(frozen=True)
class StaffingPlan:
    """Analysts and super-users on each shift of each go-live day.

    `analysts[d][s]` is the number on shift `SHIFTS[s]` of go-live day `d + 1`; the same for
    `super_users`. Made with `weekly(...)`, `from_table(...)` or from 7 rows of 3 whole numbers;
    every number is checked (whole, 0 or more). Frozen: `with_staff` returns a changed copy.
    """

    analysts: tuple[tuple[int, int, int], ...]
    super_users: tuple[tuple[int, int, int], ...]

    def __post_init__(self) -> None:
        for role in ROLES:
            days = getattr(self, role)
            if isinstance(days, str | bytes | Mapping) or not isinstance(days, list | tuple):
                raise ValueError(f"{role} must be {DAYS} rows (one a go-live day) of {len(SHIFTS)} numbers "
                                 f"({', '.join(SHIFTS)}), not {type(days).__name__}")
            if len(days) != DAYS:
                raise ValueError(f"{role} must have {DAYS} rows, one a go-live day, not {len(days)}")
            checked = tuple(_per_shift(list(row) if isinstance(row, tuple) else row, role, f"go-live day {d}")
                            for d, row in enumerate(days, start=1))
            object.__setattr__(self, role, checked)

    @classmethod
    def weekly(cls, analysts: Any, super_users: Any) -> StaffingPlan:
        """The same shifts every day: `analysts={"day": 6, "evening": 4, "night": 2}` (or one number for
        every shift), and the same for `super_users`."""
        a = _per_shift(analysts, "analysts", "every day")
        s = _per_shift(super_users, "super_users", "every day")
        return cls((a,) * DAYS, (s,) * DAYS)

    @classmethod
    def from_table(cls, table: Any) -> StaffingPlan:
        """From a table (DataFrame or list of dicts) with the columns go_live_day, shift, analysts and
        super_users: one row for each of the 21 shifts of the week."""
        from .tabular import as_frame

        frame = as_frame(table, "the staffing plan", "shift",
                         required=("go_live_day", "shift", *ROLES))
        cells: dict[tuple[int, str], tuple[int, int]] = {}
        for number, row in enumerate(frame.to_dict("records"), start=1):
            day, shift = _day(row["go_live_day"]), _shift(row["shift"])
            if (day, shift) in cells:
                raise ValueError(f"the staffing plan gives day {day}'s {shift} shift twice (row {number})")
            cells[(day, shift)] = tuple(_whole(row[role], f"{role} in row {number}", maximum=MAX_STAFF_PER_SHIFT)
                                        for role in ROLES)
        missing = [f"day {d} {s}" for d in range(1, DAYS + 1) for s in SHIFTS if (d, s) not in cells]
        if missing:
            raise ValueError(f"the staffing plan lacks {len(missing)} shift(s): {', '.join(missing[:5])}"
                             f"{' ...' if len(missing) > 5 else ''}; give every shift, 0 where nobody works")
        return cls(*(tuple(tuple(cells[(d, s)][r] for s in SHIFTS) for d in range(1, DAYS + 1))
                     for r in range(len(ROLES))))

    @classmethod
    def from_records(cls, records: Any) -> StaffingPlan:
        """From `to_records()`'s list of dicts (an answer file's plan)."""
        if not isinstance(records, list):
            raise ValueError("a saved staffing plan must be a list of shifts")
        return cls.from_table(records)

    def with_staff(self, *, shift: str, day: int | None = None, analysts: int | None = None,
                   super_users: int | None = None) -> StaffingPlan:
        """A copy with one shift changed: on go-live day `day`, or on every day when `day` is None."""
        _shift(shift)
        if analysts is None and super_users is None:
            raise ValueError("give analysts, super_users or both")
        days = range(1, DAYS + 1) if day is None else [_day(day)]
        where = "every day" if day is None else f"go-live day {day}"
        index = SHIFTS.index(shift)
        changed = {}
        for role, value in (("analysts", analysts), ("super_users", super_users)):
            rows = [list(row) for row in getattr(self, role)]
            if value is not None:
                number = _whole(value, f"the number of {role} on the {shift} shift ({where})",
                                maximum=MAX_STAFF_PER_SHIFT)
                for d in days:
                    rows[d - 1][index] = number
            changed[role] = tuple(tuple(row) for row in rows)
        return StaffingPlan(**changed)

    def staff(self, day: int, shift: str) -> dict[str, int]:
        """{"analysts": ..., "super_users": ...} on one shift."""
        d, s = _day(day) - 1, SHIFTS.index(_shift(shift))
        return {role: getattr(self, role)[d][s] for role in ROLES}

    def to_records(self) -> list[dict[str, Any]]:
        return [{"go_live_day": d, "shift": s, **self.staff(d, s)} for d in range(1, DAYS + 1) for s in SHIFTS]

    def to_frame(self):
        """One row a shift: go_live_day, shift, analysts, super_users."""
        import pandas as pd

        return pd.DataFrame(self.to_records())

    def people_per_day(self, role: str) -> list[int]:
        """How many people of a role work on each go-live day (each works one shift a day)."""
        if role not in ROLES:
            raise KeyError(f"unknown role {role!r}; the roles are {', '.join(ROLES)}")
        return [sum(row) for row in getattr(self, role)]


# -- the case's tables -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Severity:
    key: str
    name: str
    target_minutes: float
    target_share: float


@dataclass(frozen=True)
class Service:
    """How long a handler takes over a severity's tickets (log-normal: mean and coefficient of variation)."""

    mean_minutes: float
    cv: float
    escalated_share: float = 0.0
    escalates_to: str | None = None

    @property
    def log_parameters(self) -> tuple[float, float]:
        sigma2 = math.log(1 + self.cv**2)
        return math.log(self.mean_minutes) - sigma2 / 2, math.sqrt(sigma2)


def _frame(table: Any, what: str, columns):
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise ValueError(f"{what} must be a DataFrame (the case's table), not {type(table).__name__}")
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ValueError(f"{what} lacks the column(s) {', '.join(missing)}")
    return table.reset_index(drop=True)


def _number(value: Any, what: str, *, minimum: float = 0.0, above: bool = False, maximum: float | None = None):
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, not {value!r}") from None
    if not math.isfinite(number) or number < minimum or (above and number == minimum) or (
            maximum is not None and number > maximum):
        bound = f"above {minimum:g}" if above else f"{minimum:g} or more"
        if maximum is not None:
            bound += f" and at most {maximum:g}"
        raise ValueError(f"{what} must be {bound}, not {value!r}")
    return number


class CommandCentre:
    """The go-live week as the case's tables describe it; `run(plan, ...)` simulates a staffing plan.

    Tables: `arrivals` (one row an hour of the week: hour_of_week 0-167, go_live_day, shift, and the
    expected tickets of each severity in a column named by the severity), `severities` (in order of
    priority, the first pre-empts: severity, name, target_minutes, target_share), `service` (severity,
    handler, mean_minutes, cv, escalated_share, escalates_to) and `roles` (role, title, hourly_cost,
    available: people who can be rostered, each working one shift a day).
    """

    def __init__(self, arrivals, severities, service, roles) -> None:
        import numpy as np

        severity_table = _frame(severities, "the severities table", SEVERITY_COLUMNS)
        self.severities: dict[str, Severity] = {}
        for row in severity_table.to_dict("records"):
            key = str(row["severity"])
            if key in self.severities:
                raise ValueError(f"the severities table lists {key!r} twice")
            self.severities[key] = Severity(
                key, str(row["name"]),
                _number(row["target_minutes"], f"target_minutes of {key!r}", above=True),
                _number(row["target_share"], f"target_share of {key!r}", maximum=1.0))
        if not self.severities:
            raise ValueError("the severities table is empty")
        self.order = tuple(self.severities)

        service_table = _frame(service, "the service table", SERVICE_COLUMNS[:4])
        self.service: dict[tuple[str, str], Service] = {}
        for row in service_table.to_dict("records"):
            key, handler = str(row["severity"]), str(row["handler"])
            if key not in self.severities:
                raise ValueError(f"the service table names an unknown severity {key!r}; "
                                 f"known: {', '.join(self.order)}")
            if handler not in (COMMAND_CENTRE, AT_THE_ELBOW):
                raise ValueError(f"the service table names an unknown handler {handler!r}; "
                                 f"known: {COMMAND_CENTRE}, {AT_THE_ELBOW}")
            share = _number(row.get("escalated_share", 0) or 0, f"escalated_share of {key!r}/{handler}", maximum=1)
            target = row.get("escalates_to")
            target = None if target is None or (isinstance(target, float) and math.isnan(target)) or target == "" \
                else str(target)
            if share > 0 and target not in self.severities:
                raise ValueError(f"{key!r} handled {handler} escalates a share of tickets but names no known "
                                 f"severity to escalate to (escalates_to: {target!r})")
            self.service[(key, handler)] = Service(
                _number(row["mean_minutes"], f"mean_minutes of {key!r}/{handler}", above=True),
                _number(row["cv"], f"cv of {key!r}/{handler}", maximum=5), share, target)
        lacking = [k for k in self.order if (k, COMMAND_CENTRE) not in self.service]
        if lacking:
            raise ValueError(f"the service table has no command-centre service time for: {', '.join(lacking)}")
        #: The severities super-users answer at the elbow (the "how do I" questions).
        self.at_the_elbow = tuple(k for k in self.order if (k, AT_THE_ELBOW) in self.service)

        arrival_table = _frame(arrivals, "the arrivals table", (*ARRIVAL_COLUMNS, *self.order))
        if list(arrival_table["hour_of_week"]) != list(range(HOURS)):
            raise ValueError(f"the arrivals table must have one row for each hour of the week, hour_of_week "
                             f"0 to {HOURS - 1} in order")
        for key in self.order:
            _number(arrival_table[key].min(), f"the expected {key} tickets in an hour")
        self.arrivals = arrival_table
        #: Expected tickets: [hour, severity].
        self.rates = arrival_table[list(self.order)].to_numpy(dtype=float)
        self.hour_day = arrival_table["go_live_day"].astype(int).to_numpy()
        shifts = arrival_table["shift"].astype(str)
        unknown = sorted(set(shifts) - set(SHIFTS))
        if unknown or not set(self.hour_day) <= set(range(1, DAYS + 1)):
            raise ValueError(f"the arrivals table's shifts must be {', '.join(SHIFTS)} and its days 1 to {DAYS}")
        self.hour_shift = np.array([SHIFTS.index(s) for s in shifts])
        #: Hours in each (day, shift): what a rostered person is paid for.
        self.shift_hours = np.zeros((DAYS, len(SHIFTS)), dtype=int)
        np.add.at(self.shift_hours, (self.hour_day - 1, self.hour_shift), 1)

        role_table = _frame(roles, "the support roles table", ROLE_COLUMNS)
        by_role = {str(row["role"]): row for row in role_table.to_dict("records")}
        self.hourly_cost, self.available, self.role_titles = {}, {}, {}
        for role, name in ROLE_IN_TABLE.items():
            if name not in by_role:
                raise ValueError(f"the support roles table has no {name!r} row")
            self.hourly_cost[role] = _number(by_role[name]["hourly_cost"], f"the hourly cost of {name}")
            self.available[role] = int(_number(by_role[name]["available"], f"the {name}s available"))
            self.role_titles[role] = str(by_role[name]["title"])

    @classmethod
    def from_case(cls, case) -> CommandCentre:
        """From the emr-go-live case (or a variant of it): its command-centre tables."""
        return cls(case.command_centre_arrivals, case.command_centre_severities, case.command_centre_service,
                   case.support_roles)

    # -- a plan's cost and feasibility ----------------------------------------------------------

    def check(self, plan: StaffingPlan) -> StaffingPlan:
        """The plan, if the case can roster it: each person works one shift a day, so a day's three
        shifts together may not need more people of a role than the case has."""
        if not isinstance(plan, StaffingPlan):
            raise ValueError(f"the plan must be a StaffingPlan (StaffingPlan.weekly(...) or "
                             f"StaffingPlan.from_table(...)), not {type(plan).__name__}")
        for role in ROLES:
            for day, people in enumerate(plan.people_per_day(role), start=1):
                if people > self.available[role]:
                    raise ValueError(
                        f"go-live day {day} needs {people} {self.role_titles[role]}s over its three shifts, but "
                        f"only {self.available[role]} can be rostered (each works one shift a day)")
        return plan

    def cost(self, plan: StaffingPlan) -> float:
        """Dollars: every rostered person's hours on shift times the role's hourly cost."""
        return float(sum(self.cost_by_role(plan).values()))

    def cost_by_role(self, plan: StaffingPlan) -> dict[str, float]:
        import numpy as np

        self.check(plan)
        return {role: float((np.array(getattr(plan, role)) * self.shift_hours).sum() * self.hourly_cost[role])
                for role in ROLES}

    def staff_by_hour(self, plan: StaffingPlan) -> dict[str, list[int]]:
        """How many of each role are on shift in each hour of the week."""
        return {role: [getattr(plan, role)[d - 1][s] for d, s in zip(self.hour_day, self.hour_shift, strict=True)]
                for role in ROLES}

    def workload_by_hour(self, plan: StaffingPlan):
        """One row an hour of the week: the staff on shift, the tickets expected, and the work they bring
        as the number of people it would keep busy all hour (the offered load: tickets an hour × handling
        minutes / 60), at the command centre and on the units. Utilisation is work / staff on shift.

        "How do I" questions go to the units while super-users are on shift (some come back to the
        command centre as escalations), else to the command centre. Averages only: the simulation
        adds what averages hide (bunching, queues carried across hours, priorities).
        """
        import numpy as np
        import pandas as pd

        staff = {role: np.array(numbers) for role, numbers in self.staff_by_hour(plan).items()}
        elbow_on = staff["super_users"] > 0
        desk, units = np.zeros(HOURS), np.zeros(HOURS)
        desk_tickets, unit_tickets = np.zeros(HOURS), np.zeros(HOURS)
        for i, key in enumerate(self.order):
            per_hour = self.rates[:, i]
            to_desk = per_hour if key not in self.at_the_elbow else np.where(elbow_on, 0.0, per_hour)
            desk_tickets += to_desk
            desk += to_desk * self.service[(key, COMMAND_CENTRE)].mean_minutes / MINUTES_PER_HOUR
            if key in self.at_the_elbow:
                service = self.service[(key, AT_THE_ELBOW)]
                answered = np.where(elbow_on, per_hour, 0.0)
                unit_tickets += answered
                units += answered * service.mean_minutes / MINUTES_PER_HOUR
                if service.escalated_share > 0:
                    escalated = self.service[(service.escalates_to, COMMAND_CENTRE)].mean_minutes
                    desk_tickets += answered * service.escalated_share
                    desk += answered * service.escalated_share * escalated / MINUTES_PER_HOUR
        with np.errstate(divide="ignore", invalid="ignore"):
            frame = pd.DataFrame({
                "go_live_day": self.hour_day, "shift": [SHIFTS[s] for s in self.hour_shift],
                "analysts": staff["analysts"], "command_centre_tickets": desk_tickets, "command_centre_work": desk,
                "command_centre_utilisation": np.where(staff["analysts"] > 0, desk / staff["analysts"], np.inf),
                "super_users": staff["super_users"], "at_the_elbow_tickets": unit_tickets, "at_the_elbow_work": units,
                "at_the_elbow_utilisation": np.where(elbow_on, units / staff["super_users"], np.nan),
            }, index=pd.RangeIndex(HOURS, name="hour_of_week"))
        frame.loc[frame["command_centre_work"] == 0, "command_centre_utilisation"] = 0.0
        return frame

    def expected_tickets(self) -> dict[str, float]:
        """Expected tickets in the week by severity (before escalations)."""
        return {key: float(self.rates[:, i].sum()) for i, key in enumerate(self.order)}

    # -- simulation ----------------------------------------------------------------------------

    def run(self, plan: StaffingPlan, triage: str = DEFAULT_TRIAGE, replications: int = DEFAULT_REPLICATIONS,
            seed: int = DEFAULT_SEED) -> WeekResult:
        """Simulate the week `replications` times; the same seed gives the same result."""
        import numpy as np

        self.check(plan)
        triage = check_triage(triage)
        replications = check_replications(replications)
        seed = check_seed(seed)
        streams = np.random.SeedSequence(seed).spawn(replications)
        staff = self.staff_by_hour(plan)
        runs = [_Week(self, staff, triage, self._draw_tickets(np.random.default_rng(stream))).run()
                for stream in streams]
        return WeekResult(self, plan, triage, replications, seed, runs)

    def _draw_tickets(self, rng) -> dict[str, Any]:
        """Every random number one replication needs, drawn before it runs: the same for any plan."""
        import numpy as np

        counts = rng.poisson(self.rates)                               # [hour, severity]
        hours = np.repeat(np.tile(np.arange(HOURS), (len(self.order), 1)).T.ravel(), counts.ravel())
        severity = np.tile(np.arange(len(self.order)), HOURS).repeat(counts.ravel())
        arrival = (hours + rng.random(len(hours))) * MINUTES_PER_HOUR
        order = np.argsort(arrival, kind="stable")
        arrival, severity = arrival[order], severity[order]
        draws = {"arrival": arrival, "severity": severity}
        # One log-normal draw per ticket and handler, and one for an escalated ticket's service.
        for handler in (COMMAND_CENTRE, AT_THE_ELBOW):
            normal = rng.standard_normal(len(arrival))
            minutes = np.full(len(arrival), np.nan)
            for i, key in enumerate(self.order):
                if (key, handler) in self.service:
                    mu, sigma = self.service[(key, handler)].log_parameters
                    chosen = severity == i
                    minutes[chosen] = np.exp(mu + sigma * normal[chosen])
            draws[handler] = minutes
        draws["escalation"] = rng.random(len(arrival))
        draws["escalated_normal"] = rng.standard_normal(len(arrival))
        return draws


def _request_key(request):
    return request.key


class _SortedByInsertion(list):
    """SimPy's SortedQueue re-sorts the whole queue on every request; this inserts in place (the same
    order: by key, ties in arrival order), so a plan that leaves hundreds of tickets waiting stays fast."""

    maxlen = None

    def append(self, item) -> None:
        bisect.insort_right(self, item, key=_request_key)


@functools.cache
def _resources():
    """SimPy's priority resources with the faster queue (made on first use: simpy loads lazily)."""
    import simpy

    class Desk(simpy.PreemptiveResource):
        PutQueue = _SortedByInsertion

    class Units(simpy.PriorityResource):
        PutQueue = _SortedByInsertion

    return Desk, Units


class _Week:
    """One replication of the week in SimPy: a resource for the command centre, one for the units'
    super-users, a roster process that changes how many servers are free at each shift change."""

    #: Priority of the roster's "off duty" requests: before any ticket in the queue.
    OFF_DUTY = -1

    def __init__(self, centre: CommandCentre, staff: dict[str, list[int]], triage: str, draws) -> None:
        import simpy

        # Plain Python numbers: a numpy float as a delay would make every simulated time a numpy float,
        # and SimPy's clock arithmetic and heap comparisons several times slower.
        self.centre, self.staff, self.triage = centre, staff, triage
        self.draws = {name: values.tolist() for name, values in draws.items()}
        self.env = simpy.Environment()
        desk, units = _resources()
        self.desk = desk(self.env, capacity=max(1, max(staff["analysts"])))
        self.units = units(self.env, capacity=max(1, max(staff["super_users"])))
        #: The roster's off-duty requests of each resource (some may still wait in its queue).
        self.off_duty = {self.desk: [], self.units: []}
        self.super_users_on = 0
        self.records: list[list] = []
        self.samples: list[tuple[float, int, int]] = []

    # SimPy processes ------------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        env = self.env
        env.process(self._roster(self.desk, self.staff["analysts"]))
        env.process(self._roster(self.units, self.staff["super_users"], elbow=True))
        env.process(self._sampler())
        env.process(self._arrivals())
        env.run(until=WEEK_MINUTES)
        # Tickets still waiting at the week's end: not answered, waited until the end.
        for record in self.records:
            if record[3] is None:
                record[3] = math.inf
        return {"records": self.records, "samples": self.samples}

    def _roster(self, resource, on_shift: list[int], elbow: bool = False):
        """Hold `capacity - on shift` servers off duty, hour by hour; staff leaving finish their ticket."""
        capacity, held = resource.capacity, self.off_duty[resource]
        for people in on_shift:
            if elbow:
                self.super_users_on = people
            wanted = capacity - people
            while len(held) < wanted:
                held.append(resource.request(priority=self.OFF_DUTY, **self._no_preempt(resource)))
            while len(held) > wanted:
                request = held.pop()
                if request.triggered:
                    resource.release(request)
                else:
                    request.cancel()
            yield self.env.timeout(MINUTES_PER_HOUR)

    @staticmethod
    def _no_preempt(resource) -> dict[str, bool]:
        import simpy

        return {"preempt": False} if isinstance(resource, simpy.PreemptiveResource) else {}

    def _sampler(self):
        """The number of tickets waiting at the desk and on the units, every few minutes."""
        while True:
            self.samples.append((self.env.now, self._waiting(self.desk), self._waiting(self.units)))
            yield self.env.timeout(SAMPLE_EVERY_MINUTES)

    def _waiting(self, resource) -> int:
        """Tickets in the resource's queue: its queue less the off-duty requests still in it."""
        return len(resource.queue) - sum(1 for request in self.off_duty[resource] if not request.triggered)

    def _arrivals(self):
        draws, env = self.draws, self.env
        elbow = {self.centre.order.index(k) for k in self.centre.at_the_elbow}
        for ticket, (arrival, severity) in enumerate(zip(draws["arrival"], draws["severity"], strict=True)):
            yield env.timeout(arrival - env.now)
            if severity in elbow and self.super_users_on > 0:
                self._at_the_elbow(ticket, int(severity))
            else:
                env.process(self._at_the_desk(ticket, int(severity), draws[COMMAND_CENTRE][ticket]))

    def _record(self, ticket: int, severity: int, handler: str, escalated: bool) -> list:
        # [ticket, severity, handler, start, arrival, escalated]
        record = [ticket, severity, handler, None, self.env.now, escalated]
        self.records.append(record)
        return record

    def _at_the_elbow(self, ticket: int, severity: int) -> None:
        """A question for a super-user: request one, answer, maybe pass it on. Written with event
        callbacks rather than a process of its own (nothing interrupts a super-user), which saves two
        events a question: the units see two thirds of the week's tickets."""
        record = self._record(ticket, severity, AT_THE_ELBOW, False)
        request = self.units.request(priority=0)
        request.callbacks.append(lambda _: self._elbow_starts(ticket, severity, record, request))

    def _elbow_starts(self, ticket: int, severity: int, record: list, request) -> None:
        record[3] = self.env.now
        answered = self.env.timeout(self.draws[AT_THE_ELBOW][ticket])
        answered.callbacks.append(lambda _: self._elbow_ends(ticket, severity, request))

    def _elbow_ends(self, ticket: int, severity: int, request) -> None:
        self.units.release(request)
        service = self.centre.service[(self.centre.order[severity], AT_THE_ELBOW)]
        if self.draws["escalation"][ticket] < service.escalated_share:
            to = self.centre.order.index(service.escalates_to)
            mu, sigma = self.centre.service[(service.escalates_to, COMMAND_CENTRE)].log_parameters
            minutes = math.exp(mu + sigma * self.draws["escalated_normal"][ticket])
            self.env.process(self._at_the_desk(ticket, to, minutes, escalated=True))

    def _at_the_desk(self, ticket: int, severity: int, minutes: float, escalated: bool = False):
        import simpy

        env = self.env
        record = self._record(ticket, severity, COMMAND_CENTRE, escalated)
        fcfs = self.triage == "fcfs"
        priority = 0 if fcfs else severity
        preempt = self.triage == "severity-preemptive" and severity == 0
        left = minutes
        while left > 0:
            with self.desk.request(priority=priority, preempt=preempt) as request:
                yield request
                if record[3] is None:
                    record[3] = env.now
                started = env.now
                try:
                    yield env.timeout(left)
                    left = 0
                except simpy.Interrupt:
                    # A severity 1 took this analyst: the rest of the work waits for the next one.
                    left -= env.now - started


class WeekResult:
    """The replications of one plan under one triage rule: tickets, waits, service levels, cost."""

    def __init__(self, centre: CommandCentre, plan: StaffingPlan, triage: str, replications: int, seed: int,
                 runs: list[dict[str, Any]]) -> None:
        import numpy as np
        import pandas as pd

        self.centre, self.plan, self.triage = centre, plan, triage
        self.replications, self.seed = replications, seed
        frames = []
        for number, run in enumerate(runs, start=1):
            records = run["records"]
            frame = pd.DataFrame(records, columns=["ticket", "severity", "handler", "start_minute",
                                                   "arrival_minute", "escalated"])
            frame.insert(0, "replication", number)
            frames.append(frame)
        tickets = pd.concat(frames, ignore_index=True)
        tickets["severity"] = pd.Categorical.from_codes(tickets["severity"].to_numpy(dtype=int),
                                                        categories=list(centre.order))
        start = tickets["start_minute"].to_numpy(dtype=float)
        answered = np.isfinite(start)
        tickets["answered"] = answered
        tickets["wait_minutes"] = np.where(answered, start, WEEK_MINUTES) - tickets["arrival_minute"]
        tickets.loc[~answered, "start_minute"] = np.nan
        tickets["hour_of_week"] = (tickets["arrival_minute"] // MINUTES_PER_HOUR).astype(int)
        targets = tickets["severity"].map({k: s.target_minutes for k, s in centre.severities.items()}).astype(float)
        tickets["within_target"] = answered & (tickets["wait_minutes"] <= targets)
        #: One row a ticket and replication (an escalated ticket is a second row at the command centre).
        self.tickets = tickets
        samples = [pd.DataFrame(run["samples"], columns=["minute", COMMAND_CENTRE, AT_THE_ELBOW]).assign(
            replication=number) for number, run in enumerate(runs, start=1)]
        #: The number of tickets waiting (not yet started) at each sampling time, per replication.
        self.queue_lengths = pd.concat(samples, ignore_index=True)[["replication", "minute", COMMAND_CENTRE,
                                                                    AT_THE_ELBOW]]

    @property
    def cost(self) -> float:
        return self.centre.cost(self.plan)

    def service_levels(self):
        """One row a severity: tickets a week (mean over replications), the target, the share answered
        within it (mean over replications, the lowest and the highest replication's), and whether the mean
        meets it."""
        import pandas as pd

        per_run = (self.tickets.groupby(["severity", "replication"], observed=False)["within_target"]
                   .agg(["mean", "size"]).unstack("replication"))
        rows = []
        for key, severity in self.centre.severities.items():
            shares = per_run.loc[key, "mean"]
            rows.append({"severity": key, "name": severity.name,
                         "tickets": float(per_run.loc[key, "size"].mean()),
                         "target_minutes": severity.target_minutes, "target_share": severity.target_share,
                         "within_target": float(shares.mean()), "lowest": float(shares.min()),
                         "met": bool(shares.mean() >= severity.target_share), "highest": float(shares.max())})
        return pd.DataFrame(rows).set_index("severity")

    def mean_wait(self, severity: str | None = None, handler: str | None = None) -> float:
        """Mean wait in minutes over every ticket of every replication (optionally one severity or handler)."""
        tickets = self.tickets
        if severity is not None:
            if severity not in self.centre.severities:
                raise KeyError(f"unknown severity {severity!r}; known: {', '.join(self.centre.order)}")
            tickets = tickets[tickets["severity"] == severity]
        if handler is not None:
            if handler not in (COMMAND_CENTRE, AT_THE_ELBOW):
                raise KeyError(f"unknown handler {handler!r}; known: {COMMAND_CENTRE}, {AT_THE_ELBOW}")
            tickets = tickets[tickets["handler"] == handler]
        return float(tickets["wait_minutes"].mean()) if len(tickets) else float("nan")

    def waits_by_hour(self):
        """Mean wait (minutes) of the tickets arriving in each hour of the week, one column a severity
        (NaN where no ticket of that severity arrived in that hour in any replication)."""
        table = self.tickets.pivot_table(index="hour_of_week", columns="severity", values="wait_minutes",
                                         aggfunc="mean", observed=False)
        return table.reindex(index=range(HOURS), columns=list(self.centre.order))

    def summary(self) -> dict[str, Any]:
        levels = self.service_levels()
        return {"triage": self.triage, "replications": self.replications, "seed": self.seed,
                "cost": self.cost, "every_target_met": bool(levels["met"].all()),
                "mean_wait_minutes": self.mean_wait()}

    def __repr__(self) -> str:
        met = self.service_levels()["met"]
        return (f"<WeekResult: {self.replications} replications, {TRIAGE_RULES[self.triage]}; "
                f"{int(met.sum())} of {len(met)} service levels met; cost ${self.cost:,.0f}>")


# -- the exercise --------------------------------------------------------------------------------


def _centre(source) -> CommandCentre:
    if isinstance(source, CommandCentre):
        return source
    if hasattr(source, "tables") and "command_centre_arrivals" in getattr(source, "tables", {}):
        return CommandCentre.from_case(source)
    raise ValueError("give the emr-go-live case (load_case('emr-go-live')) or a CommandCentre, "
                     f"not {type(source).__name__}")


class CommandCentreStaffing(Exercise):
    """The learner's staffing plan and triage rule for the go-live command centre, simulated on demand.

    The answer is the plan (analysts and super-users on each shift of each go-live day), the triage
    rule, and the number of replications and the seed of the learner's runs. It starts with nobody
    rostered unless `plan` is given. `run()` simulates it (about a second for 20 replications).

    >>> from hitpm_widgets import load_case
    >>> staffing = CommandCentreStaffing(None, load_case("emr-go-live"))
    >>> staffing.set_staff("day", analysts=6, super_users=14)
    >>> staffing.plan.staff(3, "day")
    {'analysts': 6, 'super_users': 14}
    """

    kind = "CommandCentreStaffing"

    def __init__(self, exercise_id: str | None, case, *, plan: StaffingPlan | None = None,
                 triage: str = DEFAULT_TRIAGE, replications: int = DEFAULT_REPLICATIONS,
                 seed: int = DEFAULT_SEED, directory=None) -> None:
        super().__init__(exercise_id, directory=directory)
        self.centre = _centre(case)
        empty = StaffingPlan.weekly(analysts=0, super_users=0)
        self._plan = self.centre.check(empty if plan is None else plan)
        self._triage = check_triage(triage)
        self._replications = check_replications(replications)
        self._seed = check_seed(seed)
        self._result: WeekResult | None = None
        self._load_saved_answer()

    # -- answering ---------------------------------------------------------------------------

    def set_staff(self, shift: str, *, day: int | None = None, analysts: int | None = None,
                  super_users: int | None = None) -> None:
        """Staff one shift: on go-live day `day` (1 to 7), or on every day when `day` is None."""
        self._plan = self.centre.check(self._plan.with_staff(shift=shift, day=day, analysts=analysts,
                                                             super_users=super_users))
        self._changed()

    def set_plan(self, plan) -> None:
        """The whole plan: a StaffingPlan, or a table with go_live_day, shift, analysts, super_users."""
        if not isinstance(plan, StaffingPlan):
            plan = StaffingPlan.from_table(plan)
        self._plan = self.centre.check(plan)
        self._changed()

    def set_triage(self, rule: str) -> None:
        """How analysts pick the next ticket: one of TRIAGE_RULES' keys."""
        self._triage = check_triage(rule)
        self._changed()

    def set_replications(self, replications: int) -> None:
        self._replications = check_replications(replications)
        self._changed()

    def set_seed(self, seed: int) -> None:
        self._seed = check_seed(seed)
        self._changed()

    # -- reading -----------------------------------------------------------------------------

    @property
    def plan(self) -> StaffingPlan:
        return self._plan

    @property
    def triage(self) -> str:
        return self._triage

    @property
    def replications(self) -> int:
        return self._replications

    @property
    def seed(self) -> int:
        return self._seed

    @property
    def cost(self) -> float:
        """The plan's cost in dollars (no simulation needed: staffed hours times hourly costs)."""
        return self.centre.cost(self._plan)

    def run(self) -> WeekResult:
        """Simulate the plan under the triage rule, `replications` times from `seed`.

        A plan that rosters nobody is refused: there is nothing to learn from a week in which every
        ticket waits (`CommandCentre.run` still simulates it, for those who want to see it)."""
        if not any(sum(self._plan.people_per_day(role)) for role in ROLES):
            raise ValueError("nobody is rostered yet: put analysts or super-users on some shifts, then run the week")
        self._result = self.centre.run(self._plan, self._triage, self._replications, self._seed)
        for listener in list(self._listeners):
            listener()
        return self._result

    @property
    def result(self) -> WeekResult | None:
        """The last run, if it ran the current plan, rule, replications and seed; else None."""
        result = self._result
        if result is None or (result.plan, result.triage, result.replications, result.seed) != (
                self._plan, self._triage, self._replications, self._seed):
            return None
        return result

    @property
    def last_result(self) -> WeekResult | None:
        """The last run, whatever has changed since."""
        return self._result

    def to_frame(self):
        """The plan, one row a shift, with its hours and cost."""
        frame = self._plan.to_frame()
        hours = [int(self.centre.shift_hours[d - 1][SHIFTS.index(s)])
                 for d, s in zip(frame["go_live_day"], frame["shift"], strict=True)]
        frame["hours"] = hours
        frame["cost"] = [h * sum(row[r] * self.centre.hourly_cost[r] for r in ROLES)
                         for h, (_, row) in zip(hours, frame.iterrows(), strict=True)]
        return frame

    # -- durable answers and display -----------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        return {"plan": self._plan.to_records(), "triage": self._triage, "replications": self._replications,
                "seed": self._seed}

    def _restore(self, data: dict[str, Any]) -> None:
        # Check everything before changing anything: a bad file leaves the exercise as it was.
        plan = self.centre.check(StaffingPlan.from_records(data["plan"]))
        triage = check_triage(data["triage"])
        replications = check_replications(data["replications"])
        seed = check_seed(data["seed"])
        self._plan, self._triage, self._replications, self._seed = plan, triage, replications, seed

    def _make_view(self):
        from .views.command_centre import CommandCentreView

        return CommandCentreView(self)

    def __repr__(self) -> str:
        return (f"<CommandCentreStaffing {self.exercise_id!r}: {TRIAGE_RULES[self._triage]}, "
                f"cost ${self.cost:,.0f}>")
