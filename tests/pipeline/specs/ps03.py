"""ps03-leading-change: barrier points, the go-live RACI chart, six conflicts and the adoption data."""

import pytest

from hitpm_widgets import ChangeReadiness, LeadershipScenarios, QuestionSheet, RaciChart, load_case
from hitpm_widgets.change_readiness import ADKAR_ELEMENTS

from ...conftest import FIXTURES
from ..course import read_json, solution_cell_sources
from .spec import Workbook, answer_key, error_messages, write_cells

ASSIGNMENT = "ps03-leading-change"
KEY = answer_key(ASSIGNMENT)
CASE = load_case(KEY.CASE)
ANSWERS = KEY.answers(CASE)
# The corrected RACI chart of the teaching note, cell by cell: how a learner who got it right answers.
REFERENCE = read_json(FIXTURES / "ps03_raci_corrected.json")

# The partly wrong learner makes three mistakes, each of which loses exactly one test cell, and takes
# three accepted alternatives, which lose nothing:
# - 5 East surgical diagnosed at ability, its lowest element, instead of knowledge, its first low one
#   (the mistake the teaching note's rubric names): the inpatient units' cell (2 points) is lost;
# - G06 (triage and log problems on the units) owned by the vendor, the "with the vendor" / "with the
#   hospital" bounce of the case. The chart still keeps every rule (the vendor is R or A on 6 of 15
#   tasks, exactly 40 %), so the rules point stays and the owners point (1) is lost. G05 owned by the
#   vendor and G08 by the pharmacy lead are accepted alternatives;
# - Liam (C2) judged R4 and led with S4 delegating: Maren's own misreading ("he volunteered, so I
#   assumed he was fine"). The style answers the readiness chosen, so the visible check passes and only
#   the readiness cell (2) is lost. C4 answered with accommodating, an accepted mode, keeps the modes.
WRONG_BARRIERS = {"5 East surgical": "ability"}
WRONG_RACI = {
    ("G05", "it_service_desk"): "R", ("G05", "vendor"): "A",  # accepted: the vendor runs the command centre
    ("G06", "it_service_desk"): "R", ("G06", "vendor"): "A",  # wrong: the hospital must own unit problems
    ("G08", "cmio"): "C", ("G08", "pharmacy_lead"): "A",  # accepted: alert rules are the pharmacy lead's
}
WRONG_SCENARIOS = {"C2": {"readiness": "R4", "style": "S4"}, "C4": {"mode": "accommodating"}}
# Situational leadership: the style that answers each readiness level.
STYLES = {"R1": "S1 telling", "R2": "S2 selling", "R3": "S3 participating", "R4": "S4 delegating"}


def question_sheet(folder):
    """The sheet with the notebook's keys and options (the notebook checks every answer against its own)."""
    departments = list(load_case("middle-manager").adoption_weekly["department"].cat.categories)
    return QuestionSheet("ps03-answers", [
        {"key": "stalled_departments", "prompt": "stalled", "type": "choices", "options": departments},
        {"key": "override_outlier", "prompt": "outlier", "type": "choice", "options": departments},
        {"key": "override_gap_pp", "prompt": "gap", "minimum": -100, "maximum": 100},
    ], directory=folder)


def answer(folder, partly_wrong):
    """What a learner does in the widgets and the form: only the models' answer files change, no code cell."""
    case = CASE
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        readiness = ChangeReadiness("ps03-readiness", case.readiness_survey, directory=folder)
        barriers = {**ANSWERS["barrier_points"], **(WRONG_BARRIERS if partly_wrong else {})}
        for unit, barrier in barriers.items():
            readiness.diagnose(unit, barrier, focus="What the unit needs next, from the survey")

        raci = RaciChart("ps03-raci", case.raci, directory=folder)
        for task, letters in REFERENCE["raci_corrected"].items():
            for role, letter in zip(REFERENCE["raci_roles"], letters, strict=True):
                raci.assign(task, role, (WRONG_RACI if partly_wrong else {}).get((task, role), letter))
        assert raci.is_valid()  # the partly wrong chart too: its one mistake is an owner, not a rule

        scenarios = LeadershipScenarios("ps03-scenarios", case.conflict_scenarios, directory=folder)
        for scenario_id, modes in KEY.ACCEPTED["conflict_modes"].items():
            readiness_level = KEY.ACCEPTED["readiness_levels"][scenario_id]
            given = {"mode": modes[0], "readiness": readiness_level, "style": STYLES[readiness_level]}
            given.update(WRONG_SCENARIOS.get(scenario_id, {}) if partly_wrong else {})
            scenarios.answer(scenario_id, **given, reason="The stakes, the time and the person's evidence.")

        sheet = question_sheet(folder)
        sheet.answer("stalled_departments", ANSWERS["stalled_departments"])
        sheet.answer("override_outlier", ANSWERS["override_outlier"])
        sheet.answer("override_gap_pp", round(ANSWERS["override_gap_pp"], 1))


def write(notebook_path):
    write_cells(notebook_path, {
        "ps03-answer-plan": ("| area | communication | training | support |\n| --- | --- | --- | --- |\n"
                             "| ICU | huddles from 26 May | catch-up by 6 June | a super-user on every shift |"),
    })


def check_release(released, text):
    stubs = [source for source in solution_cell_sources(released) if source != "YOUR ANSWER HERE"]
    assert len(stubs) == 4  # readiness, RACI, scenarios, hotspots: all answerable in the widgets instead
    assert all(stub.startswith("# YOUR CODE HERE") and "raise" not in stub for stub in stubs)
    # The slip checks stay visible: a learner can run them before handing in.
    for visible in ("check_diagnosed(readiness", "check_raci_valid(raci)", "check_single_accountable(raci",
                    "check_scenarios_answered(scenarios", "check_styles_match_readiness(scenarios",
                    "check_answered(answers", "ChangeReadinessView(readiness)"):
        assert visible in text, visible
    assert sum(SPEC.points.values()) == 12


def check_graded(course):
    # The messages say what is wrong without giving the answer.
    messages = error_messages(course, ASSIGNMENT, "partly")
    assert set(messages) == SPEC.partly_lost

    barriers = messages["ps03-test-barriers-inpatient"]
    assert "1 of the 4 inpatient units" in barriers and "5 East surgical" in barriers
    # The rule is stated with every element in order; beyond it, no element is named.
    rest = barriers.replace("in the order awareness, desire, knowledge, ability, reinforcement", "")
    assert not [element for element in ADKAR_ELEMENTS if element in rest]

    owners = messages["ps03-test-raci-owners"]
    assert "G06" in owners and "G05" not in owners and "G08" not in owners
    assert not [role for role in REFERENCE["raci_roles"] if role in owners]

    leadership = messages["ps03-test-leadership"]
    assert "C2" in leadership and "C4" not in leadership
    assert not [level for level in ("R1", "R2", "R3", "R4", "S1", "S2", "S3", "S4") if level in leadership]

    # The untouched version is told what to do first.
    messages = error_messages(course, ASSIGNMENT, "untouched")
    assert set(messages) == set(SPEC.points)
    assert messages["ps03-test-barriers-other"].startswith("Diagnose the barrier point of: Emergency")
    assert "G05, G06, G08, G10, G12, G13" in messages["ps03-test-raci-rules"]
    assert "nurse_manager" in messages["ps03-test-raci-rules"]
    assert messages["ps03-test-modes"].startswith(
        "Complete these scenarios first: C1 (no mode and no reason)")
    assert messages["ps03-test-stalled"] == "Answer these questions first: stalled_departments."


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points=KEY.POINTS,
    manual=KEY.MANUAL,
    answer_files=("ps03-readiness", "ps03-raci", "ps03-scenarios", "ps03-answers"),
    answer=answer,
    write=write,
    partly_lost=frozenset({"ps03-test-barriers-inpatient", "ps03-test-raci-owners", "ps03-test-leadership"}),
    partly_total=7,
    secrets=(
        # every call that holds a reference answer
        "check_barrier_points(readiness", "check_accountable(raci", "check_conflict_modes(scenarios",
        "check_readiness_levels(scenarios", "check_selection(answers", "check_choice(answers",
        "readiness.diagnose('4 West medical'", "raci.assign('G06'", "scenarios.answer('C1'",
        "overridden.idxmax()", "import answer_key", "answer_key.",
    ),
    check_release=check_release,
    check_graded=check_graded,
)
