"""Trade-document pages: the organisation's inbox and outbox, a document with its answer forms, its
validation report over the numbered original, downloads, the SME's invoice form, the officer's order
from a contract, and the organisation's webhooks. See tradedocs/urls.py.

Every page acts for the person's active organisation (``request.organisation``) and sees only what
the selectors let it see: someone else's document is "not found". The services decide everything
else; their refusals come back on the page with their 4xx status.

URL names: documents-inbox, documents-outbox, document-detail, document-report, document-original,
document-converted, document-accept, document-reject, invoice-new, order-from-contract,
documents-webhooks, documents-webhook-remove.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from portal.core.errors import DomainError, NotFoundError
from portal.notifications.webhooks import WEBHOOK_ROLES, webhook_register, webhook_remove, webhooks_of
from tradedocs.enums import DocumentStatus
from tradedocs.forms import DocumentFilterForm, InvoiceForm, RejectForm, WebhookForm, line_formset
from tradedocs.model import Order
from tradedocs.models import Document
from tradedocs.presentation import document_context, document_model, rendered_in_other_syntax, source_lines
from tradedocs.roles import ANSWER_ROLES, SENDER_ROLES
from tradedocs.selectors import document_get, documents_list, orders_to_invoice
from tradedocs.services.documents import document_answer
from tradedocs.services.issuing import invoice_issue, order_issue

PAGE_SIZE = 50
INVOICING_KINDS = frozenset({OrganisationKind.SUPPLIER, OrganisationKind.INTEGRATOR})
NEW_WEBHOOK_SESSION_KEY = "tradedocs_new_webhook"


def acting_organisation(request: HttpRequest) -> Organisation:
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        raise PermissionDenied(_("Act for an organisation to see its documents."))
    return organisation


def _roles(request: HttpRequest) -> frozenset[str]:
    return getattr(request, "roles", frozenset())


def _document(request: HttpRequest, document_id: int) -> Document:
    try:
        return document_get(organisation=acting_organisation(request), document_id=document_id)
    except NotFoundError:
        raise Http404(_("No such document.")) from None


# --- Inbox and outbox ------------------------------------------------------------------------------------


def _documents_page(request: HttpRequest, box: str) -> HttpResponse:
    organisation = acting_organisation(request)
    form = DocumentFilterForm(request.GET or None)
    if form.is_bound:
        form.is_valid()  # the valid fields filter; a field with an error shows it and filters nothing
    filters = form.filters()
    rows = documents_list(organisation=organisation, box=box, **filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for document in page.object_list:
        # The other party: who sent what arrived, whom what was sent is addressed to.
        seller_side = document.is_invoice == (box == "inbox")
        document.party_name = document.seller_name if seller_side else document.buyer_name
        document.party_tax_id = document.seller_tax_id if seller_side else document.buyer_tax_id
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "tradedocs/document_list.html",
        {
            "box": box,
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "organisation": organisation,
            "can_invoice": _can_invoice(request),
        },
    )


@require_safe
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    return _documents_page(request, "inbox")


@require_safe
@login_required
def outbox(request: HttpRequest) -> HttpResponse:
    return _documents_page(request, "outbox")


# --- One document --------------------------------------------------------------------------------------


def _can_answer(request: HttpRequest, document: Document) -> bool:
    organisation = request.organisation
    return (
        document.receiver_id == organisation.pk
        and document.is_invoice
        and document.status == DocumentStatus.VALID
        and bool(_roles(request) & ANSWER_ROLES)
    )


def _document_page(
    request: HttpRequest,
    document: Document,
    *,
    reject_form: RejectForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    context = document_context(document)
    can_answer = _can_answer(request, document)
    context.update(
        {
            "can_answer": can_answer,
            "reject_form": (reject_form or RejectForm()) if can_answer else None,
            "error": error,
            "is_sender": document.sender_id == request.organisation.pk,
            "fatal_count": sum(1 for finding in context["findings"] if finding.get("severity") == "fatal"),
        }
    )
    return render(request, "tradedocs/document_detail.html", context, status=status)


@require_safe
@login_required
def document_detail(request: HttpRequest, document_id: int) -> HttpResponse:
    return _document_page(request, _document(request, document_id))


@require_safe
@login_required
def document_report(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    context = document_context(document)
    flagged = {finding.get("line") for finding in context["findings"] if finding.get("line")}
    context["lines"] = [(number, text, number in flagged) for number, text in source_lines(document)]
    return render(request, "tradedocs/document_report.html", context)


def _xml_download(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
@login_required
def document_original(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    response = _xml_download(bytes(document.original), f"document-{document.pk}.xml")
    response["X-Content-SHA256"] = document.sha256
    return response


@require_safe
@login_required
def document_converted(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    try:
        syntax, data = rendered_in_other_syntax(document)
    except DomainError as exc:
        return _document_page(request, document, error=exc.message, status=exc.status)
    return _xml_download(data, f"document-{document.pk}-{syntax}.xml")


@require_POST
@login_required
def document_accept(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    try:
        document = document_answer(actor=request.user, document=document, accept=True)
    except DomainError as exc:
        return _document_page(request, document, error=exc.message, status=exc.status)
    messages.success(request, _("You accepted invoice %(number)s. The seller is told.") % {"number": document.number})
    return redirect("document-detail", document_id=document.pk)


@require_POST
@login_required
def document_reject(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _document(request, document_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _document_page(request, document, reject_form=form, status=400)
    try:
        document = document_answer(
            actor=request.user,
            document=document,
            accept=False,
            reasons=[{"code": form.cleaned_data["reason"], "text": form.cleaned_data["text"]}],
        )
    except DomainError as exc:
        return _document_page(request, document, reject_form=form, error=exc.message, status=exc.status)
    messages.success(
        request, _("You rejected invoice %(number)s. The seller is told why.") % {"number": document.number}
    )
    return redirect("document-detail", document_id=document.pk)


# --- The SME's invoice form -------------------------------------------------------------------------------


def _can_invoice(request: HttpRequest) -> bool:
    organisation = getattr(request, "organisation", None)
    return organisation is not None and organisation.kind in INVOICING_KINDS and bool(_roles(request) & SENDER_ROLES)


def _order_lines(order: Document) -> list[dict[str, Any]]:
    """The order's lines as the form's initial rows."""
    model = document_model(order)
    if not isinstance(model, Order):
        return []
    rows = []
    for line in model.lines:
        unspsc = next((c.value for c in line.item.classifications if c.scheme == "TST"), "")
        rows.append(
            {
                "description": line.item.name,
                "quantity": line.quantity,
                "unit": line.unit,
                "unit_price": line.price.net,
                "vat_category": "E" if line.vat_category == "E" else "S",
                "unspsc_code": unspsc if len(unspsc) == 8 and unspsc.isdigit() else "",
            }
        )
    return rows


def _issue_invoice(request: HttpRequest, form: InvoiceForm, formset: Any) -> tuple[HttpResponse | None, int, str]:
    """Issue the invoice the valid form describes: (redirect, 302, "") or (None, status, page error)."""
    try:
        document = invoice_issue(
            actor=request.user,
            seller=request.organisation,
            number=form.cleaned_data["number"],
            lines=formset.form_lines(),
            syntax=form.cleaned_data["syntax"],
            order=form.chosen_order(),
            buyer=form.cleaned_data["buyer"],
            issue_date=form.cleaned_data["issue_date"],
            due_date=form.cleaned_data["due_date"],
            payment_terms=form.cleaned_data["payment_terms"],
            bank_account=form.cleaned_data["bank_account"],
        )
    except DomainError as exc:
        if exc.field != "lines" and (exc.field in form.fields or exc.field in form.service_fields):
            form.add_service_error(exc)
            return None, exc.status, ""
        return None, exc.status, exc.message
    if getattr(document, "replayed", False):
        messages.info(request, _("This invoice was already issued; here it is."))
    else:
        messages.success(
            request,
            _(
                "Invoice %(number)s was issued. The portal validates it and delivers it to the buyer; "
                "its status shows here."
            )
            % {"number": document.number},
        )
    return redirect("document-detail", document_id=document.pk), 302, ""


def _blank_invoice(request: HttpRequest, orders: list[Document]) -> tuple[InvoiceForm, Any]:
    """The empty form, with the lines of the order named by ``?order=`` when it is one to invoice."""
    initial: dict[str, Any] = {}
    lines: list[dict[str, Any]] = []
    raw = request.GET.get("order", "")
    chosen = next((order for order in orders if raw.isdigit() and order.pk == int(raw)), None)
    if chosen is not None:
        initial["order"] = chosen.pk
        lines = _order_lines(chosen)
    return InvoiceForm(initial=initial, orders=orders), line_formset(initial=lines or None)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def invoice_new(request: HttpRequest) -> HttpResponse:
    if not _can_invoice(request):
        raise PermissionDenied(_("Act for a supplier, as its representative or administrator, to issue invoices."))
    organisation = request.organisation
    orders = list(orders_to_invoice(organisation=organisation))
    status = 200
    error = ""
    if request.method == "POST":
        form = InvoiceForm(request.POST, orders=orders)
        formset = line_formset(request.POST)
        status = 400
        if form.is_valid() and formset.is_valid():
            response, status, error = _issue_invoice(request, form, formset)
            if response is not None:
                return response
    else:
        form, formset = _blank_invoice(request, orders)
    return render(
        request,
        "tradedocs/invoice_form.html",
        {"form": form, "formset": formset, "orders": orders, "error": error, "organisation": organisation},
        status=status,
    )


# --- The officer's order from a signed contract ------------------------------------------------------------


def _delivery_date(raw: str | None) -> datetime.date | None:
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise DomainError(_("Give the delivery date as a date."), code="invalid_value", field="delivery_date") from None


@require_POST
@login_required
def order_from_contract(request: HttpRequest, contract_id: int) -> HttpResponse:
    acting_organisation(request)
    try:
        document = order_issue(
            actor=request.user, contract_id=contract_id, delivery_date=_delivery_date(request.POST.get("delivery_date"))
        )
    except NotFoundError:
        raise Http404(_("No such contract.")) from None
    except DomainError as exc:
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = ""
        return render(
            request,
            "tradedocs/order_refused.html",
            {"message": exc.message, "status": exc.status, "back": back},
            status=exc.status,
        )
    if getattr(document, "replayed", False):
        messages.info(request, _("This contract's order was already issued; here it is."))
    else:
        messages.success(
            request,
            _("Order %(number)s was issued. The portal validates it and delivers it to the supplier.")
            % {"number": document.number},
        )
    return redirect("document-detail", document_id=document.pk)


# --- Webhooks ---------------------------------------------------------------------------------------------


def _webhook_organisation(request: HttpRequest) -> Organisation:
    organisation = acting_organisation(request)
    if not _roles(request) & WEBHOOK_ROLES:
        raise PermissionDenied(_("Your role in this organisation does not allow managing webhooks."))
    return organisation


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def webhooks(request: HttpRequest) -> HttpResponse:
    organisation = _webhook_organisation(request)
    status = 200
    error = ""
    if request.method == "POST":
        form = WebhookForm(request.POST)
        if form.is_valid():
            try:
                endpoint = webhook_register(
                    actor=request.user,
                    organisation=organisation,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                )
            except DomainError as exc:
                status = exc.status
                if exc.field in form.fields:
                    form.add_service_error(exc)
                else:
                    error = exc.message
            else:
                # Shown once, on the next page, then forgotten.
                request.session[NEW_WEBHOOK_SESSION_KEY] = {"id": endpoint.pk, "secret": endpoint.secret}
                messages.success(request, _("The webhook was registered."))
                return redirect("documents-webhooks")
        else:
            status = 400
    else:
        form = WebhookForm()
    secret = request.session.pop(NEW_WEBHOOK_SESSION_KEY, None) if request.method != "POST" else None
    return render(
        request,
        "tradedocs/webhooks.html",
        {
            "organisation": organisation,
            "webhooks": list(webhooks_of(organisation=organisation)),
            "form": form,
            "secret": secret,
            "error": error,
        },
        status=status,
    )


@require_POST
@login_required
def webhook_remove_view(request: HttpRequest, webhook_id: int) -> HttpResponse:
    organisation = _webhook_organisation(request)
    try:
        webhook_remove(actor=request.user, organisation=organisation, webhook_id=webhook_id)
    except NotFoundError:
        raise Http404(_("No such webhook.")) from None
    messages.success(request, _("The webhook was removed."))
    return redirect(reverse("documents-webhooks"))
