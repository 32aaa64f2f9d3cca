"""Sanctions (inhabilitaciones): recorded by the oversight body; in force is computed from dates."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Membership
from portal.audit.services import audit_record
from portal.core.errors import DomainError
from portal.notifications.services import notify
from smeregistry.models import Sanction, Supplier


def require_oversight(actor: Any) -> None:
    if getattr(actor, "is_superuser", False):
        return
    if not Membership.objects.filter(
        user_id=getattr(actor, "pk", None), organisation__kind=OrganisationKind.OVERSIGHT_BODY, role=Role.REVIEWER
    ).exists():
        raise PermissionDenied(_("Only the oversight body records sanctions."))


@transaction.atomic
def sanction_record(
    *, actor: Any, supplier: Supplier, starts_on: date, ends_on: date | None, reason: str, source: str
) -> Sanction:
    """Record a sanction. It applies from ``starts_on`` to ``ends_on`` inclusive (open-ended if None)."""
    require_oversight(actor)
    reason, source = (reason or "").strip(), (source or "").strip()
    if not reason:
        raise DomainError(_("Write the reason for the sanction."), code="required", field="reason")
    if not source:
        raise DomainError(_("Write the resolution that imposes the sanction."), code="required", field="source")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("A sanction cannot end before it starts."), code="invalid_period", field="ends_on")
    sanction = Sanction.objects.create(
        supplier=supplier,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason[:500],
        source=source[:200],
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        organisation=supplier.organisation_id,
        action="sanction.recorded",
        obj=sanction,
        payload={"ruc": supplier.ruc, "starts_on": starts_on, "ends_on": ends_on, "source": source},
    )
    from smeregistry.services.suppliers import _representatives

    notify(
        "sanction.recorded",
        _representatives(supplier),
        {"legal_name": supplier.legal_name, "starts_on": starts_on, "ends_on": ends_on, "source": source},
        key=f"sanction:{sanction.pk}",
        url=reverse("supplier-profile", args=[supplier.ruc]),
    )
    return sanction


def sanctions_in_force(*, supplier_ids, on: date) -> dict[int, list[Sanction]]:
    """The sanctions that apply on ``on``, by supplier id."""
    from django.db.models import Q

    found: dict[int, list[Sanction]] = {}
    rows = Sanction.objects.filter(supplier_id__in=list(supplier_ids), starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )
    for sanction in rows:
        found.setdefault(sanction.supplier_id, []).append(sanction)
    return found
