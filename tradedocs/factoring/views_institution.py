"""The financial institution's factoring pages: the chains it is admitted to with its current offer and
the form to publish a new one (the cap shown), the selections waiting for an answer (operate or decline),
its exposure per chain, weekly charts, its operations with their maturities, and their CSV.
See tradedocs/factoring/urls.py.

Every page acts for the person's active organisation (``request.organisation``), a financial institution,
as a financier officer or administrator, and reads only through tradedocs/factoring/selectors.py: another
institution's financing is "not found". The services decide the rest; their refusals come back on the
page with their 4xx status.

URL names: factoring-institution, factoring-institution-offer, factoring-institution-operate,
factoring-institution-decline, factoring-institution-operations, factoring-institution-operations-csv.
"""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Organisation
from portal.core.errors import DomainError, NotFoundError
from tradedocs.factoring import charts, selectors
from tradedocs.factoring.enums import FinancingStatus
from tradedocs.factoring.forms import OfferForm
from tradedocs.factoring.models import Financing
from tradedocs.factoring.services import financing_operate, financing_refuse, offer_publish

INSTITUTION_PAGE_ROLES = frozenset({Role.FINANCIER_OFFICER, Role.ADMINISTRATOR})
OPERATION_STATUSES = (FinancingStatus.OPERATED, FinancingStatus.OVERDUE, FinancingStatus.SETTLED)


def institution_organisation(request: HttpRequest) -> Organisation:
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        raise PermissionDenied(_("Act for an organisation to see its factoring."))
    if organisation.kind != OrganisationKind.FINANCIAL_INSTITUTION:
        raise PermissionDenied(_("These pages are a financial institution's: act for one to see its operations."))
    if not getattr(request, "roles", frozenset()) & INSTITUTION_PAGE_ROLES:
        raise PermissionDenied(_("Only the institution's financier officers and administrators see these pages."))
    return organisation


def _financing(organisation: Organisation, financing_id: int) -> Financing:
    try:
        return selectors.financing_get_for_institution(organisation, financing_id)
    except NotFoundError:
        raise Http404(_("No such financing.")) from None


def weekly_charts(weeks: list[Any], *, prefix: str) -> dict[str, Any]:
    """The volume bars, the rate line and their tables for a list of ``selectors.WeekFigures``."""
    volume = [(week.week.strftime("%d/%m"), week.volume) for week in weeks]
    rate = [(week.week.strftime("%d/%m"), week.average_rate) for week in weeks]
    empty = _("No operation in the last 26 weeks.")
    week_header = _("Week of")
    return {
        "volume_svg": charts.bar_chart(
            volume,
            chart_id=f"{prefix}-volume",
            title=_("Face value operated per week"),
            desc=_("Bars: the face value of the documents operated each week, by the Monday that starts it."),
            empty=empty,
        ),
        "volume_table": charts.data_table(
            volume, caption=_("Face value operated per week"), label_header=week_header, value_header=_("Face value")
        ),
        "rate_svg": charts.line_chart(
            rate,
            chart_id=f"{prefix}-rate",
            title=_("Average discount rate per week"),
            desc=_("Line: the discount rate of the week's operations, weighted by face value, in % a year."),
            empty=empty,
        ),
        "rate_table": charts.data_table(
            rate,
            caption=_("Average discount rate per week"),
            label_header=week_header,
            value_header=_("Rate (% a year)"),
        ),
    }


# --- The institution's desk: chains, offers, selections, exposure ---------------------------------------


def _home_page(
    request: HttpRequest,
    organisation: Organisation,
    *,
    bound: dict[int, OfferForm] | None = None,
    error: str = "",
    error_chain: int | None = None,
    status: int = 200,
) -> HttpResponse:
    chains = selectors.chains_of_institution(organisation)
    bound = bound or {}
    rows = [
        {
            "item": item,
            "form": bound.get(
                item.chain.pk,
                OfferForm(
                    auto_id=f"offer{item.chain.pk}_%s",
                    initial={"reference_rate": item.offer.reference_rate, "spread": item.offer.spread}
                    if item.offer
                    else None,
                ),
            ),
            "error": error if error_chain == item.chain.pk else "",
        }
        for item in chains
    ]
    context = {
        "organisation": organisation,
        "chains": rows,
        "selections": list(selectors.financings_of_institution(organisation, [FinancingStatus.SELECTED])),
        "error": error if error_chain is None else "",
    }
    context.update(weekly_charts(selectors.institution_weekly(organisation), prefix="institution"))
    return render(request, "factoring/institution/home.html", context, status=status)


@never_cache
@require_safe
@login_required
def home(request: HttpRequest) -> HttpResponse:
    return _home_page(request, institution_organisation(request))


@require_POST
@login_required
def offer_publish_view(request: HttpRequest, chain_id: int) -> HttpResponse:
    organisation = institution_organisation(request)
    try:
        membership = selectors.membership_get_for_institution(organisation, chain_id)
    except NotFoundError:
        raise Http404(_("No such chain.")) from None
    chain = membership.chain
    form = OfferForm(request.POST, auto_id=f"offer{chain.pk}_%s")
    if not form.is_valid():
        return _home_page(request, organisation, bound={chain.pk: form}, status=400)
    try:
        offer = offer_publish(
            actor=request.user,
            chain=chain,
            institution=organisation,
            reference_rate=form.cleaned_data["reference_rate"],
            spread=form.cleaned_data["spread"],
            valid_from=form.cleaned_data["valid_from"],
        )
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.message)
            return _home_page(request, organisation, bound={chain.pk: form}, status=exc.status)
        return _home_page(
            request, organisation, bound={chain.pk: form}, error=exc.message, error_chain=chain.pk, status=exc.status
        )
    messages.success(
        request,
        _("Your offer for %(chain)s was published: %(rate)s%% a year from %(date)s.")
        % {"chain": chain.name, "rate": offer.rate, "date": offer.valid_from.strftime("%d/%m/%Y")},
    )
    return redirect("factoring-institution")


def _answer(request: HttpRequest, financing_id: int, *, operate: bool) -> HttpResponse:
    organisation = institution_organisation(request)
    financing = _financing(organisation, financing_id)
    try:
        if operate:
            financing = financing_operate(actor=request.user, financing=financing)
        else:
            financing = financing_refuse(actor=request.user, financing=financing)
    except DomainError as exc:
        return _home_page(request, organisation, error=exc.message, status=exc.status)
    number = financing.receivable.number
    if operate:
        messages.success(
            request,
            _("Document %(number)s was operated: disburse %(net)s to the supplier today.")
            % {"number": number, "net": f"{financing.net:,.2f}"},
        )
    else:
        messages.success(request, _("You declined document %(number)s; it is negotiable again.") % {"number": number})
    return redirect("factoring-institution")


@require_POST
@login_required
def operate(request: HttpRequest, financing_id: int) -> HttpResponse:
    return _answer(request, financing_id, operate=True)


@require_POST
@login_required
def decline(request: HttpRequest, financing_id: int) -> HttpResponse:
    return _answer(request, financing_id, operate=False)


# --- Operations and their maturities --------------------------------------------------------------------


def _statuses(request: HttpRequest) -> tuple[str, list[str]]:
    chosen = request.GET.get("status", "")
    if chosen in OPERATION_STATUSES:
        return chosen, [chosen]
    return "", list(OPERATION_STATUSES)


@require_safe
@login_required
def operations(request: HttpRequest) -> HttpResponse:
    organisation = institution_organisation(request)
    chosen, statuses = _statuses(request)
    return render(
        request,
        "factoring/institution/operations.html",
        {
            "organisation": organisation,
            "financings": list(selectors.financings_of_institution(organisation, statuses)),
            "statuses": [(status, FinancingStatus(status).label) for status in OPERATION_STATUSES],
            "chosen": chosen,
        },
    )


CSV_COLUMNS = [
    ("financing", "pk"),
    ("chain", "receivable.chain.name"),
    ("document", "receivable.number"),
    ("supplier_ruc", "receivable.supplier.tax_id"),
    ("supplier", "receivable.supplier.name"),
    ("buyer_ruc", "receivable.buyer.tax_id"),
    ("buyer", "receivable.buyer.name"),
    ("status", "status"),
    ("currency", "receivable.currency"),
    ("face", "face"),
    ("rate", "rate"),
    ("days", "days"),
    ("discount", "discount"),
    ("net", "net"),
    ("effective_rate", "effective_rate"),
    ("disbursement_date", "disbursement_date"),
    ("due_date", "receivable.due_date"),
    ("operated_at", "operated_at"),
    ("settled_at", "settled_at"),
]


def csv_value(obj: Any, path: str) -> str:
    for part in path.split("."):
        obj = getattr(obj, part)
    if obj is None:
        return ""
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    text = str(obj)
    # A cell a spreadsheet would run as a formula is quoted as text.
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@require_safe
@login_required
def operations_csv(request: HttpRequest) -> HttpResponse:
    """The operations for a spreadsheet: UTF-8 with a byte-order mark (Excel), commas, amounts as plain
    decimals, dates and times in ISO 8601. ``?status=`` narrows them as on the page."""
    organisation = institution_organisation(request)
    _chosen, statuses = _statuses(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="factoring-operations.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([name for name, _path in CSV_COLUMNS])
    for financing in selectors.financings_of_institution(organisation, statuses):
        writer.writerow([csv_value(financing, path) for _name, path in CSV_COLUMNS])
    return response
