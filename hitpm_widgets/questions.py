"""A question sheet: a workbook's plain answers (numbers, choices, selections, short text), kept durably.

Learners read figures off a widget or compute them, then enter them here, in the form or in code
(`sheet.answer("p80_days", 161)`); nbgrader's tests read the sheet like any exercise model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .exercise import Exercise

QUESTION_TYPES = ("number", "choice", "choices", "text")
MAX_TEXT = 600


@dataclass(frozen=True)
class Question:
    """One question. `options` for "choice" (one of) and "choices" (any number of)."""

    key: str
    prompt: str
    type: str = "number"
    unit: str = ""
    options: tuple[str, ...] = field(default_factory=tuple)
    minimum: float | None = None
    maximum: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.key, str) or not self.key.isidentifier():
            raise ValueError(f"a question key must be a Python name such as 'p80_days', not {self.key!r}")
        if self.type not in QUESTION_TYPES:
            raise ValueError(f"question {self.key!r} has type {self.type!r}; one of: {', '.join(QUESTION_TYPES)}")
        if self.type in ("choice", "choices") and len(self.options) < 2:
            raise ValueError(f"question {self.key!r} needs at least two options")
        object.__setattr__(self, "options", tuple(str(option) for option in self.options))

    def check(self, value: Any):
        """The value as stored, or ValueError saying what this question accepts."""
        if self.type == "number":
            return self._number(value)
        if self.type == "choice":
            if value not in self.options:
                raise ValueError(f"the answer to {self.key!r} must be one of: {', '.join(self.options)}; "
                                 f"not {value!r}")
            return value
        if self.type == "choices":
            if isinstance(value, str):
                value = [value]
            chosen = list(value)
            unknown = [v for v in chosen if v not in self.options]
            if unknown:
                raise ValueError(f"{', '.join(map(repr, unknown))} not among the options of {self.key!r}: "
                                 f"{', '.join(self.options)}")
            return sorted(set(chosen), key=self.options.index)
        if not isinstance(value, str):
            raise ValueError(f"the answer to {self.key!r} must be text, not {type(value).__name__}")
        text = value.strip()
        if len(text) > MAX_TEXT:
            raise ValueError(f"the answer to {self.key!r} is {len(text)} characters; keep it to {MAX_TEXT}")
        return text

    def _number(self, value: Any) -> float:
        if isinstance(value, str):
            cleaned = value.strip().replace(",", "").replace("%", "")
            try:
                value = float(cleaned)
            except ValueError:
                raise ValueError(f"the answer to {self.key!r} must be a number, not {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise ValueError(f"the answer to {self.key!r} must be a number, not {value!r}")
        if self.minimum is not None and value < self.minimum:
            raise ValueError(f"the answer to {self.key!r} must be at least {self.minimum:g}; {value:g} is below")
        if self.maximum is not None and value > self.maximum:
            raise ValueError(f"the answer to {self.key!r} must be at most {self.maximum:g}; {value:g} is above")
        return float(value)


def _as_question(spec) -> Question:
    if isinstance(spec, Question):
        return spec
    if isinstance(spec, dict):
        spec = dict(spec)
        spec["options"] = tuple(spec.get("options", ()))
        try:
            return Question(**spec)
        except TypeError as error:
            raise ValueError(f"bad question {spec.get('key')!r}: {error}") from None
    raise ValueError(f"a question is a Question or a dict with key, prompt and type; not {spec!r}")


class QuestionSheet(Exercise):
    """Plain answers to a workbook's questions.

    >>> sheet = QuestionSheet(None, [{"key": "p80_days", "prompt": "P80 in working days", "minimum": 0}])
    >>> sheet.answer("p80_days", "161.5")
    >>> sheet["p80_days"]
    161.5
    """

    kind = "QuestionSheet"

    def __init__(self, exercise_id: str | None, questions, *, directory=None) -> None:
        super().__init__(exercise_id, directory=directory)
        self.questions = {}
        for spec in questions:
            question = _as_question(spec)
            if question.key in self.questions:
                raise ValueError(f"question key {question.key!r} is used twice")
            self.questions[question.key] = question
        if not self.questions:
            raise ValueError("a question sheet needs at least one question")
        self._answers: dict[str, Any] = {}
        # Saved answers to questions this sheet does not ask are kept, so nothing is lost on save.
        self._unlisted: dict[str, Any] = {}
        self._load_saved_answer()

    def _question(self, key: str) -> Question:
        try:
            return self.questions[key]
        except (KeyError, TypeError):
            raise KeyError(f"unknown question {key!r}; questions: {', '.join(self.questions)}") from None

    def answer(self, key: str, value: Any) -> None:
        """Give (or change) an answer; None takes it back."""
        question = self._question(key)
        if value is None:
            self._answers.pop(key, None)
        else:
            self._answers[key] = question.check(value)
        self._changed()

    def __getitem__(self, key: str):
        self._question(key)
        return self._answers.get(key)

    @property
    def answers(self) -> dict[str, Any]:
        return dict(self._answers)

    @property
    def unanswered(self) -> list[str]:
        return [key for key in self.questions if key not in self._answers]

    def to_frame(self):
        """The answers as a learner reviews them: each question's prompt, the answer (blank until given; several
        choices as one line) and its unit. `sheet[key]` gives an answer as data."""
        import pandas as pd

        return pd.DataFrame(
            [{"question": q.prompt, "answer": _shown(self._answers.get(q.key)), "unit": q.unit or ""}
             for q in self.questions.values()]
        ).set_index("question")

    def _dump(self) -> dict[str, Any]:
        return {"answers": {**self._unlisted, **self._answers}}

    def _restore(self, data: dict[str, Any]) -> None:
        # Check everything before changing anything: a bad file leaves the sheet as it was.
        restored, unlisted = {}, {}
        for key, value in data["answers"].items():
            if key not in self.questions:
                unlisted[key] = value
            elif value is not None:
                restored[key] = self.questions[key].check(value)
        self._answers, self._unlisted = restored, unlisted

    def _make_view(self):
        from .views.questions import QuestionSheetView

        return QuestionSheetView(self)

    def __repr__(self) -> str:
        return f"<QuestionSheet {self.exercise_id!r}: {len(self._answers)} of {len(self.questions)} answered>"


def _shown(answer) -> str | float:
    if answer is None:
        return ""
    return "; ".join(answer) if isinstance(answer, list) else answer
