"""Sealed bids: a participant submits, replaces or withdraws its bid for a lot until bids are due.

The content (unit prices per item and technical declarations) is sealed on arrival and never
stored in clear; the bidder gets a receipt with the server time and the SHA-256 digest of exactly
what was received. Until the opening nobody reads a bid's content: only the opening service may
call ``open_box``.

Lock order: the lot (shared), then the participant, then the bid. At the deadline many suppliers bid
for the same lot at once, so a submission holds the lot's row in SHARE mode only: bids of different
suppliers go on in parallel, while whatever changes the lot (a cancellation: tender, then lots; the
opening) takes it FOR UPDATE and so waits for the bids in flight, and they for it. One bidder's
submissions are serialised on its participant row, so its replacement and its retry cannot both become
live. The tender is read after the lot is held, so a cancellation is either seen or waits for the bid.
The audit record is the transaction's last write: the audit chain's head is locked from there to the
commit, and every act of the portal passes through it.

The salt that makes the digest safe against guessing (a price has little entropy) is derived with
a keyed HMAC (``SECRET_KEY``) from the bid's sealing context and the client's idempotency key: it is
unpredictable without the server's secret, is never stored in clear, and is the same when a client
retries, so a retry with the same content gives the same digest and the same receipt.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User
from portal.accounts.selectors import SUPPLIER_SPOKESPEOPLE, spokespeople_of
from portal.accounts.services import require_role
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.services import notify
from procurement.enums import LotStatus, ProcurementObject, TenderStatus
from procurement.models import Bid, BidStatus, Item, Lot, Participant, Tender
from procurement.sealing import canonical_json, receipt_digest, seal
from procurement.timeline import LIMA
from smeregistry.enums import EligibilityPurpose
from smeregistry.selectors import supplier_for_organisation
from smeregistry.services.eligibility import LotRequirements, eligibility_check

logger = logging.getLogger(__name__)

SUPPLIER_ROLES = frozenset(SUPPLIER_SPOKESPEOPLE)
IDEMPOTENCY_KEY_MAX = 100
# The registry register a bidder must be in, by the tender's object (SEACE: bien, servicio, obra,
# consultoría de obra).
REGISTER_FOR_OBJECT = {
    ProcurementObject.GOODS: "goods",
    ProcurementObject.SERVICES: "services",
    ProcurementObject.WORKS: "works_execution",
    ProcurementObject.CONSULTING: "works_consulting",
}
CENT = Decimal("0.01")
# MONEY columns hold 18 digits with 2 decimals: a unit price must fit one.
PRICE_LIMIT = Decimal(10) ** 16
SALT_KEY = "procurement.bids.salt"


@dataclass(frozen=True)
class _Content:
    prices: dict[str, Decimal]
    technical: dict[str, Any]
    unspsc_codes: tuple[str, ...] = ()  # the lot's categories, read with its items (for the eligibility check)


def _require_representative(actor: Any, organisation: Organisation) -> None:
    if organisation.kind != OrganisationKind.SUPPLIER:
        raise PermissionDenied(_("Only suppliers submit bids."))
    require_role(actor, organisation, SUPPLIER_ROLES)


def _representatives(organisation_id: int) -> list[User]:
    return list(spokespeople_of(organisation_ids=[organisation_id]))


def _clean_key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > IDEMPOTENCY_KEY_MAX:
        raise DomainError(
            _("Send an idempotency key of 1 to %(max)s characters.") % {"max": IDEMPOTENCY_KEY_MAX},
            code="invalid_idempotency_key",
            field="idempotency_key",
        )
    return key


def _clean_price(number: Any, value: Any) -> Decimal:
    field = f"prices[{number}]"
    problem = DomainError(
        _("A unit price is an amount more than zero with at most two decimals."), code="invalid_price", field=field
    )
    # A float has no single decimal form: money arrives as Decimal or text.
    if isinstance(value, bool | float) or not isinstance(value, Decimal | int | str):
        raise problem
    try:
        price = Decimal(str(value).strip())
    except InvalidOperation:
        raise problem from None
    if not price.is_finite() or price <= 0 or price >= PRICE_LIMIT or price.quantize(CENT) != price:
        raise problem
    return price


def _clean_content(*, lot: Lot, prices: Any, technical: Any) -> _Content:
    """Unit prices for exactly the lot's items, and technical declarations that can be canonicalised."""
    if not isinstance(prices, dict):
        raise DomainError(_("Give a unit price for every item of the lot."), code="required", field="prices")
    items = list(Item.objects.filter(lot=lot).values_list("number", "unspsc_code"))
    numbers = {number for number, _code in items}
    given: dict[int, Any] = {}
    for number, value in prices.items():
        if isinstance(number, bool) or not isinstance(number, int) or number not in numbers:
            raise DomainError(
                _("Item %(number)s is not an item of this lot.") % {"number": number},
                code="unknown_item",
                field=f"prices[{number}]",
            )
        given[number] = value
    missing = sorted(numbers - set(given))
    if missing:
        raise DomainError(
            _("Give a unit price for every item of the lot (missing: %(items)s).")
            % {"items": ", ".join(str(number) for number in missing)},
            code="missing_price",
            field=f"prices[{missing[0]}]",
        )
    clean = {str(number): _clean_price(number, given[number]) for number in sorted(given)}
    if not isinstance(technical, dict):
        raise DomainError(_("The technical declarations are a set of named values."), code="invalid", field="technical")
    try:
        canonical_json(technical)
    except (TypeError, ValueError):
        raise DomainError(
            _("The technical declarations hold text, whole numbers, yes/no values, lists and decimal amounts only."),
            code="invalid",
            field="technical",
        ) from None
    return _Content(prices=clean, technical=technical, unspsc_codes=tuple(sorted({code for _n, code in items})))


def _context(lot: Lot, participant: Participant) -> str:
    return f"tender:{lot.tender_id}/lot:{lot.pk}/participant:{participant.pk}"


def _salts(context: str, idempotency_key: str) -> list[str]:
    """The bid's salt under the current secret first, then under the fallbacks (a rotated SECRET_KEY
    must not turn a client's retry into a conflict)."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    value = f"{context}|{idempotency_key}"
    return [salted_hmac(SALT_KEY, value, secret=secret, algorithm="sha256").hexdigest()[:32] for secret in secrets]


def _plaintext(salt: str, content: _Content) -> bytes:
    return canonical_json({"salt": salt, "prices": content.prices, "technical": content.technical})


def bid_receipt(*, bid: Bid, tender: Tender, lot: Lot, ruc: str, salt: str) -> dict[str, Any]:
    """What the bidder keeps: with the salt, it can recompute the digest from the content it sent."""
    return {
        "tender_code": tender.code,
        "lot_number": lot.number,
        "bidder_ruc": ruc,
        "received_at": bid.received_at.isoformat(),
        "digest": bid.digest,
        "salt": salt,
    }


def _requirements(tender: Tender, lot: Lot, unspsc_codes: tuple[str, ...] | None = None) -> LotRequirements:
    return LotRequirements(
        reference=f"{tender.code}/{lot.number}",
        unspsc_codes=unspsc_codes
        if unspsc_codes is not None
        else tuple(sorted(set(Item.objects.filter(lot=lot).values_list("unspsc_code", flat=True)))),
        register=REGISTER_FOR_OBJECT.get(tender.object),
        mype_reserved=lot.mype_reserved,
        jurisdiction=tender.procedure_type.jurisdiction,
    )


def _refuse_after_deadline(tender: Tender, now: datetime) -> None:
    if tender.bids_due is None or now >= tender.bids_due:
        raise RuleViolation(
            _("Bids were received until %(due)s (Lima time).")
            % {"due": tender.bids_due.astimezone(LIMA).strftime("%d/%m/%Y %H:%M:%S") if tender.bids_due else "-"},
            code="deadline_passed",
        )


def _lock_lot(lot: Lot) -> Lot:
    return (
        Lot.objects.select_for_update(of=("self",))
        .select_related("tender", "tender__procedure_type", "tender__entity")
        .get(pk=lot.pk)
    )


def _share_lot(lot: Lot) -> Lot:
    """The lot and its tender, with the lot's row held in SHARE mode (see the module docstring)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM procurement_lot WHERE id = %s FOR SHARE", [lot.pk])
    return Lot.objects.select_related("tender", "tender__procedure_type", "tender__entity").get(pk=lot.pk)


def _replay(participant_id: int, key: str, lot: Lot, salts: list[str], content: _Content) -> tuple[Bid, str] | None:
    """The bid already recorded under this key, with its salt, if the content is the same; refused if
    it is not; None when the key is new."""
    existing = Bid.objects.filter(participant_id=participant_id, idempotency_key=key).order_by("pk").first()
    if existing is None:
        return None
    for salt in salts:
        if existing.lot_id == lot.pk and constant_time_compare(
            receipt_digest(_plaintext(salt, content)), existing.digest
        ):
            return existing, salt
    raise RuleViolation(
        _("This idempotency key was already used for another bid: send a new key for new content."),
        code="idempotency_conflict",
        field="idempotency_key",
    )


@transaction.atomic
def bid_submit(
    *,
    actor: Any,
    lot: Lot,
    organisation: Organisation,
    prices: dict[int, Decimal],
    technical: dict[str, Any],
    idempotency_key: str,
) -> tuple[Bid, dict[str, Any]]:
    """Seal and record ``organisation``'s bid for ``lot``; returns the bid and its receipt.

    Preconditions: ``actor`` represents ``organisation``, a participant of the tender; the tender is
    receiving bids and the server time is before ``bids_due`` (taken when the request is handled,
    before waiting for the lock); a unit price for each item of the lot and nothing else; the
    supplier is eligible for the lot now (the check is recorded with the bid, or not at all).
    A live bid of the participant for the lot is replaced. The same ``idempotency_key`` with the same
    content returns the bid already recorded and its receipt (even after the deadline: it is a retry
    of a bid received in time), with ``bid.replayed`` True (False for a bid recorded now); with other
    content it is refused. Locks the lot, then its live bid.
    """
    now = clock.now()
    _require_representative(actor, organisation)
    key = _clean_key(idempotency_key)
    content = _clean_content(lot=lot, prices=prices, technical=technical)
    # A retry of a bid already recorded is answered without waiting for any lock.
    participant = Participant.objects.filter(tender_id=lot.tender_id, organisation=organisation).order_by("pk").first()
    if participant is not None:
        salts = _salts(_context(lot, participant), key)
        replay = _replay(participant.pk, key, lot, salts, content)
        if replay is not None:
            return _replayed(replay, lot, organisation)
    lot = _share_lot(lot)
    tender = lot.tender
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .filter(tender=tender, organisation=organisation)
        .order_by("pk")
        .first()
    )
    if participant is None:
        raise RuleViolation(
            _("Register as a participant of this process before bidding."), code="not_participant", field="organisation"
        )
    supplier = supplier_for_organisation(organisation_id=organisation.pk)
    if supplier is None:  # participants are registered suppliers; this guards against data fixed by hand
        raise RuleViolation(
            _("Register your company in the supplier registry before taking part."), code="not_registered"
        )
    context = _context(lot, participant)
    salts = _salts(context, key)
    # Again under the participant's lock: the same key may have been recorded meanwhile.
    replay = _replay(participant.pk, key, lot, salts, content)
    if replay is not None:
        existing, salt = replay
        existing.replayed = True
        return existing, bid_receipt(bid=existing, tender=tender, lot=lot, ruc=supplier.ruc, salt=salt)

    _refuse_after_deadline(tender, now)
    if tender.status != TenderStatus.BIDDING or lot.status != LotStatus.OPEN:
        raise RuleViolation(_("This process is not receiving bids for this lot."), code="not_bidding")

    eligibility = eligibility_check(
        party=supplier,
        lot=_requirements(tender, lot, content.unspsc_codes),
        at=now,
        purpose=EligibilityPurpose.BID,
        actor=actor,
        # The supplier's own record: the entity must not learn who bid before the opening.
        organisation=organisation,
    )
    if not eligibility.eligible:
        codes = [reason["code"] for reason in eligibility.reasons]
        error = RuleViolation(
            _("Your company may not bid in this lot: %(reasons)s")
            % {"reasons": " ".join(str(reason["message"]) for reason in eligibility.reasons)},
            code="not_eligible",
        )
        error.reasons = codes
        # Raising rolls the transaction back: the eligibility record goes with the refused bid.
        raise error

    salt = salts[0]
    plaintext = _plaintext(salt, content)
    box = seal(plaintext, context=context)
    live = (
        Bid.objects.select_for_update(of=("self",))
        .filter(lot=lot, participant=participant, status=BidStatus.SUBMITTED)
        .order_by("pk")
        .first()
    )
    if live is not None:
        live.status = BidStatus.REPLACED
        live.save(update_fields=["status"])
    bid = Bid.objects.create(
        lot=lot,
        participant=participant,
        status=BidStatus.SUBMITTED,
        sealed=box.to_dict(),
        digest=box.digest,
        received_at=now,
        eligibility=eligibility,
        idempotency_key=key,
        replaces=live,
    )
    receipt = bid_receipt(bid=bid, tender=tender, lot=lot, ruc=supplier.ruc, salt=salt)
    # The salt stays off notifications (stored rows, e-mail): with the digest it would allow guessing.
    notify(
        "bid.received",
        _representatives(organisation.pk),
        {
            "code": tender.code,
            "lot": lot.number,
            "received_at": now,
            "received_at_lima": now.astimezone(LIMA).strftime("%d/%m/%Y %H:%M:%S"),
            "digest": bid.digest,
        },
        key=f"bid:{bid.pk}:received",
    )
    # Last: the audit chain's head stays locked from here to the commit.
    audit_record(
        actor=actor,
        organisation=organisation,
        action="bid.submitted",
        obj=bid,
        payload={
            "tender": tender.pk,
            "lot": lot.pk,
            "digest": bid.digest,
            "received_at": now,
            "replaces": live.pk if live else None,
            "eligibility": eligibility.pk,
        },
    )
    logger.info("bid.submitted", extra={"tender_id": tender.pk, "lot_id": lot.pk, "bid_id": bid.pk})
    bid.replayed = False
    return bid, receipt


@transaction.atomic
def bid_withdraw(*, actor: Any, bid: Bid) -> Bid:
    """Withdraw a live bid before ``bids_due`` (server time). ``actor`` represents the bidder.

    Locks the lot, then the bid.
    """
    now = clock.now()
    organisation = Participant.objects.select_related("organisation").get(pk=bid.participant_id).organisation
    _require_representative(actor, organisation)
    lot = _lock_lot(bid.lot)
    bid = Bid.objects.select_for_update(of=("self",)).get(pk=bid.pk)
    if bid.status != BidStatus.SUBMITTED:
        raise RuleViolation(_("Only a live bid can be withdrawn."), code="not_live")
    _refuse_after_deadline(lot.tender, now)
    if lot.tender.status != TenderStatus.BIDDING:
        raise RuleViolation(_("This process is not receiving bids for this lot."), code="not_bidding")
    bid.status = BidStatus.WITHDRAWN
    bid.save(update_fields=["status"])
    audit_record(
        actor=actor,
        organisation=organisation,
        action="bid.withdrawn",
        obj=bid,
        payload={"tender": lot.tender_id, "lot": lot.pk, "digest": bid.digest, "withdrawn_at": now},
    )
    logger.info("bid.withdrawn", extra={"tender_id": lot.tender_id, "bid_id": bid.pk})
    return bid


def _replayed(replay: tuple[Bid, str], lot: Lot, organisation: Organisation) -> tuple[Bid, dict[str, Any]]:
    existing, salt = replay
    existing.replayed = True
    tender = Tender.objects.get(pk=lot.tender_id)
    supplier = supplier_for_organisation(organisation_id=organisation.pk)
    return existing, bid_receipt(bid=existing, tender=tender, lot=lot, ruc=supplier.ruc, salt=salt)
