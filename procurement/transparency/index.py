"""Keeping ``PublicProcess`` (the public projection of a tender) in step with the tender.

``refresh`` runs inside the transaction of every lifecycle event of the tender (``hooks``) and
rewrites the row from what is public at that moment; a draft has no row. It never reads a bid's
sealed box: amounts come from awards, which exist only after the opening.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Prefetch

from portal.accounts.models import Organisation
from procurement.enums import AwardStatus, Sector, TenderStatus
from procurement.models import Award, Item, Lot, PublicProcess, Tender
from procurement.transparency import text


def ocid_for(tender: Tender | int) -> str:
    """The tender's Open Contracting ID: the configured prefix and the tender's id, stable for life."""
    pk = tender if isinstance(tender, int) else tender.pk
    return f"{settings.OCDS_OCID_PREFIX}-{pk}"


def category_keys(code: str) -> list[str]:
    """``c43``, ``c4321``, ``c432115``, ``c43211500``: a code is found by any level of its category."""
    return [f"c{code[:width]}" for width in (2, 4, 6, 8)]


def refresh(*, tender_id: int, current: Tender | None = None) -> PublicProcess | None:
    """Write the tender's public row as it stands now (delete it if the tender is not public).

    ``current`` is the tender as the service holds it, when the event is the tender's own: its
    fields may be ahead of the database (a service moves the status, records the event, then saves),
    so they are taken from it; everything else is read from the database."""
    tender = current or Tender.objects.filter(pk=tender_id).first()
    if tender is None or tender.status == TenderStatus.DRAFT or tender.published_at is None:
        PublicProcess.objects.filter(tender_id=tender_id).delete()
        return None
    entity = Organisation.objects.select_related("entity_profile__region").get(pk=tender.entity_id)
    lots = list(
        Lot.objects.filter(tender_id=tender_id)
        .order_by("number")
        .prefetch_related(
            Prefetch("items", Item.objects.order_by("number")),
            Prefetch(
                "awards",
                Award.objects.filter(status=AwardStatus.ACTIVE).select_related("supplier", "eligibility"),
                to_attr="awards_in_force",
            ),
        )
    )
    items = [item for lot in lots for item in lot.items.all()]
    awards = [award for lot in lots for award in lot.awards_in_force]
    profile = getattr(entity, "entity_profile", None)
    keys: dict[str, None] = {}
    for item in items:
        for key in (*category_keys(item.unspsc_code), f"d{item.region_code}"):
            keys.setdefault(key, None)
    for award in awards:
        keys.setdefault(f"s{award.supplier.tax_id}", None)
    awarded = sum((award.amount for award in awards), Decimal("0")) if awards else None
    mype = sum((award.amount for award in awards if award.eligibility.is_mype), Decimal("0")) if awards else None
    row, _created = PublicProcess.objects.update_or_create(
        tender_id=tender_id,
        defaults={
            "ocid": ocid_for(tender_id),
            "code": tender.code,
            "title": tender.title,
            "entity": entity,
            "entity_name": entity.name,
            "entity_ruc": entity.tax_id,
            "sector": profile.sector if profile else Sector.OTHER,
            "region_code": profile.region.code if profile else "",
            "procedure_type_id": tender.procedure_type_id,
            "object": tender.object,
            "status": tender.status,
            "currency": tender.currency,
            "reference_value": tender.reference_value,
            "awarded_amount": awarded,
            "mype_awarded_amount": mype,
            "published_at": tender.published_at,
            "awarded_at": tender.awarded_at,
            "search_text": text.document(
                tender.code,
                tender.title,
                tender.description,
                entity.name,
                *(lot.title for lot in lots),
                *(item.description for item in items),
                *(award.supplier.name for award in awards),
            ),
            "keys": " ".join(keys),
        },
    )
    return row
