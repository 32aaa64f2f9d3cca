"""The MYPE set-aside quota: awards counted by value and by number, per entity and month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Sum

from portal.core.errors import DomainError
from smeregistry.models import AwardFact, Consortium, EligibilityRecord, QuotaMonth, Supplier
from smeregistry.services.policy import policy_for

GREEN, AMBER, RED, NONE = "green", "amber", "red", "none"


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

    @property
    def share_by_value(self) -> Decimal | None:
        return percent(self.mype_amount, self.total_amount)

    @property
    def share_by_count(self) -> Decimal | None:
        return percent(Decimal(self.mype_count), Decimal(self.total_count))


@dataclass(frozen=True)
class QuotaSummary:
    fiscal_year: int
    target: Decimal
    amber_ratio: Decimal
    months: list[QuotaPeriod]
    total: QuotaPeriod

    @property
    def light_by_value(self) -> str:
        return traffic_light(share=self.total.share_by_value, target=self.target, amber_ratio=self.amber_ratio)

    @property
    def light_by_count(self) -> str:
        return traffic_light(share=self.total.share_by_count, target=self.target, amber_ratio=self.amber_ratio)


def quota_summary(*, fiscal_year: int, entity: Any = None, jurisdiction: str = "PE") -> QuotaSummary:
    """Month by month and the year to date, for one entity or (``entity=None``) the whole jurisdiction."""
    policy = policy_for(jurisdiction)
    rows = QuotaMonth.objects.filter(jurisdiction=jurisdiction, fiscal_year=fiscal_year)
    if entity is not None:
        rows = rows.filter(entity=entity)
    by_month = {
        row["month"]: row
        for row in rows.values("month").annotate(
            total_amount_sum=Sum("total_amount"),
            total_count_sum=Sum("total_count"),
            mype_amount_sum=Sum("mype_amount"),
            mype_count_sum=Sum("mype_count"),
        )
    }
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
    )
