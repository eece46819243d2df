"""ps06-operations-systems: the clinics, video visits, staffing, supply rooms and the plant floor in one answer
sheet, and a written review. Every reference comes from the workbook's answer key."""

import ast
import functools
import math

import nbformat
import pandas as pd

from hitpm_widgets import load_case
from hitpm_widgets.manufacturing import batch_review, oee
from hitpm_widgets.patient_access import (
    activation_rate,
    arrivals_distribution,
    bookings_to_fill,
    expected_idle_slots,
    no_show_rate,
    video_failure_rate,
)
from hitpm_widgets.staffing import average_daily_census, fte_needed, hppd, shifts_over_guideline
from hitpm_widgets.supply_chain import inventory_measures

from ...conftest import REPO
from . import spec
from .spec import Workbook, check_answer_sheet_release, check_told_what_to_answer, error_messages, write_cells

ASSIGNMENT = "ps06-operations-systems"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE = REPO / "workbooks" / ASSIGNMENT / NOTEBOOK
KEY = spec.answer_key(ASSIGNMENT)
EXERCISE = "ps06-answers"
# The questions each test cell grades: a cell scores only when all of its questions are right.
CELL_QUESTIONS = {
    "ps06-test-reminders": ["reminder_effect_pts"],
    "ps06-test-bookings": ["ortho_bookings"],
    "ps06-test-portal": ["portal_accounts_short"],
    "ps06-test-video": ["video_excess_failures"],
    "ps06-test-licensure": ["licensure_decision"],
    "ps06-test-hours": ["hours_over_budget_5east"],
    "ps06-test-agency": ["agency_fte_5east"],
    "ps06-test-ratios": ["night_rns_short"],
    "ps06-test-days-on-hand": ["icu_days_on_hand"],
    "ps06-test-restock": ["restock_first_items"],
    "ps06-test-oee": ["oee_gap_july_pts", "oee_gap_factor"],
    "ps06-test-batches": ["review_time_ratio_pct", "rft_gain_pts"],
    "ps06-test-ei-first": ["ei_moment_1", "ei_moment_2"],
    "ps06-test-ei-second": ["ei_moment_3", "ei_moment_4"],
}
# The partly wrong learner's two mistakes, each losing exactly one cell (see partly_wrong_answers).
PARTLY_LOST = frozenset({"ps06-test-agency", "ps06-test-ei-second"})


def the_cases():
    return {"manager_case": load_case("middle-manager"), "pharma_case": load_case("pharma-ctms")}


@functools.cache
def key_answers() -> dict:
    """The key's numbers and lists on the published case (computed once)."""
    return KEY.answers(load_case(KEY.CASE))


def reference():
    """The key's numbers and lists, and the first accepted choice of each judgement, in the sheet's order."""
    found = {**key_answers(), **{key: KEY.ACCEPTED[key][0] for key in KEY.ACCEPTED}}
    return {key: found[key] for keys in CELL_QUESTIONS.values() for key in keys}


def partly_wrong_answers():
    """Every figure rounded as a learner quotes it (within the tolerances, so it costs nothing), and two
    mistakes: the agency FTEs with the 2,080 paid hours of a full-time post instead of 1,872 productive hours,
    and moment 4 read as motivation instead of self-awareness."""
    answers = reference()
    for key, tolerance in KEY.TOLERANCES.items():
        answers[key] = round(answers[key]) if tolerance >= 0.5 or isinstance(answers[key], int) \
            else round(answers[key], 1)
    answers["agency_fte_5east"] = round(answers["agency_fte_5east"] * 1872 / 2080, 2)
    answers["ei_moment_4"] = "motivation"
    return answers


def sheet_questions(notebook_path):
    return spec.sheet_questions(notebook_path, "ps06-widget-answers", the_cases())


def answer(folder, partly_wrong):
    """What a learner does in the form: only the sheet's answer file changes, no code cell."""
    answers = partly_wrong_answers() if partly_wrong else reference()
    spec.fill_answer_sheet(folder, *sheet_questions(folder / NOTEBOOK), answers)


def write(notebook_path):
    write_cells(notebook_path, {
        "ps06-answer-review": "**Clinics.** Orthopedics and behavioral health are below the goal; book 17.",
    })


def check_release(released, text):
    spec.check_no_reference_shown(text, key_answers())
    check_answer_sheet_release(released, text, SPEC.points, SPEC.manual)
    exercise_id, questions = sheet_questions(released)
    assert exercise_id == EXERCISE
    assert [question["key"] for question in questions] == list(reference())


def check_graded(course):
    check_told_what_to_answer(course, ASSIGNMENT, CELL_QUESTIONS)

    # The messages say what is wrong without giving the answer.
    messages = error_messages(course, ASSIGNMENT, "partly")
    assert set(messages) == SPEC.partly_lost

    agency = messages["ps06-test-agency"]
    assert agency.startswith("Your answer to agency_fte_5east is not right yet.")
    right = reference()["agency_fte_5east"]
    assert not [figure for figure in (str(right), f"{right:.1f}") if figure in agency]

    moment = messages["ps06-test-ei-second"]
    assert moment.startswith("Your answer to ei_moment_4 is not one the evidence supports.")
    components = ["self-awareness", "self-regulation", "motivation", "empathy", "social skill"]
    assert not [component for component in components if component in moment]


# -- the references: the key's own computation, the notebook's use of it, the kit's tools agreeing ---------


def accepted(key, value) -> bool:
    """What the hidden tests accept (spec.accepted_by), on the published case."""
    return spec.accepted_by(KEY, key_answers(), key, value)


def the_hidden_tests_take_every_reference_from_the_answer_key(_tmp_path):
    notebook = nbformat.read(SOURCE, as_version=4)
    assert spec.graded_code_cells(SOURCE) == KEY.POINTS
    assert spec.manual_cells(SOURCE) == KEY.MANUAL
    assert list(KEY.POINTS) == list(CELL_QUESTIONS)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in KEY.POINTS:
            continue
        calls = [node for node in ast.walk(ast.parse(cell.source))
                 if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith("check_")
                 and node.func.id != "check_answered"]
        assert sorted(ast.literal_eval(call.args[1]) for call in calls) == sorted(CELL_QUESTIONS[grade_id])
        for call in calls:
            # the reference and the tolerance are read from the key, never written in the notebook
            key = ast.literal_eval(call.args[1])
            keywords = {keyword.arg: ast.unparse(keyword.value) for keyword in call.keywords}
            if call.func.id == "check_choice":
                assert ast.unparse(call.args[2]) == f"answer_key.ACCEPTED['{key}']", grade_id
            else:
                assert "reference = answer_key.answers(manager_case)" in cell.source, grade_id
                assert ast.unparse(call.args[2]) == f"reference['{key}']", grade_id
            if call.func.id == "check_number":
                assert keywords["tolerance"] == f"answer_key.TOLERANCES['{key}']", grade_id
    # The sheet's choices are the key's options.
    questions = {question["key"]: question for question in sheet_questions(SOURCE)[1]}
    assert questions["licensure_decision"]["options"] == KEY.LICENSURE_OPTIONS
    assert questions["oee_gap_factor"]["options"] == KEY.OEE_FACTORS
    assert set(key_answers()) | set(KEY.ACCEPTED) == set(questions)


def the_partly_wrong_answers_fail_exactly_the_cells_the_design_says(_tmp_path):
    partly, right = partly_wrong_answers(), reference()
    lost = {cell for cell, keys in CELL_QUESTIONS.items() if not all(accepted(key, partly[key]) for key in keys)}
    assert lost == SPEC.partly_lost
    assert sum(points for cell, points in SPEC.points.items() if cell not in lost) == SPEC.partly_total
    # Rounded figures that differ from the references and are accepted: the tolerances are really exercised.
    rounded = [key for key in KEY.TOLERANCES if partly[key] != right[key] and accepted(key, partly[key])]
    assert len(rounded) >= 4, rounded


def the_key_agrees_with_the_kits_tools_and_refuses_the_usual_mistakes(_tmp_path):
    """Two independent computations (the key's pandas, the kit's measures) agree on the published case; the
    mistakes the teaching note names fall outside the tolerances."""
    hospital, pharma = load_case("middle-manager"), load_case("pharma-ctms")
    answers = KEY.answers(hospital)

    appointments = hospital.appointments_weekly
    after = appointments["week_start"] >= pd.Timestamp(KEY.REMINDERS_FROM)
    rates = no_show_rate(appointments[after]) - no_show_rate(appointments[~after])
    effect = 100 * (rates["Orthopedics clinic"] - rates["Women's health"])
    assert accepted("reminder_effect_pts", effect)
    assert not accepted("reminder_effect_pts", 100 * rates["Orthopedics clinic"])  # no comparison clinic

    ortho = appointments[(appointments["clinic"] == "Orthopedics clinic") & after]
    p = no_show_rate(ortho, by=None)

    def cost(booked):
        distribution = arrivals_distribution(booked, p)
        beyond = float(((distribution.index.to_numpy() - 16).clip(min=0) * distribution.to_numpy()).sum())
        return expected_idle_slots(booked, 16, p) + 2 * beyond

    assert min(KEY.BOOKING_CHOICES, key=cost) == answers["ortho_bookings"]
    assert not accepted("ortho_bookings", bookings_to_fill(16, p))  # filling the slots on average is not the cost

    portal = hospital.portal_monthly
    december = portal[portal["month"] == "2025-12-01"].set_index("clinic")
    below = activation_rate(december.reset_index()) < 0.5
    short = (december["patients_seen"] / 2).map(math.ceil) - december["active_accounts"]
    assert accepted("portal_accounts_short", int(short[below[short.index].to_numpy()].sum()))
    assert not accepted("portal_accounts_short", int(short.sum()))  # the clinics above the goal count against

    video = hospital.telehealth_monthly
    september = video["month"] == pd.Timestamp(KEY.UPGRADE_MONTH)
    excess = video.loc[september, "video_failed"].sum() \
        - video_failure_rate(video[~september], by=None) * video.loc[september, "video_visits"].sum()
    assert accepted("video_excess_failures", excess)
    overall = video.loc[september, "video_failed"].sum() \
        - video_failure_rate(video, by=None) * video.loc[september, "video_visits"].sum()
    assert not accepted("video_excess_failures", overall)  # September in its own baseline

    staffing = hospital.nurse_staffing
    east = staffing[staffing["unit"] == "5 East surgical"]
    live = east["period_start"] >= pd.Timestamp(KEY.SHIFTBRIDGE_LIVE)
    budget = east["budgeted_hppd"].iloc[0]
    over = (hppd(east[live], by=None) - budget) * east.loc[live, "patient_days"].sum()
    assert accepted("hours_over_budget_5east", over)
    assert not accepted("hours_over_budget_5east", (hppd(east, by=None) - budget) * east["patient_days"].sum())
    census = average_daily_census(east[live], by=None)
    agency = fte_needed(east.loc[live, "agency_hours"].sum() / east.loc[live, "patient_days"].sum(), census)
    assert accepted("agency_fte_5east", agency)
    assert not accepted("agency_fte_5east", fte_needed(
        east.loc[live, "agency_hours"].sum() / east.loc[live, "patient_days"].sum(), census, 2080))

    marked = shifts_over_guideline(hospital.shift_staffing, KEY.GIVEN["patients_per_rn"])
    nights = marked[marked["unit"].isin(KEY.NIGHT_UNITS) & (marked["shift"] == "night")]
    lacking = (nights["patients"] / nights["guideline"]).map(math.ceil) - nights["rns_on_shift"]
    assert accepted("night_rns_short", int(lacking.clip(lower=0).sum()))
    assert not accepted("night_rns_short", int(nights.loc[nights["unit"] == "ICU", "over_guideline"].sum()))

    items = inventory_measures(hospital.supply_items)
    icu = items[items["department"] == "ICU"]
    assert accepted("icu_days_on_hand", 365 * (icu["annual_usage_cost"] / icu["turns"]).sum()
                    / icu["annual_usage_cost"].sum())
    assert not accepted("icu_days_on_hand", icu["days_on_hand"].median())  # the median of the items' figures
    assert not accepted("icu_days_on_hand", icu["days_on_hand"].mean())
    assert set(answers["restock_first_items"]) < set(items.loc[items["below_par"], "item_id"])  # not below par
    assert not accepted("restock_first_items", list(items.loc[items["below_par"], "item_id"]))

    weeks = pharma.line_weeks
    july = oee(weeks[weeks["week_start"].dt.month == 7], by="line")
    assert accepted("oee_gap_july_pts", 100 * (july.loc["Line 2", "oee"] - july.loc["Line 1", "oee"]))
    gap = july.loc["Line 2", KEY.OEE_FACTORS] - july.loc["Line 1", KEY.OEE_FACTORS]
    assert gap.idxmin() in KEY.ACCEPTED["oee_gap_factor"]
    reviewed = batch_review(pharma.batches)
    line_2 = reviewed[reviewed["line"] == "Line 2"].groupby("batch_record", observed=True)
    median, rft = line_2["review_days"].median(), line_2["right_first_time"].mean()
    assert accepted("review_time_ratio_pct", 100 * median["electronic"] / median["paper"])
    assert accepted("rft_gain_pts", 100 * (rft["electronic"] - rft["paper"]))
    paper_1 = reviewed[(reviewed["line"] == "Line 1") & (reviewed["batch_record"] == "paper")]["review_days"]
    assert not accepted("review_time_ratio_pct", 100 * median["electronic"] / paper_1.median())  # the other line
    means = line_2["review_days"].mean()
    assert not accepted("review_time_ratio_pct", 100 * means["electronic"] / means["paper"])


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
    points=KEY.POINTS,
    manual=KEY.MANUAL,
    answer_files=(EXERCISE,),
    answer=answer,
    write=write,
    partly_lost=PARTLY_LOST,
    partly_total=sum(KEY.POINTS.values()) - len(PARTLY_LOST),
    secrets=(
        # the instructors' model answer, the calls that hold or compute the references
        "check_number(", "check_selection(", "check_choice(", "expected_cost(", "import answer_key",
    ),
    check_release=check_release,
    check_graded=check_graded,
    check_references=(the_hidden_tests_take_every_reference_from_the_answer_key,
                      the_partly_wrong_answers_fail_exactly_the_cells_the_design_says,
                      the_key_agrees_with_the_kits_tools_and_refuses_the_usual_mistakes,
                      the_ei_moments_are_in_the_narrative_as_the_workbook_quotes_them),
)
