"""ps06-operations-systems: patient access, staffing and the plant floor in one answer sheet, a written review."""

import nbformat
import pandas as pd
import pytest

from hitpm_widgets import QuestionSheet, load_case
from hitpm_widgets.manufacturing import batch_review, oee
from hitpm_widgets.patient_access import activation_rate, bookings_to_fill, chance_over_capacity, no_show_rate
from hitpm_widgets.staffing import average_daily_census, fte_needed, hppd, share_over_guideline

from ...conftest import FIXTURES, REPO
from ..course import read_json
from . import spec
from .spec import Workbook, check_answer_sheet_release, check_told_what_to_answer, error_messages, write_cells

ASSIGNMENT = "ps06-operations-systems"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE = REPO / "workbooks" / ASSIGNMENT / NOTEBOOK
EXERCISE = "ps06-answers"
REFERENCE = read_json(FIXTURES / "ps06_reference.json")
ANSWERS, TOLERANCES, PARTLY = REFERENCE["answers"], REFERENCE["tolerances"], REFERENCE["partly_wrong"]
# The questions each test cell grades: a cell scores only when all of its questions are right.
CELL_QUESTIONS = {
    "ps06-test-no-shows": ["ortho_no_show_pct"],
    "ps06-test-bookings": ["ortho_bookings"],
    "ps06-test-overflow": ["ortho_overflow_pct"],
    "ps06-test-portal": ["below_goal_clinics"],
    "ps06-test-hppd": ["hppd_5east"],
    "ps06-test-fte": ["fte_5east"],
    "ps06-test-ratios": ["icu_night_over_pct"],
    "ps06-test-oee": ["oee_line2_july_pct"],
    "ps06-test-batches": ["rft_ebr_pct", "review_days_ebr_median"],
    "ps06-test-ei-first": ["ei_moment_1", "ei_moment_2"],
    "ps06-test-ei-second": ["ei_moment_3", "ei_moment_4"],
}
MANUAL = {"ps06-answer-review": 5}
# The EI questions take one component; the fixture lists the components the hidden tests accept.
CHOICES = {key for key, value in ANSWERS.items() if key.startswith("ei_moment_")}


def the_cases():
    return {"manager_case": load_case("middle-manager"), "pharma_case": load_case("pharma-ctms")}


def sheet_questions(notebook_path):
    return spec.sheet_questions(notebook_path, "ps06-widget-answers", the_cases())


def right_answers():
    """The fixture's answers as a learner gives them: one component for each EI moment."""
    return {key: value[0] if key in CHOICES else value for key, value in ANSWERS.items()}


def answer(folder, partly_wrong):
    """What a learner does in the form: only the sheet's answer file changes, no code cell.

    The partly wrong learner rounds every figure (within the tolerances, so it costs nothing) and makes two
    mistakes (see the fixture's partly_wrong.about): the FTEs at the HPPD worked, and moment 4 as motivation.
    """
    answers = PARTLY["answers"] if partly_wrong else right_answers()
    exercise_id, questions = sheet_questions(folder / NOTEBOOK)
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        sheet = QuestionSheet(exercise_id, questions, directory=folder)
        for key, value in answers.items():
            sheet.answer(key, value)


def write(notebook_path):
    write_cells(notebook_path, {
        "ps06-answer-review": "**Clinics.** Orthopedics and behavioral health are below the goal; book 17.",
    })


def check_release(released, text):
    for secret in (
        # the reference answers, as the hidden tests and the model answer spell them
        # (whole numbers such as 18 bookings are too common in any text to search for)
        *(repr(ANSWERS[key]) for key in ANSWERS if not isinstance(ANSWERS[key], int)),
        "52.8 %", "44 productive FTEs", "Line 1's 76.1 %",
    ):
        assert secret not in text, secret
    check_answer_sheet_release(released, text, SPEC.points, MANUAL)
    assert sum(SPEC.points.values()) == 11 and sum(MANUAL.values()) == 5
    # The sheet the learners get asks exactly the fixture's questions.
    exercise_id, questions = sheet_questions(released)
    assert exercise_id == EXERCISE
    assert [question["key"] for question in questions] == list(ANSWERS)


def check_graded(course):
    check_told_what_to_answer(course, ASSIGNMENT, CELL_QUESTIONS)

    # The messages say what is wrong without giving the answer.
    messages = error_messages(course, ASSIGNMENT, "partly")
    assert set(messages) == SPEC.partly_lost

    fte = messages["ps06-test-fte"]
    assert fte.startswith("Your answer to fte_5east is not right yet.")
    assert not [figure for figure in (str(ANSWERS["fte_5east"]), "44", "8.4") if figure in fte]

    moment = messages["ps06-test-ei-second"]
    assert moment.startswith("Your answer to ei_moment_4 is not one the evidence supports.")
    components = ["self-awareness", "self-regulation", "motivation", "empathy", "social skill"]
    assert not [component for component in components if component in moment]


# -- the reference answers: what the kit computes from the cases, and what the hidden tests hold -----------


def accepted(key, value) -> bool:
    """What the hidden tests accept: a number within its tolerance, a listed choice, or exactly the options."""
    if key in TOLERANCES:
        return abs(value - ANSWERS[key]) <= TOLERANCES[key]
    if key in CHOICES:
        return value in ANSWERS[key]
    return set(value) == set(ANSWERS[key])


def the_hidden_tests_hold_the_fixtures_answers_and_tolerances(_tmp_path):
    assert spec.hidden_references(SOURCE, ("check_number", "check_selection", "check_choice")) == {
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
    for key in ("ortho_no_show_pct", "ortho_overflow_pct", "hppd_5east", "oee_line2_july_pct"):
        assert PARTLY["answers"][key] != ANSWERS[key] and accepted(key, PARTLY["answers"][key]), key


def the_reference_answers_are_what_the_kit_computes_from_the_cases(_tmp_path):
    cases = the_cases()
    hospital, pharma = cases["manager_case"], cases["pharma_case"]
    also = REFERENCE["also_computed"]
    slots, booked = REFERENCE["session_slots"], REFERENCE["overflow_booked"]

    appointments = hospital.appointments_weekly
    ortho = appointments[appointments["clinic"] == "Orthopedics clinic"]
    with_reminders = ortho["week_start"] >= pd.Timestamp(REFERENCE["reminders_from"])
    assert (ortho["reminders_on"] == with_reminders).all()
    p, before = no_show_rate(ortho[with_reminders], by=None), no_show_rate(ortho[~with_reminders], by=None)
    assert round(100 * p, 1) == ANSWERS["ortho_no_show_pct"]
    assert round(100 * before, 1) == also["ortho_no_show_before_pct"]
    assert not accepted("ortho_no_show_pct", 100 * before)
    assert not accepted("ortho_no_show_pct", 100 * no_show_rate(ortho, by=None))  # all weeks pooled
    assert bookings_to_fill(slots, p) == ANSWERS["ortho_bookings"]
    assert bookings_to_fill(slots, before) == also["ortho_bookings_at_the_rate_before"]
    assert not accepted("ortho_bookings", also["ortho_bookings_at_the_rate_before"])
    assert round(100 * chance_over_capacity(booked, slots, p), 1) == ANSWERS["ortho_overflow_pct"]
    at_least = round(100 * chance_over_capacity(booked, slots - 1, p), 1)
    assert at_least == also["ortho_overflow_17_at_least_16_pct"] and not accepted("ortho_overflow_pct", at_least)
    assert not accepted("ortho_overflow_pct", 100 * chance_over_capacity(booked, slots, before))

    portal = hospital.portal_monthly
    december = activation_rate(portal[portal["month"] == "2025-12-01"])
    assert set(december.index[december < 0.5]) == set(ANSWERS["below_goal_clinics"])
    every_month = activation_rate(portal)
    assert set(every_month.index[every_month < 0.5]) == set(also["activation_all_months_below_goal"])

    staffing = hospital.nurse_staffing
    east = staffing[staffing["unit"] == "5 East surgical"]
    live = east["period_start"] >= pd.Timestamp(REFERENCE["shiftbridge_live"])
    worked = hppd(east[live], by=None)
    assert round(worked, 2) == ANSWERS["hppd_5east"]
    assert round(hppd(east[~live], by=None), 2) == also["hppd_5east_before"]
    assert not accepted("hppd_5east", hppd(east, by=None))  # every period, not only those since go-live
    census = average_daily_census(east[live], by=None)
    hours = REFERENCE["productive_hours_per_fte"]
    assert round(fte_needed(east["budgeted_hppd"].iloc[0], census, hours), 1) == ANSWERS["fte_5east"]
    at_worked = fte_needed(worked, census, hours)
    assert round(at_worked, 1) == also["fte_5east_at_worked_hppd"] and not accepted("fte_5east", at_worked)
    assert not accepted("fte_5east", fte_needed(east["budgeted_hppd"].iloc[0], census, 2080))  # paid, not worked

    guidelines = {"4 West medical": 5, "5 East surgical": 5, "ICU": 2}
    over = share_over_guideline(hospital.shift_staffing, guidelines)
    assert round(100 * over["ICU", "night"], 1) == ANSWERS["icu_night_over_pct"]
    icu = share_over_guideline(hospital.shift_staffing, guidelines, by="unit")["ICU"]
    assert round(100 * icu, 1) == also["icu_all_shifts_over_pct"] and not accepted("icu_night_over_pct", 100 * icu)

    weeks = pharma.line_weeks
    july = weeks[(weeks["line"] == "Line 2") & (weeks["week_start"].dt.month == 7)]
    assert len(july) == 4
    assert round(100 * oee(july, by=None)["oee"], 1) == ANSWERS["oee_line2_july_pct"]
    reviewed = batch_review(pharma.batches)
    electronic = reviewed[reviewed["batch_record"] == "electronic"]
    assert set(electronic["line"]) == {"Line 2"}
    assert round(100 * electronic["right_first_time"].mean(), 1) == ANSWERS["rft_ebr_pct"]
    assert electronic["review_days"].median() == ANSWERS["review_days_ebr_median"]
    mean = round(electronic["review_days"].mean(), 1)
    assert mean == also["review_days_ebr_mean"] and not accepted("review_days_ebr_median", mean)
    all_electronic = pharma.batches[pharma.batches["batch_record"] == "electronic"]
    counting_in_review = 100 * electronic["right_first_time"].sum() / len(all_electronic)
    assert round(counting_in_review, 1) == also["rft_ebr_counting_in_review_pct"]
    assert not accepted("rft_ebr_pct", counting_in_review)


def the_ei_moments_are_in_the_narrative_as_the_workbook_quotes_them(_tmp_path):
    narrative = load_case("middle-manager").narrative
    workbook = "\n".join(cell.source for cell in nbformat.read(SOURCE, as_version=4).cells)
    for number, phrase in ((1, "saved it as a draft"), (2, "ask what a fair"), (3, "float-pool rule all three signed"),
                           (4, "That was\n   about me")):
        assert f"**Moment {number}.**" in narrative
        assert " ".join(phrase.split()) in " ".join(workbook.split()), number
        assert " ".join(phrase.split()) in " ".join(narrative.split()), number


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points=dict.fromkeys(CELL_QUESTIONS, 1),
    manual=MANUAL,
    answer_files=(EXERCISE,),
    answer=answer,
    write=write,
    partly_lost=frozenset(PARTLY["lost"]),
    partly_total=9,
    secrets=(
        # the instructors' model answer, the calls that hold or compute the references
        "check_number(", "check_selection(", "check_choice(", "bookings_to_fill(", "fte_needed(", "batch_review(",
    ),
    check_release=check_release,
    check_graded=check_graded,
    check_references=(the_hidden_tests_hold_the_fixtures_answers_and_tolerances,
                      the_partly_wrong_answers_fail_exactly_the_cells_the_design_says,
                      the_reference_answers_are_what_the_kit_computes_from_the_cases,
                      the_ei_moments_are_in_the_narrative_as_the_workbook_quotes_them),
)
