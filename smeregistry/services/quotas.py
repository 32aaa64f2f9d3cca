"""The MYPE set-aside quota: awards counted by value and by number, per entity and month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError
from smeregistry.models import AwardFact, Consortium, EligibilityRecord, JurisdictionPolicy, QuotaMonth, Supplier
from smeregistry.services.policy import policy_for

GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"
_SUMS = {
    "total_amount_sum": Sum("total_amount"),
    "total_count_sum": Sum("total_count"),
    "mype_amount_sum": Sum("mype_amount"),
    "mype_count_sum": Sum("mype_count"),
}


def traffic_light(*, share: Decimal | None, target: Decimal, amber_ratio: Decimal) -> str:
    """Green at or above the target, amber from ``amber_ratio`` of it, red below; none without data."""
    if share is None:
        return NONE
    if share >= target:
        return GREEN
    if share >= target * amber_ratio:
        return AMBER
    return RED


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def award_fact_record(
    *,
    source: str,
    entity: Any,
    party: Supplier | Consortium,
    eligibility: EligibilityRecord,
    amount: Decimal,
    currency: str,
    amount_local: Decimal,
    awarded_on: date,
    title: str = "",
    url: str = "",
) -> AwardFact:
    """Count an award towards its entity's quota, once per ``source`` (idempotent).

    The size comes from the eligibility record taken before award (the snapshot), never from the
    supplier's current data. Updates the month's running totals in the same transaction, locking
    that one row.
    """
    existing = AwardFact.objects.filter(source=source).first()
    if existing is not None:
        return existing
    if amount_local < 0 or amount < 0:
        raise DomainError("An award amount cannot be negative.", code="invalid_amount")
    jurisdiction = eligibility.requirements.get("jurisdiction", "PE")
    try:
        with transaction.atomic():
            fact = AwardFact.objects.create(
                source=source,
                jurisdiction=jurisdiction,
                entity=entity,
                supplier=party if isinstance(party, Supplier) else None,
                consortium=party if isinstance(party, Consortium) else None,
                size_class=eligibility.size_class,
                is_mype=eligibility.is_mype,
                amount=amount,
                currency=currency,
                amount_local=amount_local,
                awarded_on=awarded_on,
                fiscal_year=awarded_on.year,
                month=awarded_on.month,
                title=title[:300],
                url=url[:300],
            )
    except IntegrityError:  # recorded concurrently by a retry of the same award
        return AwardFact.objects.get(source=source)
    month, _created = QuotaMonth.objects.select_for_update().get_or_create(
        entity=entity, fiscal_year=fact.fiscal_year, month=fact.month, defaults={"jurisdiction": jurisdiction}
    )
    mype = fact.is_mype
    QuotaMonth.objects.filter(pk=month.pk).update(
        total_amount=F("total_amount") + amount_local,
        total_count=F("total_count") + 1,
        mype_amount=F("mype_amount") + (amount_local if mype else 0),
        mype_count=F("mype_count") + (1 if mype else 0),
    )
    return fact


@dataclass(frozen=True)
class QuotaPeriod:
    month: int
    total_amount: Decimal
    total_count: int
    mype_amount: Decimal
    mype_count: int

    # Cached: a dashboard reads each share several times (figure, light, sort) for hundreds of rows.
    @cached_property
    def share_by_value(self) -> Decimal | None:
        return percent(self.mype_amount, self.total_amount)

    @cached_property
    def share_by_count(self) -> Decimal | None:
        return percent(Decimal(self.mype_count), Decimal(self.total_count))


@dataclass(frozen=True)
class QuotaSummary:
    fiscal_year: int
    target: Decimal
    amber_ratio: Decimal
    months: list[QuotaPeriod]
    total: QuotaPeriod
    currency: str = "PEN"

    @property
    def light_by_value(self) -> str:
        return traffic_light(share=self.total.share_by_value, target=self.target, amber_ratio=self.amber_ratio)

    @property
    def light_by_count(self) -> str:
        return traffic_light(share=self.total.share_by_count, target=self.target, amber_ratio=self.amber_ratio)


def quota_summary(
    *, fiscal_year: int, entity: Any = None, jurisdiction: str = "PE", policy: JurisdictionPolicy | None = None
) -> QuotaSummary:
    """Month by month and the year to date, for one entity or (``entity=None``) the whole jurisdiction.

    Pass ``policy`` when the caller already holds it (a page that also lists every entity), to save a query.
    """
    policy = policy or policy_for(jurisdiction)
    rows = QuotaMonth.objects.filter(jurisdiction=jurisdiction, fiscal_year=fiscal_year)
    if entity is not None:
        # One row per month already (unique per entity and month): read them as they are.
        fields = ("month", "total_amount", "total_count", "mype_amount", "mype_count")
        by_month = {
            values[0]: dict(zip(("month", *(f"{name}_sum" for name in fields[1:])), values, strict=True))
            for values in rows.filter(entity=entity).values_list(*fields)
        }
    else:
        by_month = {row["month"]: row for row in rows.values("month").annotate(**_SUMS).order_by()}
    months = []
    for number in range(1, 13):
        row = by_month.get(number, {})
        months.append(
            QuotaPeriod(
                month=number,
                total_amount=row.get("total_amount_sum") or Decimal("0"),
                total_count=row.get("total_count_sum") or 0,
                mype_amount=row.get("mype_amount_sum") or Decimal("0"),
                mype_count=row.get("mype_count_sum") or 0,
            )
        )
    total = QuotaPeriod(
        month=0,
        total_amount=sum((m.total_amount for m in months), Decimal("0")),
        total_count=sum(m.total_count for m in months),
        mype_amount=sum((m.mype_amount for m in months), Decimal("0")),
        mype_count=sum(m.mype_count for m in months),
    )
    return QuotaSummary(
        fiscal_year=fiscal_year,
        target=policy.quota_target_percent,
        amber_ratio=policy.quota_amber_ratio,
        months=months,
        total=total,
        currency=policy.currency,
    )


# --- Reading the dashboards' parameters and the national table ------------------------------------

MIN_FISCAL_YEAR = 2000


def current_fiscal_year() -> int:
    """The fiscal year of today in the portal's time zone (Lima): at 20:00 on 31 December in Lima it is
    already the next year in UTC, but still this one for the quota."""
    return timezone.localtime(clock.now()).year


def fiscal_year_parse(value: str | int | None) -> int:
    """A fiscal year from a query string; the current one (Lima) when absent.

    Raises ``DomainError(code="invalid_year")`` for anything but a year from 2000 to next year.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return current_fiscal_year()
    text = str(value).strip()
    latest = current_fiscal_year() + 1
    if not text.isascii() or not text.isdigit() or not MIN_FISCAL_YEAR <= int(text) <= latest:
        raise DomainError(
            _("The fiscal year must be a year from %(first)s to %(last)s.")
            % {"first": MIN_FISCAL_YEAR, "last": latest},
            code="invalid_year",
            field="fiscal_year",
        )
    return int(text)


def quota_entity_get(entity_id: str | int) -> Organisation:
    """The contracting entity a quota dashboard is about. Raises ``NotFoundError`` for anything else."""
    text = str(entity_id).strip()
    entity = None
    if text.isascii() and text.isdigit() and len(text) < 19:
        entity = Organisation.objects.filter(pk=int(text), kind=OrganisationKind.CONTRACTING_ENTITY).first()
    if entity is None:
        raise NotFoundError(_("There is no contracting entity with that number."), code="not_found")
    return entity


def quota_years(*, entity: Any = None, jurisdiction: str = "PE") -> list[int]:
    """The fiscal years that have awards (for a year selector), latest first."""
    rows = QuotaMonth.objects.filter(jurisdiction=jurisdiction)
    if entity is not None:
        rows = rows.filter(entity=entity)
    return sorted(set(rows.values_list("fiscal_year", flat=True).distinct()), reverse=True)


@dataclass(frozen=True)
class EntityQuota:
    """One entity's year: its totals and both lights."""

    entity_id: int
    name: str
    total: QuotaPeriod
    light_by_value: str
    light_by_count: str


def quota_by_entity(
    *, fiscal_year: int, jurisdiction: str = "PE", policy: JurisdictionPolicy | None = None
) -> list[EntityQuota]:
    """Every entity with awards in ``fiscal_year``, with its year totals, ordered by name (one query)."""
    policy = policy or policy_for(jurisdiction)
    rows = (
        QuotaMonth.objects.filter(jurisdiction=jurisdiction, fiscal_year=fiscal_year)
        .values("entity_id", "entity__name")
        .annotate(**_SUMS)
        .order_by("entity__name", "entity_id")
    )
    result = []
    for row in rows:
        total = QuotaPeriod(
            month=0,
            total_amount=row["total_amount_sum"] or Decimal("0"),
            total_count=row["total_count_sum"] or 0,
            mype_amount=row["mype_amount_sum"] or Decimal("0"),
            mype_count=row["mype_count_sum"] or 0,
        )
        result.append(
            EntityQuota(
                entity_id=row["entity_id"],
                name=row["entity__name"],
                total=total,
                light_by_value=traffic_light(
                    share=total.share_by_value, target=policy.quota_target_percent, amber_ratio=policy.quota_amber_ratio
                ),
                light_by_count=traffic_light(
                    share=total.share_by_count, target=policy.quota_target_percent, amber_ratio=policy.quota_amber_ratio
                ),
            )
        )
    return result
