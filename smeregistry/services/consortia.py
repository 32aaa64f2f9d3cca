"""Consortia: registered suppliers bidding together."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import Membership
from portal.accounts.selectors import SUPPLIER_SPOKESPEOPLE
from portal.audit.services import audit_record
from portal.core.errors import DomainError, RuleViolation
from smeregistry.enums import SupplierStatus
from smeregistry.models import Consortium, ConsortiumMember, Supplier


@transaction.atomic
def consortium_create(*, actor: Any, name: str, members: Sequence[tuple[Supplier, Any]]) -> Consortium:
    """Form a consortium of two or more active suppliers whose participations add up to exactly 100%.

    The actor represents the first member, which leads the consortium.
    """
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the consortium a name."), code="required", field="name")
    if len(members) < 2:
        raise DomainError(_("A consortium has two or more members."), code="too_few_members", field="members")
    suppliers = [supplier for supplier, _share in members]
    if len({supplier.pk for supplier in suppliers}) != len(suppliers):
        raise DomainError(_("A supplier can be a member only once."), code="duplicate_member", field="members")
    lead = suppliers[0]
    if not Membership.objects.filter(
        user_id=getattr(actor, "pk", None),
        organisation_id=lead.organisation_id,
        role__in=SUPPLIER_SPOKESPEOPLE,
    ).exists():
        raise PermissionDenied(_("Only a representative of the leading member can form the consortium."))
    shares: list[Decimal] = []
    for _supplier, share in members:
        try:
            value = Decimal(str(share))
        except (InvalidOperation, ValueError):
            raise DomainError(
                _("Participations are percentages, e.g. 60.00."), code="invalid_share", field="members"
            ) from None
        if not value.is_finite() or value <= 0 or value > 100 or value != value.quantize(Decimal("0.01")):
            raise DomainError(
                _("Each participation is more than 0% and at most 100%, with at most two decimals."),
                code="invalid_share",
                field="members",
            )
        shares.append(value)
    if sum(shares) != Decimal("100"):
        raise DomainError(
            _("The participations add up to %(total)s%%; they must add up to exactly 100%%.") % {"total": sum(shares)},
            code="shares_not_100",
            field="members",
        )
    inactive = [
        s.legal_name
        for s in Supplier.objects.filter(pk__in=[s.pk for s in suppliers]).exclude(status=SupplierStatus.ACTIVE)
    ]
    if inactive:
        raise RuleViolation(
            _("These members have no active registration: %(names)s.") % {"names": ", ".join(sorted(inactive))},
            code="member_inactive",
            field="members",
        )
    consortium = Consortium.objects.create(name=name[:200], lead=lead, created_by=actor)
    ConsortiumMember.objects.bulk_create(
        [
            ConsortiumMember(consortium=consortium, supplier=supplier, participation=share)
            for supplier, share in zip(suppliers, shares, strict=True)
        ]
    )
    audit_record(
        actor=actor,
        organisation=lead.organisation_id,
        action="consortium.created",
        obj=consortium,
        payload={
            "name": name,
            "members": [{"ruc": s.ruc, "participation": str(p)} for s, p in zip(suppliers, shares, strict=True)],
        },
    )
    return consortium
