"""Tenders driven through the services with a frozen clock, as in production, and what OCDS tests
read back: the releases kept, checked against our schema."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from procurement.models import Bid, Release, Tender
from procurement.ocds import schema
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from tests.procurement.factories import place_bid, tender_in_bidding
from tests.smeregistry.factories import registered_supplier

# Lot 1: 40 laptops (item 1) and 40 monitors (item 2).
CHEAP = {1: Decimal("2000.00"), 2: Decimal("500.00")}  # 40 × 2500 = 100,000.00
DEAR = {1: Decimal("2500.00"), 2: Decimal("625.00")}  # 40 × 3125 = 125,000.00


@pytest.fixture
def alpha(clock):
    return registered_supplier(1)


@pytest.fixture
def beta(clock):
    # Sales of 15 million soles (about 2,800 UIT): a large enterprise.
    return registered_supplier(2, annual_sales="15000000.00", employees=300)


@pytest.fixture
def tender(officer, alpha, beta, clock):
    """Published, receiving bids, with alpha's cheap and beta's dear bid sealed an hour before the deadline."""
    tender = tender_in_bidding(officer, [alpha, beta])
    clock.set(tender.bids_due - timedelta(hours=1))
    lot = tender.lots.get()
    place_bid(alpha, lot, CHEAP)
    place_bid(beta, lot, DEAR)
    return tender


def opened(tender, clock):
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)
    return Tender.objects.get(pk=tender.pk)


def bid_of(supplier, tender):
    return Bid.objects.get(lot__tender=tender, participant__organisation=supplier.organisation, status="submitted")


def awarded(tender, clock, officer, evaluator, alpha, beta):
    tender = opened(tender, clock)
    bid_evaluate(actor=evaluator, bid=bid_of(alpha, tender), qualified=True, technical_score=Decimal("70"))
    bid_evaluate(actor=evaluator, bid=bid_of(beta, tender), qualified=True, technical_score=Decimal("90"))
    return tender_award(actor=officer, tender=tender)


def consented(tender, clock, officer, evaluator, alpha, beta):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    clock.set(tender.appeal_until)
    chronograph_sweep(now=clock.now)
    return Tender.objects.get(pk=tender.pk)


def releases_of(tender) -> list[dict]:
    return list(Release.objects.filter(tender=tender).order_by("pk").values_list("data", flat=True))


def tags_of(tender) -> list[list[str]]:
    return [release["tag"] for release in releases_of(tender)]


def assert_valid(document: dict, name: str = schema.RELEASE) -> None:
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in schema.validator(name).iter_errors(document)]
    assert errors == []
