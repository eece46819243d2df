"""Validation models: the traceability matrix, the Part 11 checklist, and the pharma-ctms case pack.

The case tests read the reference lines of the case's teaching note, so that the note, the data and
the models cannot drift apart.
"""

import re
from collections import deque
from math import erf, sqrt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hitpm_widgets.cases import load_case
from hitpm_widgets.validation import (
    CHECKLIST_STATUSES,
    PART11_CONTROLS,
    REQUIREMENT_STATUSES,
    Part11Checklist,
    TraceabilityMatrix,
    part11_controls,
)

CASE_FOLDER = Path(__file__).resolve().parents[2] / "cases" / "pharma-ctms"
DEADLINE = 150  # working days, as the narrative states
BAC = 2_600_000
PMBOK_PROBABILITIES = (0.1, 0.3, 0.5, 0.7, 0.9)
PMBOK_IMPACTS = (0.05, 0.10, 0.20, 0.40, 0.80)

# -- a small hand-made example -------------------------------------------------------------------

REQUIREMENTS = [
    {"req_id": "R1", "gxp_critical": True},
    {"req_id": "R2", "gxp_critical": False},
    {"req_id": "R3", "gxp_critical": True},
    {"req_id": "R4", "gxp_critical": False},
    {"req_id": "R5", "gxp_critical": True},
    {"req_id": "R6", "gxp_critical": False},
]
TESTS = [
    {"test_id": "T1", "covers": "R1", "status": "passed", "severity_if_failed": None},
    {"test_id": "T2", "covers": "R1; R2", "status": "failed", "severity_if_failed": "minor"},
    {"test_id": "T3", "covers": "R2", "status": "failed", "severity_if_failed": "major"},
    {"test_id": "T4", "covers": "R2", "status": "failed", "severity_if_failed": "minor"},
    {"test_id": "T5", "covers": "", "status": "passed", "severity_if_failed": None},
    {"test_id": "T6", "covers": "R9", "status": "not run", "severity_if_failed": None},
    {"test_id": "T7", "covers": "R4,R8", "status": "not run", "severity_if_failed": None},
    {"test_id": "T8", "covers": "R5", "status": "passed", "severity_if_failed": None},
    {"test_id": "T9", "covers": "R5 ; R5", "status": "passed", "severity_if_failed": None},
]


def frames(requirements=REQUIREMENTS, tests=TESTS):
    return pd.DataFrame(requirements), pd.DataFrame(tests)


@pytest.fixture
def tm():
    return TraceabilityMatrix(*frames())


def test_the_matrix_marks_each_traced_pair(tm):
    matrix = tm.matrix()
    assert matrix.shape == (6, 9)
    assert list(matrix.index) == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert list(matrix.columns) == [f"T{i}" for i in range(1, 10)]
    assert matrix.index.name == "req_id" and matrix.columns.name == "test_id"
    assert all(pd.api.types.is_bool_dtype(dtype) for dtype in matrix.dtypes)
    expected = {("R1", "T1"), ("R1", "T2"), ("R2", "T2"), ("R2", "T3"), ("R2", "T4"),
                ("R4", "T7"), ("R5", "T8"), ("R5", "T9")}
    marked = {(r, t) for r in matrix.index for t in matrix.columns if matrix.loc[r, t]}
    assert marked == expected  # unknown ids (R8, R9) get no row


def test_untested_requirements_in_order_and_gxp_critical_only(tm):
    assert tm.untested_requirements() == ["R3", "R6"]
    assert tm.untested_requirements(gxp_critical_only=True) == ["R3"]


def test_orphans_include_tests_naming_only_unknown_requirements(tm):
    assert tm.orphan_tests() == ["T5", "T6"]  # T7 names R4 as well, so it is not an orphan


def test_unknown_references_are_listed_per_test(tm):
    unknown = tm.unknown_references()
    assert list(unknown.columns) == ["test_id", "req_id"]
    assert list(unknown.itertuples(index=False, name=None)) == [("T6", "R9"), ("T7", "R8")]


def test_an_empty_unknown_references_table_keeps_its_columns():
    tm = TraceabilityMatrix(*frames(tests=[TESTS[0]]))
    unknown = tm.unknown_references()
    assert unknown.empty and list(unknown.columns) == ["test_id", "req_id"]


def test_blocking_failures_follow_severity_and_gxp_criticality(tm):
    blocking = tm.blocking_failures()
    assert list(blocking["test_id"]) == ["T2", "T3"]  # T4: minor, on a requirement that is not GxP-critical
    reasons = dict(zip(blocking["test_id"], blocking["reason"], strict=True))
    assert reasons["T2"] == "traces to GxP-critical R1"
    assert reasons["T3"] == "major deviation"
    assert list(blocking["gxp_critical_requirements"]) == ["R1", ""]
    assert list(tm.blocking_failures(("critical",))["test_id"]) == ["T2"]
    assert list(tm.blocking_failures("major")["test_id"]) == ["T2", "T3"]
    assert list(tm.blocking_failures(("critical", "major", "minor"))["test_id"]) == ["T2", "T3", "T4"]


def test_a_failed_test_without_a_severity_blocks():
    tests = [*TESTS, {"test_id": "T10", "covers": "R4", "status": "failed", "severity_if_failed": None}]
    blocking = TraceabilityMatrix(*frames(tests=tests)).blocking_failures()
    assert list(blocking["test_id"]) == ["T2", "T3", "T10"]
    assert blocking.iloc[-1]["reason"] == "no severity recorded"


def test_without_a_gxp_column_only_severity_blocks():
    requirements = [{"req_id": r["req_id"]} for r in REQUIREMENTS]
    tm = TraceabilityMatrix(*frames(requirements=requirements))
    assert not tm.has_gxp_critical
    assert list(tm.blocking_failures()["test_id"]) == ["T3"]
    assert "gxp_critical" not in tm.requirement_status().columns
    with pytest.raises(ValueError, match="needs a GxP-critical column"):
        tm.untested_requirements(gxp_critical_only=True)
    ignored = TraceabilityMatrix(*frames(), gxp_critical=None)
    assert list(ignored.blocking_failures()["test_id"]) == ["T3"]


def test_without_a_severity_column_every_failed_test_blocks():
    tests = [{k: v for k, v in t.items() if k != "severity_if_failed"} for t in TESTS]
    tm = TraceabilityMatrix(*frames(tests=tests))
    assert not tm.has_severity
    assert list(tm.blocking_failures()["test_id"]) == ["T2", "T3", "T4"]


def test_coverage_counts_tested_and_passed_requirements(tm):
    coverage = tm.coverage()
    assert (coverage.requirements, coverage.tested, coverage.passed) == (6, 4, 2)
    assert coverage.tested_share == pytest.approx(4 / 6)
    assert coverage.passed_share == pytest.approx(2 / 6)


def test_requirement_status_counts_and_classifies(tm):
    status = tm.requirement_status()
    assert list(status.index) == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert list(status["status"]) == ["failed", "failed", "untested", "incomplete", "verified", "untested"]
    assert set(status["status"]) <= set(REQUIREMENT_STATUSES)
    assert status.loc["R2", ["tests", "passed", "failed", "not_run"]].tolist() == [3, 0, 3, 0]
    assert status.loc["R1", "test_ids"] == "T1; T2"
    assert status.loc["R5", "tests"] == 2  # T9 names R5 twice; it counts once
    assert status.loc["R4", "not_run"] == 1
    assert status["gxp_critical"].tolist() == [True, False, True, False, True, False]


def test_tests_of_a_requirement_and_unknown_requirements(tm):
    assert tm.tests_of("R2") == ["T2", "T3", "T4"]
    with pytest.raises(KeyError, match="unknown requirement 'R9'; known: R1, R2"):
        tm.tests_of("R9")


def test_lists_of_dicts_custom_names_lists_in_covers_and_loose_spelling():
    tm = TraceabilityMatrix(
        [{"id": "A", "critical": False}, {"id": "B", "critical": True}],
        [{"script": "S1", "traces": ["A", "B"], "result": " Passed ", "sev": None},
         {"script": "S2", "traces": "B", "result": "FAILED", "sev": "Minor"}],
        requirement_id="id", test_id="script", covers="traces", status="result", severity="sev",
        gxp_critical="critical",
    )
    assert tm.matrix().loc["B"].tolist() == [True, True]
    assert tm.requirement_status()["status"].tolist() == ["verified", "failed"]
    assert list(tm.blocking_failures()["script"]) == ["S2"]
    assert list(tm.unknown_references().columns) == ["script", "id"]


@pytest.mark.parametrize("column", ["test_id", "covers", "status"])
def test_a_missing_test_column_is_named_with_its_table(column):
    tests = pd.DataFrame(TESTS).drop(columns=column)
    with pytest.raises(ValueError, match=f"the tests table has no column '{column}'; its columns:"):
        TraceabilityMatrix(pd.DataFrame(REQUIREMENTS), tests)


def test_a_missing_requirement_column_is_named_with_its_table():
    with pytest.raises(ValueError, match="the requirements table has no column 'req'; its columns: req_id, gxp"):
        TraceabilityMatrix(pd.DataFrame(REQUIREMENTS), pd.DataFrame(TESTS), requirement_id="req")
    with pytest.raises(ValueError, match="the requirements table has no column 'req_id'"):
        TraceabilityMatrix(pd.DataFrame({"id": ["R1"]}), pd.DataFrame(TESTS))
    with pytest.raises(ValueError, match="the requirements table has no column 'critical'"):
        TraceabilityMatrix(*frames(), gxp_critical="critical")
    with pytest.raises(ValueError, match="the tests table has no column 'sev'"):
        TraceabilityMatrix(*frames(), severity="sev")


def test_duplicate_and_empty_ids_are_refused():
    with pytest.raises(ValueError, match="requirements table repeats the 'req_id' R1"):
        TraceabilityMatrix(*frames(requirements=[*REQUIREMENTS, {"req_id": "R1", "gxp_critical": False}]))
    with pytest.raises(ValueError, match="tests table repeats the 'test_id' T1, T2"):
        TraceabilityMatrix(*frames(tests=[*TESTS, TESTS[0], TESTS[1]]))
    with pytest.raises(ValueError, match="empty 'test_id' in row 2"):
        TraceabilityMatrix(*frames(tests=[TESTS[0], {**TESTS[1], "test_id": "  "}]))
    with pytest.raises(ValueError, match="empty 'req_id' in row 1"):
        TraceabilityMatrix(*frames(requirements=[{"req_id": None, "gxp_critical": True}]))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("status", "done", "status of test 'T1' is 'done'; allowed: 'passed', 'failed', 'not run'"),
     ("status", None, "status of test 'T1' is empty; allowed:"),
     ("severity_if_failed", "blocker", "severity of test 'T1' is 'blocker'; allowed: 'critical', 'major', 'minor'")],
)
def test_bad_test_values_are_refused_with_what_is_allowed(field, value, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        TraceabilityMatrix(*frames(tests=[{**TESTS[0], field: value}, *TESTS[1:]]))


@pytest.mark.parametrize("value", ["yes", 1, None])
def test_the_gxp_flag_must_be_true_or_false(value):
    with pytest.raises(ValueError, match="'gxp_critical' of requirement 'R1' must be True or False"):
        TraceabilityMatrix(*frames(requirements=[{"req_id": "R1", "gxp_critical": value}]))


def test_unknown_blocking_severities_and_bad_tables_are_refused(tm):
    with pytest.raises(ValueError, match="blocking severity is 'high'; allowed: 'critical', 'major', 'minor'"):
        tm.blocking_failures(("critical", "high"))
    with pytest.raises(ValueError, match="the tests table must be a DataFrame or a list of dicts"):
        TraceabilityMatrix(pd.DataFrame(REQUIREMENTS), "tests.csv")
    with pytest.raises(ValueError, match="the requirements table must be a DataFrame or a list of dicts"):
        TraceabilityMatrix(["R1", "R2"], pd.DataFrame(TESTS))


# -- the Part 11 checklist -----------------------------------------------------------------------

FEATURES = pd.DataFrame({"feature_id": ["F01", "F02", "F03"], "feature": ["Audit trail", "Signature", "Export"]})


@pytest.fixture
def checklist():
    return Part11Checklist(FEATURES)


def test_the_controls_cover_part11_sections_in_order():
    ids = [c["control_id"] for c in PART11_CONTROLS]
    expected_1110 = [f"11.10({letter})" for letter in "abcdefghijk"]
    assert ids == [*expected_1110, "11.50", "11.70", "11.100", "11.200", "11.300"]
    table = part11_controls()
    assert list(table.index) == ids
    assert table.loc["11.10(e)", "section"] == "§11.10(e)"
    assert "audit trail" in table.loc["11.10(e)", "requirement"].lower()
    assert "meaning" in table.loc["11.50", "requirement"]
    assert "two distinct components" in table.loc["11.200", "requirement"]


def test_assess_and_read_back(checklist):
    checklist.assess("11.10(e)", "not met", evidence=["F01"], note="an administrator can switch it off")
    answer = checklist.assessment("§11.10(e)")
    assert (answer.status, answer.evidence, answer.note) == ("not met", ("F01",), "an administrator can switch it off")
    assert checklist.status("11.10(e)") == "not met"
    assert checklist.status("11.50") is None and checklist.assessment("11.50") is None


def test_control_ids_and_statuses_are_read_loosely(checklist):
    checklist.assess("§ 11.10 (b)", " Met ", evidence="F03")
    assert checklist.status("11.10(b)") == "met"
    assert checklist.assessment("11.10(b)").evidence == ("F03",)


def test_gaps_are_not_met_or_partly_met_in_the_regulations_order(checklist):
    checklist.assess("11.300", "partly met")
    checklist.assess("11.50", "not met", evidence=["F02", "F02"])
    checklist.assess("11.10(b)", "met")
    checklist.assess("11.10(h)", "not applicable")
    assert checklist.gaps() == ["11.50", "11.300"]
    assert checklist.assessment("11.50").evidence == ("F02",)
    assert len(checklist.unassessed()) == len(PART11_CONTROLS) - 4
    assert "11.10(b)" not in checklist.unassessed() and "11.10(a)" in checklist.unassessed()
    checklist.assess("11.300", "met")
    assert checklist.gaps() == ["11.50"]
    checklist.clear("11.50")
    assert checklist.gaps() == [] and "11.50" in checklist.unassessed()


def test_to_frame_has_one_row_a_control(checklist):
    checklist.assess("11.70", "met", evidence=["F02", "F01"], note="hash of the signed version")
    frame = checklist.to_frame()
    assert list(frame.index) == [c["control_id"] for c in PART11_CONTROLS]
    assert list(frame.columns) == ["section", "control", "status", "evidence", "note"]
    assert frame.loc["11.70"].tolist() == ["§11.70", "Signature/record linking", "met", "F02; F01",
                                           "hash of the signed version"]
    assert frame["status"].isna().sum() == len(PART11_CONTROLS) - 1


def test_unknown_controls_statuses_and_features_are_refused(checklist):
    with pytest.raises(KeyError, match=r"unknown Part 11 control '11.10\(l\)'; known: 11.10\(a\)"):
        checklist.assess("11.10(l)", "met")
    with pytest.raises(ValueError, match="status of 11.50 is 'done'; allowed: 'met', 'partly met', 'not met'"):
        checklist.assess("11.50", "done")
    with pytest.raises(KeyError, match="unknown feature 'F99' cited for 11.50; known: F01, F02, F03"):
        checklist.assess("11.50", "not met", evidence=["F01", "F99"])
    with pytest.raises(ValueError, match="evidence for 11.50 must be feature ids"):
        checklist.assess("11.50", "not met", evidence=[1])
    with pytest.raises(ValueError, match="evidence for 11.50 must be feature ids"):
        checklist.assess("11.50", "not met", evidence=5)
    with pytest.raises(ValueError, match="note on 11.50 must be text"):
        checklist.assess("11.50", "not met", note=None)
    with pytest.raises(KeyError, match="unknown Part 11 control"):
        checklist.clear("11.20")
    assert checklist.unassessed() == checklist.control_ids  # nothing was recorded by a refused call


def test_a_refused_assessment_keeps_the_earlier_answer(checklist):
    checklist.assess("11.50", "partly met", evidence=["F02"])
    with pytest.raises(KeyError):
        checklist.assess("11.50", "not met", evidence=["F42"])
    assert checklist.assessment("11.50").status == "partly met"


def test_without_features_any_evidence_id_is_accepted():
    checklist = Part11Checklist()
    assert checklist.feature_ids is None
    checklist.assess("11.10(d)", "not met", evidence=["shared accounts"])
    assert checklist.gaps() == ["11.10(d)"]
    assert Part11Checklist(["F01", "F02"]).feature_ids == ["F01", "F02"]


@pytest.mark.parametrize(
    ("features", "message"),
    [(pd.DataFrame({"id": ["F01"]}), "needs a 'feature_id' column"),
     (["F01", "F01"], "repeated: F01"),
     ("F01", "give the features as a table"),
     ([None], "non-empty text")],
)
def test_bad_feature_lists_are_refused(features, message):
    with pytest.raises(ValueError, match=message):
        Part11Checklist(features)


def test_checklist_statuses_are_the_four_the_learner_uses():
    assert CHECKLIST_STATUSES == ("met", "partly met", "not met", "not applicable")


# -- the pharma-ctms case pack -------------------------------------------------------------------

@pytest.fixture(scope="module")
def case():
    return load_case("pharma-ctms")


@pytest.fixture(scope="module")
def note():
    return (CASE_FOLDER / "teaching-note.md").read_text(encoding="utf-8").replace("\u2212", "-")


def reference_line(note: str, label: str) -> str:
    match = re.search(rf"^- \*\*{re.escape(label)}:\*\* (.+)$", note, flags=re.MULTILINE)
    assert match, f"the teaching note has no reference line {label!r}"
    return match.group(1).strip()


def reference_ids(note: str, label: str) -> list[str]:
    return [part.strip() for part in reference_line(note, label).split(",")]


def markdown_rows(note: str, first_cell: str) -> list[list[str]]:
    """The body rows of the note's tables whose first cell matches `first_cell`."""
    rows = []
    for line in note.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("|") and re.fullmatch(first_cell, cells[0]):
            rows.append(cells)
    return rows


def money(text: str) -> float:
    return float(text.replace(",", "").replace("$", "").replace("+", ""))


def test_the_case_loads_with_every_table_and_sensible_sizes(case):
    assert case.slug == "pharma-ctms"
    sizes = {name: len(table) for name, table in case.tables.items()}
    assert set(sizes) == {"requirements", "test_scripts", "risk_evidence", "schedule", "evm_monthly", "risks",
                          "part11_features",
                          # production tracking at the plant (tests/unit/test_operations_case_data.py)
                          "batches", "line_weeks"}
    assert 25 <= sizes["requirements"] <= 35
    assert 30 <= sizes["test_scripts"] <= 45
    assert 10 <= sizes["risk_evidence"] <= 14
    assert 30 <= sizes["schedule"] <= 40
    assert 12 <= sizes["part11_features"] <= 16
    assert sizes["evm_monthly"] >= 3
    for name, table in case.tables.items():
        assert case.descriptions[name], f"table {name} has no description"
        assert not table.empty


def test_the_narrative_states_the_deadline_and_the_budget(case):
    assert f"{DEADLINE} working days" in case.narrative
    assert f"${BAC:,}" in case.narrative
    assert "ICH E6(R3)" in case.narrative and "January 2025" in case.narrative
    assert "category 4" in case.narrative


def test_test_results_are_consistent(case):
    tests = case.test_scripts
    failed = tests["status"] == "failed"
    assert tests.loc[failed, "severity_if_failed"].notna().all()
    assert tests.loc[~failed, "severity_if_failed"].isna().all()
    run = tests["status"] != "not run"
    assert tests.loc[run, "executed_on"].notna().all() and tests.loc[~run, "executed_on"].isna().all()
    assert all(test_id.startswith(level) for test_id, level in zip(tests["test_id"], tests["level"], strict=True))


def schedule_network(case):
    schedule = case.schedule
    predecessors = {
        task: [p.strip() for p in (value or "").split(";") if p.strip()]
        for task, value in zip(schedule["task_id"], schedule["predecessors"], strict=True)
    }
    return schedule, predecessors


def topological_order(predecessors: dict[str, list[str]]) -> list[str]:
    waiting = {task: len(preds) for task, preds in predecessors.items()}
    successors = {task: [] for task in predecessors}
    for task, preds in predecessors.items():
        for pred in preds:
            successors[pred].append(task)
    ready = deque(task for task, count in waiting.items() if count == 0)
    order = []
    while ready:
        task = ready.popleft()
        order.append(task)
        for succ in successors[task]:
            waiting[succ] -= 1
            if waiting[succ] == 0:
                ready.append(succ)
    return order


def test_the_schedule_is_a_network_without_cycles(case):
    schedule, predecessors = schedule_network(case)
    known = set(predecessors)
    unknown = {p for preds in predecessors.values() for p in preds} - known
    assert not unknown, f"predecessors that are not tasks: {unknown}"
    order = topological_order(predecessors)
    assert len(order) == len(predecessors), "the schedule has a cycle"
    starts = [t for t, preds in predecessors.items() if not preds]
    successors = {p for preds in predecessors.values() for p in preds}
    finishes = [t for t in predecessors if t not in successors]
    assert len(starts) == 1 and len(finishes) == 1
    assert sum(len(preds) > 1 for preds in predecessors.values()) >= 5  # branches join: not one chain
    assert set(schedule["phase"]) == {"planning", "configuration", "data migration", "validation",
                                      "training", "go-live"}


def test_the_estimates_are_ordered_and_some_are_wide(case):
    schedule = case.schedule
    low, mode, high = schedule["optimistic"], schedule["most_likely"], schedule["pessimistic"]
    assert ((low <= mode) & (mode <= high)).all()
    assert (low > 0).all() and (high > low).all()
    assert ((high - low) / mode >= 1).any(), "no task has a wide spread"


def pert_forward_pass(case):
    schedule, predecessors = schedule_network(case)
    mean = dict(zip(schedule["task_id"], (schedule["optimistic"] + 4 * schedule["most_likely"]
                                          + schedule["pessimistic"]) / 6, strict=True))
    variance = dict(zip(schedule["task_id"], ((schedule["pessimistic"] - schedule["optimistic"]) / 6) ** 2,
                        strict=True))
    finish = {}
    for task in topological_order(predecessors):
        finish[task] = max((finish[p] for p in predecessors[task]), default=0.0) + mean[task]
    task = max(finish, key=finish.get)
    path = [task]
    while predecessors[task]:
        task = max(predecessors[task], key=finish.get)
        path.append(task)
    path.reverse()
    return path, sum(mean[t] for t in path), sqrt(sum(variance[t] for t in path))


def test_the_critical_path_runs_a_little_over_the_deadline_as_the_note_says(case, note):
    path, length, sigma = pert_forward_pass(case)
    assert DEADLINE < length <= DEADLINE + 5
    stated = reference_line(note, "Critical path (PERT means)")
    assert stated.startswith(f"{length:.1f} working days")
    assert f"{sigma:.2f}" in stated and stated.endswith(f"deadline of {DEADLINE}")
    assert " → ".join(path) in note.replace("\n", " ")
    chance = 0.5 * (1 + erf((DEADLINE - length) / (sigma * sqrt(2))))
    assert 0.2 <= chance <= 0.5


def test_a_monte_carlo_run_gives_a_chance_between_20_and_50_percent(case, note):
    schedule, predecessors = schedule_network(case)
    low, mode, high = (schedule[c].to_numpy() for c in ("optimistic", "most_likely", "pessimistic"))
    alpha = 1 + 4 * (mode - low) / (high - low)
    beta = 1 + 4 * (high - mode) / (high - low)
    runs = 20_000
    durations = low + np.random.default_rng(7).beta(alpha, beta, size=(runs, len(low))) * (high - low)
    column = {task: i for i, task in enumerate(schedule["task_id"])}
    finish = np.zeros_like(durations)
    for task in topological_order(predecessors):
        start = np.max([finish[:, column[p]] for p in predecessors[task]], axis=0) if predecessors[task] else 0
        finish[:, column[task]] = start + durations[:, column[task]]
    chance = float((finish.max(axis=1) <= DEADLINE).mean())
    assert 0.2 <= chance <= 0.5
    stated = re.search(r"\| beta-PERT \| [\d.]+ \| ([\d.]+) %", note)
    assert stated and abs(float(stated.group(1)) / 100 - chance) < 0.02


def test_earned_value_is_cumulative_behind_and_over_cost(case):
    evm = case.evm_monthly
    months = pd.to_datetime(evm["month"])
    assert (months.dt.day == 1).all()
    assert (months.diff().dropna().dt.days.between(28, 31)).all()
    for column in ("planned_value", "earned_value", "actual_cost"):
        assert evm[column].is_monotonic_increasing
    assert evm["planned_value"].iloc[-1] < BAC
    latest = evm.iloc[-1]
    assert 0.85 <= latest["earned_value"] / latest["actual_cost"] <= 0.92
    assert 0.80 <= latest["earned_value"] / latest["planned_value"] <= 0.90


def test_the_note_states_the_earned_value_arithmetic_of_the_latest_month(case, note):
    latest = case.evm_monthly.iloc[-1]
    pv, ev, ac = latest["planned_value"], latest["earned_value"], latest["actual_cost"]
    cpi, spi = ev / ac, ev / pv
    eac = BAC / cpi
    assert f"CV = EV - AC = {ev:,.0f} - {ac:,.0f} = {ev - ac:,.0f}" in note
    assert f"SV = EV - PV = {ev:,.0f} - {pv:,.0f} = {ev - pv:,.0f}" in note
    assert f"CPI = EV / AC = {ev:,.0f} / {ac:,.0f} = {cpi:.3f}" in note
    assert f"SPI = EV / PV = {ev:,.0f} / {pv:,.0f} = {spi:.3f}" in note
    assert f"EAC = BAC / CPI = {BAC:,.0f} / {cpi:.4f} = {eac:,.0f}" in note
    assert f"VAC = BAC - EAC = {BAC - eac:,.0f}" in note


def test_traceability_of_the_case_agrees_with_the_teaching_note(case, note):
    tm = TraceabilityMatrix(case.requirements, case.test_scripts)
    assert tm.untested_requirements() == reference_ids(note, "Requirements without any test")
    assert tm.untested_requirements(gxp_critical_only=True) == reference_ids(
        note, "GxP-critical requirements without any test")
    assert tm.orphan_tests() == reference_ids(note, "Tests that trace to no requirement")
    pairs = [tuple(p.strip() for p in pair.split("→"))
             for pair in reference_line(note, "References to requirements that do not exist").split(";")]
    assert list(tm.unknown_references().itertuples(index=False, name=None)) == pairs
    blocking = list(tm.blocking_failures()["test_id"])
    assert blocking == reference_ids(note, "Failed tests that block release")
    failed = case.test_scripts.loc[case.test_scripts["status"] == "failed", "test_id"].tolist()
    assert [t for t in failed if t not in blocking] == reference_ids(note, "Failed tests that do not block release")
    coverage = tm.coverage()
    stated = reference_line(note, "Coverage")
    assert stated.startswith(f"{coverage.tested} of {coverage.requirements} requirements "
                             f"({coverage.tested_share:.1%}".replace("%", " %"))
    assert f"{coverage.passed} of {coverage.requirements} ({coverage.passed_share:.1%}".replace("%", " %") in stated
    counts = tm.requirement_status()["status"].value_counts()
    stated_counts = dict(item.rsplit(" ", 1) for item in reference_line(note, "Requirement status").split(", "))
    assert {k: int(v) for k, v in stated_counts.items()} == {k: int(counts.get(k, 0)) for k in stated_counts}
    assert sum(int(v) for v in stated_counts.values()) == len(case.requirements)
    # The case is built to exercise every kind of gap.
    assert tm.untested_requirements(gxp_critical_only=True) and tm.orphan_tests() and blocking
    assert len(failed) > len(blocking)


def test_the_part11_reference_table_is_a_valid_checklist_with_the_stated_gaps(case, note):
    checklist = Part11Checklist(case.part11_features)
    rows = markdown_rows(note, r"§11\.\d+(\([a-k]\))?")
    for control, reference, accepted, evidence, _why in rows:
        cited = [] if evidence == "—" else [e.strip() for e in evidence.split(";")]
        checklist.assess(control, reference, evidence=cited)
        if accepted != "—":
            assert accepted in CHECKLIST_STATUSES and accepted != reference
    assert checklist.unassessed() == []
    assert checklist.gaps() == reference_ids(note, "Part 11 gaps (reference)")
    assert not case.part11_features["present"].all()  # some feature is missing outright


def test_the_risk_register_uses_the_pmbok_scales_and_adds_up(case, note):
    rows = markdown_rows(note, r"R\d+")
    assert 8 <= len(rows) <= 12
    evidence_ids = set(case.risk_evidence["evidence_id"])
    threats = opportunities = 0.0
    for risk_id, cause_risk_effect, _category, evidence, p, i, score, _response, owner, impact, emv in rows:
        assert cause_risk_effect.count("→") >= 2, f"{risk_id} is not written as cause → risk → effect"
        assert float(p) in PMBOK_PROBABILITIES and float(i) in PMBOK_IMPACTS
        assert float(score) == pytest.approx(float(p) * float(i))
        assert money(emv) == pytest.approx(float(p) * money(impact))
        assert owner
        cited = {e.strip() for e in evidence.split(";") if re.fullmatch(r"E\d+", e.strip())}
        assert cited and cited <= evidence_ids, f"{risk_id} cites unknown evidence"
        if money(emv) < 0:
            threats += money(emv)
        else:
            opportunities += money(emv)
    assert money(reference_line(note, "Total EMV of threats")) == pytest.approx(threats)
    assert money(reference_line(note, "Total EMV of opportunities")) == pytest.approx(opportunities)
    assert money(reference_line(note, "Net EMV (contingency reserve)")) == pytest.approx(threats + opportunities)


def test_ps02s_answer_key_is_the_teaching_notes_and_the_matrix_agrees(case, note):
    """ps02's graded lists and path figures: the answer key's pandas, the note's lines and the kit's tools."""
    from hitpm_widgets.grading.answer_key import load

    answers = load(CASE_FOLDER.parents[1] / "workbooks" / "ps02-ctms-risk").answers(case)
    assert answers["unverified_gxp"] == reference_ids(note, "GxP-critical requirements not yet verified")
    assert answers["retest_before_release"] == reference_ids(note, "Requirements to re-test before release")
    tm = TraceabilityMatrix(case.requirements, case.test_scripts)
    status = tm.requirement_status()
    assert answers["unverified_gxp"] == list(status.index[status["gxp_critical"] & (status["status"] != "verified")])
    # Neither list is one the matrix's own methods give (the lesson shows those on this case).
    assert answers["unverified_gxp"] != tm.untested_requirements(gxp_critical_only=True)
    assert answers["retest_before_release"] != list(status.index[status["status"] == "failed"])
    path = reference_line(note, "Interfaces path (PERT means)")
    assert path == (f"{answers['interfaces_path_te_days']:.2f} working days, σ = √Σσ² = "
                    f"{answers['interfaces_path_sd_days']:.2f}")
    doubled = reference_line(note, "Interfaces path with T13 doubled")
    assert doubled.endswith(f"a chance of {answers['interfaces_doubled_path_chance_pct']:.1f} % of 150 days")
