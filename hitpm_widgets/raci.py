"""The RACI chart: who is Responsible, Accountable, Consulted and Informed for each task.

Responsible roles do the work (there may be several); the Accountable role signs the work off
(exactly one per task); Consulted roles are asked before (two-way); Informed roles are told after
(one-way). A cell holds one letter: where the accountable role also does the work, many teams write
"A/R"; this exercise asks for the doing roles to be marked R, so every task names at least one R.

The exercise gives a chart (often a flawed one from a case) for the learner to put right. Its
rules: exactly one A per task, at least one R per task, and no role R or A on more than a share of
all tasks (`overload_share`, 40 % unless the course sets another): one person cannot do or sign off
everything.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Any

from .exercise import Exercise
from .tabular import as_frame, is_missing

RESPONSIBLE, ACCOUNTABLE, CONSULTED, INFORMED = "R", "A", "C", "I"
LETTERS = (RESPONSIBLE, ACCOUNTABLE, CONSULTED, INFORMED)
LETTER_MEANINGS = {
    RESPONSIBLE: "Responsible: does the work (may be several)",
    ACCOUNTABLE: "Accountable: signs the work off (exactly one per task)",
    CONSULTED: "Consulted: asked before (two-way)",
    INFORMED: "Informed: told after (one-way)",
}
TASK_COLUMNS = ("task_id", "task")
DEFAULT_OVERLOAD_SHARE = 0.4

#: The rules a chart can break, as named in `problems()`.
NO_ACCOUNTABLE = "no accountable"
SEVERAL_ACCOUNTABLE = "several accountable"
NO_RESPONSIBLE = "no responsible"
OVERLOADED = "overloaded role"
RULES = (NO_ACCOUNTABLE, SEVERAL_ACCOUNTABLE, NO_RESPONSIBLE, OVERLOADED)


def raci_letter(value: Any, where: str = "") -> str | None:
    """A cell's letter: R, A, C or I (any case, spaces trimmed), or None for an empty cell."""
    if is_missing(value):
        return None
    if isinstance(value, str):
        text = value.strip().upper()
        if text == "":
            return None
        if text in LETTERS:
            return text
    raise ValueError(f"{where}{value!r} is not a RACI letter; allowed: R, A, C, I, or None (empty) for "
                     "no part")


def check_overload_share(share: Any) -> float:
    if isinstance(share, bool) or not isinstance(share, numbers.Real) or not 0 < share <= 1:
        raise ValueError(f"overload_share must be a fraction of the tasks above 0 and at most 1 (e.g. 0.4), "
                         f"not {share!r}")
    return float(share)


@dataclass(frozen=True)
class Problem:
    """One broken rule: of a task (`role` None) or of a role (`task_id` None)."""

    task_id: str | None
    role: str | None
    rule: str
    message: str


class RaciChart(Exercise):
    """A RACI chart to put right: tasks (rows) by roles (columns), one letter a cell.

    >>> chart = [{"task_id": "G03", "task": "Run the go-live command centre", "cno": "A", "cmio": "A"},
    ...          {"task_id": "T01", "task": "Train the super-users", "cno": "R", "cmio": None}]
    >>> m = RaciChart(None, chart)
    >>> m.assign("G03", "cno", "R")
    >>> [p.rule for p in m.problem_list()]
    ['no accountable', 'overloaded role', 'overloaded role']
    """

    kind = "RaciChart"

    def __init__(self, exercise_id: str | None, chart, *, overload_share: float = DEFAULT_OVERLOAD_SHARE,
                 directory=None) -> None:
        super().__init__(exercise_id, directory=directory)
        self._overload_share = check_overload_share(overload_share)
        self._tasks, self.roles, start = _read_chart(chart)
        self._start = {task: dict(cells) for task, cells in start.items()}
        self._cells = start
        # Saved letters for tasks or roles this chart does not have are kept, so nothing is lost on save.
        self._unlisted: dict[str, dict[str, str | None]] = {}
        self._load_saved_answer()

    @property
    def overload_share(self) -> float:
        """The largest share of the tasks a role may be R or A on (set when the exercise is made)."""
        return self._overload_share

    @property
    def task_ids(self) -> list[str]:
        return list(self._tasks)

    def task(self, task_id: str) -> str:
        """A task's description."""
        return self._tasks[self._task_id(task_id)]

    def _task_id(self, task_id: Any) -> str:
        if not isinstance(task_id, str) or task_id not in self._tasks:
            raise KeyError(f"unknown task {task_id!r}; known: {', '.join(self._tasks)}")
        return task_id

    def _role(self, role: Any) -> str:
        if not isinstance(role, str) or role not in self.roles:
            raise KeyError(f"unknown role {role!r}; known: {', '.join(self.roles)}")
        return role

    # -- answering ---------------------------------------------------------------------------

    def assign(self, task_id: str, role: str, letter: str | None) -> None:
        """Give a role its part in a task: "R", "A", "C", "I", or None (no part)."""
        task_id, role = self._task_id(task_id), self._role(role)
        self._cells[task_id][role] = raci_letter(letter, f"the letter for {role} on task {task_id}: ")
        self._changed()

    def reset(self) -> None:
        """Back to the chart as it was given."""
        self._cells = {task: dict(cells) for task, cells in self._start.items()}
        self._changed()

    # -- reading -----------------------------------------------------------------------------

    def letter(self, task_id: str, role: str) -> str | None:
        return self._cells[self._task_id(task_id)][self._role(role)]

    def roles_with(self, task_id: str, letter: str) -> list[str]:
        """The roles holding `letter` on a task, in the chart's role order."""
        task_id = self._task_id(task_id)
        letter = raci_letter(letter)
        return [role for role, held in self._cells[task_id].items() if held == letter]

    def load(self, role: str) -> int:
        """On how many tasks a role is R or A."""
        role = self._role(role)
        return sum(cells[role] in (RESPONSIBLE, ACCOUNTABLE) for cells in self._cells.values())

    def load_share(self, role: str) -> float:
        return self.load(role) / len(self._tasks)

    def overloaded(self, role: str) -> bool:
        """True when a role is R or A on more than `overload_share` of the tasks (exactly at it is fine)."""
        return self.load_share(role) > self.overload_share

    def to_frame(self):
        """The chart as it now stands: task_id, task, then one column a role (None where empty)."""
        import pandas as pd

        frame = pd.DataFrame({"task_id": self.task_ids, "task": list(self._tasks.values())})
        for role in self.roles:
            frame[role] = pd.Series([self._cells[task][role] for task in self._tasks], dtype=object)
        return frame

    def changes(self):
        """The cells the learner changed: task_id, role, the letter given and the letter now."""
        import pandas as pd

        rows = [{"task_id": task, "role": role, "given": self._start[task][role], "now": letter}
                for task, cells in self._cells.items() for role, letter in cells.items()
                if letter != self._start[task][role]]
        return pd.DataFrame(rows, columns=["task_id", "role", "given", "now"], dtype=object)

    def task_problems(self, task_id: str) -> list[Problem]:
        """The rules one task breaks (one A, at least one R), in that order."""
        task_id = self._task_id(task_id)
        quoted = f"task {task_id} {self._tasks[task_id]!r}"
        accountable = self.roles_with(task_id, ACCOUNTABLE)
        found = []
        if not accountable:
            found.append(Problem(task_id, None, NO_ACCOUNTABLE,
                                 f"{quoted} has no Accountable role: give exactly one role the A"))
        elif len(accountable) > 1:
            names = ", ".join(accountable)
            found.append(Problem(task_id, None, SEVERAL_ACCOUNTABLE,
                                 f"{quoted} has {len(accountable)} Accountable roles ({names}): "
                                 "keep exactly one A; the others can be R, C or I"))
        if not self.roles_with(task_id, RESPONSIBLE):
            found.append(Problem(task_id, None, NO_RESPONSIBLE,
                                 f"{quoted} has no Responsible role: give at least one role the R "
                                 "(the ones who do the work)"))
        return found

    def role_problem(self, role: str) -> Problem | None:
        """The overload problem of one role, if it has one."""
        if not self.overloaded(role):
            return None
        load, tasks = self.load(role), len(self._tasks)
        return Problem(None, role, OVERLOADED,
                       f"role {role} is R or A on {load} of {tasks} tasks ({load / tasks:.0%}), more than "
                       f"{self.overload_share:.0%}: share the work out, or let another role sign off")

    def problem_list(self) -> list[Problem]:
        """Every broken rule: task by task, then role by role."""
        found = [problem for task in self._tasks for problem in self.task_problems(task)]
        found += [problem for role in self.roles if (problem := self.role_problem(role)) is not None]
        return found

    def problems(self):
        """Every broken rule as a DataFrame: task_id, role, rule, message (empty when the chart is valid)."""
        import pandas as pd

        return pd.DataFrame([vars(problem) for problem in self.problem_list()],
                            columns=["task_id", "role", "rule", "message"], dtype=object)

    def is_valid(self) -> bool:
        return not self.problem_list()

    # -- durable answers and display -----------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        cells = {task: dict(roles) for task, roles in self._unlisted.items()}
        for task, roles in self._cells.items():
            cells.setdefault(task, {}).update(roles)
        return {"cells": cells}

    def _restore(self, data: dict[str, Any]) -> None:
        # Check everything before changing anything: a bad file leaves the chart as it was given.
        saved = data["cells"]
        if not isinstance(saved, dict):
            raise ValueError("'cells' must map each task to its roles' letters")
        cells = {task: dict(roles) for task, roles in self._cells.items()}
        unlisted: dict[str, dict[str, str | None]] = {}
        for task, roles in saved.items():
            if not isinstance(roles, dict):
                raise ValueError(f"the saved letters of task {task!r} are not a record")
            for role, value in roles.items():
                letter = raci_letter(value, f"the saved letter for {role} on task {task}: ")
                if task in cells and role in self.roles:
                    cells[task][role] = letter
                else:
                    unlisted.setdefault(task, {})[role] = letter
        self._cells, self._unlisted = cells, unlisted

    def _make_view(self):
        from .views.raci import RaciView

        return RaciView(self)

    def __repr__(self) -> str:
        count = len(self.problem_list())
        return (f"<RaciChart {self.exercise_id!r}: {len(self._tasks)} tasks x {len(self.roles)} roles, "
                f"{count} problem{'' if count == 1 else 's'}>")


def _read_chart(chart) -> tuple[dict[str, str], list[str], dict[str, dict[str, str | None]]]:
    """(task descriptions, roles, letters) from a DataFrame or a list of dicts, checked cell by cell."""
    frame = as_frame(chart, "the RACI chart", row="task", required=TASK_COLUMNS,
                     needs="task_id, task, then one column a role")
    roles = [str(column) for column in frame.columns if column not in TASK_COLUMNS]
    if not roles:
        raise ValueError("the RACI chart has no role columns: add one column a role after task_id and task")
    if len(set(roles)) < len(roles):
        repeated = sorted({role for role in roles if roles.count(role) > 1})
        raise ValueError(f"role columns must be unique; repeated: {', '.join(repeated)}")
    if frame.empty:
        raise ValueError("the RACI chart has no tasks: give at least one row")

    tasks: dict[str, str] = {}
    cells: dict[str, dict[str, str | None]] = {}
    for number, row in enumerate(frame.itertuples(index=False), start=1):
        values = dict(zip(frame.columns, row, strict=True))
        task_id, text = values["task_id"], values["task"]
        if is_missing(task_id) or not str(task_id).strip():
            raise ValueError(f"row {number} of the RACI chart has no task_id; every task needs one")
        task_id = str(task_id).strip()
        if task_id in tasks:
            raise ValueError(f"task ids must be unique; {task_id!r} is repeated")
        if is_missing(text) or not str(text).strip():
            raise ValueError(f"task {task_id} has no description in the 'task' column")
        tasks[task_id] = str(text).strip()
        cells[task_id] = {
            str(column): raci_letter(values[column], f"task {task_id}, role {column}: ")
            for column in frame.columns if column not in TASK_COLUMNS
        }
    return tasks, roles, cells
