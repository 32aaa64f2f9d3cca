"""Agreed unit prices: what the state paid for a product, award by award, for its price history.

``refresh`` keeps a tender's ``PricePoint`` rows equal to the items of its awards in force. It runs
inside the transaction of every public event of the tender (``transparency.hooks``), so a point
appears with the award and leaves with its revocation (an upheld appeal, a cancellation, an
annulment) in the same commit. Prices come from the winning bid's ``opened_prices``, public since
the opening; the sealed box is never read (awards exist only after the opening anyway).

``agreed_at`` is the award's date (buena pro), not the contract's signature: the price is fixed and
published at the award, every award in force has that date while a contract may be signed weeks
later or, for a lot still in its appeal window, not yet exist; and a date that does not move when
signatures arrive keeps a point in the same period of the chart for good.

``price_history`` is the public read side: the points of one product for one unit of measure and
currency (prices in different units or currencies are not comparable, so they are never mixed) and
per period their median, minimum, maximum and count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _

from procurement.enums import AwardStatus, ContractStatus
from procurement.models import Award, Bid, Contract, Item, PricePoint, Tender
from procurement.pricing import agreed_unit_prices
from procurement.timeline import LIMA
from smeregistry.models import UnspscCategory

PERIODS = ("month", "quarter", "year")
FIELDS = ("contract", "entity", "supplier", "unspsc_code", "unit", "region_code", "quantity", "unit_price")


def refresh(*, tender_id: int) -> None:
    """Write the tender's agreed unit prices as its awards in force say now; drop the others.

    One point per item of each lot with an award in force, priced from the winning bid's opened
    prices as the award agreed them (``pricing.agreed_unit_prices``: lowered with the total when a
    reverse auction lowered it; an item the bid did not price has no point). The contract is linked once it is drawn up
    (and unlinked if cancelled). Reads only public columns: never ``Bid.sealed``."""
    awards = list(
        Award.objects.filter(lot__tender_id=tender_id, status=AwardStatus.ACTIVE).values(
            "pk", "lot_id", "bid_id", "supplier_id", "currency", "awarded_at", "amount"
        )
    )
    stale = PricePoint.objects.filter(tender_id=tender_id)
    if not awards:
        stale.delete()
        return
    entity_id = Tender.objects.values_list("entity_id", flat=True).get(pk=tender_id)
    opened = {
        pk: (prices, total)
        for pk, prices, total in Bid.objects.filter(
            pk__in=[a["bid_id"] for a in awards], opened_at__isnull=False
        ).values_list("pk", "opened_prices", "price_total")
    }
    contracts = dict(
        Contract.objects.filter(award_id__in=[a["pk"] for a in awards])
        .exclude(status=ContractStatus.CANCELLED)
        .values_list("award_id", "pk")
    )
    items = defaultdict(list)
    for item in Item.objects.filter(lot_id__in=[a["lot_id"] for a in awards]).order_by("number"):
        items[item.lot_id].append(item)
    rows = []
    for award in awards:
        opened_prices, opened_total = opened.get(award["bid_id"], ({}, None))
        agreed = agreed_unit_prices(
            opened_prices=opened_prices, opened_total=opened_total, agreed_total=award["amount"]
        )
        for item in items[award["lot_id"]]:
            if str(item.number) not in agreed:
                continue
            rows.append(
                PricePoint(
                    tender_id=tender_id,
                    award_id=award["pk"],
                    item=item,
                    contract_id=contracts.get(award["pk"]),
                    entity_id=entity_id,
                    supplier_id=award["supplier_id"],
                    unspsc_code=item.unspsc_code,
                    unit=item.unit,
                    region_code=item.region_code,
                    quantity=item.quantity,
                    unit_price=agreed[str(item.number)],
                    currency=award["currency"],
                    agreed_at=award["awarded_at"],
                )
            )
    stale.exclude(award_id__in=[a["pk"] for a in awards]).delete()
    stale.exclude(item_id__in=[row.item_id for row in rows]).delete()
    if rows:
        PricePoint.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["award", "item"],
            update_fields=[*FIELDS, "currency", "agreed_at"],
        )


# --- Reading -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PriceRow:
    """One point of the chart and one row of its table, with what its links need."""

    pk: int
    agreed_at: datetime
    period: date
    unit_price: Decimal
    quantity: Decimal
    unit: str
    currency: str
    region_code: str
    tender_id: int
    tender_code: str
    contract_id: int | None
    contract_number: str
    entity_id: int
    entity_name: str
    supplier_id: int
    supplier_name: str


@dataclass(frozen=True)
class PeriodStats:
    start: date
    end: date  # the next period's start
    label: str
    count: int
    median: Decimal
    minimum: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class SeriesOption:
    """A unit and currency the product was bought in, and how many points it has."""

    unit: str
    currency: str
    count: int


@dataclass(frozen=True)
class PriceHistory:
    code: str
    unit: str | None
    currency: str | None
    region: str | None
    period: str
    points: tuple[PriceRow, ...]
    periods: tuple[PeriodStats, ...]
    options: tuple[SeriesOption, ...]  # every unit and currency of the product, most points first
    picked: bool  # the unit or currency was chosen for the reader (the most frequent one)


def median(values: Sequence[Decimal]) -> Decimal:
    """The middle value; for an even count the mean of the two middle ones (exact, in Decimal)."""
    if not values:
        raise ValueError("the median of nothing")
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def period_start(moment: datetime, period: str) -> date:
    """The first day of the period holding ``moment``, counted in Lima time (a Lima month is the month)."""
    local = moment.astimezone(LIMA).date()
    if period == "year":
        return date(local.year, 1, 1)
    if period == "quarter":
        return date(local.year, 3 * ((local.month - 1) // 3) + 1, 1)
    return date(local.year, local.month, 1)


def period_end(start: date, period: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[period]
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def period_label(start: date, period: str) -> str:
    if period == "year":
        return str(start.year)
    if period == "quarter":
        return _("%(year)s Q%(quarter)s") % {"year": start.year, "quarter": (start.month - 1) // 3 + 1}
    return f"{start.year}-{start.month:02d}"


def _lima_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=LIMA)


def price_history(
    *,
    code: str,
    unit: str | None = None,
    region: str | None = None,
    currency: str | None = None,
    period: str = "month",
    date_from: date | None = None,
    date_to: date | None = None,
) -> PriceHistory:
    """The agreed unit prices of the UNSPSC product ``code``, oldest first, and their per-period figures.

    Prices are comparable only in one unit of measure and one currency: without ``unit`` (or
    ``currency``) the one with the most points is taken and ``picked`` says so; ``options`` lists
    every other so the reader can switch. ``region`` is the delivery region; the dates are Lima days,
    both included. Public data only: the points hold what awards published. The contract is read
    through the award, not from the point's own link: a contract is drawn up after the consent's
    event, so the stored link waits for the next event (the first signature) while this does not."""
    if period not in PERIODS:
        raise ValueError(f"unknown period {period!r}")
    rows = PricePoint.objects.filter(unspsc_code=code)
    if region:
        rows = rows.filter(region_code=region)
    if date_from:
        rows = rows.filter(agreed_at__gte=_lima_midnight(date_from))
    if date_to:
        rows = rows.filter(agreed_at__lt=_lima_midnight(date_to + timedelta(days=1)))
    options = tuple(
        SeriesOption(unit=row["unit"], currency=row["currency"], count=row["n"])
        for row in rows.values("unit", "currency").annotate(n=Count("pk")).order_by("-n", "unit", "currency")
    )
    picked = False
    if unit is None or currency is None:
        match = next(
            (o for o in options if (unit is None or o.unit == unit) and (currency is None or o.currency == currency)),
            None,
        )
        if match is not None:
            picked = True
            unit, currency = unit or match.unit, currency or match.currency
    points: tuple[PriceRow, ...] = ()
    if unit is not None and currency is not None:
        values = (
            rows.filter(unit=unit, currency=currency)
            .order_by("agreed_at", "pk")
            .values(
                "pk",
                "agreed_at",
                "unit_price",
                "quantity",
                "region_code",
                "tender_id",
                "tender__code",
                "award__contract__id",
                "award__contract__number",
                "award__contract__status",
                "entity_id",
                "entity__name",
                "supplier_id",
                "supplier__name",
            )
        )
        points = tuple(
            PriceRow(
                pk=row["pk"],
                agreed_at=row["agreed_at"],
                period=period_start(row["agreed_at"], period),
                unit_price=row["unit_price"],
                quantity=row["quantity"],
                unit=unit,
                currency=currency,
                region_code=row["region_code"],
                tender_id=row["tender_id"],
                tender_code=row["tender__code"],
                contract_id=contract_id,
                contract_number=row["award__contract__number"] if contract_id else "",
                entity_id=row["entity_id"],
                entity_name=row["entity__name"],
                supplier_id=row["supplier_id"],
                supplier_name=row["supplier__name"],
            )
            for row in values
            for contract_id in [
                None if row["award__contract__status"] == ContractStatus.CANCELLED else row["award__contract__id"]
            ]
        )
    by_period: dict[date, list[Decimal]] = defaultdict(list)
    for point in points:
        by_period[point.period].append(point.unit_price)
    periods = tuple(
        PeriodStats(
            start=start,
            end=period_end(start, period),
            label=period_label(start, period),
            count=len(prices),
            median=median(prices),
            minimum=min(prices),
            maximum=max(prices),
        )
        for start, prices in sorted(by_period.items())
    )
    return PriceHistory(
        code=code,
        unit=unit,
        currency=currency,
        region=region or None,
        period=period,
        points=points,
        periods=periods,
        options=options,
        picked=picked,
    )


def product_name(*, code: str) -> str:
    """The name of the 8-digit UNSPSC ``code``, or of the nearest level above it that the catalogue
    holds (the catalogue keeps the families and classes the registry uses, not every commodity)."""
    levels = [code, f"{code[:6]}00", f"{code[:4]}0000", f"{code[:2]}000000"]
    names = {c.code: c.name for c in UnspscCategory.objects.filter(code__in=levels)}
    return next((names[level] for level in levels if level in names), "")


def product_search(*, text: str, limit: int = 20) -> list[UnspscCategory]:
    """UNSPSC products whose Spanish or English name contains ``text``, those with prices first."""
    priced = Exists(PricePoint.objects.filter(unspsc_code=OuterRef("code")))
    return list(
        UnspscCategory.objects.filter(Q(name_es__icontains=text) | Q(name_en__icontains=text))
        .annotate(priced=priced)
        .order_by("-priced", "code")[:limit]
    )


def priced_products(*, limit: int = 15) -> list[tuple[str, str, int]]:
    """The products with the most agreed prices, as (code, name, points): where a reader may start."""
    top = list(PricePoint.objects.values("unspsc_code").annotate(n=Count("pk")).order_by("-n", "unspsc_code")[:limit])
    return [(row["unspsc_code"], product_name(code=row["unspsc_code"]), row["n"]) for row in top]
