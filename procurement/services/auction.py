"""The reverse auction (subasta inversa electrónica): scheduling, start, bids, close, negotiation.

The life of an auction (one per lot, ``procurement.auction.models``), with the rules of the procedure
type's ``auction`` config (``procurement.auction.rules``, snapshotted on the auction):

1. **Scheduled** at the opening of a subasta's bids (``auction_schedule_locked``, called by
   ``open_locked``): one auction per lot still open, due at the tender's ``auction_at`` (or at the
   opening, if that is later), with the bidders of the lot's opened bids, each starting from its
   opened total. Until the start the committee may disqualify an opened bid (``bid_evaluate``).
2. **Started** by the chronograph at its time (``auction_advance_locked``): bidders the committee
   disqualified are not admitted; with two or more admitted bidders it runs from that moment for
   ``duration`` (``ends_at``), and at most ``max_duration`` (``hard_end``); with one, the lot goes to
   a **negotiation** (rule ``single_bidder``: or it is void); with none, the lot is void.
3. **Bids** (``auction_bid``): see there. Bids never lock the tender: only the auction's row.
4. **Closed** by the chronograph once ``ends_at`` has passed; a late close job changes nothing, since
   every bid stamped at or after ``ends_at`` was refused. The ranking is frozen (each admitted bidder's
   last accepted price, or its initial price if it never bid; equal prices by the time of the price),
   and with it the SHA-256 of the log, which is audited, so the log can be checked against the audit
   chain. When every lot's auction is closed or void the tender moves on to **evaluation** (or is void
   when every lot is), where the committee qualifies the bids as usual and ``tender_award`` scores
   the auction's final prices (``procurement.auction.selectors.auction_final_prices``).
5. A **negotiation** ends when an officer of the entity records the negotiated price
   (``auction_negotiate``): at or below the bidder's initial price; the auction is then closed as above.

Everything is in the database (restart-safe). Time is the server's (``portal.core.clock``).

Lock order: the tender, then its auctions (by lot number), then a lot being voided. Everything that
locks lots or auctions holds the tender first (the chronograph, the opening, the negotiation,
``bid_evaluate``), except a bid, which locks only its auction's row and never the tender: the
chronograph and the bids meet on the auction row.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from portal.accounts.services import require_role
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError, RuleViolation
from portal.notifications.services import notify
from procurement.auction.rules import NEGOTIATION, AuctionRules, auction_rules
from procurement.enums import AuctionStatus, LotStatus, TenderStatus
from procurement.models import Auction, AuctionBid, AuctionBidder, Bid, BidStatus, Lot, Tender
from procurement.services._common import entity_staff, participants_people, require_entity_officer, tender_url
from procurement.services.bids import SUPPLIER_ROLES
from procurement.transitions import can_move

logger = logging.getLogger(__name__)

A = AuctionStatus
S = TenderStatus
CENT = Decimal("0.01")
PRICE_LIMIT = Decimal(10) ** 16
CLIENT_TOKEN_MAX = 100
FINISHED = frozenset({A.CLOSED, A.VOID})

# Refusal codes of a bid attempt (logged on the attempt and given by the 409).
NOT_RUNNING = "auction_not_running"
ENDED = "auction_ended"
OWN_DECREMENT = "own_decrement"
BEST_DECREMENT = "best_decrement"


class AuctionBidRefused(RuleViolation):
    """A bid attempt the rules refused; ``attempt`` is the logged ``AuctionBid`` (accepted False)."""

    def __init__(self, attempt: AuctionBid) -> None:
        super().__init__(attempt.refusal_reason, code=attempt.refusal_code)
        self.attempt = attempt


# --- Scheduling ------------------------------------------------------------------------------------


def auction_schedule_locked(*, tender: Tender, now: datetime) -> datetime | None:
    """Create a scheduled auction for each open lot of a subasta whose bids were just opened; returns
    when the chronograph must look at the tender next (the earliest start), None if nothing was
    scheduled. Called by ``open_locked`` with the tender and its lots locked and the bids opened.

    The auction is due at the tender's ``auction_at`` (at ``now`` if that has passed or is not set).
    Its bidders are the organisations of the lot's opened live bids, each at its opened total.
    Idempotent: a lot that has its auction already keeps it.
    """
    rules = auction_rules(tender.procedure_type.config.get("auction"))
    starts_at = max(tender.auction_at or now, now)
    lots = Lot.objects.filter(tender=tender, status=LotStatus.OPEN, auction__isnull=True).order_by("number")
    scheduled = None
    for lot in lots:
        auction = Auction.objects.create(tender=tender, lot=lot, starts_at=starts_at, rules=rules.as_config())
        bids = (
            Bid.objects.filter(lot=lot, status=BidStatus.SUBMITTED, opened_at__isnull=False)
            .select_related("participant")
            .order_by("received_at", "pk")
        )
        AuctionBidder.objects.bulk_create(
            [
                AuctionBidder(
                    auction=auction,
                    bid=bid,
                    organisation_id=bid.participant.organisation_id,
                    initial_price=bid.price_total,
                    initial_at=bid.received_at,
                    price=bid.price_total,
                    price_at=bid.received_at,
                )
                for bid in bids
            ]
        )
        scheduled = starts_at
    return scheduled


def auction_next_check(tender: Tender) -> datetime | None:
    """When the chronograph must look at a tender in its auction: the earliest start of a scheduled
    auction or end of a running one; None when only negotiations (waiting for the officer) are left.

    Extensions only move an end later, so a check that comes early finds nothing due and is set
    again: a bid never has to touch the tender's row."""
    moments = [
        auction.starts_at if auction.status == A.SCHEDULED else auction.ends_at
        for auction in Auction.objects.filter(tender=tender, status__in=[A.SCHEDULED, A.RUNNING]).only(
            "status", "starts_at", "ends_at"
        )
    ]
    return min(moments) if moments else None


# --- Start and close (the chronograph) -------------------------------------------------------------


def _lock_auctions(tender: Tender) -> list[Auction]:
    return list(
        Auction.objects.select_for_update(of=("self",))
        .filter(tender=tender)
        .select_related("lot")
        .order_by("lot__number")
    )


def _void_lot(auction: Auction, reason: str, now: datetime) -> None:
    lot = Lot.objects.select_for_update(of=("self",)).get(pk=auction.lot_id)
    lot.status = LotStatus.VOID
    lot.status_reason = reason
    lot.save(update_fields=["status", "status_reason"])
    auction.status = A.VOID
    auction.status_reason = reason
    auction.closed_at = now
    auction.ranking = []
    auction.save(update_fields=["status", "status_reason", "closed_at", "ranking"])


def _start(tender: Tender, auction: Auction, now: datetime) -> str:
    """Start a due auction (locked): admit the bidders the committee has not disqualified."""
    rules = auction_rules(auction.rules)
    bidders = list(AuctionBidder.objects.filter(auction=auction).select_related("bid__evaluation"))
    for bidder in bidders:
        evaluation = getattr(bidder.bid, "evaluation", None)
        if evaluation is not None and not evaluation.qualified:
            bidder.admitted = False
            bidder.save(update_fields=["admitted"])
    admitted = [bidder for bidder in bidders if bidder.admitted]
    if not admitted:
        _void_lot(auction, _("No bidder was admitted to the auction."), now)
    elif len(admitted) == 1 and rules.single_bidder == NEGOTIATION:
        auction.status = A.NEGOTIATION
        auction.started_at = now
        auction.best_price = admitted[0].price
        auction.save(update_fields=["status", "started_at", "best_price"])
    elif len(admitted) == 1:
        _void_lot(auction, _("A single bidder was admitted to the auction."), now)
    else:
        auction.status = A.RUNNING
        auction.started_at = now
        auction.ends_at = now + rules.duration
        auction.hard_end = now + rules.max_duration
        auction.best_price = min(bidder.price for bidder in admitted)
        auction.save(update_fields=["status", "started_at", "ends_at", "hard_end", "best_price"])
    audit_record(
        actor=None,
        organisation=tender.entity_id,
        action=f"auction.{'started' if auction.status == A.RUNNING else auction.status}",
        obj=tender,
        payload={
            "code": tender.code,
            "lot": auction.lot.number,
            "status": auction.status,
            "at": now,
            "ends_at": auction.ends_at,
            "hard_end": auction.hard_end,
            "bidders": len(admitted),
            "reason": auction.status_reason,
        },
    )
    return auction.status


def _ranking(auction: Auction) -> list[dict[str, Any]]:
    bidders = (
        AuctionBidder.objects.filter(auction=auction, admitted=True)
        .select_related("organisation")
        .order_by("price", "price_at", "pk")
    )
    return [
        {
            "rank": rank,
            "organisation": bidder.organisation_id,
            "ruc": bidder.organisation.tax_id,
            "name": bidder.organisation.name,
            "bid": bidder.bid_id,
            "price": str(bidder.price),
            "price_at": bidder.price_at.isoformat(),
            "initial_price": str(bidder.initial_price),
            "accepted_bids": bidder.accepted_bids,
        }
        for rank, bidder in enumerate(bidders, start=1)
    ]


def auction_log_digest(auction: Auction) -> str:
    """SHA-256 of the auction's log in canonical JSON (sequence, time, organisation, price, accepted,
    refusal code): frozen at close and audited, so anyone holding the published log can check it."""
    rows = [
        {
            "sequence": sequence,
            "received_at": received_at.isoformat(),
            "organisation": organisation,
            "price": str(price),
            "accepted": accepted,
            "refusal": refusal,
        }
        for sequence, received_at, organisation, price, accepted, refusal in AuctionBid.objects.filter(auction=auction)
        .order_by("sequence")
        .values_list("sequence", "received_at", "organisation_id", "price", "accepted", "refusal_code")
    ]
    canonical = json.dumps(rows, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _close(
    tender: Tender, auction: Auction, now: datetime, *, actor: Any = None, action: str = "auction.closed"
) -> None:
    """Close a locked auction: freeze its ranking and log digest, audited (public from now on)."""
    auction.status = A.CLOSED
    auction.closed_at = now
    auction.ranking = _ranking(auction)
    auction.log_digest = auction_log_digest(auction)
    auction.save(update_fields=["status", "closed_at", "ranking", "log_digest"])
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action=action,
        obj=tender,
        payload={
            "code": tender.code,
            "lot": auction.lot.number,
            "ended_at": auction.ends_at,
            "closed_at": now,
            "attempts": auction.sequence,
            "best_price": auction.best_price,
            "ranking": [{key: row[key] for key in ("rank", "ruc", "price", "price_at")} for row in auction.ranking],
            "log_digest": auction.log_digest,
        },
    )


def _finish_if_done(tender: Tender, auctions: list[Auction], now: datetime, *, actor: Any = None) -> bool:
    """Move a locked tender out of its auction when every lot's auction is closed or void: to
    evaluation, or void when no lot is left open. Returns whether it moved."""
    if tender.status != S.AUCTION or any(auction.status not in FINISHED for auction in auctions):
        return False
    stages = list(tender.procedure_type.config.get("stages") or [])
    previous = tender.status
    if not Lot.objects.filter(tender=tender, status=LotStatus.OPEN).exists():
        target, event = S.VOID, "tender.void"
        tender.status_reason = _("No lot had an admitted bidder for its auction.")
    else:
        target, event = S.EVALUATION, "tender.auction_closed"
    if not can_move(previous, target, stages):
        raise RuleViolation(_("This process cannot leave its auction."), code="invalid_transition")
    tender.status = target
    tender.next_check = None
    tender.save(update_fields=["status", "status_reason", "next_check", "updated_at"])
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action=f"tender.{target}",
        obj=tender,
        payload={"code": tender.code, "from": previous, "to": target, "at": now},
    )
    people = {user.pk: user for user in [*participants_people(tender), *entity_staff(tender.entity)]}
    notify(
        event,
        people.values(),
        {"code": tender.code, "title": tender.title, "void": target == S.VOID},
        key=f"tender:{tender.pk}:{event}",
        url=tender_url(tender),
    )
    logger.info(event, extra={"tender_id": tender.pk, "status": target})
    return True


def auction_advance_locked(*, tender: Tender, now: datetime) -> str | None:
    """Start the tender's auctions that are due, close those whose end has passed, and move the
    tender on when all are done; returns the tender's status if anything changed, else None.

    For the chronograph (``tender_advance``), with the tender locked and in its auction. Locks the
    auctions (by lot number). Idempotent: run again at the same ``now``, it does nothing. An auction
    closed late keeps the state it had at ``ends_at``: every bid from then on was refused.
    """
    auctions = _lock_auctions(tender)
    changed = False
    for auction in auctions:
        if auction.status == A.SCHEDULED and auction.starts_at <= now:
            _start(tender, auction, now)
            changed = True
        if auction.status == A.RUNNING and auction.ends_at <= now:
            _close(tender, auction, now)
            changed = True
    changed = _finish_if_done(tender, auctions, now) or changed
    return tender.status if changed else None


# --- Bids ------------------------------------------------------------------------------------------


def _clean_price(value: Any) -> Decimal:
    problem = DomainError(
        _("A price is an amount more than zero with at most two decimals."), code="invalid_price", field="price"
    )
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise problem
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise problem from None
    if not price.is_finite() or price <= 0 or price >= PRICE_LIMIT or price.quantize(CENT) != price:
        raise problem
    return price


def _clean_token(value: Any) -> str:
    token = (value or "").strip() if isinstance(value, str) else ""
    if not token or len(token) > CLIENT_TOKEN_MAX:
        raise DomainError(
            _("Send a client token of 1 to %(max)s characters.") % {"max": CLIENT_TOKEN_MAX},
            code="invalid_client_token",
            field="client_token",
        )
    return token


def _refusal(auction: Auction, bidder: AuctionBidder, rules: AuctionRules, price: Decimal, now: datetime):
    """The (code, reason) that refuses ``price`` now, or None when the bid is valid."""
    if auction.status != A.RUNNING or auction.tender.status != S.AUCTION:
        return NOT_RUNNING, _("The auction is not running.")
    if now >= auction.ends_at:
        return ENDED, _("The auction has ended.")
    own = rules.highest_valid(bidder.price)
    if price > own:
        return OWN_DECREMENT, _("Bid %(max)s or less: at least the minimum decrement below your last price.") % {
            "max": own
        }
    best = rules.highest_valid(auction.best_price)
    if price > best:
        return BEST_DECREMENT, _("Bid %(max)s or less: at least the minimum decrement below the best price.") % {
            "max": best
        }
    return None


@transaction.atomic
def _bid_locked(
    *, actor: Any, auction_id: int, organisation: Organisation, price: Decimal, client_token: str
) -> AuctionBid:
    auction = (
        Auction.objects.select_for_update(of=("self",)).select_related("tender", "lot").filter(pk=auction_id).first()
    )
    if auction is None:
        raise NotFoundError(_("No such auction."))
    done = AuctionBid.objects.filter(auction=auction, organisation=organisation, client_token=client_token).first()
    if done is not None:
        if done.price != price:
            raise RuleViolation(
                _("This client token was used for another price: send a new token for a new bid."),
                code="client_token_reused",
            )
        return done  # a retry: the same answer, nothing written
    bidder = AuctionBidder.objects.filter(auction=auction, organisation=organisation, admitted=True).first()
    if bidder is None:
        raise RuleViolation(_("Your organisation is not a bidder admitted to this auction."), code="not_admitted")
    rules = auction_rules(auction.rules)
    # The time is read under the lock: the order of the attempts (``sequence``) is their time order.
    now = clock.now()
    refusal = _refusal(auction, bidder, rules, price, now)
    auction.sequence += 1
    attempt = AuctionBid(
        auction=auction,
        sequence=auction.sequence,
        organisation=organisation,
        bidder=bidder,
        price=price,
        received_at=now,
        accepted=refusal is None,
        refusal_code=refusal[0] if refusal else "",
        refusal_reason=str(refusal[1])[:300] if refusal else "",
        client_token=client_token,
        # An API token's principal is no person: the log names the token instead.
        submitted_by=None if getattr(actor, "token", None) is not None else actor,
        submitted_via=str(getattr(actor, "audit_label", ""))[:100] if getattr(actor, "token", None) else "",
    )
    fields = ["sequence"]
    if refusal is None:
        if now >= auction.ends_at - rules.extension_window:
            extended = min(auction.ends_at + rules.extension, auction.hard_end)
            if extended > auction.ends_at:
                auction.ends_at = attempt.extended_to = extended
                fields.append("ends_at")
        attempt.save()
        bidder.price, bidder.price_at = price, now
        bidder.accepted_bids += 1
        bidder.save(update_fields=["price", "price_at", "accepted_bids"])
        auction.best_price, auction.best_bid = price, attempt
        fields += ["best_price", "best_bid"]
    else:
        attempt.save()
    auction.save(update_fields=fields)
    return attempt


def auction_bid(
    *, actor: Any, auction: Auction, organisation: Organisation, price: Any, client_token: str
) -> AuctionBid:
    """A bidder's representative bids ``price`` (the lot's total) in a running auction; returns the
    logged attempt, accepted.

    - ``actor`` is a representative (or administrator) of ``organisation``, a supplier; else
      PermissionDenied. ``organisation`` must be a bidder admitted to the auction (an opened bid, not
      disqualified before the start); else 409 ``not_admitted``, not logged (it is no bidder here).
    - ``price``: Decimal or text, > 0, at most two decimals (400 ``invalid_price``); ``client_token``:
      1 to 100 characters chosen by the client, one per bid (400 ``invalid_client_token``).
    - Server time decides, read under the auction's row lock. The bid is refused (logged, then
      ``AuctionBidRefused``, a 409 with the attempt on it) when the auction is not running
      (``auction_not_running``: not started, in negotiation, closed, or the tender left its
      auction), when ``now >= ends_at`` even if the close job has not run yet (``auction_ended``),
      when it is not at least the decrement below the bidder's own last price (``own_decrement``) or
      below the current best (``best_decrement``). A price equal to the best is thus refused: among
      equal prices the earlier holds.
    - An accepted bid becomes the best. If it came in the last ``extension_window`` before
      ``ends_at`` (from ``ends_at - window`` inclusive), ``ends_at`` moves ``extension`` later,
      never beyond ``hard_end`` (``attempt.extended_to`` says where it moved).
    - Idempotent: the same (organisation, client token) returns the same attempt, accepted or
      refused (refused: raised again), without a second write; the same token with another price
      is 409 ``client_token_reused``.
    - ``actor`` may be an organisation's API token principal speaking for the supplier (see
      ``procurement.api.permissions.supplier_actor``): the attempt then records the token's audit
      label (``submitted_via``) instead of a person (``submitted_by`` None).

    Locks the auction's row (one per lot), so concurrent bids are decided one at a time, each
    against the best as the previous left it. The attempt is committed before a refusal is raised:
    call it outside any enclosing transaction, or a refusal's log row goes with the rollback.
    Bids write no audit event (the auction's log is the record; its digest is audited at close).
    """
    if organisation.kind != OrganisationKind.SUPPLIER:
        raise PermissionDenied(_("Only suppliers bid in an auction."))
    require_role(actor, organisation, SUPPLIER_ROLES)
    price = _clean_price(price)
    token = _clean_token(client_token)
    attempt = _bid_locked(
        actor=actor, auction_id=auction.pk, organisation=organisation, price=price, client_token=token
    )
    logger.info(
        "auction.bid",
        extra={"auction_id": auction.pk, "sequence": attempt.sequence, "accepted": attempt.accepted},
    )
    if not attempt.accepted:
        raise AuctionBidRefused(attempt)
    return attempt


# --- Negotiation -----------------------------------------------------------------------------------


@transaction.atomic
def auction_negotiate(*, actor: Any, auction: Auction, price: Any) -> Auction:
    """An officer of the entity records the price negotiated with the single admitted bidder of an
    auction in negotiation: at or below the bidder's initial price. The price is logged as an
    accepted attempt of the bidder (recorded by the officer), the auction is closed with its
    ranking, and when every lot's auction is done the tender moves to evaluation.

    Refused (409) when the auction is not in negotiation (``not_negotiating``) or the price is above
    the initial one (``above_initial_price``). Locks the tender, then its auctions.
    """
    tender = auction.tender
    require_entity_officer(actor, tender.entity)
    price = _clean_price(price)
    tender = Tender.objects.select_for_update(of=("self",)).select_related("procedure_type", "entity").get(pk=tender.pk)
    auctions = _lock_auctions(tender)
    auction = next(item for item in auctions if item.pk == auction.pk)
    if auction.status != A.NEGOTIATION or tender.status != S.AUCTION:
        raise RuleViolation(_("This auction is not in negotiation."), code="not_negotiating")
    bidder = AuctionBidder.objects.get(auction=auction, admitted=True)
    if price > bidder.initial_price:
        raise RuleViolation(
            _("The negotiated price cannot be above the initial price of %(price)s.") % {"price": bidder.initial_price},
            code="above_initial_price",
        )
    now = clock.now()
    auction.sequence += 1
    attempt = AuctionBid.objects.create(
        auction=auction,
        sequence=auction.sequence,
        organisation_id=bidder.organisation_id,
        bidder=bidder,
        price=price,
        received_at=now,
        accepted=True,
        client_token=f"negotiation-{auction.sequence}",
        submitted_by=actor,
    )
    bidder.price, bidder.price_at = price, now
    bidder.accepted_bids += 1
    bidder.save(update_fields=["price", "price_at", "accepted_bids"])
    auction.best_price, auction.best_bid, auction.ends_at = price, attempt, now
    auction.save(update_fields=["sequence", "best_price", "best_bid", "ends_at"])
    _close(tender, auction, now, actor=actor, action="auction.negotiated")
    _finish_if_done(tender, auctions, now, actor=actor)
    if tender.status == S.AUCTION:
        tender.next_check = auction_next_check(tender)
        tender.save(update_fields=["next_check", "updated_at"])
    return auction
