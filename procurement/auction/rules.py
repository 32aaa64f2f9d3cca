"""The rules of a reverse auction, read from the procedure type's ``auction`` configuration. Pure.

A procedure type with the ``auction`` stage carries, in its config::

    "auction": {
        "duration_minutes": 10,           # the auction runs this long from its start ...
        "extension_window_minutes": 2,    # ... but an accepted bid in its last 2 minutes
        "extension_minutes": 2,           # moves the end 2 minutes later,
        "max_duration_minutes": 30,       # never beyond start + 30 minutes (the hard end).
        "decrement": {"kind": "percent", "value": "0.5"},  # or {"kind": "amount", "value": "100.00"}
        "price": "total",                 # bidders bid the lot's total price
        "single_bidder": "negotiation",   # one admitted bidder: negotiation ("void": the lot is void)
    }

The decrement is the minimum step down, applied to the bidder's own last price and to the current
best: a bid ``p`` against a reference price ``r`` is valid when ``p <= r - step(r)``, where
``step(r)`` is the amount itself, or ``r × value / 100`` rounded half-up to the cent (at least one
cent). So a bid equal to the best is always refused: the best holds its rank by having come first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

CENT = Decimal("0.01")
PERCENT, AMOUNT = "percent", "amount"
DECREMENT_KINDS = (PERCENT, AMOUNT)
PRICE_MODES = ("total",)  # a unit-price auction is not supported yet
NEGOTIATION, VOID = "negotiation", "void"
SINGLE_BIDDER_RULES = (NEGOTIATION, VOID)
_MINUTES = ("duration_minutes", "extension_window_minutes", "extension_minutes", "max_duration_minutes")


@dataclass(frozen=True)
class AuctionRules:
    """The validated rules of one auction (a snapshot is kept on each ``Auction``)."""

    duration: timedelta
    extension_window: timedelta
    extension: timedelta
    max_duration: timedelta
    decrement_kind: str
    decrement_value: Decimal
    price: str = "total"
    single_bidder: str = NEGOTIATION

    def step(self, reference: Decimal) -> Decimal:
        """The minimum decrement below ``reference``."""
        if self.decrement_kind == AMOUNT:
            return self.decrement_value
        step = (reference * self.decrement_value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
        return max(step, CENT)

    def highest_valid(self, reference: Decimal) -> Decimal:
        """The highest price that beats ``reference`` by the decrement."""
        return reference - self.step(reference)

    def as_config(self) -> dict[str, Any]:
        """The rules as configuration data (what ``Auction.rules`` keeps)."""
        return {
            "duration_minutes": int(self.duration.total_seconds() // 60),
            "extension_window_minutes": int(self.extension_window.total_seconds() // 60),
            "extension_minutes": int(self.extension.total_seconds() // 60),
            "max_duration_minutes": int(self.max_duration.total_seconds() // 60),
            "decrement": {"kind": self.decrement_kind, "value": str(self.decrement_value)},
            "price": self.price,
            "single_bidder": self.single_bidder,
        }


def auction_rules(rules: Any) -> AuctionRules:
    """Parse the ``auction`` rules of a procedure type's config (``config["auction"]``), or an
    ``Auction.rules`` snapshot (the same shape). Raises ValueError when they do not hold together."""
    problems = auction_problems(rules)
    if problems:
        raise ValueError("; ".join(problems))
    return _parse(rules)


def _parse(rules: dict[str, Any]) -> AuctionRules:
    decrement = rules["decrement"]
    return AuctionRules(
        duration=timedelta(minutes=rules["duration_minutes"]),
        extension_window=timedelta(minutes=rules["extension_window_minutes"]),
        extension=timedelta(minutes=rules["extension_minutes"]),
        max_duration=timedelta(minutes=rules["max_duration_minutes"]),
        decrement_kind=decrement["kind"],
        decrement_value=Decimal(str(decrement["value"])),
        price=rules.get("price", "total"),
        single_bidder=rules.get("single_bidder", NEGOTIATION),
    )


def auction_problems(rules: Any) -> list[str]:
    """Every problem with a procedure type's ``auction`` rules, in plain words; empty when valid."""
    if not isinstance(rules, dict):
        return ["a reverse auction needs its rules: duration, extension, maximum and decrement"]
    problems = [*_time_problems(rules), *_decrement_problems(rules.get("decrement"))]
    if rules.get("price", "total") not in PRICE_MODES:
        problems.append("auction: bidders bid the total price (unit-price auctions are not supported)")
    if rules.get("single_bidder", NEGOTIATION) not in SINGLE_BIDDER_RULES:
        problems.append("auction: with a single bidder the lot goes to negotiation or is void")
    return problems


def _time_problems(rules: dict[str, Any]) -> list[str]:
    problems = [
        f"auction: {key} must be a whole number of minutes, zero or more"
        for key in _MINUTES
        if isinstance(rules.get(key), bool) or not isinstance(rules.get(key), int) or rules[key] < 0
    ]
    if problems:
        return problems
    if rules["duration_minutes"] < 1:
        problems.append("auction: the duration is 1 minute or more")
    if rules["max_duration_minutes"] < rules["duration_minutes"]:
        problems.append("auction: the maximum duration cannot be shorter than the duration")
    if rules["extension_window_minutes"] > rules["duration_minutes"]:
        problems.append("auction: the extension window cannot be longer than the auction")
    return problems


def _decrement_problems(decrement: Any) -> list[str]:
    if not isinstance(decrement, dict) or decrement.get("kind") not in DECREMENT_KINDS:
        return ["auction: the decrement is a percent or an amount"]
    try:
        value = Decimal(str(decrement.get("value")))
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite() or value <= 0:
        return ["auction: the decrement is more than zero"]
    if decrement["kind"] == PERCENT and value >= 100:
        return ["auction: a percent decrement is below 100"]
    if decrement["kind"] == AMOUNT and value.quantize(CENT) != value:
        return ["auction: a decrement amount has at most two decimals"]
    return []
