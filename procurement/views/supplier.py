"""Procurement pages (supplier): opportunities, participation, questions, sealed bids, the
supplier's own bids, appeals against a lot's result and signing a contract. See procurement/urls.py.

Every page acts for the person's active organisation, which must be a supplier they speak for
(representative or administrator); anyone else gets the 403 page. The services decide everything
else; their refusals come back on the page, next to the field they name, with their 4xx status.

URL names: tender-opportunities, tender-participate, tender-question, bid-submit, bid-withdraw,
bids-mine, appeal-file, contract-sign-supplier.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from portal.accounts.models import Organisation
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError
from portal.core.money import format_money
from procurement.enums import ContractStatus, LotStatus, TenderStatus
from procurement.forms_supplier import AppealForm, BidForm, QuestionForm, new_idempotency_key
from procurement.models import Lot, Tender
from procurement.sealing import canonical_json
from procurement.selectors import (
    bids_of_organisation,
    own_bid_get,
    participant_of,
    tender_contract_get,
    tender_lots,
    tender_opportunities,
)
from procurement.services.appeals import appeal_file
from procurement.services.bids import bid_submit, bid_withdraw
from procurement.services.contracts import contract_sign
from procurement.services.participation import participant_register, question_ask
from procurement.views.public import describe_items, speaks_for_supplier, tender_for, tender_page
from smeregistry.selectors import supplier_for_organisation

PAGE_SIZE = 50


def acting_supplier(request: HttpRequest) -> Organisation:
    """The supplier organisation the person acts for now; 403 unless they speak for it."""
    organisation = speaks_for_supplier(request)
    if organisation is None:
        raise PermissionDenied(_("Act for a supplier, as its representative or administrator, to use this page."))
    return organisation


# --- Opportunities ------------------------------------------------------------------------------------


class OpportunitiesForm(forms.Form):
    # A ticked box sends a value, an unticked one nothing: ``f`` tells "unticked" from "first visit".
    f = forms.CharField(widget=forms.HiddenInput, required=False)
    region_only = forms.BooleanField(label=gettext_lazy("Only deliveries in my region"), required=False)


@require_safe
@login_required
def tender_opportunities_view(request: HttpRequest) -> HttpResponse:
    organisation = acting_supplier(request)
    form = OpportunitiesForm(request.GET if request.GET.get("f") else None, initial={"f": "1", "region_only": True})
    region_only = form.is_valid() and form.cleaned_data["region_only"] if form.is_bound else True
    now = clock.now()
    supplier = supplier_for_organisation(organisation_id=organisation.pk)
    rows = tender_opportunities(actor=request.user, organisation=organisation, now=now, region_only=region_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "procurement/supplier/opportunities.html",
        {
            "form": form,
            "supplier": supplier,
            "categories": supplier.category_links.select_related("category").order_by("prefix") if supplier else [],
            "region_only": region_only,
            "page": page,
            "query": query.urlencode(),
            "now": now,
        },
    )


# --- Participation and questions ----------------------------------------------------------------------


@require_POST
@login_required
def tender_participate(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_for(request, pk)
    organisation = acting_supplier(request)
    try:
        participant_register(actor=request.user, tender=tender, organisation=organisation)
    except DomainError as exc:
        return tender_page(request, tender, error=exc.message, status=exc.status)
    messages.success(
        request,
        _("%(name)s is now a participant of this process. You will hear of its answers and changes.")
        % {"name": organisation.name},
    )
    return redirect("tender-detail", pk=tender.pk)


@require_POST
@login_required
def tender_question(request: HttpRequest, pk: int) -> HttpResponse:
    tender = tender_for(request, pk)
    acting_supplier(request)
    form = QuestionForm(request.POST, lots=tender_lots(tender=tender))
    if not form.is_valid():
        return tender_page(request, tender, question_form=form, status=400)
    try:
        question_ask(
            actor=request.user,
            tender=tender,
            text=form.cleaned_data["text"],
            kind=form.cleaned_data["kind"],
            lot=form.chosen_lot(),
        )
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_service_error(exc)
            return tender_page(request, tender, question_form=form, status=exc.status)
        return tender_page(request, tender, question_form=form, error=exc.message, status=exc.status)
    messages.success(
        request,
        _("Your question was received. The entity publishes every answer at once, with the integrated bases."),
    )
    return redirect(reverse("tender-detail", args=[tender.pk]) + "#questions")


# --- Bids ------------------------------------------------------------------------------------------------


def _lot_of(tender: Tender, number: int) -> Lot:
    lot = tender_lots(tender=tender).filter(number=number).first()
    if lot is None:
        raise Http404(_("No such lot."))
    return lot


def _verifiable_content(form: BidForm, receipt: dict[str, Any]) -> str:
    """The exact text the receipt's digest is the SHA-256 of, when it can be rebuilt from what was
    typed (it always can for a bid sent from this page); empty otherwise, rather than a wrong text."""
    try:
        prices = {str(number): Decimal(value) for number, value in form.prices().items()}
    except InvalidOperation:
        return ""
    text = canonical_json({"salt": receipt["salt"], "prices": prices, "technical": form.technical()})
    return text.decode("utf-8") if hashlib.sha256(text).hexdigest() == receipt["digest"] else ""


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
@login_required
def bid_submit_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    tender = tender_for(request, pk)
    organisation = acting_supplier(request)
    lot = _lot_of(tender, number)
    describe_items([lot])
    items = list(lot.items.all())
    participant = participant_of(tender=tender, organisation=organisation)
    now = clock.now()
    receiving = (
        tender.status == TenderStatus.BIDDING
        and lot.status == LotStatus.OPEN
        and tender.bids_due is not None
        and now < tender.bids_due
    )
    status = 200
    error = ""
    if request.method == "POST":
        form = BidForm(request.POST, items=items)
        if form.is_valid():
            try:
                bid, receipt = bid_submit(
                    actor=request.user,
                    lot=lot,
                    organisation=organisation,
                    prices=form.prices(),
                    technical=form.technical(),
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except DomainError as exc:
                status = exc.status
                if exc.code == "idempotency_conflict":
                    # The same form sent again with other content (back button, then edited): a new key
                    # makes the next sending a new bid, once the person has checked it.
                    error = _("This form was already sent with other values. Check them and send it again.")
                    form = _with_new_key(form, items)
                elif exc.field in form.service_fields or exc.field in form.fields:
                    form.add_service_error(exc)
                else:
                    error = exc.message
            else:
                return render(
                    request,
                    "procurement/supplier/bid_receipt.html",
                    {
                        "tender": tender,
                        "lot": lot,
                        "bid": bid,
                        "receipt": receipt,
                        "content": _verifiable_content(form, receipt),
                    },
                )
        else:
            status = 400
    else:
        form = BidForm(initial={"idempotency_key": new_idempotency_key()}, items=items)
    return render(
        request,
        "procurement/supplier/bid_form.html",
        {
            "tender": tender,
            "lot": lot,
            "form": form,
            "participant": participant,
            "receiving": receiving,
            "now": now,
            "error": error,
        },
        status=status,
    )


def _with_new_key(form: BidForm, items: list) -> BidForm:
    data = form.data.copy()
    data["idempotency_key"] = new_idempotency_key()
    fresh = BidForm(data, items=items)
    fresh.is_valid()
    return fresh


@require_POST
@login_required
def bid_withdraw_view(request: HttpRequest, bid_id: int) -> HttpResponse:
    organisation = acting_supplier(request)
    try:
        bid = own_bid_get(actor=request.user, organisation=organisation, bid_id=bid_id)
    except NotFoundError:
        raise Http404(_("No such bid.")) from None
    tender = bid.lot.tender
    try:
        bid_withdraw(actor=request.user, bid=bid)
    except DomainError as exc:
        return tender_page(request, tender_for(request, tender.pk), error=exc.message, status=exc.status)
    messages.success(
        request,
        _("Your bid for lot %(number)s was withdrawn. You may bid again until the deadline.")
        % {"number": bid.lot.number},
    )
    return redirect("tender-detail", pk=tender.pk)


# --- After the award: appeals and the contract ------------------------------------------------------------


@require_POST
@login_required
def appeal_file_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    tender = tender_for(request, pk)
    organisation = acting_supplier(request)
    lot = _lot_of(tender, number)
    form = AppealForm(request.POST, prefix=AppealForm.prefix_for(number))
    if not form.is_valid():
        return tender_page(request, tender, appeal_forms={number: form}, status=400)
    try:
        appeal = appeal_file(
            actor=request.user, lot=lot, organisation=organisation, grounds=form.cleaned_data["grounds"]
        )
    except DomainError as exc:
        if exc.field in form.fields:
            form.add_service_error(exc)
            return tender_page(request, tender, appeal_forms={number: form}, status=exc.status)
        return tender_page(request, tender, appeal_forms={number: form}, error=exc.message, status=exc.status)
    messages.success(
        request,
        _("Your appeal on lot %(number)s was filed; its fee is %(fee)s. The oversight body resolves it.")
        % {"number": number, "fee": format_money(appeal.fee, appeal.currency)},
    )
    return redirect(reverse("tender-detail", args=[tender.pk]) + "#appeals")


@require_POST
@login_required
def contract_sign_view(request: HttpRequest, pk: int, contract_id: int) -> HttpResponse:
    tender = tender_for(request, pk)
    organisation = acting_supplier(request)
    try:
        contract = tender_contract_get(tender=tender, contract_id=contract_id)
    except NotFoundError:
        raise Http404(_("No such contract.")) from None
    try:
        contract = contract_sign(actor=request.user, contract=contract, organisation=organisation)
    except DomainError as exc:
        return tender_page(request, tender, contract_errors={contract.pk: exc.message}, status=exc.status)
    if contract.status == ContractStatus.SIGNED:
        messages.success(request, _("Contract %(number)s is signed by both parties.") % {"number": contract.number})
    else:
        messages.success(
            request,
            _("Contract %(number)s is signed for %(name)s; the entity signs next.")
            % {"number": contract.number, "name": organisation.name},
        )
    return redirect(reverse("tender-detail", args=[tender.pk]) + f"#contract-{contract.pk}")


# --- My bids ---------------------------------------------------------------------------------------------


@require_safe
@login_required
def bids_mine(request: HttpRequest) -> HttpResponse:
    organisation = acting_supplier(request)
    rows = bids_of_organisation(actor=request.user, organisation=organisation)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = [
        {**row, "tender_status_label": TenderStatus(row["lot__tender__status"]).label} for row in page.object_list
    ]
    return render(request, "procurement/supplier/bids_mine.html", {"organisation": organisation, "page": page})


urlpatterns = [
    path("procurement/tenders/opportunities/", tender_opportunities_view, name="tender-opportunities"),
    path("procurement/tenders/<int:pk>/participate/", tender_participate, name="tender-participate"),
    path("procurement/tenders/<int:pk>/questions/", tender_question, name="tender-question"),
    path("procurement/tenders/<int:pk>/lots/<int:number>/bid/", bid_submit_view, name="bid-submit"),
    path("procurement/bids/<int:bid_id>/withdraw/", bid_withdraw_view, name="bid-withdraw"),
    path("procurement/bids/mine/", bids_mine, name="bids-mine"),
    path("procurement/tenders/<int:pk>/lots/<int:number>/appeal/", appeal_file_view, name="appeal-file"),
    path(
        "procurement/tenders/<int:pk>/contracts/<int:contract_id>/sign/",
        contract_sign_view,
        name="contract-sign-supplier",
    ),
]
