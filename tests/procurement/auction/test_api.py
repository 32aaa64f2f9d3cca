"""The auction's API: the board as each caller may see it (with the server's time), and bids with an
Idempotency-Key: 201 new, 200 the same again, 409 problem+json with the service's code when refused."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.test import Client

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.services import api_token_create
from procurement.models import Auction, AuctionBid
from procurement.services.auction import AuctionBidRefused, auction_bid
from procurement.services.chronograph import chronograph_sweep
from tests.factories import member
from tests.portal.api_helpers import assert_problem, bearer
from tests.procurement.auction.world import start, subasta_opened
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(officer, clock):
    alpha, beta, gamma = registered_supplier(1), registered_supplier(2), registered_supplier(3)
    tender = subasta_opened(officer, [alpha, beta, gamma], clock)
    auction = start(tender, clock)
    clock.advance(minutes=1)
    auction_bid(actor=beta.owner, auction=auction, organisation=beta.organisation, price="99500.00", client_token="b1")
    with pytest.raises(AuctionBidRefused):
        auction_bid(
            actor=gamma.owner, auction=auction, organisation=gamma.organisation, price="120000.00", client_token="g1"
        )
    clock.advance(minutes=1)
    return auction, alpha, beta, gamma


def board_url(auction) -> str:
    return f"/api/v1/auctions/{auction.pk}/"


def bids_url(auction) -> str:
    return f"/api/v1/auctions/{auction.pk}/bids/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def token(supplier, scopes) -> str:
    _token, key = api_token_create(
        actor=supplier.owner, organisation=supplier.organisation, name="ERP de ventas", scopes=scopes
    )
    return key


def post_bid(client, auction, price, key):
    return client.post(bids_url(auction), {"price": price}, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


# --- The board ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("caller", "view"),
    [
        ("anonymous", "public"),
        ("stranger supplier", "public"),
        ("other entity", "public"),
        ("bidder", "bidder"),
        ("bidder token", "bidder"),
        ("officer", "staff"),
    ],
)
def test_the_board_as_each_caller_may_see_it(world, officer, clock, caller, view):
    auction, alpha, beta, gamma = world
    client = {
        "anonymous": Client,
        "stranger supplier": lambda: signed_in(registered_supplier(4).owner),
        "other entity": lambda: signed_in(member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER)),
        "bidder": lambda: signed_in(gamma.owner),
        "bidder token": lambda: bearer(token(gamma, ["read"])),
        "officer": lambda: signed_in(officer),
    }[caller]()

    response = client.get(board_url(auction))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["view"] == view
    assert datetime.fromisoformat(body["server_time"]) == clock.now
    assert (body["id"], body["status"], body["lot"]) == (auction.pk, "running", 1)
    assert datetime.fromisoformat(body["ends_at"]) == Auction.objects.get(pk=auction.pk).ends_at
    if view == "public":
        assert [body[key] for key in ("best_price", "bidders", "you", "ranking", "log")] == [None] * 5
        assert all(supplier.ruc not in str(body) for supplier in (alpha, beta, gamma))
    elif view == "bidder":
        assert (body["best_price"], body["bidders"], body["ranking"]) == ("99500.00", 3, None)
        assert body["you"] == {
            "organisation": gamma.organisation.pk,
            "rank": 3,
            "price": "108000.00",
            "price_at": body["you"]["price_at"],
            "initial_price": "108000.00",
            "accepted_bids": 0,
            "max_next_price": "99002.50",
        }
        assert [(row["sequence"], row["accepted"], row["refusal_code"]) for row in body["log"]] == [
            (2, False, "own_decrement")
        ]
        assert alpha.ruc not in str(body)
        assert beta.ruc not in str(body)
    else:
        assert [(row["rank"], row["ruc"], row["price"]) for row in body["ranking"]] == [
            (1, beta.ruc, "99500.00"),
            (2, alpha.ruc, "100000.00"),
            (3, gamma.ruc, "108000.00"),
        ]
        assert [(row["sequence"], row["ruc"], row["accepted"]) for row in body["log"]] == [
            (1, beta.ruc, True),
            (2, gamma.ruc, False),
        ]


def test_after_the_close_everyone_reads_the_ranking_and_the_log(world, clock):
    auction, alpha, beta, gamma = world
    clock.set(Auction.objects.get(pk=auction.pk).ends_at)
    chronograph_sweep(now=clock.now)

    body = Client().get(board_url(auction)).json()

    assert (body["view"], body["status"]) == ("public", "closed")
    assert [row["ruc"] for row in body["ranking"]] == [beta.ruc, alpha.ruc, gamma.ruc]
    assert [(row["price"], row["accepted"]) for row in body["log"]] == [("99500.00", True), ("120000.00", False)]
    assert body["log"][1]["refusal_reason"] == AuctionBid.objects.get(client_token="g1").refusal_reason
    assert body["log_digest"] == Auction.objects.get(pk=auction.pk).log_digest


def test_an_unknown_auction_is_not_found(world):
    assert_problem(Client().get("/api/v1/auctions/999999/"), 404, "auction_not_found")


def test_a_token_without_read_cannot_read_the_board(world):
    auction, _alpha, _beta, gamma = world

    response = bearer(token(gamma, ["bids:write"])).get(board_url(auction))

    assert_problem(response, 403, "permission_denied")


# --- Bids -------------------------------------------------------------------------------------------


def test_a_bid_is_201_and_the_same_key_again_200_with_the_same_attempt(world, clock):
    auction, alpha, _beta, _gamma = world
    client = signed_in(alpha.owner)

    first = post_bid(client, auction, "99000.00", "k-1")
    second = post_bid(client, auction, "99000.00", "k-1")

    assert first.status_code == 201, first.content
    assert second.status_code == 200
    assert first.json() == second.json()
    assert first.json() == {
        "auction": auction.pk,
        "sequence": 3,
        "price": "99000.00",
        "received_at": first.json()["received_at"],
        "accepted": True,
        "extended_to": None,
    }
    assert datetime.fromisoformat(first.json()["received_at"]) == clock.now
    assert AuctionBid.objects.filter(auction=auction).count() == 3
    assert Auction.objects.get(pk=auction.pk).best_price == Decimal("99000.00")


def test_a_refused_bid_is_a_409_problem_with_the_services_code(world):
    auction, alpha, _beta, _gamma = world
    client = signed_in(alpha.owner)

    response = post_bid(client, auction, "99400.00", "k-1")

    attempt = AuctionBid.objects.get(client_token="k-1")
    assert_problem(response, 409, "best_decrement", attempt.refusal_reason)
    assert Auction.objects.get(pk=auction.pk).best_price == Decimal("99500.00")
    again = post_bid(client, auction, "99400.00", "k-1")
    assert_problem(again, 409, "best_decrement")
    assert AuctionBid.objects.filter(client_token="k-1").count() == 1


def test_a_bid_at_the_end_is_refused_before_the_close_job(world, clock):
    auction, alpha, _beta, _gamma = world
    clock.set(Auction.objects.get(pk=auction.pk).ends_at)

    response = post_bid(signed_in(alpha.owner), auction, "90000.00", "late")

    assert_problem(response, 409, "auction_ended")
    assert Auction.objects.get(pk=auction.pk).status == "running"


def test_the_same_key_with_another_price_is_409(world):
    auction, alpha, _beta, _gamma = world
    client = signed_in(alpha.owner)
    post_bid(client, auction, "99000.00", "k-1")

    assert_problem(post_bid(client, auction, "98000.00", "k-1"), 409, "client_token_reused")


def test_a_malformed_price_is_400(world):
    auction, alpha, _beta, _gamma = world

    response = post_bid(signed_in(alpha.owner), auction, "12.345", "k-1")

    assert_problem(response, 400, "invalid_price")
    assert AuctionBid.objects.filter(auction=auction).count() == 2


@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [
        ("anonymous", 401, "not_authenticated"),
        ("officer", 403, "permission_denied"),
        ("read-only token", 403, "permission_denied"),
        ("stranger supplier", 409, "not_admitted"),
        ("bids:write token", 201, None),
        ("representative", 201, None),
    ],
)
def test_who_may_bid(world, officer, caller, status, code):
    auction, alpha, _beta, _gamma = world
    client = {
        "anonymous": Client,
        "officer": lambda: signed_in(officer),
        "read-only token": lambda: bearer(token(alpha, ["read"])),
        "stranger supplier": lambda: signed_in(registered_supplier(4).owner),
        "bids:write token": lambda: bearer(token(alpha, ["bids:write"])),
        "representative": lambda: signed_in(alpha.owner),
    }[caller]()

    response = post_bid(client, auction, "99000.00", "k-1")

    if code is None:
        assert response.status_code == status, response.content
        attempt = AuctionBid.objects.get(client_token="k-1")
        assert attempt.organisation == alpha.organisation
        assert (attempt.submitted_by is None) == (caller == "bids:write token")
    else:
        assert_problem(response, status, code)
        assert not AuctionBid.objects.filter(client_token="k-1").exists()
