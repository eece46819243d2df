"""ps05-capstone: the go-live readiness review, figures in the answer sheet and three written parts."""

import pytest

from hitpm_widgets import EarnedValueSeries, ScheduleRisk, TraceabilityMatrix, load_case, unit_scores

from ...conftest import REPO
from . import spec
from .spec import (
    Workbook,
    answer_key,
    check_answer_sheet_release,
    check_told_what_to_answer,
    error_messages,
    write_cells,
)

ASSIGNMENT = "ps05-capstone"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE = REPO / "workbooks" / ASSIGNMENT / NOTEBOOK
EXERCISE = "ps05-answers"
KEY = answer_key(ASSIGNMENT)
# The questions each test cell grades: a cell scores only when all of its questions are right.
CELL_QUESTIONS = {
    "ps05-test-indices": ["cpi_july_month", "spi_july_month"],
    "ps05-test-eac": ["eac"],
    "ps05-test-release-date": ["release_commit"],
    "ps05-test-gxp-verified": ["gxp_verified_pct"],
    "ps05-test-gxp-open-tests": ["gxp_open_tests"],
    "ps05-test-low-ability": ["low_ability_units"],
    "ps05-test-training": ["trained_5east_pct"],
}
ADKAR = ("awareness", "desire", "knowledge", "ability", "reinforcement")
PARTLY_LOST = frozenset({"ps05-test-eac", "ps05-test-low-ability"})


def the_cases():
    return {"ctms_case": load_case("pharma-ctms"), "emr_case": load_case("emr-rollout"),
            "manager_case": load_case("middle-manager")}


def right_answers() -> dict:
    """Every answer of the sheet, in its order: the key's figures and lists, and the accepted release date."""
    answers = KEY.answers(the_cases()["ctms_case"])
    return {"cpi_july_month": answers["cpi_july_month"], "spi_july_month": answers["spi_july_month"],
            "eac": answers["eac"], "release_commit": KEY.ACCEPTED["release_commit"][0],
            **{key: answers[key] for key in ("gxp_verified_pct", "gxp_open_tests", "low_ability_units",
                                             "trained_5east_pct")}}


def cumulative_july():
    return EarnedValueSeries(the_cases()["ctms_case"].evm_monthly, bac=KEY.GIVEN["bac"]).latest


def partly_wrong_answers() -> dict:
    """Figures rounded as a learner types them (within the tolerances, so they cost nothing), and two mistakes:
    the EAC with the cumulative CPI (BAC / CPI, the usual formula, but not the assumption asked), and the
    low-ability areas taken as the areas whose barrier point is ability (which leaves out the three whose
    ability is low behind an earlier low element)."""
    answers = right_answers()
    rounded = {key: round(value, 2) if isinstance(value, float) else value for key, value in answers.items()}
    means = the_cases()["manager_case"].readiness_survey.groupby("unit", observed=True)[list(ADKAR)].mean()
    barriers = (means <= KEY.LOW).idxmax(axis=1).where((means <= KEY.LOW).any(axis=1))  # the first low element
    return {**rounded, "eac": round(KEY.GIVEN["bac"] / cumulative_july().cpi),
            "low_ability_units": sorted(barriers.index[barriers == "ability"])}


def sheet_questions(notebook_path):
    return spec.sheet_questions(notebook_path, "ps05-widget-answers", the_cases())


def answer(folder, partly_wrong):
    """What a learner does in the form: only the sheet's answer file changes, no code cell."""
    answers = partly_wrong_answers() if partly_wrong else right_answers()
    spec.fill_answer_sheet(folder, *sheet_questions(folder / NOTEBOOK), answers)


def write(notebook_path):
    write_cells(notebook_path, {
        "ps05-answer-scorecard": "| dimension | rating |\n| --- | --- |\n| Data | not ready (E11, PQ-004) |",
        "ps05-answer-risks": "1. Vendor fixes late (OQ-006): mitigate; Lena Vasquez-Holt; by 5 September.",
        "ps05-answer-decision": "**Conditional go** for a release by 8 October; go / no-go on 3 October.",
    })


def check_release(released, text):
    answers = right_answers()
    for secret in (f"{answers['cpi_july_month']:.3f}", f"{answers['eac']:,.0f}", f"{answers['gxp_verified_pct']:.1f}",
                   repr(answers["gxp_open_tests"]), repr(answers["low_ability_units"]),
                   f"{answers['trained_5east_pct']:.1f}", '"10 October (day 160)")'):
        assert secret not in text, secret
    check_answer_sheet_release(released, text, SPEC.points, SPEC.manual)
    assert sum(SPEC.points.values()) == 7 and sum(SPEC.manual.values()) == 14
    # The sheet the learners get asks exactly the graded questions.
    exercise_id, questions = sheet_questions(released)
    assert exercise_id == EXERCISE
    assert [question["key"] for question in questions] == list(answers)
    assert "unit_scores(" not in text  # the areas' means are the learner's to compute from the survey


def check_graded(course):
    check_told_what_to_answer(course, ASSIGNMENT, CELL_QUESTIONS)

    # The messages say what is wrong without giving the answer.
    messages = error_messages(course, ASSIGNMENT, "partly")
    assert set(messages) == PARTLY_LOST
    eac = messages["ps05-test-eac"]
    assert eac.startswith("Your answer to eac is not right yet.")
    answers = right_answers()
    figures = [f"{answers['eac']:,.0f}", f"{answers['eac']:.0f}", f"{answers['cpi_july_month']:.3f}", "2.97"]
    assert not [figure for figure in figures if figure in eac]

    ability = messages["ps05-test-low-ability"]
    assert ability.startswith("Your answer to low_ability_units: 3 missing.")
    areas = load_case("middle-manager").readiness_survey["unit"].cat.categories
    assert not [area for area in areas if area in ability]


# -- the reference answers: the key's pandas against the kit's tools on the cases ---------------------------


def accepted(key, value) -> bool:
    """What the hidden tests accept: a number within its tolerance, a choice accepted, or exactly the list."""
    right = right_answers()
    if key in KEY.TOLERANCES:
        return abs(value - right[key]) <= KEY.TOLERANCES[key]
    if key in KEY.ACCEPTED:
        return value in KEY.ACCEPTED[key]
    return set(value) == set(right[key])


def the_partly_wrong_answers_fail_exactly_the_cells_the_design_says(_tmp_path):
    wrong = partly_wrong_answers()
    assert list(wrong) == list(right_answers())
    lost = {cell for cell, keys in CELL_QUESTIONS.items() if not all(accepted(key, wrong[key]) for key in keys)}
    assert lost == PARTLY_LOST
    assert sum(points for cell, points in SPEC.points.items() if cell not in lost) == SPEC.partly_total
    # The rounded figures differ from the references and are accepted: the tolerances are really exercised.
    for key in ("cpi_july_month", "gxp_verified_pct", "trained_5east_pct"):
        assert wrong[key] != right_answers()[key] and accepted(key, wrong[key]), key


def the_key_agrees_with_the_kit_on_the_cases(_tmp_path):
    cases = the_cases()
    ctms, manager = cases["ctms_case"], cases["manager_case"]
    right = right_answers()
    # July's own work against the cumulative figures of June and July, which the kit gives.
    series = EarnedValueSeries(ctms.evm_monthly, bac=KEY.GIVEN["bac"])
    july, june = series.at(KEY.STATUS_MONTH), series.at(KEY.MONTH_BEFORE)
    assert right["cpi_july_month"] == pytest.approx((july.ev - june.ev) / (july.ac - june.ac))
    assert right["spi_july_month"] == pytest.approx((july.ev - june.ev) / (july.pv - june.pv))
    # July's own work went worse than the cumulative figures say: the cumulative CPI and SPI are not accepted.
    assert not accepted("cpi_july_month", july.cpi) and not accepted("spi_july_month", july.spi)
    assert right["eac"] == pytest.approx(july.ac + (july.bac - july.ev) / right["cpi_july_month"])
    # None of the three usual forecasts is the one asked for.
    assert not any(accepted("eac", value) for value in july.eac.values())

    # The release date: the earliest candidate whose simulated chance is 80 % or more.
    schedule = ScheduleRisk(None, ctms.schedule, deadline_days=KEY.GIVEN["deadline_days"],
                            iterations=KEY.GIVEN["iterations"])
    chances = {label: schedule.result.probability_by(day) for label, day in KEY.RELEASE_DATES.items()}
    earliest = next(label for label, chance in chances.items() if chance >= KEY.CONFIDENCE)
    assert KEY.ACCEPTED["release_commit"] == [earliest]

    trace = TraceabilityMatrix(ctms.requirements, ctms.test_scripts)
    status = trace.requirement_status()
    gxp = status[status["gxp_critical"]]
    assert right["gxp_verified_pct"] == pytest.approx(100 * (gxp["status"] == "verified").mean())
    not_passed = set(ctms.test_scripts.loc[ctms.test_scripts["status"] != "passed", "test_id"])
    open_tests = {test for req in gxp.index for test in trace.tests_of(req) if test in not_passed}
    assert set(right["gxp_open_tests"]) == open_tests
    # Only the failed ones are not the answer: the tests not yet run must pass too.
    assert not accepted("gxp_open_tests", sorted(set(trace.blocking_failures()["test_id"]) & open_tests))

    means = unit_scores(manager.readiness_survey)
    assert set(right["low_ability_units"]) == set(means.index[means["ability"] <= 3.0])
    training = manager.training_attendance
    east = training[training["unit"] == KEY.TRAINING_UNIT]
    assert right["trained_5east_pct"] == pytest.approx(100 * east["completed_on"].notna().mean())
    sessions = 100 * east["sessions_attended"].sum() / east["sessions_required"].sum()
    assert not accepted("trained_5east_pct", sessions)  # the question counts people, not sessions


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points=KEY.POINTS,
    manual=KEY.MANUAL,
    answer_files=(EXERCISE,),
    answer=answer,
    write=write,
    partly_lost=PARTLY_LOST,
    partly_total=5,
    secrets=(
        # the instructors' model answers, the calls that hold or compute the references
        "check_number(", "check_selection(", "check_choice(", "answer_key", ".diff().iloc[-1]",
    ),
    check_release=check_release,
    check_graded=check_graded,
    check_references=(the_partly_wrong_answers_fail_exactly_the_cells_the_design_says,
                      the_key_agrees_with_the_kit_on_the_cases),
)
