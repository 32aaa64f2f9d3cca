"""Read side of public procurement, scoped to the acting person.

Published tenders (anything past draft) are public; drafts are seen only by the members of the
entity that owns them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Membership, Organisation
from portal.accounts.services import require_role
from portal.audit.models import AuditEvent
from portal.core.errors import NotFoundError
from procurement.enums import AuctionStatus, PlanStatus, TenderStatus
from procurement.models import (
    Appeal,
    Award,
    Bid,
    BidStatus,
    Contract,
    Item,
    Lot,
    LotScore,
    Participant,
    Plan,
    PlanLine,
    ProcedureType,
    Question,
    Tender,
    TenderDocument,
)
from procurement.services._common import OFFICER_ROLES, require_entity_officer
from procurement.services.bids import SUPPLIER_ROLES
from smeregistry.selectors import supplier_for_organisation
from smeregistry.sizing import category_prefixes, significant_prefix


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


# --- Pages: the public search, a supplier's opportunities and its own bids ----------------------------

# From the call for tender until bids are due, a supplier may still join a process.
OPEN_FOR_PARTICIPATION = (
    TenderStatus.PUBLISHED,
    TenderStatus.ENQUIRIES,
    TenderStatus.INTEGRATED_BASES,
    TenderStatus.BIDDING,
)


def _items_in_category(code: str) -> Q:
    """Items of a UNSPSC category at any level: the codes under it, and the wider codes that contain it
    (an item bought as "43210000" is also a computer purchase for someone searching 43211503)."""
    wider = [prefix.ljust(8, "0") for prefix in category_prefixes(code)[:-1]]
    return Q(unspsc_code__startswith=significant_prefix(code)) | Q(unspsc_code__in=wider)


def tender_search(
    *,
    actor: Any,
    text: str | None = None,
    entity: str | None = None,
    procedure_type_id: int | None = None,
    procurement_object: str | None = None,
    status: str | None = None,
    region_code: str | None = None,
    category_code: str | None = None,
    published_from: datetime | None = None,
    published_before: datetime | None = None,
    amount_min: Any = None,
    amount_max: Any = None,
) -> QuerySet[Tender]:
    """The tenders ``actor`` may see that match every criterion given, the latest published first.

    ``text`` is part of the code or title; ``entity`` part of the entity's name or its RUC; the
    region and the category are those of the tender's items (a category at any level, as typed in
    the registry: 8 digits); the publication range is ``[published_from, published_before)``."""
    rows = tenders_visible_to(actor=actor)
    if text:
        rows = rows.filter(Q(code__icontains=text.strip()) | Q(title__icontains=text.strip()))
    if entity:
        rows = rows.filter(Q(entity__name__icontains=entity.strip()) | Q(entity__tax_id=entity.strip()))
    if procedure_type_id:
        rows = rows.filter(procedure_type_id=procedure_type_id)
    if procurement_object:
        rows = rows.filter(object=procurement_object)
    if status:
        rows = rows.filter(status=status)
    if region_code or category_code:
        items = Item.objects.filter(lot__tender=OuterRef("pk"))
        if region_code:
            items = items.filter(region_code=region_code)
        if category_code:
            items = items.filter(_items_in_category(category_code))
        rows = rows.filter(Exists(items))
    if published_from is not None:
        rows = rows.filter(published_at__gte=published_from)
    if published_before is not None:
        rows = rows.filter(published_at__lt=published_before)
    if amount_min is not None:
        rows = rows.filter(reference_value__gte=amount_min)
    if amount_max is not None:
        rows = rows.filter(reference_value__lte=amount_max)
    return rows.order_by(F("published_at").desc(nulls_first=True), "-pk")


def tender_opportunities(*, actor: Any, organisation: Organisation, now: datetime, region_only: bool = True):
    """Published tenders still open to participation (bids not yet due at ``now``) with an item in one
    of the supplier's registered categories and, when ``region_only``, delivered in its region; the
    nearest deadline first. Empty for an organisation that is not in the registry.

    ``actor`` represents ``organisation`` (PermissionDenied otherwise)."""
    require_role(actor, organisation, SUPPLIER_ROLES)
    supplier = supplier_for_organisation(organisation_id=organisation.pk)
    prefixes = list(supplier.category_links.values_list("prefix", flat=True)) if supplier else []
    if not prefixes:
        return Tender.objects.none()
    covered = Q()
    for prefix in prefixes:
        covered |= _items_in_category(prefix.ljust(8, "0"))
    items = Item.objects.filter(lot__tender=OuterRef("pk")).filter(covered)
    if region_only:
        items = items.filter(region_code=supplier.region.code)
    return (
        Tender.objects.select_related("entity", "procedure_type")
        .filter(status__in=OPEN_FOR_PARTICIPATION, bids_due__gt=now)
        .filter(Exists(items))
        .order_by("bids_due", "pk")
    )


def tender_lots(*, tender: Tender) -> QuerySet[Lot]:
    """The lots of a tender the caller may see, with their items (public with the tender)."""
    return Lot.objects.filter(tender=tender).prefetch_related(Prefetch("items", Item.objects.order_by("number")))


def tender_documents(*, tender: Tender) -> QuerySet[TenderDocument]:
    """The published documents of a tender, bases first, every version (public with the tender)."""
    return TenderDocument.objects.filter(tender=tender, published_at__isnull=False).order_by("kind", "version")


def tender_document_get(*, actor: Any, tender_id: int, document_id: int) -> TenderDocument:
    """A published document of a tender ``actor`` may see; "not found" otherwise."""
    tender = tender_get_for_actor(actor=actor, tender_id=tender_id)
    document = tender_documents(tender=tender).filter(pk=document_id).first()
    if document is None:
        raise NotFoundError(_("No such document."), code="document_not_found")
    return document


def tender_participant_count(*, tender: Tender) -> int:
    """How many suppliers registered as participants (public, as in SEACE; never who)."""
    return Participant.objects.filter(tender=tender).count()


def participant_of(*, tender: Tender, organisation: Organisation | None) -> Participant | None:
    """``organisation``'s participation in ``tender``, if any (the caller acts for it)."""
    if organisation is None:
        return None
    return Participant.objects.filter(tender=tender, organisation=organisation).first()


def tender_exit_from(*, tender: Tender) -> str | None:
    """The status a tender was in when it left its regular path (cancelled, annulled, void), as its
    audit trail records it; None when the trail does not say."""
    return (
        AuditEvent.objects.filter(
            object_type=Tender._meta.label_lower, object_id=str(tender.pk), payload__from__in=TenderStatus.values
        )
        .order_by("-pk")
        .values_list("payload__from", flat=True)
        .first()
    )


def bids_of_organisation(*, actor: Any, organisation: Organisation) -> QuerySet:
    """Every bid of a supplier organisation, newest first, as rows of receipt facts (never content).

    ``actor`` represents ``organisation`` (PermissionDenied otherwise)."""
    require_role(actor, organisation, SUPPLIER_ROLES)
    return (
        Bid.objects.filter(participant__organisation=organisation)
        .order_by("-received_at", "-pk")
        .values(
            "pk",
            "status",
            "received_at",
            "digest",
            "lot__number",
            "lot__tender_id",
            "lot__tender__code",
            "lot__tender__title",
            "lot__tender__status",
            "lot__tender__bids_due",
            "lot__tender__opened_at",
        )
    )


def own_bid_get(*, actor: Any, organisation: Organisation, bid_id: int) -> Bid:
    """One of ``organisation``'s bids, for an action on it (its sealed content is not read);
    "not found" unless ``actor`` represents the organisation and the bid is its own."""
    if not roles_for_supplier(actor, organisation):
        raise NotFoundError(_("No such bid."), code="bid_not_found")
    bid = (
        Bid.objects.defer("sealed")
        .select_related("lot__tender")
        .filter(pk=bid_id, participant__organisation=organisation)
        .first()
    )
    if bid is None:
        raise NotFoundError(_("No such bid."), code="bid_not_found")
    return bid


def roles_for_supplier(actor: Any, organisation: Organisation | None) -> bool:
    """Whether ``actor`` speaks for ``organisation``, a supplier (representative or administrator)."""
    from portal.accounts.selectors import roles_for

    return bool(
        organisation is not None
        and organisation.kind == OrganisationKind.SUPPLIER
        and roles_for(actor, organisation) & SUPPLIER_ROLES
    )


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


# --- The API: plans for everyone, and the objects an integrator names by id ----------------------------


def _own_entity_drafts(actor: Any, entity_field: str) -> Q:
    """The rows of the contracting entities ``actor`` belongs to (a person's memberships, or the entity
    a token acts for): their drafts are visible to them. Empty for anyone else."""
    if getattr(actor, "token", None) is not None:
        if actor.organisation.kind == OrganisationKind.CONTRACTING_ENTITY:
            return Q(**{entity_field: actor.organisation.pk})
        return Q(pk__in=[])
    if not getattr(actor, "is_authenticated", False):
        return Q(pk__in=[])
    own = Membership.objects.filter(
        user_id=actor.pk, organisation__kind=OrganisationKind.CONTRACTING_ENTITY, organisation__is_active=True
    ).values("organisation_id")
    return Q(**{f"{entity_field}__in": own})


def plans_visible_to(*, actor: Any) -> QuerySet[Plan]:
    """Every plan version ``actor`` may see: published and superseded ones (a plan's history is
    public) and, for an entity's members, its drafts. Latest year and version first, lines prefetched."""
    public = Q(status__in=[PlanStatus.PUBLISHED, PlanStatus.SUPERSEDED])
    return (
        Plan.objects.select_related("entity")
        .filter(public | _own_entity_drafts(actor, "entity_id"))
        .prefetch_related(
            Prefetch("lines", queryset=PlanLine.objects.select_related("procedure_type").order_by("number"))
        )
        .order_by("-fiscal_year", "entity__name", "-version", "pk")
    )


def plan_get_for_actor(*, actor: Any, plan_id: int) -> Plan:
    """The plan version, if ``actor`` may see it; otherwise "not found" (a draft's existence is not leaked)."""
    plan = plans_visible_to(actor=actor).filter(pk=plan_id).first()
    if plan is None:
        raise NotFoundError(_("No such plan."), code="plan_not_found")
    return plan


def plan_line_get_for_actor(*, actor: Any, plan_line_id: int) -> PlanLine:
    """A line of a plan version ``actor`` may see; otherwise "not found"."""
    line = (
        PlanLine.objects.select_related("plan__entity", "procedure_type")
        .filter(pk=plan_line_id, plan__in=plans_visible_to(actor=actor).values("pk"))
        .first()
    )
    if line is None:
        raise NotFoundError(_("No such plan line."), code="plan_line_not_found")
    return line


def lot_get_for_actor(*, actor: Any, lot_id: int) -> Lot:
    """A lot of a tender ``actor`` may see; otherwise "not found" (nothing of its bids is read).

    A published tender's lot is public, which settles the common case (a bid at the deadline) with one
    plain query; a draft's lot asks the visibility rule."""
    lot = Lot.objects.select_related("tender__entity", "tender__procedure_type").filter(pk=lot_id).order_by().first()
    if lot is None or (
        lot.tender.status == TenderStatus.DRAFT
        and not tenders_visible_to(actor=actor).filter(pk=lot.tender_id).exists()
    ):
        raise NotFoundError(_("No such lot."), code="lot_not_found")
    return lot


def question_get_for_officer(*, actor: Any, question_id: int) -> Question:
    """A question, for the officers of the entity whose tender it is about; "not found" for anyone else:
    an unpublished question (and who asked it) is the entity's business only."""
    question = None
    if getattr(actor, "is_authenticated", False) and getattr(actor, "token", None) is None:
        officer_of = Membership.objects.filter(
            user_id=actor.pk, role__in=list(OFFICER_ROLES), organisation__is_active=True
        ).values("organisation_id")
        question = (
            Question.objects.select_related("tender__entity", "lot", "participant__organisation")
            .filter(pk=question_id, tender__entity_id__in=officer_of)
            .first()
        )
    if question is None:
        raise NotFoundError(_("No such question."), code="question_not_found")
    return question


# --- Performance -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Performance:
    """The entities' evaluations of a supplier's completed contracts (public, on its profile)."""

    contracts: list
    count: int
    average: Decimal | None


def supplier_performance(*, organisation_id: int, limit: int = 50) -> Performance:
    """The latest evaluated contracts of a supplier and its average rating (to one decimal)."""
    from procurement.enums import ContractStatus
    from procurement.models import Contract

    completed = Contract.objects.filter(supplier_id=organisation_id, status=ContractStatus.COMPLETED)
    summary = completed.aggregate(count=Count("pk"), average=Avg("rating"))
    average = summary["average"]
    return Performance(
        contracts=list(completed.select_related("tender__entity").order_by("-completed_at", "-pk")[:limit]),
        count=summary["count"],
        average=Decimal(str(average)).quantize(Decimal("0.1")) if average is not None else None,
    )


# --- Results: the opening record, score sheets, awards, appeals and contracts (public) ---------------


def opened_bids(*, tender: Tender) -> QuerySet[Bid]:
    """The live bids of ``tender`` that the opening has read, by lot and time of receipt, their sealed
    box deferred. The one definition of which bids may be shown with their bidder and price: a bid not
    opened is never selected, so nothing built on this can show a sealed bid."""
    return (
        Bid.objects.filter(lot__tender=tender, status=BidStatus.SUBMITTED, opened_at__isnull=False)
        .defer("sealed")
        .order_by("lot__number", "received_at", "pk")
    )


# A lot's auction still to be decided: who bid, and at what price, is not published yet.
AUCTION_IN_PROGRESS = (AuctionStatus.SCHEDULED, AuctionStatus.RUNNING, AuctionStatus.NEGOTIATION)


def public_opened_bids(*, tender: Tender) -> QuerySet[Bid]:
    """The opened bids anyone may see with their bidder and price: ``opened_bids`` less those of a
    lot whose reverse auction is not over. In a subasta the opening precedes the auction, and
    during it no bidder may learn who the others are or what they offered (the auction's own board
    shows each bidder only the best price and its own); the ranking and the log come out at the
    close, and with them the opening record."""
    return opened_bids(tender=tender).exclude(lot__auction__status__in=AUCTION_IN_PROGRESS)


def score_sheets(*, tender: Tender | None = None, lot_id: int | None = None) -> dict[int, list[tuple[int, list]]]:
    """The published score sheets of a tender's lots (or of one lot): {lot id: [(round, rows)]}, the
    latest round first and, in a round, the ranked rows first. Public once the award is published."""
    rows = LotScore.objects.all()
    rows = rows.filter(lot__tender=tender) if tender is not None else rows.filter(lot_id=lot_id)
    sheets: dict[int, dict[int, list[LotScore]]] = {}
    for row in rows.order_by("lot__number", "-round", F("rank").asc(nulls_last=True), "pk"):
        sheets.setdefault(row.lot_id, {}).setdefault(row.round, []).append(row)
    return {lot: list(rounds.items()) for lot, rounds in sheets.items()}


@dataclass(frozen=True)
class OpenedBid:
    """A line of the opening record: who bid, the total read at the opening, when it came, its digest."""

    lot_id: int
    organisation_id: int
    bidder_name: str
    bidder_ruc: str
    price_total: Decimal | None
    received_at: datetime
    digest: str


def opening_record(*, tender: Tender) -> dict[int, list[OpenedBid]]:
    """The opening record of ``tender`` ({lot id: bids in order of receipt}), public once the bids
    are opened (a lot in a reverse auction: once its auction is over); empty before. Only bids the
    opening read are selected (``opened_at`` set), and only these columns: a sealed bid's content or
    bidder cannot reach a page through here."""
    if tender.opened_at is None:
        return {}
    rows = public_opened_bids(tender=tender).values_list(
        "lot_id",
        "participant__organisation_id",
        "participant__organisation__name",
        "participant__organisation__tax_id",
        "price_total",
        "received_at",
        "digest",
    )
    record: dict[int, list[OpenedBid]] = {}
    for row in rows:
        bid = OpenedBid(*row)
        record.setdefault(bid.lot_id, []).append(bid)
    return record


@dataclass(frozen=True)
class AwardLine:
    lot_id: int
    round: int
    supplier_name: str
    supplier_ruc: str
    amount: Decimal
    currency: str
    status: str


@dataclass(frozen=True)
class AppealLine:
    pk: int
    lot_number: int
    appellant_id: int
    appellant_name: str
    grounds: str
    filed_at: datetime
    fee: Decimal
    currency: str
    status: str
    resolution: str
    resolved_at: datetime | None


@dataclass(frozen=True)
class ContractLine:
    pk: int
    number: str
    lot_number: int
    supplier_id: int
    supplier_name: str
    amount: Decimal
    currency: str
    status: str
    entity_signed_at: datetime | None
    supplier_signed_at: datetime | None
    signed_at: datetime | None
    completed_at: datetime | None
    rating: int | None
    performance_comment: str


@dataclass(frozen=True)
class TenderResults:
    """What the award and what followed published: each lot's score sheets ({lot id: [(round, lines)]},
    latest round first), the awards, the appeals and the contracts."""

    sheets: dict[int, list[tuple[int, list[LotScore]]]]
    awards: list[AwardLine]
    appeals: list[AppealLine]
    contracts: list[ContractLine]


def tender_results(*, tender: Tender) -> TenderResults:
    """The public results of ``tender`` in four queries, whatever its number of lots and bids; none
    before the first award (the lottery seed is drawn then), when there is nothing to read."""
    if not tender.lottery_seed:
        return TenderResults(sheets={}, awards=[], appeals=[], contracts=[])
    awards = [
        AwardLine(*row)
        for row in Award.objects.filter(lot__tender=tender)
        .order_by("lot__number", "round", "pk")
        .values_list("lot_id", "round", "supplier__name", "supplier__tax_id", "amount", "currency", "status")
    ]
    appeals = [
        AppealLine(*row)
        for row in Appeal.objects.filter(tender=tender)
        .order_by("filed_at", "pk")
        .values_list(
            "pk",
            "lot__number",
            "appellant_id",
            "appellant__name",
            "grounds",
            "filed_at",
            "fee",
            "currency",
            "status",
            "resolution",
            "resolved_at",
        )
    ]
    contracts = [
        ContractLine(*row)
        for row in Contract.objects.filter(tender=tender)
        .order_by("number")
        .values_list(
            "pk",
            "number",
            "award__lot__number",
            "supplier_id",
            "supplier__name",
            "amount",
            "currency",
            "status",
            "entity_signed_at",
            "supplier_signed_at",
            "signed_at",
            "completed_at",
            "rating",
            "performance_comment",
        )
    ]
    return TenderResults(
        sheets=score_sheets(tender=tender),
        awards=awards,
        appeals=appeals,
        contracts=contracts,
    )


def tender_contract_get(*, tender: Tender, contract_id: int) -> Contract:
    """A contract of ``tender`` (contracts are public with the tender); "not found" otherwise."""
    contract = Contract.objects.filter(tender=tender, pk=contract_id).first()
    if contract is None:
        raise NotFoundError(_("No such contract."), code="contract_not_found")
    return contract


# --- Acts after the bids: the rows an act is about, if the actor may see them --------------------------


def _visible_tender_ids(actor: Any):
    return tenders_visible_to(actor=actor).order_by().values("pk")


def opened_bid_get(*, actor: Any, bid_id: int) -> Bid:
    """An opened, live bid of a tender ``actor`` may see; "not found" for a bid still sealed (its existence
    is not leaked), withdrawn or replaced. Its sealed box is not read."""
    bid = (
        Bid.objects.defer("sealed")
        .filter(
            pk=bid_id, status=BidStatus.SUBMITTED, opened_at__isnull=False, lot__tender__in=_visible_tender_ids(actor)
        )
        .first()
    )
    if bid is None:
        raise NotFoundError(_("No such bid."), code="bid_not_found")
    return bid


def appeal_get(*, actor: Any, appeal_id: int) -> Appeal:
    """An appeal (a public act, on a process that was awarded); "not found" otherwise."""
    appeal = (
        Appeal.objects.select_related("appellant", "lot")
        .filter(pk=appeal_id, tender__in=_visible_tender_ids(actor))
        .first()
    )
    if appeal is None:
        raise NotFoundError(_("No such appeal."), code="appeal_not_found")
    return appeal


def contract_get(*, actor: Any, contract_id: int) -> Contract:
    """A contract (public with the results of its process); "not found" otherwise."""
    contract = (
        Contract.objects.select_related("supplier", "award__lot")
        .filter(pk=contract_id, tender__in=_visible_tender_ids(actor))
        .first()
    )
    if contract is None:
        raise NotFoundError(_("No such contract."), code="contract_not_found")
    return contract
