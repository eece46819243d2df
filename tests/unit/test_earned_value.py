"""Earned value: the formulas against FACTS.md and hand computations, every refusal, the task-table and
monthly roads, the status exercise and its durable answer, the S-curve and the widget."""

import html
import json
import math
from datetime import date

import pandas as pd
import pytest

from hitpm_widgets.cases import load_case
from hitpm_widgets.earned_value import (
    EAC_METHODS,
    EarnedValue,
    EarnedValueSeries,
    EarnedValueStatus,
    earned_value_by_task,
    from_tasks,
    planned_share,
)
from hitpm_widgets.plots.earned_value import describe_s_curve, draw_s_curve

# FACTS.md check: BAC 100 000, 50 % planned, 40 % done, AC 45 000 → PV 50 000, EV 40 000, CPI 0.889,
# SPI 0.800.
FACTS = {"bac": 100_000, "pv": 50_000, "ev": 40_000, "ac": 45_000}
PHARMA_BAC = 2_600_000


def monthly(rows):
    return pd.DataFrame(rows, columns=["month", "planned_value", "earned_value", "actual_cost"])


# A small hand-made project: BAC 1 000, four months.
SMALL = monthly([
    ("2025-01-01", 100, 90, 100),
    ("2025-02-01", 300, 240, 300),
    ("2025-03-01", 600, 500, 625),
    ("2025-04-01", 800, 640, 800),
])


@pytest.fixture
def pharma():
    return load_case("pharma-ctms").evm_monthly


# -- the formulas ---------------------------------------------------------------------------------


def test_the_facts_check_values():
    status = EarnedValue(**FACTS)
    assert (status.pv, status.ev) == (50_000, 40_000)
    assert round(status.cpi, 3) == 0.889
    assert round(status.spi, 3) == 0.800
    assert status.cv == -5_000 and status.sv == -10_000


def test_the_facts_check_from_a_task_table():
    status = from_tasks([{"task_id": "all", "budget": 100_000, "planned_percent": 50, "percent_complete": 40,
                          "actual_cost": 45_000}])
    assert (status.bac, status.pv, status.ev, status.ac) == (100_000, 50_000, 40_000, 45_000)
    assert round(status.cpi, 3) == 0.889 and round(status.spi, 3) == 0.8


def test_every_forecast_by_hand():
    status = EarnedValue(**FACTS)
    cpi, spi = 40_000 / 45_000, 40_000 / 50_000
    assert status.eac_cpi == pytest.approx(100_000 / cpi) == pytest.approx(112_500)
    assert status.eac_atypical == 45_000 + (100_000 - 40_000) == 105_000
    assert status.eac_cpi_spi == pytest.approx(45_000 + 60_000 / (cpi * spi)) == pytest.approx(129_375)
    assert status.eac_bottom_up(50_000) == 95_000
    assert status.eac == {"cpi": status.eac_cpi, "atypical": 105_000, "cpi_spi": status.eac_cpi_spi}
    assert status.etc("cpi") == pytest.approx(67_500)
    assert status.etc("atypical") == 60_000
    assert status.vac("cpi") == pytest.approx(-12_500)
    assert status.vac("cpi_spi") == pytest.approx(-29_375)
    # A bottom-up EAC is given as a figure.
    assert status.etc(95_000) == 50_000 and status.vac(95_000) == 5_000
    assert status.tcpi_bac == pytest.approx(60_000 / 55_000)
    # On the BAC / CPI forecast the rest needs exactly today's CPI.
    assert status.tcpi_eac("cpi") == pytest.approx(cpi)
    assert status.tcpi_eac("atypical") == pytest.approx(1.0)
    assert status.percent_complete == 40 and status.percent_spent == 45


def test_the_pharma_case_matches_the_teaching_note(pharma):
    july = EarnedValueSeries(pharma, PHARMA_BAC).at("2025-07")
    assert (july.pv, july.ev, july.ac) == (1_800_000, 1_548_000, 1_742_000)
    assert july.cv == -194_000 and july.sv == -252_000
    assert round(july.cpi, 3) == 0.889 and round(july.spi, 3) == 0.860
    assert round(july.eac_cpi) == 2_925_840
    assert round(july.etc("cpi")) == 1_183_840 and round(july.vac("cpi")) == -325_840
    assert round(july.tcpi_bac, 3) == 1.226
    assert july.eac_atypical == 2_794_000
    assert round(july.eac_cpi_spi) == 3_118_558


def test_the_monthly_trend_of_the_pharma_case(pharma):
    frame = EarnedValueSeries(pharma, PHARMA_BAC).to_frame()
    assert frame["cpi"].round(3).tolist() == [0.967, 0.940, 0.910, 0.899, 0.889]
    assert frame["spi"].round(3).tolist() == [0.976, 0.958, 0.926, 0.874, 0.860]
    assert (frame["cv"] == frame["earned_value"] - frame["actual_cost"]).all()
    assert (frame["eac_cpi"] == PHARMA_BAC * frame["actual_cost"] / frame["earned_value"]).all()


def test_readings_in_plain_words():
    over = EarnedValue(**FACTS)
    assert over.cost_reading == "over budget: each dollar spent earns 0.89 dollars of planned work"
    assert over.schedule_reading.startswith("behind schedule: for each dollar of work planned by now, 0.80")
    under = EarnedValue(bac=1_000, pv=400, ev=500, ac=400)
    assert under.cost_reading == "under budget: each dollar spent earns 1.25 dollars of planned work"
    assert under.schedule_reading.startswith("ahead of schedule")
    even = EarnedValue(bac=1_000, pv=500, ev=500, ac=500)
    assert even.cost_reading.startswith("on budget") and even.schedule_reading.startswith("on schedule")
    # A ratio just under 1 is not shown as 1.00 beside the words "over budget".
    close = EarnedValue(bac=100_000, pv=50_000, ev=49_990, ac=50_000)
    assert "0.9998 dollars" in close.cost_reading
    assert "2,925,840 at completion, 325,840 over budget" in EarnedValue(
        PHARMA_BAC, 1_800_000, 1_548_000, 1_742_000).eac_reading("cpi")
    assert over.tcpi_reading() == ("to finish on budget, each dollar still to spend must earn 1.09 dollars "
                                   "of work, against 0.89 so far")


def test_the_figures_table_and_summary():
    status = EarnedValue(**FACTS, status_date=pd.Timestamp("2025-07-01"))
    frame = status.to_frame("atypical")
    assert frame.loc["CPI", "value"] == pytest.approx(40 / 45) and frame.loc["CPI", "unit"] == "ratio"
    assert frame.loc["ETC", "value"] == 60_000 and frame.loc["VAC", "value"] == -5_000
    assert frame.loc["EAC (BAC / CPI)", "value"] == pytest.approx(112_500)
    assert frame.loc["% complete", "value"] == 40
    assert "over budget: each dollar spent earns 0.89" in frame.loc["CV", "reading"]
    assert frame.loc["ETC", "formula"] == "EAC (AC + (BAC − EV)) − AC"
    summary = status.summary("cpi_spi")
    assert summary["eac"] == pytest.approx(129_375) and summary["eac_method"] == "cpi_spi"
    assert summary["status_date"] == pd.Timestamp("2025-07-01")
    assert status.summary(95_000)["eac_method"] == "given"


# -- undefined figures: None, not errors ----------------------------------------------------------


def test_no_cost_yet_leaves_cpi_and_its_forecasts_undefined():
    status = EarnedValue(bac=1_000, pv=100, ev=50, ac=0)
    assert status.cpi is None and status.eac_cpi is None and status.eac_cpi_spi is None
    assert status.etc("cpi") is None and status.vac("cpi") is None and status.tcpi_eac("cpi") is None
    assert status.eac_atypical == 950 and status.spi == 0.5
    assert "CPI is undefined" in status.cost_reading
    assert "no forecast" in status.eac_reading("cpi")
    assert math.isnan(status.to_frame().loc["CPI", "value"])


def test_no_work_planned_yet_leaves_spi_undefined():
    status = EarnedValue(bac=1_000, pv=0, ev=0, ac=10)
    assert status.spi is None and status.eac_cpi_spi is None
    assert status.cpi == 0 and status.eac_cpi is None  # CPI 0: BAC / CPI would divide by zero
    assert "SPI is undefined" in status.schedule_reading


def test_tcpi_is_undefined_once_the_budget_is_spent():
    spent = EarnedValue(bac=1_000, pv=1_000, ev=900, ac=1_000)
    assert spent.tcpi_bac is None
    assert "no longer possible" in spent.tcpi_reading()
    assert EarnedValue(bac=1_000, pv=1_000, ev=900, ac=1_200).tcpi_bac is None
    # Finished work: the BAC / CPI forecast is AC itself, so no money is left to reach it with.
    finished = EarnedValue(bac=1_000, pv=1_000, ev=1_000, ac=1_100)
    assert finished.eac_cpi == pytest.approx(1_100) and finished.tcpi_eac("cpi") is None


# -- refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("values", "message"), [
    ({"ac": -1}, "actual cost (AC) must be an amount of 0 or more; -1 is negative"),
    ({"pv": -5}, "planned value (PV) must be an amount of 0 or more"),
    ({"ev": float("nan")}, "earned value (EV) must be a finite amount of 0 or more"),
    ({"ac": float("inf")}, "must be a finite amount"),
    ({"ac": "45000"}, "actual cost (AC) must be an amount of 0 or more, not '45000'"),
    ({"ev": True}, "earned value (EV) must be an amount"),
    ({"bac": 0}, "the budget at completion (BAC) must be more than 0"),
    ({"bac": -100}, "the budget at completion (BAC) must be an amount of 0 or more"),
    ({"ev": 100_001}, "earned value (EV) 100,001 cannot be more than the budget at completion (BAC) 100,000"),
    ({"pv": 120_000}, "planned value (PV) 120,000 cannot be more than the budget at completion (BAC)"),
])
def test_bad_figures_are_refused(values, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        EarnedValue(**{**FACTS, **values})


def test_an_overrun_is_not_refused():
    assert EarnedValue(bac=100, pv=100, ev=90, ac=150).percent_spent == 150


def test_bad_forecast_questions_are_refused():
    status = EarnedValue(**FACTS)
    with pytest.raises(ValueError, match="the EAC method must be one of: 'cpi'"):
        status.etc("guess")
    with pytest.raises(ValueError, match="less than the actual cost so far"):
        status.vac(40_000)
    with pytest.raises(ValueError, match="bottom-up estimate to complete"):
        status.eac_bottom_up(-1)


# -- from a task table ------------------------------------------------------------------------------


def test_a_task_table_with_planned_percentages_by_hand():
    tasks = pd.DataFrame({
        "task_id": ["REQ", "BLD", "TST"],
        "budget": [20_000, 50_000, 30_000],
        "planned_percent": [100, 60, 0],
        "percent_complete": [100, 40, 10],
        "actual_cost": [22_000, 25_000, 4_000],
    })
    status = from_tasks(tasks)
    assert status.bac == 100_000
    assert status.pv == 20_000 + 30_000 + 0
    assert status.ev == 20_000 + 20_000 + 3_000
    assert status.ac == 51_000
    by_task = earned_value_by_task(tasks)
    assert by_task.loc["BLD", "sv"] == -10_000 and by_task.loc["REQ", "cv"] == -2_000
    assert by_task["pv"].sum() == status.pv


def test_planned_share_from_dates():
    # Evenly over the task's days, both ends included; the status date counts to its end.
    assert planned_share("2025-03-01", "2025-03-10", "2025-03-03") == pytest.approx(0.3)
    assert planned_share("2025-03-01", "2025-03-10", "2025-02-27") == 0
    assert planned_share("2025-03-01", "2025-03-10", "2025-03-10") == 1
    assert planned_share("2025-03-01", "2025-03-01", "2025-03-01") == 1
    with pytest.raises(ValueError, match="planned finish 2025-03-01 is before the planned start 2025-03-10"):
        planned_share("2025-03-10", "2025-03-01", "2025-03-05")


def test_a_task_table_with_planned_dates():
    tasks = [
        {"task_id": "A", "budget": 1_000, "planned_start": "2025-03-01", "planned_finish": "2025-03-10",
         "percent_complete": 20, "actual_cost": 250},
        {"task_id": "B", "budget": 2_000, "planned_start": date(2025, 3, 11),
         "planned_finish": date(2025, 3, 20), "percent_complete": 0, "actual_cost": 0},
    ]
    status = from_tasks(tasks, status_date="2025-03-03")
    assert status.pv == pytest.approx(300) and status.ev == 200 and status.ac == 250
    assert status.status_date == pd.Timestamp("2025-03-03")
    later = from_tasks(tasks, status_date="2025-03-15")
    assert later.pv == pytest.approx(1_000 + 2_000 * 0.5)


def test_the_sum_of_shares_never_passes_bac_by_a_rounding_error():
    tasks = [{"task_id": str(i), "budget": budget, "planned_percent": 100, "percent_complete": 100,
              "actual_cost": 0.1} for i, budget in enumerate([0.1, 0.2, 0.7, 1 / 3, 2 / 3])]
    status = from_tasks(tasks)
    assert status.ev <= status.bac and status.ev == pytest.approx(2)


@pytest.mark.parametrize(("change", "status_date", "message"), [
    ({"percent_complete": 120}, None, "the percent complete of task 'A' must be a percentage from 0 to 100"),
    ({"actual_cost": -3}, None, "the actual cost of task 'A' must be an amount of 0 or more"),
    ({"budget": float("nan")}, None, "the budget of task 'A' must be a finite amount"),
    ({"planned_percent": -1}, None, "the planned percent of task 'A' must be an amount of 0 or more"),
    ({"planned_start": "2025-03-01"}, None, "both planned_percent and planned dates"),
])
def test_bad_task_tables_are_refused(change, status_date, message):
    task = {"task_id": "A", "budget": 100, "planned_percent": 50, "percent_complete": 40, "actual_cost": 45}
    with pytest.raises(ValueError, match=message):
        from_tasks([{**task, **change}], status_date)


def test_more_task_table_refusals():
    good = {"task_id": "A", "budget": 100, "planned_percent": 50, "percent_complete": 40, "actual_cost": 45}
    with pytest.raises(ValueError, match="task ids must be unique; 'A'"):
        from_tasks([good, good])
    with pytest.raises(ValueError, match="no column 'actual_cost'"):
        from_tasks([{k: v for k, v in good.items() if k != "actual_cost"}])
    dated = {"task_id": "A", "budget": 100, "planned_start": "2025-03-01", "planned_finish": "2025-03-10",
             "percent_complete": 0, "actual_cost": 0}
    with pytest.raises(ValueError, match="give the status date"):
        from_tasks([dated])
    with pytest.raises(ValueError, match="task 'A': the planned finish must be a date"):
        from_tasks([{**dated, "planned_finish": None}], "2025-03-05")
    with pytest.raises(ValueError, match="budgets add up to 0"):
        from_tasks([{**good, "budget": 0}])
    with pytest.raises(ValueError, match="has no tasks"):
        from_tasks([])
    with pytest.raises(ValueError, match="not str"):
        from_tasks("tasks.csv")


# -- the monthly series ------------------------------------------------------------------------------


def test_the_series_reads_any_date_in_a_month():
    series = EarnedValueSeries(SMALL, 1_000)
    assert len(series) == 4
    assert series.status_dates == list(pd.to_datetime(SMALL["month"]))
    march = series.at("2025-03")
    assert (march.pv, march.ev, march.ac) == (600, 500, 625)
    assert series.at(date(2025, 3, 31)) == march == series.at(pd.Timestamp("2025-03-15"))
    assert march.status_date == pd.Timestamp("2025-03-01")
    assert series.latest.ev == 640
    with pytest.raises(KeyError, match="no earned value figures for June 2025; months: 2025-01, 2025-02"):
        series.at("2025-06")
    frame = series.to_frame()
    assert frame.loc["2025-03-01", "cpi"] == pytest.approx(0.8)
    assert frame.loc["2025-03-01", "spi"] == 500 / 600
    assert frame.loc["2025-03-01", "eac_cpi"] == pytest.approx(1_250)
    assert frame.loc["2025-02-01", "sv"] == -60


def test_the_series_sorts_its_months():
    shuffled = SMALL.iloc[[2, 0, 3, 1]]
    assert EarnedValueSeries(shuffled, 1_000).to_frame().equals(EarnedValueSeries(SMALL, 1_000).to_frame())


@pytest.mark.parametrize(("row", "value", "message"), [
    (2, {"actual_cost": 280}, "actual cost \\(AC\\) falls from 300 in February 2025 to 280 in March 2025: "
                              "the figures are cumulative .*DataFrame.cumsum"),
    (3, {"earned_value": 1_200}, "earned value \\(EV\\) in April 2025 is 1,200, more than the budget at "
                                 "completion \\(BAC\\) 1,000"),
    (3, {"planned_value": 1_100}, "planned value \\(PV\\) in April 2025 is 1,100, more than"),
    (1, {"planned_value": -300}, "planned value \\(PV\\) in February 2025 must be an amount of 0 or more"),
    (1, {"earned_value": float("nan")}, "earned value \\(EV\\) in February 2025 must be a finite amount"),
    (1, {"month": "2025-01-20"}, "each month appears once in the monthly figures; repeated: 2025-01"),
    (1, {"month": "not a month"}, "the month in row 2 must be a date"),
])
def test_bad_monthly_figures_are_refused_naming_the_month(row, value, message):
    table = SMALL.copy().astype(object)
    for column, new in value.items():
        table.at[row, column] = new
    with pytest.raises(ValueError, match=message):
        EarnedValueSeries(table, 1_000)


def test_more_series_refusals():
    with pytest.raises(ValueError, match="no column 'actual_cost'"):
        EarnedValueSeries(SMALL.drop(columns="actual_cost"), 1_000)
    with pytest.raises(ValueError, match="no rows"):
        EarnedValueSeries(SMALL.iloc[0:0], 1_000)
    with pytest.raises(ValueError, match="must be more than 0"):
        EarnedValueSeries(SMALL, 0)


def test_the_task_table_and_the_monthly_series_agree():
    tasks = [
        {"task_id": "DES", "budget": 30_000, "planned_start": "2025-01-01", "planned_finish": "2025-01-31"},
        {"task_id": "BLD", "budget": 50_000, "planned_start": "2025-02-01", "planned_finish": "2025-03-31"},
        {"task_id": "TST", "budget": 20_000, "planned_start": "2025-03-15", "planned_finish": "2025-04-30"},
    ]
    progress = {  # month end: {task: (percent complete, actual cost to date)}
        "2025-01-31": {"DES": (90, 31_000), "BLD": (0, 0), "TST": (0, 0)},
        "2025-02-28": {"DES": (100, 34_000), "BLD": (30, 18_000), "TST": (0, 0)},
        "2025-03-31": {"DES": (100, 34_000), "BLD": (70, 40_000), "TST": (10, 3_000)},
    }
    by_date = {}
    for month_end, done in progress.items():
        table = [{**task, "percent_complete": done[task["task_id"]][0],
                  "actual_cost": done[task["task_id"]][1]} for task in tasks]
        by_date[month_end] = from_tasks(table, status_date=month_end)
    rows = [(month_end, s.pv, s.ev, s.ac) for month_end, s in by_date.items()]
    series = EarnedValueSeries(monthly(rows), 100_000)
    for month_end, status in by_date.items():
        at = series.at(month_end)
        assert (at.bac, at.pv, at.ev, at.ac) == (status.bac, status.pv, status.ev, status.ac)
        assert (at.cpi, at.spi, at.eac_cpi_spi) == (status.cpi, status.spi, status.eac_cpi_spi)
    # By hand, end of February: DES all planned, BLD 28 of 59 days → PV 30 000 + 50 000 × 28 / 59.
    assert by_date["2025-02-28"].pv == pytest.approx(30_000 + 50_000 * 28 / 59)
    assert by_date["2025-02-28"].ev == 30_000 + 15_000


# -- the status exercise --------------------------------------------------------------------------------


def test_the_exercise_answer(pharma):
    report = EarnedValueStatus(None, pharma, bac=PHARMA_BAC)
    assert report.status is None and report.eac is None and not report.answered
    assert report.to_frame().empty and report.summary()["cpi"] is None
    report.set_status_date("2025-07")
    assert report.status_date == pd.Timestamp("2025-07-01")
    assert report.status == EarnedValueSeries(pharma, PHARMA_BAC).at("2025-07")
    assert report.eac is None and report.summary()["eac"] is None
    report.choose_eac("cpi_spi", "  CPI and SPI have both fallen every month  ")
    assert report.eac == pytest.approx(3_118_557.9, abs=0.1)
    assert report.justification == "CPI and SPI have both fallen every month"
    assert report.answered
    summary = report.summary()
    assert summary["eac_method"] == "cpi_spi" and summary["etc"] == pytest.approx(report.eac - 1_742_000)
    assert report.to_frame().loc["ETC", "value"] == pytest.approx(summary["etc"])
    report.choose_eac("atypical")  # the reason stays until it is changed
    assert report.justification == "CPI and SPI have both fallen every month"
    report.set_justification("")
    assert not report.answered
    report.choose_eac(None)
    assert report.eac_method is None


def test_the_exercise_refuses_bad_answers(pharma):
    report = EarnedValueStatus(None, pharma, bac=PHARMA_BAC)
    with pytest.raises(KeyError, match="no earned value figures for August 2025"):
        report.set_status_date("2025-08-31")
    with pytest.raises(ValueError, match="must be a date"):
        report.set_status_date(7)
    with pytest.raises(ValueError, match="the EAC method must be one of"):
        report.choose_eac("BAC/CPI")
    with pytest.raises(ValueError, match="one line"):
        report.set_justification("first\nsecond")
    with pytest.raises(ValueError, match="must be text"):
        report.set_justification(3)
    assert report.status_date is None and report.eac_method is None and report.justification == ""
    with pytest.raises(ValueError, match="more than the budget at completion"):
        EarnedValueStatus(None, pharma, bac=1_000_000)


def test_the_answer_is_durable(tmp_path, pharma):
    first = EarnedValueStatus("pharma-evm", pharma, bac=PHARMA_BAC, directory=tmp_path)
    first.set_status_date("2025-06")
    first.choose_eac("cpi", "the overrun is steady, not a one-off")
    path = tmp_path / ".hitpm" / "answers" / "pharma-evm.json"
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["kind"] == "EarnedValueStatus"
    assert saved["model"] == {"status_date": "2025-06-01", "eac_method": "cpi",
                              "justification": "the overrun is steady, not a one-off"}
    again = EarnedValueStatus("pharma-evm", pharma, bac=PHARMA_BAC, directory=tmp_path)
    assert again.status_date == pd.Timestamp("2025-06-01") and again.eac_method == "cpi"
    assert again.justification == "the overrun is steady, not a one-off"
    assert again.eac == first.eac and "Saved automatically" in again.saving_status


@pytest.mark.parametrize("tampered", [{"eac_method": "guess"}, {"status_date": "2031-01-01"},
                                      {"status_date": 20250601}, {"justification": "a\nb"}])
def test_a_tampered_answer_is_set_aside(tmp_path, capsys, pharma, tampered):
    first = EarnedValueStatus("pharma-evm", pharma, bac=PHARMA_BAC, directory=tmp_path)
    first.set_status_date("2025-05")
    path = tmp_path / ".hitpm" / "answers" / "pharma-evm.json"
    record = json.loads(path.read_text(encoding="utf-8"))
    record["model"].update(tampered)
    path.write_text(json.dumps(record), encoding="utf-8")
    again = EarnedValueStatus("pharma-evm", pharma, bac=PHARMA_BAC, directory=tmp_path)
    assert again.status_date is None and again.eac_method is None and again.saving_problem
    assert path.with_name("pharma-evm.json.bak").exists()
    assert "starts fresh" in capsys.readouterr().out


# -- the S-curve -------------------------------------------------------------------------------------


def _lines_by_label(axes):
    return {line.get_label().split(":")[0]: line for line in axes.get_lines()}


def test_the_s_curve_tells_the_lines_apart_without_colour(pharma):
    series = EarnedValueSeries(pharma, PHARMA_BAC)
    axes = draw_s_curve(series, "2025-05", eac="cpi_spi", planned_finish="2025-12-01").axes[0]
    lines = _lines_by_label(axes)
    assert {"PV", "EV", "AC", "BAC", "status date", "EAC (AC + (BAC − EV) / (CPI × SPI))"} <= set(lines)
    trio = [lines[key] for key in ("PV", "EV", "AC")]
    assert len({str(line.get_linestyle()) for line in trio}) == 3
    assert len({line.get_marker() for line in trio}) == 3
    # The plan is drawn in full; EV and AC up to the status date only.
    assert len(lines["PV"].get_xdata()) == 5 and len(lines["EV"].get_xdata()) == 3
    assert set(lines["BAC"].get_ydata()) == {PHARMA_BAC}
    assert list(lines["status date"].get_xdata()) == [pd.Timestamp("2025-05-01")] * 2
    eac_line = lines["EAC (AC + (BAC − EV) / (CPI × SPI))"]
    assert eac_line.get_linestyle() == "--"
    assert eac_line.get_ydata()[0] == 946_000
    assert eac_line.get_ydata()[-1] == pytest.approx(series.at("2025-05").eac_cpi_spi)
    labels = {text.get_text().split(" ")[0] for text in axes.texts}
    assert {"PV", "EV", "AC", "EAC", "BAC"} <= labels


def test_the_forecast_needs_a_planned_finish_and_a_status_date(pharma):
    series = EarnedValueSeries(pharma, PHARMA_BAC)
    assert not any(k.startswith("EAC") for k in _lines_by_label(draw_s_curve(series, "2025-07").axes[0]))
    no_status = _lines_by_label(draw_s_curve(series, None, planned_finish="2025-12-01").axes[0])
    assert "status date" not in no_status and not any(k.startswith("EAC") for k in no_status)
    no_method = draw_s_curve(series, "2025-07", eac=None, planned_finish="2025-12-01").axes[0]
    no_method = _lines_by_label(no_method)
    assert not any(k.startswith("EAC") for k in no_method)


def test_the_s_curve_alt_text_states_the_status(pharma):
    series = EarnedValueSeries(pharma, PHARMA_BAC)
    text = describe_s_curve(series, "2025-07", eac="cpi", planned_finish="2025-12-01")
    for part in ("At the status date, July 2025", "PV 1,800,000", "EV 1,548,000", "AC 1,742,000", "CPI 0.889",
                 "SPI 0.860", "EAC (BAC / CPI) 2,925,840", "planned finish, December 2025",
                 "solid line with circles", "budget at completion (BAC) 2,600,000"):
        assert part in text
    latest = describe_s_curve(series)
    assert "No status date chosen; at the latest month, July 2025" in latest and "EAC" not in latest
    assert "CPI 0.899" in describe_s_curve(series, "2025-06")


# -- the widget --------------------------------------------------------------------------------------


def test_the_widget_writes_the_model(pharma):
    report = EarnedValueStatus(None, pharma, bac=PHARMA_BAC, planned_finish="2025-12-01")
    view = report.widget
    assert "Choose the status date" in view.headline.value and view.figures.value == ""
    view.status_date.value = "2025-07-01"  # what picking a month with the keyboard does
    assert report.status_date == pd.Timestamp("2025-07-01")
    assert "CPI 0.889, SPI 0.860" in view.headline.value
    assert "1,548,000" in view.figures.value and "0.889" in view.figures.value
    assert "PV 1,800,000" in html.unescape(view.chart.value)
    view.eac_method.value = "cpi"
    assert report.eac_method == "cpi"
    assert "<b>EAC 2,925,840</b>" in view.headline.value
    assert "EAC (BAC / CPI) 2,925,840" in html.unescape(view.chart.value)
    view.justification.value = "the overrun has grown every month"
    assert report.justification == "the overrun has grown every month" and report.answered
    view.status_date.value = "2025-04-01"
    assert report.status_date == pd.Timestamp("2025-04-01") and "April 2025" in view.headline.value
    assert "Scratch exercise" in view.status.value
    # "choose a month" is no answer: the model keeps its date and the picker shows it again.
    view.status_date.value = ""
    assert report.status_date == pd.Timestamp("2025-04-01") and view.status_date.value == "2025-04-01"
    view.eac_method.value = ""
    assert report.eac_method is None and "Choose the EAC method" in view.headline.value


def test_the_widget_follows_changes_made_in_code_and_shows_refusals(pharma, tmp_path):
    report = EarnedValueStatus("pharma-evm", pharma, bac=PHARMA_BAC, directory=tmp_path)
    view = report.widget
    report.set_status_date("2025-05")
    report.choose_eac("atypical", "a one-off licence overrun")
    assert view.status_date.value == "2025-05-01" and view.eac_method.value == "atypical"
    assert view.justification.value == "a one-off licence overrun"
    assert "Saved automatically" in view.status.value
    view.apply(report.set_status_date, "2030-01")
    assert "no earned value figures for January 2030" in html.unescape(view.status.value)
    assert report.status_date == pd.Timestamp("2025-05-01")


def test_displaying_the_model_shows_the_widget(pharma):
    report = EarnedValueStatus(None, pharma, bac=PHARMA_BAC)
    assert "application/vnd.jupyter.widget-view+json" in report._repr_mimebundle_()
    assert repr(report) == "<EarnedValueStatus None: no status date, EAC method not chosen>"
    assert set(EAC_METHODS) == {"cpi", "atypical", "cpi_spi"}
