"""Read queries for the factoring pages, each scoped to the organisation that asks.

Supplier reads first; institution and buyer reads follow in their own section.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.core import clock
from portal.core.errors import NotFoundError
from tradedocs.factoring.models import (
    BankAccount,
    Chain,
    ChainInstitution,
    ChainSupplier,
    Financing,
    Offer,
    Receivable,
)

# ── supplier ─────────────────────────────────────────────────────────────────────────────────────


def receivables_of_supplier(organisation: Any, status: str | None = None) -> QuerySet[Receivable]:
    """The supplier's documents, soonest due first; ``status`` narrows to one status."""
    qs = Receivable.objects.filter(supplier=organisation).select_related("buyer", "chain")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("due_date", "pk")


def receivable_get_for_supplier(organisation: Any, receivable_id: Any) -> Receivable:
    """One of the supplier's documents; NotFoundError for anyone else's (or none)."""
    try:
        pk = int(receivable_id)
    except (TypeError, ValueError):
        pk = None
    receivable = (
        Receivable.objects.select_related("buyer", "chain").filter(pk=pk, supplier=organisation).first()
        if pk is not None
        else None
    )
    if receivable is None:
        raise NotFoundError(_("No such document."), code="receivable_not_found")
    return receivable


def chains_of_supplier(organisation: Any) -> QuerySet[ChainSupplier]:
    """The supplier's memberships of active chains, invited (``joined_at`` empty) and joined."""
    return (
        ChainSupplier.objects.filter(supplier=organisation, chain__is_active=True)
        .select_related("chain", "chain__buyer")
        .order_by("joined_at", "chain__name", "pk")
    )


@dataclass(frozen=True)
class InstitutionOffer:
    membership: ChainInstitution
    offer: Offer | None

    @property
    def institution(self) -> Any:
        return self.membership.institution


def current_offers(chain: Chain, on: datetime.date | None = None) -> dict[int, Offer]:
    """Each institution's current offer on the chain (the latest valid on ``on``), by institution id."""
    today = on or clock.today()
    offers: dict[int, Offer] = {}
    for offer in Offer.objects.filter(chain=chain, valid_from__lte=today).order_by(
        "institution_id", "-valid_from", "-published_at", "-pk"
    ):
        offers.setdefault(offer.institution_id, offer)
    return offers


def institutions_of_chain(chain: Chain, on: datetime.date | None = None) -> list[InstitutionOffer]:
    """The institutions admitted to the chain, each with its current offer (None when it has none)."""
    offers = current_offers(chain, on)
    members = (
        ChainInstitution.objects.filter(chain=chain).select_related("institution").order_by("institution__name", "pk")
    )
    return [InstitutionOffer(membership=m, offer=offers.get(m.institution_id)) for m in members]


def financings_of_supplier(organisation: Any) -> QuerySet[Financing]:
    """The financings of the supplier's documents, latest selection first."""
    return (
        Financing.objects.filter(receivable__supplier=organisation)
        .select_related("receivable", "receivable__buyer", "institution")
        .order_by("-selected_at", "-pk")
    )


def bank_accounts_of(organisation: Any) -> QuerySet[BankAccount]:
    return BankAccount.objects.filter(organisation=organisation).order_by("pk")


# ── institution and buyer ────────────────────────────────────────────────────────────────────────
