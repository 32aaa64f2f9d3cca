"""Public pages: supplier search, the supplier's profile, the sanctions list.

No sign-in, no JavaScript; the profile never shows the exact declared sales, only the size class.
"""

from __future__ import annotations

import csv
import re
from datetime import date

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from portal.core import clock
from procurement.selectors import supplier_performance
from smeregistry.enums import Register, SizeClass, SupplierStatus
from smeregistry.models import Region
from smeregistry.selectors import (
    PUBLIC_STATUSES,
    public_sanctions,
    supplier_awards,
    supplier_by_ruc,
    supplier_consortium_memberships,
    supplier_sanctions,
    supplier_search,
)

PAGE_SIZE = 50


def lima_today() -> date:
    """Sanctions and validity are counted in calendar days of the portal's time zone (Lima)."""
    return timezone.localtime(clock.now()).date()


def normalise_category(code: str) -> str:
    """A UNSPSC code as typed: 2, 4, 6 or 8 digits (43, 4321, 432115, 43211500) → 8 digits."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{2}|\d{4}|\d{6}|\d{8}", code):
        raise forms.ValidationError(
            gettext_lazy("A UNSPSC code has 2, 4, 6 or 8 digits, e.g. 43 or 43211500."), code="invalid_category"
        )
    return code.ljust(8, "0")


class SupplierSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("RUC or name"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = forms.CharField(
        label=gettext_lazy("Category (UNSPSC code)"),
        required=False,
        max_length=11,
        help_text=gettext_lazy("Segment, family, class or product, e.g. 43 or 43211500."),
    )
    region = forms.ChoiceField(label=gettext_lazy("Region"), required=False)
    size_class = forms.ChoiceField(
        label=gettext_lazy("Size"), required=False, choices=[("", gettext_lazy("Any size")), *SizeClass.choices]
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any status"))]
        + [(value, label) for value, label in SupplierStatus.choices if value in PUBLIC_STATUSES],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [
            ("", _("Any region")),
            *Region.objects.filter(country="PE").values_list("code", "name"),
        ]

    def clean_category(self) -> str:
        code = self.cleaned_data["category"].strip()
        return normalise_category(code) if code else ""


@require_safe
def supplier_list(request: HttpRequest) -> HttpResponse:
    form = SupplierSearchForm(request.GET or None)
    page = None
    if not form.is_bound or form.is_valid():
        criteria = form.cleaned_data if form.is_bound else {}
        rows = supplier_search(
            category_code=criteria.get("category") or None,
            region_code=criteria.get("region") or None,
            size_class=criteria.get("size_class") or None,
            status=criteria.get("status") or PUBLIC_STATUSES,
            text=criteria.get("q") or None,
        )
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "smeregistry/public/supplier_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_safe
def supplier_profile(request: HttpRequest, ruc: str) -> HttpResponse:
    supplier = supplier_by_ruc(ruc)
    if supplier is None:
        raise Http404(_("No supplier with that RUC is registered."))
    today = lima_today()
    sanctions = list(supplier_sanctions(supplier=supplier))
    return render(
        request,
        "smeregistry/public/supplier_profile.html",
        {
            "supplier": supplier,
            "today": today,
            "registers": [Register(name).label for name in supplier.registers],
            "categories": [link.category for link in supplier.category_links.all()],
            "sanctions_in_force": [s for s in sanctions if s.in_force_on(today)],
            "sanctions_upcoming": [s for s in sanctions if s.starts_on > today],
            "sanctions_past": [s for s in sanctions if s.ends_on is not None and s.ends_on < today],
            "awards": supplier_awards(supplier=supplier),
            "memberships": supplier_consortium_memberships(supplier=supplier),
            "performance": supplier_performance(organisation_id=supplier.organisation_id),
        },
    )


CSV_COLUMNS = ["ruc", "legal_name", "starts_on", "ends_on", "in_force", "reason", "source"]


def _csv_cell(value: object) -> str:
    """Text typed by people, made inert for spreadsheets (no formulas: =, +, -, @ lead with a quote)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


class _Echo:
    def write(self, value: str) -> str:
        return value


def _sanctions_csv(rows, *, today: date, include_past: bool) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(CSV_COLUMNS)
        for sanction in rows.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    sanction.supplier.ruc,
                    _csv_cell(sanction.supplier.legal_name),
                    sanction.starts_on.isoformat(),
                    sanction.ends_on.isoformat() if sanction.ends_on else "",
                    "yes" if sanction.in_force_on(today) else "no",
                    _csv_cell(sanction.reason),
                    _csv_cell(sanction.source),
                ]
            )

    name = f"sanctions-{today.isoformat()}{'-all' if include_past else ''}.csv"
    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def sanction_list(request: HttpRequest) -> HttpResponse:
    today = lima_today()
    include_past = request.GET.get("include_past") in {"1", "on", "true"}
    rows = public_sanctions(on=today, include_past=include_past)
    if request.GET.get("format") == "csv":
        return _sanctions_csv(rows, today=today, include_past=include_past)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    csv_query = query.copy()
    csv_query["format"] = "csv"
    return render(
        request,
        "smeregistry/public/sanction_list.html",
        {
            "page": page,
            "today": today,
            "include_past": include_past,
            "query": query.urlencode(),
            "csv_query": csv_query.urlencode(),
        },
    )


urlpatterns = [
    path("registry/suppliers/", supplier_list, name="supplier-list"),
    path("registry/suppliers/<str:ruc>/", supplier_profile, name="supplier-profile"),
    path("registry/sanctions/", sanction_list, name="sanction-list"),
]
