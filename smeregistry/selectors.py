"""Read side of the registry. What is public (profiles, sanctions, quotas) needs no actor."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from portal.accounts.models import User
from portal.accounts.selectors import spokespeople_of
from smeregistry.enums import SupplierStatus
from smeregistry.models import (
    AwardFact,
    ConsortiumMember,
    EligibilityRecord,
    Region,
    Sanction,
    Supplier,
    SupplierCategory,
    SupplierDocument,
    UnspscCategory,
)
from smeregistry.sizing import category_prefixes, significant_prefix

# What the public lists show: suppliers the operator has verified at some point. Pending and rejected
# registrations are not (yet) part of the registry; their profile is still reachable by RUC.
PUBLIC_STATUSES = (SupplierStatus.ACTIVE, SupplierStatus.SUSPENDED, SupplierStatus.EXPIRED)


def supplier_search(
    *,
    category_code: str | None = None,
    region_code: str | None = None,
    size_class: str | None = None,
    status: str | Sequence[str] | None = SupplierStatus.ACTIVE,
    text: str | None = None,
) -> QuerySet[Supplier]:
    """Suppliers that supply ``category_code`` (at any level: a family finds suppliers registered for
    its classes and for its segment), in a region, of a size, in one status or any of several.
    Public information only."""
    rows = Supplier.objects.select_related("region")
    if isinstance(status, str):
        rows = rows.filter(status=status)
    elif status:
        rows = rows.filter(status__in=list(status))
    if region_code:
        rows = rows.filter(region__code=region_code)
    if size_class:
        rows = rows.filter(size_class=size_class)
    if text:
        text = text.strip()
        rows = rows.filter(Q(ruc=text) | Q(legal_name__icontains=text) | Q(trade_name__icontains=text))
    if category_code:
        prefix = significant_prefix(category_code)
        links = SupplierCategory.objects.filter(supplier=OuterRef("pk")).filter(
            Q(prefix__startswith=prefix) | Q(prefix__in=category_prefixes(category_code)[:-1])
        )
        rows = rows.filter(Exists(links))
    return rows.order_by("legal_name", "pk")


def supplier_by_ruc(ruc: str) -> Supplier | None:
    return (
        Supplier.objects.select_related("region", "organisation")
        .prefetch_related(Prefetch("category_links", queryset=SupplierCategory.objects.select_related("category")))
        .filter(ruc=(ruc or "").strip())
        .first()
    )


def public_sanctions(*, on: date, include_past: bool = False) -> QuerySet[Sanction]:
    rows = Sanction.objects.select_related("supplier")
    if not include_past:
        rows = rows.filter(starts_on__lte=on).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
    return rows.order_by("-starts_on", "supplier__legal_name")


def categories_matching(text: str, *, limit: int = 30) -> QuerySet[UnspscCategory]:
    """The category picker: by code prefix or by words of the Spanish or English name."""
    text = (text or "").strip()
    rows = UnspscCategory.objects.all()
    if text.isdigit():
        rows = rows.filter(code__startswith=text)
    elif text:
        for word in text.split()[:5]:
            rows = rows.filter(Q(name_es__icontains=word) | Q(name_en__icontains=word))
    return rows.order_by("code")[:limit]


def supplier_awards(*, supplier: Supplier) -> QuerySet[AwardFact]:
    """The contracts a supplier won on its own, newest first (public)."""
    return AwardFact.objects.filter(supplier=supplier).select_related("entity").order_by("-awarded_on", "-pk")


def supplier_sanctions(*, supplier: Supplier) -> QuerySet[Sanction]:
    """Every sanction of a supplier, past, in force and scheduled, newest first (public)."""
    return Sanction.objects.filter(supplier=supplier).order_by("-starts_on", "-pk")


def supplier_consortium_memberships(*, supplier: Supplier) -> QuerySet[ConsortiumMember]:
    """The consortia a supplier belongs to, with their lead (public)."""
    return (
        ConsortiumMember.objects.filter(supplier=supplier)
        .select_related("consortium__lead")
        .order_by("consortium__name", "consortium_id")
    )


# --- Operator's side: callers check that the actor is a registry operator first ---------------------


def registrations_pending() -> QuerySet[Supplier]:
    """Registrations waiting for verification, oldest first."""
    return (
        Supplier.objects.filter(status=SupplierStatus.PENDING).select_related("region").order_by("registered_at", "pk")
    )


def registrations_recently_changed(*, limit: int = 20) -> QuerySet[Supplier]:
    """Registrations already decided, the most recently changed first."""
    return (
        Supplier.objects.exclude(status=SupplierStatus.PENDING)
        .select_related("region")
        .order_by("-updated_at", "-pk")[:limit]
    )


def supplier_documents(*, supplier: Supplier) -> QuerySet[SupplierDocument]:
    return SupplierDocument.objects.filter(supplier=supplier).order_by("doc_type", "pk")


def eligibility_record_get(*, record_id: int) -> EligibilityRecord | None:
    """An eligibility record; whether the caller may read it is decided by the caller's organisation."""
    return EligibilityRecord.objects.select_related("supplier", "consortium").filter(pk=record_id).first()


def region_codes(*, country: str = "PE") -> frozenset[str]:
    """The codes of a country's regions (delivery places, supplier addresses)."""
    return frozenset(Region.objects.filter(country=country).values_list("code", flat=True))


def supplier_representatives(*, suppliers: QuerySet[Supplier]) -> QuerySet[User]:
    """The active people who speak for these suppliers (representatives and administrators)."""
    return spokespeople_of(organisation_ids=suppliers.values("organisation_id"))


def supplier_standing(*, organisation_id: int, on: date) -> str | None:
    """The registry status of the supplier that ``organisation_id`` is, on the day ``on``: an active
    registration past its validity reads as expired. None when the organisation is not in the registry.
    Public information only (the status a profile shows)."""
    row = (
        Supplier.objects.filter(organisation_id=organisation_id).order_by("pk").values("status", "valid_until").first()
    )
    if row is None:
        return None
    if row["status"] == SupplierStatus.ACTIVE and row["valid_until"] is not None and row["valid_until"] < on:
        return SupplierStatus.EXPIRED
    return row["status"]


def supplier_for_organisation(*, organisation_id: int) -> Supplier | None:
    """The registry's record of a supplier organisation (for other apps: procurement's bids)."""
    return Supplier.objects.filter(organisation_id=organisation_id).order_by("pk").first()
