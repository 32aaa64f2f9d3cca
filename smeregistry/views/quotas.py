"""Public MYPE set-aside dashboards: national and per entity, for a fiscal year.

No sign-in, no JavaScript: the chart is inline SVG drawn on the server, sorting and the year
selector are links and a GET form, and every figure is also in a table (and in CSV with
``?format=csv``). The figures come from ``smeregistry.services.quotas``.
"""

from __future__ import annotations

import csv
from typing import Any

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core import clock
from portal.core.errors import DomainError, NotFoundError
from smeregistry.charts import format_money, format_percent, month_name, month_share_chart
from smeregistry.services.policy import policy_for
from smeregistry.services.quotas import (
    AMBER,
    GREEN,
    NONE,
    RED,
    EntityQuota,
    QuotaPeriod,
    QuotaSummary,
    current_fiscal_year,
    fiscal_year_parse,
    quota_by_entity,
    quota_entity_get,
    quota_summary,
    quota_years,
)

# The light is always written out: colour alone would not reach everyone.
LIGHT_LABELS = {
    GREEN: gettext_lazy("Green: target met"),
    AMBER: gettext_lazy("Amber: close to the target"),
    RED: gettext_lazy("Red: below the target"),
    NONE: gettext_lazy("No data: no awards in the year"),
}
SORTS = {"name", "value", "-value", "count", "-count"}
ENTITIES_PER_PAGE = 50
CSV_HEADER = [
    "month",
    "total_amount",
    "total_count",
    "mype_amount",
    "mype_count",
    "share_by_value",
    "share_by_count",
]


def light(code: str) -> dict[str, Any]:
    return {"code": code, "label": LIGHT_LABELS[code]}


def _period_row(period: QuotaPeriod, currency: str, label: str) -> dict[str, Any]:
    return {
        "label": label,
        "has_data": period.total_count > 0,
        "total_amount": format_money(period.total_amount, currency),
        "total_count": period.total_count,
        "mype_amount": format_money(period.mype_amount, currency),
        "mype_count": period.mype_count,
        "share_by_value": format_percent(period.share_by_value),
        "share_by_count": format_percent(period.share_by_count),
    }


def _summary_context(summary: QuotaSummary, *, subject: str) -> dict[str, Any]:
    return {
        "summary": summary,
        "target": format_percent(summary.target),
        "amber_from": format_percent(summary.target * summary.amber_ratio),
        "share_by_value": format_percent(summary.total.share_by_value),
        "share_by_count": format_percent(summary.total.share_by_count),
        "light_by_value": light(summary.light_by_value),
        "light_by_count": light(summary.light_by_count),
        "chart": month_share_chart(summary=summary, subject=subject),
        "month_rows": [_period_row(m, summary.currency, month_name(m.month)) for m in summary.months],
        "total_row": _period_row(summary.total, summary.currency, _("Year")),
        "generated_at": timezone.localtime(clock.now()),
    }


def _year_choices(years: list[int], selected: int) -> list[int]:
    return sorted({*years, selected, current_fiscal_year()}, reverse=True)


def _bad_year(request, error: DomainError) -> TemplateResponse:
    return TemplateResponse(request, "errors/error.html", {"message": error.message, "status": 400}, status=400)


def _csv(summary: QuotaSummary, filename: str) -> HttpResponse:
    """The month rows, machine-readable: plain decimals with a point, no thousands separators."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for m in summary.months:
        writer.writerow(
            [
                f"{summary.fiscal_year}-{m.month:02d}",
                f"{m.total_amount:.2f}",
                m.total_count,
                f"{m.mype_amount:.2f}",
                m.mype_count,
                "" if m.share_by_value is None else f"{m.share_by_value:.2f}",
                "" if m.share_by_count is None else f"{m.share_by_count:.2f}",
            ]
        )
    return response


def _sorted_entities(rows: list[EntityQuota], sort: str) -> list[EntityQuota]:
    """By name, or by a share; entities without a share (no awards) always last."""
    if sort == "name":
        return rows
    attribute = "share_by_value" if sort.endswith("value") else "share_by_count"
    descending = sort.startswith("-")
    with_share = [r for r in rows if getattr(r.total, attribute) is not None]
    without = [r for r in rows if getattr(r.total, attribute) is None]
    with_share.sort(key=lambda r: getattr(r.total, attribute), reverse=descending)  # stable: ties stay by name
    return with_share + without


def quota_national(request):
    try:
        year = fiscal_year_parse(request.GET.get("year"))
    except DomainError as error:
        return _bad_year(request, error)
    policy = policy_for("PE")
    summary = quota_summary(fiscal_year=year, policy=policy)
    if request.GET.get("format") == "csv":
        return _csv(summary, f"quotas-national-{year}.csv")
    sort = request.GET.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    entities = _sorted_entities(quota_by_entity(fiscal_year=year, policy=policy), sort)
    page = Paginator(entities, ENTITIES_PER_PAGE).get_page(request.GET.get("page"))
    rows = [
        {
            "entity_id": row.entity_id,
            "name": row.name,
            "total_count": row.total.total_count,
            "total_amount": format_money(row.total.total_amount, summary.currency),
            "share_by_value": format_percent(row.total.share_by_value),
            "share_by_count": format_percent(row.total.share_by_count),
            "light_by_value": light(row.light_by_value),
            "light_by_count": light(row.light_by_count),
        }
        for row in page.object_list
    ]
    context = _summary_context(summary, subject=_("all contracting entities"))
    context.update(
        {
            "year": year,
            "years": _year_choices(quota_years(), year),
            "sort": sort,
            "page": page,
            "entities": rows,
            "entity_count": len(entities),
        }
    )
    return TemplateResponse(request, "smeregistry/quotas/national.html", context)


def quota_entity(request, entity_id: int):
    try:
        entity = quota_entity_get(entity_id)
    except NotFoundError as error:
        raise Http404(error.message) from None
    try:
        year = fiscal_year_parse(request.GET.get("year"))
    except DomainError as error:
        return _bad_year(request, error)
    summary = quota_summary(fiscal_year=year, entity=entity)
    if request.GET.get("format") == "csv":
        return _csv(summary, f"quotas-{entity.pk}-{year}.csv")
    context = _summary_context(summary, subject=entity.name)
    context.update({"entity": entity, "year": year, "years": _year_choices(quota_years(entity=entity), year)})
    return TemplateResponse(request, "smeregistry/quotas/entity.html", context)


urlpatterns = [
    path("registry/quotas/", quota_national, name="quota-national"),
    path("registry/quotas/<int:entity_id>/", quota_entity, name="quota-entity"),
]
