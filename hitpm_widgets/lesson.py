"""What lessons use between the explanations: figures with alt text, and ungraded self-checks.

Lessons are not graded, so a self-check keeps nothing: it gives immediate feedback and lets the
learner try again. Graded exercises are models in their own modules (see exercise.py).
"""

from __future__ import annotations

import html
import numbers
from collections.abc import Iterable, Mapping, Sequence

import ipywidgets as widgets

from .plots.style import figure_png, img_html


def show_figure(figure, alt: str) -> None:
    """Display a matplotlib Figure as an image whose alt text tells a screen reader what it shows."""
    if not callable(getattr(figure, "savefig", None)):
        raise ValueError(f"show_figure needs a matplotlib Figure, not {type(figure).__name__}")
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError("show_figure needs alt text: a sentence saying what the figure shows, not empty")
    from IPython.display import HTML, display

    display(HTML(img_html(figure_png(figure), alt)))


def _index(value, count: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{what} must be an option's index (a whole number), not {value!r}")
    if not 0 <= value < count:
        raise ValueError(f"{what} {value} is out of range: the options are numbered 0 to {count - 1}")
    return int(value)


def _indexes(values, count: int, what: str) -> frozenset[int]:
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise ValueError(f"{what} must be a set of option indexes, not {values!r}")
    return frozenset(_index(value, count, what) for value in values)


class SelfCheck:
    """A short multiple-choice question with immediate feedback; not graded, nothing is saved.

    `answer` is the index of the right option, or a set of indexes for "select all that apply".
    `explanations` maps an option's index to one line of feedback shown when it is chosen.

    >>> quiz = SelfCheck("2 + 2?", ["3", "4"], answer=1, explanations={0: "One short."})
    >>> quiz.check(0)
    (False, 'Not quite. One short. Try again.')
    """

    def __init__(self, question: str, options: Sequence[str], answer,
                 explanations: Mapping[int, str] | None = None) -> None:
        if not isinstance(question, str) or not question.strip():
            raise ValueError("a self-check needs a question: non-empty text")
        if isinstance(options, str | bytes) or not isinstance(options, Sequence):
            raise ValueError("options must be a list of answer texts, e.g. ['keep satisfied', 'monitor']")
        options = list(options)
        if len(options) < 2:
            raise ValueError(f"a self-check needs at least two options to choose from; got {len(options)}")
        for number, option in enumerate(options):
            if not isinstance(option, str) or not option.strip():
                raise ValueError(f"option {number} must be non-empty text, not {option!r}")
        repeated = sorted({option for option in options if options.count(option) > 1})
        if repeated:
            raise ValueError(f"options must differ; repeated: {', '.join(map(repr, repeated))}")
        count = len(options)
        # An int asks for one choice (radio buttons); a collection asks to tick all that apply.
        self.select_all = not isinstance(answer, numbers.Integral) or isinstance(answer, bool)
        if self.select_all:
            correct = _indexes(answer, count, "answer")
            if not correct:
                raise ValueError("answer must name at least one correct option")
        else:
            correct = frozenset({_index(answer, count, "answer")})
        feedback: dict[int, str] = {}
        if explanations is not None:
            if not isinstance(explanations, Mapping):
                raise ValueError("explanations must map an option's index to a line of feedback, "
                                 "e.g. {0: '...'}")
            for key, text in explanations.items():
                index = _index(key, count, "explanation key")
                if not isinstance(text, str):
                    raise ValueError(f"the explanation for option {index} must be text, not {text!r}")
                feedback[index] = text.strip()
        self.question = question
        self.options = tuple(options)
        self.correct = correct
        self.explanations = feedback
        self._view = None

    @property
    def answer(self):
        """The right option's index, or the set of right indexes for a select-all question."""
        return set(self.correct) if self.select_all else next(iter(self.correct))

    def check(self, choice) -> tuple[bool, str]:
        """Whether `choice` is right, and one or two lines of feedback for the learner.

        `choice` is an option's index, or a set of indexes for a select-all question; None (or an
        empty set) means nothing chosen yet.
        """
        count = len(self.options)
        if self.select_all:
            if choice is None:
                choice = set()
            chosen = _indexes(choice, count, "choice")
            if not chosen:
                return False, "Tick every option that applies, then check."
            if chosen == self.correct:
                return True, self._join("Correct.", [self.explanations.get(i) for i in sorted(chosen)])
            wrong = sorted(chosen - self.correct)
            missed = len(self.correct - chosen)
            counts = []
            if wrong:
                counts.append("1 of your ticks does not apply" if len(wrong) == 1
                              else f"{len(wrong)} of your ticks do not apply")
            if missed:
                counts.append("1 option that applies is not ticked" if missed == 1
                              else f"{missed} options that apply are not ticked")
            hints = [self.explanations.get(i) for i in wrong]
            return False, self._join(f"Not quite: {' and '.join(counts)}.", hints, "Try again.")
        if choice is None:
            return False, "Choose an option, then check."
        chosen = _index(choice, count, "choice")
        if chosen in self.correct:
            return True, self._join("Correct.", [self.explanations.get(chosen)])
        return False, self._join("Not quite.", [self.explanations.get(chosen)], "Try again.")

    @staticmethod
    def _join(opening: str, lines, closing: str = "") -> str:
        return " ".join(part for part in (opening, *lines, closing) if part)

    # -- display ---------------------------------------------------------------------------------

    @property
    def widget(self):
        """The interactive view (made on first use): the options, a Check button, the feedback."""
        if self._view is None:
            self._view = SelfCheckView(self)
        return self._view

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.widget._repr_mimebundle_(include=include, exclude=exclude)

    def __repr__(self) -> str:
        kind = "select all that apply" if self.select_all else "one answer"
        return f"<SelfCheck ({kind}, {len(self.options)} options): {self.question!r}>"


class SelfCheckView(widgets.VBox):
    """Standard controls only, so Tab, the arrow keys, Space and Enter are enough to use it."""

    def __init__(self, model: SelfCheck) -> None:
        self.model = model
        hint = "Select all that apply." if model.select_all else "Choose one."
        self.prompt = widgets.HTML(f"<b>{html.escape(model.question)}</b> <i>{hint}</i>")
        if model.select_all:
            self.boxes = [widgets.Checkbox(value=False, description=option, indent=False,
                                           layout=widgets.Layout(width="auto"))
                          for option in model.options]
            self.choices = widgets.VBox(self.boxes)
        else:
            self.boxes = []
            self.choices = widgets.RadioButtons(
                options=[(option, index) for index, option in enumerate(model.options)],
                index=None, layout=widgets.Layout(width="auto"))
        self.check_button = widgets.Button(description="Check", tooltip="Check your answer (not graded)")
        self.feedback = widgets.HTML()
        self.check_button.on_click(lambda _: self.show_feedback())
        for control in self.boxes or [self.choices]:
            # Feedback on an earlier choice would mislead once the choice changes.
            control.observe(lambda _: self._say(""), names="value")
        self._say("Self-check: not graded, nothing is saved.")
        super().__init__([self.prompt, self.choices, self.check_button, self.feedback])
        # Up and down step through the radio buttons instead of moving JupyterLab to another cell.
        from .views.keyboard import keep_arrow_keys

        keep_arrow_keys(self)

    @property
    def choice(self):
        if self.model.select_all:
            return {index for index, box in enumerate(self.boxes) if box.value}
        return self.choices.value

    def show_feedback(self) -> None:
        try:
            correct, text = self.model.check(self.choice)
        except ValueError as error:
            self._say(str(error), colour="#B00020")
            return
        # The text starts with "Correct" or "Not quite", so the colour is never the only signal.
        self._say(text, colour="#006B3C" if correct else "#B00020")

    def _say(self, text: str, *, colour: str = "#444444") -> None:
        self.feedback.value = (f'<div role="status" aria-live="polite" style="color:{colour}">'
                               f"{html.escape(text)}</div>")
