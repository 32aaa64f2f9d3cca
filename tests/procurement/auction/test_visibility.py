"""Who sees what of an auction: during it, a bidder sees the best price, its own rank and price and
never who the others are; the entity's staff see the full board; the public the status and times.
After the close everyone sees the ranking and the log."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser

from procurement.auction.selectors import BIDDER, PUBLIC, STAFF, auction_board_for
from procurement.models import Auction
from procurement.services.auction import auction_bid
from procurement.services.chronograph import chronograph_sweep
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
    clock.advance(minutes=1)
    return auction, alpha, beta, gamma


def board_text(board) -> str:
    return repr(board)


def test_a_bidder_sees_the_best_price_its_rank_and_price_but_nobody_else(world, clock):
    auction, alpha, beta, gamma = world

    board = auction_board_for(gamma.owner, auction)

    assert board.view == BIDDER
    assert board.server_time == clock.now
    assert (board.status, board.ends_at) == ("running", auction.ends_at)
    assert (board.best_price, board.bidders) == (Decimal("99500.00"), 3)
    assert (board.you.rank, board.you.price, board.you.initial_price) == (3, Decimal("108000.00"), Decimal("108000.00"))
    assert board.you.max_next_price == Decimal("99002.50")
    assert board.ranking is None
    assert board.log == []
    text = board_text(board)
    for other in (alpha, beta):
        assert other.ruc not in text
        assert other.organisation.name not in text
        assert f"organisation_id={other.organisation.pk}," not in text

    own = auction_board_for(beta.owner, auction)
    assert (own.you.rank, own.you.price) == (1, Decimal("99500.00"))
    assert [(row.sequence, row.price, row.accepted) for row in own.log] == [(1, Decimal("99500.00"), True)]


def test_the_entitys_staff_see_the_full_board(world, officer, evaluator):
    auction, alpha, beta, gamma = world
    for person in (officer, evaluator):
        board = auction_board_for(person, auction)
        assert board.view == STAFF
        assert [(row.rank, row.ruc, row.price) for row in board.ranking] == [
            (1, beta.ruc, Decimal("99500.00")),
            (2, alpha.ruc, Decimal("100000.00")),
            (3, gamma.ruc, Decimal("108000.00")),
        ]
        assert [(row.ruc, row.accepted) for row in board.log] == [(beta.ruc, True)]


@pytest.mark.parametrize("who", ["anonymous", "stranger supplier", "other entity"])
def test_the_public_sees_only_that_the_auction_runs_and_when(world, who):
    from portal.accounts.enums import OrganisationKind, Role
    from tests.factories import member

    auction = world[0]
    actor = {
        "anonymous": AnonymousUser,
        "stranger supplier": lambda: registered_supplier(4).owner,
        "other entity": lambda: member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER),
    }[who]()

    board = auction_board_for(actor, auction)

    assert board.view == PUBLIC
    assert (board.status, board.starts_at, board.ends_at) == ("running", auction.starts_at, auction.ends_at)
    assert (board.best_price, board.bidders, board.you, board.ranking, board.log) == (None, None, None, None, None)


def test_after_the_close_everyone_sees_the_ranking_and_the_log(world, clock):
    auction, alpha, beta, gamma = world
    clock.set(Auction.objects.get(pk=auction.pk).ends_at + timedelta(seconds=30))
    chronograph_sweep(now=clock.now)

    for actor in (AnonymousUser(), gamma.owner, registered_supplier(5).owner):
        board = auction_board_for(actor, auction)
        assert board.status == "closed"
        assert [(row.rank, row.ruc, row.price) for row in board.ranking] == [
            (1, beta.ruc, Decimal("99500.00")),
            (2, alpha.ruc, Decimal("100000.00")),
            (3, gamma.ruc, Decimal("108000.00")),
        ]
        assert [(row.sequence, row.ruc, row.accepted) for row in board.log] == [(1, beta.ruc, True)]
        assert len(board.log_digest) == 64


def test_the_opening_record_stays_unpublished_until_the_auction_is_over(world, client, clock):
    """The subasta's opening comes before its auction: who bid and at what price is published only
    once the auction is over, on the tender page, in the opening record's API and in OCDS alike."""
    from django.urls import reverse

    from procurement.models import Release
    from procurement.selectors import opening_record
    from procurement.transparency.search import supplier_record

    auction, alpha, beta, gamma = world
    tender = auction.tender
    rucs = [supplier.organisation.tax_id for supplier in (alpha, beta, gamma)]

    def published() -> str:
        client.force_login(gamma.owner)
        page = client.get(reverse("tender-detail", args=[tender.pk])).content.decode()
        client.logout()
        releases = " ".join(str(release.data) for release in Release.objects.filter(tender=tender))
        return page + client.get(reverse("tender-detail", args=[tender.pk])).content.decode() + releases

    assert opening_record(tender=tender) == {}
    assert not any(ruc in published() for ruc in rucs[:2])  # gamma's own RUC is on its own page
    assert supplier_record(ruc=rucs[0]).processes == []

    clock.set(Auction.objects.get(pk=auction.pk).ends_at)
    chronograph_sweep(now=clock.now)

    assert len(opening_record(tender=tender)[auction.lot_id]) == 3
    assert all(ruc in published() for ruc in rucs)
    assert [row["tender_id"] for row in supplier_record(ruc=rucs[0]).processes] == [tender.pk]
