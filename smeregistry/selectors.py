"""Read side of the registry. What is public (profiles, sanctions, quotas) needs no actor."""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet

from smeregistry.enums import SupplierStatus
from smeregistry.models import Sanction, Supplier, SupplierCategory, UnspscCategory
from smeregistry.sizing import category_prefixes, significant_prefix


def supplier_search(
    *,
    category_code: str | None = None,
    region_code: str | None = None,
    size_class: str | None = None,
    status: str | None = SupplierStatus.ACTIVE,
    text: str | None = None,
) -> QuerySet[Supplier]:
    """Suppliers that supply ``category_code`` (at any level: a family finds suppliers registered for
    its classes and for its segment), in a region, of a size. Public information only."""
    rows = Supplier.objects.select_related("region")
    if status:
        rows = rows.filter(status=status)
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
