"""Helpers for procurement tests: entities with officers, published plans, tender drafts."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from portal.accounts.enums import OrganisationKind, Role
from procurement.models import Holiday, ProcedureType
from procurement.services.plans import PlanLineData, plan_create, plan_publish
from procurement.services.tenders import ItemData, LotData, tender_create
from procurement.timeline import earliest_timeline
from tests.factories import OrganisationFactory, member

# Monday 6 July 2026, 09:00 in Lima: a working day with no holiday in the following weeks until the 23rd.
MONDAY_9AM = datetime(2026, 7, 6, 14, 0, tzinfo=UTC)


def entity_officer(entity=None):
    entity = entity or OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY)
    return member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER, organisation=entity)


def procedure(code: str = "adjudicacion-simplificada") -> ProcedureType:
    return ProcedureType.objects.get(jurisdiction="PE", code=code)


def line_data(**overrides) -> PlanLineData:
    values = {
        "description": "Computadoras de escritorio para las sedes regionales",
        "object": "goods",
        "procedure_type": procedure(),
        "unspsc_code": "43211500",
        "estimated_value": Decimal("250000.00"),
        "planned_month": 7,
    }
    values.update(overrides)
    return PlanLineData(**values)


def published_plan(officer, *, entity=None, fiscal_year: int = 2026, lines=None):
    entity = entity or officer.memberships.get().organisation
    plan = plan_create(actor=officer, entity=entity, fiscal_year=fiscal_year, lines=lines or [line_data()])
    return plan_publish(actor=officer, plan=plan)


def item_data(**overrides) -> ItemData:
    values = {
        "unspsc_code": "43211503",
        "description": "Computadora portátil de 14 pulgadas",
        "quantity": Decimal("40"),
        "unit": "C62",
        "delivery_place": "Almacén central, Av. Abancay 251, Lima",
        "region_code": "15",
    }
    values.update(overrides)
    return ItemData(**values)


def lot_data(**overrides) -> LotData:
    values = {"title": "Computadoras portátiles", "reference_value": Decimal("180000.00"), "items": [item_data()]}
    values.update(overrides)
    return LotData(**values)


def draft_tender(officer, *, plan=None, lots=None, currency: str = "PEN", title: str = "Adquisición de computadoras"):
    plan = plan or published_plan(officer)
    return tender_create(
        actor=officer,
        plan_line=plan.lines.get(number=1),
        title=title,
        description="Equipos para las sedes regionales",
        currency=currency,
        lots=lots or [lot_data()],
    )


def holidays() -> frozenset:
    return frozenset(Holiday.objects.filter(jurisdiction="PE").values_list("day", flat=True))


def earliest(published_at, code: str = "adjudicacion-simplificada"):
    return earliest_timeline(published_at, procedure(code).config, holidays())


def footprint() -> dict[str, int]:
    """How many rows a refused action must leave as they were."""
    from portal.audit.models import AuditEvent
    from portal.notifications.models import Notification
    from procurement.models import Item, Lot, Plan, PlanLine, Tender

    return {
        model.__name__: model.objects.count() for model in (Plan, PlanLine, Tender, Lot, Item, AuditEvent, Notification)
    }


def open_enquiries(tender):
    """Put a published tender in its enquiries stage, as the chronograph does when publication is
    over (the chronograph's own service is not used here: these tests are about what follows)."""
    from procurement.enums import TenderStatus
    from procurement.models import Tender

    Tender.objects.filter(pk=tender.pk, status=TenderStatus.PUBLISHED).update(status=TenderStatus.ENQUIRIES)
    tender.refresh_from_db()
    return tender


def participation_footprint(tender) -> dict:
    """What a refused participation action must leave as it was, the tender's status included."""
    from procurement.models import Participant, Question, Tender, TenderDocument

    counts = footprint()
    counts.update({model.__name__: model.objects.count() for model in (Participant, Question, TenderDocument)})
    counts["answered"] = Question.objects.filter(answered_at__isnull=False).count()
    counts["published"] = Question.objects.filter(published_at__isnull=False).count()
    counts["status"] = Tender.objects.get(pk=tender.pk).status
    return counts


def open_bidding(tender):
    """Put a published tender in its bid submission stage, as the chronograph does (not used here:
    these tests are about the bids)."""
    from procurement.enums import TenderStatus
    from procurement.models import Tender

    Tender.objects.filter(pk=tender.pk).update(status=TenderStatus.BIDDING)
    tender.refresh_from_db()
    return tender


def bid_footprint() -> dict:
    """What a refused bid action must leave as it was: bids (and their statuses), eligibility
    records, audit events and notifications."""
    from portal.audit.models import AuditEvent
    from portal.notifications.models import Notification
    from procurement.models import Bid
    from smeregistry.models import EligibilityRecord

    counts = {model.__name__: model.objects.count() for model in (Bid, EligibilityRecord, AuditEvent, Notification)}
    counts["bids"] = sorted(Bid.objects.values_list("pk", "status"))
    return counts


def two_item_lot(**overrides) -> LotData:
    """A lot of 40 laptops and 40 monitors (items 1 and 2)."""
    return lot_data(
        items=[item_data(), item_data(description="Monitor de 24 pulgadas", quantity=Decimal("40"))], **overrides
    )


def tender_in_bidding(officer, suppliers, *, lots=None, plan=None, code: str = "adjudicacion-simplificada"):
    """A published tender with ``suppliers`` registered as participants, now receiving bids.

    The chronogram is the procedure's earliest from MONDAY_9AM; the caller's frozen clock must stand
    there. ``code`` names the procedure type (the plan line gets it)."""
    from procurement.services.participation import participant_register
    from procurement.services.tenders import tender_publish, tender_set_timeline

    if plan is None and code != "adjudicacion-simplificada":
        plan = published_plan(officer, lines=[line_data(procedure_type=procedure(code))])
    tender = draft_tender(officer, plan=plan, lots=lots or [two_item_lot()])
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM, code))
    tender = tender_publish(actor=officer, tender=tender)
    for supplier in suppliers:
        participant_register(actor=supplier.owner, tender=tender, organisation=supplier.organisation)
    return open_bidding(tender)


def place_bid(supplier, lot, prices, *, key: str | None = None, technical=None):
    """``supplier`` bids ``prices`` ({item number: Decimal unit price}) for ``lot``."""
    from procurement.services.bids import bid_submit

    bid, _receipt = bid_submit(
        actor=supplier.owner,
        lot=lot,
        organisation=supplier.organisation,
        prices=prices,
        technical=technical if technical is not None else {"delivery_days": 15},
        idempotency_key=key or f"bid-{supplier.organisation.pk}-{lot.pk}",
    )
    return bid
