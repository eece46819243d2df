"""Change readiness with ADKAR (Prosci): Awareness, Desire, Knowledge, Ability, Reinforcement.

A readiness survey scores each element from 1 to 5 per respondent. The elements build on one another
in that order, so the first element that scores low is the *barrier point*: the one to work on
before the later ones can take hold. Prosci counts a score of 3 or lower as low on the 1-5 scale, so
here "low" means a unit's mean at or below a threshold (3.0 unless the organisation sets another): a
mean of exactly 3.0 is a barrier.

The barrier point is what a learner diagnoses, so the package computes it only for the widget's
picture (`_barrier_point`, private): a learner applies the rule to the means themselves.

The exercise asks the learner to diagnose each unit's barrier point and name a focus for it, and
lets them try what-if scores to see the barrier move.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .exercise import Exercise
from .tabular import as_frame, is_missing

ADKAR_ELEMENTS = ("awareness", "desire", "knowledge", "ability", "reinforcement")
SURVEY_COLUMNS = ("respondent_id", "unit", "role", *ADKAR_ELEMENTS)
SCORE_MIN, SCORE_MAX = 1, 5
#: A unit's mean at or below this is low (Prosci: 3 or lower), unless the organisation sets another threshold.
DEFAULT_THRESHOLD = 3.0

SUGGESTED_FOCUS = {
    "awareness": "Communicate the why: the reasons for the change and the risks of not changing.",
    "desire": "Involve people, address what is in it for them, and deal with resistance.",
    "knowledge": "Training and job aids: how to work in the new way.",
    "ability": "Practice, coaching, at-the-elbow support and time to learn on the job.",
    "reinforcement": "Recognition: measure and celebrate progress, and correct drift back to old ways.",
}
assert tuple(SUGGESTED_FOCUS) == ADKAR_ELEMENTS

_SCORE_HELP = f"scores are whole numbers from {SCORE_MIN} to {SCORE_MAX}"


def element_name(element: Any) -> str:
    """An ADKAR element's name as the kit spells it ('Desire ' is 'desire'); KeyError if unknown."""
    name = element.strip().lower() if isinstance(element, str) else element
    if name not in ADKAR_ELEMENTS:
        raise KeyError(f"unknown ADKAR element {element!r}; known: {', '.join(ADKAR_ELEMENTS)}")
    return name


def _real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and not _is_bool(value)


def _is_bool(value: Any) -> bool:
    # numpy's bool is not a Python bool, and a True in a survey is no score.
    return type(value).__name__ in ("bool", "bool_")


def _survey_score(value: Any, respondent: str, element: str) -> int:
    if is_missing(value):
        raise ValueError(f"respondent {respondent} has no {element} score; every respondent needs all five "
                         f"elements ({_SCORE_HELP})")
    if not _real(value) or not math.isfinite(value) or not float(value).is_integer():
        raise ValueError(f"respondent {respondent}'s {element} score is {value!r}; {_SCORE_HELP}")
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise ValueError(f"respondent {respondent}'s {element} score is {value!r}, outside the scale; "
                         f"{_SCORE_HELP}")
    return int(value)


def _mean_score(value: Any, what: str) -> float:
    """A mean (or what-if) score: any number from 1 to 5."""
    if not _real(value) or not math.isfinite(value):
        raise ValueError(f"{what} must be a number from {SCORE_MIN} to {SCORE_MAX}, not {value!r}")
    if not SCORE_MIN <= value <= SCORE_MAX:
        raise ValueError(f"{what} must be from {SCORE_MIN} to {SCORE_MAX}; {value!r} is outside")
    return float(value)


def check_threshold(threshold: Any) -> float:
    return _mean_score(threshold, "the threshold for a low score")


def check_survey(survey):
    """The survey as a checked DataFrame: every column present, every score a whole number 1-5.

    Accepts a DataFrame or a list of dicts (one a respondent). Bad data is refused with the
    respondent and the column at fault.
    """
    import pandas as pd

    frame = as_frame(survey, "the survey", row="respondent", required=SURVEY_COLUMNS)
    if frame.empty:
        raise ValueError("the survey has no responses: give at least one respondent")

    respondents, units = [], []
    for number, (respondent, unit) in enumerate(zip(frame["respondent_id"], frame["unit"], strict=True), 1):
        if is_missing(respondent) or not str(respondent).strip():
            raise ValueError(f"row {number} of the survey has no respondent_id; every response needs one")
        respondent = str(respondent).strip()
        if is_missing(unit) or not str(unit).strip():
            raise ValueError(f"respondent {respondent} has no unit; every response needs one")
        respondents.append(respondent)
        units.append(str(unit).strip())
    repeated = sorted({r for r in respondents if respondents.count(r) > 1})
    if repeated:
        raise ValueError(f"respondent ids must be unique; repeated: {', '.join(repeated)}")

    checked = pd.DataFrame({"respondent_id": respondents, "unit": units, "role": frame["role"].to_numpy()})
    for element in ADKAR_ELEMENTS:
        checked[element] = [
            _survey_score(value, respondent, element)
            for value, respondent in zip(frame[element], respondents, strict=True)
        ]
    return checked


def unit_scores(survey):
    """Each unit's mean score per ADKAR element: a DataFrame, units (in survey order) by elements."""
    return _means(check_survey(survey))


def _means(checked):
    return checked.groupby("unit", sort=False)[list(ADKAR_ELEMENTS)].mean().astype(float)


def _barrier_point(scores, threshold: float = DEFAULT_THRESHOLD):
    """The first ADKAR element, in order, whose score is at or below `threshold`; None when none is.

    `scores` maps each of the five elements to a score (a dict, or one unit's row of
    `unit_scores()`). Given the whole DataFrame of `unit_scores()`, gives a Series: each unit's
    barrier point. "Low" means at or below the threshold (Prosci: a 3 is a barrier). Private: it is
    what a learner diagnoses; the widget's picture uses it.
    """
    import pandas as pd

    threshold = check_threshold(threshold)
    if isinstance(scores, pd.DataFrame):
        return pd.Series([_barrier_point(row, threshold) for _, row in scores.iterrows()], index=scores.index,
                         dtype=object, name="barrier")
    checked = _element_scores(scores)
    for element in ADKAR_ELEMENTS:
        if checked[element] <= threshold:
            return element
    return None


def _element_scores(scores) -> dict[str, float]:
    if not isinstance(scores, Mapping) and not hasattr(scores, "items"):
        raise ValueError(f"scores must map each ADKAR element to a score, not {type(scores).__name__}")
    checked = {}
    for element, value in scores.items():
        name = element_name(element)
        checked[name] = _mean_score(value, f"the {name} score")
    missing = [element for element in ADKAR_ELEMENTS if element not in checked]
    if missing:
        raise ValueError(f"scores lack {', '.join(missing)}: a barrier point needs all of "
                         f"{', '.join(ADKAR_ELEMENTS)}")
    return checked


@dataclass(frozen=True)
class Diagnosis:
    """A learner's diagnosis of one unit. `barrier` None with `diagnosed` True means "no barrier"."""

    diagnosed: bool = False
    barrier: str | None = None
    focus: str = ""


class ChangeReadiness(Exercise):
    """An ADKAR readiness exercise over a survey: diagnose each unit's barrier point, try what-ifs.

    >>> survey = [
    ...     {"respondent_id": "S1", "unit": "Ward 4B", "role": "nurse", "awareness": 4, "desire": 2,
    ...      "knowledge": 2, "ability": 3, "reinforcement": 3},
    ... ]
    >>> m = ChangeReadiness(None, survey)
    >>> m.diagnose("Ward 4B", "desire", focus="Involve the nurses")
    >>> m.diagnosis("Ward 4B").barrier
    'desire'
    >>> m.adjust("Ward 4B", "desire", 3.5)
    >>> m.unit_scores("Ward 4B")["desire"], m.unit_scores("Ward 4B", adjusted=False)["desire"]
    (3.5, 2.0)
    """

    kind = "ChangeReadiness"

    def __init__(self, exercise_id: str | None, survey, *, threshold: float = DEFAULT_THRESHOLD,
                 directory=None) -> None:
        super().__init__(exercise_id, directory=directory)
        self.survey = check_survey(survey)
        self._threshold = check_threshold(threshold)
        self._survey_scores = _means(self.survey)
        self.respondents = self.survey.groupby("unit", sort=False).size().rename("respondents")
        self._diagnoses: dict[str, Diagnosis] = {unit: Diagnosis() for unit in self.units}
        self._adjustments: dict[str, dict[str, float]] = {unit: {} for unit in self.units}
        # Saved answers for units this survey does not have are kept, so that nothing is lost on save.
        self._unlisted: dict[str, Any] = {}
        self._load_saved_answer()

    @property
    def threshold(self) -> float:
        """A unit's mean at or below this is low (set when the exercise is made)."""
        return self._threshold

    @property
    def units(self) -> list[str]:
        return list(self._survey_scores.index)

    def _unit(self, unit: Any) -> str:
        if not isinstance(unit, str) or unit not in self._diagnoses:
            raise KeyError(f"unknown unit {unit!r}; known: {', '.join(self.units)}")
        return unit

    # -- answering ---------------------------------------------------------------------------

    def diagnose(self, unit: str, barrier: str | None, focus: str | None = None) -> None:
        """Record the barrier point you see in a unit (None: no barrier) and, if given, your focus."""
        unit = self._unit(unit)
        barrier = None if barrier is None else _diagnosed_element(barrier)
        focus = self._diagnoses[unit].focus if focus is None else _focus_text(unit, focus)
        self._diagnoses[unit] = Diagnosis(diagnosed=True, barrier=barrier, focus=focus)
        self._changed()

    def set_focus(self, unit: str, focus: str) -> None:
        """Record what you would focus on in a unit, with or without a diagnosed barrier."""
        unit = self._unit(unit)
        focus = _focus_text(unit, focus)
        previous = self._diagnoses[unit]
        self._diagnoses[unit] = Diagnosis(previous.diagnosed, previous.barrier, focus)
        self._changed()

    def clear_diagnosis(self, unit: str) -> None:
        """Take a unit back to not diagnosed (the focus text stays)."""
        unit = self._unit(unit)
        self._diagnoses[unit] = Diagnosis(focus=self._diagnoses[unit].focus)
        self._changed()

    def adjust(self, unit: str, element: str, score: float) -> None:
        """What if a unit's mean for one element were `score` (1-5)? The barrier then uses it."""
        unit = self._unit(unit)
        element = element_name(element)
        score = _mean_score(score, f"the what-if {element} score of {unit!r}")
        self._adjustments[unit][element] = score
        self._changed()

    def reset(self, unit: str) -> None:
        """Drop a unit's what-if scores: back to the survey's means."""
        unit = self._unit(unit)
        self._adjustments[unit] = {}
        self._changed()

    # -- reading -----------------------------------------------------------------------------

    def diagnosis(self, unit: str) -> Diagnosis:
        return self._diagnoses[self._unit(unit)]

    def adjustments(self, unit: str) -> dict[str, float]:
        """A unit's what-if scores, element by element (empty when none)."""
        return dict(self._adjustments[self._unit(unit)])

    def scores(self, adjusted: bool = True):
        """Units by elements: the survey's means, with the what-if scores unless `adjusted=False`."""
        frame = self._survey_scores.copy()
        if adjusted:
            for unit, changes in self._adjustments.items():
                for element, score in changes.items():
                    frame.loc[unit, element] = score
        return frame

    def unit_scores(self, unit: str, adjusted: bool = True) -> dict[str, float]:
        """One unit's scores, element by element."""
        unit = self._unit(unit)
        scores = {element: float(self._survey_scores.loc[unit, element]) for element in ADKAR_ELEMENTS}
        if adjusted:
            scores.update(self._adjustments[unit])
        return scores

    def _barrier(self, unit: str, adjusted: bool = True) -> str | None:
        """A unit's barrier point, for the widget's picture (private: the learner diagnoses it)."""
        return _barrier_point(self.unit_scores(unit, adjusted), self.threshold)

    @property
    def undiagnosed(self) -> list[str]:
        return [unit for unit, diagnosis in self._diagnoses.items() if not diagnosis.diagnosed]

    def to_frame(self):
        """One row a unit: respondents, the survey's element means, and the learner's diagnosis and
        focus (not the barrier point: that is the learner's to find)."""
        import pandas as pd

        frame = pd.concat([self.respondents, self._survey_scores], axis=1)
        frame["diagnosed"] = [self._diagnoses[u].diagnosed for u in self.units]
        frame["diagnosed_barrier"] = pd.Series([self._diagnoses[u].barrier for u in self.units],
                                               index=frame.index, dtype=object)
        frame["focus"] = pd.Series([self._diagnoses[u].focus for u in self.units], index=frame.index,
                                   dtype=object)
        frame.index.name = "unit"
        return frame

    # -- durable answers and display -----------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        units = dict(self._unlisted)
        for unit in self.units:
            diagnosis = self._diagnoses[unit]
            units[unit] = {"diagnosed": diagnosis.diagnosed, "barrier": diagnosis.barrier,
                           "focus": diagnosis.focus, "adjustments": dict(self._adjustments[unit])}
        return {"units": units}

    def _restore(self, data: dict[str, Any]) -> None:
        # Check everything before changing anything: a bad file leaves the exercise as it was.
        saved_units = data["units"]
        if not isinstance(saved_units, dict):
            raise ValueError("'units' must map each unit to its answer")
        diagnoses, adjustments, unlisted = {}, {}, {}
        for unit, saved in saved_units.items():
            if unit not in self._diagnoses:
                unlisted[unit] = saved
                continue
            diagnoses[unit], adjustments[unit] = _answer_from_saved(unit, saved)
        self._diagnoses.update(diagnoses)
        self._adjustments.update(adjustments)
        self._unlisted = unlisted

    def _make_view(self):
        from .views.change_readiness import ChangeReadinessView

        return ChangeReadinessView(self)

    def __repr__(self) -> str:
        done = len(self.units) - len(self.undiagnosed)
        return f"<ChangeReadiness {self.exercise_id!r}: {done} of {len(self.units)} units diagnosed>"


def _diagnosed_element(barrier: Any) -> str:
    try:
        return element_name(barrier)
    except KeyError:
        raise KeyError(f"unknown ADKAR element {barrier!r}; diagnose one of {', '.join(ADKAR_ELEMENTS)}, "
                       "or None for no barrier") from None


def _focus_text(unit: str, focus: Any) -> str:
    if not isinstance(focus, str):
        raise ValueError(f"the focus for {unit!r} must be text, not {type(focus).__name__}")
    return focus


def _answer_from_saved(unit: str, saved: Any) -> tuple[Diagnosis, dict[str, float]]:
    """Rebuild one unit's answer from JSON, checking it as strictly as a learner's input."""
    if not isinstance(saved, dict):
        raise ValueError(f"the saved answer for {unit!r} is not a record")
    diagnosed = saved["diagnosed"]
    if not isinstance(diagnosed, bool):
        raise ValueError(f"'diagnosed' of {unit!r} must be true or false, not {diagnosed!r}")
    barrier = saved["barrier"]
    if barrier is not None:
        if not diagnosed:
            raise ValueError(f"{unit!r} is not diagnosed but has a diagnosed barrier {barrier!r}")
        barrier = _diagnosed_element(barrier)
    focus = _focus_text(unit, saved["focus"])
    changes = saved["adjustments"]
    if not isinstance(changes, dict):
        raise ValueError(f"the what-if scores of {unit!r} must map elements to scores")
    adjustments = {}
    for element, score in changes.items():
        name = element_name(element)
        adjustments[name] = _mean_score(score, f"the saved what-if {name} score of {unit!r}")
    return Diagnosis(diagnosed, barrier, focus), adjustments
