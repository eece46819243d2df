"""Stakeholder analysis: the power/interest grid (Mendelow) and the salience model.

Salience follows Mitchell, Agle and Wood (1997): the classes come from which of the three
attributes (power, legitimacy, urgency) a stakeholder has.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from .exercise import Exercise

SCALE_MIN, SCALE_MAX = 0, 10
#: On the 0-10 scale a value of 5 or more counts as high.
HIGH_FROM = 5

MANAGE_CLOSELY = "manage closely"
KEEP_SATISFIED = "keep satisfied"
KEEP_INFORMED = "keep informed"
MONITOR = "monitor"
QUADRANTS = (MANAGE_CLOSELY, KEEP_SATISFIED, KEEP_INFORMED, MONITOR)

SALIENCE_CLASSES = {
    # (power, legitimacy, urgency): class
    (True, False, False): "dormant",
    (False, True, False): "discretionary",
    (False, False, True): "demanding",
    (True, True, False): "dominant",
    (True, False, True): "dangerous",
    (False, True, True): "dependent",
    (True, True, True): "definitive",
    (False, False, False): "non-stakeholder",
}


def quadrant_of(power: float, interest: float) -> str:
    """The power/interest quadrant for a power and an interest on the 0-10 scale."""
    high_power, high_interest = power >= HIGH_FROM, interest >= HIGH_FROM
    if high_power:
        return MANAGE_CLOSELY if high_interest else KEEP_SATISFIED
    return KEEP_INFORMED if high_interest else MONITOR


def salience_class_of(power: bool, legitimacy: bool, urgency: bool) -> str:
    return SALIENCE_CLASSES[(bool(power), bool(legitimacy), bool(urgency))]


def _scale_value(what: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        raise ValueError(f"{what} of {name!r} must be a number from {SCALE_MIN} to {SCALE_MAX}, not {value!r}")
    if not SCALE_MIN <= value <= SCALE_MAX:
        raise ValueError(f"{what} of {name!r} must be from {SCALE_MIN} to {SCALE_MAX}; {value!r} is outside")
    return float(value)


def _flag(what: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{what} of {name!r} must be True or False, not {value!r}")
    return value


@dataclass
class Assessment:
    """One stakeholder's answer. None means not yet assessed."""

    power: float | None = None
    interest: float | None = None
    salience_power: bool | None = None
    legitimacy: bool | None = None
    urgency: bool | None = None
    note: str = ""

    @property
    def placed(self) -> bool:
        return self.power is not None and self.interest is not None

    @property
    def salience_assessed(self) -> bool:
        return None not in (self.salience_power, self.legitimacy, self.urgency)


class StakeholderMap(Exercise):
    """A stakeholder map: power/interest placement, salience attributes and an engagement note.

    >>> m = StakeholderMap(None, ["CFO", "Nurses union"])
    >>> m.place("CFO", power=9, interest=3)
    >>> m.quadrant("CFO")
    'keep satisfied'
    """

    kind = "StakeholderMap"

    def __init__(self, exercise_id: str | None, stakeholders, *, directory=None) -> None:
        super().__init__(exercise_id, directory=directory)
        self.evidence = _evidence_table(stakeholders)
        names = list(self.evidence.index)
        if not names:
            raise ValueError("a stakeholder map needs at least one stakeholder")
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"stakeholder names must be unique; repeated: {', '.join(duplicates)}")
        self._answers = {name: Assessment() for name in names}
        # Saved answers for names this map does not list are kept, so nothing is lost on save.
        self._unlisted: dict[str, dict] = {}
        self._load_saved_answer()

    # -- answering ---------------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return list(self._answers)

    def _get(self, name: str) -> Assessment:
        try:
            return self._answers[name]
        except (KeyError, TypeError):
            raise KeyError(f"unknown stakeholder {name!r}; known: {', '.join(self._answers)}") from None

    def place(self, name: str, *, power: float, interest: float) -> None:
        """Place a stakeholder on the power/interest grid (0-10 each)."""
        answer = self._get(name)
        power = _scale_value("power", name, power)
        interest = _scale_value("interest", name, interest)
        answer.power, answer.interest = power, interest
        self._changed()

    def set_salience(self, name: str, *, power: bool, legitimacy: bool, urgency: bool) -> None:
        """Record which salience attributes a stakeholder has."""
        answer = self._get(name)
        values = (
            _flag("salience power", name, power),
            _flag("legitimacy", name, legitimacy),
            _flag("urgency", name, urgency),
        )
        answer.salience_power, answer.legitimacy, answer.urgency = values
        self._changed()

    def set_note(self, name: str, note: str) -> None:
        """Record how you would engage this stakeholder."""
        if not isinstance(note, str):
            raise ValueError(f"the engagement note of {name!r} must be text, not {type(note).__name__}")
        self._get(name).note = note
        self._changed()

    def clear(self, name: str) -> None:
        """Take a stakeholder's placement and salience back to not assessed (the note stays)."""
        note = self._get(name).note
        self._answers[name] = Assessment(note=note)
        self._changed()

    # -- reading -----------------------------------------------------------------------------

    def assessment(self, name: str) -> Assessment:
        answer = self._get(name)
        return Assessment(**asdict(answer))

    def quadrant(self, name: str) -> str | None:
        """The power/interest quadrant, or None while the stakeholder is not placed."""
        answer = self._get(name)
        return quadrant_of(answer.power, answer.interest) if answer.placed else None

    def salience_class(self, name: str) -> str | None:
        """The salience class, or None while the attributes are not assessed."""
        answer = self._get(name)
        if not answer.salience_assessed:
            return None
        return salience_class_of(answer.salience_power, answer.legitimacy, answer.urgency)

    def in_quadrant(self, quadrant: str) -> list[str]:
        """The stakeholders placed in a quadrant, in the map's order."""
        if quadrant not in QUADRANTS:
            raise ValueError(f"unknown quadrant {quadrant!r}; one of: {', '.join(QUADRANTS)}")
        return [name for name in self._answers if self.quadrant(name) == quadrant]

    @property
    def unplaced(self) -> list[str]:
        return [name for name, answer in self._answers.items() if not answer.placed]

    @property
    def unassessed_salience(self) -> list[str]:
        return [name for name, answer in self._answers.items() if not answer.salience_assessed]

    def to_frame(self):
        """The whole map as a DataFrame, one row a stakeholder."""
        import pandas as pd

        rows = []
        for name, answer in self._answers.items():
            rows.append(
                {
                    "name": name,
                    "power": answer.power,
                    "interest": answer.interest,
                    "quadrant": self.quadrant(name),
                    "salience_power": answer.salience_power,
                    "legitimacy": answer.legitimacy,
                    "urgency": answer.urgency,
                    "salience_class": self.salience_class(name),
                    "note": answer.note,
                }
            )
        return pd.DataFrame(rows).set_index("name")

    # -- durable answers and display -----------------------------------------------------------

    def _dump(self) -> dict[str, Any]:
        stakeholders = dict(self._unlisted)
        stakeholders.update({name: asdict(answer) for name, answer in self._answers.items()})
        return {"stakeholders": stakeholders}

    def _restore(self, data: dict[str, Any]) -> None:
        # Check everything before changing anything: a bad file leaves the map as it was.
        answers, unlisted = {}, {}
        for name, saved in data["stakeholders"].items():
            if name in self._answers:
                answers[name] = _assessment_from_saved(name, saved)
            else:
                unlisted[name] = saved
        self._answers.update(answers)
        self._unlisted = unlisted

    def _make_view(self):
        from .views.stakeholder_map import StakeholderMapView

        return StakeholderMapView(self)

    def drag_view(self):
        """A drag-and-drop grid of this map: each stakeholder a marker to drag, or to move with the arrow keys."""
        from .dragdrop import StakeholderDragView

        return StakeholderDragView(self)

    def __repr__(self) -> str:
        placed = len(self._answers) - len(self.unplaced)
        return f"<StakeholderMap {self.exercise_id!r}: {placed} of {len(self._answers)} stakeholders placed>"


def _assessment_from_saved(name: str, saved: dict) -> Assessment:
    """Rebuild one answer from JSON, checking it as strictly as a learner's input."""
    answer = Assessment()
    if saved.get("power") is not None and saved.get("interest") is not None:
        answer.power = _scale_value("saved power", name, saved["power"])
        answer.interest = _scale_value("saved interest", name, saved["interest"])
    flags = [saved.get(key) for key in ("salience_power", "legitimacy", "urgency")]
    if None not in flags:
        answer.salience_power, answer.legitimacy, answer.urgency = (
            _flag("saved salience", name, flag) for flag in flags
        )
    note = saved.get("note", "")
    answer.note = note if isinstance(note, str) else ""
    return answer


def _evidence_table(stakeholders):
    """Stakeholders as a DataFrame indexed by name: a case table, names, or dicts with a name."""
    import pandas as pd

    if isinstance(stakeholders, pd.DataFrame):
        frame = stakeholders
        if "name" in frame.columns:
            frame = frame.set_index("name", drop=True)
        elif frame.index.name != "name":
            raise ValueError("a stakeholder table needs a 'name' column")
        frame = frame.copy()
    elif isinstance(stakeholders, str):
        raise ValueError("give a list of stakeholder names (or a table), not a single string")
    else:
        items = list(stakeholders)
        if items and all(isinstance(item, dict) for item in items):
            frame = pd.DataFrame(items).set_index("name")
        elif all(isinstance(item, str) for item in items):
            frame = pd.DataFrame(index=pd.Index(items, name="name"))
        else:
            raise ValueError("stakeholders must be names (text), dicts with a 'name', or a table")
    frame.index = frame.index.map(str)
    return frame
