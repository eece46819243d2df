"""Schedule risk: PERT closed forms, the critical path, the simulation, refusals, the exercise, the widget.

Statistical checks use 100 000 draws and allow 4 standard errors (the chance that a correct
simulation falls outside is about 1 in 16 000), with the standard error taken from the exact
variance of the distribution. Every simulation is seeded, so each test gives the same draws on
every run.
"""

import html
import io
import json
import math

import numpy as np
import pandas as pd
import pytest

from hitpm_widgets.plots.schedule import (
    describe_completion_histogram,
    describe_s_curve,
    draw_completion_histogram,
    draw_s_curve,
)
from hitpm_widgets.schedule import (
    ScheduleRisk,
    critical_path,
    pert_beta_parameters,
    pert_beta_sd,
    pert_mean,
    pert_sd,
    simulate,
    task_network,
    triangular_mean,
    triangular_sd,
)

DRAWS = 100_000
STANDARD_ERRORS = 4
SEED = 7


def task(task_id, o, m, p, predecessors="", name=None):
    return {"task_id": task_id, "name": name or f"task {task_id}", "predecessors": predecessors,
            "optimistic": o, "most_likely": m, "pessimistic": p}


def within_standard_errors(simulated_mean, expected_mean, sd, draws=DRAWS):
    return abs(simulated_mean - expected_mean) <= STANDARD_ERRORS * sd / math.sqrt(draws)


EMR_PLAN = [
    task("REQ", 10, 15, 30, name="Requirements"),
    task("BLD", 20, 30, 60, "REQ", name="Build"),
    task("INT", 15, 25, 50, "REQ", name="Interfaces"),
    task("TRN", 10, 12, 20, "REQ", name="Training"),
    task("TST", 10, 15, 25, "BLD;INT", name="Testing"),
    task("GO", 2, 2, 2, "TST;TRN", name="Go-live"),
]

# -- closed forms --------------------------------------------------------------------------------


@pytest.mark.parametrize(("o", "m", "p"), [(2, 4, 12), (10, 15, 30), (5, 5, 5), (0, 1, 2), (3, 9, 9)])
def test_pert_and_triangular_formulas(o, m, p):
    assert pert_mean(o, m, p) == pytest.approx((o + 4 * m + p) / 6)
    assert pert_sd(o, m, p) == pytest.approx((p - o) / 6)
    assert triangular_mean(o, m, p) == pytest.approx((o + m + p) / 3)


@pytest.mark.parametrize(("o", "m", "p"), [(2, 4, 12), (10, 15, 30), (0, 0, 8), (3, 9, 9), (1, 5, 9)])
def test_the_pert_beta_mean_is_exactly_the_pert_mean(o, m, p):
    alpha, beta = pert_beta_parameters(o, m, p)
    assert alpha + beta == pytest.approx(6)
    assert o + (p - o) * alpha / (alpha + beta) == pytest.approx(pert_mean(o, m, p))


def test_the_pert_sigma_is_an_approximation_of_the_beta_sd():
    # Midway mode: α = β = 3, variance (P − O)² · 9 / 252, so the sd is (P − O) / √28, not (P − O) / 6.
    assert pert_beta_sd(0, 5, 10) == pytest.approx(10 / math.sqrt(28))
    assert pert_beta_sd(0, 5, 10) > pert_sd(0, 5, 10)
    assert pert_beta_sd(4, 4, 4) == 0


@pytest.mark.parametrize(("o", "m", "p"), [(2, 4, 12), (10, 15, 30), (0, 0, 8), (3, 9, 9)])
def test_a_single_pert_task_simulates_to_the_pert_mean(o, m, p):
    result = simulate([task("A", o, m, p)], DRAWS, "pert", seed=SEED)
    assert within_standard_errors(result.mean, pert_mean(o, m, p), pert_beta_sd(o, m, p))
    assert result.sd == pytest.approx(pert_beta_sd(o, m, p), rel=0.01)
    assert o <= result.durations.min() and result.durations.max() <= p


@pytest.mark.parametrize(("o", "m", "p"), [(2, 4, 12), (10, 15, 30), (0, 0, 8), (3, 9, 9)])
def test_a_single_triangular_task_simulates_to_the_triangular_mean(o, m, p):
    result = simulate([task("A", o, m, p)], DRAWS, "triangular", seed=SEED)
    assert within_standard_errors(result.mean, triangular_mean(o, m, p), triangular_sd(o, m, p))
    assert result.sd == pytest.approx(triangular_sd(o, m, p), rel=0.01)


def test_a_fixed_task_always_takes_its_duration():
    result = simulate([task("A", 4, 4, 4), task("B", 2.5, 2.5, 2.5, "A")], 1_000, seed=SEED)
    assert np.all(result.durations == 6.5)
    assert result.p50 == result.p80 == 6.5


CHAIN = [task("A", 2, 4, 12), task("B", 10, 15, 30, "A"), task("C", 5, 10, 15, "B"), task("D", 1, 2, 3, "C")]


def test_along_a_chain_the_means_add_up_and_the_variances_too():
    result = simulate(CHAIN, DRAWS, "pert", seed=SEED)
    estimates = [(t["optimistic"], t["most_likely"], t["pessimistic"]) for t in CHAIN]
    exact_sd = math.sqrt(sum(pert_beta_sd(*e) ** 2 for e in estimates))
    assert within_standard_errors(result.mean, sum(pert_mean(*e) for e in estimates), exact_sd)
    # Independent tasks: the variances add exactly; the sample sd of 100 000 draws is within 1 %.
    assert result.sd == pytest.approx(exact_sd, rel=0.01)
    # The textbook √Σσ² with σ = (P − O)/6 understates the spread of PERT-beta durations (here by
    # about 7 %, far beyond the 1 % sampling tolerance).
    assert math.sqrt(sum(pert_sd(*e) ** 2 for e in estimates)) < 0.97 * result.sd
    assert critical_path(CHAIN).expected_duration == pytest.approx(sum(pert_mean(*e) for e in estimates))


def test_parallel_branches_finish_later_than_either_branch_on_average():
    tasks = [task("A", 5, 10, 20), task("B", 5, 10, 20), task("END", 0, 0, 0, "A;B")]
    result = simulate(tasks, DRAWS, "pert", seed=SEED)
    branch_mean, branch_sd = pert_mean(5, 10, 20), pert_beta_sd(5, 10, 20)
    # Merge bias: the max of two branches exceeds both branch means, by far more than chance.
    assert result.mean > branch_mean + STANDARD_ERRORS * branch_sd / math.sqrt(DRAWS)
    assert result.mean > critical_path(tasks).expected_duration + 1


def test_a_fixed_branch_against_a_triangular_one_matches_the_closed_form():
    # B ~ triangular(0, 0, 20): P(B > 12) = (20 − 12)² / 400 = 0.16 and
    # E[max(12, B)] = 12 + ∫₁₂²⁰ (20 − x)² / 400 dx = 12 + 8³ / 1200.
    tasks = [task("A", 12, 12, 12), task("B", 0, 0, 20), task("END", 0, 0, 0, "A;B")]
    result = simulate(tasks, DRAWS, "triangular", seed=SEED)
    share_b = (20 - 12) ** 2 / 400
    index = result.criticality_index
    assert abs(index["B"] - share_b) <= STANDARD_ERRORS * math.sqrt(share_b * (1 - share_b) / DRAWS)
    assert index["A"] + index["B"] == pytest.approx(1)
    expected_mean = 12 + 8**3 / 1200
    # The sd of max(12, B) is below B's own sd, so B's sd gives a safe bound.
    assert within_standard_errors(result.mean, expected_mean, triangular_sd(0, 0, 20))
    assert result.probability_by(12) == pytest.approx(1 - share_b, abs=STANDARD_ERRORS * 0.0012)


# -- criticality index -----------------------------------------------------------------------------


def test_every_task_of_a_chain_is_always_critical():
    index = simulate(CHAIN, 5_000, seed=SEED).criticality_index
    assert list(index.index) == ["A", "B", "C", "D"]
    assert (index == 1).all()
    assert index.name == "criticality_index"


def test_two_branches_share_the_criticality():
    tasks = [task("S", 1, 2, 3), task("A", 5, 10, 20, "S"), task("B", 6, 10, 18, "S"),
             task("E", 1, 1, 2, "A;B")]
    index = simulate(tasks, 20_000, seed=SEED).criticality_index
    assert index["S"] == 1 and index["E"] == 1
    assert index["A"] + index["B"] == pytest.approx(1)
    assert 0.2 < index["A"] < 0.8


def test_a_dominated_branch_is_never_critical():
    tasks = [task("S", 1, 2, 3), task("LONG", 30, 35, 40, "S"), task("SHORT", 5, 10, 20, "S"),
             task("E", 1, 1, 2, "LONG;SHORT")]
    index = simulate(tasks, 5_000, seed=SEED).criticality_index
    assert index["LONG"] == 1 and index["SHORT"] == 0


def test_exactly_one_task_of_every_cut_through_the_network_is_on_the_longest_path():
    # Every path from start to finish crosses {BLD, INT, TRN} once, and {TST, TRN} once.
    index = simulate(EMR_PLAN, 20_000, seed=SEED).criticality_index
    assert index["BLD"] + index["INT"] + index["TRN"] == pytest.approx(1)
    assert index["TST"] + index["TRN"] == pytest.approx(1)
    assert index["REQ"] == 1 and index["GO"] == 1
    assert index["BLD"] > index["INT"] > 0


def test_two_last_tasks_share_the_criticality_too():
    tasks = [task("S", 1, 2, 3), task("A", 5, 10, 20, "S"), task("B", 5, 10, 20, "S")]
    result = simulate(tasks, 20_000, seed=SEED)
    assert result.criticality_index["A"] + result.criticality_index["B"] == pytest.approx(1)
    assert result.criticality_index["S"] == 1


# -- repeatability and reading the result -----------------------------------------------------


def test_the_same_seed_gives_the_same_result_and_another_seed_does_not():
    first = simulate(EMR_PLAN, 10_000, seed=SEED)
    again = simulate(EMR_PLAN, 10_000, seed=SEED)
    other = simulate(EMR_PLAN, 10_000, seed=SEED + 1)
    assert np.array_equal(first.durations, again.durations)
    assert first.criticality_index.equals(again.criticality_index)
    assert not np.array_equal(first.durations, other.durations)


def test_a_fresh_seed_is_recorded_so_the_run_can_be_repeated():
    fresh = simulate(EMR_PLAN, 2_000)
    assert np.array_equal(simulate(EMR_PLAN, 2_000, seed=fresh.seed).durations, fresh.durations)


def test_changing_one_estimate_leaves_the_other_tasks_draws_alone():
    before = simulate(EMR_PLAN, 5_000, seed=SEED).to_frame()
    after = simulate(task_network(EMR_PLAN).with_estimate("BLD", 25, 35, 70), 5_000, seed=SEED).to_frame()
    unchanged = [t for t in before.index if t != "BLD"]
    assert (before.loc[unchanged, "simulated_mean"] == after.loc[unchanged, "simulated_mean"]).all()
    assert after.loc["BLD", "simulated_mean"] > before.loc["BLD", "simulated_mean"]


def test_the_chance_of_meeting_a_deadline_grows_with_the_deadline():
    result = simulate(EMR_PLAN, 10_000, seed=SEED)
    days = np.linspace(result.durations.min() - 5, result.durations.max() + 5, 60)
    chances = [result.probability_by(d) for d in days]
    assert all(a <= b for a, b in zip(chances, chances[1:], strict=False))
    assert chances[0] == 0 and chances[-1] == 1
    assert result.probability_by(result.p80) >= 0.8
    assert result.probability_by(result.p50) >= 0.5
    assert result.percentile(0) == result.durations.min() and result.percentile(100) == result.durations.max()
    assert result.p50 < result.p80


def test_summaries():
    result = simulate(EMR_PLAN, 4_000, "triangular", seed=SEED)
    frame = result.to_frame()
    assert list(frame.index) == [t["task_id"] for t in EMR_PLAN]
    assert list(frame.columns) == ["name", "optimistic", "most_likely", "pessimistic", "expected",
                                   "simulated_mean", "criticality_index"]
    assert frame.loc["BLD", "expected"] == pytest.approx(triangular_mean(20, 30, 60))
    summary = result.summary()
    assert summary["p80"] == result.p80 and summary["iterations"] == 4_000
    assert summary["distribution"] == "triangular"
    assert summary["min"] <= summary["p10"] <= summary["p50"] <= summary["p90"] <= summary["max"]


# -- the deterministic critical path ---------------------------------------------------------------


def test_forward_and_backward_pass():
    tasks = [task("A", 3, 3, 3), task("B", 4, 4, 4, "A"), task("C", 1, 1, 1, "A"), task("D", 2, 2, 2, "B;C")]
    path = critical_path(tasks)
    frame = path.frame
    assert path.expected_duration == 9
    assert path.task_ids == ("A", "B", "D") and path.path == ("A", "B", "D")
    assert frame.loc["C", "earliest_start"] == 3 and frame.loc["C", "latest_start"] == 6
    assert frame.loc["C", "slack"] == 3 and not frame.loc["C", "critical"]
    assert frame.loc["D", "earliest_start"] == 7 and frame.loc["D", "latest_finish"] == 9
    assert (frame.loc[["A", "B", "D"], "slack"] == 0).all()
    # The path's σ is the learner's to compute (a workbook grades it): no tool returns it.
    assert not hasattr(path, "sd")


def test_the_critical_path_uses_pert_means_and_sigma():
    path = critical_path(EMR_PLAN)
    means = {t["task_id"]: pert_mean(t["optimistic"], t["most_likely"], t["pessimistic"]) for t in EMR_PLAN}
    # Build (tE 33.3) is longer than Interfaces (27.5), so the path runs through Build.
    assert path.path == ("REQ", "BLD", "TST", "GO")
    assert path.expected_duration == pytest.approx(means["REQ"] + means["BLD"] + means["TST"] + means["GO"])
    assert path.frame.loc["INT", "slack"] == pytest.approx(means["BLD"] - means["INT"])


def test_a_table_read_from_csv_with_numeric_ids():
    text = ("task_id,name,predecessors,optimistic,most_likely,pessimistic\n"
            "1,Plan,,1,2,3\n2,Build,1,2,3,4\n3,Test,1;2,1,1,1\n")
    frame = pd.read_csv(io.StringIO(text))
    network = task_network(frame)
    assert network.task_ids == ["1", "2", "3"]
    assert network.task("3").predecessors == ("1", "2")
    assert critical_path(frame).task_ids == ("1", "2", "3")
    indexed = task_network(frame.set_index("task_id"))
    assert indexed.task_ids == ["1", "2", "3"]
    # One predecessor each: the CSV reader makes the column numbers (1.0, 2.0 beside a blank).
    chain = pd.read_csv(io.StringIO("task_id,name,predecessors,optimistic,most_likely,pessimistic\n"
                                    "1,Plan,,1,2,3\n2,Build,1,2,3,4\n3,Test,2,1,1,1\n"))
    assert chain["predecessors"].dtype == float
    assert task_network(chain).task("3").predecessors == ("2",)


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tasks", "message"),
    [
        ([task("A", 1, 2, 3), task("B", 1, 2, 3, "A;X")], "task 'B' names an unknown predecessor 'X'"),
        ([task("A", 1, 2, 3, "C"), task("B", 1, 2, 3, "A"), task("C", 1, 2, 3, "B"), task("D", 1, 1, 1)],
         "cycle.*A → B → C → A"),
        ([task("A", 1, 2, 3, "A")], "cycle: task 'A' lists itself"),
        ([task("A", 1, 2, 3), task("A", 2, 3, 4)], "unique; 'A' is used more than once"),
        ([task("A", 3, 2, 4)], "task 'A' must have optimistic ≤ most likely ≤ pessimistic; got O = 3, M = 2"),
        ([task("A", 1, 5, 4)], "task 'A' must have optimistic ≤ most likely ≤ pessimistic"),
        ([task("A", -1, 2, 3)], "optimistic duration of task 'A' must be 0 or more"),
        ([task("A", 1, "2", 3)], "most likely duration of task 'A' must be a number"),
        ([task("A", 1, 2, True)], "pessimistic duration of task 'A' must be a number"),
        ([task("A", 1, 2, math.inf)], "pessimistic duration of task 'A' must be a finite number"),
        ([task("A", 1, None, 3)], "most likely duration of task 'A' is missing"),
        ([task("A", 1, 2, 3), task("B", 1, 2, 3, "A;A")],
         "task 'B' lists the predecessor 'A' more than once"),
        ([task("A;B", 1, 2, 3)], "must not contain ';'"),
        ([task("", 1, 2, 3)], "must not be empty"),
        ([{"task_id": "A", "optimistic": 1, "most_likely": 2, "pessimistic": 3}], "has no predecessors"),
        ([], "at least one task"),
        ("A;B", "a table"),
        ({"task_id": "A"}, "a table"),
        ([["A", 1, 2, 3]], "task 1 must be a dict"),
    ],
)
def test_bad_task_tables_are_refused_naming_the_task(tasks, message):
    with pytest.raises(ValueError, match=message):
        task_network(tasks)


def test_a_cycle_is_named_even_with_tasks_hanging_off_it():
    tasks = [task("START", 1, 1, 1), task("X", 1, 2, 3, "START;Z"), task("Y", 1, 2, 3, "X"),
             task("Z", 1, 2, 3, "Y"), task("AFTER", 1, 2, 3, "Z")]
    with pytest.raises(ValueError, match="X → Y → Z → X") as raised:
        task_network(tasks)
    assert "AFTER" not in str(raised.value) and "START" not in str(raised.value)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"distribution": "normal"}, "unknown distribution 'normal'; one of: pert, triangular"),
        ({"iterations": 0}, "from 1 to 1,000,000"),
        ({"iterations": 2_000_000}, "from 1 to 1,000,000"),
        ({"iterations": 10.5}, "whole number"),
        ({"iterations": True}, "whole number"),
        ({"seed": -1}, "seed must be a whole number, 0 or more"),
        ({"seed": "abc"}, "seed must be a whole number"),
    ],
)
def test_bad_simulation_settings_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        simulate(CHAIN, **arguments)


def test_bad_questions_to_a_result_are_refused():
    result = simulate(CHAIN, 100, seed=SEED)
    for q in (-1, 101, "50", None):
        with pytest.raises(ValueError, match="percentile must be a number from 0 to 100"):
            result.percentile(q)
    for deadline in (-1, math.nan, "30"):
        with pytest.raises(ValueError, match="deadline must be"):
            result.probability_by(deadline)
    with pytest.raises(ValueError, match="optimistic ≤ most likely ≤ pessimistic"):
        pert_mean(5, 3, 4)


# -- the exercise --------------------------------------------------------------------------------


@pytest.fixture
def risk():
    return ScheduleRisk(None, EMR_PLAN, deadline_days=70, iterations=5_000, seed=SEED)


def test_revising_estimates_and_the_deadline(risk):
    planned = risk.probability_of_meeting_deadline()
    risk.set_estimate("BLD", most_likely=25, pessimistic=40)
    assert risk.estimate("BLD") == (20, 25, 40)
    assert risk.changed_tasks == ["BLD"]
    assert risk.network.task("BLD").pert_mean == pytest.approx(pert_mean(20, 25, 40))
    assert risk.probability_of_meeting_deadline() > planned
    risk.set_deadline(90)
    assert risk.deadline_days == 90
    assert risk.probability_of_meeting_deadline() == risk.result.probability_by(90)
    risk.reset_estimate("BLD")
    assert risk.changed_tasks == [] and risk.estimate("BLD") == (20, 30, 60)


def test_an_estimate_set_back_to_the_plan_is_no_change(risk):
    original = risk.result.durations.copy()
    risk.set_estimate("INT", pessimistic=70)
    risk.set_estimate("INT", pessimistic=50)
    assert risk.changed_tasks == []
    assert np.array_equal(risk.result.durations, original)


def test_the_simulation_is_cached_until_estimates_or_distribution_change(risk):
    first = risk.result
    assert risk.result is first
    risk.set_deadline(65)
    assert risk.result is first
    risk.set_estimate("TRN", optimistic=11)
    second = risk.result
    assert second is not first
    risk.set_distribution("triangular")
    assert risk.result is not second and risk.result.distribution == "triangular"


def test_the_exercise_refuses_bad_answers(risk):
    with pytest.raises(KeyError, match="unknown task 'XYZ'; known: REQ, BLD, INT, TRN, TST, GO"):
        risk.set_estimate("XYZ", optimistic=1)
    with pytest.raises(KeyError, match="unknown task"):
        risk.reset_estimate("XYZ")
    with pytest.raises(ValueError, match="task 'BLD' must have optimistic ≤ most likely ≤ pessimistic"):
        risk.set_estimate("BLD", optimistic=45)
    with pytest.raises(ValueError, match="give at least one"):
        risk.set_estimate("BLD")
    with pytest.raises(ValueError, match="must be 0 or more"):
        risk.set_estimate("BLD", optimistic=-2)
    for days in (0, -5, "70", math.inf):
        with pytest.raises(ValueError, match="deadline must be"):
            risk.set_deadline(days)
    with pytest.raises(ValueError, match="one of: pert, triangular"):
        risk.set_distribution("beta")
    assert risk.changed_tasks == [] and risk.deadline_days == 70 and risk.distribution == "pert"
    with pytest.raises(ValueError, match="deadline must be"):
        ScheduleRisk(None, EMR_PLAN, deadline_days=0)


def test_the_exercise_table(risk):
    risk.set_estimate("TRN", pessimistic=80)
    frame = risk.to_frame()
    assert list(frame.index) == ["REQ", "BLD", "INT", "TRN", "TST", "GO"]
    assert frame.loc["TRN", "changed"] and not frame.loc["BLD", "changed"]
    assert frame.loc["TST", "predecessors"] == "BLD;INT"
    assert frame.loc["REQ", "critical"] and frame.loc["REQ", "criticality_index"] == 1
    summary = risk.summary()
    assert summary["deadline_days"] == 70 and summary["changed_tasks"] == 1
    assert summary["probability_of_meeting_deadline"] == risk.probability_of_meeting_deadline()


def test_the_answer_is_durable(tmp_path):
    first = ScheduleRisk("emr-schedule", EMR_PLAN, deadline_days=70, iterations=3_000, directory=tmp_path)
    first.set_estimate("BLD", optimistic=22, most_likely=28, pessimistic=45)
    first.set_deadline(75)
    first.set_distribution("triangular")
    saved = json.loads((tmp_path / ".hitpm" / "answers" / "emr-schedule.json").read_text(encoding="utf-8"))
    assert saved["kind"] == "ScheduleRisk"
    assert saved["model"]["estimates"] == {"BLD": {"optimistic": 22, "most_likely": 28, "pessimistic": 45}}

    again = ScheduleRisk("emr-schedule", EMR_PLAN, deadline_days=70, iterations=3_000, directory=tmp_path)
    assert again.estimate("BLD") == (22, 28, 45)
    assert again.deadline_days == 75 and again.distribution == "triangular"
    assert again.changed_tasks == ["BLD"]
    # The default seed is fixed, so a re-run (or nbgrader's autograde) sees the same figures.
    assert np.array_equal(again.result.durations, first.result.durations)
    assert again.probability_of_meeting_deadline() == first.probability_of_meeting_deadline()


def test_a_tampered_answer_is_set_aside(tmp_path, capsys):
    first = ScheduleRisk("emr-schedule", EMR_PLAN, deadline_days=70, directory=tmp_path)
    first.set_estimate("BLD", pessimistic=40)
    path = tmp_path / ".hitpm" / "answers" / "emr-schedule.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["model"]["estimates"]["BLD"]["optimistic"] = 99
    path.write_text(json.dumps(record), encoding="utf-8")
    again = ScheduleRisk("emr-schedule", EMR_PLAN, deadline_days=70, directory=tmp_path)
    assert again.changed_tasks == [] and again.saving_problem
    assert path.with_name("emr-schedule.json.bak").exists()
    assert "starts fresh" in capsys.readouterr().out


def test_saved_estimates_of_tasks_not_in_the_plan_are_kept(tmp_path):
    first = ScheduleRisk("emr-schedule", EMR_PLAN, deadline_days=70, directory=tmp_path)
    first.set_estimate("GO", optimistic=1, most_likely=2, pessimistic=5)
    shorter = ScheduleRisk("emr-schedule", EMR_PLAN[:5], deadline_days=70, directory=tmp_path)
    shorter.set_deadline(80)
    again = ScheduleRisk("emr-schedule", EMR_PLAN, deadline_days=70, directory=tmp_path)
    assert again.estimate("GO") == (1, 2, 5) and again.deadline_days == 80


# -- plots ---------------------------------------------------------------------------------------


def test_the_figures_mark_p50_p80_and_the_deadline_by_line_style_and_label():
    result = simulate(EMR_PLAN, 5_000, seed=SEED)
    for draw in (draw_completion_histogram, draw_s_curve):
        axes = draw(result, 70).axes[0]
        labels = [line.get_label() for line in axes.get_lines()]
        marks = {label.split(":")[0]: line for label, line in zip(labels, axes.get_lines(), strict=True)
                 if label.startswith(("P50", "P80", "deadline"))}
        assert set(marks) == {"P50", "P80", "deadline"}
        assert len({line.get_linestyle() for line in marks.values()}) == 3
        assert {text.get_text() for text in axes.texts} >= {"P50", "P80", "deadline"}
    chance = result.probability_by(70)
    for describe in (describe_completion_histogram, describe_s_curve):
        text = describe(result, 70)
        assert f"P50 {result.p50:.1f} working days" in text and f"P80 {result.p80:.1f}" in text
        assert f"{chance:.0%} chance" in text
    assert "deadline" not in describe_s_curve(result)


# -- the widget ----------------------------------------------------------------------------------


def test_the_widget_writes_the_model():
    risk = ScheduleRisk(None, EMR_PLAN, deadline_days=70, iterations=3_000, seed=SEED)
    view = risk.widget
    view.picker.value = "BLD"
    assert (view.optimistic.value, view.most_likely.value, view.pessimistic.value) == (20, 30, 60)
    assert "Build" in view.task_info.value
    view.pessimistic.value = 45  # what typing a number and pressing Enter does
    assert risk.estimate("BLD") == (20, 30, 45)
    view.most_likely.value = 50  # more than P: refused, shown, the model keeps its answer
    assert risk.estimate("BLD") == (20, 30, 45)
    assert "task 'BLD' must have optimistic ≤ most likely ≤ pessimistic" in html.unescape(view.status.value)
    view.pessimistic.value = 55
    assert risk.estimate("BLD") == (20, 50, 55)
    assert "Scratch exercise" in view.status.value
    view.reset_button.click()
    assert risk.estimate("BLD") == (20, 30, 60) and view.most_likely.value == 30
    view.deadline.value = 80
    assert risk.deadline_days == 80
    chance = risk.probability_of_meeting_deadline()
    assert f"Chance of meeting the deadline (80 days): {chance:.0%}" in view.figures.value
    view.deadline.value = 0
    assert risk.deadline_days == 80 and "more than 0" in view.status.value
    view.distribution.value = "triangular"
    assert risk.distribution == "triangular"
    assert f"P80 {risk.result.p80:.1f} days" in view.figures.value


def test_the_widget_follows_changes_made_in_code():
    risk = ScheduleRisk(None, EMR_PLAN, deadline_days=70, iterations=3_000, seed=SEED)
    view = risk.widget
    risk.set_estimate("REQ", optimistic=12)
    assert view.optimistic.value == 12
    risk.set_deadline(66)
    assert view.deadline.value == 66
    assert "deadline 66 working days, with a" in view.histogram.value
    assert view.s_curve.value.startswith('<img src="data:image/png;base64,')
    top = risk.result.criticality_index.sort_values(ascending=False, kind="stable").index[0]
    assert risk.plan.task(top).name in view.criticality.value


def test_a_bad_picker_value_never_raises_into_the_notebook():
    risk = ScheduleRisk(None, EMR_PLAN, deadline_days=70, iterations=1_000, seed=SEED)
    view = risk.widget
    view.apply(risk.set_estimate, "NOPE", optimistic=1)
    assert "unknown task 'NOPE'; known: REQ" in html.unescape(view.status.value)


def test_displaying_the_model_shows_the_widget(risk):
    assert "application/vnd.jupyter.widget-view+json" in risk._repr_mimebundle_()
