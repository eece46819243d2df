"""CompetencySelfAssessment: the framework, ratings and refusals, gaps, durable answers, plots and widget."""

import json
import math

import pandas as pd
import pytest

from hitpm_widgets import AnswerKindError, StakeholderMap
from hitpm_widgets.answers import SLUG_RULE
from hitpm_widgets.careers import (
    ACHE_DOMAINS,
    COMPETENCIES,
    DOMAINS,
    LEVELS,
    ROLES,
    CompetencySelfAssessment,
    competency_frame,
    level_text,
    role_profiles,
)
from hitpm_widgets.plots.careers import (
    CompetencyRadarRenderer,
    describe_competency_radar,
    describe_gap_bars,
    draw_competency_radar,
    draw_gap_bars,
)

PM = "project-manager"


@pytest.fixture
def me():
    return CompetencySelfAssessment(None, target_role=PM)


def answer_file(tmp_path, exercise_id="my-careers"):
    return tmp_path / ".hitpm" / "answers" / f"{exercise_id}.json"


# -- the framework -----------------------------------------------------------------------------


def test_the_framework_covers_the_ache_domains_and_the_kits_own():
    assert 12 <= len(COMPETENCIES) <= 20
    assert ACHE_DOMAINS == ("communication and relationship management", "leadership", "professionalism",
                            "knowledge of the healthcare environment", "business skills and knowledge")
    assert set(DOMAINS) - set(ACHE_DOMAINS) == {"project management", "health IT"}
    used = [item.domain for item in COMPETENCIES.values()]
    assert set(used) == set(DOMAINS)
    # Grouped: each domain's competencies sit together, in DOMAINS order.
    assert list(dict.fromkeys(used)) == list(DOMAINS)
    for competency_id, item in COMPETENCIES.items():
        assert item.id == competency_id and SLUG_RULE.fullmatch(competency_id)
        assert item.name and item.description and item.how_to_grow
        assert "\n" not in item.description
    for needed in ("scheduling-cost-control", "risk-management", "agile-delivery", "clinical-workflow",
                   "regulation-validation", "data-interoperability", "change-management",
                   "stakeholder-engagement", "emotional-intelligence"):
        assert needed in COMPETENCIES


def test_every_role_has_a_target_from_1_to_5_for_every_competency():
    assert 4 <= len(ROLES) <= 5
    roles = {"it-director", "clinical-applications-manager", "informatics-lead", "validation-lead", PM}
    assert set(ROLES) == roles
    for role in ROLES.values():
        assert list(role.targets) == list(COMPETENCIES)
        assert all(level in LEVELS for level in role.targets.values())
    profiles = role_profiles()
    assert profiles.shape == (len(COMPETENCIES), len(ROLES))
    # The profiles reason about the roles: each role's own specialism is where it asks most.
    assert profiles.loc["regulation-validation"].idxmax() == "validation-lead"
    assert profiles.loc["clinical-workflow"].idxmax() == "informatics-lead"
    assert profiles.loc["budgets-business-cases"].idxmax() == "it-director"
    assert profiles.loc["scheduling-cost-control"].idxmax() == PM
    assert list(competency_frame().index) == list(COMPETENCIES)


def test_levels_have_their_meanings():
    assert [level_text(level) for level in range(1, 6)] == [
        "1 aware", "2 developing", "3 competent", "4 proficient", "5 expert"]
    assert level_text(None) == "not rated"


# -- answering and refusals ----------------------------------------------------------------------


def test_rate_and_read_back(me):
    assert me.unrated() == list(COMPETENCIES)
    me.rate("risk-management", 4)
    me.rate("agile-delivery", 2)
    me.rate("agile-delivery", 3)  # a second rating replaces the first
    assert me.rating("risk-management") == 4 and me.rating("agile-delivery") == 3
    assert me.rating("communication") is None
    assert "risk-management" not in me.unrated() and len(me.unrated()) == len(COMPETENCIES) - 2
    me.clear("risk-management")
    assert me.rating("risk-management") is None


@pytest.mark.parametrize("level", [0, 6, -1, 2.5, 3.0, "3", True, None, math.nan])
def test_levels_outside_the_scale_are_refused_with_its_meaning(me, level):
    with pytest.raises(ValueError, match="1 aware, 2 developing, 3 competent, 4 proficient, 5 expert"):
        me.rate("communication", level)
    assert me.rating("communication") is None


def test_unknown_competencies_and_roles_raise_key_error_listing_the_known_ones(me):
    with pytest.raises(KeyError, match="unknown competency 'budgeting'; known: communication, relationships"):
        me.rate("budgeting", 3)
    with pytest.raises(KeyError, match="known: communication"):
        me.rating("Communication")
    with pytest.raises(KeyError, match="known: communication"):
        me.note("leadership", "a domain, not a competency")
    with pytest.raises(KeyError, match="unknown role 'CIO'; known: it-director, clinical-applications"):
        me.set_target_role("CIO")
    with pytest.raises(KeyError, match="unknown role"):
        CompetencySelfAssessment(None, target_role="IT director")
    assert me.target_role == PM


def test_notes_must_be_text_of_reasonable_length(me):
    me.note("agile-delivery", "Product owner for the order-set backlog, 2024")
    assert me.note_for("agile-delivery") == "Product owner for the order-set backlog, 2024"
    with pytest.raises(ValueError, match="must be text"):
        me.note("agile-delivery", 3)
    with pytest.raises(ValueError, match="at most 500"):
        me.note("agile-delivery", "x" * 501)
    assert me.note_for("agile-delivery") == "Product owner for the order-set backlog, 2024"


# -- reading: gaps, focus, domains, frame --------------------------------------------------------------


def test_gaps_are_target_minus_rating_largest_first(me):
    targets = ROLES[PM].targets
    me.rate("scheduling-cost-control", 1)
    me.rate("clinical-workflow", 5)
    me.rate("communication", targets["communication"])
    me.rate("agile-delivery", 2)
    gaps = me.gaps()
    assert gaps["scheduling-cost-control"] == targets["scheduling-cost-control"] - 1
    assert gaps["clinical-workflow"] == targets["clinical-workflow"] - 5 < 0
    assert gaps["communication"] == 0
    assert list(gaps) == sorted(gaps, reverse=True)
    assert set(gaps.index) == {"scheduling-cost-control", "clinical-workflow", "communication",
                               "agile-delivery"}


def test_equal_gaps_put_the_higher_target_first(me):
    # Both 2 below target; risk management's target (5) is higher than agile delivery's (4).
    assert ROLES[PM].targets["risk-management"] > ROLES[PM].targets["agile-delivery"]
    me.rate("agile-delivery", ROLES[PM].targets["agile-delivery"] - 2)
    me.rate("risk-management", ROLES[PM].targets["risk-management"] - 2)
    assert list(me.gaps().index) == ["risk-management", "agile-delivery"]


def test_gaps_follow_the_target_role(me):
    me.rate("regulation-validation", 2)
    as_pm = me.gaps()["regulation-validation"]
    me.set_target_role("validation-lead")
    assert me.gaps()["regulation-validation"] == ROLES["validation-lead"].targets["regulation-validation"] - 2
    assert me.gaps()["regulation-validation"] != as_pm


def test_without_a_target_role_gaps_ask_for_one():
    me = CompetencySelfAssessment(None)
    me.rate("communication", 3)
    with pytest.raises(ValueError, match="choose a target role first.*project-manager"):
        me.gaps()
    assert me.to_frame()["target"].isna().all()
    assert "mean_target" not in me.domain_scores().columns


def test_development_focus_takes_the_largest_gaps_above_zero_with_a_suggestion(me):
    for competency_id in COMPETENCIES:
        me.rate(competency_id, 3)
    me.rate("scheduling-cost-control", 1)  # gap 4
    me.rate("risk-management", 2)  # gap 3
    focus = me.development_focus()
    assert len(focus) == 3
    assert list(focus.index[:2]) == ["scheduling-cost-control", "risk-management"]
    assert list(focus["gap"]) == sorted(focus["gap"], reverse=True)
    assert focus.loc["scheduling-cost-control", "suggestion"].startswith("From 1 aware towards 5 expert: ")
    assert COMPETENCIES["scheduling-cost-control"].how_to_grow in focus.loc["scheduling-cost-control",
                                                                            "suggestion"]
    assert len(me.development_focus(n=1)) == 1
    positive = int((me.gaps() > 0).sum())
    assert len(me.development_focus(n=50)) == positive


def test_development_focus_leaves_out_gaps_of_zero_or_less(me):
    me.rate("communication", 5)
    me.rate("agile-delivery", ROLES[PM].targets["agile-delivery"])
    assert me.development_focus().empty
    assert list(me.development_focus().columns) == ["name", "domain", "rating", "target", "gap", "suggestion"]


@pytest.mark.parametrize("n", [0, -2, 1.5, "3", True])
def test_development_focus_refuses_a_bad_n(me, n):
    with pytest.raises(ValueError, match="1 or more"):
        me.development_focus(n)


def test_domain_scores_average_only_what_is_rated(me):
    me.rate("communication", 2)
    me.rate("relationships", 5)
    me.rate("scheduling-cost-control", 3)
    scores = me.domain_scores()
    assert list(scores.index) == list(DOMAINS)
    communication = scores.loc["communication and relationship management"]
    assert communication["rated"] == 2 and communication["mean_rating"] == 3.5
    targets = ROLES[PM].targets
    assert communication["mean_gap"] == (targets["communication"] - 2 + targets["relationships"] - 5) / 2
    pm = scores.loc["project management"]
    members = [c for c, item in COMPETENCIES.items() if item.domain == "project management"]
    assert pm["competencies"] == len(members) and pm["rated"] == 1
    assert pm["mean_target"] == sum(targets[c] for c in members) / len(members)
    assert math.isnan(scores.loc["leadership", "mean_rating"])


def test_to_frame(me):
    me.rate("risk-management", 2)
    me.note("risk-management", "kept the register for one project")
    frame = me.to_frame()
    assert list(frame.index) == list(COMPETENCIES)
    assert list(frame.columns) == ["domain", "name", "rating", "level", "target", "gap", "note"]
    assert frame.loc["risk-management", "gap"] == ROLES[PM].targets["risk-management"] - 2
    assert frame.loc["risk-management", "level"] == "2 developing"
    assert frame.loc["risk-management", "note"] == "kept the register for one project"
    assert pd.isna(frame.loc["communication", "rating"])
    assert frame.loc["communication", "level"] == "not rated"


# -- durable answers -----------------------------------------------------------------------------


def test_a_restart_loses_nothing(tmp_path):
    first = CompetencySelfAssessment("my-careers", target_role=PM, directory=tmp_path)
    first.rate("agile-delivery", 4)
    first.note("agile-delivery", "Scrum Master for two sprints")
    first.set_target_role("informatics-lead")
    again = CompetencySelfAssessment("my-careers", target_role=PM, directory=tmp_path)
    assert again.rating("agile-delivery") == 4
    assert again.note_for("agile-delivery") == "Scrum Master for two sprints"
    # The learner's own choice of role wins over the one the notebook starts with.
    assert again.target_role == "informatics-lead"
    record = json.loads(answer_file(tmp_path).read_text())
    assert record["kind"] == "CompetencySelfAssessment"
    assert record["model"]["ratings"] == {"agile-delivery": 4}


def test_the_starting_role_applies_while_none_is_saved(tmp_path):
    first = CompetencySelfAssessment("my-careers", directory=tmp_path)
    first.rate("communication", 3)
    again = CompetencySelfAssessment("my-careers", target_role="validation-lead", directory=tmp_path)
    assert again.target_role == "validation-lead" and again.rating("communication") == 3


@pytest.mark.parametrize("model", [
    {"target_role": PM, "ratings": {"communication": 9}, "notes": {}},
    {"target_role": PM, "ratings": {"communication": "4"}, "notes": {}},
    {"target_role": "CIO", "ratings": {"communication": 4}, "notes": {}},
    {"target_role": PM, "ratings": ["communication"], "notes": {}},
    {"target_role": PM, "ratings": {}, "notes": {"communication": 7}},
])
def test_a_tampered_answer_is_set_aside_and_the_exercise_starts_fresh(tmp_path, model, capsys):
    path = answer_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"kind": "CompetencySelfAssessment", "exercise_id": "my-careers",
                                "format": 1, "model": model}))
    me = CompetencySelfAssessment("my-careers", target_role=PM, directory=tmp_path)
    assert me.unrated() == list(COMPETENCIES) and me.target_role == PM
    assert path.with_name(path.name + ".bak").exists()
    assert me.saving_problem and "starts fresh" in me.saving_status
    assert capsys.readouterr().err == ""


def test_ratings_of_competencies_no_longer_listed_are_kept(tmp_path):
    path = answer_file(tmp_path)
    path.parent.mkdir(parents=True)
    model = {"target_role": None, "ratings": {"old-skill": 2, "communication": 4},
             "notes": {"old-skill": "from an earlier framework"}}
    path.write_text(json.dumps({"kind": "CompetencySelfAssessment", "exercise_id": "my-careers", "format": 1,
                                "model": model}))
    me = CompetencySelfAssessment("my-careers", directory=tmp_path)
    assert me.rating("communication") == 4
    me.rate("agile-delivery", 1)
    saved = json.loads(path.read_text())["model"]
    assert saved["ratings"] == {"old-skill": 2, "communication": 4, "agile-delivery": 1}
    assert saved["notes"] == {"old-skill": "from an earlier framework"}


def test_another_kinds_answer_is_not_loaded(tmp_path):
    StakeholderMap("my-careers", ["CFO"], directory=tmp_path).place("CFO", power=9, interest=2)
    with pytest.raises(AnswerKindError, match="StakeholderMap"):
        CompetencySelfAssessment("my-careers", directory=tmp_path)


# -- plots -------------------------------------------------------------------------------------------


def test_the_radar_draws_both_profiles_with_distinct_lines_and_markers(me):
    me.rate("communication", 2)
    me.rate("relationships", 5)
    figure = draw_competency_radar(me)
    axes = figure.axes[0]
    assert axes.name == "polar"
    target, yours = axes.get_lines()
    assert target.get_linestyle() != yours.get_linestyle()
    assert target.get_marker() != yours.get_marker()
    assert list(target.get_ydata()[:-1]) == list(ROLES[PM].targets.values())
    # Unrated competencies are breaks in the line, not zeros.
    ratings = list(yours.get_ydata())
    assert ratings[:2] == [2, 5] and all(math.isnan(value) for value in ratings[2:-1])
    legend = [text.get_text() for text in figure.legends[0].get_texts()]
    assert legend == ["target: Healthcare IT project manager", "your rating"]


def test_without_a_role_the_radar_has_only_your_line():
    me = CompetencySelfAssessment(None)
    me.rate("communication", 3)
    assert len(draw_competency_radar(me).axes[0].get_lines()) == 1
    assert "No target role is chosen. 1 of" in describe_competency_radar(me)


def test_the_alt_text_names_the_largest_gaps(me):
    me.rate("scheduling-cost-control", 1)
    me.rate("risk-management", 3)
    me.rate("communication", 4)
    text = describe_competency_radar(me)
    assert "solid line with circles" in text and "dashed line with squares" in text
    assert "3 of " in text
    assert ("Largest gaps: Scheduling and cost control (you 1 aware, target 5 expert, gap 4); "
            "Risk management (you 3 competent, target 5 expert, gap 2).") in text
    assert "Communication" not in text.split("Largest gaps:")[1]
    bars = describe_gap_bars(me)
    assert "2 competencies below target, 1 on target, 0 above" in bars
    assert "Scheduling and cost control" in bars


def test_the_gap_bars_have_one_bar_a_rated_competency_labelled_with_its_gap(me):
    me.rate("scheduling-cost-control", 2)
    me.rate("clinical-workflow", 5)
    figure = draw_gap_bars(me)
    axes = figure.axes[0]
    widths = sorted(patch.get_width() for patch in axes.patches)
    assert widths == sorted(me.gaps().astype(float))
    labels = [text.get_text() for text in axes.texts]
    assert "+3" in labels and "-2" in labels
    # The largest gap is the top bar.
    by_height = dict(zip(axes.get_yticks(), (t.get_text() for t in axes.get_yticklabels()), strict=True))
    assert [by_height[y] for y in sorted(by_height, reverse=True)] == ["Scheduling and cost control",
                                                                      "Clinical workflow"]


def test_the_renderer_redraws_when_a_rating_changes(me):
    renderer = CompetencyRadarRenderer()
    before = renderer.png(me)
    me.rate("communication", 5)
    after = renderer.png(me)
    assert before != after and after.startswith(b"\x89PNG")
    me.clear("communication")
    assert renderer.png(me) == before


# -- the widget ------------------------------------------------------------------------------------


def test_each_rating_is_a_number_box_named_after_its_competency():
    import ipywidgets as widgets

    view = CompetencySelfAssessment(None).widget
    box = view.rating_boxes["risk-management"]
    # A label screen readers read (sliders have none), bounded to the scale the arrow keys step through.
    assert isinstance(box, widgets.BoundedIntText) and box.description == "Risk management"
    assert (box.min, box.max, box.step) == (1, 5, 1)
    assert set(view.rating_boxes) == set(COMPETENCIES)


def test_the_widget_writes_the_model():
    me = CompetencySelfAssessment(None)
    view = me.widget
    view.role.value = "validation-lead"  # what a keyboard user's arrow keys do to the Dropdown
    assert me.target_role == "validation-lead"
    assert view.levels["regulation-validation"].value.endswith("not rated</i>")
    view.rating_boxes["regulation-validation"].value = 2
    assert me.rating("regulation-validation") == 2
    assert "2 developing" in view.levels["regulation-validation"].value
    view.rate_buttons["communication"].click()  # rating at the box's starting level
    assert me.rating("communication") == view.rating_boxes["communication"].value == 3
    assert "Regulation and validation" in view.focus.value and "gap 3" in view.focus.value
    view.role.value = ""
    assert me.target_role is None
    assert "Choose a target role" in view.focus.value


def test_the_widget_follows_changes_made_in_code():
    me = CompetencySelfAssessment(None)
    view = me.widget
    me.set_target_role(PM)
    me.rate("risk-management", 1)
    assert view.role.value == PM
    assert view.rating_boxes["risk-management"].value == 1
    assert "<b>1 aware</b>" in view.levels["risk-management"].value
    assert 'alt="Radar chart of' in view.chart.value
    assert "Risk management (you 1 aware, target 5 expert, gap 4)" in view.chart.value
    view.chart_kind.value = "bars"
    assert 'alt="Horizontal bar chart of the gaps' in view.chart.value
    assert "1 of 19 competencies rated" in view.table.value


def test_the_widget_shows_refusals_in_the_status_line():
    me = CompetencySelfAssessment(None)
    view = me.widget
    assert view.apply(me.rate, "budgeting", 3) is False
    assert "unknown competency &#x27;budgeting&#x27;" in view.status.value and "#B00020" in view.status.value


def test_displaying_the_model_shows_the_widget(me):
    assert "application/vnd.jupyter.widget-view+json" in me._repr_mimebundle_()
