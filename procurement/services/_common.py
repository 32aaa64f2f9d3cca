"""What the procurement services share: who may act for an entity, and the holiday calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Membership, Organisation, User
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
        raise PermissionDenied(_("Only the oversight body annuls a procurement process."))


def entity_officers(entity: Organisation):
    """The people who run the entity's procurement (they hear about its processes' exits)."""
    return User.objects.filter(
        memberships__organisation=entity, memberships__role=Role.PROCUREMENT_OFFICER, is_active=True
    ).distinct()


def holidays_of(jurisdiction: str) -> frozenset[date]:
    return frozenset(Holiday.objects.filter(jurisdiction=jurisdiction).values_list("day", flat=True))
