"""How long does a week of go-live with 20 replications take, against one replication of the same week?

Run: .venv/bin/python benchmarks/command_centre.py [--replications 20] [--repeats 3]

Simulates the emr-go-live case's week (about 2,300 tickets a replication) with one fixed staffing plan
under each triage rule, and reports the median time of `--repeats` runs. The peer is ONE replication of
the same week, timed in the same run: the ratio shows what the replications cost beyond a single one
(about their number when nothing but the simulation itself takes time).

For orientation it also prints an Erlang C (M/M/c, steady state) estimate of the command centre's
mean wait, hour by hour with each hour's arrivals and analysts, beside the simulation's first come,
first served figure. The two are different models (Erlang C assumes exponential service and a queue
that settles within each hour, the simulation carries queues across hours and shift changes), so
they are not expected to agree closely and nothing is checked; the Erlang C sum takes microseconds.
Prints figures only.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time

from hitpm_widgets import load_case
from hitpm_widgets.command_centre import (
    COMMAND_CENTRE,
    TRIAGE_RULES,
    CommandCentre,
    StaffingPlan,
)

SEED = 2025
#: A plan that keeps every queue short on most days: it is a benchmark's load, not an answer.
PLAN = StaffingPlan.weekly(analysts={"day": 6, "evening": 4, "night": 2},
                           super_users={"day": 14, "evening": 8, "night": 3})


def timed(action, repeats: int):
    """Median wall-clock seconds of `repeats` runs, median processor seconds, and the last value.

    Processor time is this process's own: on a shared machine the wall clock also counts the others."""
    times, processor, value = [], [], None
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        value = action()
        times.append(time.perf_counter() - started)
        processor.append(time.process_time() - cpu)
    return statistics.median(times), statistics.median(processor), value


def erlang_c_wait(arrivals_per_minute: float, service_minutes: float, servers: int) -> float:
    """Mean wait in queue (minutes) of an M/M/c queue in steady state; inf when it cannot keep up."""
    load = arrivals_per_minute * service_minutes
    if arrivals_per_minute == 0:
        return 0.0
    if servers == 0 or load >= servers:
        return math.inf
    term, below = 1.0, 1.0  # a^k / k!, summed for k < c
    for k in range(1, servers):
        term *= load / k
        below += term
    top = term * load / servers * servers / (servers - load)
    return top / (below + top) * service_minutes / (servers - load)


def erlang_c_week(centre: CommandCentre, plan: StaffingPlan) -> tuple[float, int]:
    """Tickets-weighted mean desk wait over the hours that keep up, and the number of hours that do not."""
    work = centre.workload_by_hour(plan)
    total_wait = total_tickets = 0.0
    overloaded = 0
    for tickets, load, analysts in zip(work["command_centre_tickets"], work["command_centre_work"],
                                       work["analysts"], strict=True):
        if tickets == 0:
            continue
        service_minutes = load * 60 / tickets  # the hour's mean handling time
        wait = erlang_c_wait(tickets / 60, service_minutes, int(analysts))
        if math.isinf(wait):
            overloaded += 1
            continue
        total_wait += wait * tickets
        total_tickets += tickets
    return total_wait / total_tickets, overloaded


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement (median taken)")
    arguments = parser.parse_args(argv)
    centre = CommandCentre.from_case(load_case("emr-go-live"))
    centre.run(PLAN, replications=1, seed=SEED)  # warm-up: imports and first-call costs
    expected = sum(centre.expected_tickets().values())
    print(f"emr-go-live: {expected:,.0f} tickets expected in the week; plan {PLAN.staff(1, 'day')} on day shifts, "
          f"{PLAN.staff(1, 'evening')} evenings, {PLAN.staff(1, 'night')} nights; cost ${centre.cost(PLAN):,.0f}.")
    print(f"Peer: one replication of the same week, timed in the same run (median of {arguments.repeats}).")
    fcfs_wait = None
    for rule, name in TRIAGE_RULES.items():
        week_seconds, week_cpu, result = timed(lambda r=rule: centre.run(PLAN, r, arguments.replications, SEED),
                                               arguments.repeats)
        one_seconds, one_cpu, _ = timed(lambda r=rule: centre.run(PLAN, r, 1, SEED), arguments.repeats)
        tickets = len(result.tickets)
        print(f"\n{name}:")
        print(f"  a week with {arguments.replications} replications: {week_seconds:.2f} s "
              f"(processor {week_cpu:.2f} s; {tickets:,} tickets, {week_cpu / tickets * 1e6:.0f} µs a ticket)")
        print(f"  one replication: {one_seconds:.3f} s (processor {one_cpu:.3f} s); ratio "
              f"{week_seconds / one_seconds:.1f} (processor {week_cpu / one_cpu:.1f}) for "
              f"{arguments.replications} replications")
        if rule == "fcfs":
            fcfs_wait = result.mean_wait(handler=COMMAND_CENTRE)

    erlang_seconds, _, (erlang_wait, overloaded) = timed(lambda: erlang_c_week(centre, PLAN), arguments.repeats)
    print(f"\nErlang C, hour by hour: {erlang_seconds * 1e3:.2f} ms; command-centre mean wait {erlang_wait:.1f} min "
          f"({overloaded} hour(s) where arrivals outrun the analysts left out); simulation, first come first "
          f"served: {fcfs_wait:.1f} min.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
