"""ps05-capstone: the go-live readiness review, figures in the answer sheet and three written parts."""

from math import erf, sqrt

import pytest

from hitpm_widgets import (
    EarnedValueSeries,
    QuestionSheet,
    ScheduleRisk,
    TraceabilityMatrix,
    load_case,
    unit_scores,
)
from hitpm_widgets.change_readiness import _barrier_point as barrier_point  # private since issue 19

from ...conftest import FIXTURES, REPO
from ..course import read_json
from . import spec
from .spec import Workbook, check_answer_sheet_release, check_told_what_to_answer, error_messages, write_cells

ASSIGNMENT = "ps05-capstone"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE = REPO / "workbooks" / ASSIGNMENT / NOTEBOOK
EXERCISE = "ps05-answers"
REFERENCE = read_json(FIXTURES / "ps05_reference.json")
ANSWERS, TOLERANCES, PARTLY = REFERENCE["answers"], REFERENCE["tolerances"], REFERENCE["partly_wrong"]
# The questions each test cell grades: a cell scores only when all of its questions are right.
CELL_QUESTIONS = {
    "ps05-test-indices": ["cpi", "spi"],
    "ps05-test-eac": ["eac"],
    "ps05-test-fallback-chance": ["fallback_chance_pct"],
    "ps05-test-validation-gaps": ["verified_gxp_count", "failed_gxp"],
    "ps05-test-low-ability": ["low_ability_units"],
    "ps05-test-training": ["trained_5east_pct"],
}
MANUAL = {"ps05-answer-scorecard": 5, "ps05-answer-risks": 4, "ps05-answer-decision": 5}


def the_cases():
    return {"ctms_case": load_case("pharma-ctms"), "emr_case": load_case("emr-rollout"),
            "manager_case": load_case("middle-manager")}


def sheet_questions(notebook_path):
    return spec.sheet_questions(notebook_path, "ps05-widget-answers", the_cases())


def answer(folder, partly_wrong):
    """What a learner does in the form: only the sheet's answer file changes, no code cell.

    The partly wrong learner rounds every figure (within the tolerances, so it costs nothing) and makes two
    mistakes (see the fixture's partly_wrong.about): the EAC by AC + (BAC - EV), and the low-ability areas
    taken as the areas whose barrier point is ability.
    """
    answers = PARTLY["answers"] if partly_wrong else ANSWERS
    exercise_id, questions = sheet_questions(folder / NOTEBOOK)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        sheet = QuestionSheet(exercise_id, questions, directory=folder)
        for key, value in answers.items():
            sheet.answer(key, value)


def write(notebook_path):
    write_cells(notebook_path, {
        "ps05-answer-scorecard": "| dimension | rating |\n| --- | --- |\n| Data | not ready (E11, PQ-004) |",
        "ps05-answer-risks": "1. Vendor fixes late (OQ-006): mitigate; Lena Vasquez-Holt; by 5 September.",
        "ps05-answer-decision": "**Conditional go** for a release by 8 October; go / no-go on 3 October.",
    })


def check_release(released, text):
    for secret in (repr(ANSWERS["cpi"]), repr(ANSWERS["eac"]), "2,925,840", "2.93 million",
                   repr(ANSWERS["fallback_chance_pct"]), repr(ANSWERS["trained_5east_pct"]),
                   repr(ANSWERS["failed_gxp"]), "URS-032", repr(ANSWERS["low_ability_units"])):
        assert secret not in text, secret
    check_answer_sheet_release(released, text, SPEC.points, MANUAL)
    assert sum(SPEC.points.values()) == 7 and sum(MANUAL.values()) == 14
    # The sheet the learners get asks exactly the fixture's questions.
    exercise_id, questions = sheet_questions(released)
    assert exercise_id == EXERCISE
    assert [question["key"] for question in questions] == list(ANSWERS)


def check_graded(course):
    check_told_what_to_answer(course, ASSIGNMENT, CELL_QUESTIONS)

    # The messages say what is wrong without giving the answer.
    messages = error_messages(course, ASSIGNMENT, "partly")
    assert set(messages) == SPEC.partly_lost
    eac = messages["ps05-test-eac"]
    assert eac.startswith("Your answer to eac is not right yet.")
    figures = [f"{ANSWERS['eac']:,}", str(ANSWERS["eac"]), f"{ANSWERS['cpi']}", "2.9"]
    assert not [figure for figure in figures if figure in eac]

    ability = messages["ps05-test-low-ability"]
    assert ability.startswith("Your answer to low_ability_units: 3 missing.")
    areas = load_case("middle-manager").readiness_survey["unit"].cat.categories
    assert not [area for area in areas if area in ability]


# -- the reference answers: what the kit computes from the cases, and what the hidden tests hold -----------


def accepted(key, value) -> bool:
    """What the hidden tests accept: a number within its tolerance, or exactly the reference options."""
    if key in TOLERANCES:
        return abs(value - ANSWERS[key]) <= TOLERANCES[key]
    return set(value) == set(ANSWERS[key])


def the_hidden_tests_hold_the_fixtures_answers_and_tolerances(_tmp_path):
    assert spec.hidden_references(SOURCE, ("check_number", "check_selection")) == {
        cell: {key: (ANSWERS[key], TOLERANCES.get(key)) for key in keys}
        for cell, keys in CELL_QUESTIONS.items()
    }


def the_partly_wrong_answers_fail_exactly_the_cells_the_design_says(_tmp_path):
    assert list(PARTLY["answers"]) == list(ANSWERS)
    lost = {cell for cell, keys in CELL_QUESTIONS.items()
            if not all(accepted(key, PARTLY["answers"][key]) for key in keys)}
    assert lost == SPEC.partly_lost
    assert sum(points for cell, points in SPEC.points.items() if cell not in lost) == SPEC.partly_total
    # The rounded figures differ from the references and are accepted: the tolerances are really exercised.
    for key in ("cpi", "fallback_chance_pct", "trained_5east_pct"):
        assert PARTLY["answers"][key] != ANSWERS[key] and accepted(key, PARTLY["answers"][key]), key


def the_reference_answers_are_what_the_kit_computes_from_the_cases(_tmp_path):
    cases = the_cases()
    ctms, manager = cases["ctms_case"], cases["manager_case"]
    july = EarnedValueSeries(ctms.evm_monthly, bac=REFERENCE["bac"]).latest
    assert f"{july.status_date:%Y-%m}" == REFERENCE["status_month"]
    assert abs(july.cpi - ANSWERS["cpi"]) < 0.0005 and abs(july.spi - ANSWERS["spi"]) < 0.0005
    assert round(july.eac_cpi) == ANSWERS["eac"]
    also = REFERENCE["also_computed"]
    assert (round(july.eac_atypical), round(july.eac_cpi_spi)) == (also["eac_atypical"], also["eac_cpi_spi"])
    # A CPI rounded to two decimals gives an EAC the tolerance accepts; the other two EAC formulas do not.
    assert accepted("eac", REFERENCE["bac"] / round(july.cpi, 2))
    assert not accepted("eac", also["eac_atypical"]) and not accepted("eac", also["eac_cpi_spi"])

    settings = REFERENCE["schedule"]
    schedule = ScheduleRisk(None, ctms.schedule, deadline_days=settings["deadline_days"],
                            iterations=settings["iterations"])
    assert round(100 * schedule.probability_of_meeting_deadline(), 1) == also["release_chance_pct"]
    assert round(100 * schedule.result.probability_by(settings["fallback_days"]), 1) == \
        ANSWERS["fallback_chance_pct"]
    # The chance of the planned date, 26 September, is not the fallback's.
    assert not accepted("fallback_chance_pct", also["release_chance_pct"])
    path = schedule.critical_path()
    z = (settings["fallback_days"] - path.expected_duration) / path.sd
    critical_path_chance = round(100 * 0.5 * (1 + erf(z / sqrt(2))), 1)
    assert critical_path_chance == also["critical_path_chance_pct"]
    assert not accepted("fallback_chance_pct", critical_path_chance)  # merge bias is more than the tolerance

    trace = TraceabilityMatrix(ctms.requirements, ctms.test_scripts)
    status = trace.requirement_status()
    gxp = status.loc[status["gxp_critical"], "status"]
    assert (gxp == "verified").sum() == ANSWERS["verified_gxp_count"]
    assert list(gxp.index[gxp == "failed"]) == ANSWERS["failed_gxp"]
    # Counting every verified requirement, not only the GxP-critical ones, is not accepted.
    assert not accepted("verified_gxp_count", (status["status"] == "verified").sum())
    # The failed GxP-critical requirements are not the blocking tests ps02 asks for, nor their count.
    assert set(ANSWERS["failed_gxp"]).isdisjoint(trace.blocking_failures()["test_id"])

    means = unit_scores(manager.readiness_survey)
    assert set(means.index[means["ability"] < 3.0]) == set(ANSWERS["low_ability_units"])
    barriers = barrier_point(means)
    assert set(barriers.index[barriers == "ability"]) == set(also["ability_barrier_units"])
    assert not accepted("low_ability_units", also["ability_barrier_units"])
    training = manager.training_attendance
    east = training[training["unit"] == "5 East surgical"]
    assert round(100 * east["completed_on"].notna().mean(), 1) == ANSWERS["trained_5east_pct"]
    sessions = 100 * east["sessions_attended"].sum() / east["sessions_required"].sum()
    assert round(sessions, 1) == also["trained_5east_sessions_pct"]
    assert not accepted("trained_5east_pct", sessions)  # the question counts people, not sessions


def no_graded_answer_repeats_another_workbooks(_tmp_path):
    """ps05 grades its own findings: none of its references is an answer ps02 or ps03 grades."""
    ps02 = read_json(FIXTURES / "ps02_reference.json")
    ps03_case = read_json(FIXTURES / "middle_manager_reference.json")
    others = [ps02["untested_gxp"], ps02["blocking_failures"], ps02["schedule"]["chance_deadline_pct"],
              ps02["schedule"]["p80_days"], len(ps02["untested_gxp"]),
              sorted(unit for unit, barrier in ps03_case["barrier_points"].items() if barrier == "knowledge"),
              ps03_case["stalled_departments"]]
    for value in ANSWERS.values():
        assert (sorted(value) if isinstance(value, list) else value) not in [
            sorted(other) if isinstance(other, list) else other for other in others], value


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points={
        "ps05-test-indices": 1,
        "ps05-test-eac": 1,
        "ps05-test-fallback-chance": 1,
        "ps05-test-validation-gaps": 2,
        "ps05-test-low-ability": 1,
        "ps05-test-training": 1,
    },
    manual=MANUAL,
    answer_files=(EXERCISE,),
    answer=answer,
    write=write,
    partly_lost=frozenset(PARTLY["lost"]),
    partly_total=5,
    secrets=(
        # the instructors' model answers, the calls that hold or compute the references
        "check_number(", "check_selection(", "eac_cpi", "requirement_status()", "probability_by(160)",
    ),
    check_release=check_release,
    check_graded=check_graded,
    check_references=(the_hidden_tests_hold_the_fixtures_answers_and_tolerances,
                      the_partly_wrong_answers_fail_exactly_the_cells_the_design_says,
                      the_reference_answers_are_what_the_kit_computes_from_the_cases,
                      no_graded_answer_repeats_another_workbooks),
)
