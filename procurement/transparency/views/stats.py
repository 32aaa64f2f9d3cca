"""The public price history of a product and the purchase statistics: no sign-in, no JavaScript.

Both pages are GET forms over public data. The charts are inline SVG drawn on the server
(``transparency.charts``) with the same figures in tables beside them, and every figure can be
downloaded (CSV; the statistics also as XLSX). A parameter that cannot be read answers 400 with the
form and a message saying what to change, never a server error.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.core.errors import DomainError
from portal.core.money import format_money
from procurement.transparency import charts
from procurement.transparency.prices import (
    PERIODS,
    PriceHistory,
    PriceRow,
    price_history,
    priced_products,
    product_name,
    product_search,
)
from procurement.transparency.stats import DIMENSIONS, PurchaseStatistics, purchase_statistics
from smeregistry.charts import format_percent
from smeregistry.models import Region
from smeregistry.services.quotas import fiscal_year_parse

CURRENCIES = [("PEN", "PEN"), ("USD", "USD")]
POINTS_PER_PAGE = 40
TOP_BUCKETS = 25  # rows of a dimension on the page; the downloads carry them all
CODE = re.compile(r"^\d{8}$")


# --- Price history ----------------------------------------------------------------------------------


class PriceForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Product (UNSPSC code or name)"), required=False, max_length=100)
    unit = forms.RegexField(
        label=gettext_lazy("Unit of measure"),
        regex=r"^[A-Za-z0-9]{1,3}$",
        required=False,
        error_messages={
            "invalid": gettext_lazy("A unit of measure is a UN/ECE code of up to three letters or digits.")
        },
    )
    region = forms.ChoiceField(label=gettext_lazy("Delivery region"), required=False)
    currency = forms.ChoiceField(
        label=gettext_lazy("Currency"), required=False, choices=[("", gettext_lazy("Most used")), *CURRENCIES]
    )
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        choices=[
            ("month", gettext_lazy("Month")),
            ("quarter", gettext_lazy("Quarter")),
            ("year", gettext_lazy("Year")),
        ],
    )
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, input_formats=["%Y-%m-%d"])
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, input_formats=["%Y-%m-%d"])
    page = forms.IntegerField(required=False, min_value=1, max_value=100000)
    format = forms.ChoiceField(required=False, choices=[("", "HTML"), ("csv", "CSV")])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(country="PE").order_by("name").values_list("code", "name")
        self.fields["region"].choices = [("", _("All regions")), *regions]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        data["unit"] = (data.get("unit") or "").upper() or None
        data["period"] = data.get("period") or PERIODS[0]
        return data


def _contract_links() -> bool:
    """Whether the public contract page exists yet (another part of the drill-down provides it)."""
    try:
        reverse("transparency-contract", kwargs={"pk": 1})
    except NoReverseMatch:
        return False
    return True


def _point_url(contracts: bool) -> Any:
    def url_for(point: PriceRow) -> str:
        if contracts and point.contract_id:
            return reverse("transparency-contract", kwargs={"pk": point.contract_id})
        return reverse("tender-detail", kwargs={"pk": point.tender_id})

    return url_for


def _query(params: dict[str, Any], **changes: Any) -> str:
    merged = {key: value for key, value in {**params, **changes}.items() if value not in (None, "")}
    return "?" + urlencode(merged)


def _prices_csv(history: PriceHistory, url_for) -> HttpResponse:
    """Every point, machine-readable: ISO times in UTC, plain decimals, links as absolute paths."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="prices-{history.code}-{history.unit or "all"}.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "agreed_at",
            "unspsc_code",
            "unit",
            "unit_price",
            "currency",
            "quantity",
            "delivery_region",
            "tender_code",
            "contract_number",
            "entity",
            "supplier",
            "url",
        ]
    )
    for point in history.points:
        writer.writerow(
            [
                point.agreed_at.isoformat(),
                history.code,
                point.unit,
                f"{point.unit_price:f}",
                point.currency,
                f"{point.quantity:f}",
                point.region_code,
                point.tender_code,
                point.contract_number,
                point.entity_name,
                point.supplier_name,
                url_for(point),
            ]
        )
    return response


def prices_page(request):
    form = PriceForm(request.GET or None)
    context: dict[str, Any] = {"form": form}
    status = 200
    if request.GET and not form.is_valid():
        context["errors"] = [str(error) for errors in form.errors.values() for error in errors]
        status = 400
    elif request.GET and (text := form.cleaned_data["q"].strip()):
        if not CODE.match(text):
            context["matches"] = product_search(text=text)
        else:
            return _history_page(request, form, code=text)
    if status == 200 and "matches" not in context:
        context["products"] = priced_products()
    return TemplateResponse(request, "procurement/transparency/prices.html", context, status=status)


def _history_page(request, form: PriceForm, *, code: str) -> HttpResponse:
    data = form.cleaned_data
    context: dict[str, Any] = {"form": form}
    history = price_history(
        code=code,
        unit=data["unit"],
        region=data["region"] or None,
        currency=data["currency"] or None,
        period=data["period"],
        date_from=data["date_from"],
        date_to=data["date_to"],
    )
    url_for = _point_url(_contract_links())
    if data["format"] == "csv":
        return _prices_csv(history, url_for)
    name = product_name(code=code)
    params = {
        key: request.GET.get(key) for key in ("q", "unit", "region", "currency", "period", "date_from", "date_to")
    }
    page = Paginator(history.points, POINTS_PER_PAGE).get_page(data["page"])
    currency = history.currency or ""
    regions = dict(form.fields["region"].choices)
    context.update(
        {
            "product": {"code": code, "name": name},
            "history": history,
            "drawn": len(history.points) <= charts.MAX_DRAWN_POINTS,
            "chart": charts.price_chart(history=history, url_for=url_for, subject=f"{code} {name}")
            if history.points
            else None,
            "periods": [
                {
                    "label": p.label,
                    "count": p.count,
                    "median": charts.format_unit_price(p.median, currency),
                    "minimum": charts.format_unit_price(p.minimum, currency),
                    "maximum": charts.format_unit_price(p.maximum, currency),
                }
                for p in history.periods
            ],
            "page": page,
            "rows": [
                {
                    "day": point.agreed_at,
                    "price": charts.format_unit_price(point.unit_price, currency),
                    "quantity": f"{point.quantity.normalize():,f}",
                    "region": regions.get(point.region_code, point.region_code),
                    "tender_code": point.tender_code,
                    "tender_url": reverse("tender-detail", kwargs={"pk": point.tender_id}),
                    "contract_number": point.contract_number,
                    "url": url_for(point),
                    "entity": point.entity_name,
                    "supplier": point.supplier_name,
                }
                for point in page.object_list
            ],
            "options": [
                {
                    "unit": option.unit,
                    "currency": option.currency,
                    "count": option.count,
                    "current": (option.unit, option.currency) == (history.unit, history.currency),
                    "query": _query(params, unit=option.unit, currency=option.currency, page=None),
                }
                for option in history.options
            ],
            "page_query": _query(params, page=None),
            "csv_query": _query(params, format="csv", page=None),
        }
    )
    return TemplateResponse(request, "procurement/transparency/prices.html", context)


# --- Statistics -------------------------------------------------------------------------------------

TITLES = {
    "period": gettext_lazy("By period"),
    "entity": gettext_lazy("By contracting entity"),
    "region": gettext_lazy("By region of the entity"),
    "procedure": gettext_lazy("By procedure type"),
    "object": gettext_lazy("By object"),
    "size": gettext_lazy("By size of the supplier (awards)"),
}


class StatsForm(forms.Form):
    year = forms.CharField(label=gettext_lazy("Year"), required=False, max_length=4)
    currency = forms.ChoiceField(label=gettext_lazy("Currency"), required=False, choices=CURRENCIES)
    format = forms.ChoiceField(required=False, choices=[("", "HTML"), ("csv", "CSV"), ("xlsx", "XLSX")])

    def clean_year(self) -> int | None:
        value = (self.cleaned_data.get("year") or "").strip()
        if value == "all":
            return None
        try:
            return fiscal_year_parse(value)
        except DomainError as error:
            raise forms.ValidationError(error.message) from None


def _stats_rows(stats: PurchaseStatistics) -> list[list[Any]]:
    """One row per bucket of every dimension, then the MYPE figures: what the downloads hold."""
    rows: list[list[Any]] = []
    for dimension in DIMENSIONS:
        counted = "awards" if dimension == "size" else "processes"
        rows += [
            [dimension, b.key, b.label, counted, b.count, f"{b.amount:.2f}", stats.currency]
            for b in stats.dimensions[dimension]
        ]
    mype = stats.mype
    rows.append(["mype", "all", _("All awards in force"), "awards", mype.awards, f"{mype.awarded:.2f}", stats.currency])
    rows.append(
        ["mype", "mype", _("Awards to MYPE"), "awards", mype.mype_awards, f"{mype.mype_awarded:.2f}", stats.currency]
    )
    return rows


STATS_HEADER = ["dimension", "key", "label", "counted", "count", "amount", "currency"]


def _stats_csv(stats: PurchaseStatistics, filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    writer = csv.writer(response)
    writer.writerow(STATS_HEADER)
    writer.writerows(_stats_rows(stats))
    return response


def _stats_xlsx(stats: PurchaseStatistics, filename: str) -> HttpResponse:
    """One sheet per dimension and one for the MYPE share, numbers as numbers."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold, money = book.add_format({"bold": True}), book.add_format({"num_format": "#,##0.00"})
    for dimension in DIMENSIONS:
        sheet = book.add_worksheet(dimension)
        sheet.write_row(0, 0, [str(TITLES[dimension]), _("Count"), _("Amount (%(c)s)") % {"c": stats.currency}], bold)
        for index, bucket in enumerate(stats.dimensions[dimension], start=1):
            sheet.write(index, 0, bucket.label)
            sheet.write_number(index, 1, bucket.count)
            sheet.write_number(index, 2, float(bucket.amount), money)
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 2, 16)
    sheet = book.add_worksheet("mype")
    mype = stats.mype
    for index, (label, value) in enumerate(
        [
            (_("Awarded (in force)"), float(mype.awarded)),
            (_("Awarded to MYPE"), float(mype.mype_awarded)),
            (_("Awards"), mype.awards),
            (_("Awards to MYPE"), mype.mype_awards),
            (_("Share by value (%)"), float(mype.share_by_value or 0)),
            (_("Share by number (%)"), float(mype.share_by_count or 0)),
            (_("Goal (%)"), float(mype.target)),
        ]
    ):
        sheet.write(index, 0, label)
        sheet.write_number(index, 1, value)
    sheet.set_column(0, 0, 30)
    book.close()
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def statistics_page(request):
    form = StatsForm(request.GET or None)
    if request.GET and not form.is_valid():
        errors = [str(error) for errors in form.errors.values() for error in errors]
        context = {"form": form, "errors": errors}
        return TemplateResponse(request, "procurement/transparency/stats.html", context, status=400)
    data = form.cleaned_data if request.GET else {"year": fiscal_year_parse(None), "currency": ""}
    currency = data.get("currency") or "PEN"
    stats = purchase_statistics(year=data["year"], currency=currency)
    filename = f"purchases-{stats.year or 'all'}-{currency}"
    if data.get("format") == "csv":
        return _stats_csv(stats, filename)
    if data.get("format") == "xlsx":
        return _stats_xlsx(stats, filename)
    year_param = stats.year or "all"
    sections = []
    for dimension in DIMENSIONS:
        buckets = stats.dimensions[dimension]
        shown = buckets[:TOP_BUCKETS]
        sections.append(
            {
                "key": dimension,
                "title": TITLES[dimension],
                "counted": _("Awards") if dimension == "size" else _("Processes"),
                "chart": charts.bar_chart(
                    buckets=shown, currency=currency, title=str(TITLES[dimension]), chart_id=f"chart-{dimension}"
                )
                if shown
                else None,
                "rows": [
                    {"label": b.label, "count": b.count, "amount": format_money(b.amount, currency)} for b in shown
                ],
                "hidden": len(buckets) - len(shown),
            }
        )
    mype = stats.mype
    quota = mype.quota
    context = {
        "form": form,
        "stats": stats,
        "year_param": year_param,
        "total_amount": format_money(stats.total_amount, currency),
        "sections": sections,
        "other_currencies": [(code, n) for code, n in stats.currencies.items() if code != currency],
        "mype": {
            "target": format_percent(mype.target),
            "awarded": format_money(mype.awarded, currency),
            "mype_awarded": format_money(mype.mype_awarded, currency),
            "awards": mype.awards,
            "mype_awards": mype.mype_awards,
            "share_by_value": format_percent(mype.share_by_value),
            "share_by_count": format_percent(mype.share_by_count),
            "met_by_value": mype.share_by_value is not None and mype.share_by_value >= mype.target,
            "quota_by_value": format_percent(quota.total.share_by_value) if quota else None,
            "quota_by_count": format_percent(quota.total.share_by_count) if quota else None,
        },
        "csv_query": _query({"year": year_param, "currency": currency}, format="csv"),
        "xlsx_query": _query({"year": year_param, "currency": currency}, format="xlsx"),
    }
    return TemplateResponse(request, "procurement/transparency/stats.html", context)


urlpatterns = [
    path("prices/", prices_page, name="transparency-prices"),
    path("statistics/", statistics_page, name="transparency-statistics"),
]
