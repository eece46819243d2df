"""Hospital ERP measures: inventory turns, days on hand, par levels and the three-way match."""

import pandas as pd
import pytest

from hitpm_widgets.supply_chain import OVERPRICED, SHORT, inventory_measures, three_way_match


def test_turns_days_on_hand_and_par():
    items = pd.DataFrame({"annual_usage_cost": [36500.0, 1000.0], "average_inventory_cost": [3650.0, 500.0],
                          "par_level": [10, 5], "on_hand": [9, 5]})
    measured = inventory_measures(items)
    assert list(measured["turns"]) == pytest.approx([10, 2])
    assert list(measured["days_on_hand"]) == pytest.approx([36.5, 182.5])
    assert list(measured["below_par"]) == [True, False]
    items.loc[1, "average_inventory_cost"] = 0
    with pytest.raises(ValueError, match="above 0"):
        inventory_measures(items)


def orders():
    day = pd.Timestamp("2025-11-03")
    return pd.DataFrame({
        "ordered_on": [day] * 4, "received_on": [day + pd.Timedelta(days=d) for d in (2, 3, 4, 5)],
        "qty_ordered": [10, 10, 10, 10], "qty_received": [10, 8, 10, 8], "qty_invoiced": [10, 10, 10, 8],
        "po_unit_price": [5.0, 5.0, 5.0, 5.0], "invoice_unit_price": [5.10, 5.0, 5.50, 5.0]})


def test_the_three_way_match_holds_what_order_and_receipt_do_not_support():
    matched = three_way_match(orders())
    assert list(matched["exception"]) == ["", SHORT, OVERPRICED, ""]  # 2 % above is within the tolerance
    assert list(matched["held_amount"]) == pytest.approx([0, 10.0, 5.0, 0])
    assert list(matched["cycle_days"]) == [2, 3, 4, 5]
    strict = three_way_match(orders(), price_tolerance=0)
    assert strict.loc[0, "exception"] == OVERPRICED
    with pytest.raises(ValueError, match="price_tolerance"):
        three_way_match(orders(), price_tolerance=2)
