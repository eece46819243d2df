"""The RACI chart widget: one Dropdown a cell in a grid, each row's check beside it, the problems below.

A change updates only what it can change: its row's check, its role's load, and the problems list.
The Dropdowns are built once; rebuilding a 16 x 8 grid on every change would make each edit slow.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..plots.style import OKABE_ITO, TEXT_COLOUR
from ..raci import (
    LETTER_MEANINGS,
    LETTERS,
    NO_ACCOUNTABLE,
    NO_RESPONSIBLE,
    SEVERAL_ACCOUNTABLE,
    RaciChart,
)
from .common import UNSEEN_LABEL, ExerciseView, unseen_labels_style

#: The Dropdown's value for an empty cell (no part in the task).
EMPTY = ""
CELL_OPTIONS = [("–", EMPTY), *((letter, letter) for letter in LETTERS)]
OK_COLOUR = OKABE_ITO["bluish green"]
BROKEN_COLOUR = OKABE_ITO["vermillion"]
#: What a row's check says for each broken rule: a word, never a colour alone.
SHORT = {NO_ACCOUNTABLE: "no A", SEVERAL_ACCOUNTABLE: "{count} A", NO_RESPONSIBLE: "no R"}


def _mark(text: str, ok: bool, title: str) -> str:
    """A check cell: the symbol and words carry the meaning; the coloured bar repeats it."""
    colour = OK_COLOUR if ok else BROKEN_COLOUR
    return (f'<div title="{html.escape(title, quote=True)}" style="border-left:6px solid {colour};'
            f'padding-left:5px;color:{TEXT_COLOUR};white-space:nowrap">{html.escape(text)}</div>')


class RaciView(ExerciseView):
    def __init__(self, model: RaciChart) -> None:
        super().__init__(model)
        tasks, roles = model.task_ids, model.roles
        # The letters as last shown: a refresh touches only the cells, rows and roles that differ.
        self._shown = {(task, role): model.letter(task, role) for task in tasks for role in roles}
        self.cells: dict[tuple[str, str], widgets.Dropdown] = {}
        self.row_status: dict[str, widgets.HTML] = {}
        self.role_load: dict[str, widgets.HTML] = {}

        header = [widgets.HTML("<b>Task</b>")]
        header += [widgets.HTML(f"<b>{html.escape(role.replace('_', ' '))}</b>") for role in roles]
        header.append(widgets.HTML("<b>Check</b>"))
        children = list(header)
        for task in tasks:
            children.append(widgets.HTML(f"<b>{html.escape(task)}</b> {html.escape(model.task(task))}"))
            for role in roles:
                letter = self._shown[(task, role)]
                who = role.replace("_", " ")
                cell = widgets.Dropdown(options=CELL_OPTIONS, value=letter or EMPTY, description=f"{who}, {task}",
                                        tooltip=f"{task}, {who}: R, A, C, I or – (no part)",
                                        layout=widgets.Layout(width="auto", min_width="3.6em"))
                cell.add_class(UNSEEN_LABEL)
                cell.observe(lambda change, task=task, role=role: self._assign(task, role, change["new"]),
                             names="value")
                self.cells[(task, role)] = cell
                children.append(cell)
            self.row_status[task] = widgets.HTML()
            children.append(self.row_status[task])
        children.append(widgets.HTML(f"<i>R or A on (at most {model.overload_share:.0%})</i>"))
        for role in roles:
            self.role_load[role] = widgets.HTML()
            children.append(self.role_load[role])
        children.append(widgets.HTML())

        self.grid = widgets.GridBox(children, layout=widgets.Layout(
            grid_template_columns=(f"minmax(14em, 3fr) repeat({len(roles)}, minmax(4em, 1fr)) "
                                   "minmax(6.5em, auto)"),
            grid_gap="2px 6px", align_items="center", overflow="auto"))
        self.key = widgets.HTML("<div style='font-size:90%'>" + " &nbsp;|&nbsp; ".join(
            f"<b>{html.escape(meaning)}</b>" for meaning in LETTER_MEANINGS.values()) + "</div>")
        self.reset_button = widgets.Button(description="Start again",
                                           tooltip="Back to the chart as it was given")
        self.problems = widgets.HTML()

        self.reset_button.on_click(lambda _: self.apply(self.model.reset))
        model.on_change(self.refresh)
        self.children = [unseen_labels_style(), self.key, self.grid, self.problems, self.reset_button, self.status]
        for task in tasks:
            self._show_row(task)
        for role in roles:
            self._show_role(role)
        self._show_problems()
        self.show_saving_status()

    # -- from the controls to the model ---------------------------------------------------------

    def _assign(self, task: str, role: str, value: str) -> None:
        if not self.apply(self.model.assign, task, role, value or None) and not self._syncing:
            # Refused: the cell goes back to what the model holds.
            with self.syncing():
                self.cells[(task, role)].value = self.model.letter(task, role) or EMPTY

    # -- from the model to the controls ---------------------------------------------------------

    def refresh(self) -> None:
        """Follow a change of the model, from here or from code: only the cells, rows and roles that moved."""
        model = self.model
        tasks, roles = set(), set()
        with self.syncing():
            for (task, role), shown in self._shown.items():
                letter = model.letter(task, role)
                if letter != shown:
                    self._shown[(task, role)] = letter
                    self.cells[(task, role)].value = letter or EMPTY
                    tasks.add(task)
                    roles.add(role)
        for task in tasks:
            self._show_row(task)
        for role in roles:
            self._show_role(role)
        self._show_problems()
        self.show_saving_status()

    def _show_row(self, task: str) -> None:
        found = self.model.task_problems(task)
        if not found:
            self.row_status[task].value = _mark("✓", True, f"{task}: one A and at least one R")
            return
        words = [SHORT[p.rule].format(count=len(self.model.roles_with(task, "A"))) for p in found]
        self.row_status[task].value = _mark("✗ " + ", ".join(words), False,
                                            " ".join(p.message for p in found))

    def _show_role(self, role: str) -> None:
        model = self.model
        load, total = model.load(role), len(model.task_ids)
        problem = model.role_problem(role)
        title = problem.message if problem else f"{role} is R or A on {load} of {total} tasks"
        symbol = "✗" if problem else "✓"
        self.role_load[role].value = _mark(f"{symbol} {load}/{total}", problem is None, title)

    def _show_problems(self) -> None:
        found = self.model.problem_list()
        if not found:
            text = (f"✓ <b>No problems</b>: every task has exactly one A and at least one R, and no role is "
                    f"R or A on more than {self.model.overload_share:.0%} of the tasks.")
        else:
            items = "".join(f"<li>{html.escape(problem.message)}</li>" for problem in found)
            text = (f"✗ <b>{len(found)} problem{'' if len(found) == 1 else 's'}</b> to put right:"
                    f"<ul style='margin:0.2em 0'>{items}</ul>")
        self.problems.value = f"<div aria-live='polite' style='margin:0.4em 0'>{text}</div>"
