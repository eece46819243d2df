"""Checks that workbook test cells call. Each raises AssertionError with a message for the learner.

A message says what is wrong and where to look, never what the right answer is: the reference
answers live in the hidden tests of the source notebook and are passed in from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def _names(names: Iterable[str]) -> str:
    return ", ".join(names)


def check_placed(stakeholder_map, names: Iterable[str] | None = None) -> None:
    """Every named stakeholder (default: all) is on the grid."""
    names = list(stakeholder_map.names if names is None else names)
    missing = [name for name in names if stakeholder_map.quadrant(name) is None]
    assert not missing, f"Place these stakeholders on the power/interest grid first: {_names(missing)}."


def check_salience_assessed(stakeholder_map, names: Iterable[str] | None = None) -> None:
    names = list(stakeholder_map.names if names is None else names)
    missing = [name for name in names if stakeholder_map.salience_class(name) is None]
    assert not missing, (
        f"Record the salience attributes of: {_names(missing)} (tick what applies, then 'Record salience'; "
        "ticking none is an answer too)."
    )


def check_quadrants(stakeholder_map, accepted: Mapping[str, Iterable[str]], topic: str) -> None:
    """Each stakeholder is in one of the quadrants the evidence supports."""
    check_placed(stakeholder_map, accepted)
    wrong = [name for name, quadrants in accepted.items() if stakeholder_map.quadrant(name) not in set(quadrants)]
    assert not wrong, (
        f"{len(wrong)} of the {len(accepted)} {topic} are in a quadrant the case's evidence does not support: "
        f"{_names(wrong)}. Look again at what each controls (power) and how the change touches them (interest)."
    )


def check_salience_classes(stakeholder_map, expected: Mapping[str, str], topic: str) -> None:
    check_salience_assessed(stakeholder_map, expected)
    wrong = [name for name, salience in expected.items() if stakeholder_map.salience_class(name) != salience]
    assert not wrong, (
        f"{len(wrong)} of the {len(expected)} {topic} have salience attributes the evidence does not support: "
        f"{_names(wrong)}. Ask of each: can they impose their will (power), is their claim rightful "
        "(legitimacy), is it time-critical (urgency)?"
    )


def check_manage_closely(stakeholder_map, must: Iterable[str], must_not: Iterable[str]) -> None:
    """Those the go-live depends on are managed closely; nobody is there without cause."""
    closely = set(stakeholder_map.in_quadrant("manage closely"))
    missing = [name for name in must if name not in closely]
    extra = [name for name in must_not if name in closely]
    problems = []
    if missing:
        problems.append(f"{len(missing)} stakeholder(s) the go-live cannot succeed without are not managed closely")
    if extra:
        problems.append(f"{len(extra)} stakeholder(s) in 'manage closely' have too little power or interest "
                        "to need it")
    assert not problems, "; ".join(problems) + ". Who can stop or delay go-live, and who must change how they work?"


# -- question sheets -------------------------------------------------------------------------------


def check_answered(sheet, keys: Iterable[str]) -> None:
    missing = [key for key in keys if sheet[key] is None]
    assert not missing, f"Answer these questions first: {_names(missing)}."


def check_number(sheet, key: str, expected: float, *, tolerance: float, hint: str) -> None:
    """The answer is within `tolerance` (absolute) of the reference."""
    check_answered(sheet, [key])
    assert abs(sheet[key] - expected) <= tolerance, f"Your answer to {key} is not right yet. {hint}"


def check_choice(sheet, key: str, accepted: Iterable[str], *, hint: str) -> None:
    check_answered(sheet, [key])
    assert sheet[key] in set(accepted), f"Your answer to {key} is not one the evidence supports. {hint}"


def check_selection(sheet, key: str, expected: Iterable[str], *, hint: str) -> None:
    """Exactly the expected options are chosen; the message counts what is wrong, it names nothing."""
    check_answered(sheet, [key])
    chosen, expected = set(sheet[key]), set(expected)
    extra, missing = len(chosen - expected), len(expected - chosen)
    problems = []
    if missing:
        problems.append(f"{missing} missing")
    if extra:
        problems.append(f"{extra} chosen that should not be")
    assert not problems, f"Your answer to {key}: {' and '.join(problems)}. {hint}"
