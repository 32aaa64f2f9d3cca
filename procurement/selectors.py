"""Read side of public procurement, scoped to the acting person.

Published tenders (anything past draft) are public; drafts are seen only by the members of the
entity that owns them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Membership
from portal.core.errors import NotFoundError
from procurement.enums import TenderStatus
from procurement.models import Bid, BidStatus, Lot, Question, Tender
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
