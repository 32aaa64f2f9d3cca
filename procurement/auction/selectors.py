"""The read side of the reverse auction: what each person may see of an auction, and the final prices
that the award scores.

Who sees what (``auction_board_for``):

- **the entity's staff** (procurement officers, the evaluation committee, administrators of the
  entity): the full board at any time: every admitted bidder with its name, RUC, current price and
  rank, and the whole log of attempts;
- **a bidder** (a representative or administrator of an admitted bidder) while the auction is
  scheduled, running or in negotiation: the current best price, the number of bidders, its own rank,
  its own last price, the highest price it may bid next, and its own attempts; never another
  bidder's identity, price or attempts;
- **anyone else** (the public, other suppliers, anonymous visitors): the status and the times only;
- once the auction is **closed or void**, everyone sees the frozen ranking and the full log.

Every board carries ``server_time`` (``portal.core.clock.now()``): pages show it and count down to
``ends_at`` from it, never from the visitor's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from portal.accounts.enums import Role
from portal.accounts.models import Membership
from portal.accounts.selectors import SUPPLIER_SPOKESPEOPLE, roles_for
from portal.core import clock
from procurement.auction.rules import auction_rules
from procurement.enums import AuctionStatus
from procurement.models import Auction, AuctionBid, AuctionBidder, Lot

A = AuctionStatus
PUBLIC, BIDDER, STAFF = "public", "bidder", "staff"
STAFF_ROLES = frozenset({Role.PROCUREMENT_OFFICER, Role.EVALUATOR, Role.ADMINISTRATOR})
FINISHED = frozenset({A.CLOSED, A.VOID})


@dataclass(frozen=True)
class FinalPrice:
    """A bidder's price at the close of its lot's auction and when it was given."""

    price: Decimal
    at: datetime


@dataclass(frozen=True)
class RankRow:
    """One admitted bidder on the board: rank 1 is the lowest price (equal prices: the earlier)."""

    rank: int
    organisation_id: int
    ruc: str
    name: str
    price: Decimal
    price_at: datetime
    initial_price: Decimal
    accepted_bids: int


@dataclass(frozen=True)
class LogRow:
    """One bid attempt, in ``sequence`` (= server time) order."""

    sequence: int
    received_at: datetime
    organisation_id: int
    ruc: str
    name: str
    price: Decimal
    accepted: bool
    refusal_code: str
    refusal_reason: str
    extended_to: datetime | None


@dataclass(frozen=True)
class BidderPosition:
    """What a bidder sees of itself: its rank among ``AuctionBoard.bidders``, its last price, and the
    highest price it may bid next (at least the decrement below its own price and the best)."""

    organisation_id: int
    rank: int
    price: Decimal
    price_at: datetime
    initial_price: Decimal
    accepted_bids: int
    max_next_price: Decimal | None


@dataclass(frozen=True)
class AuctionBoard:
    """An auction as ``view`` (``public``, ``bidder`` or ``staff``) may see it. Fields a view may not
    see are None: ``best_price`` and ``bidders`` (bidder, staff; everyone after close), ``you`` (the
    bidder's own position), ``ranking`` (staff; everyone after close: then the frozen one), ``log``
    (staff: every attempt; bidder: its own; everyone after close: every attempt)."""

    auction_id: int
    tender_id: int
    lot_id: int
    lot_number: int
    status: str
    view: str
    server_time: datetime
    starts_at: datetime
    started_at: datetime | None
    ends_at: datetime | None
    hard_end: datetime | None
    closed_at: datetime | None
    rules: dict[str, Any]
    best_price: Decimal | None = None
    bidders: int | None = None
    you: BidderPosition | None = None
    ranking: list[RankRow] | None = None
    log: list[LogRow] | None = None
    log_digest: str = ""


def auction_final_prices(lot: Lot) -> dict[int, FinalPrice]:
    """Bid id → final price of each admitted bidder of the lot's closed auction (its last accepted
    price, or its opened total if it never bid, at the time it was given); empty when the lot had no
    closed auction (then the opened totals stand)."""
    rows = AuctionBidder.objects.filter(auction__lot=lot, auction__status=A.CLOSED, admitted=True).values_list(
        "bid_id", "price", "price_at"
    )
    return {bid_id: FinalPrice(price=price, at=at) for bid_id, price, at in rows}


def tender_auctions(tender_id: int) -> list[Auction]:
    """The auctions of a tender, by lot number (for pages listing them; each then goes through
    ``auction_board_for``)."""
    return list(Auction.objects.filter(tender_id=tender_id).select_related("lot").order_by("lot__number"))


def _represented(actor: Any, organisation_ids: list[int]) -> set[int]:
    """Which of these organisations ``actor`` may bid for (a user's memberships, or an API token's
    organisation and roles)."""
    if not getattr(actor, "is_authenticated", False) or not organisation_ids:
        return set()
    if getattr(actor, "token", None) is not None:
        organisation = getattr(actor, "organisation", None)
        if (
            organisation is not None
            and organisation.pk in organisation_ids
            and actor.roles & set(SUPPLIER_SPOKESPEOPLE)
        ):
            return {organisation.pk}
        return set()
    return set(
        Membership.objects.filter(
            user_id=actor.pk,
            organisation_id__in=organisation_ids,
            organisation__is_active=True,
            role__in=SUPPLIER_SPOKESPEOPLE,
        ).values_list("organisation_id", flat=True)
    )


def _rank_rows(auction: Auction) -> list[RankRow]:
    if auction.status in FINISHED:
        return [
            RankRow(
                rank=row["rank"],
                organisation_id=row["organisation"],
                ruc=row["ruc"],
                name=row["name"],
                price=Decimal(row["price"]),
                price_at=datetime.fromisoformat(row["price_at"]),
                initial_price=Decimal(row["initial_price"]),
                accepted_bids=row["accepted_bids"],
            )
            for row in auction.ranking or []
        ]
    bidders = (
        AuctionBidder.objects.filter(auction=auction, admitted=True)
        .select_related("organisation")
        .order_by("price", "price_at", "pk")
    )
    return [
        RankRow(
            rank=rank,
            organisation_id=bidder.organisation_id,
            ruc=bidder.organisation.tax_id,
            name=bidder.organisation.name,
            price=bidder.price,
            price_at=bidder.price_at,
            initial_price=bidder.initial_price,
            accepted_bids=bidder.accepted_bids,
        )
        for rank, bidder in enumerate(bidders, start=1)
    ]


def _log_rows(auction: Auction, organisation_id: int | None = None) -> list[LogRow]:
    attempts = AuctionBid.objects.filter(auction=auction).select_related("organisation").order_by("sequence")
    if organisation_id is not None:
        attempts = attempts.filter(organisation_id=organisation_id)
    return [
        LogRow(
            sequence=attempt.sequence,
            received_at=attempt.received_at,
            organisation_id=attempt.organisation_id,
            ruc=attempt.organisation.tax_id,
            name=attempt.organisation.name,
            price=attempt.price,
            accepted=attempt.accepted,
            refusal_code=attempt.refusal_code,
            refusal_reason=attempt.refusal_reason,
            extended_to=attempt.extended_to,
        )
        for attempt in attempts
    ]


def auction_board_for(actor: Any, auction: Auction) -> AuctionBoard:
    """The auction as ``actor`` may see it (anonymous users included); see the module's docstring.

    Reads the auction again (a board is never built from a stale instance) and never locks."""
    auction = Auction.objects.select_related("tender__entity", "lot").get(pk=auction.pk)
    base = {
        "auction_id": auction.pk,
        "tender_id": auction.tender_id,
        "lot_id": auction.lot_id,
        "lot_number": auction.lot.number,
        "status": auction.status,
        "server_time": clock.now(),
        "starts_at": auction.starts_at,
        "started_at": auction.started_at,
        "ends_at": auction.ends_at,
        "hard_end": auction.hard_end,
        "closed_at": auction.closed_at,
        "rules": auction.rules,
        "log_digest": auction.log_digest,
    }
    staff = bool(roles_for(actor, auction.tender.entity) & STAFF_ROLES)
    if staff or auction.status in FINISHED:
        ranking = _rank_rows(auction)
        return AuctionBoard(
            **base,
            view=STAFF if staff else PUBLIC,
            best_price=auction.best_price,
            bidders=len(ranking),
            ranking=ranking,
            log=_log_rows(auction),
        )
    bidders = list(AuctionBidder.objects.filter(auction=auction, admitted=True).order_by("price", "price_at", "pk"))
    mine = _represented(actor, [bidder.organisation_id for bidder in bidders])
    own = next((bidder for bidder in bidders if bidder.organisation_id in mine), None)
    if own is None:
        return AuctionBoard(**base, view=PUBLIC)
    rules = auction_rules(auction.rules)
    max_next = None
    if auction.status == A.RUNNING and auction.best_price is not None:
        max_next = min(rules.highest_valid(own.price), rules.highest_valid(auction.best_price))
    return AuctionBoard(
        **base,
        view=BIDDER,
        best_price=auction.best_price,
        bidders=len(bidders),
        you=BidderPosition(
            organisation_id=own.organisation_id,
            rank=bidders.index(own) + 1,
            price=own.price,
            price_at=own.price_at,
            initial_price=own.initial_price,
            accepted_bids=own.accepted_bids,
            max_next_price=max_next,
        ),
        log=_log_rows(auction, own.organisation_id),
    )
