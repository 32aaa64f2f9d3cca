"""The reverse auction of a subasta inversa electrónica: scheduling at the opening, start, bids with
their decrements and extensions, close (on time and late), negotiation, void, and the award that
scores the auction's final prices."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from portal.audit.models import AuditEvent
from portal.core.errors import RuleViolation
from portal.notifications.models import Notification
from procurement.enums import AuctionStatus, LotStatus, TenderStatus
from procurement.models import Auction, AuctionBid, AuctionBidder, Award, LotScore, Release, Tender
from procurement.services.auction import AuctionBidRefused, auction_bid, auction_negotiate
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from tests.procurement.auction.world import bid_of, start, subasta_opened
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

A = AuctionStatus


@pytest.fixture
def alpha(clock):
    return registered_supplier(1)


@pytest.fixture
def beta(clock):
    return registered_supplier(2)


@pytest.fixture
def gamma(clock):
    return registered_supplier(3)


@pytest.fixture
def opened(officer, alpha, beta, clock):
    return subasta_opened(officer, [alpha, beta], clock)


@pytest.fixture
def running(opened, clock):
    return start(opened, clock)


def bid(supplier, auction, price, token=None):
    return auction_bid(
        actor=supplier.owner,
        auction=auction,
        organisation=supplier.organisation,
        price=Decimal(price),
        client_token=token or f"t-{supplier.organisation.pk}-{price}",
    )


def refused(supplier, auction, price, code, token=None):
    """Bid and expect a logged refusal with ``code``; returns the logged attempt."""
    before = Auction.objects.get(pk=auction.pk)
    prices = dict(AuctionBidder.objects.filter(auction=auction).values_list("organisation_id", "price"))
    with pytest.raises(AuctionBidRefused) as refusal:
        bid(supplier, auction, price, token)
    attempt = refusal.value.attempt
    assert (refusal.value.code, refusal.value.status) == (code, 409)
    assert (attempt.accepted, attempt.refusal_code) == (False, code)
    assert AuctionBid.objects.get(pk=attempt.pk).refusal_reason
    after = Auction.objects.get(pk=auction.pk)
    assert (after.best_price, after.best_bid_id, after.ends_at) == (
        before.best_price,
        before.best_bid_id,
        before.ends_at,
    )
    assert dict(AuctionBidder.objects.filter(auction=auction).values_list("organisation_id", "price")) == prices
    return attempt


# --- scheduling and start ---------------------------------------------------------------------------


def test_the_opening_of_a_subasta_schedules_an_auction_per_lot_with_the_opened_bidders(opened, alpha, beta):
    assert opened.status == TenderStatus.AUCTION
    auction = Auction.objects.get(lot__tender=opened)
    assert (auction.status, auction.starts_at, auction.ends_at) == (A.SCHEDULED, opened.auction_at, None)
    assert opened.next_check == opened.auction_at
    assert auction.rules["duration_minutes"] == 10
    assert sorted(AuctionBidder.objects.filter(auction=auction).values_list("organisation_id", "initial_price")) == [
        (alpha.organisation.pk, Decimal("100000.00")),
        (beta.organisation.pk, Decimal("104000.00")),
    ]


def test_nobody_bids_before_the_start(opened, alpha, clock):
    clock.set(opened.auction_at - timedelta(seconds=1))
    assert chronograph_sweep(now=clock.now) == 0
    auction = Auction.objects.get(lot__tender=opened)
    refused(alpha, auction, "99000.00", "auction_not_running")


def test_the_chronograph_starts_the_auction_at_its_time(opened, clock):
    auction = start(opened, clock)
    assert auction.status == A.RUNNING
    assert auction.started_at == opened.auction_at
    assert auction.ends_at == opened.auction_at + timedelta(minutes=10)
    assert auction.hard_end == opened.auction_at + timedelta(minutes=30)
    assert auction.best_price == Decimal("100000.00")
    assert Tender.objects.get(pk=opened.pk).next_check == auction.ends_at
    assert AuditEvent.objects.get(action="auction.started").payload["bidders"] == 2
    assert Release.objects.filter(ocid__endswith=f"-{opened.pk}").order_by("-pk").first().data["tag"] == [
        "tenderUpdate"
    ]
    assert chronograph_sweep(now=clock.now) == 0  # idempotent


# --- bids and decrements ----------------------------------------------------------------------------


def test_an_accepted_bid_becomes_the_best(running, alpha, beta, clock):
    clock.advance(minutes=1)
    attempt = bid(beta, running, "99500.00")
    assert (attempt.accepted, attempt.sequence, attempt.received_at, attempt.extended_to) == (
        True,
        1,
        clock.now,
        None,
    )
    auction = Auction.objects.get(pk=running.pk)
    assert (auction.best_price, auction.best_bid_id, auction.sequence) == (Decimal("99500.00"), attempt.pk, 1)
    bidder = AuctionBidder.objects.get(auction=running, organisation=beta.organisation)
    assert (bidder.price, bidder.price_at, bidder.accepted_bids) == (Decimal("99500.00"), clock.now, 1)


def test_a_bid_must_beat_its_own_last_price_and_the_best_by_the_percent_decrement(running, alpha, beta, clock):
    clock.advance(minutes=1)
    refused(beta, running, "103500.00", "own_decrement")  # own 104,000: at most 103,480.00
    refused(beta, running, "99600.00", "best_decrement")  # best 100,000: at most 99,500.00
    refused(beta, running, "100000.00", "best_decrement")  # equal to the best: the earlier holds
    refused(alpha, running, "99600.00", "own_decrement")  # the best's own bidder, too
    assert bid(beta, running, "99500.00").accepted
    refused(alpha, running, "99500.00", "best_decrement")
    assert bid(alpha, running, "99002.50").accepted  # 99,500 − 497.50
    assert list(AuctionBid.objects.filter(auction=running).values_list("sequence", "accepted")) == [
        (1, False),
        (2, False),
        (3, False),
        (4, False),
        (5, True),
        (6, False),
        (7, True),
    ]


def test_an_amount_decrement(running, alpha, beta, clock):
    Auction.objects.filter(pk=running.pk).update(
        rules={**running.rules, "decrement": {"kind": "amount", "value": "1000"}}
    )
    clock.advance(minutes=1)
    refused(beta, running, "99000.01", "best_decrement")
    assert bid(beta, running, "99000.00").accepted
    refused(beta, running, "98000.01", "own_decrement")
    refused(alpha, running, "98000.01", "best_decrement")
    assert bid(alpha, running, "98000.00").accepted


def test_badly_formed_bids_and_strangers(running, alpha, beta, gamma, clock):
    from portal.core.errors import DomainError

    for price in ("0", "-1", "12.345", "abc", 1.5):
        with pytest.raises(DomainError) as problem:
            auction_bid(
                actor=beta.owner, auction=running, organisation=beta.organisation, price=price, client_token="x"
            )
        assert problem.value.code == "invalid_price"
    with pytest.raises(DomainError) as problem:
        auction_bid(actor=beta.owner, auction=running, organisation=beta.organisation, price="1.00", client_token="")
    assert problem.value.code == "invalid_client_token"
    with pytest.raises(PermissionDenied):
        auction_bid(actor=alpha.owner, auction=running, organisation=beta.organisation, price="1.00", client_token="x")
    with pytest.raises(RuleViolation) as stranger:
        bid(gamma, running, "90000.00")
    assert stranger.value.code == "not_admitted"
    assert not AuctionBid.objects.exists()


def test_a_retry_with_the_same_client_token_returns_the_same_attempt_without_a_second_write(running, beta, clock):
    clock.advance(minutes=1)
    first = bid(beta, running, "99500.00", token="k1")
    clock.advance(seconds=5)
    assert bid(beta, running, "99500.00", token="k1").pk == first.pk
    refusal = refused(beta, running, "99400.00", "own_decrement", token="k2")
    with pytest.raises(AuctionBidRefused) as again:
        bid(beta, running, "99400.00", token="k2")
    assert again.value.attempt.pk == refusal.pk
    with pytest.raises(RuleViolation) as reused:
        bid(beta, running, "90000.00", token="k1")
    assert reused.value.code == "client_token_reused"
    assert AuctionBid.objects.count() == 2
    assert Auction.objects.get(pk=running.pk).sequence == 2


# --- extensions and the end -------------------------------------------------------------------------


def test_a_bid_just_before_the_extension_window_does_not_extend(running, beta, clock):
    ends_at = running.ends_at
    clock.set(ends_at - timedelta(minutes=2, seconds=1))
    assert bid(beta, running, "99500.00").extended_to is None
    assert Auction.objects.get(pk=running.pk).ends_at == ends_at


def test_a_bid_at_the_start_of_the_window_extends_the_end(running, beta, clock):
    ends_at = running.ends_at
    clock.set(ends_at - timedelta(minutes=2))
    assert bid(beta, running, "99500.00").extended_to == ends_at + timedelta(minutes=2)
    assert Auction.objects.get(pk=running.pk).ends_at == ends_at + timedelta(minutes=2)


def test_extensions_stop_at_the_hard_end(running, beta, clock):
    hard_end = running.ends_at + timedelta(minutes=1)
    Auction.objects.filter(pk=running.pk).update(hard_end=hard_end)
    clock.set(running.ends_at - timedelta(seconds=10))
    assert bid(beta, running, "99500.00").extended_to == hard_end
    clock.set(hard_end - timedelta(seconds=1))
    assert bid(beta, running, "99000.00").extended_to is None  # already at the hard end
    assert Auction.objects.get(pk=running.pk).ends_at == hard_end


def test_a_bid_at_the_end_is_refused_and_a_late_close_keeps_the_state_as_of_the_end(running, alpha, beta, clock):
    clock.set(running.ends_at - timedelta(minutes=5))
    bid(beta, running, "99500.00")
    clock.set(running.ends_at)
    refused(alpha, running, "99000.00", "auction_ended")  # the close job has not run yet
    clock.set(running.ends_at + timedelta(minutes=7))
    refused(alpha, running, "98000.00", "auction_ended")

    assert chronograph_sweep(now=clock.now) == 1

    auction = Auction.objects.get(pk=running.pk)
    assert (auction.status, auction.closed_at, auction.best_price) == (A.CLOSED, clock.now, Decimal("99500.00"))
    assert [(row["rank"], row["ruc"], row["price"]) for row in auction.ranking] == [
        (1, beta.ruc, "99500.00"),
        (2, alpha.ruc, "100000.00"),
    ]
    assert len(auction.log_digest) == 64
    tender = Tender.objects.get(pk=running.tender_id)
    assert (tender.status, tender.next_check) == (TenderStatus.EVALUATION, None)
    closed = AuditEvent.objects.get(action="auction.closed")
    assert closed.payload["log_digest"] == auction.log_digest
    assert closed.payload["attempts"] == 3
    told = set(Notification.objects.filter(event="tender.auction_closed").values_list("recipient_id", flat=True))
    assert {alpha.owner.pk, beta.owner.pk} <= told
    refused(alpha, running, "90000.00", "auction_not_running")
    assert chronograph_sweep(now=clock.now + timedelta(hours=1)) == 0


# --- admission, negotiation, void -------------------------------------------------------------------


def test_a_bidder_disqualified_before_the_start_is_not_admitted(officer, evaluator, alpha, beta, gamma, clock):
    tender = subasta_opened(officer, [alpha, beta, gamma], clock)
    bid_evaluate(actor=evaluator, bid=bid_of(gamma, tender), qualified=False, comment="Ficha técnica incumplida")
    auction = start(tender, clock)
    assert auction.status == A.RUNNING
    assert not AuctionBidder.objects.get(auction=auction, organisation=gamma.organisation).admitted
    with pytest.raises(RuleViolation) as stranger:
        bid(gamma, auction, "90000.00")
    assert stranger.value.code == "not_admitted"
    with pytest.raises(RuleViolation) as late:  # the committee waits for the close from now on
        bid_evaluate(actor=evaluator, bid=bid_of(beta, tender), qualified=False, comment="x")
    assert late.value.code == "not_evaluating"
    clock.set(auction.ends_at)
    chronograph_sweep(now=clock.now)
    tender = Tender.objects.get(pk=tender.pk)
    for supplier in (alpha, beta, gamma):  # re-qualified afterwards, gamma still had no part in the auction
        bid_evaluate(actor=evaluator, bid=bid_of(supplier, tender), qualified=True)
    tender_award(actor=officer, tender=tender)
    assert LotScore.objects.get(bidder_ruc=gamma.ruc).excluded_reason == "not_qualified"
    assert Award.objects.get().supplier_id == alpha.organisation.pk


def test_a_single_admitted_bidder_negotiates_at_or_below_its_initial_price(
    opened, officer, evaluator, alpha, beta, clock
):
    bid_evaluate(actor=evaluator, bid=bid_of(beta, opened), qualified=False, comment="Sin registro sanitario")
    auction = start(opened, clock)
    assert auction.status == A.NEGOTIATION
    assert Tender.objects.get(pk=opened.pk).next_check is None  # the officer goes on
    refused(alpha, auction, "99000.00", "auction_not_running")
    with pytest.raises(PermissionDenied):
        auction_negotiate(actor=alpha.owner, auction=auction, price="95000.00")
    with pytest.raises(RuleViolation) as above:
        auction_negotiate(actor=officer, auction=auction, price="100000.01")
    assert above.value.code == "above_initial_price"

    auction = auction_negotiate(actor=officer, auction=auction, price="97000.00")

    assert auction.status == A.CLOSED
    assert [(row["ruc"], row["price"]) for row in auction.ranking] == [(alpha.ruc, "97000.00")]
    assert Tender.objects.get(pk=opened.pk).status == TenderStatus.EVALUATION
    with pytest.raises(RuleViolation) as again:
        auction_negotiate(actor=officer, auction=auction, price="96000.00")
    assert again.value.code == "not_negotiating"
    bid_evaluate(actor=evaluator, bid=bid_of(alpha, opened), qualified=True)
    tender_award(actor=officer, tender=Tender.objects.get(pk=opened.pk))
    assert Award.objects.get().amount == Decimal("97000.00")


def test_a_lot_with_no_admitted_bidder_is_void_and_so_is_the_process(opened, evaluator, alpha, beta, clock):
    for supplier in (alpha, beta):
        bid_evaluate(actor=evaluator, bid=bid_of(supplier, opened), qualified=False, comment="No cumple")
    auction = start(opened, clock)
    assert auction.status == A.VOID
    tender = Tender.objects.get(pk=opened.pk)
    assert (tender.status, tender.lots.get().status) == (TenderStatus.VOID, LotStatus.VOID)
    assert Notification.objects.filter(event="tender.void").exists()


# --- award --------------------------------------------------------------------------------------------


def test_the_award_scores_the_final_prices_and_goes_to_the_auction_winner(
    running, officer, evaluator, alpha, beta, clock
):
    clock.advance(minutes=1)
    bid(beta, running, "99500.00")
    clock.advance(minutes=1)
    bid(alpha, running, "99000.00")
    clock.advance(minutes=1)
    bid(beta, running, "98000.00")
    clock.set(running.ends_at)
    chronograph_sweep(now=clock.now)
    tender = Tender.objects.get(pk=running.tender_id)
    for supplier in (alpha, beta):
        bid_evaluate(actor=evaluator, bid=bid_of(supplier, tender), qualified=True)

    tender_award(actor=officer, tender=tender)

    award = Award.objects.get()
    assert (award.supplier_id, award.amount, award.bid_id) == (
        beta.organisation.pk,
        Decimal("98000.00"),
        bid_of(beta, tender).pk,
    )
    assert list(LotScore.objects.order_by("rank").values_list("bidder_ruc", "price", "rank")) == [
        (beta.ruc, Decimal("98000.00"), 1),
        (alpha.ruc, Decimal("99000.00"), 2),
    ]


def test_when_nobody_bids_equal_initial_prices_rank_by_time(officer, evaluator, alpha, beta, clock):
    from tests.procurement.auction import world

    same = world.PRICES[0]
    original = world.PRICES[1]
    world.PRICES[1] = same
    try:
        tender = subasta_opened(officer, [alpha, beta], clock)
    finally:
        world.PRICES[1] = original
    auction = start(tender, clock)
    clock.set(auction.ends_at)
    chronograph_sweep(now=clock.now)
    auction.refresh_from_db()
    # both sealed bids were received at the same frozen second: the earlier row (alpha's) first
    assert [row["ruc"] for row in auction.ranking] == [alpha.ruc, beta.ruc]


def test_a_process_cancelled_during_its_auction_stops_it(running, officer, alpha, beta, clock):
    from procurement.services.tenders import tender_cancel

    clock.advance(minutes=1)
    bid(beta, running, "99500.00")
    clock.advance(minutes=1)
    tender_cancel(actor=officer, tender=Tender.objects.get(pk=running.tender_id), reason="Necesidad desaparecida")

    auction = Auction.objects.get(pk=running.pk)
    assert (auction.status, auction.status_reason, auction.closed_at) == (A.VOID, "Necesidad desaparecida", clock.now)
    refused(alpha, running, "99000.00", "auction_not_running")
    assert chronograph_sweep(now=auction.ends_at) == 0


def test_an_api_token_speaking_for_the_supplier_bids_and_the_log_names_the_token(running, beta, clock):
    from portal.accounts.enums import Role
    from portal.accounts.principals import TokenPrincipal
    from portal.accounts.services import api_token_create

    token, _key = api_token_create(actor=beta.owner, organisation=beta.organisation, name="bot", scopes=["bids:write"])
    principal = TokenPrincipal(token=token, roles=frozenset({Role.INTEGRATOR, Role.SUPPLIER_REPRESENTATIVE}))
    clock.advance(minutes=1)

    attempt = auction_bid(
        actor=principal, auction=running, organisation=beta.organisation, price="99500.00", client_token="bot-1"
    )

    assert attempt.accepted
    assert (attempt.submitted_by, attempt.submitted_via) == (None, principal.audit_label)
