"""The question sheet widget: one keyboard-usable control per question."""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..questions import QuestionSheet
from .common import ExerciseView

NOT_ANSWERED = "(not answered)"
#: Up to this many options are shown as check boxes; more as a multiple-selection list.
MAX_CHECKBOXES = 12


class QuestionSheetView(ExerciseView):
    def __init__(self, model: QuestionSheet) -> None:
        super().__init__(model)
        self.controls: dict[str, widgets.Widget] = {}
        rows = []
        for question in model.questions.values():
            control = self._control_for(question)
            self.controls[question.key] = control
            label = html.escape(question.prompt) + (f" <i>({html.escape(question.unit)})</i>" if question.unit else "")
            # The prompt, not the key: a key (ortho_no_show_pct) is for code, a learner reads the question.
            rows.append(widgets.VBox([widgets.HTML(f"<b>{label}</b>"), control]))
        self.summary = widgets.HTML()
        model.on_change(self.refresh)
        self.children = [*rows, self.summary, self.status]
        self.refresh()

    def _control_for(self, question):
        key = question.key
        if question.type == "number":
            control = widgets.Text(placeholder="a number, then Enter or Tab", continuous_update=False)
            control.observe(lambda change: self.apply(self.model.answer, key, change["new"].strip() or None),
                            names="value")
        elif question.type == "choice":
            control = widgets.Dropdown(options=[(NOT_ANSWERED, None), *((o, o) for o in question.options)])
            control.observe(lambda change: self.apply(self.model.answer, key, change["new"]), names="value")
        elif question.type == "choices" and len(question.options) <= MAX_CHECKBOXES:
            boxes = [widgets.Checkbox(description=option, indent=False) for option in question.options]
            for box in boxes:
                box.observe(lambda _: self.apply(self.model.answer, key, self._ticked(key)), names="value")
            control = widgets.VBox(boxes)
        elif question.type == "choices":
            control = widgets.SelectMultiple(options=question.options, rows=min(10, len(question.options)))
            control.observe(lambda change: self.apply(self.model.answer, key, list(change["new"])), names="value")
        else:
            control = widgets.Textarea(placeholder="your answer", continuous_update=False,
                                       layout=widgets.Layout(width="95%", height="4em"))
            control.observe(lambda change: self.apply(self.model.answer, key, change["new"] or None), names="value")
        return control

    def _ticked(self, key: str) -> list[str]:
        return [box.description for box in self.controls[key].children if box.value]

    def refresh(self) -> None:
        """Show the model's answers in the controls, whether they came from here or from code."""
        with self.syncing():
            for key, question in self.model.questions.items():
                value, control = self.model[key], self.controls[key]
                if question.type == "number":
                    control.value = "" if value is None else f"{value:g}"
                elif question.type == "choices" and isinstance(control, widgets.VBox):
                    for box in control.children:
                        box.value = box.description in (value or [])
                elif question.type == "choices":
                    control.value = tuple(value or ())
                else:
                    control.value = value if value is not None else ("" if question.type == "text" else None)
        left = self.model.unanswered
        self.summary.value = (f"<div aria-live='polite'>{len(self.model.questions) - len(left)} of "
                              f"{len(self.model.questions)} answered</div>")
        self.show_saving_status()
