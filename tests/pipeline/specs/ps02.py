"""ps02-ctms-risk: the risk register, the schedule simulation and the answer sheet."""

import re
from math import erf, sqrt

import pytest

from hitpm_widgets import QuestionSheet, RiskRegister, ScheduleRisk, TraceabilityMatrix, load_case

from ...conftest import FIXTURES, REPO
from ..course import read_json
from .spec import Workbook, cell_sources, write_cells

ASSIGNMENT = "ps02-ctms-risk"
REFERENCE = read_json(FIXTURES / "ps02_reference.json")
SCHEDULE = REFERENCE["schedule"]
CASE = load_case("pharma-ctms")
# The answer sheet as the workbook asks it (keys, types, options); the prompts do not matter here.
QUESTIONS = [
    {"key": "contingency_reserve", "prompt": "reserve", "minimum": 0},
    {"key": "reserve_enough", "prompt": "enough?", "type": "choice", "options": ["yes", "no"]},
    {"key": "chance_deadline_pct", "prompt": "chance", "minimum": 0, "maximum": 100},
    {"key": "p80_days", "prompt": "P80", "minimum": 0},
    {"key": "chance_interfaces_doubled_pct", "prompt": "what-if", "minimum": 0, "maximum": 100},
    {"key": "untested_gxp", "prompt": "untested", "type": "choices",
     "options": list(CASE.requirements["req_id"])},
    {"key": "blocking_failures", "prompt": "blocking", "type": "choices",
     "options": list(CASE.test_scripts.loc[CASE.test_scripts["status"] == "failed", "test_id"])},
]


def the_models(folder):
    """The three exercises as the workbook makes them, answering into `folder`."""
    register = RiskRegister("ps02-ctms-risks", CASE.risks.drop(columns="evidence"),
                            categories=list(CASE.risks["category"].cat.categories), directory=folder)
    schedule = ScheduleRisk("ps02-ctms-schedule", CASE.schedule, deadline_days=SCHEDULE["deadline_days"],
                            iterations=SCHEDULE["iterations"], directory=folder)
    return register, schedule, QuestionSheet("ps02-answers", QUESTIONS, directory=folder)


def critical_path_chance(schedule) -> float:
    """The chance of the deadline from the PERT critical path alone (normal approximation), in per cent."""
    path = schedule.critical_path()
    sd = sqrt(sum(schedule.network.task(task).pert_sd ** 2 for task in path.path))
    z = (schedule.deadline_days - path.expected_duration) / sd
    return 100 * 0.5 * (1 + erf(z / sqrt(2)))


def double_the_interfaces(schedule) -> None:
    """The what-if of task 3: T13's three estimates doubled, as the widget's number boxes set them."""
    doubled = SCHEDULE["interfaces_doubled"]
    schedule.set_estimate(doubled["task_id"], optimistic=doubled["optimistic"],
                          most_likely=doubled["most_likely"], pessimistic=doubled["pessimistic"])


def answer(folder, partly_wrong):
    """What a learner does in the widgets and the form: only the models' answer files change, no code cell.

    The partly wrong learner makes three mistakes, each costing exactly the points of one test cell:
    - R3, the audit-trail switch, rated very unlikely: 0.1 x 0.80 = 0.08, medium. The evidence (a major
      audit observation, a switch meant for the bulk loads the migration runs, no date for the fix)
      supports high. The reserve is answered from this same register, so the reserve cell keeps its
      points: one misjudged rating is not marked wrong twice.
    - The chance of 150 working days taken from the PERT critical path alone (normal approximation,
      about 41 %) instead of from the simulation (about 34 %): merge bias left out.
    - PQ-004 left out of the blocking failures because its deviation is minor, although it traces to
      GxP-critical requirements.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        register, schedule, sheet = the_models(folder)
        for risk_id, reference in REFERENCE["register"].items():
            probability = 0.1 if partly_wrong and risk_id == "R3" else reference["probability"]
            register.update(risk_id, probability=probability, impact=reference["impact"],
                            response=reference["response"])
        # Read off the widgets, as the learner does.
        sheet.answer("contingency_reserve", register.contingency_reserve())
        sheet.answer("reserve_enough", "no")
        chance = 100 * schedule.probability_of_meeting_deadline()
        if partly_wrong:
            chance = critical_path_chance(schedule)
        sheet.answer("chance_deadline_pct", round(chance))
        sheet.answer("p80_days", round(schedule.result.p80, 1))
        double_the_interfaces(schedule)
        sheet.answer("chance_interfaces_doubled_pct", round(100 * schedule.probability_of_meeting_deadline()))
        if not partly_wrong:
            # The partly wrong learner forgets "Back to the plan": nothing is graded from the schedule widget.
            schedule.reset_estimate(SCHEDULE["interfaces_doubled"]["task_id"])
        sheet.answer("untested_gxp", REFERENCE["untested_gxp"])
        left_out = {"PQ-004"} if partly_wrong else set()
        sheet.answer("blocking_failures", [t for t in REFERENCE["blocking_failures"] if t not in left_out])


def write(notebook_path):
    write_cells(notebook_path, {
        "ps02-answer-memo": ("**Decide today:** raise the reserve to $485,000 and approve a manual site-activation "
                             "fallback.\n\n| risk | response | owner |\n| --- | --- | --- |\n| R1 | mitigate | PM |"),
    })


def check_release(released, _text):
    from ..course import solution_cell_sources

    assert len(solution_cell_sources(released)) == 3
    # The sheet the learners get asks exactly the questions this test answers.
    sheet_cell = cell_sources(released)["ps02-widget-answers"]
    assert re.findall(r'"key": "(\w+)"', sheet_cell) == [question["key"] for question in QUESTIONS]


# -- the reference answers agree with the case and its teaching note -------------------------------------


def note_register_rows():
    note = (REPO / "cases" / "pharma-ctms" / "teaching-note.md").read_text(encoding="utf-8")
    rows = {}
    for line in note.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| R") and re.fullmatch(r"R\d+", cells[0]):
            rows[cells[0]] = cells
    return rows


def the_reference_register_is_the_teaching_notes_on_the_cases_risks(tmp_path):
    rows = note_register_rows()
    risks = CASE.risks.set_index("id")
    assert list(rows) == list(REFERENCE["register"]) == list(risks.index)
    for risk_id, row in rows.items():
        _, description, category, evidence, p, i, _score, response, owner, impact, _emv = row
        reference, risk = REFERENCE["register"][risk_id], risks.loc[risk_id]
        assert (float(p), float(i)) == (reference["probability"], reference["impact"])
        assert response.lower().startswith(reference["response"])
        text = f"{risk['cause']} → {risk['event']} → {risk['effect']}"
        assert description.removesuffix(" (Opportunity.)").removesuffix(".") == text
        assert (category, evidence, owner) == (risk["category"], risk["evidence"], risk["owner"])
        assert float(re.sub(r"[^\d.]", "", impact)) == risk["monetary_impact"]
    register, _, _ = the_models(tmp_path)
    for risk_id, reference in REFERENCE["register"].items():
        register.update(risk_id, **reference)
    assert register.contingency_reserve() == REFERENCE["contingency_reserve"]
    assert register.total_emv() == REFERENCE["net_emv"]


def the_reference_figures_are_what_the_seeded_simulation_and_the_matrix_give(tmp_path):
    _, schedule, _ = the_models(tmp_path)
    assert round(100 * schedule.probability_of_meeting_deadline(), 1) == SCHEDULE["chance_deadline_pct"]
    assert round(schedule.result.p80, 1) == SCHEDULE["p80_days"]
    assert round(critical_path_chance(schedule), 1) == SCHEDULE["critical_path_chance_pct"]
    # The partly wrong learner's chance is wrong by more than the tolerance the workbook states (5 points).
    assert abs(SCHEDULE["critical_path_chance_pct"] - SCHEDULE["chance_deadline_pct"]) > 5
    double_the_interfaces(schedule)
    doubled = round(100 * schedule.probability_of_meeting_deadline(), 1)
    assert doubled == SCHEDULE["chance_interfaces_doubled_pct"]
    trace = TraceabilityMatrix(CASE.requirements, CASE.test_scripts)
    assert trace.untested_requirements(gxp_critical_only=True) == REFERENCE["untested_gxp"]
    assert list(trace.blocking_failures()["test_id"]) == REFERENCE["blocking_failures"]


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points={
        "ps02-test-register-complete": 1,
        "ps02-test-bands-release": 1,
        "ps02-test-bands-smaller": 1,
        "ps02-test-responses": 2,
        "ps02-test-reserve": 2,
        "ps02-test-schedule": 2,
        "ps02-test-schedule-interfaces": 1,
        "ps02-test-traceability-untested": 1,
        "ps02-test-traceability-blocking": 1,
    },
    manual={"ps02-answer-memo": 4},
    answer_files=("ps02-ctms-risks", "ps02-ctms-schedule", "ps02-answers"),
    answer=answer,
    write=write,
    partly_lost=frozenset({"ps02-test-bands-release", "ps02-test-schedule", "ps02-test-traceability-blocking"}),
    partly_total=8,
    secrets=("check_bands(", "check_responses(", "check_choice(", "check_number(", "check_selection(",
             "register.update('R1'", "URS-009", "PQ-004", "33.7", "158.1"),
    check_release=check_release,
    check_references=(the_reference_register_is_the_teaching_notes_on_the_cases_risks,
                      the_reference_figures_are_what_the_seeded_simulation_and_the_matrix_give),
)
