"""Adoption analysis: CPOE share, adoption and override rates, stalled departments, tickets, and their plots.

Every expected value is worked out by hand from the small tables built here.
"""

import math

import pandas as pd
import pytest

from hitpm_widgets.adoption import (
    ADOPTION_COLUMNS,
    _cpoe_progress,
    _stalled_departments,
    adoption_rate,
    adoption_table,
    check_adoption,
    cpoe_share,
    override_rate,
    ticket_change,
    ticket_trends,
)
from hitpm_widgets.plots.adoption import (
    category_styles,
    department_styles,
    describe_adoption_lines,
    describe_ticket_bars,
    draw_adoption_lines,
    draw_ticket_bars,
)


def row(department, week, *, cpoe=0, verbal=0, paper=0, staff=10, active=5, logins=20, fired=0, overrides=0):
    return {"week": week, "department": department, "staff": staff, "active_users": active, "logins": logins,
            "orders_cpoe": cpoe, "orders_verbal": verbal, "orders_paper": paper, "alerts_fired": fired,
            "alert_overrides": overrides}


def shares(department, by_week: dict[int, int], total=100):
    """Rows whose CPOE share is by_week[week] / total (the rest split between verbal and paper)."""
    rows = []
    for week, cpoe in by_week.items():
        rest = total - cpoe
        rows.append(row(department, week, cpoe=cpoe, verbal=rest // 2, paper=rest - rest // 2))
    return rows


@pytest.fixture
def small():
    return pd.DataFrame([
        row("ED", 1, cpoe=30, verbal=10, paper=10, staff=40, active=10, fired=8, overrides=6),
        row("ED", 2, cpoe=45, verbal=5, paper=0, staff=40, active=30, fired=0, overrides=0),
        row("ICU", 1, cpoe=0, verbal=0, paper=0, staff=20, active=5, fired=10, overrides=1),
        row("ICU", 2, cpoe=9, verbal=1, paper=2, staff=0, active=0, fired=4, overrides=4),
    ])


# -- measures --------------------------------------------------------------------------------


def test_cpoe_share_is_cpoe_orders_over_all_orders(small):
    frame = cpoe_share(small).set_index(["department", "week"])
    assert frame.loc[("ED", 1), "cpoe_share"] == pytest.approx(30 / 50)
    assert frame.loc[("ED", 2), "cpoe_share"] == pytest.approx(45 / 50)
    assert frame.loc[("ICU", 2), "cpoe_share"] == pytest.approx(9 / 12)


def test_a_week_without_orders_has_no_share_not_an_error(small):
    frame = cpoe_share(small).set_index(["department", "week"])
    assert math.isnan(frame.loc[("ICU", 1), "cpoe_share"])


def test_adoption_and_override_rates(small):
    adoption = adoption_rate(small).set_index(["department", "week"])["adoption_rate"]
    assert adoption[("ED", 1)] == pytest.approx(10 / 40)
    assert adoption[("ED", 2)] == pytest.approx(30 / 40)
    assert math.isnan(adoption[("ICU", 2)])  # no staff
    overrides = override_rate(small).set_index(["department", "week"])["override_rate"]
    assert overrides[("ED", 1)] == pytest.approx(6 / 8)
    assert overrides[("ICU", 2)] == pytest.approx(1.0)
    assert math.isnan(overrides[("ED", 2)])  # no alerts fired


def test_measures_add_a_column_and_leave_the_input_alone(small):
    before = small.copy()
    frame = cpoe_share(small)
    assert list(frame.columns) == [*ADOPTION_COLUMNS, "cpoe_share"]
    pd.testing.assert_frame_equal(small, before)


def test_adoption_table_is_department_by_week(small):
    table = adoption_table(small)
    assert list(table.index) == ["ED", "ICU"] and list(table.columns) == [1, 2]
    assert table.loc["ED", 2] == pytest.approx(0.9)
    assert math.isnan(table.loc["ICU", 1])
    rates = adoption_table(small, "adoption_rate")
    assert rates.loc["ICU", 1] == pytest.approx(0.25)
    counts = adoption_table(small, "orders_cpoe")
    assert counts.loc["ICU", 2] == 9


def test_unknown_measures_are_refused(small):
    with pytest.raises(ValueError,
                       match="unknown measure 'cpoe'; one of: cpoe_share, adoption_rate, override_rate"):
        adoption_table(small, "cpoe")


# -- stalled departments ----------------------------------------------------------------------


@pytest.fixture
def eight_weeks():
    """Week 4 and week 8 shares (of 100 orders), chosen on both sides of each boundary."""
    plan = {
        "Cardiology": (60, 62),   # gain exactly 0.02: not stalled
        "Emergency": (60, 61),    # gain 0.01, below target: stalled
        "ICU": (85, 85),          # no gain, but exactly at target: not stalled
        "Oncology": (84, 84),     # no gain, just below target: stalled
        "Pediatrics": (40, 70),   # big gain: not stalled
        "Anaesthesia": (70, 65),  # fell back: stalled
        "Radiology": (28, 30),    # 0.30 - 0.28 is a gain of 0.02 despite floating point: not stalled
    }
    rows = []
    for department, (week4, week8) in plan.items():
        by_week = {week: (week4 if week <= 4 else week8) - max(4 - week, 0) for week in range(1, 9)}
        rows += shares(department, by_week)
    return pd.DataFrame(rows)


def test_stalled_departments_gain_too_little_and_stay_below_target(eight_weeks):
    assert _stalled_departments(eight_weeks) == ["Anaesthesia", "Emergency", "Oncology"]


def test_the_stalled_rule_in_detail(eight_weeks):
    progress = _cpoe_progress(eight_weeks)
    assert progress.loc["Cardiology", "gain"] == pytest.approx(0.02)
    assert progress.loc["Anaesthesia", "gain"] == pytest.approx(-0.05)
    assert not progress.loc["Cardiology", "stalled"]
    assert not progress.loc["ICU", "below_target"] and not progress.loc["ICU", "stalled"]
    assert progress.loc["Oncology", "below_target"] and progress.loc["Oncology", "stalled"]
    assert progress.loc["Pediatrics", "share_from"] == pytest.approx(0.40)
    assert progress.loc["Pediatrics", "share_to"] == pytest.approx(0.70)


def test_the_weeks_gain_and_target_can_be_set(eight_weeks):
    # Weeks 1 to 4: every department gained 0.03 (the plan lowers week 1 by 3 points).
    assert _stalled_departments(eight_weeks, from_week=1, to_week=4) == []
    assert _stalled_departments(eight_weeks, from_week=1, to_week=4, min_gain=0.04) == [
        "Anaesthesia", "Cardiology", "Emergency", "Oncology", "Pediatrics", "Radiology"]
    assert _stalled_departments(eight_weeks, target=0.845) == ["Anaesthesia", "Emergency", "Oncology"]
    assert _stalled_departments(eight_weeks, target=0.84) == ["Anaesthesia", "Emergency"]
    assert _stalled_departments(eight_weeks, min_gain=0.021) == ["Anaesthesia", "Cardiology", "Emergency",
                                                               "Oncology", "Radiology"]


def test_a_department_without_a_share_in_either_week_cannot_be_judged(eight_weeks):
    no_orders = pd.DataFrame([row("Dermatology", week) for week in range(1, 9)])
    with pytest.raises(ValueError, match=r"cannot tell whether these departments stalled: Dermatology has "
                                         r"no CPOE share in week 4 or 8 \(no row, or no orders\)"):
        _stalled_departments(pd.concat([eight_weeks, no_orders]))
    missing_week = eight_weeks[~((eight_weeks["department"] == "ICU") & (eight_weeks["week"] == 8))]
    with pytest.raises(ValueError, match="ICU has no CPOE share in week 8"):
        _stalled_departments(missing_week)


@pytest.mark.parametrize(
    ("settings", "message"),
    [({"from_week": 8, "to_week": 4}, r"from_week \(8\) must come before to_week \(4\)"),
     ({"from_week": 4, "to_week": 4}, "must come before"),
     ({"to_week": 9}, "to_week 9 is not in the table; its weeks run from 1 to 8"),
     ({"from_week": 0}, "from_week 0 is not in the table"),
     ({"from_week": 4.0}, "from_week must be a week number"),
     ({"to_week": True}, "to_week must be a week number"),
     ({"target": 85}, "target is a CPOE share from 0 to 1"),
     ({"target": "high"}, "target must be a number"),
     ({"min_gain": math.nan}, "min_gain must be a number"),
     ({"min_gain": 2}, "min_gain is a change of share")],
)
def test_bad_settings_are_refused(eight_weeks, settings, message):
    with pytest.raises(ValueError, match=message):
        _stalled_departments(eight_weeks, **settings)


# -- checking the adoption table -------------------------------------------------------------


def test_missing_columns_are_named(small):
    with pytest.raises(ValueError, match="no column 'logins', 'alert_overrides'; it needs: week, department"):
        cpoe_share(small.drop(columns=["logins", "alert_overrides"]))


@pytest.mark.parametrize("column", ["staff", "orders_paper", "alerts_fired", "logins"])
def test_negative_counts_name_department_and_week(small, column):
    bad = small.copy()
    bad.loc[3, column] = -2
    if column == "alerts_fired":
        bad.loc[3, "alert_overrides"] = 0
    with pytest.raises(ValueError, match=f"counts cannot be negative in the adoption table: department ICU, "
                                         f"week 2: {column} is -2"):
        check_adoption(bad)


def test_more_active_users_than_staff_is_refused(small):
    bad = small.copy()
    bad.loc[1, "active_users"] = 41
    with pytest.raises(ValueError, match="active_users cannot exceed staff: department ED, week 2: "
                                         "41 active users but 40 staff"):
        adoption_rate(bad)


def test_more_overrides_than_alerts_is_refused(small):
    bad = small.copy()
    bad.loc[2, "alert_overrides"] = 11
    with pytest.raises(ValueError, match="alert_overrides cannot exceed alerts_fired: department ICU, "
                                         "week 1: 11 overrides of 10 alerts fired"):
        override_rate(bad)


@pytest.mark.parametrize("value", [2.5, math.nan, "7", None])
def test_counts_must_be_whole_numbers(small, value):
    bad = small.astype({"orders_verbal": "object"})
    bad.loc[0, "orders_verbal"] = value
    with pytest.raises(ValueError, match="orders_verbal must be a whole number in the adoption table: "
                                         "department ED, week 1"):
        cpoe_share(bad)


def test_whole_numbers_stored_as_floats_are_accepted(small):
    frame = cpoe_share(small.astype({"orders_cpoe": "float64"}))
    assert frame["orders_cpoe"].dtype == "int64"
    assert frame.loc[0, "cpoe_share"] == pytest.approx(0.6)


@pytest.mark.parametrize(
    ("change", "message"),
    [(lambda f: f.assign(week=[1, 2, 0, 2]), r"weeks are numbered from 1 .*row 3 \(department ICU\): week 0"),
     (lambda f: f.assign(week=[1, 1, 1, 2]),
      "one row per department and week; repeated: department ED, week 1"),
     (lambda f: f.assign(department=["ED", "", "ICU", "ICU"]), r"no department \(text\) in row\(s\) 2"),
     (lambda f: f.iloc[0:0], "the adoption table has no rows"),
     (lambda f: f.to_dict("records"), "must be a DataFrame, not list")],
)
def test_other_bad_tables_are_refused(small, change, message):
    with pytest.raises(ValueError, match=message):
        check_adoption(change(small))


def test_long_lists_of_problems_are_cut_short():
    bad = pd.DataFrame([row("ED", week, staff=1, active=2) for week in range(1, 10)])
    with pytest.raises(ValueError, match="week 6: 2 active users but 1 staff; and 3 more$"):
        check_adoption(bad)


# -- help-desk tickets ------------------------------------------------------------------------


@pytest.fixture
def tickets():
    return pd.DataFrame(
        [
            (1, "ED", "access and login", 12), (1, "ED", "how-to", 8), (1, "ICU", "access and login", 4),
            (1, "ICU", "printing", 3), (2, "ED", "how-to", 5), (2, "ICU", "printing", 2),
            (4, "ED", "access and login", 2), (4, "ED", "how-to", 1), (4, "ICU", "printing", 0),
            (4, "ICU", "label scanners", 6),
        ],
        columns=["week", "department", "category", "tickets"],
    )


def test_ticket_trends_are_week_by_category_totals(tickets):
    trends = ticket_trends(tickets)
    assert list(trends.index) == [1, 2, 3, 4]  # week 3 had no tickets and shows as 0
    assert list(trends.columns) == ["access and login", "how-to", "printing", "label scanners"]
    assert trends.loc[1].tolist() == [16, 8, 3, 0]
    assert trends.loc[3].tolist() == [0, 0, 0, 0]
    assert trends.loc[4].tolist() == [2, 1, 0, 6]
    assert int(trends.to_numpy().sum()) == int(tickets["tickets"].sum())


def test_ticket_trends_per_department(tickets):
    by_department = ticket_trends(tickets, by_department=True)
    assert by_department.loc[("ICU", 1), "access and login"] == 4
    assert by_department.loc[("ED", 3)].sum() == 0
    assert by_department.loc[("ED", 4), "label scanners"] == 0
    assert len(by_department) == 2 * 4
    one = ticket_trends(tickets, department="ED")
    assert one.loc[1].tolist() == [12, 8, 0, 0]


def test_ticket_trends_refusals(tickets):
    with pytest.raises(ValueError, match="unknown department 'Lab'; known: ED, ICU"):
        ticket_trends(tickets, department="Lab")
    with pytest.raises(ValueError, match="not both"):
        ticket_trends(tickets, department="ED", by_department=True)
    with pytest.raises(ValueError, match="no column 'tickets'"):
        ticket_trends(tickets.rename(columns={"tickets": "count"}))
    negative = tickets.copy()
    negative.loc[5, "tickets"] = -1
    with pytest.raises(ValueError, match="department ICU, week 2: tickets is -1"):
        ticket_trends(negative)


def test_ticket_change(tickets):
    change = ticket_change(tickets, "access and login", 1, 4)
    assert list(change.index) == ["ED", "ICU", "all departments"]
    assert change.loc["ED"].tolist()[:3] == [12, 2, -10]
    assert change.loc["ED", "percent_change"] == pytest.approx(-10 / 12 * 100)
    assert change.loc["ICU"].tolist()[:3] == [4, 0, -4]
    assert change.loc["all departments"].tolist()[:3] == [16, 2, -14]
    assert change.loc["all departments", "percent_change"] == pytest.approx(-87.5)


def test_ticket_change_from_zero_has_no_percent(tickets):
    change = ticket_change(tickets, "label scanners", 1, 4)
    assert change.loc["ICU", ["first", "last", "change"]].tolist() == [0, 6, 6]
    assert math.isnan(change.loc["ICU", "percent_change"])


@pytest.mark.parametrize(
    ("arguments", "message"),
    [(("scanners",), "unknown ticket category 'scanners'; the table has: access and login, how-to, printing"),
     (("how-to", 1, 8), "last_week 8 is not in the table; its weeks run from 1 to 4"),
     (("how-to", 4, 1), r"first_week \(4\) must come before last_week \(1\)")],
)
def test_ticket_change_refusals(tickets, arguments, message):
    with pytest.raises(ValueError, match=message):
        ticket_change(tickets, *arguments)


# -- plots -----------------------------------------------------------------------------------


@pytest.fixture
def three_departments():
    return pd.DataFrame(shares("ED", {1: 20, 2: 40, 3: 41}) + shares("ICU", {1: 50, 2: 70, 3: 90})
                        + shares("Lab", {1: 10, 2: 12, 3: 12}))


def test_departments_differ_in_colour_marker_and_line_style():
    names = [f"D{i:02d}" for i in range(12)]
    styles = department_styles(names)
    combos = [(s["color"], s["marker"], s["linestyle"]) for s in styles.values()]
    assert len(set(combos)) == 12
    assert len({s["marker"] for s in styles.values()}) == 8  # shapes, not colour alone
    assert "#F0E442" not in {s["color"] for s in styles.values()}  # no thin yellow line on white


def test_adoption_lines_draw_a_line_per_department_with_thick_highlights(three_departments):
    figure = draw_adoption_lines(three_departments, highlight=["Lab"], target=0.85)
    axes = figure.axes[0]
    lines = [line for line in axes.get_lines() if len(line.get_xdata()) == 3]
    assert len(lines) == 3
    widths = sorted(line.get_linewidth() for line in lines)
    assert widths[-1] > 2 * widths[0] and widths[0] == widths[1]
    assert len({(line.get_marker(), line.get_linestyle()) for line in lines}) == 3
    labels = {text.get_text(): text for text in axes.texts}
    assert {"ED", "ICU", "Lab", "target 85.0 %"} <= set(labels)
    assert labels["Lab"].get_fontweight() == "bold" and labels["ED"].get_fontweight() == "normal"
    assert list(lines[2].get_ydata()) == pytest.approx([0.10, 0.12, 0.12])
    assert "(thick: Lab)" in axes.get_title()


def test_adoption_lines_description_states_the_numbers(three_departments):
    text = describe_adoption_lines(three_departments, highlight=("Lab",), target=0.85)
    assert text.startswith("Line chart of CPOE share of orders by week, weeks 1 to 3, 3 departments. Lab:")
    assert "Lab: 10.0 % in week 1, 12.0 % in week 3 (+2.0 points)" in text
    assert "ICU: 50.0 % in week 1, 90.0 % in week 3 (+40.0 points)" in text
    assert "Drawn thick: Lab." in text and "target 85.0 %" in text
    counts = describe_adoption_lines(three_departments, "orders_cpoe")
    assert "ED: 20 in week 1, 41 in week 3 (+21)" in counts


def test_highlighting_an_unknown_department_is_refused(three_departments):
    with pytest.raises(ValueError,
                       match="cannot highlight unknown department.*'Pharmacy'.*known: ED, ICU, Lab"):
        draw_adoption_lines(three_departments, highlight="Pharmacy")


def test_ticket_bars_stack_hatched_categories(tickets):
    figure = draw_ticket_bars(tickets)
    axes = figure.axes[0]
    bars = axes.patches
    assert len(bars) == 4 * 4  # weeks x categories
    assert [bar.get_height() for bar in bars[:4]] == [16, 0, 0, 2]  # access and login, weeks 1-4
    hatches = [bars[4 * i].get_hatch() for i in range(4)]
    assert len(set(hatches)) == 4 and None not in hatches
    assert [text.get_text() for text in axes.texts] == ["27", "7", "0", "9"]  # weekly totals
    assert [t.get_text() for t in axes.get_legend().get_texts()][::-1] == list(ticket_trends(tickets).columns)
    one = draw_ticket_bars(tickets, department="ICU").axes[0]
    assert [text.get_text() for text in one.texts] == ["7", "2", "0", "6"]
    assert "ICU" in one.get_title()


def test_categories_keep_their_style_in_every_chart():
    full = category_styles(["printing", "how-to", "access and login"])
    part = category_styles(["printing"])
    assert full["printing"] == part["printing"]
    assert full["how-to"]["hatch"] != full["printing"]["hatch"]


def test_ticket_bars_description_states_the_numbers(tickets):
    text = describe_ticket_bars(tickets)
    assert "all departments, weeks 1 to 4" in text
    assert "Total tickets: week 1 27, week 2 7, week 3 0, week 4 9." in text
    assert "access and login 16 to 2; how-to 8 to 1; printing 3 to 0; label scanners 0 to 6" in text
    assert text.endswith("Most tickets over all weeks: access and login (18).")
    assert "ED, weeks 1 to 4" in describe_ticket_bars(tickets, department="ED")
