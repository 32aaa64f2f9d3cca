"""The eligibility check procurement runs when a party bids and again before award.

``eligibility_check(party=…, lot=…, at=…)`` answers whether a supplier or consortium may take part
in a lot at a moment, and why not, and stores that answer immutably with a snapshot of what it was
based on (status, validity, sanctions, size class and its basis). Procurement passes the lot as
``LotRequirements``, a plain description, so the registry knows nothing of tenders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from portal.core import clock
from portal.core.errors import DomainError
from smeregistry.enums import CategoryMatch, EligibilityPurpose, Reason, SupplierStatus
from smeregistry.models import Consortium, EligibilityRecord, Supplier
from smeregistry.services.policy import policy_for, size_classify
from smeregistry.services.sanctions import sanctions_in_force
from smeregistry.sizing import covers


@dataclass(frozen=True)
class LotRequirements:
    """What a lot asks of its bidders."""

    reference: str
    unspsc_codes: tuple[str, ...] = ()
    register: str | None = None
    mype_reserved: bool = False
    jurisdiction: str = "PE"
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "unspsc_codes": list(self.unspsc_codes),
            "register": self.register,
            "mype_reserved": self.mype_reserved,
            "jurisdiction": self.jurisdiction,
        }


def _reason(code: str, supplier: Supplier | None = None, **detail: Any) -> dict[str, Any]:
    entry = {"code": code, "message": str(Reason(code).label)}
    if supplier is not None:
        entry["ruc"] = supplier.ruc
    entry.update({key: str(value) for key, value in detail.items()})
    return entry


def _member_state(supplier: Supplier, *, on, sanctions: list, set_aside_classes: set[str]) -> tuple[dict, list[dict]]:
    """A supplier's snapshot and the reasons (independent of the lot's items) it is not eligible."""
    reasons: list[dict] = []
    if (
        supplier.status == SupplierStatus.ACTIVE and supplier.valid_until and supplier.valid_until < on
    ) or supplier.status == SupplierStatus.EXPIRED:
        reasons.append(_reason(Reason.EXPIRED, supplier, valid_until=supplier.valid_until))
    elif supplier.status != SupplierStatus.ACTIVE:
        reasons.append(_reason(Reason.INACTIVE, supplier, status=supplier.status))
    if sanctions:
        reasons.extend(
            _reason(Reason.SANCTIONED, supplier, source=s.source, starts_on=s.starts_on, ends_on=s.ends_on or "")
            for s in sanctions
        )
    try:
        classification, basis = size_classify(
            jurisdiction=supplier.jurisdiction,
            sales=supplier.annual_sales,
            fiscal_year=supplier.sales_fiscal_year,
            on=on,
        )
        size_class = classification.size_class
    except DomainError:
        size_class, basis = "", {}
        reasons.append(_reason(Reason.SIZE_UNKNOWN, supplier))
    snapshot = {
        "ruc": supplier.ruc,
        "legal_name": supplier.legal_name,
        "status": supplier.status,
        "valid_until": supplier.valid_until.isoformat() if supplier.valid_until else None,
        "size_class": size_class,
        "is_mype": size_class in set_aside_classes,
        "size_basis": basis,
        "registers": supplier.registers,
        "categories": sorted(link.prefix for link in supplier.category_links.all()),
        "sanctions_in_force": [s.pk for s in sanctions],
    }
    return snapshot, reasons


def eligibility_evaluate(
    *, party: Supplier | Consortium, lot: LotRequirements, at: datetime | None = None
) -> dict[str, Any]:
    """Compute eligibility without storing it (for previews); see ``eligibility_check``."""
    at = at or clock.now()
    on = clock_date(at)
    policy = policy_for(lot.jurisdiction)
    set_aside = set(policy.set_aside_classes)
    if isinstance(party, Consortium):
        members = list(party.members.select_related("supplier").prefetch_related("supplier__category_links"))
        suppliers = [member.supplier for member in members]
        shares = {member.supplier_id: str(member.participation) for member in members}
        label = party.name
    else:
        suppliers = [Supplier.objects.prefetch_related("category_links").get(pk=party.pk)]
        shares = {}
        label = f"{party.legal_name} ({party.ruc})"
    in_force = sanctions_in_force(supplier_ids=[s.pk for s in suppliers], on=on)
    reasons: list[dict] = []
    snapshots = []
    for supplier in suppliers:
        snapshot, member_reasons = _member_state(
            supplier, on=on, sanctions=in_force.get(supplier.pk, []), set_aside_classes=set_aside
        )
        if supplier.pk in shares:
            snapshot["participation"] = shares[supplier.pk]
        snapshots.append(snapshot)
        reasons.extend(member_reasons)
    # A consortium counts as MYPE only if every member is.
    is_mype = bool(snapshots) and all(s["is_mype"] for s in snapshots)
    if lot.mype_reserved and not is_mype:
        not_mype = [s["ruc"] for s in snapshots if not s["is_mype"]]
        reasons.append({**_reason(Reason.NOT_MYPE), "rucs": not_mype})
    if lot.register and not any(lot.register in s["registers"] for s in snapshots):
        reasons.append(_reason(Reason.REGISTER_MISSING, register=lot.register))
    prefixes = sorted({prefix for s in snapshots for prefix in s["categories"]})
    if lot.unspsc_codes and policy.category_match != CategoryMatch.NONE:
        covered = [code for code in lot.unspsc_codes if covers(prefixes, code)]
        needed_all = policy.category_match == CategoryMatch.ALL
        if (needed_all and len(covered) < len(lot.unspsc_codes)) or (not needed_all and not covered):
            missing = [code for code in lot.unspsc_codes if code not in covered]
            reasons.append(_reason(Reason.CATEGORY_MISMATCH, codes=",".join(missing)))
    # A consortium is as large as its largest member (so MYPE only if every member is).
    size_class = max((s["size_class"] for s in snapshots), key=_size_rank, default="")
    return {
        "at": at,
        "label": label,
        "eligible": not reasons,
        "reasons": reasons,
        "size_class": size_class,
        "is_mype": is_mype,
        "snapshot": {
            "members": snapshots,
            "policy": {"set_aside_classes": sorted(set_aside), "category_match": policy.category_match},
        },
    }


def _size_rank(size_class: str) -> int:
    return (
        ["micro", "small", "medium", "large"].index(size_class)
        if size_class in {"micro", "small", "medium", "large"}
        else -1
    )


def clock_date(at: datetime):
    """The calendar day of ``at`` in the portal's time zone (Lima), which is the day sanctions and
    validity are counted in."""
    from django.utils import timezone

    return timezone.localtime(at).date()


@transaction.atomic
def eligibility_check(
    *,
    party: Supplier | Consortium,
    lot: LotRequirements,
    at: datetime | None = None,
    purpose: str = EligibilityPurpose.CHECK,
    actor: Any = None,
    organisation: Any = None,
) -> EligibilityRecord:
    """Decide and record whether ``party`` may take part in ``lot`` at ``at`` (default: now).

    Runs inside the caller's transaction when there is one (a bid's), so the record and the act it
    justifies commit together. Locks nothing: it reads the registry as of this moment.
    ``organisation`` is the one the check was run for (an entity, a supplier, an integrator's):
    only that organisation (and the operator) reads the record back.
    """
    if purpose not in EligibilityPurpose.values:
        raise DomainError(_("Unknown purpose of an eligibility check."), code="invalid_purpose")
    result = eligibility_evaluate(party=party, lot=lot, at=at)
    actor_label = getattr(actor, "audit_label", None) or (
        f"user:{actor.pk}" if getattr(actor, "pk", None) else "system"
    )
    return EligibilityRecord.objects.create(
        purpose=purpose,
        checked_at=result["at"],
        supplier=party if isinstance(party, Supplier) else None,
        consortium=party if isinstance(party, Consortium) else None,
        party_label=result["label"][:250],
        lot_reference=lot.reference[:100],
        requirements=lot.as_dict(),
        eligible=result["eligible"],
        reasons=result["reasons"],
        size_class=result["size_class"],
        is_mype=result["is_mype"],
        snapshot=result["snapshot"],
        checked_by=actor_label,
        checked_for=organisation,
    )


def reserved_lot_fallback(*, jurisdiction: str = "PE") -> str:
    """What procurement does with a MYPE-reserved lot that got no eligible bid (policy as data)."""
    return policy_for(jurisdiction).reserved_lot_no_eligible_bid
