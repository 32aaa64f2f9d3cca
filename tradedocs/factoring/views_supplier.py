"""The supplier's factoring pages: its negotiable documents and chains, the pre-acknowledgement (NAFIN's
"preacuse") of a discount, the confirmation, the history of financings (and its CSV), its bank accounts.
See tradedocs/factoring/urls.py.

Every page acts for the person's active organisation (``request.organisation``) and reads only through
tradedocs/factoring/selectors.py: another supplier's document is "not found". The services decide the
rest; their refusals come back on the page with their 4xx status.

URL names: factoring-documents, factoring-chain-join, factoring-preacuse, factoring-history,
factoring-history-csv, factoring-bank-accounts.
"""

from __future__ import annotations

import csv
import dataclasses
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError
from tradedocs.factoring import selectors
from tradedocs.factoring.enums import ReceivableStatus
from tradedocs.factoring.forms import BankAccountForm, PreAcknowledgementForm
from tradedocs.factoring.models import Receivable
from tradedocs.factoring.money import Quote
from tradedocs.factoring.services import bank_account_register, chain_join, financing_quote, financing_select

# Where the Factoring link takes organisations that are not suppliers (their pages' URL names).
OTHER_SIDES = {
    OrganisationKind.FINANCIAL_INSTITUTION: "factoring-institution",
    OrganisationKind.CONTRACTING_ENTITY: "factoring-buyer",
}


def supplier_organisation(request: HttpRequest) -> Organisation:
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        raise PermissionDenied(_("Act for an organisation to see its factoring."))
    if organisation.kind != OrganisationKind.SUPPLIER:
        raise PermissionDenied(_("These pages are a supplier's: act for a supplier to discount its documents."))
    return organisation


def _receivable(organisation: Organisation, receivable_id: Any) -> Receivable:
    try:
        return selectors.receivable_get_for_supplier(organisation, receivable_id)
    except NotFoundError:
        raise Http404(_("No such document.")) from None


# --- My negotiable documents ------------------------------------------------------------------------------


@require_safe
@login_required
def documents(request: HttpRequest) -> HttpResponse:
    organisation = getattr(request, "organisation", None)
    if organisation is not None and organisation.kind in OTHER_SIDES:
        try:
            return redirect(reverse(OTHER_SIDES[organisation.kind]))
        except NoReverseMatch:
            pass
    organisation = supplier_organisation(request)
    today = clock.today()
    memberships = list(selectors.chains_of_supplier(organisation))
    chains = [
        {"chain": membership.chain, "offers": selectors.institutions_of_chain(membership.chain, today)}
        for membership in memberships
        if membership.joined_at is not None
    ]
    rows = list(selectors.receivables_of_supplier(organisation))
    for row in rows:
        row.days_left = (row.due_date - today).days
        row.negotiable = row.status == ReceivableStatus.NEGOTIABLE
    return render(
        request,
        "factoring/supplier/documents.html",
        {
            "organisation": organisation,
            "invitations": [m for m in memberships if m.joined_at is None],
            "chains": chains,
            "documents": rows,
            "negotiable_count": sum(1 for row in rows if row.negotiable),
            "has_offers": any(item.offer for chain in chains for item in chain["offers"]),
        },
    )


@require_POST
@login_required
def chain_join_view(request: HttpRequest, chain_id: int) -> HttpResponse:
    organisation = supplier_organisation(request)
    membership = next((m for m in selectors.chains_of_supplier(organisation) if m.chain_id == chain_id), None)
    if membership is None:
        raise Http404(_("Your organisation was not invited to this chain."))
    try:
        chain_join(actor=request.user, chain=membership.chain, supplier=organisation)
    except NotFoundError:
        raise Http404(_("Your organisation was not invited to this chain.")) from None
    messages.success(
        request,
        _("You joined the chain %(chain)s. Its negotiable documents show here.") % {"chain": membership.chain.name},
    )
    return redirect("factoring-documents")


# --- The pre-acknowledgement and its confirmation ---------------------------------------------------------


@dataclasses.dataclass
class Line:
    document: Receivable
    quote: Quote | None = None
    offer_id: int | None = None
    error: str = ""
    status: int = 200
    outcome: str = ""  # after a confirmation that failed: what became of this document


def _quoted(organisation: Organisation, form: PreAcknowledgementForm) -> list[Line]:
    """Each chosen document (another supplier's is a 404) with its quote or the reason it has none."""
    institution = form.cleaned_data["institution"]
    lines = []
    for receivable_id in form.cleaned_data["documents"]:
        line = Line(document=_receivable(organisation, receivable_id))
        try:
            offer, line.quote = financing_quote(receivable=line.document, institution=institution)
            line.offer_id = offer.pk
        except DomainError as exc:
            line.error, line.status = exc.message, exc.status
        lines.append(line)
    return lines


def _totals(lines: list[Line]) -> dict[str, Decimal] | None:
    quotes = [line.quote for line in lines if line.quote is not None]
    if not quotes:
        return None
    return {
        "face": sum((q.face for q in quotes), Decimal(0)),
        "discount": sum((q.discount for q in quotes), Decimal(0)),
        "net": sum((q.net for q in quotes), Decimal(0)),
        "count": len(quotes),
    }


def _pre_acknowledgement_page(
    request: HttpRequest,
    form: PreAcknowledgementForm,
    lines: list[Line],
    *,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    quoted = [line for line in lines if line.quote is not None]
    currencies = {line.document.currency for line in lines}
    return render(
        request,
        "factoring/supplier/preacuse.html",
        {
            "form": form,
            "institution": form.cleaned_data.get("institution") if form.is_valid() else None,
            "lines": lines,
            "totals": _totals(lines),
            "currency": currencies.pop() if len(currencies) == 1 else "",
            "can_confirm": bool(quoted) and not any(line.outcome for line in lines),
            "document_ids": ",".join(str(line.document.pk) for line in quoted),
            # The offers the figures came from: confirming at another rate is refused (offer_changed).
            "offer_ids": ",".join(f"{line.document.pk}:{line.offer_id}" for line in quoted),
            "error": error,
        },
        status=status,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def pre_acknowledgement(request: HttpRequest) -> HttpResponse:
    organisation = supplier_organisation(request)
    form = PreAcknowledgementForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return _pre_acknowledgement_page(request, form, [], status=400)
    if request.method != "POST":
        lines = _quoted(organisation, form)
        if not any(line.quote for line in lines):
            return _pre_acknowledgement_page(request, form, lines, status=max(line.status for line in lines))
        return _pre_acknowledgement_page(request, form, lines)
    return _confirm(request, organisation, form)


def _shown_offers(raw: str) -> dict[int, int]:
    """``"<document>:<offer>,…"`` as posted back by the pre-acknowledgement; malformed pairs are ignored."""
    shown = {}
    for pair in raw.split(","):
        document, _sep, offer = pair.partition(":")
        if document.strip().isdigit() and offer.strip().isdigit():
            shown[int(document)] = int(offer)
    return shown


def _confirm(request: HttpRequest, organisation: Organisation, form: PreAcknowledgementForm) -> HttpResponse:
    """Each document is selected in its own call: one refused does not undo the others."""
    institution = form.cleaned_data["institution"]
    documents = [_receivable(organisation, pk) for pk in form.cleaned_data["documents"]]
    shown = _shown_offers(request.POST.get("offers", ""))
    done, refused = [], []
    for document in documents:
        try:
            financing = financing_select(
                actor=request.user, receivable=document, institution=institution, offer_id=shown.get(document.pk)
            )
        except DomainError as exc:
            refused.append((document, exc))
        else:
            done.append(financing)
    if not done:
        # Nothing happened: the pre-acknowledgement again, each document with its reason.
        lines = _quoted(organisation, form)
        reasons = {document.pk: exc for document, exc in refused}
        for line in lines:
            if line.document.pk in reasons:
                line.outcome = reasons[line.document.pk].message
        status = max(exc.status for _document, exc in refused)
        return _pre_acknowledgement_page(request, form, lines, error=_("No document was discounted."), status=status)
    operated = sum(1 for financing in done if financing.operated_at is not None)
    messages.success(
        request,
        _(
            "%(count)s document(s) selected for %(institution)s, net %(net)s; %(operated)s already operated, "
            "the others await the institution."
        )
        % {
            "count": len(done),
            "institution": institution.name,
            "net": f"{sum((f.net for f in done), Decimal(0)):,.2f}",
            "operated": operated,
        },
    )
    for document, exc in refused:
        messages.error(
            request,
            _("Document %(number)s was not discounted: %(reason)s")
            % {"number": document.number, "reason": exc.message},
        )
    return redirect("factoring-history")


# --- History ---------------------------------------------------------------------------------------------


@require_safe
@login_required
def history(request: HttpRequest) -> HttpResponse:
    organisation = supplier_organisation(request)
    return render(
        request,
        "factoring/supplier/history.html",
        {"organisation": organisation, "financings": list(selectors.financings_of_supplier(organisation))},
    )


CSV_COLUMNS = [
    ("document", "receivable.number"),
    ("buyer_ruc", "receivable.buyer.tax_id"),
    ("buyer", "receivable.buyer.name"),
    ("institution", "institution.name"),
    ("status", "status"),
    ("currency", "receivable.currency"),
    ("face", "face"),
    ("rate", "rate"),
    ("days", "days"),
    ("discount", "discount"),
    ("net", "net"),
    ("effective_rate", "effective_rate"),
    ("selected_at", "selected_at"),
    ("disbursement_date", "disbursement_date"),
    ("due_date", "receivable.due_date"),
    ("operated_at", "operated_at"),
    ("settled_at", "settled_at"),
    ("cancelled_at", "cancelled_at"),
]


def _csv_value(obj: Any, path: str) -> str:
    for part in path.split("."):
        obj = getattr(obj, part)
    if obj is None:
        return ""
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return str(obj)


@require_safe
@login_required
def history_csv(request: HttpRequest) -> HttpResponse:
    """The history for a spreadsheet: UTF-8 with a byte-order mark (Excel), commas, amounts as plain
    decimals (``97666.67``), dates and times in ISO 8601."""
    organisation = supplier_organisation(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="factoring-history.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([name for name, _path in CSV_COLUMNS])
    for financing in selectors.financings_of_supplier(organisation):
        writer.writerow([_csv_value(financing, path) for _name, path in CSV_COLUMNS])
    return response


# --- Bank accounts ---------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def bank_accounts(request: HttpRequest) -> HttpResponse:
    organisation = supplier_organisation(request)
    status = 200
    error = ""
    if request.method == "POST":
        form = BankAccountForm(request.POST)
        status = 400
        if form.is_valid():
            try:
                account = bank_account_register(
                    actor=request.user,
                    organisation=organisation,
                    bank=form.cleaned_data["bank"],
                    cci=form.cleaned_data["cci"],
                )
            except DomainError as exc:
                status = exc.status
                if exc.field in form.fields:
                    form.add_service_error(exc)
                else:
                    error = exc.message
            else:
                messages.success(
                    request,
                    _("The account %(cci)s was registered; it is used once the platform operator verifies it.")
                    % {"cci": account.cci},
                )
                return redirect("factoring-bank-accounts")
    else:
        form = BankAccountForm()
    return render(
        request,
        "factoring/supplier/bank_accounts.html",
        {
            "organisation": organisation,
            "accounts": list(selectors.bank_accounts_of(organisation)),
            "form": form,
            "error": error,
        },
        status=status,
    )
