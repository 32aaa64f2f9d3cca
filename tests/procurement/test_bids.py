"""Sealed bids: submission with a receipt, replacement, idempotent retries, withdrawal, the deadline
to the second, eligibility, what each person may see before the opening, and the deadline spike."""

import hashlib
import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from portal.accounts.enums import OrganisationKind, Role
from portal.audit.models import AuditEvent
from portal.core import clock as portal_clock
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.models import Notification
from procurement.models import Bid, BidStatus
from procurement.sealing import SealedBox, canonical_json, open_box
from procurement.selectors import BidsView, LotBidCount, OwnBid, bids_visible_to
from procurement.services.bids import bid_submit, bid_withdraw
from procurement.services.participation import participant_register
from procurement.services.tenders import tender_publish, tender_set_timeline
from smeregistry.models import EligibilityRecord
from smeregistry.services.sanctions import sanction_record
from tests.factories import member
from tests.procurement.factories import (
    MONDAY_9AM,
    bid_footprint,
    draft_tender,
    earliest,
    item_data,
    lot_data,
    open_bidding,
)
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

PRICES = {1: Decimal("1234.56"), 2: Decimal("99.90")}
TECHNICAL = {"delivery_days": 15, "warranty_months": 24, "brand": "Lenovo"}


def two_item_lot(**overrides):
    return lot_data(
        items=[item_data(), item_data(description="Monitor de 24 pulgadas", quantity=Decimal("40"))], **overrides
    )


def tender_in_bidding(officer, suppliers, *, mype_reserved=False):
    """A published tender (two items in lot 1) with ``suppliers`` registered, now receiving bids."""
    tender = draft_tender(officer, lots=[two_item_lot(mype_reserved=mype_reserved)])
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM))
    tender = tender_publish(actor=officer, tender=tender)
    for supplier in suppliers:
        participant_register(actor=supplier.owner, tender=tender, organisation=supplier.organisation)
    return open_bidding(tender)


@pytest.fixture
def supplier(clock):
    return registered_supplier(1)


@pytest.fixture
def other_supplier(clock):
    return registered_supplier(2)


@pytest.fixture
def tender(officer, supplier, other_supplier, clock):
    tender = tender_in_bidding(officer, [supplier, other_supplier])
    clock.set(tender.bids_due - timedelta(hours=1))
    return tender


@pytest.fixture
def lot(tender):
    return tender.lots.get(number=1)


def submit(supplier, lot, *, prices=None, technical=None, key="key-1"):
    return bid_submit(
        actor=supplier.owner,
        lot=lot,
        organisation=supplier.organisation,
        prices=PRICES if prices is None else prices,
        technical=TECHNICAL if technical is None else technical,
        idempotency_key=key,
    )


def content(salt, prices=PRICES, technical=TECHNICAL):
    return {"salt": salt, "prices": {str(n): price for n, price in prices.items()}, "technical": technical}


# --- Submission and receipt ------------------------------------------------------------------------


def test_a_bid_is_sealed_and_the_bidder_gets_a_receipt_it_can_check(tender, lot, supplier, clock):
    bid, receipt = submit(supplier, lot)

    expected = hashlib.sha256(canonical_json(content(receipt["salt"]))).hexdigest()
    assert receipt == {
        "tender_code": tender.code,
        "lot_number": 1,
        "bidder_ruc": supplier.ruc,
        "received_at": clock.now.isoformat(),
        "digest": expected,
        "salt": receipt["salt"],
    }
    assert len(receipt["salt"]) == 32
    bid.refresh_from_db()
    assert (bid.status, bid.digest, bid.received_at, bid.replaces) == (BidStatus.SUBMITTED, expected, clock.now, None)
    record = EligibilityRecord.objects.get()
    assert (bid.eligibility, record.purpose, record.eligible) == (record, "bid", True)
    assert record.lot_reference == f"{tender.code}/1"
    assert record.checked_for_id == supplier.organisation_id
    # The opening (and only it) gets the content back, under this bid's context only.
    context = f"tender:{tender.pk}/lot:{lot.pk}/participant:{bid.participant_id}"
    assert open_box(SealedBox.from_dict(bid.sealed), context=context) == canonical_json(content(receipt["salt"]))
    event = AuditEvent.objects.get(action="bid.submitted")
    assert event.payload["digest"] == expected
    notes = Notification.objects.filter(event="bid.received")
    assert {note.recipient_id for note in notes} == {supplier.owner.pk}
    assert notes[0].context["digest"] == expected
    assert notes[0].context["code"] == tender.code
    assert "salt" not in notes[0].context


def test_the_database_reveals_no_price(tender, lot, supplier):
    bid, receipt = submit(supplier, lot)

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM procurement_bid")
        raw = repr(cursor.fetchall())
    stored = [
        raw,
        repr(list(Bid.objects.values())),
        repr(bid.sealed),
        repr(list(EligibilityRecord.objects.values())),
        repr(list(AuditEvent.objects.values())),
        repr(list(Notification.objects.values())),
    ]
    for text in stored:
        for price in ("1234.56", "123456", "99.9"):
            assert price not in text
    # The salt is nowhere in clear either (with the digest it would allow guessing the prices).
    assert all(receipt["salt"] not in text for text in stored)


def test_one_second_before_the_deadline_is_in_time(tender, lot, supplier, clock):
    clock.set(tender.bids_due - timedelta(seconds=1))

    bid, receipt = submit(supplier, lot)

    assert bid.received_at == tender.bids_due - timedelta(seconds=1)
    assert receipt["received_at"] == bid.received_at.isoformat()


@pytest.mark.parametrize("seconds", [0, 1])
def test_at_the_deadline_and_after_it_bids_are_refused(tender, lot, supplier, clock, seconds):
    clock.set(tender.bids_due + timedelta(seconds=seconds))
    before = bid_footprint()

    with pytest.raises(RuleViolation) as refused:
        submit(supplier, lot)

    assert refused.value.code == "deadline_passed"
    assert bid_footprint() == before


@pytest.mark.parametrize(
    ("prices", "code", "field"),
    [
        ({1: Decimal("10.00")}, "missing_price", "prices[2]"),
        ({1: Decimal("10.00"), 2: Decimal("5"), 3: Decimal("1")}, "unknown_item", "prices[3]"),
        ({1: Decimal("0"), 2: Decimal("5")}, "invalid_price", "prices[1]"),
        ({1: Decimal("10"), 2: Decimal("-5.00")}, "invalid_price", "prices[2]"),
        ({1: Decimal("10.005"), 2: Decimal("5")}, "invalid_price", "prices[1]"),
        ({1: 10.5, 2: Decimal("5")}, "invalid_price", "prices[1]"),
        ({1: Decimal("NaN"), 2: Decimal("5")}, "invalid_price", "prices[1]"),
    ],
)
def test_prices_are_for_every_item_more_than_zero_with_cents(lot, supplier, prices, code, field):
    before = bid_footprint()

    with pytest.raises(DomainError) as refused:
        submit(supplier, lot, prices=prices)

    assert (refused.value.code, refused.value.field) == (code, field)
    assert bid_footprint() == before


def test_only_the_suppliers_representatives_bid_for_it(tender, lot, supplier, other_supplier, officer):
    before = bid_footprint()

    for actor in (other_supplier.owner, officer, member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE)):
        with pytest.raises(PermissionDenied):
            bid_submit(
                actor=actor,
                lot=lot,
                organisation=supplier.organisation,
                prices=PRICES,
                technical=TECHNICAL,
                idempotency_key="k",
            )

    assert bid_footprint() == before


def test_a_supplier_that_is_not_a_participant_cannot_bid(tender, lot, clock):
    outsider = registered_supplier(3)
    before = bid_footprint()

    with pytest.raises(RuleViolation) as refused:
        submit(outsider, lot)

    assert refused.value.code == "not_participant"
    assert bid_footprint() == before


def test_a_sanctioned_supplier_is_refused_and_nothing_is_recorded(tender, lot, supplier, clock):
    sanction_record(
        actor=member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER),
        supplier=supplier,
        starts_on=portal_clock.today() - timedelta(days=1),
        ends_on=None,
        reason="Presentó documentos falsos",
        source="Res. 10-2026-TCE",
    )
    before = bid_footprint()

    with pytest.raises(RuleViolation) as refused:
        submit(supplier, lot)

    assert refused.value.code == "not_eligible"
    assert refused.value.reasons == ["sanctioned"]
    assert bid_footprint() == before


def test_a_medium_supplier_cannot_bid_in_a_lot_reserved_for_mype(officer, clock):
    medium = registered_supplier(4, annual_sales="10000000.00")
    tender = tender_in_bidding(officer, [medium], mype_reserved=True)
    clock.set(tender.bids_due - timedelta(minutes=5))
    before = bid_footprint()

    with pytest.raises(RuleViolation) as refused:
        submit(medium, tender.lots.get())

    assert refused.value.code == "not_eligible"
    assert refused.value.reasons == ["not_mype"]
    assert bid_footprint() == before


# --- Replacement, retries, withdrawal --------------------------------------------------------------


def test_a_new_bid_replaces_the_live_one(tender, lot, supplier, clock):
    first, _receipt = submit(supplier, lot, key="a")
    clock.advance(minutes=10)

    second, receipt = submit(supplier, lot, prices={1: Decimal("1200.00"), 2: Decimal("95.50")}, key="b")

    first.refresh_from_db()
    assert (first.status, second.status, second.replaces) == (BidStatus.REPLACED, BidStatus.SUBMITTED, first)
    assert Bid.objects.filter(lot=lot, status=BidStatus.SUBMITTED).get() == second
    assert receipt["digest"] != first.digest
    assert EligibilityRecord.objects.count() == 2
    assert AuditEvent.objects.get(action="bid.submitted", object_id=str(second.pk)).payload["replaces"] == first.pk


def test_a_retry_with_the_same_key_and_content_returns_the_same_bid_and_receipt(tender, lot, supplier, clock):
    bid, receipt = submit(supplier, lot)
    before = bid_footprint()
    clock.advance(seconds=30)

    again, again_receipt = submit(supplier, lot, prices={1: Decimal("1234.560"), 2: Decimal("99.9")})

    assert (again, again_receipt) == (bid, receipt)
    assert (bid.replayed, again.replayed) == (False, True)  # the API answers 201, then 200
    assert bid_footprint() == before


def test_a_retry_after_the_deadline_still_gets_its_receipt(tender, lot, supplier, clock):
    bid, receipt = submit(supplier, lot)
    clock.set(tender.bids_due + timedelta(seconds=5))

    assert submit(supplier, lot) == (bid, receipt)


def test_the_same_key_with_other_content_is_a_conflict(tender, lot, supplier):
    submit(supplier, lot)
    before = bid_footprint()

    with pytest.raises(RuleViolation) as refused:
        submit(supplier, lot, technical={**TECHNICAL, "delivery_days": 10})

    assert (refused.value.code, refused.value.field) == ("idempotency_conflict", "idempotency_key")
    assert bid_footprint() == before


def test_a_bidder_withdraws_its_bid_before_the_deadline(tender, lot, supplier):
    bid, _receipt = submit(supplier, lot)

    bid_withdraw(actor=supplier.owner, bid=bid)

    bid.refresh_from_db()
    assert bid.status == BidStatus.WITHDRAWN
    assert AuditEvent.objects.get(action="bid.withdrawn").payload["digest"] == bid.digest
    assert not Bid.objects.filter(status=BidStatus.SUBMITTED).exists()


def test_no_withdrawal_at_the_deadline_nor_by_others(tender, lot, supplier, other_supplier, clock):
    bid, _receipt = submit(supplier, lot)
    before = bid_footprint()

    with pytest.raises(PermissionDenied):
        bid_withdraw(actor=other_supplier.owner, bid=bid)
    clock.set(tender.bids_due)
    with pytest.raises(RuleViolation) as refused:
        bid_withdraw(actor=supplier.owner, bid=bid)

    assert refused.value.code == "deadline_passed"
    assert bid_footprint() == before


# --- Who sees what before the opening --------------------------------------------------------------


def test_before_the_opening_the_entity_sees_counts_and_bidders_only_their_own(
    tender, supplier, other_supplier, officer
):
    lot = tender.lots.get()
    first, _ = submit(supplier, lot, key="a")
    second, _ = submit(supplier, lot, key="b", prices={1: Decimal("1000"), 2: Decimal("90")})
    withdrawn, _ = submit(other_supplier, lot, key="c")
    bid_withdraw(actor=other_supplier.owner, bid=withdrawn)
    live, _ = submit(other_supplier, lot, key="d")

    assert bids_visible_to(actor=officer, tender=tender) == BidsView(
        counts=[LotBidCount(lot_number=1, live_bids=2)], own=[]
    )
    theirs = bids_visible_to(actor=other_supplier.owner, tender=tender)
    assert theirs.counts == []
    assert [bid.bid_id for bid in theirs.own] == [withdrawn.pk, live.pk]
    mine = bids_visible_to(actor=supplier.owner, tender=tender)
    assert mine.counts == []
    assert [(bid.bid_id, bid.status) for bid in mine.own] == [
        (first.pk, BidStatus.REPLACED),
        (second.pk, BidStatus.SUBMITTED),
    ]
    assert mine.own[0] == OwnBid(
        bid_id=first.pk, lot_number=1, status=BidStatus.REPLACED, received_at=first.received_at, digest=first.digest
    )
    stranger = member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE)
    assert bids_visible_to(actor=stranger, tender=tender) == BidsView(counts=[], own=[])


# --- The deadline spike (PostgreSQL) ---------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_bidders_at_the_deadline_only_those_in_time_are_kept(officer, clock):
    suppliers = [registered_supplier(100 + n) for n in range(20)]
    tender = tender_in_bidding(officer, suppliers)
    lot = tender.lots.get()
    # Each thread reads its own server time: half a second before the deadline, or at/after it.
    local = threading.local()
    portal_clock.set_source(lambda: getattr(local, "now", tender.bids_due - timedelta(hours=1)))
    times = [tender.bids_due + timedelta(milliseconds=-500 if n % 2 == 0 else 500 * (n % 4 - 1)) for n in range(20)]
    barrier = threading.Barrier(20)
    outcomes: dict[int, object] = {}

    def bid(n):
        local.now = times[n]
        try:
            barrier.wait()
            outcomes[n] = submit(suppliers[n], lot, key=f"spike-{n}")[0].pk
        except RuleViolation as refused:
            outcomes[n] = refused.code
        except Exception as error:  # any other error is the failure this test looks for
            outcomes[n] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=bid, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    in_time = {n for n in range(20) if times[n] < tender.bids_due}
    assert len(in_time) == 10
    assert {n for n, outcome in outcomes.items() if outcome == "deadline_passed"} == set(range(20)) - in_time
    assert all(isinstance(outcomes[n], int) for n in in_time), outcomes
    kept = Bid.objects.filter(lot=lot)
    assert sorted(kept.values_list("participant__organisation_id", flat=True)) == sorted(
        suppliers[n].organisation_id for n in in_time
    )
    assert kept.filter(status=BidStatus.SUBMITTED).count() == 10
    assert EligibilityRecord.objects.count() == 10
    assert AuditEvent.objects.filter(action="bid.submitted").count() == 10
