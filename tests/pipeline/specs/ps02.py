"""ps02-ctms-risk: the risk register, the schedule simulation and the answer sheet."""

import re
from math import erf, sqrt

import pytest

from hitpm_widgets import QuestionSheet, RiskRegister, ScheduleRisk, TraceabilityMatrix, load_case

from ...conftest import REPO
from .spec import Workbook, answer_key, cell_sources, write_cells

ASSIGNMENT = "ps02-ctms-risk"
KEY = answer_key(ASSIGNMENT)
CASE = load_case(KEY.CASE)
ANSWERS = KEY.answers(CASE)
# The answer sheet as the workbook asks it (keys, types, options); the prompts do not matter here.
QUESTIONS = [
    {"key": "contingency_reserve", "prompt": "reserve", "minimum": 0},
    {"key": "reserve_enough", "prompt": "enough?", "type": "choice", "options": ["yes", "no"]},
    {"key": "interfaces_path_te_days", "prompt": "tE", "minimum": 0},
    {"key": "interfaces_path_sd_days", "prompt": "sd", "minimum": 0},
    {"key": "interfaces_doubled_path_chance_pct", "prompt": "what-if", "minimum": 0, "maximum": 100},
    {"key": "unverified_gxp", "prompt": "unverified", "type": "choices", "options": list(CASE.requirements["req_id"])},
    {"key": "retest_before_release", "prompt": "re-test", "type": "choices",
     "options": list(CASE.requirements["req_id"])},
]


def note_register_rows():
    """The teaching note's reference register (section 3): {risk id: its table row's cells}."""
    note = (REPO / "cases" / "pharma-ctms" / "teaching-note.md").read_text(encoding="utf-8")
    rows = {}
    for line in note.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| R") and re.fullmatch(r"R\d+", cells[0]):
            rows[cells[0]] = cells
    return rows


def reference_register() -> dict[str, dict]:
    """{risk id: probability, impact and response} as the teaching note rates the register."""
    register = {}
    for risk_id, row in note_register_rows().items():
        _, _, _, _, p, i, _score, response, *_ = row
        register[risk_id] = {"probability": float(p), "impact": float(i),
                             "response": response.split(":")[0].strip().lower()}
    return register


def the_models(folder):
    """The register and the answer sheet as the workbook makes them, answering into `folder`, and the schedule."""
    register = RiskRegister("ps02-ctms-risks", CASE.risks.drop(columns="evidence"),
                            categories=list(CASE.risks["category"].cat.categories), directory=folder)
    schedule = ScheduleRisk("ps02-ctms-schedule", CASE.schedule, deadline_days=KEY.GIVEN["deadline_days"],
                            iterations=KEY.GIVEN["iterations"], directory=folder)
    return register, schedule, QuestionSheet("ps02-answers", QUESTIONS, directory=folder)


def summed_sds(case) -> float:
    """The interfaces path's σ done wrong: the activities' σs added up instead of their variances."""
    tasks = case.schedule.set_index("task_id").loc[list(KEY.INTERFACES_PATH)]
    return float(((tasks["pessimistic"] - tasks["optimistic"]) / 6).sum())


def answer(folder, partly_wrong):
    """What a learner does in the widgets and the form: only the models' answer files change, no code cell.

    The partly wrong learner makes three mistakes, each costing exactly the points of one test cell:
    - R3, the audit-trail switch, rated very unlikely: 0.1 x 0.80 = 0.08, medium. The evidence (a major
      audit observation, a switch meant for the bulk loads the migration runs, no date for the fix)
      supports high. The reserve is answered from this same register, so the reserve cell keeps its
      points: one misjudged rating is not marked wrong twice.
    - The interfaces path's σ taken as the sum of its activities' σs (about 18 working days) instead of
      √Σσ² (about 6.8): the variances add, not the σs.
    - The requirements behind PQ-004 (URS-023, URS-032) left out of the re-test list because its deviation
      is minor, although they are GxP-critical.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("HITPM_ANSWERS_DIR", raising=False)
        register, schedule, sheet = the_models(folder)
        for risk_id, reference in reference_register().items():
            probability = 0.1 if partly_wrong and risk_id == "R3" else reference["probability"]
            register.update(risk_id, probability=probability, impact=reference["impact"],
                            response=reference["response"])
        sheet.answer("contingency_reserve", register.contingency_reserve())
        sheet.answer("reserve_enough", KEY.ACCEPTED["reserve_enough"][0])
        sheet.answer("interfaces_path_te_days", round(ANSWERS["interfaces_path_te_days"], 1))
        sd = summed_sds(CASE) if partly_wrong else ANSWERS["interfaces_path_sd_days"]
        sheet.answer("interfaces_path_sd_days", round(sd, 2))
        sheet.answer("interfaces_doubled_path_chance_pct", round(ANSWERS["interfaces_doubled_path_chance_pct"], 1))
        if partly_wrong:
            # The what-if tried in the widget and left there: nothing is graded from the schedule widget.
            schedule.set_estimate(KEY.INTERFACES, pessimistic=80, most_likely=40, optimistic=28)
        sheet.answer("unverified_gxp", ANSWERS["unverified_gxp"])
        left_out = {"URS-023", "URS-032"} if partly_wrong else set()
        sheet.answer("retest_before_release", [r for r in ANSWERS["retest_before_release"] if r not in left_out])


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


# -- the reference answers agree with the case, its teaching note and the kit's tools ---------------------


def the_reference_register_is_the_teaching_notes_on_the_cases_risks(tmp_path):
    rows = note_register_rows()
    risks = CASE.risks.set_index("id")
    assert list(rows) == list(risks.index)
    for risk_id, row in rows.items():
        _, description, category, evidence, _p, _i, _score, _response, owner, impact, _emv = row
        risk = risks.loc[risk_id]
        text = f"{risk['cause']} → {risk['event']} → {risk['effect']}"
        assert description.removesuffix(" (Opportunity.)").removesuffix(".") == text
        assert (category, evidence, owner) == (risk["category"], risk["evidence"], risk["owner"])
        assert float(re.sub(r"[^\d.]", "", impact)) == risk["monetary_impact"]
    register, _, _ = the_models(tmp_path)
    for risk_id, reference in reference_register().items():
        register.update(risk_id, **reference)
    # The memo's model answer and the teaching note: $485,000 against the sponsor's $200,000.
    assert register.contingency_reserve() == 485_000 > KEY.SPONSOR_RESERVE
    bands = {**KEY.ACCEPTED["bands_release"], **KEY.ACCEPTED["bands_smaller"]}
    frame = register.to_frame()
    assert all(frame.loc[risk_id, "band"] in accepted for risk_id, accepted in bands.items())


def the_key_agrees_with_the_kits_tools(tmp_path):
    """Two computations that could disagree: the key's pandas and the kit's critical path and matrix."""
    _, schedule, _ = the_models(tmp_path)
    frame = schedule.to_frame().loc[list(KEY.INTERFACES_PATH)]
    assert ANSWERS["interfaces_path_te_days"] == pytest.approx(frame["pert_mean"].sum())
    assert ANSWERS["interfaces_path_sd_days"] == pytest.approx((frame["pert_sd"] ** 2).sum() ** 0.5)
    path = schedule.critical_path()
    assert KEY.INTERFACES not in path.path  # the question asks about a path no tool sums
    assert ANSWERS["interfaces_path_te_days"] < path.expected_duration
    schedule.set_estimate(KEY.INTERFACES, pessimistic=80, most_likely=40, optimistic=28)
    doubled = schedule.critical_path()  # doubled, the interfaces path becomes the critical one
    assert doubled.path == KEY.INTERFACES_PATH
    sd = (schedule.to_frame().loc[list(doubled.path), "pert_sd"] ** 2).sum() ** 0.5  # no tool gives a path's σ
    chance = 100 * 0.5 * (1 + erf((KEY.GIVEN["deadline_days"] - doubled.expected_duration) / sd / sqrt(2)))
    assert ANSWERS["interfaces_doubled_path_chance_pct"] == pytest.approx(chance)
    # The partly wrong learner's σ is wrong by far more than the tolerance.
    assert abs(summed_sds(CASE) - ANSWERS["interfaces_path_sd_days"]) > 10 * KEY.TOLERANCES["interfaces_path_sd_days"]
    trace = TraceabilityMatrix(CASE.requirements, CASE.test_scripts)
    status = trace.requirement_status()
    assert ANSWERS["unverified_gxp"] == list(status.index[status["gxp_critical"] & (status["status"] != "verified")])
    blocking = list(trace.blocking_failures()["test_id"])
    assert ANSWERS["retest_before_release"] == [req for req in trace.requirement_ids
                                                if set(trace.tests_of(req)) & set(blocking)]
    assert {"URS-023", "URS-032"} <= set(ANSWERS["retest_before_release"])  # PQ-004's, a minor deviation


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points=KEY.POINTS,
    manual=KEY.MANUAL,
    answer_files=("ps02-ctms-risks", "ps02-answers"),  # the schedule widget grades nothing: reading it writes no answer
    answer=answer,
    write=write,
    partly_lost=frozenset({"ps02-test-bands-release", "ps02-test-schedule", "ps02-test-traceability-retest"}),
    partly_total=8,
    secrets=("check_bands(", "check_responses(", "check_choice(", "check_number(", "check_selection(",
             "register.update('R1'", "import answer_key", "answer_key.", "def path_figures",
             "blocking_tests", "143.17", "6.82"),
    check_release=check_release,
    check_references=(the_reference_register_is_the_teaching_notes_on_the_cases_risks,
                      the_key_agrees_with_the_kits_tools),
)
