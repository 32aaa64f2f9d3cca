"""The chronograph: moves tenders when a deadline of their chronogram passes.

The scheduler only says "it is time" (``chronograph_sweep``, every ``CHRONOGRAPH_SECONDS``); the
rules live here. Each tender carries ``next_check``, the moment of its next automatic move, so a
sweep reads only the rows that are due. Only deadlines move a tender here: a status that waits for a
person (the integrated bases after the enquiries, the evaluation) has no ``next_check``.

Besides the plain moves, acts happen on a deadline, by the same services a person would use: the
opening of the bids at the opening time (or when bids close, in a procedure without an opening
stage), the start and close of a reverse auction's lots (``services.auction``), and the consent of
the award when the appeal window ends with no appeal pending.
"""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction

from portal.audit.services import audit_record
from portal.core import clock
from procurement.enums import TenderStatus
from procurement.models import Tender
from procurement.transitions import can_move, following

logger = logging.getLogger(__name__)

S = TenderStatus

# The automatic moves: from a status, on the date of this field, to the next status of the
# procedure's path, if it is one of these. Publication opens the enquiries (or, for a procedure
# without them, the bids) at once; the integrated bases open the bids; the bids deadline closes them.
AUTOMATIC: dict[str, tuple[str, frozenset[str]]] = {
    S.PUBLISHED: ("published_at", frozenset({S.ENQUIRIES, S.BIDDING})),
    S.INTEGRATED_BASES: ("integrated_bases_at", frozenset({S.BIDDING})),
    S.BIDDING: ("bids_due", frozenset({S.OPENING})),
}


# The acts on a deadline: from a status, on the date of this field, this service (imported late: the
# services import this module's ``tender_next_check``).
ACTS: dict[str, str] = {S.OPENING: "opening_at", S.APPEAL_WINDOW: "appeal_until"}


def tender_next_check(tender: Tender) -> datetime | None:
    """When the tender's next automatic move is due, from its status and chronogram; None when its
    status waits for a person (or ends the process). Reads only the row, except in the auction,
    where it is the next start or end of the lots' auctions (``auction_next_check``).

    The moment may already be past (a tender published now is due at once); the sweep then picks it up.
    """
    rule = AUTOMATIC.get(tender.status)
    if rule is not None:
        return getattr(tender, rule[0])
    if tender.status == S.AUCTION:  # the one status whose moment is on other rows: its lots' auctions
        from procurement.services.auction import auction_next_check

        return auction_next_check(tender)
    field = ACTS.get(tender.status)
    return getattr(tender, field) if field is not None else None


def _act(tender: Tender, stages: list[str], now: datetime) -> str | None:
    """Carry out the act due on the locked tender at ``now``, if any; returns the status reached."""
    from procurement.services.auction import auction_advance_locked
    from procurement.services.awards import consent_locked
    from procurement.services.opening import open_locked

    if tender.status == S.AUCTION:
        return auction_advance_locked(tender=tender, now=now)

    if tender.status == S.BIDDING and "opening" not in stages and tender.bids_due and tender.bids_due <= now:
        return open_locked(tender=tender, now=now)  # no public opening: bids are read when they close
    field = ACTS.get(tender.status)
    moment = getattr(tender, field) if field is not None else None
    if moment is None or moment > now:
        return None
    if tender.status == S.OPENING:
        return open_locked(tender=tender, now=now)
    return consent_locked(tender=tender, now=now)


def _due_target(tender: Tender, stages: list[str], now: datetime) -> str | None:
    rule = AUTOMATIC.get(tender.status)
    if rule is None:
        return None
    field, targets = rule
    moment = getattr(tender, field)
    if moment is None or moment > now:
        return None
    target = following(tender.status, stages)
    return target if target in targets else None


@transaction.atomic
def tender_advance(*, tender_id: int, now: datetime) -> str | None:
    """Apply every automatic move of the tender that is due at ``now``, several in a row if their
    moments have all passed; returns the status reached, or None when nothing was due.

    Locks the tender row and reads it again under the lock, so a tender that another process has just
    moved is seen as it now is: running this twice moves nothing the second time. Each move is
    checked against the transitions table and audited as the system's (``tender.<status>``). Then
    ``next_check`` is recomputed.
    """
    tender = (
        Tender.objects.select_for_update(of=("self",)).select_related("procedure_type").filter(pk=tender_id).first()
    )
    if tender is None:
        return None
    stages = list(tender.procedure_type.config.get("stages") or [])
    start = tender.status
    moved = False
    while True:
        target = _due_target(tender, stages, now)
        if target is not None:
            if not can_move(tender.status, target, stages):
                logger.error(
                    "tender.chronograph_refused", extra={"tender_id": tender.pk, "from": tender.status, "to": target}
                )
                break
            previous, moment = tender.status, getattr(tender, AUTOMATIC[tender.status][0])
            tender.status = target
            tender.save(update_fields=["status", "updated_at"])
            audit_record(
                actor=None,
                organisation=tender.entity_id,
                action=f"tender.{target}",
                obj=tender,
                payload={"code": tender.code, "from": previous, "to": target, "due": moment},
            )
            moved = True
            continue
        if _act(tender, stages, now) is None:
            break
        moved = True
    next_check = tender_next_check(tender)
    if next_check is not None and next_check <= now:
        # Due but not movable by the clock (a refused move, an appeal pending): a person goes on.
        next_check = None
    if tender.next_check != next_check:
        tender.next_check = next_check
        tender.save(update_fields=["next_check", "updated_at"])
    if not moved:
        return None
    # The plain moves notify nobody: suppliers were told of the call at publication and its
    # chronogram was public from then. The acts (opening, consent) notify through their services.
    logger.info("tender.advanced", extra={"tender_id": tender.pk, "from": start, "to": tender.status})
    return tender.status


def chronograph_sweep(*, now: datetime | None = None, batch: int = 200) -> int:
    """Advance the tenders whose ``next_check`` has come; returns how many moved.

    The due rows are claimed in short transactions of ``batch`` rows, skipping rows another sweep
    holds, and each tender is then advanced in its own transaction, where it is locked and read again:
    two sweeps at once never move a tender twice. Deadlines bunch (every period closing at 17:00), so a
    sweep goes on claiming until nothing due is left rather than one batch per beat; a tender that
    failed is not claimed again in the same sweep. One tender failing does not stop the others.
    """
    now = now or clock.now()
    moved = 0
    tried: set[int] = set()
    while True:
        with transaction.atomic():
            ids = list(
                Tender.objects.filter(next_check__lte=now)
                .exclude(pk__in=tried)
                .order_by("next_check")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:batch]
            )
        for tender_id in ids:
            tried.add(tender_id)
            try:
                if tender_advance(tender_id=tender_id, now=now) is not None:
                    moved += 1
            except Exception:
                logger.exception("tender.chronograph_failed", extra={"tender_id": tender_id})
        if len(ids) < batch:
            return moved
