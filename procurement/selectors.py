"""Read side of public procurement, scoped to the acting person.

Published tenders (anything past draft) are public; drafts are seen only by the members of the
entity that owns them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Membership
from portal.core.errors import NotFoundError
from procurement.enums import TenderStatus
from procurement.models import Tender


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
