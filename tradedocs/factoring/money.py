"""Simple discount, the Latin American convention: ``discount = face × rate × days / basis``.

Days run from the disbursement to the due date; the basis is 360 (actual/360) or 365, fixed per chain.
Amounts are ``Decimal`` rounded half-up to cents; rates are annual percentages. The effective annual
yield is ``discount / net × basis / days``: what the supplier really pays for the money, which the
pre-acknowledgement shows beside the discount rate.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
BASIS = {"ACT/360": 360, "ACT/365": 365}


@dataclass(frozen=True)
class Quote:
    face: Decimal
    rate: Decimal  # annual discount rate, percent
    days: int
    basis: int
    discount: Decimal
    net: Decimal
    effective_rate: Decimal  # annual yield on the money received, percent, 2 decimals
    disbursement_date: datetime.date
    due_date: datetime.date


def quote(
    *, face: Decimal, rate: Decimal, disbursement_date: datetime.date, due_date: datetime.date, day_count: str
) -> Quote:
    """The discount of ``face`` at ``rate`` from disbursement to due date. ValueError when nothing is left
    to discount (the due date is not after the disbursement) or the numbers make no sense."""
    days = (due_date - disbursement_date).days
    if days <= 0:
        raise ValueError("the due date must be after the disbursement date")
    if face <= 0 or rate < 0:
        raise ValueError("the face value must be positive and the rate not negative")
    basis = BASIS[day_count]
    discount = (face * rate / Decimal(100) * days / basis).quantize(CENT, rounding=ROUND_HALF_UP)
    net = face - discount
    if net <= 0:
        raise ValueError("the discount would take the whole face value")
    effective = (discount / net * basis / days * 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return Quote(
        face=face,
        rate=rate,
        days=days,
        basis=basis,
        discount=discount,
        net=net,
        effective_rate=effective,
        disbursement_date=disbursement_date,
        due_date=due_date,
    )
