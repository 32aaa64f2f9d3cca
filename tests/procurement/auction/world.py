"""A subasta inversa electrónica driven to its auction, as in production: bids, the chronograph's
opening, its start of the auction."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from procurement.models import Auction, Bid, Tender
from procurement.services.chronograph import chronograph_sweep
from tests.procurement.factories import place_bid, tender_in_bidding

SUBASTA = "subasta-inversa-electronica"
# Lot 1: 40 laptops (item 1) and 40 monitors (item 2). Totals: 100,000.00, 104,000.00, 108,000.00.
PRICES = [
    {1: Decimal("2000.00"), 2: Decimal("500.00")},
    {1: Decimal("2100.00"), 2: Decimal("500.00")},
    {1: Decimal("2200.00"), 2: Decimal("500.00")},
]


def subasta_opened(officer, suppliers, clock) -> Tender:
    """A subasta whose bids (``suppliers[i]`` bids ``PRICES[i]``) were opened by the chronograph:
    the tender is in its auction, each lot's auction scheduled."""
    tender = tender_in_bidding(officer, suppliers, code=SUBASTA)
    clock.set(tender.bids_due - timedelta(hours=1))
    lot = tender.lots.get()
    for supplier, prices in zip(suppliers, PRICES, strict=False):
        place_bid(supplier, lot, prices)
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)
    return Tender.objects.get(pk=tender.pk)


def start(tender, clock) -> Auction:
    """Let the chronograph start the auction at the tender's auction time; returns the lot's auction."""
    clock.set(tender.auction_at)
    chronograph_sweep(now=clock.now)
    return Auction.objects.get(lot__tender=tender)


def bid_of(supplier, tender) -> Bid:
    return Bid.objects.get(lot__tender=tender, participant__organisation=supplier.organisation, status="submitted")
