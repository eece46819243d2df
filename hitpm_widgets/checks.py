"""Checks that workbook test cells call. Each raises AssertionError with a message for the learner.

A message says what is wrong and where to look, never what the right answer is: the reference
answers live in the hidden tests of the source notebook and are passed in from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

#: Figures are binary floats: 7.4 - 7.1 is 0.30000000000000027, so an answer exactly at the stated tolerance
#: would be refused. This share of the reference's size (or of the tolerance's) is far more than rounding
#: can add and far less than any tolerance a workbook states. It never scales with the answer, so an
#: infinite or huge answer cannot widen its own margin.
_ROUNDING_SLACK = 1e-12


def _within_tolerance(answer: float, expected: float, tolerance: float) -> bool:
    """True when `answer` is at most `tolerance` (absolute) from `expected`, the boundary included."""
    slack = _ROUNDING_SLACK * max(abs(expected), tolerance)
    return abs(answer - expected) <= tolerance + slack


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
    assert _within_tolerance(sheet[key], expected, tolerance), f"Your answer to {key} is not right yet. {hint}"


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


# -- risk registers --------------------------------------------------------------------------------


def _check_in_register(register, ids: Iterable[str]) -> list[str]:
    """The ids as a list, once every one of them is in the register."""
    ids = list(ids)
    gone = [risk_id for risk_id in ids if risk_id not in register.ids]
    assert not gone, (
        f"These risks are no longer in your register: {_names(gone)}. Add each one again with the same id "
        "(the case's risks table has its text), then rate it."
    )
    return ids


def check_rated(register, ids: Iterable[str] | None = None) -> None:
    """Every named risk (default: all in the register) has a probability and an impact."""
    ids = _check_in_register(register, register.ids if ids is None else ids)
    missing = [risk_id for risk_id in ids if not register.is_rated(risk_id)]
    assert not missing, (
        f"Rate these risks first, a probability and an impact each (pick the risk, choose both, then "
        f"'Save risk'): {_names(missing)}."
    )


def check_responses_chosen(register, ids: Iterable[str] | None = None) -> None:
    """Every named risk (default: all in the register) has a response strategy."""
    ids = _check_in_register(register, register.ids if ids is None else ids)
    missing = [risk_id for risk_id in ids if register.risk(risk_id).response is None]
    assert not missing, (
        f"Choose a response for these risks (pick the risk, choose the response, then 'Save risk'): "
        f"{_names(missing)}."
    )


def check_bands(register, accepted: Mapping[str, Iterable[str]], topic: str) -> None:
    """Each risk is rated into one of the bands (low, medium, high) the evidence supports."""
    check_rated(register, accepted)
    wrong = [risk_id for risk_id, bands in accepted.items() if register.band(risk_id) not in set(bands)]
    assert not wrong, (
        f"{len(wrong)} of the {len(accepted)} {topic} are rated into a band the case's evidence does not "
        f"support: {_names(wrong)}. Read again the evidence each one cites: how likely is it, as things "
        "stand today, and what would it do to the date, the budget or an inspection (the impact scale)?"
    )


def check_responses(register, accepted: Mapping[str, Iterable[str]], topic: str) -> None:
    """Each risk has one of the response strategies that fit it."""
    check_responses_chosen(register, accepted)
    wrong = [risk_id for risk_id, responses in accepted.items()
             if register.risk(risk_id).response not in set(responses)]
    assert not wrong, (
        f"{len(wrong)} of the {len(accepted)} {topic} have a response that does not fit: {_names(wrong)}. "
        "Ask of each: can its cause be removed (avoid), its probability or impact cut (mitigate), can "
        "someone else really carry it (transfer), is it beyond the project's authority (escalate), or is "
        "it small enough to leave (accept)? An opportunity is exploited, shared, enhanced or accepted."
    )


def check_reserve_matches_register(sheet, key: str, register, *, tolerance: float) -> None:
    """The reserve answered is what the learner's own register gives: minus the sum of its open threats'
    EMVs, or the same net of its open opportunities (both conventions are in use)."""
    check_rated(register)
    check_answered(sheet, [key])
    own = (register.contingency_reserve(), register.contingency_reserve(offset_by_opportunities=True))
    assert any(_within_tolerance(sheet[key], amount, tolerance) for amount in own), (
        f"Your answer to {key} does not match your register: add up the EMVs (probability x monetary "
        "impact) of its open threats and give the total as a positive amount. If you set the opportunity "
        "against it, say so in your memo."
    )


# -- change readiness (ADKAR) ----------------------------------------------------------------------


def check_diagnosed(readiness, units: Iterable[str] | None = None) -> None:
    """Every named unit (default: all) has a diagnosis; "no barrier" counts as one."""
    units = list(readiness.units if units is None else units)
    missing = [unit for unit in units if not readiness.diagnosis(unit).diagnosed]
    assert not missing, (
        f"Diagnose the barrier point of: {_names(missing)} (choose it under 'Your diagnosis'; "
        "'no barrier' is an answer too)."
    )


def check_barrier_points(readiness, expected: Mapping[str, str | None], topic: str) -> None:
    """Each unit's diagnosed barrier point is the one its survey means give."""
    check_diagnosed(readiness, expected)
    wrong = [unit for unit, barrier in expected.items() if readiness.diagnosis(unit).barrier != barrier]
    assert not wrong, (
        f"{len(wrong)} of the {len(expected)} {topic} have a barrier point the survey does not support: "
        f"{_names(wrong)}. The barrier point is the first element, in the order awareness, desire, "
        f"knowledge, ability, reinforcement, whose mean is at or below {readiness.threshold:g} (exactly "
        f"{readiness.threshold:g} is low): not the lowest element, and none when no mean is that low. "
        "Diagnose from the survey's means, not your what-if scores."
    )


# -- RACI chart -------------------------------------------------------------------------------------


def check_raci_valid(chart) -> None:
    """The chart keeps the rules: exactly one A and at least one R per task, no overloaded role."""
    found = chart.problem_list()
    tasks = sorted({problem.task_id for problem in found if problem.task_id is not None})
    roles = [problem.role for problem in found if problem.role is not None]
    problems = []
    if tasks:
        problems.append(f"{len(tasks)} task(s) still break a rule ({_names(tasks)}): each needs exactly "
                        "one A and at least one R")
    if roles:
        problems.append(f"{len(roles)} role(s) are R or A on more than {chart.overload_share:.0%} of the "
                        f"tasks ({_names(roles)})")
    assert not problems, ("; ".join(problems)
                          + ". The chart's Check column and its problem list say what to fix.")


def check_single_accountable(chart, task_ids: Iterable[str]) -> None:
    """Each named task has exactly one A (a slip check: who it is, is judged elsewhere)."""
    wrong = [task for task in task_ids if len(chart.roles_with(task, "A")) != 1]
    assert not wrong, f"Give each of these tasks exactly one Accountable role (A): {_names(wrong)}."


def check_accountable(chart, accepted: Mapping[str, Iterable[str]], topic: str) -> None:
    """Each task's one A is a role the case supports as the owner of its outcome."""
    check_single_accountable(chart, accepted)
    wrong = [task for task, roles in accepted.items() if chart.roles_with(task, "A")[0] not in set(roles)]
    assert not wrong, (
        f"{len(wrong)} of the {len(accepted)} {topic} have an Accountable role the case does not support: "
        f"{_names(wrong)}. Ask who owns the outcome of the task and can sign it off, not who does the work."
    )


# -- conflict and leadership scenarios --------------------------------------------------------------


def check_scenarios_answered(scenarios, parts: Iterable[str],
                             scenario_ids: Iterable[str] | None = None) -> None:
    """Each named scenario (default: all) has the named parts of its answer: mode, readiness, style,
    reason."""
    parts = list(parts)
    ids = list(scenarios.scenario_ids if scenario_ids is None else scenario_ids)
    missing = {}
    for scenario_id in ids:
        answer = scenarios.answer_for(scenario_id)
        lacking = [part for part in parts if getattr(answer, part) is None]
        if lacking:
            missing[scenario_id] = lacking
    assert not missing, "Complete these scenarios first: " + "; ".join(
        f"{scenario_id} (no {' and no '.join(lacking)})" for scenario_id, lacking in missing.items()) + "."


def check_conflict_modes(scenarios, accepted: Mapping[str, Iterable[str]]) -> None:
    """Each scenario's conflict mode is one the stakes, the power and the time support."""
    check_scenarios_answered(scenarios, ["mode"], accepted)
    wrong = [scenario_id for scenario_id, modes in accepted.items()
             if scenarios.answer_for(scenario_id).mode not in set(modes)]
    assert not wrong, (
        f"{len(wrong)} of the {len(accepted)} scenarios have a conflict mode the evidence does not support: "
        f"{_names(wrong)}. Weigh how much each side's concern matters, who holds the power, and how much "
        "time there is."
    )


def check_styles_match_readiness(scenarios, scenario_ids: Iterable[str] | None = None) -> None:
    """Each chosen style answers the readiness chosen for the same scenario (R1-S1 ... R4-S4)."""
    ids = list(scenarios.scenario_ids if scenario_ids is None else scenario_ids)
    check_scenarios_answered(scenarios, ["readiness", "style"], ids)
    wrong = [scenario_id for scenario_id in ids if not scenarios.style_matches_readiness(scenario_id)]
    assert not wrong, (
        f"In {_names(wrong)} the leadership style does not answer the readiness you judged: in situational "
        "leadership each readiness level has its own style."
    )


def check_readiness_levels(scenarios, expected: Mapping[str, str]) -> None:
    """Each person's readiness for the task in hand is the level the evidence supports."""
    check_scenarios_answered(scenarios, ["readiness"], expected)
    wrong = [scenario_id for scenario_id, level in expected.items()
             if scenarios.answer_for(scenario_id).readiness != level]
    assert not wrong, (
        f"{len(wrong)} of the {len(expected)} people are at a readiness the evidence does not support: "
        f"{_names(wrong)}. Judge competence (what they know and can do for this task) and commitment "
        "(what they say and do) separately, from the evidence, not from their title or your hopes."
    )


# -- earned value status reports --------------------------------------------------------------------

#: How each figure of a status report is worked out: what a message may say without giving the value.
REPORT_FIGURES = {
    "cv": "CV = EV − AC (negative when over budget)",
    "sv": "SV = EV − PV (negative when behind schedule)",
    "cpi": "CPI = EV / AC",
    "spi": "SPI = EV / PV",
    "eac": "the EAC of the method you chose",
    "etc": "ETC = EAC − AC",
    "vac": "VAC = BAC − EAC",
    "tcpi_bac": "TCPI = (BAC − EV) / (BAC − AC)",
    "tcpi_eac": "TCPI = (BAC − EV) / (EAC − AC)",
}


def check_status_chosen(report) -> None:
    """The earned value report has a status date."""
    assert report.status_date is not None, (
        "Choose the status date of your report first (in the earned value widget, 'Status date')."
    )


def check_eac_chosen(report) -> None:
    """The earned value report has an EAC method and a one-line reason for it."""
    missing = []
    if report.eac_method is None:
        missing.append("choose the EAC method your forecast uses ('EAC method')")
    if not report.justification:
        missing.append("say in one line why that method fits ('Why this method')")
    assert not missing, "In the earned value widget: " + "; ".join(missing) + "."


def check_status_date(report, month, *, hint: str) -> None:
    """The report's status date is in the expected calendar month (a date in it, e.g. '2025-03')."""
    import pandas as pd

    check_status_chosen(report)
    expected = pd.Timestamp(month)
    chosen = report.status_date
    assert (chosen.year, chosen.month) == (expected.year, expected.month), (
        f"Your report's status date, {chosen:%B %Y}, is not the one this report is made at. {hint}"
    )


def check_eac_method(report, accepted: Iterable[str], *, hint: str) -> None:
    """The report's EAC method is one the evidence supports."""
    check_eac_chosen(report)
    assert report.eac_method in set(accepted), (
        f"The EAC method of your report does not fit the evidence. {hint}"
    )


def check_figures_match_report(sheet, report, tolerances: Mapping[str, float]) -> None:
    """Each answered figure is the report's own at the learner's status date (and EAC method), within its
    absolute tolerance. Keys are the sheet's question keys, named as the report's figures: cv, sv, cpi,
    spi, eac, etc, vac, tcpi_bac, tcpi_eac. A status date marked wrong once is not marked wrong again."""
    unknown = [key for key in tolerances if key not in REPORT_FIGURES]
    if unknown:
        raise KeyError(f"no report figure named {_names(unknown)}; figures: {_names(REPORT_FIGURES)}")
    check_status_chosen(report)
    if any(key in tolerances for key in ("eac", "etc", "vac", "tcpi_eac")):
        check_eac_chosen(report)
    check_answered(sheet, tolerances)
    figures = report.summary()
    wrong = [key for key, tolerance in tolerances.items()
             if figures[key] is None or not _within_tolerance(sheet[key], figures[key], tolerance)]
    assert not wrong, (
        f"Your answer to {_names(wrong)} does not match your report at its status date "
        f"({report.status_date:%B %Y}): " + "; ".join(REPORT_FIGURES[key] for key in wrong)
        + ". Give amounts in US dollars and ratios to at least two decimals."
    )
