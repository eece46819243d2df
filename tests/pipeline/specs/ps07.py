"""ps07-choose-and-connect: the laboratory system's selection, cost of ownership, interface test batch, FHIR
mapping and conversion sign-off in one answer sheet, and a contract review. Every reference comes from the
workbook's answer key."""

import ast
import functools

import nbformat

from hitpm_widgets import load_case
from hitpm_widgets.variants import make_variant

from ...conftest import REPO
from . import spec
from .spec import Workbook, check_answer_sheet_release, check_told_what_to_answer, error_messages, write_cells

ASSIGNMENT = "ps07-choose-and-connect"
NOTEBOOK = f"{ASSIGNMENT}.ipynb"
SOURCE = REPO / "workbooks" / ASSIGNMENT / NOTEBOOK
KEY = spec.answer_key(ASSIGNMENT)
CASE = load_case(KEY.CASE)
EXERCISE = "ps07-answers"
# The questions each test cell grades: a cell scores only when all of its questions are right.
CELL_QUESTIONS = {
    "ps07-test-leader": ["leader"],
    "ps07-test-margin": ["leader_margin"],
    "ps07-test-sensitivity": ["breakeven_weight_pct"],
    "ps07-test-tco": ["tco_subscription"],
    "ps07-test-lowest-tco": ["lowest_tco_vendor"],
    "ps07-test-messages": ["failing_messages"],
    "ps07-test-mapping": ["unmappable_records"],
    "ps07-test-counts": ["unaccounted_records"],
    "ps07-test-sample": ["fields_over_limit"],
    "ps07-test-signoff": ["signoff"],
}
# The partly wrong learner's two mistakes, each losing exactly one cell (see partly_wrong_answers).
PARTLY_LOST = frozenset({"ps07-test-tco", "ps07-test-counts"})


@functools.cache
def key_answers() -> dict:
    """The key's figures and lists on the published case (computed once)."""
    return KEY.answers(CASE)


def reference(case=None) -> dict:
    """The key's answers for `case` (the published one if None), the sign-off's accepted choice, in the sheet's
    order."""
    found = {**(key_answers() if case is None else KEY.answers(case)), "signoff": KEY.ACCEPTED["signoff"][0]}
    return {key: found[key] for keys in CELL_QUESTIONS.values() for key in keys}


def subscription_without_escalation(case) -> float:
    costs = case.lis_costs[case.lis_costs["vendor"] == KEY.SUBSCRIPTION_VENDOR]
    factor = costs["kind"].astype(str).map({"one-time": 1, "annual": KEY.CONTRACT_YEARS})
    return float((costs["amount"] * factor).sum())


def partly_wrong_answers(case=None) -> dict:
    """Figures rounded as a learner quotes them (within the tolerances), and two mistakes: the subscription's
    cost of ownership without its yearly escalation, and the count gaps added with their signs (the lost
    microbiology reports and the duplicated patients cancel out in part)."""
    case = CASE if case is None else case
    answers = reference(None if case is CASE else case)
    answers["leader_margin"] = round(answers["leader_margin"], 2)
    answers["breakeven_weight_pct"] = round(answers["breakeven_weight_pct"], 1)
    answers["tco_subscription"] = round(subscription_without_escalation(case))
    answers["unaccounted_records"] = int(KEY.count_gaps(case).sum())
    return answers


def sheet_questions(notebook_path):
    return spec.sheet_questions(notebook_path, "ps07-widget-answers", {"case": CASE})


def answer(folder, partly_wrong):
    """What a learner does in the form: only the sheet's answer file changes, no code cell."""
    answers = partly_wrong_answers() if partly_wrong else reference()
    spec.fill_answer_sheet(folder, *sheet_questions(folder / NOTEBOOK), answers)


def write(notebook_path):
    write_cells(notebook_path, {
        "ps07-answer-contract": "**§4.** Hold back 30 % until the acceptance tests pass.",
    })


def check_release(released, text):
    spec.check_no_reference_shown(text, key_answers())
    check_answer_sheet_release(released, text, SPEC.points, SPEC.manual)
    exercise_id, questions = sheet_questions(released)
    assert exercise_id == EXERCISE
    assert [question["key"] for question in questions] == list(reference())
    assert list(questions[-1]["options"]) == KEY.SIGNOFF_OPTIONS


def check_graded(course):
    check_told_what_to_answer(course, ASSIGNMENT, CELL_QUESTIONS)
    # The messages say what is wrong without giving the answer.
    messages = error_messages(course, ASSIGNMENT, "partly")
    assert set(messages) == SPEC.partly_lost
    tco = messages["ps07-test-tco"]
    assert tco.startswith("Your answer to tco_subscription is not right yet.")
    right = key_answers()["tco_subscription"]
    assert not [shown for shown in (f"{right:,.0f}", f"{right:.0f}") if shown in tco]


# -- the references: the key's own computation, the notebook's use of it, the libraries agreeing -----------


def accepted(key, value, case=None) -> bool:
    """What the hidden tests accept: a number within its tolerance, a listed choice, or exactly the options."""
    right = reference(case)
    if key in KEY.TOLERANCES:
        return abs(value - right[key]) <= KEY.TOLERANCES[key]
    if key in KEY.ACCEPTED:
        return value in KEY.ACCEPTED[key]
    if isinstance(right[key], list):
        return set(value) == set(right[key])
    return value == right[key]


def the_hidden_tests_take_every_reference_from_the_answer_key(_tmp_path):
    notebook = nbformat.read(SOURCE, as_version=4)
    assert spec.graded_code_cells(SOURCE) == KEY.POINTS
    manual = {cell.metadata.nbgrader["grade_id"]: cell.metadata.nbgrader["points"] for cell in notebook.cells
              if cell.metadata.get("nbgrader", {}).get("grade") and cell.metadata.nbgrader.get("solution")}
    assert manual == KEY.MANUAL
    assert list(KEY.POINTS) == list(CELL_QUESTIONS)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id not in KEY.POINTS:
            continue
        calls = [node for node in ast.walk(ast.parse(cell.source))
                 if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith("check_")
                 and node.func.id != "check_answered"]
        assert [ast.literal_eval(call.args[1]) for call in calls] == CELL_QUESTIONS[grade_id]
        for call in calls:
            # the reference and the tolerance are read from the key, never written in the notebook
            key = ast.literal_eval(call.args[1])
            keywords = {keyword.arg: ast.unparse(keyword.value) for keyword in call.keywords}
            if key in KEY.ACCEPTED:
                assert ast.unparse(call.args[2]) == f"answer_key.ACCEPTED['{key}']", grade_id
            else:
                assert f'expected = answer_key.answers(case_for("{ASSIGNMENT}", "{KEY.CASE}"))' in cell.source
                assert ast.unparse(call.args[2]).replace("[", "").replace("]", "") == f"expected'{key}'", grade_id
            if call.func.id == "check_number":
                assert keywords["tolerance"] == f"answer_key.TOLERANCES['{key}']", grade_id
    questions = {question["key"]: question for question in sheet_questions(SOURCE)[1]}
    assert list(questions["signoff"]["options"]) == KEY.SIGNOFF_OPTIONS
    assert set(key_answers()) | set(KEY.ACCEPTED) == set(questions)


def the_partly_wrong_answers_fail_exactly_the_cells_the_design_says(_tmp_path):
    partly, right = partly_wrong_answers(), reference()
    lost = {cell for cell, keys in CELL_QUESTIONS.items() if not all(accepted(key, partly[key]) for key in keys)}
    assert lost == SPEC.partly_lost
    assert sum(points for cell, points in SPEC.points.items() if cell not in lost) == SPEC.partly_total
    # Rounded figures that differ from the references and are accepted: the tolerances are really exercised.
    assert [key for key in ("leader_margin", "breakeven_weight_pct") if partly[key] != right[key]]


def _rejected_by_the_libraries(case) -> set[str]:
    """The test messages the interface specification rejects, read with hl7apy (not the key's string splitting)."""
    from hl7apy.parser import parse_message

    codes = set(case.lis_code_map["local_code"])
    rejected = set()
    for message_id, text in zip(case.lis_test_messages["message_id"], case.lis_test_messages["text"], strict=True):
        try:
            message = parse_message(text.replace("\n", "\r"), find_groups=False)
        except Exception:  # noqa: BLE001 - any refusal of the parser is a rejection
            rejected.add(message_id)
            continue
        kind = "^".join(message.msh.msh_9.value.split("^")[:2])
        mrn = message.pid.pid_3.value.split("^")[0]
        good = (message.msh.msh_12.value == KEY.AGREED_VERSION and kind in KEY.AGREED_TYPES
                and len(mrn) == 9 and mrn.startswith("KB") and mrn[2:].isdigit())
        for obx in message.children.get("OBX") if good and kind == "ORU^R01" else []:
            value = obx.obx_5.value
            number = value.replace(".", "", 1).isdigit()
            good = good and obx.obx_3.value.split("^")[0] in codes and (
                obx.obx_2.value != "NM" or (number and bool(obx.obx_6.value)))
        if not good:
            rejected.add(message_id)
    return rejected


def _not_valid_observations(case) -> set[str]:
    """The legacy results that give no valid R4B Observation, built and validated with fhir.resources."""
    from fhir.resources.R4B.observation import Observation
    from pydantic import ValidationError

    mapped = case.lis_code_map.set_index("local_code")
    out = set()
    for record in case.lis_legacy_results.itertuples():
        if record.local_code not in mapped.index or record.status not in KEY.STATUS_MAP \
                or record.units != mapped.at[record.local_code, "unit"]:
            out.add(record.record_id)
            continue
        try:
            Observation.model_validate({
                "resourceType": "Observation", "status": KEY.STATUS_MAP[record.status],
                "code": {"coding": [{"system": "http://loinc.org", "code": mapped.at[record.local_code, "loinc"]}]},
                "subject": {"reference": f"Patient/{record.mrn}"}, "effectiveDateTime": f"{record.collected}Z",
                "valueQuantity": {"value": record.value, "unit": record.units}})
        except ValidationError:
            out.add(record.record_id)
    return out


def the_key_agrees_with_the_libraries_and_refuses_the_usual_mistakes(_tmp_path):
    """Two computations (the key's pandas and string splitting; hl7apy and fhir.resources) agree on the published
    case and on a learner's variant; the variants keep the teaching points; the usual mistakes fall outside."""
    for case in (CASE, load_case(KEY.CASE, variant=make_variant(ASSIGNMENT, KEY.CASE, "zoe"))):
        right = KEY.answers(case)
        assert _rejected_by_the_libraries(case) == set(right["failing_messages"])
        assert _not_valid_observations(case) == set(right["unmappable_records"])
        faults = KEY.message_faults(case)
        assert len(set(faults.values())) == 6  # every rule of the specification rejects a message
        assert len(set(KEY.unmappable(case).values())) == 5  # every mapping rule keeps a result out
        assert right["leader"] == "Aldercrest LIS" and right["lowest_tco_vendor"] == "Corvane Lab"
        costs = KEY.contract_costs(case)
        assert costs["one_time"].idxmin() == KEY.SUBSCRIPTION_VENDOR  # the cheapest to start is not to own
        assert "units" in right["fields_over_limit"]
        gaps = KEY.count_gaps(case)
        assert (gaps > 0).any() and (gaps < 0).any()
        # the usual mistakes: weights raised without the others scaled, the scores summed instead of averaged
        weights = case.lis_criteria.set_index("criterion")["weight_pct"]
        summed = case.lis_scores.groupby(["vendor", "criterion"])["score"].sum().unstack()
        totals = (summed[weights.index] * weights).sum(axis=1) / 100
        assert not accepted("leader_margin", float(totals.max() - totals.drop(totals.idxmax()).max()), case)
        assert not accepted("tco_subscription", subscription_without_escalation(case), case)
        assert not accepted("unaccounted_records", int(gaps.sum()), case)


SPEC = Workbook(
    assignment=ASSIGNMENT,
    points=KEY.POINTS,
    manual=KEY.MANUAL,
    answer_files=(EXERCISE,),
    answer=answer,
    write=write,
    partly_lost=PARTLY_LOST,
    partly_total=sum(KEY.POINTS.values()) - len(PARTLY_LOST),
    secrets=("check_number(", "check_selection(", "check_choice(", "import answer_key",
             'sheet.answer("failing_messages", failing'),
    check_release=check_release,
    check_graded=check_graded,
    check_references=(the_hidden_tests_take_every_reference_from_the_answer_key,
                      the_partly_wrong_answers_fail_exactly_the_cells_the_design_says,
                      the_key_agrees_with_the_libraries_and_refuses_the_usual_mistakes),
)
