"""The public transparency pages: the search over processes, contracts and suppliers with its facet
counts, visit counter and downloads, and the drill-down region → entity → process → contract →
supplier → the supplier's other processes.

No sign-in, no JavaScript: every filter is a GET parameter, so every facet, sort and page is a plain
link that can be bookmarked. Everything shown comes from ``transparency.search`` (public data only);
a bad parameter comes back as the form saying what to fix, with status 400.

URL names: transparency-search, transparency-export-csv, transparency-export-xlsx,
transparency-regions, transparency-region, transparency-entity, transparency-contract,
transparency-supplier.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from portal.core import clock
from procurement.enums import ContractStatus, ProcurementObject, Sector, TenderStatus
from procurement.models import EntityProfile, ProcedureType
from procurement.timeline import LIMA
from procurement.transparency import counter, exports
from procurement.transparency.search import (
    FACETS,
    PAGE_SIZE,
    ContractCriteria,
    SearchCriteria,
    category_key,
    contract_public,
    contract_search,
    entity_totals,
    process_search,
    region_entities,
    region_index,
    supplier_record,
)
from smeregistry.models import Region
from smeregistry.selectors import PUBLIC_STATUSES, supplier_by_ruc, supplier_search

PROCESSES, CONTRACTS, SUPPLIERS = "processes", "contracts", "suppliers"
RUC = re.compile(r"\d{11}")
# The GET parameter each process facet sets.
FACET_PARAMS = {
    "region": "region",
    "sector": "sector",
    "procedure_type": "procedure_type",
    "object": "object",
    "status": "status",
}
FACET_TITLES = {
    "region": gettext_lazy("Region"),
    "sector": gettext_lazy("Sector"),
    "procedure_type": gettext_lazy("Procedure type"),
    "object": gettext_lazy("Object"),
    "status": gettext_lazy("Status"),
    "year": gettext_lazy("Year of publication"),
}
SORT_LABELS = {
    "newest": gettext_lazy("Newest first"),
    "oldest": gettext_lazy("Oldest first"),
    "amount_desc": gettext_lazy("Highest amount"),
    "amount_asc": gettext_lazy("Lowest amount"),
}


def _money_field(label: str) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_digits=18,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class TransparencySearchForm(forms.Form):
    type = forms.ChoiceField(
        label=gettext_lazy("Search"),
        required=False,
        choices=[
            (PROCESSES, gettext_lazy("Processes")),
            (CONTRACTS, gettext_lazy("Contracts")),
            (SUPPLIERS, gettext_lazy("Suppliers")),
        ],
    )
    q = forms.CharField(
        label=gettext_lazy("Words"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Accents, capitals and plurals do not matter."),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    date_from = forms.DateField(
        label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        help_text=gettext_lazy("Publication date of processes; signature date of contracts (Lima days)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    entity = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    entity_text = forms.CharField(
        label=gettext_lazy("Contracting entity (name or RUC)"), required=False, max_length=200
    )
    sector = forms.ChoiceField(
        label=gettext_lazy("Sector"), required=False, choices=[("", gettext_lazy("Any sector")), *Sector.choices]
    )
    region = forms.ChoiceField(label=gettext_lazy("Entity's region"), required=False)
    procedure_type = forms.TypedChoiceField(
        label=gettext_lazy("Procedure type"), required=False, coerce=int, empty_value=None
    )
    object = forms.ChoiceField(
        label=gettext_lazy("Object"),
        required=False,
        choices=[("", gettext_lazy("Any object")), *ProcurementObject.choices],
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Process status"),
        required=False,
        choices=[
            ("", gettext_lazy("Any status")),
            *((v, label) for v, label in TenderStatus.choices if v != TenderStatus.DRAFT),
        ],
    )
    contract_status = forms.ChoiceField(
        label=gettext_lazy("Contract status"),
        required=False,
        choices=[("", gettext_lazy("Any status")), *ContractStatus.choices],
    )
    amount_min = _money_field(gettext_lazy("Amount from"))
    amount_max = _money_field(gettext_lazy("Amount up to"))
    supplier = forms.CharField(label=gettext_lazy("Supplier's RUC"), required=False, max_length=11)
    category = forms.CharField(
        label=gettext_lazy("Category (UNSPSC code)"),
        required=False,
        max_length=8,
        help_text=gettext_lazy("Segment, family, class or product, e.g. 43 or 43211500."),
    )
    sort = forms.ChoiceField(label=gettext_lazy("Order"), required=False, choices=list(SORT_LABELS.items()))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["procedure_type"].choices = [
            ("", _("Any procedure")),
            *ProcedureType.objects.filter(jurisdiction="PE").values_list("pk", "name"),
        ]
        self.fields["region"].choices = [
            ("", _("Any region")),
            *Region.objects.filter(country="PE").values_list("code", "name"),
        ]

    def clean_supplier(self) -> str:
        ruc = self.cleaned_data["supplier"].strip()
        if ruc and not RUC.fullmatch(ruc):
            raise forms.ValidationError(_("A RUC has 11 digits."), code="invalid_ruc")
        return ruc

    def clean_category(self) -> str:
        code = re.sub(r"\s", "", self.cleaned_data["category"])
        if not code:
            return ""
        try:
            return category_key(code)[1:]
        except ValueError:
            raise forms.ValidationError(
                _("A UNSPSC code has 2, 4, 6 or 8 digits, e.g. 43 or 43211500."), code="invalid_category"
            ) from None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the range comes before its start."))
        low, high = data.get("amount_min"), data.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("The maximum is below the minimum."))
        return data

    def value(self, name: str) -> Any:
        """A cleaned value, or the field's empty value for an unbound form."""
        return self.cleaned_data.get(name) if self.is_bound else None

    def kind(self) -> str:
        return self.value("type") or PROCESSES

    def chosen_sort(self) -> str:
        return self.value("sort") or "newest"

    def process_criteria(self) -> SearchCriteria:
        get = self.value
        return SearchCriteria(
            text=get("q") or "",
            published_from=get("date_from"),
            published_to=get("date_to"),
            entity=get("entity"),
            entity_text=get("entity_text") or "",
            sector=get("sector") or "",
            region=get("region") or "",
            procedure_type=get("procedure_type"),
            object=get("object") or "",
            status=get("status") or "",
            amount_min=get("amount_min"),
            amount_max=get("amount_max"),
            supplier=get("supplier") or "",
            category=get("category") or "",
        )

    def contract_criteria(self) -> ContractCriteria:
        get = self.value
        return ContractCriteria(
            text=get("q") or "",
            signed_from=get("date_from"),
            signed_to=get("date_to"),
            entity=get("entity"),
            entity_text=get("entity_text") or "",
            region=get("region") or "",
            supplier=get("supplier") or "",
            amount_min=get("amount_min"),
            amount_max=get("amount_max"),
            status=get("contract_status") or "",
        )


def _page_number(request: HttpRequest) -> int:
    """The page asked for; anything that is not a positive number is the first page."""
    value = request.GET.get("page", "")
    return int(value) if value.isdigit() and 0 < len(value) < 7 and int(value) > 0 else 1


def _link(base: QueryDict, **changes: str | None) -> str:
    """``?`` and ``base`` with ``changes`` applied (None removes a parameter), without the page."""
    query = base.copy()
    query.pop("page", None)
    for name, value in changes.items():
        query.pop(name, None)
        if value not in (None, ""):
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def _facet_blocks(results, request: HttpRequest) -> list[dict[str, Any]]:
    """Each facet's values as links that add the filter; a facet already filtered shows its value
    with a link that removes it."""
    blocks = []
    for facet in FACETS:
        values = results.facets.get(facet, [])
        links = []
        for value in values:
            if facet == "year":
                start, end = f"{value.value}-01-01", f"{value.value}-12-31"
                active = request.GET.get("date_from") == start and request.GET.get("date_to") == end
                url = (
                    _link(request.GET, date_from=None, date_to=None)
                    if active
                    else _link(request.GET, date_from=start, date_to=end)
                )
            else:
                param = FACET_PARAMS[facet]
                active = request.GET.get(param) == value.value
                url = _link(request.GET, **{param: None if active else value.value})
            links.append({"label": value.label, "count": value.count, "url": url, "active": active})
        if links:
            blocks.append({"facet": facet, "title": FACET_TITLES[facet], "links": links})
    return blocks


@require_safe
def search(request: HttpRequest) -> HttpResponse:
    form = TransparencySearchForm(request.GET or None)
    counter.counter_hit(key=counter.SEARCH_PAGE)
    asked = request.GET.get("type")
    context: dict[str, Any] = {
        "form": form,
        "export_limit": exports.EXPORT_LIMIT,
        "kind": asked if asked in {PROCESSES, CONTRACTS, SUPPLIERS} else PROCESSES,
    }
    if not form.is_bound or form.is_valid():
        kind, sort, page = form.kind(), form.chosen_sort(), _page_number(request)
        context.update(kind=kind, sort=sort)
        if kind == PROCESSES:
            results = process_search(form.process_criteria(), sort=sort, page=page)
            context["facets"] = _facet_blocks(results, request)
        elif kind == CONTRACTS:
            results = contract_search(form.contract_criteria(), sort=sort, page=page)
        else:
            category = form.value("category")
            suppliers = supplier_search(
                text=form.value("supplier") or form.value("q") or None,
                region_code=form.value("region") or None,
                category_code=category.ljust(8, "0") if category else None,
                status=PUBLIC_STATUSES,
            )
            context["suppliers"] = Paginator(suppliers, PAGE_SIZE).get_page(page)
            results = None
        context["results"] = results
        context["entity_name"] = (
            Organisation.objects.filter(pk=form.value("entity")).values_list("name", flat=True).first()
            if form.value("entity")
            else None
        )
        context["sorts"] = [
            {"label": label, "url": _link(request.GET, sort=name), "active": name == sort}
            for name, label in SORT_LABELS.items()
        ]
        context["kinds"] = [
            {"label": label, "url": _link(request.GET, type=name), "active": name == kind}
            for name, label in form.fields["type"].choices
        ]
        context["csv_link"] = _link(request.GET, sort=sort)
    query = request.GET.copy()
    query.pop("page", None)
    context["query"] = query.urlencode()
    context["visits"] = counter.counter_get(key=counter.SEARCH_PAGE)
    return render(
        request,
        "procurement/transparency/search.html",
        context,
        status=400 if form.is_bound and form.errors else 200,
    )


def _export(request: HttpRequest, fmt: str) -> HttpResponse:
    form = TransparencySearchForm(request.GET or None)
    if (form.is_bound and not form.is_valid()) or form.kind() == SUPPLIERS:
        if form.is_bound and not form.errors:
            form.add_error("type", _("Downloads are of processes or contracts; the suppliers are in the registry."))
        return render(
            request,
            "procurement/transparency/search.html",
            {"form": form, "export_limit": exports.EXPORT_LIMIT},
            status=400,
        )
    absolute = request.build_absolute_uri
    if form.kind() == CONTRACTS:
        table = exports.contract_table(form.contract_criteria(), sort=form.chosen_sort(), absolute=absolute)
    else:
        table = exports.process_table(form.process_criteria(), sort=form.chosen_sort(), absolute=absolute)
    today = clock.now().astimezone(LIMA).date().isoformat()
    filename = f"{form.kind()}-{today}"
    if fmt == "xlsx":
        return exports.xlsx_response(table, filename=filename)
    return exports.csv_response(table, filename=filename)


@require_safe
def export_csv(request: HttpRequest) -> HttpResponse:
    return _export(request, "csv")


@require_safe
def export_xlsx(request: HttpRequest) -> HttpResponse:
    return _export(request, "xlsx")


# --- Drill-down ----------------------------------------------------------------------------------------


@require_safe
def regions(request: HttpRequest) -> HttpResponse:
    return render(request, "procurement/transparency/regions.html", {"regions": region_index()})


@require_safe
def region(request: HttpRequest, code: str) -> HttpResponse:
    place = Region.objects.filter(country="PE", code=code).first()
    if place is None:
        raise Http404(_("No such region."))
    line = next((line for line in region_index() if line.code == code), None)
    return render(
        request,
        "procurement/transparency/region.html",
        {"region": place, "line": line, "entities": region_entities(region_code=code)},
    )


@require_safe
def entity(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = Organisation.objects.filter(pk=pk, kind=OrganisationKind.CONTRACTING_ENTITY).first()
    if organisation is None:
        raise Http404(_("No such contracting entity."))
    profile = EntityProfile.objects.select_related("region").filter(organisation=organisation).first()
    sort = request.GET.get("sort") if request.GET.get("sort") in SORT_LABELS else "newest"
    results = process_search(SearchCriteria(entity=organisation.pk), sort=sort, page=_page_number(request))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "procurement/transparency/entity.html",
        {
            "entity": organisation,
            "profile": profile,
            "totals": entity_totals(entity_id=organisation.pk),
            "results": results,
            "statuses": results.facets.get("status", []),
            "query": query.urlencode(),
            "sorts": [
                {"label": label, "url": _link(request.GET, sort=name), "active": name == sort}
                for name, label in SORT_LABELS.items()
            ],
        },
    )


@require_safe
def contract(request: HttpRequest, pk: int) -> HttpResponse:
    summary = contract_public(contract_id=pk)
    if summary is None:
        raise Http404(_("No such contract."))
    region_name = Region.objects.filter(country="PE", code=summary.process.region_code).values_list("name", flat=True)
    return render(
        request,
        "procurement/transparency/contract.html",
        {"contract": summary, "region_name": region_name.first() or summary.process.region_code},
    )


@require_safe
def supplier(request: HttpRequest, ruc: str) -> HttpResponse:
    record = supplier_record(ruc=ruc)
    if record is None:
        raise Http404(_("No supplier with that RUC."))
    return render(
        request,
        "procurement/transparency/supplier.html",
        {"record": record, "registered": supplier_by_ruc(ruc) is not None},
    )


urlpatterns = [
    path("", search, name="transparency-search"),
    path("export.csv", export_csv, name="transparency-export-csv"),
    path("export.xlsx", export_xlsx, name="transparency-export-xlsx"),
    path("regions/", regions, name="transparency-regions"),
    path("regions/<str:code>/", region, name="transparency-region"),
    path("entities/<int:pk>/", entity, name="transparency-entity"),
    path("contracts/<int:pk>/", contract, name="transparency-contract"),
    path("suppliers/<str:ruc>/", supplier, name="transparency-supplier"),
]
