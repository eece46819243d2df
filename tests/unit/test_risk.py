"""RiskRegister: scales, scores, ranks, bands, EMV and reserve, refusals, tables, durable answers,
the heat map and the widget over the model."""

import json
import math

import pandas as pd
import pytest

from hitpm_widgets.plots.risk import describe_heat_map, draw_heat_map
from hitpm_widgets.risk import RESPONSES, RiskRegister, band_of

PMBOK_RISKS = [
    # id, kind, probability, impact, monetary impact, status
    ("R01", "threat", 0.9, 0.2, 100_000, "open"),
    ("R02", "threat", 0.3, 0.4, 50_000, "open"),
    ("R03", "opportunity", 0.5, 0.4, 40_000, "open"),
    ("R04", "threat", 0.1, 0.05, 10_000, "open"),
    ("R05", "threat", 0.7, 0.1, 30_000, "closed"),
    ("R06", "threat", 0.3, 0.4, 0, "open"),
]
ORDINAL_RISKS = [
    ("A", "threat", 4, 5, 200_000, "open"),
    ("B", "threat", 3, 2, 10_000, "open"),
    ("C", "opportunity", 2, 3, 10_000, "open"),
    ("D", "threat", 1, 4, 1_000, "open"),
    ("E", "threat", 5, 3, 0, "open"),
    ("F", "threat", 1, 5, 0, "open"),
]
TEXT = dict(cause="Interface engine not load-tested", event="lab results fail to file in the EMR",
            effect="delayed treatment decisions", category="technical")


def fill(register, rows):
    for risk_id, kind, probability, impact, money, status in rows:
        register.add(risk_id, **TEXT, kind=kind, probability=probability, impact=impact,
                     monetary_impact=money, status=status)
    return register


@pytest.fixture
def pmbok():
    return fill(RiskRegister(None), PMBOK_RISKS)


@pytest.fixture
def ordinal():
    return fill(RiskRegister(None, scale="ordinal"), ORDINAL_RISKS)


def add_one(register, risk_id="R01", **changes):
    values = {**TEXT, "probability": register.probability_levels[2], "impact": register.impact_levels[2],
              **changes}
    register.add(risk_id, **values)


# -- scores, ranks, bands and money, by hand --------------------------------------------------------


def test_pmbok_scores_ranks_bands_and_emv_by_hand(pmbok):
    expected = {
        # id: (score = P x I, rank, band with cut-offs 0.05 / 0.18, EMV = -/+ P x money)
        "R03": (0.20, 1, "high", 20_000.0),
        "R01": (0.18, 2, "high", -90_000.0),
        "R02": (0.12, 3, "medium", -15_000.0),
        "R06": (0.12, 4, "medium", 0.0),  # same cell as R02: the id decides
        "R05": (0.07, 5, "medium", -21_000.0),
        "R04": (0.005, 6, "low", -1_000.0),
    }
    for risk_id, (score, rank, band, emv) in expected.items():
        assert pmbok.score(risk_id) == score
        assert pmbok.rank(risk_id) == rank
        assert pmbok.band(risk_id) == band
        assert pmbok.emv(risk_id) == emv
    assert pmbok.ranking() == ["R03", "R01", "R02", "R06", "R05", "R04"]
    assert math.copysign(1, pmbok.emv("R06")) == 1  # 0.0, not -0.0


def test_ordinal_scores_ranks_bands_and_emv_by_hand(ordinal):
    expected = {
        # EMV takes level n as probability 0.1, 0.3, 0.5, 0.7, 0.9
        "A": (20, 1, "high", -140_000.0),
        "E": (15, 2, "high", 0.0),
        "C": (6, 3, "medium", 3_000.0),  # ties with B on 6: higher impact (3) first, before the id
        "B": (6, 4, "medium", -5_000.0),
        "F": (5, 5, "medium", 0.0),
        "D": (4, 6, "low", -100.0),
    }
    for risk_id, (score, rank, band, emv) in expected.items():
        assert ordinal.score(risk_id) == score and isinstance(ordinal.score(risk_id), int)
        assert ordinal.rank(risk_id) == rank
        assert ordinal.band(risk_id) == band
        assert ordinal.emv(risk_id) == emv


def test_total_emv_and_contingency_reserve(pmbok, ordinal):
    # open risks: -90 000 - 15 000 + 20 000 - 1 000 + 0; R05 is closed
    assert pmbok.total_emv() == -86_000.0
    assert pmbok.total_emv(status=None) == -107_000.0
    assert pmbok.total_emv(status="closed") == -21_000.0
    assert pmbok.contingency_reserve() == 106_000.0  # open threats only, opportunities do not offset
    assert pmbok.contingency_reserve(offset_by_opportunities=True) == 86_000.0
    assert ordinal.total_emv() == -142_100.0
    assert ordinal.contingency_reserve() == 145_100.0
    assert ordinal.contingency_reserve(offset_by_opportunities=True) == 142_100.0


def test_the_reserve_is_never_negative_and_reads_zero_when_empty():
    register = RiskRegister(None)
    assert register.contingency_reserve() == 0.0 and math.copysign(1, register.contingency_reserve()) == 1
    add_one(register, "O1", kind="opportunity", monetary_impact=5_000)
    assert register.total_emv() == 2_500.0
    assert register.contingency_reserve(offset_by_opportunities=True) == 0.0


def test_closing_a_risk_takes_it_out_of_the_reserve(pmbok):
    pmbok.update("R01", status="closed")
    assert pmbok.contingency_reserve() == 16_000.0
    assert pmbok.rank("R01") == 2  # ranks stay on score, whatever the status


@pytest.mark.parametrize(
    ("probability", "impact", "band"),
    [(0.9, 0.05, "low"), (0.5, 0.1, "medium"), (0.7, 0.2, "medium"), (0.9, 0.2, "high"), (0.1, 0.8, "medium"),
     (0.1, 0.4, "low"), (0.9, 0.8, "high")],
)
def test_default_pmbok_bands_at_their_edges(probability, impact, band):
    register = RiskRegister(None)
    add_one(register, probability=probability, impact=impact)
    assert register.band("R01") == band
    assert band_of(register.score("R01"), register.cutoffs) == band


@pytest.mark.parametrize(("probability", "impact", "band"),
                         [(1, 4, "low"), (1, 5, "medium"), (3, 4, "medium"), (5, 3, "high"), (5, 5, "high")])
def test_default_ordinal_bands_low_1_to_4_medium_5_to_12_high_15_to_25(probability, impact, band):
    register = RiskRegister(None, scale="ordinal")
    add_one(register, probability=probability, impact=impact)
    assert register.band("R01") == band


def test_the_organisation_sets_its_own_cutoffs(pmbok):
    strict = fill(RiskRegister(None, cutoffs={"medium": 0.1, "high": 0.3}), PMBOK_RISKS)
    assert [strict.band(i) for i in ("R03", "R01", "R02", "R05", "R04")] == \
           ["medium", "medium", "medium", "low", "low"]
    assert pmbok.band("R01") == "high"
    assert strict.cutoffs == {"medium": 0.1, "high": 0.3}
    assert RiskRegister(None, scale="ordinal").cutoffs == {"medium": 5, "high": 15}


def test_the_description_reads_cause_risk_effect(pmbok):
    assert pmbok.description("R01") == ("Interface engine not load-tested → lab results fail to file in the "
                                        "EMR → delayed treatment decisions")
    assert pmbok.risk("R01").description == pmbok.description("R01")


def test_in_band_and_in_cell_list_open_risks_by_rank(pmbok):
    assert pmbok.in_band("high") == ["R03", "R01"]
    assert pmbok.in_band("medium") == ["R02", "R06"]
    assert pmbok.in_band("medium", status=None) == ["R02", "R06", "R05"]
    assert pmbok.in_cell(0.3, 0.4) == ["R02", "R06"]
    assert pmbok.in_cell(0.7, 0.1) == [] and pmbok.in_cell(0.7, 0.1, status="closed") == ["R05"]


def test_responses_follow_the_kind():
    assert RESPONSES["threat"] == ("avoid", "transfer", "mitigate", "accept", "escalate")
    assert RESPONSES["opportunity"] == ("exploit", "share", "enhance", "accept", "escalate")
    register = RiskRegister(None)
    add_one(register, "T1", response="transfer")
    add_one(register, "O1", kind="opportunity", response="exploit")
    for response in RESPONSES["threat"]:
        register.set_response("T1", response)
        assert register.risk("T1").response == response
    register.set_response("O1", "escalate")
    register.set_response("T1", None)
    assert register.risk("O1").response == "escalate" and register.risk("T1").response is None


# -- changing the register ---------------------------------------------------------------------------


def test_update_checks_like_add_and_keeps_the_risk_in_place(pmbok):
    pmbok.update("R02", probability=0.9, owner=" Clinical lead ", response="mitigate")
    risk = pmbok.risk("R02")
    assert (risk.probability, risk.owner, risk.response) == (0.9, "Clinical lead", "mitigate")
    assert pmbok.score("R02") == 0.36 and pmbok.rank("R02") == 1
    pmbok.update("R02", id="R02a")
    assert pmbok.ids == ["R01", "R02a", "R03", "R04", "R05", "R06"]
    with pytest.raises(KeyError):
        pmbok.risk("R02")


def test_remove(pmbok):
    pmbok.remove("R03")
    assert "R03" not in pmbok.ids and pmbok.rank("R01") == 1


def test_a_changed_kind_needs_a_response_of_that_kind(pmbok):
    pmbok.set_response("R01", "mitigate")
    with pytest.raises(ValueError, match="'mitigate' is not a response to an opportunity"):
        pmbok.update("R01", kind="opportunity")
    assert pmbok.risk("R01").kind == "threat"
    pmbok.update("R01", kind="opportunity", response="enhance")
    assert pmbok.emv("R01") == 90_000.0


def test_the_risk_returned_is_a_copy(pmbok):
    risk = pmbok.risk("R01")
    with pytest.raises(AttributeError):
        risk.probability = 0.1
    assert pmbok.score("R01") == 0.18


# -- refusals ------------------------------------------------------------------------------------------


def test_a_duplicate_id_is_refused(pmbok):
    with pytest.raises(ValueError, match="'R01' is already in the register"):
        add_one(pmbok, "R01")
    with pytest.raises(ValueError, match="'R02' is already in the register"):
        pmbok.update("R01", id="R02")
    with pytest.raises(ValueError, match="already in the register"):
        RiskRegister(None, risks=[{"id": "X", **TEXT, "probability": 0.1, "impact": 0.05}] * 2)
    assert len(pmbok.ids) == 6 and pmbok.score("R01") == 0.18


@pytest.mark.parametrize("scale", ["nhs", "PMBOK", "", None, 5])
def test_an_unknown_scale_is_refused_listing_the_scales(scale):
    with pytest.raises(ValueError, match="the scale is one of: pmbok, ordinal"):
        RiskRegister(None, scale=scale)


@pytest.mark.parametrize(("kind", "response", "allowed"), [
    ("threat", "exploit", "avoid, transfer, mitigate, accept, escalate"),
    ("threat", "enhance", "avoid, transfer, mitigate, accept, escalate"),
    ("opportunity", "mitigate", "exploit, share, enhance, accept, escalate"),
    ("opportunity", "avoid", "exploit, share, enhance, accept, escalate"),
    ("threat", "ignore", "avoid, transfer, mitigate, accept, escalate"),
])
def test_a_response_of_the_other_kind_is_refused_listing_the_allowed_ones(kind, response, allowed):
    register = RiskRegister(None)
    with pytest.raises(ValueError, match=f"its response is one of: {allowed}"):
        add_one(register, kind=kind, response=response)
    assert register.ids == []
    add_one(register, kind=kind)
    with pytest.raises(ValueError, match=f"is not a response to an? {kind}"):
        register.set_response("R01", response)
    assert register.risk("R01").response is None


@pytest.mark.parametrize("money", [-1, -0.01, math.nan, math.inf, "100", True, None])
def test_a_negative_or_non_numeric_monetary_impact_is_refused(money):
    register = RiskRegister(None)
    with pytest.raises(ValueError, match="monetary impact of risk 'R01' must be an amount of 0 or more"):
        add_one(register, monetary_impact=money)
    assert register.ids == []


def test_unknown_ids_raise_key_error_listing_the_known_ones(pmbok):
    known = "known: R01, R02, R03, R04, R05, R06"
    for reading in (pmbok.score, pmbok.rank, pmbok.band, pmbok.emv, pmbok.risk, pmbok.description,
                    pmbok.remove):
        with pytest.raises(KeyError, match=f"unknown risk 'R99'; {known}"):
            reading("R99")
    with pytest.raises(KeyError, match=known):
        pmbok.update("r01", owner="x")
    with pytest.raises(KeyError, match=known):
        pmbok.set_response("R99", "avoid")
    with pytest.raises(KeyError, match="known: none yet"):
        RiskRegister(None).score("R01")


@pytest.mark.parametrize(("scale", "probability", "impact", "allowed"), [
    ("pmbok", 0.35, 0.2, "probability of risk 'R01' must be one of 0.1, 0.3, 0.5, 0.7, 0.9 on the pmbok"),
    ("pmbok", 3, 0.2, "probability of risk 'R01' must be one of 0.1, 0.3"),
    ("pmbok", 0.5, 0.3, "impact of risk 'R01' must be one of 0.05, 0.10, 0.20, 0.40, 0.80 on the pmbok"),
    ("pmbok", "0.5", 0.2, "probability"),
    ("pmbok", 0.5, math.nan, "impact"),
    ("ordinal", 0.5, 3, "probability of risk 'R01' must be one of 1, 2, 3, 4, 5 on the ordinal"),
    ("ordinal", 2.5, 3, "probability"),
    ("ordinal", 3, 6, "impact of risk 'R01' must be one of 1, 2, 3, 4, 5"),
    ("ordinal", True, 3, "probability"),
])
def test_values_off_the_scale_are_refused(scale, probability, impact, allowed):
    register = RiskRegister(None, scale=scale)
    with pytest.raises(ValueError, match=allowed):
        add_one(register, probability=probability, impact=impact)
    assert register.ids == []


def test_whole_numbers_given_as_floats_are_levels_of_the_ordinal_scale():
    register = RiskRegister(None, scale="ordinal")
    add_one(register, probability=3.0, impact=4.0)
    assert register.risk("R01").probability == 3 and isinstance(register.score("R01"), int)


@pytest.mark.parametrize(("changes", "message"), [
    ({"kind": "issue"}, "kind of risk 'R01' must be one of: threat, opportunity"),
    ({"status": "done"}, "status of risk 'R01' must be one of: open, closed"),
    ({"category": "clinical"}, "category of risk 'R01' must be one of: technical, management, commercial"),
    ({"cause": "  "}, "cause of risk 'R01' is empty"),
    ({"effect": None}, "effect of risk 'R01' must be text"),
    ({"owner": 7}, "owner of risk 'R01' must be text"),
    ({"colour": "red"}, "unknown risk field 'colour'; the fields are: id, cause"),
])
def test_other_bad_fields_are_refused(pmbok, changes, message):
    with pytest.raises(ValueError, match=message):
        pmbok.update("R01", **changes)
    assert pmbok.risk("R01").kind == "threat" and pmbok.risk("R01").category == "technical"


@pytest.mark.parametrize("risk_id", ["", "R 01", "-R1", "R01!", "x" * 21, 1, None])
def test_ids_must_be_slug_like(risk_id):
    register = RiskRegister(None)
    with pytest.raises(ValueError, match="use 1 to 20 letters, digits"):
        add_one(register, risk_id)


@pytest.mark.parametrize("cutoffs", [{"medium": 0.2, "high": 0.1}, {"medium": 0, "high": 0.1},
                                     {"medium": 0.05, "high": 0.9},
                                     {"low": 0.01, "medium": 0.05, "high": 0.18},
                                     {"medium": "0.05", "high": 0.18}, (0.05, 0.18)])
def test_bad_cutoffs_are_refused(cutoffs):
    with pytest.raises(ValueError, match="cutoffs are the lowest score of the medium and of the high band"):
        RiskRegister(None, cutoffs=cutoffs)


@pytest.mark.parametrize("categories", ["technical", [], ["a", "a"], ["", "b"], [1]])
def test_bad_category_lists_are_refused(categories):
    with pytest.raises(ValueError, match="categor"):
        RiskRegister(None, categories=categories)


def test_own_categories_replace_the_default_ones():
    register = RiskRegister(None, categories=["clinical safety", "data migration"])
    add_one(register, category="data migration")
    with pytest.raises(ValueError, match="one of: clinical safety, data migration"):
        add_one(register, "R02", category="technical")


def test_other_bad_questions_are_refused(pmbok):
    with pytest.raises(ValueError, match="one of: low, medium, high"):
        pmbok.in_band("extreme")
    with pytest.raises(ValueError, match="one of: open, closed"):
        pmbok.total_emv(status="all")
    with pytest.raises(ValueError, match="True or False"):
        pmbok.contingency_reserve(offset_by_opportunities="yes")
    with pytest.raises(ValueError, match="impact must be one of"):
        pmbok.in_cell(0.5, 0.5)


# -- risks not rated yet -------------------------------------------------------------------------------


def unrated_register():
    """Two risks identified and not rated, among rated ones: a case's starting register half worked."""
    register = fill(RiskRegister(None), PMBOK_RISKS)
    register.add("U1", **TEXT, monetary_impact=500_000)  # neither probability nor impact
    register.add("U2", **TEXT, probability=0.9, kind="opportunity", monetary_impact=80_000)  # no impact
    return register


def test_a_risk_without_probability_or_impact_is_not_rated_and_has_no_figures():
    register = unrated_register()
    assert register.unrated == ["U1", "U2"]
    assert not register.is_rated("U1") and not register.is_rated("U2") and register.is_rated("R01")
    for risk_id in ("U1", "U2"):
        assert (register.score(risk_id), register.band(risk_id), register.rank(risk_id),
                register.emv(risk_id)) == (None, None, None, None)
        assert not register.risk(risk_id).rated
    assert register.risk("U1").probability is None and register.risk("U2").probability == 0.9
    assert "2 not rated yet" in repr(register)


def test_unrated_risks_stay_out_of_ranks_bands_cells_and_money(pmbok):
    register = unrated_register()
    assert register.ranking() == pmbok.ranking() and register.rank("R03") == 1
    assert [register.in_band(band) for band in ("low", "medium", "high")] == \
           [pmbok.in_band(band) for band in ("low", "medium", "high")]
    assert register.in_cell(0.9, 0.8) == [] and register.in_cell(0.9, 0.05) == []
    assert register.total_emv() == pmbok.total_emv() == -86_000.0
    assert register.contingency_reserve() == pmbok.contingency_reserve() == 106_000.0
    assert register.contingency_reserve(offset_by_opportunities=True) == 86_000.0


def test_rating_a_risk_gives_it_its_figures_and_taking_a_level_back_unrates_it():
    register = unrated_register()
    register.update("U1", probability=0.9, impact=0.8, response="avoid")
    assert register.unrated == ["U2"]
    assert (register.score("U1"), register.band("U1"), register.rank("U1"), register.emv("U1")) == \
           (0.72, "high", 1, -450_000.0)
    assert register.contingency_reserve() == 556_000.0
    register.update("U1", impact=None)
    assert register.unrated == ["U1", "U2"] and register.rank("R03") == 1
    assert register.risk("U1").probability == 0.9 and register.risk("U1").response == "avoid"


def test_a_level_off_the_scale_is_still_refused_when_the_other_is_missing():
    register = RiskRegister(None)
    with pytest.raises(ValueError, match="probability of risk 'R01' must be one of 0.1"):
        register.add("R01", **TEXT, probability=0.4)
    with pytest.raises(ValueError, match="impact of risk 'R01' must be one of"):
        register.add("R01", **TEXT, impact="high")
    assert register.ids == []


def test_to_frame_puts_unrated_risks_last_with_their_figures_missing():
    register = unrated_register()
    frame = register.to_frame()
    assert list(frame.index) == [*register.ranking(), "U1", "U2"]
    for column in ("score", "rank", "band", "emv", "impact"):
        assert frame.loc[["U1", "U2"], column].isna().all(), column
    assert frame["rank"].dtype == "Int64" and list(frame["rank"].dropna()) == [1, 2, 3, 4, 5, 6]
    assert frame.loc["U2", "probability"] == 0.9 and frame["score"].dtype == "float64"
    again = RiskRegister(None, risks=frame)
    pd.testing.assert_frame_equal(again.to_frame(), frame)
    assert again.unrated == ["U1", "U2"]


def test_a_register_of_only_unrated_risks_has_numeric_columns_and_no_money():
    register = RiskRegister(None, scale="ordinal")
    register.add("U1", **TEXT, monetary_impact=1_000)
    frame = register.to_frame()
    assert frame["score"].dtype == "float64" and frame["probability"].dtype == "float64"
    assert frame["score"].isna().all() and register.ranking() == []
    assert register.total_emv() == 0.0 and register.contingency_reserve() == 0.0


def test_the_case_risks_table_starts_a_register_with_every_risk_identified_and_none_rated():
    from hitpm_widgets import load_case

    risks = load_case("pharma-ctms").risks
    assert "probability" not in risks.columns and "impact" not in risks.columns
    register = RiskRegister(None, risks.drop(columns="evidence"),
                            categories=list(risks["category"].cat.categories))
    assert register.ids == list(risks["id"]) and register.unrated == register.ids
    assert all(register.risk(risk_id).response is None for risk_id in register.ids)
    assert register.contingency_reserve() == 0.0
    opportunities = [risk_id for risk_id in register.ids if register.risk(risk_id).kind == "opportunity"]
    assert opportunities and all(register.risk(risk_id).monetary_impact > 0 for risk_id in register.ids)


def test_unrated_risks_are_saved_and_come_back_unrated(tmp_path):
    start = [{"id": "S1", **TEXT, "monetary_impact": 10_000.0}]
    first = RiskRegister("emr-risks", risks=start, directory=tmp_path)
    add_one(first, "R01")
    first.update("R01", impact=None)
    record = json.loads(answer_file(tmp_path).read_text())
    assert {risk["id"]: risk["probability"] for risk in record["model"]["risks"]} == {"S1": None, "R01": 0.5}
    again = RiskRegister("emr-risks", risks=start, directory=tmp_path)
    assert again.unrated == ["S1", "R01"] and not again.saving_problem
    again.update("S1", probability=0.3, impact=0.4)
    assert RiskRegister("emr-risks", risks=start, directory=tmp_path).score("S1") == 0.12


# -- DataFrame in and out ------------------------------------------------------------------------------


def test_to_frame_has_every_field_and_the_derived_columns_sorted_by_rank(pmbok):
    pmbok.update("R01", owner="CNIO", trigger="interface test failures above 2 %", response="mitigate")
    frame = pmbok.to_frame()
    assert frame.index.name == "id"
    assert list(frame.index) == pmbok.ranking()
    assert set(frame.columns) == {"description", "cause", "event", "effect", "category", "kind",
                                  "probability", "impact", "score", "rank", "band", "response", "owner",
                                  "trigger", "monetary_impact", "emv", "status"}
    row = frame.loc["R01"]
    assert (row["score"], row["rank"], row["band"], row["emv"]) == (0.18, 2, "high", -90_000.0)
    assert (row["owner"], row["response"], row["status"]) == ("CNIO", "mitigate", "open")
    assert pd.isna(frame.loc["R02", "response"])
    assert list(frame["rank"]) == [1, 2, 3, 4, 5, 6]
    empty = RiskRegister(None).to_frame()
    assert len(empty) == 0 and "emv" in empty.columns


@pytest.mark.parametrize("scale", ["pmbok", "ordinal"])
def test_a_dataframe_round_trip_gives_the_same_register(pmbok, ordinal, scale):
    register = pmbok if scale == "pmbok" else ordinal
    register.set_response(register.ids[0], "accept")
    frame = register.to_frame()
    again = RiskRegister(None, risks=frame, scale=scale)
    pd.testing.assert_frame_equal(again.to_frame(), frame)
    records = frame.reset_index().to_dict("records")
    pd.testing.assert_frame_equal(RiskRegister(None, risks=records, scale=scale).to_frame(), frame)


def test_a_case_table_with_only_some_columns_starts_the_register():
    table = pd.DataFrame({
        "id": ["R01", "R02"], "cause": ["No super-users", "Vendor offers training credits"],
        "event": ["ward staff cannot chart", "extra training sessions"],
        "effect": ["unsafe care", "faster adoption"],
        "category": ["management", "commercial"], "probability": [0.7, 0.5], "impact": [0.4, 0.2],
        "kind": ["threat", "opportunity"], "response": [None, "exploit"], "monetary_impact": [80_000.0, None],
    })
    register = RiskRegister(None, risks=table)
    assert register.ids == ["R01", "R02"]
    assert register.risk("R01").response is None and register.risk("R01").status == "open"
    assert register.risk("R02").monetary_impact == 0.0 and register.risk("R02").response == "exploit"
    assert register.emv("R01") == -56_000.0


@pytest.mark.parametrize("bad", ["R01", {"id": "R01"}, [1, 2], pd.DataFrame({"name": ["R01"]})])
def test_bad_starting_risks_are_refused(bad):
    with pytest.raises(ValueError):
        RiskRegister(None, risks=bad)


def test_a_starting_risk_is_checked_like_learner_input():
    with pytest.raises(ValueError, match="'R01' needs: effect, category"):
        RiskRegister(None, risks=[{"id": "R01", "cause": "c", "event": "e", "probability": 0.1,
                                   "impact": 0.05}])
    with pytest.raises(ValueError, match="probability of risk 'R01'"):
        RiskRegister(None, risks=[{"id": "R01", **TEXT, "probability": 3, "impact": 0.05}])


# -- durable answers -----------------------------------------------------------------------------------


def answer_file(tmp_path, exercise_id="emr-risks"):
    return tmp_path / ".hitpm" / "answers" / f"{exercise_id}.json"


def test_a_restart_loses_nothing(tmp_path):
    first = fill(RiskRegister("emr-risks", directory=tmp_path), PMBOK_RISKS)
    first.update("R01", response="mitigate", owner="CNIO")
    again = RiskRegister("emr-risks", directory=tmp_path)  # what a kernel restart and a re-run do
    pd.testing.assert_frame_equal(again.to_frame(), first.to_frame())
    assert again.ids == first.ids
    record = json.loads(answer_file(tmp_path).read_text())
    assert record["kind"] == "RiskRegister" and record["model"]["scale"] == "pmbok"


def test_the_saved_answer_wins_over_the_starting_risks(tmp_path):
    start = [{"id": "R01", **TEXT, "probability": 0.5, "impact": 0.2}]
    first = RiskRegister("emr-risks", risks=start, directory=tmp_path)
    first.remove("R01")
    add_one(first, "L1", probability=0.9, impact=0.8)
    again = RiskRegister("emr-risks", risks=start, directory=tmp_path)
    assert again.ids == ["L1"] and again.score("L1") == 0.72


@pytest.mark.parametrize(("field", "value"), [("probability", 0.35), ("response", "exploit"),
                                              ("monetary_impact", -10), ("id", "R 1"), ("status", "gone")])
def test_a_tampered_saved_value_is_set_aside_and_nothing_of_it_is_loaded(tmp_path, capsys, field, value):
    start = [{"id": "S1", **TEXT, "probability": 0.1, "impact": 0.05}]
    first = RiskRegister("emr-risks", risks=start, directory=tmp_path)
    add_one(first, "R01")
    add_one(first, "R02")
    record = json.loads(answer_file(tmp_path).read_text())
    record["model"]["risks"][2][field] = value  # R01 and S1 stay valid
    answer_file(tmp_path).write_text(json.dumps(record))
    again = RiskRegister("emr-risks", risks=start, directory=tmp_path)
    assert again.ids == ["S1"]  # the starting risks, none of the file
    assert again.saving_problem and "emr-risks.json.bak" in again.saving_status
    assert answer_file(tmp_path).with_name("emr-risks.json.bak").exists()
    assert capsys.readouterr().err == ""


def test_an_answer_saved_on_another_scale_is_set_aside(tmp_path):
    fill(RiskRegister("emr-risks", directory=tmp_path), PMBOK_RISKS)
    again = RiskRegister("emr-risks", scale="ordinal", directory=tmp_path)
    assert again.ids == [] and "'pmbok' scale" in again.saving_status


# -- the heat map --------------------------------------------------------------------------------------


def texts_of(figure):
    return [text.get_text() for text in figure.axes[0].texts]


def test_the_heat_map_letters_every_cell_by_band_and_writes_each_open_risk(pmbok):
    figure = draw_heat_map(pmbok)
    texts = texts_of(figure)
    corners = [text for text in texts if text[:2] in ("L ", "M ", "H ")]
    assert len(corners) == 25
    assert "H 0.72" in corners and "L 0.005" in corners and "M 0.05" in corners and "H 0.18" in corners
    assert "R02 R06" in texts  # two risks in one cell, both readable
    assert "+R03" in texts  # an opportunity is marked
    assert not any("R05" in text for text in texts)  # closed
    assert figure.axes[0].get_title() == "Risk heat map (pmbok scale); not shown: 1 closed risk"
    columns = [label.get_text() for label in figure.axes[0].get_xticklabels()]
    rows = [label.get_text() for label in figure.axes[0].get_yticklabels()]
    assert columns == ["0.05", "0.10", "0.20", "0.40", "0.80"]
    assert rows == ["0.1", "0.3", "0.5", "0.7", "0.9"]
    legend = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert legend[:3] == ["L low: score < 0.05", "M medium: 0.05 ≤ score < 0.18", "H high: score ≥ 0.18"]


def test_the_heat_map_uses_okabe_ito_colours_and_highlights_the_risk_being_edited(pmbok):
    from matplotlib.colors import to_hex

    from hitpm_widgets.plots.style import OKABE_ITO

    plain, highlighted = draw_heat_map(pmbok), draw_heat_map(pmbok, highlight="R01")
    colours = {to_hex(patch.get_facecolor(), keep_alpha=False) for patch in plain.axes[0].patches
               if patch.get_facecolor()[3] > 0}
    assert colours == {OKABE_ITO[name].lower() for name in ("bluish green", "yellow", "vermillion")}
    assert len(highlighted.axes[0].patches) == len(plain.axes[0].patches) + 1
    assert "[R01]" in texts_of(highlighted)


def test_a_crowded_cell_says_how_many_more(pmbok):
    register = RiskRegister(None)
    for number in range(12):
        add_one(register, f"R{number:02d}", probability=0.9, impact=0.8)
    (cell,) = [text for text in texts_of(draw_heat_map(register)) if "R00" in text]
    assert cell.count("\n") == 2 and cell.endswith("+4 more")


def test_the_ordinal_heat_map_is_labelled_with_its_levels(ordinal):
    figure = draw_heat_map(ordinal)
    assert [label.get_text() for label in figure.axes[0].get_xticklabels()] == ["1", "2", "3", "4", "5"]
    assert "H 25" in texts_of(figure) and "L 4" in texts_of(figure)


def test_the_heat_map_leaves_out_unrated_risks_and_says_so():
    register = unrated_register()
    figure = draw_heat_map(register)
    texts = texts_of(figure)
    assert not any("U1" in text or "U2" in text for text in texts)
    assert figure.axes[0].get_title().endswith("scale); not shown: 1 closed risk, 2 not rated yet")
    text = describe_heat_map(register)
    assert text.endswith("Closed, not shown: R05. Not rated yet, not shown: U1, U2.")
    register.remove("R05")
    assert draw_heat_map(register).axes[0].get_title().endswith("scale); not shown: 2 not rated yet")
    assert "Closed" not in describe_heat_map(register)


def test_the_alt_text_lists_each_bands_risks(pmbok):
    text = describe_heat_map(pmbok)
    assert text.startswith("Risk heat map, pmbok scale, open risks by band. high (score ≥ 0.18): "
                           "R03 (probability 0.5, impact 0.40, score 0.2, opportunity), R01 (probability 0.9")
    assert "medium (0.05 ≤ score < 0.18): R02 (" in text and "low (score < 0.05): R04 (" in text
    assert text.endswith("Closed, not shown: R05.")
    assert "low (score < 5): none" in describe_heat_map(RiskRegister(None, scale="ordinal"))


# -- the widget ----------------------------------------------------------------------------------------


def type_risk(view, risk_id="R01", **values):
    """What a keyboard user does: type in the text boxes, choose in the drop-downs."""
    view.risk_id.value = risk_id
    view.cause.value = values.get("cause", TEXT["cause"])
    view.event.value = values.get("event", TEXT["event"])
    view.effect.value = values.get("effect", TEXT["effect"])
    for name in ("category", "kind", "probability", "impact", "response", "owner", "trigger",
                 "monetary_impact"):
        if name in values:
            getattr(view, name).value = values[name]


def test_the_widget_adds_a_risk_through_the_form():
    register = RiskRegister(None)
    view = register.widget
    assert view.picker.value == "" and view.picker.options[0] == ("new risk", "")
    assert [label for label, _ in view.probability.options] == ["not rated", *"0.1 0.3 0.5 0.7 0.9".split()]
    assert [label for label, _ in view.impact.options] == ["not rated", *"0.05 0.10 0.20 0.40 0.80".split()]
    type_risk(view, category="management", probability=0.7, impact=0.4, response="mitigate", owner="CNIO",
              trigger="test failures", monetary_impact=20_000.0)
    view.save_button.click()
    risk = register.risk("R01")
    assert (risk.category, risk.probability, risk.impact) == ("management", 0.7, 0.4)
    assert risk.response == "mitigate"
    assert (risk.owner, risk.trigger, risk.monetary_impact) == ("CNIO", "test failures", 20_000.0)
    assert register.emv("R01") == -14_000.0
    assert view.picker.value == "R01"  # the saved risk stays picked for editing
    assert "R01" in view.table.value and "-14000.0" in view.table.value
    assert "-14,000.00" in view.totals.value and "14,000.00" in view.totals.value
    assert "high (score ≥ 0.18): R01" in view.heat_map.value
    assert view.heat_map.value.startswith('<img src="data:image/png;base64,')


def test_the_response_options_follow_the_kind():
    view = RiskRegister(None).widget
    assert [value for _, value in view.response.options][1:] == list(RESPONSES["threat"])
    view.response.value = "accept"
    view.kind.value = "opportunity"
    assert [value for _, value in view.response.options][1:] == list(RESPONSES["opportunity"])
    assert view.response.value == "accept"  # a response to both kinds stays chosen
    view.response.value = "exploit"
    view.kind.value = "threat"
    assert view.response.value == ""  # "not decided": exploit is no response to a threat


def test_the_widget_edits_renames_and_removes_the_picked_risk(pmbok):
    view = pmbok.widget
    view.picker.value = "R04"
    assert (view.risk_id.value, view.probability.value, view.impact.value) == ("R04", 0.1, 0.05)
    assert view.monetary_impact.value == 10_000.0
    view.probability.value = 0.9
    view.impact.value = 0.8
    view.risk_id.value = "R04b"
    view.kind.value = "opportunity"
    view.response.value = "share"
    view.save_button.click()
    assert pmbok.ids == ["R01", "R02", "R03", "R04b", "R05", "R06"]
    assert pmbok.rank("R04b") == 1 and pmbok.risk("R04b").response == "share"
    assert view.picker.value == "R04b"
    view.remove_button.click()
    assert "R04b" not in pmbok.ids
    assert view.picker.value == "" and view.risk_id.value == ""


def test_model_errors_appear_in_the_status_line_and_change_nothing(pmbok):
    view = pmbok.widget
    before = pmbok.to_frame()
    type_risk(view, "R01")  # a new risk with a taken id
    view.save_button.click()
    assert "already in the register" in view.status.value and "#B00020" in view.status.value
    type_risk(view, "R07", monetary_impact=-5.0)
    view.save_button.click()
    assert "must be an amount of 0 or more" in view.status.value
    type_risk(view, "R07", cause="")
    view.save_button.click()
    assert "cause of risk &#x27;R07&#x27; is empty" in view.status.value
    view.remove_button.click()  # nothing picked
    assert "Pick the risk to remove first" in view.status.value
    pd.testing.assert_frame_equal(pmbok.to_frame(), before)
    assert view.risk_id.value == "R07"  # the learner's typing is kept to be fixed


def test_a_change_in_code_reaches_the_form_table_totals_and_alt_text(pmbok):
    view = pmbok.widget
    view.picker.value = "R02"
    pmbok.update("R02", probability=0.9, owner="Pharmacy lead")
    assert view.probability.value == 0.9 and view.owner.value == "Pharmacy lead"
    assert "rank 1" in view.current.value
    add_one(pmbok, "R09", kind="opportunity", probability=0.1, impact=0.05, monetary_impact=1_000.0)
    assert "R09" in view.table.value
    assert ("low (score &lt; 0.05): R04 (probability 0.1, impact 0.05, score 0.005), R09 ("
            in view.heat_map.value)
    pmbok.remove("R02")
    assert view.picker.value == "" and "R02" not in view.table.value
    assert f"{pmbok.contingency_reserve():,.2f}" in view.totals.value
    assert [value for _, value in view.picker.options] == ["", *pmbok.ids]


def test_the_ordinal_widget_shows_its_levels(ordinal):
    view = ordinal.widget
    assert [value for _, value in view.probability.options] == ["", 1, 2, 3, 4, 5]
    view.picker.value = "B"
    view.impact.value = 5
    view.save_button.click()
    assert ordinal.score("B") == 15 and ordinal.band("B") == "high"


def test_a_new_risk_starts_not_rated_and_is_saved_as_identified_only():
    register = RiskRegister(None)
    view = register.widget
    assert view.probability.value == "" and view.impact.value == ""
    type_risk(view, "R01", monetary_impact=40_000.0)
    view.save_button.click()
    assert register.unrated == ["R01"] and register.risk("R01").probability is None
    assert "not rated yet" in view.current.value and "score" not in view.current.value
    assert "not rated yet" in view.table.value and "not decided" in view.table.value
    assert "&lt;NA&gt;" not in view.table.value
    assert "1 risk not rated yet, not counted" in view.totals.value
    assert "Not rated yet, not shown: R01." in view.heat_map.value


def test_rating_an_identified_risk_in_the_widget_and_taking_the_rating_back():
    register = RiskRegister(None, risks=[{"id": "R1", **TEXT, "monetary_impact": 100_000.0}])
    view = register.widget
    assert "1 not rated yet" in view.table.value
    view.picker.value = "R1"
    assert view.probability.value == "" and view.impact.value == "" and view.response.value == ""
    view.probability.value = 0.7
    view.impact.value = 0.4
    view.response.value = "mitigate"
    view.save_button.click()
    assert (register.score("R1"), register.band("R1"), register.emv("R1")) == (0.28, "high", -70_000.0)
    assert register.risk("R1").response == "mitigate" and register.unrated == []
    assert "score 0.28, rank 1, band <i>high</i>" in view.current.value
    assert "not rated" not in view.table.value and "not counted" not in view.totals.value
    assert "70,000.00" in view.totals.value
    view.impact.value = ""
    view.save_button.click()
    assert register.unrated == ["R1"] and register.risk("R1").probability == 0.7
    assert view.impact.value == "" and view.probability.value == 0.7


def test_the_widget_shows_where_the_answer_is_saved(tmp_path):
    register = RiskRegister("emr-risks", directory=tmp_path)
    view = register.widget
    type_risk(view, "R01")
    view.save_button.click()
    assert "Saved automatically" in view.status.value and "emr-risks.json" in view.status.value
    assert RiskRegister("emr-risks", directory=tmp_path).ids == ["R01"]


def test_displaying_the_model_shows_the_widget(pmbok):
    assert "application/vnd.jupyter.widget-view+json" in pmbok._repr_mimebundle_()


# -- the checks that workbook test cells run on a register ---------------------------------------------


def checked_register():
    register = RiskRegister(None, risks=[{"id": risk_id, **TEXT, "monetary_impact": 100_000.0}
                                         for risk_id in ("R1", "R2")])
    register.add("O1", **TEXT, kind="opportunity", monetary_impact=40_000.0)
    return register


def test_register_checks_say_what_is_missing_and_never_the_reference():
    from hitpm_widgets.checks import check_bands, check_rated, check_responses, check_responses_chosen

    register = checked_register()
    with pytest.raises(AssertionError, match="Rate these risks first.*: R1, R2, O1"):
        check_rated(register)
    with pytest.raises(AssertionError, match="Choose a response for these risks.*: R2"):
        register.update("R1", response="mitigate")
        check_responses_chosen(register, ["R1", "R2"])
    register.remove("R2")
    with pytest.raises(AssertionError, match="no longer in your register: R2"):
        check_rated(register, ["R1", "R2"])
    register.update("R1", probability=0.3, impact=0.4, response="accept")
    register.update("O1", probability=0.5, impact=0.1, response="exploit")
    check_rated(register)
    check_bands(register, {"R1": ["medium", "high"], "O1": ["low", "medium"]}, topic="risks")
    check_responses(register, {"O1": ["exploit", "enhance"]}, topic="opportunities")
    # The message is the same whatever the reference: it names the risk, never the band or response.
    messages = []
    for bands in (["high"], ["low"]):
        with pytest.raises(AssertionError, match="1 of the 2 threats are rated into a band .*: R1\\."
                           ) as wrong:
            check_bands(register, {"R1": bands, "O1": ["medium"]}, topic="threats")
        messages.append(str(wrong.value))
    assert messages[0] == messages[1] and "high" not in messages[0] and "low " not in messages[0]
    messages = []
    for responses in (["mitigate"], ["avoid", "escalate"]):
        with pytest.raises(AssertionError, match="1 of the 1 threats have a response that does not fit: R1\\."
                           ) as wrong:
            check_responses(register, {"R1": responses}, topic="threats")
        messages.append(str(wrong.value))
    assert messages[0] == messages[1]


def test_the_reserve_check_follows_the_learners_own_register_either_convention():
    from hitpm_widgets.checks import check_reserve_matches_register
    from hitpm_widgets.questions import QuestionSheet

    register = checked_register()
    sheet = QuestionSheet(None, [{"key": "reserve", "prompt": "reserve", "minimum": 0}])
    sheet.answer("reserve", 0)
    with pytest.raises(AssertionError, match="Rate these risks first"):
        check_reserve_matches_register(sheet, "reserve", register, tolerance=1_000)
    for risk_id in ("R1", "R2"):
        register.update(risk_id, probability=0.5, impact=0.2)
    register.update("O1", probability=0.5, impact=0.1)
    assert (register.contingency_reserve(), register.total_emv()) == (100_000.0, -80_000.0)
    for answer in (100_000, 99_200, 80_000, 80_900):
        sheet.answer("reserve", answer)
        check_reserve_matches_register(sheet, "reserve", register, tolerance=1_000)
    for answer in (102_000, 90_000, 50_000):
        sheet.answer("reserve", answer)
        with pytest.raises(AssertionError, match="does not match your register") as wrong:
            check_reserve_matches_register(sheet, "reserve", register, tolerance=1_000)
        assert "100" not in str(wrong.value) and "80" not in str(wrong.value)
