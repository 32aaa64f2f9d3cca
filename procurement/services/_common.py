"""What the procurement services share: who may act for an entity, and the holiday calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Membership, Organisation, User
from portal.accounts.selectors import spokespeople_of
from portal.accounts.services import require_role
from procurement.models import Holiday

OFFICER_ROLES = frozenset({Role.PROCUREMENT_OFFICER, Role.ADMINISTRATOR})


def require_entity_officer(actor: Any, entity: Organisation) -> None:
    """Raise PermissionDenied unless ``actor`` is a procurement officer or administrator of ``entity``,
    a contracting entity."""
    if entity.kind != OrganisationKind.CONTRACTING_ENTITY:
        raise PermissionDenied(_("Only contracting entities plan and run procurement."))
    require_role(actor, entity, OFFICER_ROLES)


def require_oversight_reviewer(actor: Any) -> None:
    """Raise PermissionDenied unless ``actor`` is a reviewer of the oversight body."""
    if (
        not getattr(actor, "is_authenticated", False)
        or not Membership.objects.filter(
            user_id=actor.pk,
            organisation__kind=OrganisationKind.OVERSIGHT_BODY,
            organisation__is_active=True,
            role=Role.REVIEWER,
        ).exists()
    ):
        raise PermissionDenied(_("Only a reviewer of the oversight body may do this."))


def entity_officers(entity: Organisation):
    """The people who run the entity's procurement (they hear about its processes' exits)."""
    return User.objects.filter(
        memberships__organisation=entity, memberships__role=Role.PROCUREMENT_OFFICER, is_active=True
    ).distinct()


def entity_staff(entity: Organisation):
    """The entity's officers and its evaluation committee: they hear of the opening and of appeals."""
    return User.objects.filter(
        memberships__organisation=entity,
        memberships__role__in=[Role.PROCUREMENT_OFFICER, Role.EVALUATOR],
        is_active=True,
    ).distinct()


def participants_people(tender) -> list[User]:
    """The people who speak for the tender's participants: they hear of every act of the process."""
    from procurement.models import Participant

    organisations = list(Participant.objects.filter(tender=tender).values_list("organisation_id", flat=True))
    return list(spokespeople_of(organisation_ids=organisations)) if organisations else []


def bidders_people(lot_or_tender) -> list[User]:
    """The people who speak for the organisations with a live (or opened) bid in a lot or tender."""
    from procurement.models import Bid, BidStatus, Lot

    bids = Bid.objects.filter(status=BidStatus.SUBMITTED)
    bids = bids.filter(lot=lot_or_tender) if isinstance(lot_or_tender, Lot) else bids.filter(lot__tender=lot_or_tender)
    organisations = list(bids.values_list("participant__organisation_id", flat=True).distinct())
    return list(spokespeople_of(organisation_ids=organisations)) if organisations else []


def tender_url(tender) -> str:
    """The public page of a tender, for notifications' links."""
    try:
        return reverse("tender-detail", args=[tender.pk])
    except NoReverseMatch:  # the pages are not installed (an API-only deployment)
        return ""


def holidays_of(jurisdiction: str) -> frozenset[date]:
    return frozenset(Holiday.objects.filter(jurisdiction=jurisdiction).values_list("day", flat=True))
