"""Schedule risk: three-point (PERT) estimates, the critical path, and Monte Carlo simulation.

PERT (FACTS.md): tE = (O + 4M + P) / 6 and σ = (P − O) / 6; along a path the tE add up and
σ = √Σσ². The simulation draws every task's duration from a PERT-beta (or triangular) distribution
on [O, P] with mode M and finds each iteration's project duration by a forward pass over the
finish-to-start network, all iterations of a task at once with numpy.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from numbers import Integral, Real
from typing import Any

from .exercise import Exercise
from .tabular import is_missing

#: The distributions a simulation can draw task durations from, with their names for people.
DISTRIBUTIONS = {"pert": "PERT-beta", "triangular": "triangular"}
ESTIMATE_FIELDS = ("optimistic", "most_likely", "pessimistic")
REQUIRED_COLUMNS = ("task_id", "predecessors", *ESTIMATE_FIELDS)
PREDECESSOR_SEPARATOR = ";"
DEFAULT_ITERATIONS = 10_000
#: More than this would hold several hundred megabytes of finish times for a 40-task network.
MAX_ITERATIONS = 1_000_000
#: A fixed seed by default, so that a graded workbook gives the same figures on every run.
DEFAULT_SEED = 20_250_601
# Forward and backward passes add and subtract floats; slack this small is rounding, not float.
_SLACK_TOLERANCE = 1e-9


# -- three-point estimates ---------------------------------------------------------------------


def _days(what: str, task: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"the {what} duration of {task} must be a number of working days (0 or more), "
                         f"not {value!r}")
    if not math.isfinite(value):
        raise ValueError(f"the {what} duration of {task} must be a finite number of working days, "
                         f"not {value!r}")
    if value < 0:
        raise ValueError(f"the {what} duration of {task} must be 0 or more working days; "
                         f"{value!r} is negative")
    return float(value)


def _three_point(optimistic: Any, most_likely: Any, pessimistic: Any, task: str = "the estimate"):
    o = _days("optimistic", task, optimistic)
    m = _days("most likely", task, most_likely)
    p = _days("pessimistic", task, pessimistic)
    if not o <= m <= p:
        raise ValueError(f"the estimate of {task} must have optimistic ≤ most likely ≤ pessimistic; "
                         f"got O = {o:g}, M = {m:g}, P = {p:g}")
    return o, m, p


def pert_mean(optimistic: float, most_likely: float, pessimistic: float) -> float:
    """The PERT expected duration tE = (O + 4M + P) / 6."""
    o, m, p = _three_point(optimistic, most_likely, pessimistic)
    return (o + 4 * m + p) / 6


def pert_sd(optimistic: float, most_likely: float, pessimistic: float) -> float:
    """The PERT standard deviation σ = (P − O) / 6: the textbook rule of thumb, not the exact
    standard deviation of the PERT-beta distribution (see `pert_beta_sd`)."""
    o, _, p = _three_point(optimistic, most_likely, pessimistic)
    return (p - o) / 6


def triangular_mean(optimistic: float, most_likely: float, pessimistic: float) -> float:
    """The mean of the triangular distribution, (O + M + P) / 3."""
    o, m, p = _three_point(optimistic, most_likely, pessimistic)
    return (o + m + p) / 3


def pert_beta_parameters(optimistic: float, most_likely: float, pessimistic: float) -> tuple[float, float]:
    """The shape parameters (α, β) of the PERT-beta distribution on [O, P] with mode M.

    α = 1 + 4(M − O)/(P − O) and β = 1 + 4(P − M)/(P − O), so α + β = 6 and the mean is exactly
    (O + 4M + P) / 6. A fixed task (O = P) has no distribution: ValueError.
    """
    o, m, p = _three_point(optimistic, most_likely, pessimistic)
    if p == o:
        raise ValueError(f"a fixed duration (O = P = {o:g}) has no beta distribution")
    return 1 + 4 * (m - o) / (p - o), 1 + 4 * (p - m) / (p - o)


def pert_beta_sd(optimistic: float, most_likely: float, pessimistic: float) -> float:
    """The exact standard deviation of the PERT-beta distribution: (P − O)·√(αβ / 252).

    It is larger than the rule of thumb (P − O) / 6 unless M lies near O or P: for M midway,
    (P − O) / √28 ≈ (P − O) / 5.3.
    """
    o, m, p = _three_point(optimistic, most_likely, pessimistic)
    if p == o:
        return 0.0
    alpha, beta = pert_beta_parameters(o, m, p)
    # Beta variance αβ / ((α + β)²(α + β + 1)) with α + β = 6.
    return (p - o) * math.sqrt(alpha * beta / 252)


def triangular_sd(optimistic: float, most_likely: float, pessimistic: float) -> float:
    """The standard deviation of the triangular distribution: √((O² + M² + P² − OM − OP − MP) / 18)."""
    o, m, p = _three_point(optimistic, most_likely, pessimistic)
    return math.sqrt(max(0.0, (o * o + m * m + p * p - o * m - o * p - m * p) / 18))


# -- the task network --------------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    """One task: its finish-to-start predecessors and its three-point estimate in working days."""

    task_id: str
    name: str
    predecessors: tuple[str, ...]
    optimistic: float
    most_likely: float
    pessimistic: float

    def __post_init__(self) -> None:
        label = f"task {self.task_id!r}"
        o, m, p = _three_point(self.optimistic, self.most_likely, self.pessimistic, label)
        object.__setattr__(self, "optimistic", o)
        object.__setattr__(self, "most_likely", m)
        object.__setattr__(self, "pessimistic", p)

    @property
    def fixed(self) -> bool:
        """O = M = P: the task always takes the same time."""
        return self.optimistic == self.pessimistic

    @property
    def estimate(self) -> tuple[float, float, float]:
        return self.optimistic, self.most_likely, self.pessimistic

    @property
    def pert_mean(self) -> float:
        return pert_mean(*self.estimate)

    @property
    def pert_sd(self) -> float:
        return pert_sd(*self.estimate)

    def mean(self, distribution: str = "pert") -> float:
        """The expected duration under a simulation distribution."""
        if _check_distribution(distribution) == "pert":
            return pert_mean(*self.estimate)
        return triangular_mean(*self.estimate)


class TaskNetwork:
    """Tasks with finish-to-start dependencies; the project finishes when its last task finishes.

    Made with `task_network(table)`. Checked on creation: unique ids, known predecessors, no cycle.
    """

    def __init__(self, tasks: Iterable[Task]) -> None:
        self.tasks: dict[str, Task] = {}
        for task in tasks:
            if task.task_id in self.tasks:
                raise ValueError(f"task ids must be unique; {task.task_id!r} is used more than once")
            self.tasks[task.task_id] = task
        if not self.tasks:
            raise ValueError("a task network needs at least one task")
        for task in self.tasks.values():
            for predecessor in task.predecessors:
                if predecessor not in self.tasks:
                    raise ValueError(f"task {task.task_id!r} names an unknown predecessor {predecessor!r}; "
                                     f"known task ids: {', '.join(self.tasks)}")
        self.successors: dict[str, tuple[str, ...]] = {
            task_id: tuple(t.task_id for t in self.tasks.values() if task_id in t.predecessors)
            for task_id in self.tasks
        }
        self.order: tuple[str, ...] = self._topological_order()
        #: Tasks nothing waits for: the project finishes when the last of them does.
        self.end_tasks: tuple[str, ...] = tuple(t for t in self.order if not self.successors[t])

    def _topological_order(self) -> tuple[str, ...]:
        # Kahn's algorithm, taking ready tasks in table order so the order is the same every time.
        waiting = {task_id: len(task.predecessors) for task_id, task in self.tasks.items()}
        ready = [task_id for task_id, count in waiting.items() if count == 0]
        order: list[str] = []
        while ready:
            task_id = ready.pop(0)
            order.append(task_id)
            for successor in self.successors[task_id]:
                waiting[successor] -= 1
                if waiting[successor] == 0:
                    ready.append(successor)
        if len(order) < len(self.tasks):
            cycle = self._a_cycle(set(self.tasks) - set(order))
            raise ValueError("the dependencies form a cycle, so no task in it can ever start: "
                             f"{' → '.join(cycle)} (each waits for the one before it)")
        return tuple(order)

    def _a_cycle(self, stuck: set[str]) -> list[str]:
        """One cycle among the tasks Kahn's algorithm could not order, in dependency order."""
        # Every stuck task has a stuck predecessor, so walking back from one must repeat a task.
        task_id = next(t for t in self.tasks if t in stuck)
        walked: list[str] = []
        while task_id not in walked:
            walked.append(task_id)
            task_id = next(p for p in self.tasks[task_id].predecessors if p in stuck)
        cycle = walked[walked.index(task_id):]
        cycle.reverse()
        # Start from the task listed first in the table, so the message reads like the table.
        first = min(range(len(cycle)), key=lambda i: self.task_ids.index(cycle[i]))
        cycle = cycle[first:] + cycle[:first]
        return [*cycle, cycle[0]]

    def __len__(self) -> int:
        return len(self.tasks)

    @property
    def task_ids(self) -> list[str]:
        """The task ids in table order."""
        return list(self.tasks)

    def task(self, task_id: str) -> Task:
        try:
            return self.tasks[task_id]
        except (KeyError, TypeError):
            raise KeyError(f"unknown task {task_id!r}; known: {', '.join(self.tasks)}") from None

    def with_estimate(self, task_id: str, optimistic: float, most_likely: float, pessimistic: float):
        """A copy of the network with one task's three-point estimate changed."""
        changed = replace(self.task(task_id), optimistic=optimistic, most_likely=most_likely,
                          pessimistic=pessimistic)
        return TaskNetwork(changed if t.task_id == task_id else t for t in self.tasks.values())

    def to_frame(self):
        """The task table, indexed by task id, with each task's PERT mean and σ."""
        import pandas as pd

        rows = [
            {
                "task_id": task.task_id,
                "name": task.name,
                "predecessors": PREDECESSOR_SEPARATOR.join(task.predecessors),
                "optimistic": task.optimistic,
                "most_likely": task.most_likely,
                "pessimistic": task.pessimistic,
                "pert_mean": task.pert_mean,
                "pert_sd": task.pert_sd,
            }
            for task in self.tasks.values()
        ]
        return pd.DataFrame(rows).set_index("task_id")

    def __repr__(self) -> str:
        return f"<TaskNetwork: {len(self)} tasks, ending with {', '.join(self.end_tasks)}>"


def _text_id(value: Any, what: str) -> str:
    # CSV readers turn ids such as 7 into integers, or 7.0 when the column has blanks.
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, str | Integral):
        raise ValueError(f"{what} must be text or a whole number, not {value!r}")
    text = str(value).strip()
    if not text:
        raise ValueError(f"{what} must not be empty")
    if PREDECESSOR_SEPARATOR in text:
        raise ValueError(f"{what} {text!r} must not contain {PREDECESSOR_SEPARATOR!r}: "
                         "it separates predecessors")
    return text



def _predecessors(task_id: str, value: Any) -> tuple[str, ...]:
    if is_missing(value):
        return ()
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(PREDECESSOR_SEPARATOR)]
        items = [part for part in parts if part]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        items = [value]
    predecessors = tuple(_text_id(item, f"a predecessor of task {task_id!r}") for item in items)
    repeated = sorted({p for p in predecessors if predecessors.count(p) > 1})
    if repeated:
        raise ValueError(f"task {task_id!r} lists the predecessor {repeated[0]!r} more than once")
    if task_id in predecessors:
        raise ValueError(f"the dependencies form a cycle: task {task_id!r} lists itself as its own "
                         "predecessor")
    return predecessors


def _task_from_row(number: int, row: Mapping[str, Any]) -> Task:
    missing = [column for column in REQUIRED_COLUMNS if column not in row]
    if missing:
        raise ValueError(f"row {number} of the task table has no {', '.join(missing)}; a task table "
                         f"needs the columns {', '.join(REQUIRED_COLUMNS)} (and name)")
    if is_missing(row["task_id"]):
        raise ValueError(f"row {number} of the task table has no task_id")
    task_id = _text_id(row["task_id"], f"the task_id in row {number}")
    name = row.get("name")
    name = task_id if is_missing(name) or not str(name).strip() else str(name).strip()
    estimate = []
    for column in ESTIMATE_FIELDS:
        value = row[column]
        if is_missing(value):
            raise ValueError(f"the {column.replace('_', ' ')} duration of task {task_id!r} is missing; "
                             "give a number of working days (0 or more)")
        estimate.append(value)
    return Task(task_id, name, _predecessors(task_id, row["predecessors"]), *estimate)


def task_network(tasks) -> TaskNetwork:
    """A checked TaskNetwork from a task table (a DataFrame, a list of dicts) or a TaskNetwork.

    Columns: task_id (unique), name, predecessors (task ids separated by ";", empty for none),
    optimistic, most_likely, pessimistic (working days, 0 ≤ O ≤ M ≤ P).
    """
    if isinstance(tasks, TaskNetwork):
        return tasks
    import pandas as pd

    if isinstance(tasks, pd.DataFrame):
        frame = tasks
        if "task_id" not in frame.columns and frame.index.name == "task_id":
            frame = frame.reset_index()
        rows = frame.to_dict("records")
    elif isinstance(tasks, str | bytes | Mapping) or not isinstance(tasks, Iterable):
        raise ValueError("give the tasks as a table (a pandas DataFrame) or a list of dicts, one a task, "
                         f"not {type(tasks).__name__}")
    else:
        rows = list(tasks)
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, Mapping):
            raise ValueError(f"task {number} must be a dict with the columns {', '.join(REQUIRED_COLUMNS)}, "
                             f"not {type(row).__name__}")
    return TaskNetwork(_task_from_row(number, row) for number, row in enumerate(rows, start=1))


# -- the deterministic critical path ------------------------------------------------------------


@dataclass(frozen=True)
class CriticalPath:
    """The forward and backward pass on PERT means.

    `frame` holds each task's earliest/latest start and finish and its slack (total float), one
    row a task in dependency order;
    `task_ids` are the tasks with no slack, in dependency order; `path` is one critical chain from
    a first task to a last one, the one with the largest Σσ² when several tie. The path's σ (√Σσ² of
    its tasks' PERT σ) is the learner's to compute: the lessons teach it, and a workbook grades it.
    """

    frame: Any
    task_ids: tuple[str, ...]
    path: tuple[str, ...]
    expected_duration: float


def critical_path(tasks) -> CriticalPath:
    """The critical path of a network on PERT expected durations (forward and backward pass)."""
    import pandas as pd

    network = task_network(tasks)
    duration = {t: network.tasks[t].pert_mean for t in network.order}
    early_start, early_finish = {}, {}
    for task_id in network.order:
        predecessors = network.tasks[task_id].predecessors
        early_start[task_id] = max((early_finish[p] for p in predecessors), default=0.0)
        early_finish[task_id] = early_start[task_id] + duration[task_id]
    project = max(early_finish.values())
    late_start, late_finish = {}, {}
    for task_id in reversed(network.order):
        late_finish[task_id] = min((late_start[s] for s in network.successors[task_id]), default=project)
        late_start[task_id] = late_finish[task_id] - duration[task_id]
    tolerance = _SLACK_TOLERANCE * max(1.0, project)
    slack = {t: late_start[t] - early_start[t] for t in network.order}
    slack = {t: 0.0 if abs(value) <= tolerance else value for t, value in slack.items()}
    critical = tuple(t for t in network.order if slack[t] == 0.0)

    # Largest Σσ² over critical chains: a critical task continues the chain of a critical
    # predecessor whose early finish is its early start.
    variance_to: dict[str, float] = {}
    came_from: dict[str, str | None] = {}
    for task_id in critical:
        tight = [p for p in network.tasks[task_id].predecessors
                 if p in variance_to and abs(early_finish[p] - early_start[task_id]) <= tolerance]
        best = max(tight, key=lambda p: variance_to[p], default=None)
        came_from[task_id] = best
        variance_to[task_id] = network.tasks[task_id].pert_sd ** 2 + (variance_to[best] if best else 0.0)
    ends = [t for t in critical if abs(early_finish[t] - project) <= tolerance]
    step: str | None = max(ends, key=lambda t: variance_to[t])
    path: list[str] = []
    while step is not None:
        path.append(step)
        step = came_from[step]
    path.reverse()

    frame = pd.DataFrame(
        {
            "name": [network.tasks[t].name for t in network.order],
            "pert_mean": [duration[t] for t in network.order],
            "earliest_start": [early_start[t] for t in network.order],
            "earliest_finish": [early_finish[t] for t in network.order],
            "latest_start": [late_start[t] for t in network.order],
            "latest_finish": [late_finish[t] for t in network.order],
            "slack": [slack[t] for t in network.order],
            "critical": [slack[t] == 0.0 for t in network.order],
        },
        index=pd.Index(network.order, name="task_id"),
    )
    return CriticalPath(frame, critical, tuple(path), project)


# -- Monte Carlo simulation ---------------------------------------------------------------------


def _check_distribution(distribution: Any) -> str:
    if not isinstance(distribution, str) or distribution not in DISTRIBUTIONS:
        raise ValueError(f"unknown distribution {distribution!r}; one of: {', '.join(DISTRIBUTIONS)}")
    return distribution


def _check_iterations(iterations: Any) -> int:
    number = isinstance(iterations, Real) and not isinstance(iterations, bool)
    if not number or not float(iterations).is_integer():
        raise ValueError(f"iterations must be a whole number from 1 to {MAX_ITERATIONS:,}, "
                         f"not {iterations!r}")
    if not 1 <= iterations <= MAX_ITERATIONS:
        raise ValueError(f"iterations must be from 1 to {MAX_ITERATIONS:,}; {iterations!r} is outside")
    return int(iterations)


def _check_seed(seed: Any) -> int | None:
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"a seed must be a whole number, 0 or more (or None for a fresh one), not {seed!r}")
    return seed


def _check_deadline(deadline_days: Any, *, allow_zero: bool = True) -> float:
    lowest = "0 or more" if allow_zero else "more than 0"
    number = isinstance(deadline_days, Real) and not isinstance(deadline_days, bool)
    if not number or not math.isfinite(deadline_days):
        raise ValueError(f"a deadline must be a number of working days ({lowest}), not {deadline_days!r}")
    if deadline_days < 0 or (deadline_days == 0 and not allow_zero):
        raise ValueError(f"a deadline must be {lowest} working days; {deadline_days!r} is not")
    return float(deadline_days)


def _draw(rng, task: Task, iterations: int, distribution: str):
    import numpy as np

    o, m, p = task.estimate
    if task.fixed:
        return np.full(iterations, o)
    if distribution == "pert":
        alpha, beta = pert_beta_parameters(o, m, p)
        return o + (p - o) * rng.beta(alpha, beta, iterations)
    return rng.triangular(o, m, p, iterations)


class SimulationResult:
    """The outcome of `simulate`: one project duration per iteration, and what drove it."""

    def __init__(self, network: TaskNetwork, durations, criticality, task_means, *, distribution: str,
                 seed: int) -> None:
        import numpy as np

        self.network = network
        self.durations = durations
        self.durations.flags.writeable = False
        self.distribution = distribution
        #: The seed that reproduces this result (drawn fresh when `simulate` was given None).
        self.seed = seed
        self._criticality = criticality
        self._task_means = task_means
        self._sorted = np.sort(durations)

    @property
    def iterations(self) -> int:
        return len(self.durations)

    @property
    def mean(self) -> float:
        return float(self.durations.mean())

    @property
    def sd(self) -> float:
        return float(self.durations.std(ddof=1)) if self.iterations > 1 else 0.0

    def percentile(self, q: float) -> float:
        """The duration (working days) that q per cent of the iterations finish within, 0 ≤ q ≤ 100."""
        import numpy as np

        if isinstance(q, bool) or not isinstance(q, Real) or not 0 <= q <= 100:
            raise ValueError(f"a percentile must be a number from 0 to 100, not {q!r}")
        return float(np.percentile(self._sorted, q))

    @property
    def p50(self) -> float:
        return self.percentile(50)

    @property
    def p80(self) -> float:
        return self.percentile(80)

    def probability_by(self, deadline_days: float) -> float:
        """The share of iterations that finish within `deadline_days` working days."""
        import numpy as np

        deadline = _check_deadline(deadline_days)
        return float(np.searchsorted(self._sorted, deadline, side="right") / self.iterations)

    def cumulative(self, points: int = 401):
        """(days, probability) pairs of the S-curve: the chance of finishing by each day."""
        import numpy as np

        probabilities = np.linspace(0, 1, points)
        return np.quantile(self._sorted, probabilities, method="inverted_cdf"), probabilities

    @property
    def criticality_index(self):
        """Per task (table order): the share of iterations in which it is on the longest path."""
        import pandas as pd

        index = pd.Index(self.network.task_ids, name="task_id")
        return pd.Series([self._criticality[t] for t in self.network.task_ids], index=index,
                         name="criticality_index")

    def to_frame(self):
        """Per task: its estimate, expected and simulated mean duration and criticality index."""
        frame = self.network.to_frame()[["name", *ESTIMATE_FIELDS]]
        frame["expected"] = [self.network.tasks[t].mean(self.distribution) for t in frame.index]
        frame["simulated_mean"] = [self._task_means[t] for t in frame.index]
        frame["criticality_index"] = self.criticality_index
        return frame

    def summary(self):
        """The project's figures: iterations, distribution, mean, σ, P10, P50, P80, P90, min, max."""
        import pandas as pd

        return pd.Series(
            {
                "iterations": self.iterations,
                "distribution": DISTRIBUTIONS[self.distribution],
                "seed": self.seed,
                "mean": self.mean,
                "sd": self.sd,
                "min": float(self._sorted[0]),
                "p10": self.percentile(10),
                "p50": self.p50,
                "p80": self.p80,
                "p90": self.percentile(90),
                "max": float(self._sorted[-1]),
            },
            name="project_duration_days",
            dtype=object,
        )

    def __repr__(self) -> str:
        return (f"<SimulationResult: {self.iterations:,} iterations ({DISTRIBUTIONS[self.distribution]}), "
                f"P50 {self.p50:.1f} days, P80 {self.p80:.1f} days>")


def simulate(tasks, iterations: int = DEFAULT_ITERATIONS, distribution: str = "pert",
             seed: int | None = None) -> SimulationResult:
    """Monte Carlo simulation of the project duration (working days) of a task network.

    Every task's durations for all iterations are drawn at once; a forward pass in dependency order
    then starts each task at the latest finish of its predecessors (`np.maximum` over arrays). The
    criticality index comes from walking back, per iteration, through the predecessor that set
    each start (on a tie, the first listed). The same seed gives the same result.
    """
    import numpy as np

    network = task_network(tasks)
    iterations = _check_iterations(iterations)
    distribution = _check_distribution(distribution)
    seed_sequence = np.random.SeedSequence(_check_seed(seed))
    # One random stream per task, by its place in the table: changing one task's estimate leaves
    # every other task's draws as they were, so two runs differ only by what was changed.
    streams = dict(zip(network.task_ids, seed_sequence.spawn(len(network)), strict=True))
    position = {task_id: i for i, task_id in enumerate(network.order)}
    finish = np.empty((len(network), iterations))
    drivers: dict[int, Any] = {}
    task_means: dict[str, float] = {}
    for i, task_id in enumerate(network.order):
        task = network.tasks[task_id]
        duration = _draw(np.random.default_rng(streams[task_id]), task, iterations, distribution)
        task_means[task_id] = float(duration.mean())
        predecessors = [position[p] for p in task.predecessors]
        if not predecessors:
            finish[i] = duration
        elif len(predecessors) == 1:
            np.add(finish[predecessors[0]], duration, out=finish[i])
        else:
            candidates = finish[predecessors]
            drivers[i] = candidates.argmax(axis=0)
            np.add(np.take_along_axis(candidates, drivers[i][np.newaxis], axis=0)[0], duration, out=finish[i])

    ends = [position[t] for t in network.end_tasks]
    end_finishes = finish[ends]
    last = end_finishes.argmax(axis=0)
    durations = np.take_along_axis(end_finishes, last[np.newaxis], axis=0)[0]

    on_path = np.zeros((len(network), iterations), dtype=bool)
    for k, end in enumerate(ends):
        on_path[end] = last == k
    # Reverse dependency order: a task's flags are complete before its predecessors are visited.
    for i in range(len(network) - 1, -1, -1):
        predecessors = [position[p] for p in network.tasks[network.order[i]].predecessors]
        if len(predecessors) == 1:
            on_path[predecessors[0]] |= on_path[i]
        elif predecessors:
            for k, predecessor in enumerate(predecessors):
                on_path[predecessor] |= on_path[i] & (drivers[i] == k)
    shares = on_path.mean(axis=1)
    criticality = {task_id: float(shares[position[task_id]]) for task_id in network.order}
    return SimulationResult(network, durations, criticality, task_means, distribution=distribution,
                            seed=seed_sequence.entropy)


# -- the exercise --------------------------------------------------------------------------------


class ScheduleRisk(Exercise):
    """Schedule risk by Monte Carlo simulation: the learner revises three-point estimates and sets
    a deadline, and sees P50, P80, the chance of meeting the deadline and which tasks drive it.

    >>> tasks = [{"task_id": "A", "name": "Build", "predecessors": "", "optimistic": 10,
    ...           "most_likely": 15, "pessimistic": 26}]
    >>> s = ScheduleRisk(None, tasks, deadline_days=18)
    >>> s.set_estimate("A", pessimistic=20)
    >>> round(s.network.task("A").pert_mean, 2)
    15.0
    """

    kind = "ScheduleRisk"

    def __init__(self, exercise_id: str | None, tasks, *, deadline_days: float,
                 iterations: int = DEFAULT_ITERATIONS, seed: int | None = DEFAULT_SEED,
                 distribution: str = "pert", directory=None) -> None:
        super().__init__(exercise_id, directory=directory)
        #: The plan as given: what `reset_estimate` goes back to.
        self.plan = task_network(tasks)
        self.iterations = _check_iterations(iterations)
        self.seed = _check_seed(seed)
        if seed is None:
            import numpy as np

            # Fixed for this model's life, so the figures do not jump between redraws.
            self.seed = int(np.random.SeedSequence().entropy)
        self.planned_deadline = _check_deadline(deadline_days, allow_zero=False)
        self.planned_distribution = _check_distribution(distribution)
        self._deadline = self.planned_deadline
        self._distribution = self.planned_distribution
        self._estimates: dict[str, tuple[float, float, float]] = {}
        # Saved estimates of tasks this plan does not list are kept, so nothing is lost on save.
        self._unlisted: dict[str, Any] = {}
        self._network: TaskNetwork | None = None
        self._result: SimulationResult | None = None
        self._result_key: Any = None
        self._load_saved_answer()

    # -- answering ---------------------------------------------------------------------------

    @property
    def task_ids(self) -> list[str]:
        return self.plan.task_ids

    def set_estimate(self, task_id: str, *, optimistic: float | None = None, most_likely: float | None = None,
                     pessimistic: float | None = None) -> None:
        """Revise a task's three-point estimate (working days); what you leave out stays as it is."""
        current = self.estimate(task_id)
        given = (optimistic, most_likely, pessimistic)
        if all(value is None for value in given):
            raise ValueError(f"give at least one of optimistic, most_likely, pessimistic for task "
                             f"{task_id!r}")
        values = tuple(old if new is None else new for old, new in zip(current, given, strict=True))
        estimate = _three_point(*values, task=f"task {task_id!r}")
        self._store_estimate(task_id, estimate)
        self._changed()

    def _store_estimate(self, task_id: str, estimate: tuple[float, float, float]) -> None:
        if estimate == self.plan.task(task_id).estimate:
            self._estimates.pop(task_id, None)
        else:
            self._estimates[task_id] = estimate
        self._network = None

    def reset_estimate(self, task_id: str) -> None:
        """Take a task back to the plan's estimate."""
        self.plan.task(task_id)
        self._estimates.pop(task_id, None)
        self._network = None
        self._changed()

    def set_deadline(self, days: float) -> None:
        """The deadline, in working days from the project's start (more than 0)."""
        self._deadline = _check_deadline(days, allow_zero=False)
        self._changed()

    def set_distribution(self, distribution: str) -> None:
        """Draw task durations from "pert" (PERT-beta) or "triangular" distributions."""
        self._distribution = _check_distribution(distribution)
        self._changed()

    # -- reading -----------------------------------------------------------------------------

    def estimate(self, task_id: str) -> tuple[float, float, float]:
        """The task's current (optimistic, most likely, pessimistic) estimate."""
        planned = self.plan.task(task_id).estimate
        return self._estimates.get(task_id, planned)

    @property
    def changed_tasks(self) -> list[str]:
        """The tasks whose estimate differs from the plan, in table order."""
        return [t for t in self.plan.task_ids if t in self._estimates]

    @property
    def deadline_days(self) -> float:
        return self._deadline

    @property
    def distribution(self) -> str:
        return self._distribution

    @property
    def network(self) -> TaskNetwork:
        """The plan with the learner's estimates."""
        if self._network is None:
            self._network = TaskNetwork(
                replace(task, optimistic=self._estimates[t][0], most_likely=self._estimates[t][1],
                        pessimistic=self._estimates[t][2]) if t in self._estimates else task
                for t, task in self.plan.tasks.items()
            )
        return self._network

    @property
    def result(self) -> SimulationResult:
        """The simulation of the current estimates; run again only when they or the distribution change
        (the deadline does not change the simulated durations)."""
        key = (tuple(sorted(self._estimates.items())), self._distribution)
        if self._result is None or key != self._result_key:
            self._result = simulate(self.network, self.iterations, self._distribution, self.seed)
            self._result_key = key
        return self._result

    def probability_of_meeting_deadline(self) -> float:
        return self.result.probability_by(self._deadline)

    def critical_path(self) -> CriticalPath:
        """The deterministic critical path on the current estimates' PERT means."""
        return critical_path(self.network)

    def summary(self):
        """The figures a learner reports: deadline, chance of meeting it, P50, P80, PERT duration."""
        import pandas as pd

        result, path = self.result, self.critical_path()
        return pd.Series(
            {
                "deadline_days": self._deadline,
                "probability_of_meeting_deadline": self.probability_of_meeting_deadline(),
                "p50": result.p50,
                "p80": result.p80,
                "simulated_mean": result.mean,
                "pert_expected_duration": path.expected_duration,
                "distribution": DISTRIBUTIONS[self._distribution],
                "iterations": result.iterations,
                "changed_tasks": len(self._estimates),
            },
            dtype=object,
        )

    def to_frame(self):
        """One row a task: predecessors, current estimate, changed or not, PERT mean and σ, slack,
        critical or not, and the simulated criticality index."""
        frame = self.network.to_frame()
        frame["changed"] = [t in self._estimates for t in frame.index]
        path = self.critical_path().frame
        frame["slack"] = path["slack"]
        frame["critical"] = path["critical"]
        frame["criticality_index"] = self.result.criticality_index
        return frame[["name", "predecessors", *ESTIMATE_FIELDS, "changed", "pert_mean", "pert_sd",
                      "slack", "critical", "criticality_index"]]

    # -- durable answers and display -----------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        estimates = dict(self._unlisted)
        estimates.update({t: dict(zip(ESTIMATE_FIELDS, e, strict=True)) for t, e in self._estimates.items()})
        return {"estimates": estimates, "deadline_days": self._deadline, "distribution": self._distribution}

    def _restore(self, data: dict[str, Any]) -> None:
        # Check everything before changing anything: a bad file leaves the exercise as it was.
        deadline = _check_deadline(data["deadline_days"], allow_zero=False)
        distribution = _check_distribution(data["distribution"])
        saved = data["estimates"]
        if not isinstance(saved, dict):
            raise ValueError("the saved estimates are not a table of tasks")
        estimates, unlisted = {}, {}
        for task_id, values in saved.items():
            if task_id not in self.plan.tasks:
                unlisted[task_id] = values
                continue
            if not isinstance(values, dict):
                raise ValueError(f"the saved estimate of task {task_id!r} is not a set of three durations")
            estimate = _three_point(*(values[f] for f in ESTIMATE_FIELDS), task=f"saved task {task_id!r}")
            if estimate != self.plan.tasks[task_id].estimate:
                estimates[task_id] = estimate
        self._deadline, self._distribution = deadline, distribution
        self._estimates, self._unlisted = estimates, unlisted
        self._network = None

    def _make_view(self):
        from .views.schedule_risk import ScheduleRiskView

        return ScheduleRiskView(self)

    def __repr__(self) -> str:
        return (f"<ScheduleRisk {self.exercise_id!r}: {len(self.plan)} tasks, "
                f"{len(self._estimates)} re-estimated, deadline {self._deadline:g} working days>")
