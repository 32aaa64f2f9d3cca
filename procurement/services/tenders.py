"""Tenders (convocatorias): drafted from a published plan line, given a chronogram, published, and
left early by cancellation (the entity) or annulment (the oversight body)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import Organisation
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.services import notify
from procurement.enums import AuctionStatus, AwardStatus, ContractStatus, LotStatus, PlanStatus, TenderStatus
from procurement.models import Auction, Award, Contract, Item, Lot, Plan, PlanLine, Tender, TenderDocument
from procurement.reference_data import UNITS_REC20
from procurement.services._common import (
    entity_officers,
    holidays_of,
    participants_people,
    require_entity_officer,
    require_oversight_reviewer,
    tender_url,
)
from procurement.timeline import LIMA, Timeline, amendment_deadline, problem_text, timeline_problems
from procurement.transitions import can_move
from smeregistry.selectors import region_codes, supplier_representatives, supplier_search

logger = logging.getLogger(__name__)

CURRENCIES = ("PEN", "USD")
UNIT_CODES = frozenset(code for code, _name in UNITS_REC20)
# How far ahead of its scheduled moment a tender may be published "now": the officer clicking a
# minute early is the same publication; an hour early is a different chronogram.
PUBLISH_TOLERANCE = timedelta(minutes=5)
# Statuses in which bids may still be submitted or prepared: changing the bases then moves the deadline.
BIDS_OPEN = frozenset(
    {TenderStatus.PUBLISHED, TenderStatus.ENQUIRIES, TenderStatus.INTEGRATED_BASES, TenderStatus.BIDDING}
)
AMENDMENT_MIN_DAYS = 3
DEADLINE_FIELDS = ("enquiries_end", "integrated_bases_at", "bids_due", "opening_at", "auction_at")


@dataclass(frozen=True)
class ItemData:
    unspsc_code: str
    description: str
    quantity: Any
    unit: str
    delivery_place: str
    region_code: str


@dataclass(frozen=True)
class LotData:
    title: str
    reference_value: Any
    mype_reserved: bool = False
    items: list[ItemData] = field(default_factory=list)


def _decimal(value: Any, places: str) -> Decimal | None:
    try:
        number = Decimal(str(value)).quantize(Decimal(places))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _clean_item(lot_index: int, index: int, item: ItemData, regions: frozenset[str]) -> dict[str, Any]:
    where = f"lots[{lot_index}].items[{index}]"
    code = (item.unspsc_code or "").strip()
    if not re.fullmatch(r"\d{8}", code):
        raise DomainError(_("A UNSPSC code has 8 digits."), code="invalid_unspsc", field=f"{where}.unspsc_code")
    description = (item.description or "").strip()
    if not description:
        raise DomainError(_("Describe the item."), code="required", field=f"{where}.description")
    quantity = _decimal(item.quantity, "0.001")
    if quantity is None or quantity <= 0:
        raise DomainError(_("The quantity must be more than zero."), code="invalid_quantity", field=f"{where}.quantity")
    if item.unit not in UNIT_CODES:
        raise DomainError(
            _("Choose a unit of measure from the list (UN/ECE Recommendation 20)."),
            code="invalid_unit",
            field=f"{where}.unit",
        )
    place = (item.delivery_place or "").strip()
    if not place:
        raise DomainError(_("Write where the item is delivered."), code="required", field=f"{where}.delivery_place")
    if item.region_code not in regions:
        raise DomainError(_("Choose the delivery region."), code="invalid_region", field=f"{where}.region_code")
    return {
        "number": index + 1,
        "unspsc_code": code,
        "description": description[:500],
        "quantity": quantity,
        "unit": item.unit,
        "delivery_place": place[:300],
        "region_code": item.region_code,
    }


def _clean_lots(lots: list[LotData], country: str) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    if not lots:
        raise DomainError(_("A tender has at least one lot."), code="required", field="lots")
    regions = region_codes(country=country)
    clean = []
    for lot_index, lot in enumerate(lots):
        title = (lot.title or "").strip()
        if not title:
            raise DomainError(_("Give the lot a title."), code="required", field=f"lots[{lot_index}].title")
        value = _decimal(lot.reference_value, "0.01")
        if value is None or value <= 0:
            raise DomainError(
                _("The lot's reference value must be more than zero."),
                code="invalid_value",
                field=f"lots[{lot_index}].reference_value",
            )
        if not lot.items:
            raise DomainError(_("A lot has at least one item."), code="required", field=f"lots[{lot_index}].items")
        items = [_clean_item(lot_index, index, item, regions) for index, item in enumerate(lot.items)]
        clean.append(
            (
                {
                    "number": lot_index + 1,
                    "title": title[:300],
                    "reference_value": value,
                    "mype_reserved": bool(lot.mype_reserved),
                },
                items,
            )
        )
    return clean


def _abbreviation(procedure_code: str) -> str:
    """licitacion-publica → LP, subasta-inversa-electronica → SIE."""
    return "".join(word[0] for word in procedure_code.split("-") if word).upper()


def _next_code(*, entity: Organisation, procedure_code: str, year: int) -> str:
    """The next code in the entity's sequence for ``year``; the caller holds the entity's row lock."""
    suffix = f"-{year}-{entity.tax_id}"
    used = [
        int(match.group(1))
        for code in Tender.objects.filter(entity=entity, code__endswith=suffix).values_list("code", flat=True)
        if (match := re.fullmatch(r"[A-Z]+-(\d+)-.*", code))
    ]
    return f"{_abbreviation(procedure_code)}-{max(used, default=0) + 1:04d}{suffix}"


@transaction.atomic
def tender_create(
    *,
    actor: Any,
    plan_line: PlanLine,
    title: str,
    description: str,
    currency: str,
    lots: list[LotData],
) -> Tender:
    """Draft a tender for a line of the entity's published plan.

    The procedure type and object come from the plan line; the reference value is the sum of the
    lots'. Locks the entity's row (the code sequence is per entity and fiscal year), then the plan.
    """
    plan = plan_line.plan
    entity = plan.entity
    require_entity_officer(actor, entity)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the tender a title."), code="required", field="title")
    if currency not in CURRENCIES:
        raise DomainError(
            _("A tender is in soles (PEN) or US dollars (USD)."), code="invalid_currency", field="currency"
        )
    clean_lots = _clean_lots(lots, entity.country)
    Organisation.objects.select_for_update(of=("self",)).only("pk").get(pk=entity.pk)
    if Plan.objects.select_for_update(of=("self",)).filter(pk=plan.pk, status=PlanStatus.PUBLISHED).first() is None:
        raise RuleViolation(
            _("Tenders are drafted from the published version of the plan."),
            code="plan_not_published",
            field="plan_line",
        )
    procedure = plan_line.procedure_type
    tender = Tender.objects.create(
        entity=entity,
        plan_line=plan_line,
        procedure_type=procedure,
        code=_next_code(entity=entity, procedure_code=procedure.code, year=plan.fiscal_year),
        title=title[:300],
        description=(description or "").strip(),
        object=plan_line.object,
        currency=currency,
        reference_value=sum((lot["reference_value"] for lot, _items in clean_lots), Decimal(0)),
        status=TenderStatus.DRAFT,
        created_by=actor,
    )
    for lot_values, items in clean_lots:
        lot = Lot.objects.create(tender=tender, status=LotStatus.OPEN, **lot_values)
        Item.objects.bulk_create([Item(lot=lot, **values) for values in items])
    audit_record(
        actor=actor,
        organisation=entity,
        action="tender.created",
        obj=tender,
        payload={
            "code": tender.code,
            "plan_line": plan_line.pk,
            "reference_value": tender.reference_value,
            "currency": currency,
            "lots": len(clean_lots),
        },
    )
    logger.info("tender.created", extra={"tender_id": tender.pk, "code": tender.code})
    return tender


def _lock(tender: Tender) -> Tender:
    return Tender.objects.select_for_update(of=("self",)).select_related("procedure_type", "entity").get(pk=tender.pk)


def _timeline_of(tender: Tender, **changes: datetime) -> Timeline:
    values = {name: getattr(tender, name) for name in ("published_at", *DEADLINE_FIELDS)}
    values.update(changes)
    return Timeline(**values)


def _refuse_problems(timeline: Timeline, tender: Tender) -> None:
    problems = timeline_problems(
        timeline, tender.procedure_type.config, holidays_of(tender.procedure_type.jurisdiction)
    )
    if problems:
        first = problems[0]
        raise DomainError(problem_text(first), code="invalid_timeline", field=first.field)


def _next_check(tender: Tender, now: datetime) -> datetime | None:
    """When the chronograph must look at the tender again: its rule, in one place."""
    from procurement.services.chronograph import tender_next_check

    return tender_next_check(tender)


@transaction.atomic
def tender_set_timeline(*, actor: Any, tender: Tender, timeline: Timeline) -> Tender:
    """Set the chronogram of a draft tender. Locks the tender.

    Refuses, naming the first field to fix, a chronogram that does not satisfy the procedure type
    (with the jurisdiction's holidays) or that starts in the past.
    """
    require_entity_officer(actor, tender.entity)
    tender = _lock(tender)
    if tender.status != TenderStatus.DRAFT:
        raise RuleViolation(_("Only a draft tender's chronogram can be set."), code="not_draft")
    _refuse_problems(timeline, tender)
    if timeline.published_at < clock.now():
        raise DomainError(_("The publication cannot be in the past."), code="in_the_past", field="published_at")
    for name in ("published_at", *DEADLINE_FIELDS):
        setattr(tender, name, getattr(timeline, name))
    tender.save(update_fields=["published_at", *DEADLINE_FIELDS, "updated_at"])
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action="tender.timeline_set",
        obj=tender,
        payload={name: getattr(timeline, name) for name in ("published_at", *DEADLINE_FIELDS)},
    )
    return tender


@transaction.atomic
def tender_publish(*, actor: Any, tender: Tender) -> Tender:
    """Publish a draft tender now (convocatoria). Locks the tender.

    The chronogram must be set and due (its publication no later than now plus a small tolerance);
    publication is moved to now and nothing else, so the minimum durations are checked again from
    now. Active suppliers registered for an item's category and in an item's delivery region are told.
    """
    require_entity_officer(actor, tender.entity)
    tender = _lock(tender)
    stages = tender.procedure_type.config.get("stages") or []
    if not can_move(tender.status, TenderStatus.PUBLISHED, stages):
        raise RuleViolation(_("Only a draft tender can be published."), code="invalid_transition")
    if tender.published_at is None or tender.bids_due is None:
        raise RuleViolation(_("Set the tender's chronogram before publishing it."), code="no_timeline")
    now = clock.now()
    if tender.published_at > now + PUBLISH_TOLERANCE:
        raise RuleViolation(
            _("This tender is scheduled for later; change its chronogram to publish it now."),
            code="scheduled_later",
            field="published_at",
        )
    _refuse_problems(_timeline_of(tender, published_at=now), tender)
    tender.status = TenderStatus.PUBLISHED
    tender.published_at = now
    tender.next_check = _next_check(tender, now)
    tender.save(update_fields=["status", "published_at", "next_check", "updated_at"])
    # The bases and annexes prepared with the draft are published with it.
    TenderDocument.objects.filter(tender=tender, published_at__isnull=True).update(published_at=now)
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action="tender.published",
        obj=tender,
        payload={"code": tender.code, "published_at": now, "bids_due": tender.bids_due},
    )
    items = Item.objects.filter(lot__tender=tender)
    categories = sorted(set(items.values_list("unspsc_code", flat=True)))
    regions = sorted(set(items.values_list("region_code", flat=True)))
    people: dict[int, Any] = {}
    for category in categories:
        suppliers = supplier_search(category_code=category).filter(region__code__in=regions)
        people.update((user.pk, user) for user in supplier_representatives(suppliers=suppliers))
    notify(
        "tender.published",
        people.values(),
        {
            "code": tender.code,
            "title": tender.title,
            "entity": tender.entity.name,
            "bids_due": tender.bids_due,
            # Deadlines are read in Lima time, whatever the reader's zone.
            "bids_due_lima": tender.bids_due.astimezone(LIMA).strftime("%d/%m/%Y %H:%M"),
        },
        key=f"tender:{tender.pk}:published",
    )
    logger.info("tender.published", extra={"tender_id": tender.pk, "notified": len(people)})
    return tender


def _leave(*, actor: Any, tender: Tender, target: str, reason: str, event: str) -> Tender:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Write the reason."), code="required", field="reason")
    tender = _lock(tender)
    lots = list(Lot.objects.select_for_update(of=("self",)).filter(tender=tender).order_by("number"))
    if not can_move(tender.status, target, tender.procedure_type.config.get("stages") or []):
        raise RuleViolation(
            _("A tender that is %(current)s cannot be %(target)s.")
            % {"current": tender.get_status_display(), "target": TenderStatus(target).label},
            code="invalid_transition",
        )
    previous = tender.status
    tender.status = target
    tender.status_reason = reason[:500]
    tender.next_check = None
    tender.save(update_fields=["status", "status_reason", "next_check", "updated_at"])
    Lot.objects.filter(pk__in=[lot.pk for lot in lots if lot.status != LotStatus.VOID]).update(
        status=LotStatus.CANCELLED
    )
    # An award not yet consented falls with the process (annulment reaches a consented one too).
    Award.objects.filter(lot__tender=tender, status=AwardStatus.ACTIVE).update(status=AwardStatus.REVOKED)
    Contract.objects.filter(tender=tender, status=ContractStatus.AWAITING_SIGNATURES).update(
        status=ContractStatus.CANCELLED
    )
    # A reverse auction not yet over stops with its process: no bid is accepted in it from now on.
    Auction.objects.filter(tender=tender).exclude(status__in=[AuctionStatus.CLOSED, AuctionStatus.VOID]).update(
        status=AuctionStatus.VOID, status_reason=reason[:500], closed_at=clock.now()
    )
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action=event,
        obj=tender,
        payload={"code": tender.code, "from": previous, "reason": reason},
    )
    # Participants hear of every change of their processes, and the entity's officers of its exits.
    people = {user.pk: user for user in [*participants_people(tender), *entity_officers(tender.entity)]}
    notify(
        event,
        people.values(),
        {"code": tender.code, "title": tender.title, "reason": reason},
        key=f"tender:{tender.pk}:{target}",
        url=tender_url(tender),
    )
    logger.info(event, extra={"tender_id": tender.pk})
    return tender


@transaction.atomic
def tender_cancel(*, actor: Any, tender: Tender, reason: str) -> Tender:
    """The entity cancels its tender, with a reason, until the award is consented.

    Locks the tender, then its lots (by number); open and awarded lots become cancelled.
    """
    require_entity_officer(actor, tender.entity)
    return _leave(actor=actor, tender=tender, target=TenderStatus.CANCELLED, reason=reason, event="tender.cancelled")


@transaction.atomic
def tender_annul(*, actor: Any, tender: Tender, reason: str) -> Tender:
    """The oversight body annuls a tender (nulidad). Locks the tender, then its lots."""
    require_oversight_reviewer(actor)
    return _leave(actor=actor, tender=tender, target=TenderStatus.ANNULLED, reason=reason, event="tender.annulled")


@transaction.atomic
def tender_amend_deadline(*, actor: Any, tender: Tender, changed_at: datetime | None = None) -> datetime:
    """Give bidders time after the bases change while bids are open; returns the bids deadline.

    When fewer than three working days remain, the deadline moves to the third working day after
    the change (same time of day); the opening moves with it when it was at the deadline, and an
    auction keeps its distance from the deadline. Locks the tender.
    """
    require_entity_officer(actor, tender.entity)
    tender = _lock(tender)
    changed_at = changed_at or clock.now()
    if tender.status not in BIDS_OPEN or tender.bids_due is None or tender.bids_due <= changed_at:
        raise RuleViolation(_("Bids are no longer open for this tender."), code="bids_closed")
    old = tender.bids_due
    new = amendment_deadline(
        changed_at=changed_at,
        bids_due=old,
        min_days=AMENDMENT_MIN_DAYS,
        unit="working",
        holidays=holidays_of(tender.procedure_type.jurisdiction),
    )
    if new == old:
        return old
    tender.bids_due = new
    if tender.opening_at == old:
        tender.opening_at = new
    if tender.auction_at is not None:
        tender.auction_at += new - old
    tender.next_check = _next_check(tender, clock.now())
    tender.save(update_fields=["bids_due", "opening_at", "auction_at", "next_check", "updated_at"])
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action="tender.deadline_extended",
        obj=tender,
        payload={"code": tender.code, "from": old, "to": new, "changed_at": changed_at},
    )
    logger.info("tender.deadline_extended", extra={"tender_id": tender.pk})
    return new
