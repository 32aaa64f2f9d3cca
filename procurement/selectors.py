"""Read side of public procurement, scoped to the acting person.

Published tenders (anything past draft) are public; drafts are seen only by the members of the
entity that owns them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Membership, Organisation
from portal.core.errors import NotFoundError
from procurement.enums import PlanStatus, TenderStatus
from procurement.models import (
    Bid,
    BidStatus,
    Item,
    Lot,
    Plan,
    PlanLine,
    ProcedureType,
    Question,
    Tender,
    TenderDocument,
)
from procurement.services._common import OFFICER_ROLES, require_entity_officer
from procurement.services.bids import SUPPLIER_ROLES


def tenders_visible_to(*, actor: Any) -> QuerySet[Tender]:
    """Every tender ``actor`` may see: the public ones and, for an entity's members, its drafts."""
    rows = Tender.objects.select_related("entity", "procedure_type")
    visible = ~Q(status=TenderStatus.DRAFT)
    if getattr(actor, "is_authenticated", False) and getattr(actor, "token", None) is None:
        own = Membership.objects.filter(
            user_id=actor.pk, organisation__kind=OrganisationKind.CONTRACTING_ENTITY, organisation__is_active=True
        ).values("organisation_id")
        visible |= Q(entity_id__in=own)
    elif getattr(actor, "token", None) is not None and actor.organisation.kind == OrganisationKind.CONTRACTING_ENTITY:
        visible |= Q(entity_id=actor.organisation.pk)
    return rows.filter(visible).order_by("-created_at", "-pk")


def tender_get_for_actor(*, actor: Any, tender_id: int) -> Tender:
    """The tender, if ``actor`` may see it; otherwise "not found" (a draft's existence is not leaked)."""
    tender = tenders_visible_to(actor=actor).filter(pk=tender_id).first()
    if tender is None:
        raise NotFoundError(_("No such tender."), code="tender_not_found")
    return tender


# --- Questions and observations ---------------------------------------------------------------------


@dataclass(frozen=True)
class PublishedQuestion:
    """A published question and its answer, as everyone reads it: who asked is not part of it."""

    number: int
    kind: str
    lot_number: int | None
    text: str
    answer: str
    published_at: datetime


def published_questions(*, tender: Tender) -> list[PublishedQuestion]:
    """The published questions and answers of a tender, in the order they were asked (public).

    Only these columns are read, so nothing about the participant can leak through a template."""
    rows = (
        Question.objects.filter(tender=tender, published_at__isnull=False)
        .order_by("asked_at", "pk")
        .values_list("kind", "lot__number", "text", "answer", "published_at")
    )
    return [
        PublishedQuestion(number=index, kind=kind, lot_number=lot, text=text, answer=answer, published_at=when)
        for index, (kind, lot, text, answer, when) in enumerate(rows, start=1)
    ]


def questions_for_officer(*, actor: Any, tender: Tender) -> QuerySet[Question]:
    """Every question of a tender, answered or not, with who asked: the entity's officers only."""
    require_entity_officer(actor, tender.entity)
    return (
        Question.objects.filter(tender=tender)
        .select_related("lot", "participant__organisation", "answered_by")
        .order_by("asked_at", "pk")
    )


# --- Sealed bids -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LotBidCount:
    """How many live bids a lot has: all the entity learns before the opening."""

    lot_number: int
    live_bids: int


@dataclass(frozen=True)
class OwnBid:
    """One of the actor's own bids, as its receipt describes it (never its content)."""

    bid_id: int
    lot_number: int
    status: str
    received_at: datetime
    digest: str


@dataclass(frozen=True)
class BidsView:
    counts: list[LotBidCount]
    own: list[OwnBid]


def bids_visible_to(*, actor: Any, tender: Tender) -> BidsView:
    """What ``actor`` may know of the bids of ``tender`` before the opening.

    The entity's officers: the number of live bids per lot, never who bid. A bidder: its own bids
    (status, time, digest). Anyone else, other bidders included: nothing. No bid content is read:
    only the columns named here are selected, and ``sealed`` is never one of them.
    """
    if not getattr(actor, "is_authenticated", False) or getattr(actor, "token", None) is not None:
        return BidsView(counts=[], own=[])
    counts: list[LotBidCount] = []
    if Membership.objects.filter(
        user_id=actor.pk, organisation_id=tender.entity_id, role__in=list(OFFICER_ROLES)
    ).exists():
        rows = (
            Lot.objects.filter(tender=tender)
            .annotate(live=Count("bids", filter=Q(bids__status=BidStatus.SUBMITTED)))
            .order_by("number")
            .values_list("number", "live")
        )
        counts = [LotBidCount(lot_number=number, live_bids=live) for number, live in rows]
    mine = Membership.objects.filter(user_id=actor.pk, role__in=list(SUPPLIER_ROLES)).values("organisation_id")
    own = [
        OwnBid(bid_id=pk, lot_number=lot, status=status, received_at=when, digest=digest)
        for pk, lot, status, when, digest in Bid.objects.filter(
            lot__tender=tender, participant__organisation_id__in=mine
        )
        .order_by("lot__number", "received_at", "pk")
        .values_list("pk", "lot__number", "status", "received_at", "digest")
    ]
    return BidsView(counts=counts, own=own)


# --- The entity's officers: plans, tenders and what waits for them -----------------------------------


def officer_plans(*, actor: Any, entity: Organisation) -> QuerySet[Plan]:
    """Every version of the entity's plans, latest year and version first, with their line count and
    estimated total: the entity's officers only."""
    require_entity_officer(actor, entity)
    return (
        Plan.objects.filter(entity=entity)
        .annotate(line_count=Count("lines"), estimated_total=Sum("lines__estimated_value"))
        .order_by("-fiscal_year", "-version")
    )


def officer_plan_get(*, actor: Any, plan_id: int) -> Plan:
    """A plan version for its entity's officers. A draft of an entity the actor is not a member of is
    "not found" (its existence is not leaked); a published plan of another entity is forbidden."""
    plan = Plan.objects.select_related("entity").filter(pk=plan_id).first()
    member = (
        plan is not None
        and getattr(actor, "is_authenticated", False)
        and Membership.objects.filter(user_id=actor.pk, organisation_id=plan.entity_id).exists()
    )
    if plan is None or (plan.status == PlanStatus.DRAFT and not member):
        raise NotFoundError(_("No such plan."), code="plan_not_found")
    require_entity_officer(actor, plan.entity)
    return plan


def officer_plan_lines(*, plan: Plan) -> QuerySet[PlanLine]:
    """The lines of a plan version the caller may see, in their order."""
    return PlanLine.objects.filter(plan=plan).select_related("procedure_type").order_by("number")


def officer_plan_lines_for_tenders(*, actor: Any, entity: Organisation) -> QuerySet[PlanLine]:
    """The lines of the entity's published plans: what a tender may be drafted from."""
    require_entity_officer(actor, entity)
    return (
        PlanLine.objects.filter(plan__entity=entity, plan__status=PlanStatus.PUBLISHED)
        .select_related("plan", "procedure_type")
        .order_by("-plan__fiscal_year", "number")
    )


def officer_tenders(*, actor: Any, entity: Organisation) -> QuerySet[Tender]:
    """Every tender of the entity, newest first, with how many questions it has and how many are not
    answered yet: the entity's officers only. Nothing about bids."""
    require_entity_officer(actor, entity)
    return (
        Tender.objects.filter(entity=entity)
        .select_related("procedure_type")
        .annotate(
            question_count=Count("questions", distinct=True),
            unanswered_count=Count("questions", filter=Q(questions__answered_at__isnull=True), distinct=True),
        )
        .order_by("-created_at", "-pk")
    )


def officer_tender_get(*, actor: Any, tender_id: int) -> Tender:
    """A tender for its entity's officers: "not found" when the actor may not see it (another entity's
    draft), forbidden when it is visible but not the actor's to run."""
    tender = tender_get_for_actor(actor=actor, tender_id=tender_id)
    require_entity_officer(actor, tender.entity)
    return tender


def officer_tender_lots(*, tender: Tender) -> QuerySet[Lot]:
    """The lots of a tender with their items, in order (no bids)."""
    return (
        Lot.objects.filter(tender=tender)
        .prefetch_related(Prefetch("items", queryset=Item.objects.order_by("number")))
        .order_by("number")
    )


def officer_tender_documents(*, tender: Tender) -> QuerySet[TenderDocument]:
    """Every document of a tender, by kind and version (published or not: the entity sees its own)."""
    return TenderDocument.objects.filter(tender=tender).order_by("kind", "version")


def procedure_types_in_force(*, jurisdiction: str) -> QuerySet[ProcedureType]:
    return ProcedureType.objects.filter(jurisdiction=jurisdiction, is_active=True).order_by("name")


def delivery_regions(*, country: str) -> list[tuple[str, str]]:
    """(code, name) of the regions items are delivered to, by name (the registry's reference data)."""
    from smeregistry.models import Region

    return list(Region.objects.filter(country=country).order_by("name").values_list("code", "name"))
