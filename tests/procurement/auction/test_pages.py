"""The auction's pages: who sees what during the auction and after it, the bid form without
JavaScript (post, redirect, result), an idempotent resubmission, refusals shown as 4xx pages with
the reason, a late bid refused before the close job runs, the negotiation form, the live status."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from html import escape

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from portal.core.money import format_money
from procurement.enums import AuctionStatus
from procurement.models import Auction, AuctionBid
from procurement.services.auction import AuctionBidRefused, auction_bid
from procurement.services.awards import bid_evaluate
from procurement.services.chronograph import chronograph_sweep
from procurement.timeline import LIMA
from tests.factories import member
from tests.portal.api_helpers import in_spanish
from tests.portal.test_accessibility import audit
from tests.procurement.auction.world import bid_of, start, subasta_opened
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(officer, clock):
    """Three bidders (initial totals 100,000, 104,000, 108,000); beta bid 99,500 a minute in, gamma
    tried 120,000 (refused); two minutes into the auction."""
    alpha, beta, gamma = registered_supplier(1), registered_supplier(2), registered_supplier(3)
    tender = subasta_opened(officer, [alpha, beta, gamma], clock)
    auction = start(tender, clock)
    clock.advance(minutes=1)
    auction_bid(actor=beta.owner, auction=auction, organisation=beta.organisation, price="99500.00", client_token="b1")
    with pytest.raises(AuctionBidRefused):  # the refusal, logged
        auction_bid(
            actor=gamma.owner, auction=auction, organisation=gamma.organisation, price="120000.00", client_token="g1"
        )
    clock.advance(minutes=1)
    return tender, auction, alpha, beta, gamma


def url(tender, name="auction-detail"):
    return reverse(name, args=[tender.pk, 1])


def text(response) -> str:
    return response.content.decode()


def money(value) -> str:
    return escape(format_money(Decimal(value), "PEN"))


def close(auction, clock):
    clock.set(Auction.objects.get(pk=auction.pk).ends_at)
    chronograph_sweep(now=clock.now)
    return Auction.objects.get(pk=auction.pk)


def test_a_bidder_sees_the_best_price_its_rank_and_price_and_the_form_but_nobody_else(client, world, clock):
    tender, _auction, alpha, beta, gamma = world
    client.force_login(gamma.owner)

    response = client.get(url(tender))

    assert response.status_code == 200
    page = text(response)
    assert money("99500.00") in page  # the best price
    assert money("108000.00") in page  # its own last price
    assert money("99002.50") in page  # the most it may bid now
    assert response.context["board"].you.rank == 3
    assert f'data-server-time="{clock.now.astimezone(LIMA).isoformat()}"' in page  # for the countdown
    assert 'name="client_token"' in page
    assert 'name="price"' in page
    assert escape(AuctionBid.objects.get(client_token="g1").refusal_reason) in page  # its own refused attempt
    for other in (alpha, beta):
        assert other.ruc not in page
        assert escape(other.organisation.name) not in page
    assert money("100000.00") not in page  # alpha's price
    assert audit(response).unlabelled() == []


def test_each_rendering_of_the_form_has_a_new_client_token(client, world):
    tender, _auction, _alpha, _beta, gamma = world
    client.force_login(gamma.owner)

    first = client.get(url(tender)).context["form"].initial["client_token"]
    second = client.get(url(tender)).context["form"].initial["client_token"]

    assert first != second
    assert len(first) >= 20


def test_the_entitys_officer_sees_the_full_board_and_every_attempt(client, world, officer, evaluator):
    tender, _auction, alpha, beta, gamma = world
    for person in (officer, evaluator):
        client.force_login(person)

        response = client.get(url(tender))

        page = text(response)
        assert response.status_code == 200
        for supplier, price in ((alpha, "100000.00"), (beta, "99500.00"), (gamma, "108000.00")):
            assert supplier.ruc in page
            assert money(price) in page
        assert [(row.rank, row.ruc) for row in response.context["board"].ranking] == [
            (1, beta.ruc),
            (2, alpha.ruc),
            (3, gamma.ruc),
        ]
        assert money("120000.00") in page
        assert escape(AuctionBid.objects.get(client_token="g1").refusal_reason) in page
        assert response.context["form"] is None


@pytest.mark.parametrize("who", ["anonymous", "stranger supplier", "other entity"])
def test_the_public_sees_only_that_the_auction_runs_and_when(client, world, who):
    tender, auction, alpha, beta, gamma = world
    if who == "stranger supplier":
        client.force_login(registered_supplier(4).owner)
    elif who == "other entity":
        client.force_login(member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER))

    response = client.get(url(tender))
    status = client.get(url(tender, "auction-status")).json()
    tender_page = client.get(reverse("tender-detail", args=[tender.pk]))

    page = text(response)
    assert response.status_code == 200
    assert escape(in_spanish("Running")) in page
    assert auction.ends_at is not None
    for supplier in (alpha, beta, gamma):
        assert supplier.ruc not in page
        assert supplier.ruc not in str(status)
    assert money("99500.00") not in page
    assert response.context["form"] is None
    assert (status["board"]["view"], status["board"]["best_price"], status["board"]["log"]) == ("public", None, None)
    section = text(tender_page).split('id="auctions"')[1].split("</section>")[0]
    assert escape(in_spanish("Running")) in section
    assert money("99500.00") not in section
    assert all(supplier.ruc not in section for supplier in (alpha, beta, gamma))


def test_a_bid_without_javascript_posts_redirects_and_shows_its_result(client, world, clock):
    tender, _auction, alpha, _beta, _gamma = world
    client.force_login(alpha.owner)

    response = client.post(url(tender, "auction-bid"), {"price": "99000.00", "client_token": "form-1"})

    assert response.status_code == 302
    assert response["Location"] == url(tender)
    page = client.get(response["Location"])
    assert page.status_code == 200
    attempt = AuctionBid.objects.get(client_token="form-1")
    assert (attempt.accepted, attempt.price, attempt.received_at) == (True, Decimal("99000.00"), clock.now)
    assert money("99000.00") in text(page)
    assert page.context["board"].you.rank == 1
    messages = [str(message) for message in page.context["messages"]]
    assert len(messages) == 1
    assert format_money(Decimal("99000.00")) in messages[0]


def test_sending_the_same_form_twice_is_one_bid(client, world):
    tender, auction, alpha, _beta, _gamma = world
    client.force_login(alpha.owner)
    data = {"price": "99000.00", "client_token": "form-1"}

    first = client.post(url(tender, "auction-bid"), data)
    second = client.post(url(tender, "auction-bid"), data)

    assert (first.status_code, second.status_code) == (302, 302)
    assert AuctionBid.objects.filter(auction=auction, organisation=alpha.organisation).count() == 1
    assert Auction.objects.get(pk=auction.pk).sequence == 3


def test_a_refused_bid_is_shown_with_its_reason_as_a_409_page(client, world):
    tender, auction, alpha, _beta, _gamma = world
    client.force_login(alpha.owner)
    before = Auction.objects.get(pk=auction.pk)

    response = client.post(url(tender, "auction-bid"), {"price": "99400.00", "client_token": "form-1"})

    assert response.status_code == 409
    attempt = AuctionBid.objects.get(client_token="form-1")
    assert (attempt.accepted, attempt.refusal_code) == (False, "best_decrement")
    assert escape(attempt.refusal_reason) in text(response)
    assert 'role="alert"' in text(response)
    after = Auction.objects.get(pk=auction.pk)
    assert (after.best_price, after.ends_at) == (before.best_price, before.ends_at)
    # The form comes back with what was typed, under a new token for the next try.
    form = response.context["form"]
    assert form.data["price"] == "99400.00"
    assert form.data["client_token"] != "form-1"


def test_a_malformed_price_is_a_400_page_and_nothing_is_logged(client, world):
    tender, _auction, alpha, _beta, _gamma = world
    client.force_login(alpha.owner)

    response = client.post(url(tender, "auction-bid"), {"price": "noventa mil", "client_token": "form-1"})

    assert response.status_code == 400
    assert not AuctionBid.objects.filter(client_token="form-1").exists()


def test_a_bid_at_the_end_is_refused_before_the_close_job_runs(client, world, clock):
    tender, auction, alpha, _beta, _gamma = world
    client.force_login(alpha.owner)
    clock.set(Auction.objects.get(pk=auction.pk).ends_at)

    response = client.post(url(tender, "auction-bid"), {"price": "90000.00", "client_token": "late"})

    assert response.status_code == 409
    attempt = AuctionBid.objects.get(client_token="late")
    assert (attempt.accepted, attempt.refusal_code) == (False, "auction_ended")
    assert escape(attempt.refusal_reason) in text(response)
    after = Auction.objects.get(pk=auction.pk)
    assert (after.status, after.best_price) == (AuctionStatus.RUNNING, Decimal("99500.00"))


def test_someone_who_does_not_speak_for_a_supplier_gets_a_403_page(client, world, officer):
    tender, auction, *_ = world
    client.force_login(officer)

    response = client.post(url(tender, "auction-bid"), {"price": "90000.00", "client_token": "x"})

    assert response.status_code == 403
    assert Auction.objects.get(pk=auction.pk).sequence == 2


def test_an_anonymous_bid_goes_to_the_sign_in(client, world):
    tender, _auction, *_ = world

    response = client.post(url(tender, "auction-bid"), {"price": "90000.00", "client_token": "x"})

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_live_status_carries_the_server_time_the_board_and_the_live_html(client, world, clock):
    tender, _auction, alpha, beta, gamma = world
    client.force_login(gamma.owner)

    body = client.get(url(tender, "auction-status")).json()

    board = body["board"]
    assert datetime.fromisoformat(board["server_time"]) == clock.now
    assert (board["view"], board["best_price"], board["you"]["rank"]) == ("bidder", "99500.00", 3)
    assert board["ranking"] is None
    assert money("99500.00") in body["html"]
    assert alpha.ruc not in str(body)
    assert beta.ruc not in str(body)


def test_after_the_close_everyone_sees_the_final_ranking_and_the_log(client, world, clock):
    tender, auction, alpha, beta, gamma = world
    auction = close(auction, clock)
    assert auction.status == AuctionStatus.CLOSED

    for page in (client.get(url(tender)), client.get(reverse("tender-detail", args=[tender.pk]))):
        content = text(page)
        assert page.status_code == 200
        for supplier in (alpha, beta, gamma):
            assert supplier.ruc in content
        assert money("99500.00") in content
        assert money("120000.00") in content
        assert escape(AuctionBid.objects.get(client_token="g1").refusal_reason) in content
        assert auction.log_digest in content
    board = client.get(url(tender)).context["board"]
    assert [(row.rank, row.ruc, row.price) for row in board.ranking] == [
        (1, beta.ruc, Decimal("99500.00")),
        (2, alpha.ruc, Decimal("100000.00")),
        (3, gamma.ruc, Decimal("108000.00")),
    ]
    assert [(row.sequence, row.accepted) for row in board.log] == [(1, True), (2, False)]


def test_a_single_bidder_is_negotiated_by_the_officer_from_the_page(client, officer, evaluator, clock):
    alpha, beta = registered_supplier(1), registered_supplier(2)
    tender = subasta_opened(officer, [alpha, beta], clock)
    bid_evaluate(actor=evaluator, bid=bid_of(beta, tender), qualified=False, comment="Sin ficha técnica")
    auction = start(tender, clock)
    assert auction.status == AuctionStatus.NEGOTIATION
    client.force_login(officer)
    assert client.get(url(tender)).context["negotiation_form"] is not None

    above = client.post(url(tender, "auction-negotiate"), {"price": "100000.01"})
    done = client.post(url(tender, "auction-negotiate"), {"price": "97000.00"})

    assert above.status_code == 409
    assert done.status_code == 302
    auction = Auction.objects.get(pk=auction.pk)
    assert (auction.status, auction.best_price) == (AuctionStatus.CLOSED, Decimal("97000.00"))


def test_an_evaluator_sees_no_negotiation_form(client, officer, evaluator, clock):
    alpha, beta = registered_supplier(1), registered_supplier(2)
    tender = subasta_opened(officer, [alpha, beta], clock)
    bid_evaluate(actor=evaluator, bid=bid_of(beta, tender), qualified=False, comment="Sin ficha técnica")
    start(tender, clock)
    client.force_login(evaluator)

    assert client.get(url(tender)).context["negotiation_form"] is None


def test_a_lot_without_auction_is_404(client, world):
    tender = world[0]

    assert client.get(reverse("auction-detail", args=[tender.pk, 9])).status_code == 404


def test_the_anonymous_board_is_the_public_one(world):
    from procurement.auction.selectors import PUBLIC, auction_board_for

    assert auction_board_for(AnonymousUser(), world[1]).view == PUBLIC


def test_the_live_status_polled_every_few_seconds_reads_few_queries(client, world, django_assert_num_queries):
    """Every open page asks it every 2.5 s. Anonymous: the tender, its auctions, the auction again (a
    board is never built from a stale row), its bidders. A bidder adds the session, the user, its
    organisations and roles, its roles in the entity, its memberships among the bidders, its attempts
    and the unread count."""
    tender, _auction, _alpha, _beta, gamma = world
    status = url(tender, "auction-status")
    with django_assert_num_queries(4):
        client.get(status)
    client.force_login(gamma.owner)
    with django_assert_num_queries(12):
        response = client.get(status)

    assert response.json()["board"]["view"] == "bidder"
