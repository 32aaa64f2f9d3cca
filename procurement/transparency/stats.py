"""Purchase statistics for the public: what the state bought, from whom, where and how.

Everything is read from public data only: the public projection of each tender (``PublicProcess``:
the awarded amount is the sum of its awards in force) and, for the supplier's size, the awards in
force with the size class snapshotted by their eligibility check. A purchase counts in the year
and month (Lima time) of its award, in its own currency: soles and dollars are never added up, one
currency is shown at a time.

The MYPE share is measured here over the awards in force (``mype_awarded_amount / awarded_amount``),
by value and by number of awards. The registry's quota dashboard (``smeregistry.services.quotas``)
counts differently, and both are shown: it counts an award when it is consented (not while an
appeal may still revoke it), converts dollars into soles at the award's exchange rate, and keeps a
counted award even if the process is annulled later.

The figures are cached for a few minutes (``CACHE_SECONDS``): they are public, the same for every
reader, and a fresh award may wait that long to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth, TruncYear
from django.utils.dates import MONTHS
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from procurement.enums import AwardStatus, ProcurementObject
from procurement.models import Award, PublicProcess
from procurement.timeline import LIMA
from smeregistry.enums import SizeClass
from smeregistry.models import Region
from smeregistry.services.policy import policy_for
from smeregistry.services.quotas import QuotaSummary, percent, quota_summary

CACHE_SECONDS = 300
DIMENSIONS = ("period", "entity", "region", "procedure", "object", "size")


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    count: int
    amount: Decimal


@dataclass(frozen=True)
class MypeShare:
    target: Decimal
    awarded: Decimal
    mype_awarded: Decimal
    awards: int
    mype_awards: int
    quota: QuotaSummary | None  # the registry's quota figures for the year (none for all years)

    @property
    def share_by_value(self) -> Decimal | None:
        return percent(self.mype_awarded, self.awarded)

    @property
    def share_by_count(self) -> Decimal | None:
        return percent(Decimal(self.mype_awards), Decimal(self.awards))


@dataclass(frozen=True)
class PurchaseStatistics:
    year: int | None
    currency: str
    currencies: dict[str, int]  # every currency with purchases in the year → processes
    years: list[int]  # the years with purchases, latest first
    total_count: int
    total_amount: Decimal
    dimensions: dict[str, list[Bucket]]
    mype: MypeShare


def _year_filter(field: str, year: int | None) -> Q:
    if year is None:
        return Q(**{f"{field}__isnull": False})
    return Q(
        **{
            f"{field}__gte": datetime(year, 1, 1, tzinfo=LIMA),
            f"{field}__lt": datetime(year + 1, 1, 1, tzinfo=LIMA),
        }
    )


def _buckets(rows, key, label) -> list[Bucket]:
    return [
        Bucket(key=str(key(row)), label=label(row), count=row["n"], amount=row["amount"] or Decimal("0"))
        for row in rows
    ]


def purchase_statistics(*, year: int | None, currency: str = "PEN") -> PurchaseStatistics:
    """Awarded amounts and numbers of processes by period, entity, region, procedure type and object,
    awards by supplier size, and the MYPE share against the jurisdiction's goal, for ``year`` (all
    years when None) in ``currency``. Cached per year, currency and language (labels are translated)."""
    key = f"transparency:stats:v1:{year or 'all'}:{currency}:{get_language() or ''}"
    found = cache.get(key)
    if found is None:
        found = _compute(year=year, currency=currency)
        cache.set(key, found, CACHE_SECONDS)
    return found


def _compute(*, year: int | None, currency: str) -> PurchaseStatistics:
    awarded = PublicProcess.objects.filter(_year_filter("awarded_at", year), awarded_amount__isnull=False)
    currencies = dict(awarded.values_list("currency").annotate(n=Count("pk")).order_by("currency"))
    years = sorted(
        {moment.year for moment in PublicProcess.objects.datetimes("awarded_at", "year", tzinfo=LIMA)}, reverse=True
    )
    rows = awarded.filter(currency=currency)
    sums = {"n": Count("pk"), "amount": Sum("awarded_amount")}
    regions = dict(Region.objects.filter(country="PE").values_list("code", "name"))
    by_amount = ("-amount", "-n")
    if year is None:
        period_rows = rows.annotate(p=TruncYear("awarded_at", tzinfo=LIMA)).values("p").annotate(**sums).order_by("p")
        period = _buckets(period_rows, lambda r: r["p"].year, lambda r: str(r["p"].year))
    else:
        period_rows = rows.annotate(p=TruncMonth("awarded_at", tzinfo=LIMA)).values("p").annotate(**sums).order_by("p")
        period = _buckets(
            period_rows,
            lambda r: f"{r['p'].year}-{r['p'].month:02d}",
            lambda r: f"{capfirst(str(MONTHS[r['p'].month]))} {r['p'].year}",
        )
    dimensions = {
        "period": period,
        "entity": _buckets(
            rows.values("entity_id", "entity_name").annotate(**sums).order_by(*by_amount, "entity_name"),
            lambda r: r["entity_id"],
            lambda r: r["entity_name"],
        ),
        "region": _buckets(
            rows.values("region_code").annotate(**sums).order_by(*by_amount, "region_code"),
            lambda r: r["region_code"],
            lambda r: regions.get(r["region_code"]) or r["region_code"] or _("Unknown"),
        ),
        "procedure": _buckets(
            rows.values("procedure_type__code", "procedure_type__name")
            .annotate(**sums)
            .order_by(*by_amount, "procedure_type__code"),
            lambda r: r["procedure_type__code"],
            lambda r: r["procedure_type__name"],
        ),
        "object": _buckets(
            rows.values("object").annotate(**sums).order_by(*by_amount, "object"),
            lambda r: r["object"],
            lambda r: str(ProcurementObject(r["object"]).label),
        ),
    }
    awards = Award.objects.filter(
        _year_filter("awarded_at", year),
        status=AwardStatus.ACTIVE,
        currency=currency,
        lot__tender__public__isnull=False,
    )
    sizes = {
        row["eligibility__size_class"]: row
        for row in awards.values("eligibility__size_class").annotate(n=Count("pk"), amount=Sum("amount")).order_by()
    }
    dimensions["size"] = [
        Bucket(key=size, label=str(label), count=sizes[size]["n"], amount=sizes[size]["amount"])
        for size, label in [*SizeClass.choices, ("", _("Not classified"))]
        if size in sizes
    ]
    total = rows.aggregate(n=Count("pk"), amount=Sum("awarded_amount"), mype=Sum("mype_awarded_amount"))
    counts = awards.aggregate(n=Count("pk"), mype=Count("pk", filter=Q(eligibility__is_mype=True)))
    policy = policy_for("PE")
    mype = MypeShare(
        target=policy.quota_target_percent,
        awarded=total["amount"] or Decimal("0"),
        mype_awarded=total["mype"] or Decimal("0"),
        awards=counts["n"],
        mype_awards=counts["mype"],
        quota=quota_summary(fiscal_year=year, policy=policy) if year is not None else None,
    )
    return PurchaseStatistics(
        year=year,
        currency=currency,
        currencies=currencies,
        years=years,
        total_count=total["n"],
        total_amount=(total["amount"] or Decimal("0")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
        dimensions=dimensions,
        mype=mype,
    )
