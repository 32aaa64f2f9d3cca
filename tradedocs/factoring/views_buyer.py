"""The buyer's factoring pages: its chains (and opening one); per chain its suppliers (invite by RUC) and
institutions (admit by RUC, with limits), statistics and weekly charts; its payables with their actions
(withdraw, dispute, resolve, paid directly, settle) and their CSV; the CSV upload of confirmed payables
with the result row by row; the maturity calendar. See tradedocs/factoring/urls.py.

Every page acts for the person's active organisation (``request.organisation``), a contracting entity,
as a procurement officer or administrator, and reads only through tradedocs/factoring/selectors.py:
another buyer's chain or document is "not found". The services decide the rest; their refusals come
back on the page with their 4xx status.

URL names: factoring-buyer, factoring-buyer-chain, factoring-buyer-invite, factoring-buyer-admit,
factoring-buyer-payables, factoring-buyer-payables-csv, factoring-buyer-upload, factoring-buyer-calendar,
factoring-buyer-payable-action.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Organisation
from portal.core.errors import DomainError, NotFoundError
from tradedocs.factoring import selectors, services
from tradedocs.factoring.enums import ReceivableStatus
from tradedocs.factoring.forms import (
    AdmitInstitutionForm,
    ChainOpenForm,
    InviteSupplierForm,
    PayableFilterForm,
    PayablesUploadForm,
)
from tradedocs.factoring.models import Chain, Receivable
from tradedocs.factoring.views_institution import csv_value, weekly_charts

BUYER_PAGE_ROLES = frozenset({Role.PROCUREMENT_OFFICER, Role.ADMINISTRATOR})


def buyer_organisation(request: HttpRequest) -> Organisation:
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        raise PermissionDenied(_("Act for an organisation to see its factoring."))
    if organisation.kind != OrganisationKind.CONTRACTING_ENTITY:
        raise PermissionDenied(_("These pages are a buyer's: act for a contracting entity to manage its chains."))
    if not getattr(request, "roles", frozenset()) & BUYER_PAGE_ROLES:
        raise PermissionDenied(_("Only the entity's procurement officers and administrators manage its chains."))
    return organisation


def _chain(organisation: Organisation, chain_id: int) -> Chain:
    try:
        return selectors.chain_get_for_buyer(organisation, chain_id)
    except NotFoundError:
        raise Http404(_("No such chain.")) from None


# --- My chains ---------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def home(request: HttpRequest) -> HttpResponse:
    organisation = buyer_organisation(request)
    status, error = 200, ""
    if request.method == "POST":
        form = ChainOpenForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                chain = services.chain_open(
                    actor=request.user,
                    buyer=organisation,
                    programme=form.cleaned_data["programme"],
                    name=form.cleaned_data["name"],
                    buyer_limit=form.cleaned_data["buyer_limit"],
                )
            except DomainError as exc:
                status = exc.status
                if exc.field in form.fields:
                    form.add_error(exc.field, exc.message)
                else:
                    error = exc.message
            else:
                messages.success(
                    request,
                    _("The chain %(chain)s is open: invite its suppliers and admit the institutions that finance it.")
                    % {"chain": chain.name},
                )
                return redirect("factoring-buyer-chain", chain_id=chain.pk)
    else:
        form = ChainOpenForm()
    return render(
        request,
        "factoring/buyer/home.html",
        {
            "organisation": organisation,
            "chains": list(selectors.chains_of_buyer(organisation)),
            "form": form,
            "error": error,
        },
        status=status,
    )


# --- One chain: members, statistics, charts ------------------------------------------------------------------


def _chain_page(
    request: HttpRequest,
    chain: Chain,
    *,
    invite_form: InviteSupplierForm | None = None,
    admit_form: AdmitInstitutionForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = {
        "organisation": chain.buyer,
        "chain": chain,
        "suppliers": list(selectors.suppliers_of_chain(chain)),
        "institutions": selectors.institutions_of_chain(chain),
        "stats": selectors.chain_statistics(chain),
        "invite_form": invite_form or InviteSupplierForm(auto_id="invite_%s"),
        "admit_form": admit_form or AdmitInstitutionForm(auto_id="admit_%s"),
        "error": error,
    }
    context.update(weekly_charts(selectors.chain_weekly(chain), prefix=f"chain{chain.pk}"))
    return render(request, "factoring/buyer/chain.html", context, status=status)


@never_cache
@require_safe
@login_required
def chain_detail(request: HttpRequest, chain_id: int) -> HttpResponse:
    return _chain_page(request, _chain(buyer_organisation(request), chain_id))


@require_POST
@login_required
def invite(request: HttpRequest, chain_id: int) -> HttpResponse:
    chain = _chain(buyer_organisation(request), chain_id)
    form = InviteSupplierForm(request.POST, auto_id="invite_%s")
    if not form.is_valid():
        return _chain_page(request, chain, invite_form=form, status=400)
    try:
        services.chain_invite_supplier(actor=request.user, chain=chain, supplier=form.organisation)
    except DomainError as exc:
        form.add_error("ruc", exc.message)
        return _chain_page(request, chain, invite_form=form, status=exc.status)
    messages.success(
        request,
        _("%(supplier)s was invited to the chain; its people are told, with a link.")
        % {"supplier": form.organisation.name},
    )
    return redirect("factoring-buyer-chain", chain_id=chain.pk)


@require_POST
@login_required
def admit(request: HttpRequest, chain_id: int) -> HttpResponse:
    chain = _chain(buyer_organisation(request), chain_id)
    form = AdmitInstitutionForm(request.POST, auto_id="admit_%s")
    if not form.is_valid():
        return _chain_page(request, chain, admit_form=form, status=400)
    try:
        services.chain_admit_institution(
            actor=request.user,
            chain=chain,
            institution=form.organisation,
            limit=form.cleaned_data["limit"],
            auto_accept_up_to=form.cleaned_data["auto_accept_up_to"],
        )
    except DomainError as exc:
        form.add_error("ruc", exc.message)
        return _chain_page(request, chain, admit_form=form, status=exc.status)
    messages.success(
        request,
        _("%(institution)s is admitted to the chain; it can publish its offer now.")
        % {"institution": form.organisation.name},
    )
    return redirect("factoring-buyer-chain", chain_id=chain.pk)


# --- Payables ------------------------------------------------------------------------------------------------

# What each button does to a document, the statuses that show it, and what the page says after.
ACTIONS: dict[str, dict[str, Any]] = {
    "withdraw": {
        "label": gettext_lazy("Withdraw"),
        "statuses": {ReceivableStatus.NEGOTIABLE, ReceivableStatus.SELECTED, ReceivableStatus.NOT_NEGOTIABLE},
        "done": gettext_lazy("Document %(number)s was withdrawn from the market."),
    },
    "dispute": {
        "label": gettext_lazy("Dispute"),
        "statuses": {ReceivableStatus.NEGOTIABLE, ReceivableStatus.SELECTED},
        "done": gettext_lazy("Document %(number)s is in dispute: not negotiable until you resolve it."),
    },
    "resolve": {
        "label": gettext_lazy("Resolve the dispute"),
        "statuses": {ReceivableStatus.NOT_NEGOTIABLE},
        "done": gettext_lazy("The dispute on document %(number)s is resolved: it is negotiable again."),
    },
    "paid": {
        "label": gettext_lazy("Paid directly"),
        "statuses": {ReceivableStatus.NEGOTIABLE},
        "done": gettext_lazy("Document %(number)s was paid to the supplier directly; it leaves the market."),
    },
    "settle": {
        "label": gettext_lazy("Paid to the institution"),
        "statuses": {ReceivableStatus.OPERATED, ReceivableStatus.OVERDUE},
        "done": gettext_lazy("Document %(number)s is settled: you paid the institution."),
    },
}


def _settle(*, actor: Any, receivable: Receivable) -> Any:
    financing = selectors.live_financing_of(receivable)
    if financing is None:
        raise DomainError(_("This document has no operated financing to settle."), code="invalid_transition")
    return services.financing_settle(actor=actor, financing=financing)


RUN: dict[str, Callable[..., Any]] = {
    "withdraw": services.receivable_withdraw,
    "dispute": services.receivable_dispute,
    "resolve": lambda *, actor, receivable: services.receivable_dispute(
        actor=actor, receivable=receivable, resolved=True
    ),
    "paid": services.receivable_paid_directly,
    "settle": _settle,
}


def _payables_page(request: HttpRequest, chain: Chain, *, error: str = "", status: int = 200) -> HttpResponse:
    form = PayableFilterForm(request.GET or None)
    chosen = form.cleaned_data.get("status", "") if form.is_bound and form.is_valid() else ""
    rows = list(selectors.payables_of_chain(chain, chosen))
    for row in rows:
        row.actions = [(name, action["label"]) for name, action in ACTIONS.items() if row.status in action["statuses"]]
        row.institution = next((f.institution for f in row.active_financings), None)
    query = request.GET.urlencode()
    return render(
        request,
        "factoring/buyer/payables.html",
        {
            "organisation": chain.buyer,
            "chain": chain,
            "form": form,
            "payables": rows,
            "query": query,
            "here": request.get_full_path() if request.method == "GET" else "",
            "error": error,
        },
        status=status,
    )


@require_safe
@login_required
def payables(request: HttpRequest, chain_id: int) -> HttpResponse:
    return _payables_page(request, _chain(buyer_organisation(request), chain_id))


@require_POST
@login_required
def payable_action(request: HttpRequest, receivable_id: int, action: str) -> HttpResponse:
    organisation = buyer_organisation(request)
    if action not in RUN:
        raise Http404(_("No such action."))
    try:
        receivable = selectors.receivable_get_for_buyer(organisation, receivable_id)
    except NotFoundError:
        raise Http404(_("No such document.")) from None
    try:
        RUN[action](actor=request.user, receivable=receivable)
    except DomainError as exc:
        return _payables_page(request, receivable.chain, error=exc.message, status=exc.status)
    messages.success(request, ACTIONS[action]["done"] % {"number": receivable.number})
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}) and back.startswith("/"):
        return redirect(back)
    return redirect("factoring-buyer-payables", chain_id=receivable.chain_id)


PAYABLE_CSV_COLUMNS = [
    ("document", "number"),
    ("supplier_ruc", "supplier.tax_id"),
    ("supplier", "supplier.name"),
    ("source", "source"),
    ("status", "status"),
    ("currency", "currency"),
    ("face_value", "face_value"),
    ("credit_notes", "credit_notes"),
    ("amount", "amount"),
    ("issue_date", "issue_date"),
    ("due_date", "due_date"),
    ("institution", "institution_name"),
    ("status_changed_at", "status_changed_at"),
]


@require_safe
@login_required
def payables_csv(request: HttpRequest, chain_id: int) -> HttpResponse:
    """The chain's payables for a spreadsheet: UTF-8 with a byte-order mark (Excel), commas, amounts as
    plain decimals, dates in ISO 8601. ``?status=`` narrows them as on the page."""
    chain = _chain(buyer_organisation(request), chain_id)
    form = PayableFilterForm(request.GET or None)
    chosen = form.cleaned_data.get("status", "") if form.is_bound and form.is_valid() else ""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="factoring-payables-{chain.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([name for name, _path in PAYABLE_CSV_COLUMNS])
    for receivable in selectors.payables_of_chain(chain, chosen):
        live = next((f for f in receivable.active_financings), None)
        receivable.institution_name = live.institution.name if live else None
        writer.writerow([csv_value(receivable, path) for _name, path in PAYABLE_CSV_COLUMNS])
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def upload(request: HttpRequest, chain_id: int) -> HttpResponse:
    chain = _chain(buyer_organisation(request), chain_id)
    result, status = None, 200
    if request.method == "POST":
        form = PayablesUploadForm(request.POST, request.FILES)
        status = 400
        if form.is_valid():
            result = services.payables_load(actor=request.user, chain=chain, rows=form.rows)
            for line in result["rows"]:
                line["source"] = form.rows[line["row"] - 1]
            # The result is this page itself (no redirect): a second sending is harmless, since each
            # document enters the market once and the rows already loaded come back refused as duplicates.
            status = 200
            form = PayablesUploadForm()
    else:
        form = PayablesUploadForm()
    return render(
        request,
        "factoring/buyer/upload.html",
        {"organisation": chain.buyer, "chain": chain, "form": form, "result": result},
        status=status,
    )


# --- The maturity calendar -----------------------------------------------------------------------------------


@require_safe
@login_required
def calendar(request: HttpRequest, chain_id: int) -> HttpResponse:
    chain = _chain(buyer_organisation(request), chain_id)
    return render(
        request,
        "factoring/buyer/calendar.html",
        {"organisation": chain.buyer, "chain": chain, "weeks": selectors.maturity_calendar(chain)},
    )
