"""Per-learner case variants: the generators keep each case's teaching point over many seeds, and the
learner's variant is chosen, recorded and read back as hitpm_widgets/variants.py promises."""

import dataclasses
import json
import math
import subprocess
import sys
from math import erf, sqrt

import pytest

from hitpm_widgets import EarnedValueSeries, KanbanBoard, critical_path, load_case, simulate
from hitpm_widgets import variants as v
from hitpm_widgets.agile import burndown, velocity
from hitpm_widgets.cases import CaseDataError, apply_variant
from hitpm_widgets.schedule import DEFAULT_SEED

from ..conftest import FIXTURES, REPO

SEEDS = range(200)
# Each Harbourlight draw runs two 20,000-run simulations of 37 activities (about half a second): fewer seeds.
CTMS_SEEDS = range(100)
PS02, PS04 = ("ps02-ctms-risk", "pharma-ctms"), ("ps04-emr-schedule-and-value", "emr-rollout")
PS02_REFERENCE = json.loads((FIXTURES / "ps02_reference.json").read_text())
PS04_REFERENCE = json.loads((FIXTURES / "ps04_reference.json").read_text())
COLUMNS, LIMITS = PS04_REFERENCE["kanban"]["columns"], PS04_REFERENCE["kanban"]["wip_limits"]


@pytest.fixture(autouse=True)
def no_class(monkeypatch):
    for name in (v.LEARNER_ENV, v.HUB_USER_ENV, v.COURSE_ENV, v.KEY_ENV):
        monkeypatch.delenv(name, raising=False)


def variant_case(slug, seed):
    published = load_case(slug)
    parameters = v.generator(published).generate(published, seed)
    variant = v.Variant("learner", "assignment", "course", slug, 1, seed, parameters)
    return load_case(slug, variant=variant)


@pytest.fixture(scope="module")
def ctms_variants():
    return [variant_case("pharma-ctms", seed) for seed in CTMS_SEEDS]


@pytest.fixture(scope="module")
def emr_variants():
    return [variant_case("emr-rollout", seed) for seed in SEEDS]


# -- the generators, over 200 seeds ----------------------------------------------------------------------


def test_ctms_impacts_stay_in_their_cost_band_and_the_reference_reserve_stays_above_the_sponsors(ctms_variants):
    published = load_case("pharma-ctms").risks.set_index("id")
    reference = PS02_REFERENCE["register"]
    reserves = set()
    for case in ctms_variants:
        risks = case.risks.set_index("id")
        assert list(risks.index) == list(published.index)
        for risk_id, amount in risks["monetary_impact"].items():
            before = published.loc[risk_id, "monetary_impact"]
            assert 0 < amount and 0.8 * before - 2_500 <= amount <= 1.2 * before + 2_500 and amount % 5_000 == 0
            bands = [sum(x >= edge for edge in (260_000, 520_000, 1_040_000)) for x in (amount, before)]
            assert bands[0] == bands[1]
        threats = risks[risks["kind"] == "threat"]
        reserve = sum(reference[r]["probability"] * threats.loc[r, "monetary_impact"] for r in threats.index)
        assert reserve > 300_000  # the sponsor's $200,000 is not enough in any variant
        reserves.add(reserve)
    assert len(reserves) > 50  # the numbers do change (in steps of $5,000)


def test_ctms_schedule_keeps_its_critical_path_an_unlikely_date_merge_bias_and_the_interfaces(ctms_variants):
    published = load_case("pharma-ctms").schedule
    path = critical_path(published).path
    chances = []
    for case in ctms_variants:
        tasks = case.schedule
        assert (tasks["optimistic"] >= 1).all()
        assert ((tasks["optimistic"] <= tasks["most_likely"]) & (tasks["most_likely"] < tasks["pessimistic"])).all()
        t13 = tasks.set_index("task_id").loc["T13"]
        assert (t13["optimistic"], t13["most_likely"], t13["pessimistic"]) == (14, 20, 40)  # printed doubled in ps02
        assert (tasks[["task_id", "predecessors", "name"]].equals(published[["task_id", "predecessors", "name"]]))
        cp = critical_path(tasks)
        assert cp.path == path
        chance = simulate(tasks, 20_000, seed=DEFAULT_SEED).probability_by(150)
        alone = 0.5 * (1 + erf((150 - cp.expected_duration) / cp.sd / sqrt(2)))
        assert 0.2 <= chance <= 0.5 and alone > chance
        doubled = tasks.copy()
        doubled.loc[doubled["task_id"] == "T13", ["optimistic", "most_likely", "pessimistic"]] *= 2
        assert simulate(doubled, 20_000, seed=DEFAULT_SEED).probability_by(150) <= chance - 0.15
        chances.append(round(chance, 3))
    assert len(set(chances)) > 60


def test_ctms_cost_performance_stays_below_1_and_no_cost_is_negative(ctms_variants):
    for case in ctms_variants:
        monthly = case.evm_monthly
        assert (monthly["actual_cost"] > 0).all()
        assert (monthly["earned_value"] / monthly["actual_cost"] < 1).all()


def test_emr_go_live_keeps_training_critical_the_path_under_50_days_and_a_real_chance(emr_variants):
    published = load_case("emr-rollout").golive_tasks
    for case in emr_variants:
        tasks = case.golive_tasks
        assert ((tasks["optimistic"] <= tasks["most_likely"]) & (tasks["most_likely"] <= tasks["pessimistic"])).all()
        assert (tasks["optimistic"] >= 1).all() and tasks["predecessors"].equals(published["predecessors"])
        cp = critical_path(tasks)
        assert cp.path == tuple(PS04_REFERENCE["schedule"]["critical_path"])
        assert 45 <= cp.expected_duration < 50
        assert (cp.frame.drop(index=list(cp.path))["slack"] >= 5).all()
        by_id = tasks.set_index("task_id")
        summed = sum((by_id.loc[t, "pessimistic"] - by_id.loc[t, "optimistic"]) / 6 for t in cp.path)
        assert summed - cp.sd > 0.3  # σ summed instead of √Σσ² stays a visible mistake
        assert 0.45 <= simulate(tasks, seed=DEFAULT_SEED).probability_by(50) <= 0.88


def test_emr_earned_value_keeps_a_systematic_overrun_a_sliding_spi_and_the_work_packages_sum(emr_variants):
    published = load_case("emr-rollout")
    cpis = set()
    for case in emr_variants:
        tasks, monthly = case.status_tasks, case.evm_monthly
        assert tasks["budget"].sum() == 14_400_000 and (tasks["actual_cost"] >= 0).all()
        assert monthly["planned_value"].equals(published.evm_monthly["planned_value"])
        assert (tasks["percent_complete"] <= tasks["planned_percent"]).all()
        training = tasks.set_index("task_id").loc["WP08"]
        assert (training["planned_percent"], training["percent_complete"]) == (45, 38)
        march = EarnedValueSeries(monthly, bac=14_400_000).latest
        assert march.pv == (tasks["budget"] * tasks["planned_percent"] / 100).sum()
        assert march.ev == (tasks["budget"] * tasks["percent_complete"] / 100).sum()
        assert march.ac == tasks["actual_cost"].sum()
        cpi = monthly["earned_value"] / monthly["actual_cost"]
        spi = monthly["earned_value"] / monthly["planned_value"]
        assert (cpi < 1).all() and (cpi - march.cpi).abs().max() <= 0.02
        assert (spi.diff().iloc[1:] < 0).all()
        assert march.tcpi_bac > 1.1
        # The one-off forecast is the lowest; the two the workbook accepts stay above it.
        assert march.eac["atypical"] < min(march.eac["cpi"], march.eac["cpi_spi"])
        cpis.add(round(march.cpi, 3))
    assert len(cpis) > 30


def test_emr_story_points_stay_on_the_scale_and_sprint_6_still_finishes_less_than_it_committed(emr_variants):
    for case in emr_variants:
        stories = case.sprint_stories
        assert set(stories["points"]) <= {1, 2, 3, 5, 8, 13}
        velocities = velocity(stories, case.sprints)["velocity"]
        last = case.sprints.iloc[-1]
        committed = burndown(stories[stories["sprint"] == last["sprint"]], last["start"], last["end"])["scope"].iloc[0]
        assert committed - velocities.iloc[-1] >= 3
        assert math.ceil(75 / velocities.iloc[-3:].mean()) == 3


def test_emr_board_moves_only_done_earlier_in_working_hours_within_its_wip_limits_and_littles_law(emr_variants):
    published = load_case("emr-rollout").kanban_events
    cycle_times = set()
    for case in emr_variants:
        events = case.kanban_events
        assert events[["card_id", "column"]].equals(published[["card_id", "column"]])
        moved = events["at"] != published["at"]
        assert (events.loc[moved, "column"] == "done").all()
        assert (events.loc[moved, "at"] < published.loc[moved, "at"]).all()
        at = events["at"].str.slice(11)
        assert ((at >= "08:00") & (at <= "18:00")).all()
        board = KanbanBoard.from_events(events, COLUMNS, LIMITS)
        for _card, history in events.groupby("card_id", sort=False):
            assert list(history["at"]) == sorted(history["at"])  # a card's moves keep their order
        law = board.littles_law()
        assert abs(law["relative_gap"]) <= 0.10
        cycle_times.add(round(law["average_cycle_days"], 2))
    assert len(cycle_times) > 50


# -- choosing, recording and reading back the learner's variant -------------------------------------------


def test_the_seed_is_a_keyed_hash_of_course_assignment_and_learner():
    base = v.seed_for("ps04", "alice", course="c", key="k")
    assert base == v.seed_for("ps04", "alice", course="c", key="k") and 0 <= base < 2**63
    others = {v.seed_for("ps04", "bob", course="c", key="k"), v.seed_for("ps02", "alice", course="c", key="k"),
              v.seed_for("ps04", "alice", course="d", key="k"), v.seed_for("ps04", "alice", course="c", key="l")}
    assert base not in others and len(others) == 4


def test_the_learner_is_hitpm_learner_else_the_hub_user_else_the_os_user(monkeypatch):
    import getpass

    assert v.learner() == getpass.getuser()
    monkeypatch.setenv("JUPYTERHUB_USER", "hubuser")
    assert v.learner() == "hubuser" and not v.in_class()  # a hub alone is no class
    monkeypatch.setenv("HITPM_LEARNER", "alice")
    assert v.learner() == "alice" and v.in_class()


def test_self_paced_keeps_the_published_numbers_and_writes_nothing(tmp_path):
    case = v.case_for(*PS04, tmp_path)
    assert case.variant is None
    assert case.golive_tasks.equals(load_case("emr-rollout").golive_tasks)
    assert not (tmp_path / ".hitpm").exists()


def test_in_a_class_the_variant_is_recorded_once_and_read_back_whatever_the_generator_becomes(tmp_path,
                                                                                                monkeypatch):
    monkeypatch.setenv("HITPM_LEARNER", "alice")
    case = v.case_for(*PS04, tmp_path)
    record = json.loads((tmp_path / v.VARIANT_FILE).read_text())
    assert record["learner"] == "alice" and record["assignment"] == PS04[0] and record["course"] == "hitpm"
    assert record["seed"] == v.seed_for(PS04[0], "alice") and record["generator_version"] == 1
    assert not case.golive_tasks.equals(load_case("emr-rollout").golive_tasks)
    module = v.generator(case)
    monkeypatch.setattr(module, "generate", lambda case, seed: {})  # a later generator
    again = v.case_for(*PS04, tmp_path)
    assert again.golive_tasks.equals(case.golive_tasks) and again.variant == case.variant


def test_two_learners_get_different_numbers_and_a_source_folder_records_nothing(tmp_path, monkeypatch):
    (tmp_path / ".hitpm-source").write_text("")
    figures = {}
    for name in ("alice", "bob"):
        monkeypatch.setenv("HITPM_LEARNER", name)
        case = v.case_for(*PS02, tmp_path / name)
        figures[name] = list(case.risks["monetary_impact"])
    assert figures["alice"] != figures["bob"]
    assert not list(tmp_path.rglob("variant.json"))


def test_a_recorded_variant_of_another_learner_gives_way_to_the_submitting_learners(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HITPM_LEARNER", "bob")
    bobs = v.case_for(*PS04, tmp_path)
    monkeypatch.setenv("HITPM_LEARNER", "carol")
    carols = v.case_for(*PS04, tmp_path)
    assert carols.variant.learner == "carol" and carols.variant.seed == v.seed_for(PS04[0], "carol")
    assert not carols.evm_monthly.equals(bobs.evm_monthly)
    assert "the recorded variant is bob's; these are carol's numbers" in capsys.readouterr().out
    assert json.loads((tmp_path / v.VARIANT_FILE).read_text())["learner"] == "bob"  # written once, left alone


def test_stock_autograde_takes_the_learner_from_its_folder(tmp_path, monkeypatch):
    bob = tmp_path / "autograded" / "bob" / PS04[0]
    bob.mkdir(parents=True)
    monkeypatch.setenv("HITPM_LEARNER", "bob")
    bobs = v.case_for(*PS04, bob)
    carol = tmp_path / "autograded" / "carol" / PS04[0]
    carol.mkdir(parents=True)
    (carol / ".hitpm").mkdir()
    (carol / v.VARIANT_FILE).write_text((bob / v.VARIANT_FILE).read_text())
    monkeypatch.delenv("HITPM_LEARNER")
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert v.learner_variant(*PS04, bob) == bobs.variant  # honest: as recorded
    assert v.learner_variant(*PS04, carol).learner == "carol"  # bob's folder handed in by carol
    monkeypatch.setenv("HITPM_LEARNER", "the instructor")
    assert v.learner_variant(*PS04, carol).learner == "carol"  # the folder names the student, not the shell
    monkeypatch.delenv("NBGRADER_EXECUTION")
    monkeypatch.delenv("HITPM_LEARNER")
    assert v.learner_variant(*PS04, carol).learner == "bob"  # carol working in bob's copy sees its numbers


def test_an_unusable_record_is_reported_on_stdout_and_not_used(tmp_path, monkeypatch, capsys):
    (tmp_path / ".hitpm").mkdir()
    (tmp_path / v.VARIANT_FILE).write_text("{not json")
    assert v.learner_variant(*PS04, tmp_path) is None
    assert "cannot be used" in capsys.readouterr().out


def test_a_variant_names_only_tables_rows_and_columns_the_case_has():
    case = load_case("emr-rollout")
    for parameters, problem in (({"nope": {}}, "table 'nope'"), ({"golive_tasks": {"G99": {}}}, "row 'G99'"),
                                ({"golive_tasks": {"G01": {"nope": 1}}}, "column 'nope'")):
        with pytest.raises(CaseDataError, match=problem):
            apply_variant(case, v.Variant("a", "b", "c", "emr-rollout", 1, 0, parameters))
    with pytest.raises(CaseDataError, match="of case 'pharma-ctms'"):
        apply_variant(case, v.Variant("a", "b", "c", "pharma-ctms", 1, 0, {}))


def test_an_installed_kit_carries_the_generators(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(wheels), str(REPO)], check=True, capture_output=True)
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                    str(next(wheels.glob("hitpm-*.whl")))], check=True, capture_output=True)
    probe = ("import hitpm_widgets; from hitpm_widgets.variants import case_for; "
             "c = case_for('ps02-ctms-risk', 'pharma-ctms'); print(c.variants_file); print(c.variant.learner)")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin", "HITPM_LEARNER": "alice"})
    location, learner = done.stdout.split()
    assert location.startswith(str(target)) and learner == "alice"
    assert (tmp_path / v.VARIANT_FILE).is_file()


def test_a_notebook_shows_whose_numbers_and_never_their_key_figures_even_while_graded(tmp_path, monkeypatch,
                                                                                      capsys):
    monkeypatch.setenv("HITPM_LEARNER", "alice")
    case = v.case_for(*PS04, tmp_path)
    te = f"{round(critical_path(case.golive_tasks).expected_duration, 2)}"
    for grading in ("", "autograde"):  # what a graded notebook prints reaches the learner's feedback
        monkeypatch.setenv("NBGRADER_EXECUTION", grading)
        v.show_variant(case)
        shown = capsys.readouterr().out
        assert "The numbers of alice for ps04-emr-schedule-and-value" in shown
        assert te not in shown and "tE" not in shown
    assert not hasattr(v, "key_figures")
    v.show_variant(load_case("emr-rollout"))
    assert "The case's published numbers (emr-rollout)." in capsys.readouterr().out


# -- the grader's check of the recorded variant -----------------------------------------------------------


def test_the_grader_finds_which_case_an_assignment_varies():
    from hitpm_widgets.grading.variant_check import variant_case

    assert variant_case(REPO / "workbooks" / PS04[0], PS04[0]) == "emr-rollout"
    assert variant_case(REPO / "workbooks" / PS02[0], PS02[0]) == "pharma-ctms"
    assert variant_case(REPO / "workbooks" / "ps01-emr-stakeholders", "ps01-emr-stakeholders") is None


def test_the_grader_keeps_an_honest_variant_and_replaces_a_classmates_or_an_edited_one(tmp_path):
    from hitpm_widgets.grading.variant_check import check_variant

    def submission(name, variant):
        folder = tmp_path / name
        assert v.record(variant, folder)
        return folder

    honest = submission("alice", v.make_variant(*PS04, "alice"))
    assert check_variant("alice", honest, *PS04) == []
    copied = submission("carol", v.make_variant(*PS04, "bob"))
    (finding,) = check_variant("carol", copied, *PS04)
    assert finding.kind == "variant" and "'bob'" in finding.reason and "carol's own numbers" in finding.reason
    assert v.read_recorded(copied) == v.make_variant(*PS04, "carol")
    edited = v.make_variant(*PS04, "dave")
    edited.parameters["golive_tasks"]["G06"]["most_likely"] = 20.0
    folder = submission("dave", edited)
    (finding,) = check_variant("dave", folder, *PS04)
    assert "edited" in finding.reason and v.read_recorded(folder) == v.make_variant(*PS04, "dave")
    assert check_variant("alice", honest, "ps01-emr-stakeholders", None) == []


def test_a_classmates_numbers_under_another_generator_version_are_flagged_and_replaced(tmp_path):
    from hitpm_widgets.grading.variant_check import check_variant

    own, classmates = v.make_variant(*PS04, "carol"), v.make_variant(*PS04, "bob")
    forged = dataclasses.replace(own, generator_version=own.generator_version + 1,
                                 parameters=classmates.parameters)
    assert v.record(forged, tmp_path)
    (finding,) = check_variant("carol", tmp_path, *PS04)
    assert "not what its seed draws" in finding.reason and f"generator version {forged.generator_version}" \
        in finding.reason and "carol's own numbers" in finding.reason
    assert v.read_recorded(tmp_path) == own


def test_a_seed_the_grader_cannot_confirm_is_flagged_and_the_recorded_numbers_kept(tmp_path, monkeypatch):
    from hitpm_widgets.grading.variant_check import check_variant

    variant = v.make_variant(*PS04, "erin")
    assert v.record(variant, tmp_path)
    monkeypatch.setenv("HITPM_VARIANT_KEY", "another key")
    (finding,) = check_variant("erin", tmp_path, *PS04)
    assert "seed is not erin's" in finding.reason and "graded with the recorded numbers" in finding.reason
    assert v.read_recorded(tmp_path) == variant


def test_a_submission_without_a_variant_gets_its_learners_where_the_grader_configures_the_course(tmp_path,
                                                                                                  monkeypatch):
    from hitpm_widgets.grading.variant_check import check_variant

    assert check_variant("frank", tmp_path, *PS04) == []
    assert not (tmp_path / v.VARIANT_FILE).exists()
    monkeypatch.setenv("HITPM_COURSE_ID", "spring")
    (finding,) = check_variant("frank", tmp_path, *PS04)
    assert "records no variant" in finding.reason
    recorded = v.read_recorded(tmp_path)
    assert (recorded.learner, recorded.course) == ("frank", "spring")
