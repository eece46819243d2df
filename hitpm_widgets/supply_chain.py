"""Hospital ERP, supply chain: inventory turns, days on hand, par levels and the three-way match.

Tables (the middle-manager case has them):
- items: `annual_usage_cost` (cost of the goods used in a year), `average_inventory_cost`, `par_level`,
  `on_hand`;
- orders: `item_id`, `ordered_on`, `received_on`, `qty_ordered`, `qty_received`, `qty_invoiced`,
  `po_unit_price`, `invoice_unit_price`.

Inventory turns = cost of goods used / average inventory; days on hand = 365 / turns. The three-way
match pays an invoice only when it agrees with the purchase order (the price) and the receipt (the
quantity): invoiced quantity no more than received, invoice price within a tolerance of the order's.
"""

from __future__ import annotations

import numbers

from .measures import require_columns, require_counts

ITEM_COLUMNS = ("annual_usage_cost", "average_inventory_cost", "par_level", "on_hand")
ORDER_COLUMNS = ("ordered_on", "received_on", "qty_ordered", "qty_received", "qty_invoiced", "po_unit_price",
                 "invoice_unit_price")
#: Invoice prices up to 2 % above the order's are paid (a common tolerance; each hospital sets its own).
PRICE_TOLERANCE = 0.02
SHORT, OVERPRICED = "invoiced more than received", "price above the order's"


def inventory_measures(items):
    """The items table with `turns`, `days_on_hand` and `below_par` (on hand under the par level)."""
    require_columns(items, ITEM_COLUMNS, "items")
    require_counts(items, ITEM_COLUMNS, "items")
    zero = items.index[items["average_inventory_cost"] == 0]
    if len(zero):
        raise ValueError("average_inventory_cost must be above 0 to compute turns; it is 0 in row(s) "
                         + ", ".join(str(i + 1) for i in zero[:5]))
    measured = items.copy()
    measured["turns"] = measured["annual_usage_cost"] / measured["average_inventory_cost"]
    measured["days_on_hand"] = 365 / measured["turns"]
    measured["below_par"] = measured["on_hand"] < measured["par_level"]
    return measured


def three_way_match(orders, price_tolerance: float = PRICE_TOLERANCE):
    """The orders table with `cycle_days` (order to receipt), `exception` (empty when the invoice matches)
    and `held_amount` (what the invoice asks beyond what receipt and order support)."""
    require_columns(orders, ORDER_COLUMNS, "orders")
    require_counts(orders, ORDER_COLUMNS[2:], "orders")
    if isinstance(price_tolerance, bool) or not isinstance(price_tolerance, numbers.Real) \
            or not 0 <= price_tolerance < 1:
        raise ValueError(f"price_tolerance must be a share from 0 to below 1, e.g. 0.02; not {price_tolerance!r}")
    matched = orders.copy()
    matched["cycle_days"] = (matched["received_on"] - matched["ordered_on"]).dt.days
    short = matched["qty_invoiced"] > matched["qty_received"]
    overpriced = matched["invoice_unit_price"] > matched["po_unit_price"] * (1 + price_tolerance) + 1e-9
    reasons = []
    for is_short, is_overpriced in zip(short, overpriced, strict=True):
        reasons.append("; ".join(r for r, on in ((SHORT, is_short), (OVERPRICED, is_overpriced)) if on))
    matched["exception"] = reasons
    invoiced = matched["qty_invoiced"] * matched["invoice_unit_price"]
    supported = matched[["qty_invoiced", "qty_received"]].min(axis=1) * matched["po_unit_price"]
    matched["held_amount"] = (invoiced - supported).where(short | overpriced, 0.0).round(2)
    return matched
