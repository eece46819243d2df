"""How fast is the vectorised schedule simulation, against the same simulation as a plain Python loop?

Run: .venv/bin/python benchmarks/schedule_simulation.py [--iterations 100000] [--loop-iterations 5000]

Both implementations simulate the same synthetic 40-task network (seeded) with the same distributions
(PERT-beta and triangular): numpy's Generator for `hitpm_widgets.schedule.simulate`, the standard
library's `random.betavariate` and `random.triangular` for the loop. The loop runs fewer iterations
and its time is scaled per iteration to the vectorised run's count. The two are checked to agree:
their mean project durations within 4 combined standard errors, their criticality indexes within
4 standard errors of the loop's shares. Prints figures only; exits with 1 if they disagree.
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import time

import numpy as np

from hitpm_widgets.schedule import pert_beta_parameters, simulate, task_network

TASKS = 40
NETWORK_SEED = 40
SIMULATION_SEED = 2025
REPEATS = 3
AGREEMENT_STANDARD_ERRORS = 4


def synthetic_network(tasks: int = TASKS, seed: int = NETWORK_SEED):
    """A layered network: each task after the first waits for 1 to 3 of the tasks before it."""
    rng = random.Random(seed)
    rows = []
    for number in range(tasks):
        earlier = [f"T{j:02d}" for j in range(max(0, number - 8), number)]
        predecessors = rng.sample(earlier, k=min(len(earlier), rng.randint(1, 3))) if earlier else []
        optimistic = rng.randint(2, 10)
        most_likely = optimistic + rng.randint(0, 6)
        pessimistic = most_likely + rng.randint(0, 14)
        rows.append({"task_id": f"T{number:02d}", "name": f"synthetic task {number}",
                     "predecessors": ";".join(predecessors), "optimistic": optimistic,
                     "most_likely": most_likely, "pessimistic": pessimistic})
    return task_network(rows)


def simulate_with_a_loop(network, iterations: int, distribution: str, seed: int):
    """The same simulation, one iteration and one task at a time: durations and criticality counts."""
    rng = random.Random(seed)
    order = network.order
    tasks = [network.tasks[t] for t in order]
    shapes = [pert_beta_parameters(*t.estimate) if not t.fixed else None for t in tasks]
    durations, on_path_counts = [], dict.fromkeys(order, 0)
    for _ in range(iterations):
        finish, driver = {}, {}
        for task, shape in zip(tasks, shapes, strict=True):
            o, m, p = task.estimate
            if task.fixed:
                duration = o
            elif distribution == "pert":
                duration = o + (p - o) * rng.betavariate(*shape)
            else:
                duration = rng.triangular(o, p, m)
            start, driver[task.task_id] = 0.0, None
            for predecessor in task.predecessors:
                if driver[task.task_id] is None or finish[predecessor] > start:
                    start, driver[task.task_id] = finish[predecessor], predecessor
            finish[task.task_id] = start + duration
        last = None
        for end in network.end_tasks:
            if last is None or finish[end] > finish[last]:
                last = end
        durations.append(finish[last])
        while last is not None:
            on_path_counts[last] += 1
            last = driver[last]
    return durations, {t: count / iterations for t, count in on_path_counts.items()}


def timed(action):
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=100_000, help="iterations of the vectorised run")
    parser.add_argument("--loop-iterations", type=int, default=5_000, help="iterations of the plain loop")
    arguments = parser.parse_args(argv)
    network = synthetic_network()
    dependencies = sum(len(t.predecessors) for t in network.tasks.values())
    print(f"Synthetic network: {len(network)} tasks, {dependencies} finish-to-start dependencies "
          f"(seed {NETWORK_SEED}); {len(network.end_tasks)} last task(s).")
    simulate(network, 1_000, seed=SIMULATION_SEED)  # warm-up: imports and first-call costs
    agree = True
    for distribution in ("pert", "triangular"):
        times = []
        for _ in range(REPEATS):
            seconds, result = timed(lambda d=distribution: simulate(network, arguments.iterations, d,
                                                                    seed=SIMULATION_SEED))
            times.append(seconds)
        vectorised = statistics.median(times)
        loop_seconds, (loop_durations, loop_shares) = timed(
            lambda d=distribution: simulate_with_a_loop(network, arguments.loop_iterations, d,
                                                        SIMULATION_SEED))
        loop_scaled = loop_seconds / arguments.loop_iterations * arguments.iterations

        loop_mean = statistics.fmean(loop_durations)
        loop_sd = statistics.stdev(loop_durations)
        tolerance = AGREEMENT_STANDARD_ERRORS * math.sqrt(result.sd**2 / result.iterations
                                                          + loop_sd**2 / arguments.loop_iterations)
        index = result.criticality_index
        worst_share = max(abs(index[t] - loop_shares[t])
                          - AGREEMENT_STANDARD_ERRORS * math.sqrt(max(loop_shares[t] * (1 - loop_shares[t]),
                                                                      1 / arguments.loop_iterations)
                                                                  / arguments.loop_iterations)
                          for t in network.order)
        means_agree = abs(result.mean - loop_mean) <= tolerance
        shares_agree = worst_share <= 0
        agree = agree and means_agree and shares_agree

        print(f"\n{distribution}:")
        print(f"  vectorised: {arguments.iterations:,} iterations in {vectorised:.3f} s "
              f"(median of {REPEATS}; {vectorised / arguments.iterations * 1e6:.2f} µs per iteration)")
        print(f"  plain loop: {arguments.loop_iterations:,} iterations in {loop_seconds:.3f} s, scaled per "
              f"iteration to {arguments.iterations:,}: {loop_scaled:.1f} s "
              f"({loop_seconds / arguments.loop_iterations * 1e6:.1f} µs per iteration)")
        print(f"  speed-up: {loop_scaled / vectorised:.0f} x")
        print(f"  mean project duration: vectorised {result.mean:.2f} days, loop {loop_mean:.2f} days, "
              f"difference {abs(result.mean - loop_mean):.3f} (allowed {tolerance:.3f}): "
              f"{'agree' if means_agree else 'DISAGREE'}")
        print(f"  criticality indexes within {AGREEMENT_STANDARD_ERRORS} standard errors of the loop's: "
              f"{'agree' if shares_agree else 'DISAGREE'}; P50 {result.p50:.1f}, P80 {result.p80:.1f} days "
              f"(loop {np.percentile(loop_durations, 50):.1f}, {np.percentile(loop_durations, 80):.1f})")
    return 0 if agree else 1


if __name__ == "__main__":
    sys.exit(main())
