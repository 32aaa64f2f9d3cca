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

# Imports of this section (the file grows by appending, so they stay here, below the supplier's reads).
from decimal import ROUND_HALF_UP, Decimal  # noqa: E402

from django.db.models import Avg, Count, DecimalField, ExpressionWrapper, F, Prefetch, Sum  # noqa: E402
from django.db.models.functions import TruncWeek  # noqa: E402

from tradedocs.factoring.enums import FinancingStatus, ReceivableStatus  # noqa: E402
from tradedocs.factoring.models import Programme  # noqa: E402


def _pk(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _outstanding_face(**filters: Any) -> Decimal:
    total = Financing.objects.filter(
        status__in=(FinancingStatus.OPERATED, FinancingStatus.OVERDUE), **filters
    ).aggregate(total=Sum("face"))["total"]
    return total or Decimal(0)


@dataclass(frozen=True)
class WeekFigures:
    """Operations of one week (by the day they were operated): volume and face-weighted average rate."""

    week: datetime.date  # the Monday
    count: int
    volume: Decimal
    average_rate: Decimal


def _weekly(financings: QuerySet[Financing], weeks: int) -> list[WeekFigures]:
    since = clock.now() - datetime.timedelta(weeks=weeks)
    rows = (
        financings.filter(operated_at__isnull=False, operated_at__gte=since)
        .annotate(week=TruncWeek("operated_at"))
        .values("week")
        .annotate(
            count=Count("pk"),
            volume=Sum("face"),
            weighted=Sum(ExpressionWrapper(F("face") * F("rate"), output_field=DecimalField())),
        )
        .order_by("week")
    )
    figures = []
    for row in rows:
        week = row["week"].date() if isinstance(row["week"], datetime.datetime) else row["week"]
        volume = row["volume"] or Decimal(0)
        rate = (row["weighted"] / volume).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if volume else Decimal(0)
        figures.append(WeekFigures(week=week, count=row["count"], volume=volume, average_rate=rate))
    return figures


# ── institution ──────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class InstitutionChain:
    """A chain the institution is admitted to, with its current offer and its exposure on the buyer."""

    membership: ChainInstitution
    offer: Offer | None
    outstanding: Decimal

    @property
    def chain(self) -> Chain:
        return self.membership.chain

    @property
    def available(self) -> Decimal | None:
        limit = self.membership.limit
        return None if limit is None else limit - self.outstanding

    @property
    def used_percent(self) -> int | None:
        limit = self.membership.limit
        if not limit:
            return None
        return int((self.outstanding / limit * 100).to_integral_value(rounding=ROUND_HALF_UP))


def chains_of_institution(organisation: Any, on: datetime.date | None = None) -> list[InstitutionChain]:
    """The institution's memberships of active chains, each with its current offer and outstanding face."""
    today = on or clock.today()
    members = (
        ChainInstitution.objects.filter(institution=organisation, chain__is_active=True)
        .select_related("chain", "chain__buyer", "chain__programme")
        .order_by("chain__name", "pk")
    )
    result = []
    for member in members:
        offer = (
            Offer.objects.filter(chain=member.chain, institution=organisation, valid_from__lte=today)
            .order_by("-valid_from", "-published_at", "-pk")
            .first()
        )
        outstanding = _outstanding_face(institution=organisation, receivable__chain=member.chain)
        result.append(InstitutionChain(membership=member, offer=offer, outstanding=outstanding))
    return result


def membership_get_for_institution(organisation: Any, chain_id: Any) -> ChainInstitution:
    """The institution's membership of one chain; NotFoundError when it is not admitted to it."""
    member = (
        ChainInstitution.objects.select_related("chain", "chain__buyer")
        .filter(chain_id=_pk(chain_id), institution=organisation, chain__is_active=True)
        .first()
    )
    if member is None:
        raise NotFoundError(_("No such chain."), code="chain_not_found")
    return member


def financings_of_institution(organisation: Any, statuses: Any = None) -> QuerySet[Financing]:
    """The institution's financings (``statuses`` narrows them), soonest maturity first."""
    qs = Financing.objects.filter(institution=organisation).select_related(
        "receivable", "receivable__chain", "receivable__supplier", "receivable__buyer"
    )
    if statuses:
        qs = qs.filter(status__in=list(statuses))
    return qs.order_by("receivable__due_date", "pk")


def financing_get_for_institution(organisation: Any, financing_id: Any) -> Financing:
    """One of the institution's financings; NotFoundError for another institution's (or none)."""
    financing = (
        Financing.objects.select_related("receivable", "receivable__chain", "institution")
        .filter(pk=_pk(financing_id), institution=organisation)
        .first()
    )
    if financing is None:
        raise NotFoundError(_("No such financing."), code="financing_not_found")
    return financing


def institution_weekly(organisation: Any, weeks: int = 26) -> list[WeekFigures]:
    return _weekly(Financing.objects.filter(institution=organisation), weeks)


# ── buyer ────────────────────────────────────────────────────────────────────────────────────────


def chains_of_buyer(organisation: Any) -> QuerySet[Chain]:
    return (
        Chain.objects.filter(buyer=organisation)
        .select_related("programme")
        .annotate(
            supplier_count=Count("suppliers", distinct=True), institution_count=Count("institutions", distinct=True)
        )
        .order_by("-is_active", "name", "pk")
    )


def chain_get_for_buyer(organisation: Any, chain_id: Any) -> Chain:
    """One of the buyer's chains; NotFoundError for anyone else's (or none)."""
    chain = Chain.objects.select_related("programme", "buyer").filter(pk=_pk(chain_id), buyer=organisation).first()
    if chain is None:
        raise NotFoundError(_("No such chain."), code="chain_not_found")
    return chain


def suppliers_of_chain(chain: Chain) -> QuerySet[ChainSupplier]:
    return ChainSupplier.objects.filter(chain=chain).select_related("supplier").order_by("supplier__name", "pk")


def payables_of_chain(chain: Chain, status: str | None = None) -> QuerySet[Receivable]:
    """The chain's documents, soonest due first, each with its live or last financing's institution."""
    qs = Receivable.objects.filter(chain=chain).select_related("supplier")
    if status:
        qs = qs.filter(status=status)
    return qs.prefetch_related(
        Prefetch(
            "financings",
            queryset=Financing.objects.exclude(status=FinancingStatus.CANCELLED).select_related("institution"),
            to_attr="active_financings",
        )
    ).order_by("due_date", "pk")


def receivable_get_for_buyer(organisation: Any, receivable_id: Any) -> Receivable:
    """One of the buyer's payables; NotFoundError for anyone else's (or none)."""
    receivable = (
        Receivable.objects.select_related("chain", "buyer", "supplier")
        .filter(pk=_pk(receivable_id), buyer=organisation, chain__buyer=organisation)
        .first()
    )
    if receivable is None:
        raise NotFoundError(_("No such document."), code="receivable_not_found")
    return receivable


def live_financing_of(receivable: Receivable) -> Financing | None:
    return (
        Financing.objects.filter(receivable=receivable, status__in=(FinancingStatus.OPERATED, FinancingStatus.OVERDUE))
        .order_by("-pk")
        .first()
    )


@dataclass(frozen=True)
class MaturityWeek:
    week: datetime.date  # the Monday
    financings: list[Financing]

    @property
    def total(self) -> Decimal:
        return sum((financing.face for financing in self.financings), Decimal(0))


def maturity_calendar(chain: Chain) -> list[MaturityWeek]:
    """The chain's operated (and overdue) documents, grouped by the week they fall due."""
    financings = (
        Financing.objects.filter(
            receivable__chain=chain, status__in=(FinancingStatus.OPERATED, FinancingStatus.OVERDUE)
        )
        .select_related("receivable", "receivable__supplier", "institution")
        .order_by("receivable__due_date", "pk")
    )
    weeks: dict[datetime.date, list[Financing]] = {}
    for financing in financings:
        due = financing.receivable.due_date
        weeks.setdefault(due - datetime.timedelta(days=due.weekday()), []).append(financing)
    return [MaturityWeek(week=week, financings=items) for week, items in weeks.items()]


@dataclass(frozen=True)
class ChainStatistics:
    by_status: list[tuple[str, str, int, Decimal]]  # (status, label, documents, amount)
    operated_count: int
    operated_volume: Decimal
    discounts: Decimal
    average_rate: Decimal | None
    average_days: Decimal | None
    outstanding: Decimal
    buyer_limit: Decimal | None
    suppliers: int
    suppliers_joined: int
    institutions: int


def chain_statistics(chain: Chain) -> ChainStatistics:
    counts = {
        row["status"]: (row["documents"], row["amount"] or Decimal(0))
        for row in Receivable.objects.filter(chain=chain)
        .values("status")
        .annotate(documents=Count("pk"), amount=Sum(F("face_value") - F("credit_notes")))
    }
    by_status = [(status, label, *counts.get(status, (0, Decimal(0)))) for status, label in ReceivableStatus.choices]
    operated = Financing.objects.filter(
        receivable__chain=chain,
        status__in=(FinancingStatus.OPERATED, FinancingStatus.OVERDUE, FinancingStatus.SETTLED),
    ).aggregate(
        count=Count("pk"),
        volume=Sum("face"),
        discounts=Sum("discount"),
        weighted=Sum(ExpressionWrapper(F("face") * F("rate"), output_field=DecimalField())),
        days=Avg("days"),
    )
    volume = operated["volume"] or Decimal(0)
    members = ChainSupplier.objects.filter(chain=chain)
    return ChainStatistics(
        by_status=by_status,
        operated_count=operated["count"],
        operated_volume=volume,
        discounts=operated["discounts"] or Decimal(0),
        average_rate=(operated["weighted"] / volume).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if volume
        else None,
        average_days=Decimal(operated["days"]).quantize(Decimal("0.1")) if operated["days"] is not None else None,
        outstanding=_outstanding_face(receivable__chain=chain),
        buyer_limit=chain.buyer_limit,
        suppliers=members.count(),
        suppliers_joined=members.filter(joined_at__isnull=False).count(),
        institutions=ChainInstitution.objects.filter(chain=chain).count(),
    )


def chain_weekly(chain: Chain, weeks: int = 26) -> list[WeekFigures]:
    return _weekly(Financing.objects.filter(receivable__chain=chain), weeks)


def programmes() -> QuerySet[Programme]:
    return Programme.objects.order_by("name", "pk")
