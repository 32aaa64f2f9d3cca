"""The opening of the bids (apertura): the one place where sealed bids are read.

At the opening time the live bids are taken out of their boxes, their totals computed (quantity ×
unit price per item, each line rounded half-up to the cent), and the opening record — who bid for
each lot and for how much — becomes public. A lot with fewer live bids than the procedure's minimum
is void (desierto); a process whose lots are all void is void.

The chronograph opens a tender as soon as its opening time passes; an officer of the entity may
press the button too (the same function, refused before the time). This is the only caller of
``sealing.open_box``. Either every box of the tender opens or nothing changes: a box that does not
open (a missing master key, an altered row) stops the opening, which is logged, and the tender
waits in the opening status for the operator.

Lock order: the tender, then its lots (by number), then their bids.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import RuleViolation
from portal.notifications.services import notify
from procurement.enums import LotStatus, TenderStatus
from procurement.models import Bid, BidStatus, Item, Lot, Tender
from procurement.sealing import SealedBox, open_box
from procurement.services._common import entity_staff, participants_people, require_entity_officer, tender_url
from procurement.services.auction import auction_schedule_locked
from procurement.services.bids import _context
from procurement.timeline import LIMA
from procurement.transitions import can_move, following

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")


def _line_total(quantity: Decimal, price: Decimal) -> Decimal:
    return (quantity * price).quantize(CENT, rounding=ROUND_HALF_UP)


def _read(bid: Bid, lot: Lot, quantities: dict[int, Decimal]) -> None:
    """Open ``bid``'s box and keep what it held on the row; the caller saves it."""
    plaintext = open_box(SealedBox.from_dict(bid.sealed), context=_context(lot, bid.participant))
    content = json.loads(plaintext)
    prices = {str(number): str(Decimal(price).quantize(CENT)) for number, price in content["prices"].items()}
    bid.opened_prices = prices
    bid.opened_technical = content.get("technical") or {}
    bid.price_total = sum(
        (_line_total(quantities[int(number)], Decimal(price)) for number, price in prices.items()), Decimal(0)
    )


def open_locked(*, tender: Tender, now: datetime, actor: Any = None) -> str:
    """Open the bids of ``tender``, which the caller has locked and found due; returns its new status.

    For the chronograph (``actor`` None) and for ``tender_open``.
    """
    config = tender.procedure_type.config
    stages = list(config.get("stages") or [])
    minimum = max(int(config.get("min_bids") or 1), 1)
    lots = list(Lot.objects.select_for_update(of=("self",)).filter(tender=tender).order_by("number"))
    record: list[dict[str, Any]] = []
    voided: list[int] = []
    for lot in lots:
        if lot.status != LotStatus.OPEN:
            continue
        quantities = dict(Item.objects.filter(lot=lot).values_list("number", "quantity"))
        bids = list(
            Bid.objects.select_for_update(of=("self",))
            .filter(lot=lot, status=BidStatus.SUBMITTED)
            .select_related("participant__organisation")
            .order_by("received_at", "pk")
        )
        for bid in bids:
            _read(bid, lot, quantities)
            bid.opened_at = now
            bid.save(update_fields=["opened_prices", "opened_technical", "price_total", "opened_at"])
        record.append(
            {
                "lot": lot.number,
                "bids": [
                    {
                        "bid": bid.pk,
                        "bidder": bid.participant.organisation.tax_id,
                        "total": bid.price_total,
                        "digest": bid.digest,
                    }
                    for bid in bids
                ],
            }
        )
        if len(bids) < minimum:
            lot.status = LotStatus.VOID
            lot.status_reason = (
                _("No bid was received.")
                if not bids
                else _("Fewer bids than the procedure's minimum of %(minimum)s were received.") % {"minimum": minimum}
            )
            lot.save(update_fields=["status", "status_reason"])
            voided.append(lot.number)
    previous = tender.status
    tender.opened_at = now
    if all(lot.status != LotStatus.OPEN for lot in lots):
        target = TenderStatus.VOID
        tender.status_reason = _("No lot received a valid bid.")
    else:
        target = following(tender.status, stages)
    if target is None or not can_move(tender.status, target, stages):  # a misconfigured procedure
        raise RuleViolation(_("This process cannot leave the opening."), code="invalid_transition")
    tender.status = target
    tender.next_check = None
    if target == TenderStatus.AUCTION:  # a subasta: each open lot's auction, due at the auction time
        tender.next_check = auction_schedule_locked(tender=tender, now=now)
    tender.save(update_fields=["status", "status_reason", "opened_at", "next_check", "updated_at"])
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action="tender.opened",
        obj=tender,
        payload={"code": tender.code, "from": previous, "to": target, "opened_at": now, "lots": record},
    )
    context = {
        "code": tender.code,
        "title": tender.title,
        "opened_at_lima": now.astimezone(LIMA).strftime("%d/%m/%Y %H:%M"),
        "bids": sum(len(lot["bids"]) for lot in record),
        "void_lots": ", ".join(str(number) for number in voided),
        "void": target == TenderStatus.VOID,
    }
    people = {user.pk: user for user in [*participants_people(tender), *entity_staff(tender.entity)]}
    notify("tender.opened", people.values(), context, key=f"tender:{tender.pk}:opened", url=tender_url(tender))
    logger.info("tender.opened", extra={"tender_id": tender.pk, "status": target, "void_lots": voided})
    return target


@transaction.atomic
def tender_open(*, actor: Any, tender: Tender) -> Tender:
    """An officer of the entity opens the bids, at or after the opening time (server time).

    Refused before the time and in any other status than the opening. Locks the tender (then lots and
    bids, see ``open_locked``).
    """
    require_entity_officer(actor, tender.entity)
    now = clock.now()
    tender = Tender.objects.select_for_update(of=("self",)).select_related("procedure_type", "entity").get(pk=tender.pk)
    if tender.status == TenderStatus.BIDDING and tender.bids_due is not None and tender.bids_due <= now:
        # The deadline has passed but the chronograph has not come by yet: the officer need not wait.
        tender.status = TenderStatus.OPENING
        audit_record(
            actor=actor,
            organisation=tender.entity_id,
            action="tender.opening",
            obj=tender,
            payload={"code": tender.code, "from": TenderStatus.BIDDING, "to": TenderStatus.OPENING},
        )
    if tender.status != TenderStatus.OPENING:
        raise RuleViolation(_("This process is not at its opening."), code="not_opening")
    if tender.opening_at is None or now < tender.opening_at:
        raise RuleViolation(
            _("The bids are opened at %(at)s (Lima time), not before.")
            % {"at": tender.opening_at.astimezone(LIMA).strftime("%d/%m/%Y %H:%M") if tender.opening_at else "-"},
            code="opening_not_due",
        )
    open_locked(tender=tender, now=now, actor=actor)
    return tender
