"""A subasta inversa electrónica from its publication to its contract, moved by the chronograph as in
production: bids, opening, auction, close, evaluation, award with the auction's price, consent,
signatures."""

from datetime import timedelta
from decimal import Decimal

import pytest

from portal.audit.models import AuditEvent
from procurement.enums import ContractStatus, TenderStatus
from procurement.models import Contract, PricePoint, Release, Tender
from procurement.services.auction import auction_bid
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from procurement.services.contracts import contract_sign
from tests.procurement.auction.world import bid_of, subasta_opened
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db


def test_a_subasta_from_publication_to_contract(officer, entity, evaluator, clock):
    alpha, beta = registered_supplier(1), registered_supplier(2)
    tender = subasta_opened(officer, [alpha, beta], clock)
    assert tender.status == TenderStatus.AUCTION

    clock.set(tender.auction_at + timedelta(seconds=20))  # the beat comes a little after the time
    chronograph_sweep(now=clock.now)
    auction = tender.auctions.get()
    for supplier, price, at in [(beta, "99500.00", 1), (alpha, "99000.00", 3), (beta, "98500.00", 9)]:
        clock.set(auction.started_at + timedelta(minutes=at))
        auction_bid(
            actor=supplier.owner, auction=auction, organisation=supplier.organisation, price=price, client_token=price
        )
    auction.refresh_from_db()
    assert auction.ends_at == auction.started_at + timedelta(minutes=12)  # the last bid extended it
    clock.set(auction.ends_at)
    chronograph_sweep(now=clock.now)
    tender = Tender.objects.get(pk=tender.pk)
    assert tender.status == TenderStatus.EVALUATION

    for supplier in (alpha, beta):
        bid_evaluate(actor=evaluator, bid=bid_of(supplier, tender), qualified=True)
    tender = tender_award(actor=officer, tender=tender)
    assert tender.status == TenderStatus.APPEAL_WINDOW
    clock.set(tender.appeal_until)
    chronograph_sweep(now=clock.now)
    contract = Contract.objects.get(tender=tender)
    assert (contract.supplier_id, contract.amount) == (beta.organisation.pk, Decimal("98500.00"))
    contract_sign(actor=beta.owner, contract=contract, organisation=beta.organisation)
    contract = contract_sign(actor=officer, contract=contract, organisation=entity)

    assert contract.status == ContractStatus.SIGNED
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.CONTRACTED
    actions = list(AuditEvent.objects.filter(object_id=str(tender.pk)).values_list("action", flat=True))
    assert [action for action in actions if action.startswith(("auction.", "tender.auction", "tender.evaluation"))] == [
        "auction.started",
        "auction.closed",
        "tender.evaluation",
    ]
    tags = [release.data["tag"] for release in Release.objects.filter(ocid__endswith=f"-{tender.pk}").order_by("pk")]
    assert tags.count(["tenderUpdate"]) >= 3
    # The agreed unit prices (price history, orders) are the winner's own, lowered with its total.
    bid = bid_of(beta, tender)
    ratio = Decimal("98500.00") / bid.price_total
    points = {point.item.number: point.unit_price for point in PricePoint.objects.filter(tender=tender)}
    assert points == {
        int(number): (Decimal(price) * ratio).quantize(Decimal("0.0001")) for number, price in bid.opened_prices.items()
    }
