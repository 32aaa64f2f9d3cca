"""Evaluation scoring: the score sheet (cuadro comparativo) of one lot. Pure, no ORM, Decimal only.

The rules, in plain words (the numbers are data, passed in ``EvaluationRules``):

1. **Who takes part.** A bid the committee did not qualify (``qualified=False``) is out
   (reason ``not_qualified``). When a minimum technical score is set, a bid scoring *below* it is out
   too (reason ``technical_below_minimum``; a score equal to the minimum passes). Both happen before
   any price is looked at, so an excluded bid's price never becomes "the lowest price".
2. **Price points.** Among the bids still in, the lowest price gets the maximum price points and every
   other bid gets ``lowest_price × max_price_points / price``, rounded half-up to ``decimals`` places
   (2 by default). The arithmetic is exact (rational), so the rounding is the only rounding.
3. **Total.** Price-only evaluation: the total is the price points. Weighted evaluation: the total is
   ``technical × technical_weight + price_points × economic_weight``, rounded half-up. It uses the
   *published* (rounded) price points, so anyone can redo the sheet from its own columns.
4. **Ranking.** Highest total first. Bids with the same total are separated by the tie rules, applied
   in the given order, each only to the bids the previous ones left tied:

   - ``lowest_price``: the lower price ranks first;
   - ``mype_first``: a bid from a micro or small enterprise (MYPE) ranks before one that is not;
   - ``earliest_submission``: the earlier server timestamp ranks first;
   - ``lottery``: the lower ``sha256("<seed>:<bid_id>")`` (hex digest) ranks first. The seed is a public
     value the caller publishes at the act, so anyone can recompute the draw, e.g.
     ``printf '%s' 'SEED:42' | sha256sum``. A seed is only needed when a tie reaches the lottery.

   Bids still tied after every rule keep the same rank (competition ranking: 1, 2, 2, 4) and list each
   other in ``tied_with``: the committee has to settle that, the module does not guess.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from itertools import groupby
from typing import Any, Literal

from procurement.enums import EvaluationMethod

BidId = str | int
Method = Literal["price_only", "weighted"]

LOWEST_PRICE = "lowest_price"
MYPE_FIRST = "mype_first"
EARLIEST_SUBMISSION = "earliest_submission"
LOTTERY = "lottery"
TIE_RULES: tuple[str, ...] = (LOWEST_PRICE, MYPE_FIRST, EARLIEST_SUBMISSION, LOTTERY)

NOT_QUALIFIED = "not_qualified"
TECHNICAL_BELOW_MINIMUM = "technical_below_minimum"


def _require_decimal(name: str, value: object, *, optional: bool = False) -> None:
    """Money and points are Decimals: a float (0.7 is not 7/10) or an int slipping in is refused."""
    if value is None and optional:
        return
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(f"{name} must be a finite number, not {value}")


def _round_half_up(value: Fraction, decimals: int) -> Decimal:
    """``value`` (≥ 0, exact) rounded half-up to ``decimals`` places: 3.125 → 3.13, 86.105 → 86.11."""
    scaled = math.floor(value * 10**decimals + Fraction(1, 2))
    return Decimal(f"{scaled}E-{decimals}")  # the constructor is exact, whatever the decimal context


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@dataclass(frozen=True)
class BidScore:
    """One bid as the committee hands it to the evaluation.

    ``price`` is the offered amount (> 0); ``technical`` the committee's technical points (≥ 0, may be
    None when the evaluation has no technical score or the bid was not qualified); ``submitted_at`` the
    aware server timestamp of the bid's receipt; ``qualified`` False when the committee rejected it.
    """

    bid_id: BidId
    price: Decimal
    technical: Decimal | None
    is_mype: bool
    submitted_at: datetime
    qualified: bool = True

    def __post_init__(self) -> None:
        _require_decimal("price", self.price)
        if self.price <= 0:
            raise ValueError(f"bid {self.bid_id!r}: the price must be above zero, got {self.price}")
        _require_decimal("technical", self.technical, optional=True)
        if self.technical is not None and self.technical < 0:
            raise ValueError(f"bid {self.bid_id!r}: technical points cannot be negative, got {self.technical}")
        if self.submitted_at.tzinfo is None or self.submitted_at.utcoffset() is None:
            raise ValueError(f"bid {self.bid_id!r}: submitted_at must be an aware datetime (server time, UTC)")


@dataclass(frozen=True)
class EvaluationRules:
    """How a lot is scored; validated on construction.

    - ``method``: ``price_only`` or ``weighted`` (the procedure type's ``evaluation``).
    - ``max_price_points``: points of the lowest price (> 0, with at most ``decimals`` places so the
      lowest price gets exactly that).
    - ``max_technical_points``: the top of the technical scale; required for ``weighted`` and whenever
      ``min_technical`` is set.
    - ``technical_weight`` / ``economic_weight``: required for ``weighted`` (each between 0 and 1, summing
      to exactly 1) and refused for ``price_only``, where they would be silently ignored.
    - ``min_technical``: optional; a bid below it is disqualified (0 ≤ minimum ≤ maximum).
    - ``tie_rules``: names from ``TIE_RULES``, in order, each at most once (a list is accepted and kept
      as a tuple).
    - ``decimals``: places of the published points and totals (half-up).
    """

    method: Method
    max_price_points: Decimal
    max_technical_points: Decimal | None = None
    technical_weight: Decimal | None = None
    economic_weight: Decimal | None = None
    min_technical: Decimal | None = None
    tie_rules: tuple[str, ...] = ()
    decimals: int = 2

    def __post_init__(self) -> None:
        object.__setattr__(self, "tie_rules", tuple(self.tie_rules))
        if self.method not in EvaluationMethod.values:
            raise ValueError(f"unknown evaluation method {self.method!r}: use one of {EvaluationMethod.values}")
        if isinstance(self.decimals, bool) or not isinstance(self.decimals, int) or self.decimals < 0:
            raise ValueError(f"decimals must be a whole number ≥ 0, got {self.decimals!r}")
        self._check_price_points()
        self._check_technical()
        self._check_weights()
        self._check_tie_rules()

    def _check_price_points(self) -> None:
        _require_decimal("max_price_points", self.max_price_points)
        if self.max_price_points <= 0:
            raise ValueError(f"max_price_points must be above zero, got {self.max_price_points}")
        if _decimal_places(self.max_price_points) > self.decimals:
            raise ValueError(
                f"max_price_points {self.max_price_points} has more than {self.decimals} decimals:"
                " the lowest price could not get exactly the maximum"
            )

    def _check_technical(self) -> None:
        _require_decimal("max_technical_points", self.max_technical_points, optional=True)
        _require_decimal("min_technical", self.min_technical, optional=True)
        if self.max_technical_points is not None and self.max_technical_points <= 0:
            raise ValueError(f"max_technical_points must be above zero, got {self.max_technical_points}")
        if self.method == EvaluationMethod.WEIGHTED and self.max_technical_points is None:
            raise ValueError("a weighted evaluation needs max_technical_points")
        if self.min_technical is not None:
            if self.max_technical_points is None:
                raise ValueError("min_technical needs max_technical_points")
            if not 0 <= self.min_technical <= self.max_technical_points:
                raise ValueError(
                    f"min_technical must be between 0 and max_technical_points ({self.max_technical_points}),"
                    f" got {self.min_technical}"
                )

    def _check_weights(self) -> None:
        _require_decimal("technical_weight", self.technical_weight, optional=True)
        _require_decimal("economic_weight", self.economic_weight, optional=True)
        if self.method == EvaluationMethod.PRICE_ONLY:
            if self.technical_weight is not None or self.economic_weight is not None:
                raise ValueError("weights apply only to a weighted evaluation, not to price_only")
            return
        if self.technical_weight is None or self.economic_weight is None:
            raise ValueError("a weighted evaluation needs technical_weight and economic_weight")
        for name, weight in (("technical_weight", self.technical_weight), ("economic_weight", self.economic_weight)):
            if not 0 <= weight <= 1:
                raise ValueError(f"{name} must be between 0 and 1, got {weight}")
        if self.technical_weight + self.economic_weight != 1:
            raise ValueError(
                f"technical_weight + economic_weight must be exactly 1, got {self.technical_weight}"
                f" + {self.economic_weight} = {self.technical_weight + self.economic_weight}"
            )

    def _check_tie_rules(self) -> None:
        for rule in self.tie_rules:
            if rule not in TIE_RULES:
                raise ValueError(f"unknown tie rule {rule!r}: use {', '.join(TIE_RULES)}")
        if len(set(self.tie_rules)) != len(self.tie_rules):
            raise ValueError(f"a tie rule is repeated in {self.tie_rules}: each can separate bids only once")


@dataclass(frozen=True)
class ScoreRow:
    """One line of the score sheet.

    ``price_points``, ``total`` and ``rank`` are None for a disqualified bid, which carries its
    ``disqualified_reason``. ``tie_broken_by`` names the tie rule that put this bid below the one ranked
    right above it (None when its total is lower, or when it is still tied with it). ``tied_with`` lists
    the bids that share its rank after every tie rule (empty when its rank is its own).
    """

    bid_id: BidId
    price: Decimal
    technical: Decimal | None
    price_points: Decimal | None
    total: Decimal | None
    rank: int | None
    disqualified_reason: str | None
    tie_broken_by: str | None
    tied_with: tuple[BidId, ...] = field(default=())


def price_points(price: Decimal, *, lowest_price: Decimal, max_points: Decimal, decimals: int = 2) -> Decimal:
    """``lowest_price × max_points / price``, rounded half-up to ``decimals`` places.

    Prices must be above zero and ``lowest_price`` cannot be above ``price`` (that would give more than
    the maximum).
    """
    _require_decimal("price", price)
    _require_decimal("lowest_price", lowest_price)
    _require_decimal("max_points", max_points)
    if price <= 0 or lowest_price <= 0:
        raise ValueError(f"prices must be above zero, got price {price} and lowest price {lowest_price}")
    if lowest_price > price:
        raise ValueError(f"the lowest price {lowest_price} cannot be above the bid's price {price}")
    return _round_half_up(Fraction(lowest_price) * Fraction(max_points) / Fraction(price), decimals)


@dataclass(frozen=True)
class _Scored:
    bid: BidScore
    price_points: Decimal
    total: Decimal


def _tie_key(rule: str, lottery_seed: str | None) -> Callable[[_Scored], Any]:
    """The sort key of a tie rule: the smaller key ranks first."""
    if rule == LOWEST_PRICE:
        return lambda s: s.bid.price
    if rule == MYPE_FIRST:
        return lambda s: not s.bid.is_mype  # False (a MYPE) sorts first
    if rule == EARLIEST_SUBMISSION:
        return lambda s: s.bid.submitted_at
    if rule == LOTTERY:
        if lottery_seed is None:
            raise ValueError(
                "bids are still tied when the lottery is reached: pass the lottery_seed published at the act"
            )
        return lambda s: hashlib.sha256(f"{lottery_seed}:{s.bid.bid_id}".encode()).hexdigest()
    raise ValueError(f"unknown tie rule {rule!r}")  # EvaluationRules already refuses these


def _break_ties(
    group: list[_Scored], rules: Sequence[str], lottery_seed: str | None, broken_by: str | None
) -> list[tuple[list[_Scored], str | None]]:
    """Split bids with equal totals by the rules in order, into still-tied groups in rank order.

    Each group comes with the rule that separated it from the group before it; the first group
    inherits ``broken_by`` from the caller (what separated the whole of ``group`` from above).
    """
    if len(group) <= 1 or not rules:
        return [(group, broken_by)]
    rule, rest = rules[0], rules[1:]
    key = _tie_key(rule, lottery_seed)
    parts = [list(part) for _, part in groupby(sorted(group, key=key), key=key)]
    ordered: list[tuple[list[_Scored], str | None]] = []
    for index, part in enumerate(parts):
        ordered.extend(_break_ties(part, rest, lottery_seed, broken_by if index == 0 else rule))
    return ordered


def _disqualified_reason(bid: BidScore, rules: EvaluationRules) -> str | None:
    if not bid.qualified:
        return NOT_QUALIFIED
    if rules.min_technical is not None and bid.technical is not None and bid.technical < rules.min_technical:
        return TECHNICAL_BELOW_MINIMUM
    return None


def _check_bids(bids: Sequence[BidScore], rules: EvaluationRules) -> None:
    seen: set[str] = set()
    for bid in bids:
        # The lottery hashes str(bid_id), so 7 and "7" would be the same bid there.
        if str(bid.bid_id) in seen:
            raise ValueError(f"bid id {bid.bid_id!r} appears more than once")
        seen.add(str(bid.bid_id))
        maximum = rules.max_technical_points
        if bid.technical is not None and maximum is not None and bid.technical > maximum:
            raise ValueError(
                f"bid {bid.bid_id!r}: technical points {bid.technical} are above the maximum"
                f" {rules.max_technical_points}"
            )
        needs_technical = rules.method == EvaluationMethod.WEIGHTED or rules.min_technical is not None
        if bid.qualified and needs_technical and bid.technical is None:
            raise ValueError(f"bid {bid.bid_id!r} is qualified but has no technical points")


def evaluate(bids: Iterable[BidScore], rules: EvaluationRules, *, lottery_seed: str | None = None) -> list[ScoreRow]:
    """Score and rank the bids of one lot by ``rules`` (see the module docstring for the rules).

    Returns one ``ScoreRow`` per bid: the ranked bids in rank order (still-tied bids in the order they
    were given), then the disqualified ones in the order they were given. No bid left in means every
    row has rank None; declaring the lot void is the caller's decision.
    """
    given = list(bids)
    _check_bids(given, rules)

    reasons = {bid.bid_id: _disqualified_reason(bid, rules) for bid in given}
    valid = [bid for bid in given if reasons[bid.bid_id] is None]
    if not valid:
        return [_disqualified_row(bid, reasons[bid.bid_id]) for bid in given]

    lowest = min(bid.price for bid in valid)
    scored: list[_Scored] = []
    for bid in valid:
        points = price_points(
            bid.price, lowest_price=lowest, max_points=rules.max_price_points, decimals=rules.decimals
        )
        scored.append(_Scored(bid=bid, price_points=points, total=_total(bid, points, rules)))

    rows: list[ScoreRow] = []
    position = 0
    by_total = sorted(scored, key=lambda s: s.total, reverse=True)  # stable: input order among equals
    for _, same_total in groupby(by_total, key=lambda s: s.total):
        for group, broken_by in _break_ties(list(same_total), rules.tie_rules, lottery_seed, None):
            rank = position + 1
            for index, item in enumerate(group):
                rows.append(
                    ScoreRow(
                        bid_id=item.bid.bid_id,
                        price=item.bid.price,
                        technical=item.bid.technical,
                        price_points=item.price_points,
                        total=item.total,
                        rank=rank,
                        disqualified_reason=None,
                        tie_broken_by=broken_by if index == 0 else None,
                        tied_with=tuple(other.bid.bid_id for other in group if other is not item),
                    )
                )
            position += len(group)

    rows.extend(_disqualified_row(bid, reasons[bid.bid_id]) for bid in given if reasons[bid.bid_id] is not None)
    return rows


def _total(bid: BidScore, points: Decimal, rules: EvaluationRules) -> Decimal:
    if rules.method == EvaluationMethod.PRICE_ONLY:
        return points
    technical, technical_weight, economic_weight = bid.technical, rules.technical_weight, rules.economic_weight
    if technical is None or technical_weight is None or economic_weight is None:  # refused earlier; for the types
        raise ValueError(f"bid {bid.bid_id!r}: a weighted total needs technical points and both weights")
    exact = Fraction(technical) * Fraction(technical_weight) + Fraction(points) * Fraction(economic_weight)
    return _round_half_up(exact, rules.decimals)


def _disqualified_row(bid: BidScore, reason: str | None) -> ScoreRow:
    return ScoreRow(
        bid_id=bid.bid_id,
        price=bid.price,
        technical=bid.technical,
        price_points=None,
        total=None,
        rank=None,
        disqualified_reason=reason,
        tie_broken_by=None,
    )
