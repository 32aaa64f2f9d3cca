"""The unit prices an award agrees to.

A sealed bid prices each item of its lot; the total is what was scored. A reverse auction then
lowers the total only: the bidder's last price is for the whole lot. The agreed unit prices are the
bid's own, lowered in the same proportion as its total, so the price structure the bidder declared
is kept and the items add up to the award (to four decimals). Without an auction the award's amount
is the bid's total and the prices are the opened ones. The price history and the orders issued
against a contract both read them from here, so they always agree.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

UNIT_PRICE = Decimal("0.0001")


def agreed_unit_prices(*, opened_prices: dict[str, Any], opened_total: Any, agreed_total: Any) -> dict[str, Decimal]:
    """Item number (as text) → agreed unit price, from the winning bid's opened prices."""
    prices = {number: Decimal(str(price)) for number, price in (opened_prices or {}).items()}
    if opened_total is None or agreed_total is None or Decimal(opened_total) == Decimal(agreed_total):
        return prices
    ratio = Decimal(agreed_total) / Decimal(opened_total)
    return {number: (price * ratio).quantize(UNIT_PRICE, rounding=ROUND_HALF_UP) for number, price in prices.items()}
