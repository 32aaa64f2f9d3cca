"""How money is written for people: Peruvian style, ``S/ 1,234,567.80`` (comma for thousands,
point for decimals, always two decimals), whatever the page's language."""

from __future__ import annotations

from decimal import Decimal

CURRENCY_SYMBOLS = {"PEN": "S/", "USD": "US$"}


def format_amount(value: Decimal | int | str) -> str:
    return f"{Decimal(value):,.2f}"


def format_money(value: Decimal | int | str, currency: str = "PEN") -> str:
    return f"{CURRENCY_SYMBOLS.get(currency, currency)} {format_amount(value)}"
