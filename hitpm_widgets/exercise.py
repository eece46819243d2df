"""What every exercise model shares: durable answers, change listeners, and display as a widget.

A model subclass holds the learner's answer and the domain rules. It implements `_dump` and
`_restore` (its answer as plain JSON data) and `_make_view` (the widget), and calls `_changed()`
after every change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from .answers import AnswerStore


class Exercise:
    kind: ClassVar[str]

    def __init__(self, exercise_id: str | None, *, directory=None) -> None:
        self.exercise_id = exercise_id
        self._listeners: list[Callable[[], None]] = []
        self._view = None
        # No id: a scratch model for a lesson's demonstration, not saved anywhere.
        self._store = None if exercise_id is None else AnswerStore(exercise_id, self.kind, directory)

    def _load_saved_answer(self) -> None:
        """Call at the end of a subclass's __init__, once its empty answer exists."""
        if self._store is None:
            return
        saved = self._store.load()
        if saved is None:
            return
        try:
            self._restore(saved)
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            self._store.set_aside(f"does not hold a valid {self.kind} answer ({error})")

    # -- what subclasses implement ------------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        raise NotImplementedError

    def _restore(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def _make_view(self):
        raise NotImplementedError

    # -- shared behaviour ---------------------------------------------------------------------

    def _changed(self) -> None:
        if self._store is not None:
            self._store.save(self._dump())
        for listener in list(self._listeners):
            listener()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener()` after every change of the answer (views redraw this way)."""
        self._listeners.append(listener)

    @property
    def saving_status(self) -> str:
        """One line for the learner: where the answer is kept, or why it is not saved."""
        if self._store is None:
            return "Scratch exercise (no id): answers are not saved."
        if self._store.notice:
            return self._store.notice
        if self._store.not_saving_because:
            return f"Not saved: {self._store.not_saving_because}."
        return f"Saved automatically to {self._store.path.parent.parent.name}/answers/{self._store.path.name}."

    @property
    def saving_problem(self) -> bool:
        """True when loading the saved answer went wrong (the status line says what)."""
        return bool(self._store is not None and self._store.notice)

    @property
    def widget(self):
        """The interactive view of this exercise (made on first use)."""
        if self._view is None:
            self._view = self._make_view()
        return self._view

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)
