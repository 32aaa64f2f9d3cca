"""Pages of the reverse auction of a lot: one page that each person sees as ``auction_board_for``
lets them (a bidder: the best price, its rank and its own price, and the bid form; the entity's
staff: the full board, and the negotiation form of a single-bidder lot; everyone else the status and
times, and after the close the ranking and the log), the bid and negotiation posts, and the page's
live status as JSON.

Without JavaScript the page works by posting the form (then a redirect back to the page, with the
result) and a refresh link. With JavaScript (static/js/auction.js) it polls ``auction-status`` and
swaps the live region's HTML when it changed, and counts down from the server's time.

URL names: auction-detail, auction-bid, auction-negotiate, auction-status.
"""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from portal.core.errors import DomainError
from portal.core.money import format_money
from procurement.api.permissions import is_entity_officer
from procurement.auction.api import board_data
from procurement.auction.selectors import BIDDER, STAFF, AuctionBoard, auction_board_for, tender_auctions
from procurement.enums import AuctionStatus
from procurement.models import Auction, Tender
from procurement.services.auction import auction_bid, auction_negotiate
from procurement.timeline import LIMA
from procurement.views.public import speaks_for_supplier, tender_for

POLL_SECONDS = 2.5


class AuctionBidForm(forms.Form):
    price = forms.CharField(
        label=gettext_lazy("Your new total price"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    # One per rendering of the form: sending the same form twice is one bid (the service's client token).
    client_token = forms.CharField(widget=forms.HiddenInput, max_length=100)


class NegotiationForm(forms.Form):
    price = forms.CharField(
        label=gettext_lazy("Negotiated total price"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def new_client_token() -> str:
    return secrets.token_urlsafe(18)


def auction_of(request: HttpRequest, pk: int, number: int) -> tuple[Tender, Auction]:
    """The tender (if the person may see it) and its lot's auction; 404 otherwise."""
    tender = tender_for(request, pk)
    auction = next((item for item in tender_auctions(tender.pk) if item.lot.number == number), None)
    if auction is None:
        raise Http404(_("This lot has no auction."))
    return tender, auction


def _live_context(tender: Tender, auction: Auction, board: AuctionBoard) -> dict[str, Any]:
    return {"tender": tender, "auction": auction, "lot": auction.lot, "board": board, "currency": tender.currency}


def _page(
    request: HttpRequest,
    tender: Tender,
    auction: Auction,
    *,
    form: AuctionBidForm | None = None,
    negotiation_form: NegotiationForm | None = None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    board = auction_board_for(request.user, auction)
    running = board.status == AuctionStatus.RUNNING
    can_bid = board.view == BIDDER and running
    can_negotiate = (
        board.view == STAFF
        and board.status == AuctionStatus.NEGOTIATION
        and is_entity_officer(request.user, tender.entity)
    )
    if can_bid and form is None:
        form = AuctionBidForm(initial={"client_token": new_client_token()})
    if can_negotiate and negotiation_form is None:
        negotiation_form = NegotiationForm()
    context = {
        **_live_context(tender, auction, board),
        "form": form if can_bid else None,
        "negotiation_form": negotiation_form if can_negotiate else None,
        "live": board.status in (AuctionStatus.SCHEDULED, AuctionStatus.RUNNING, AuctionStatus.NEGOTIATION),
        "poll_ms": int(POLL_SECONDS * 1000),
        "error": error,
    }
    return render(request, "procurement/auction/auction.html", context, status=status)


@never_cache
@require_safe
def auction_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    tender, auction = auction_of(request, pk, number)
    return _page(request, tender, auction)


@never_cache
@require_safe
def auction_status(request: HttpRequest, pk: int, number: int) -> JsonResponse:
    """The live status for the page's script: the board as the person may see it, and the live
    region's HTML (the page swaps it in only when it changed, so screen readers hear changes only)."""
    tender, auction = auction_of(request, pk, number)
    board = auction_board_for(request.user, auction)
    html = render_to_string("procurement/auction/_live.html", _live_context(tender, auction, board), request=request)
    return JsonResponse({"board": board_data(board), "html": html})


@never_cache
@require_POST
@login_required
def auction_bid_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    tender, auction = auction_of(request, pk, number)
    organisation = speaks_for_supplier(request)
    form = AuctionBidForm(request.POST)
    if organisation is None:
        return _page(
            request,
            tender,
            auction,
            error=_("Act for a supplier admitted to this auction, as its representative, to bid."),
            status=403,
        )
    if not form.is_valid():
        return _page(request, tender, auction, form=_fresh(form), error=_("Type your new total price."), status=400)
    try:
        attempt = auction_bid(
            actor=request.user,
            auction=auction,
            organisation=organisation,
            price=form.cleaned_data["price"].strip().replace(",", ""),
            client_token=form.cleaned_data["client_token"],
        )
    except DomainError as exc:
        # The refusal is shown with the form ready for another price (under a new token).
        return _page(request, tender, auction, form=_fresh(form), error=exc.message, status=exc.status)
    text = _("Your bid of %(price)s was accepted at %(time)s (server time, Lima).") % {
        "price": format_money(attempt.price, tender.currency),
        "time": attempt.received_at.astimezone(LIMA).strftime("%H:%M:%S"),
    }
    if attempt.extended_to:
        text += " " + _("It extended the auction to %(time)s.") % {
            "time": attempt.extended_to.astimezone(LIMA).strftime("%H:%M:%S")
        }
    messages.success(request, text)
    return redirect("auction-detail", pk=tender.pk, number=number)


def _fresh(form: AuctionBidForm) -> AuctionBidForm:
    """The form again with what was typed and a new client token, for another try."""
    data = form.data.copy()
    data["client_token"] = new_client_token()
    return AuctionBidForm(data)


@require_POST
@login_required
def auction_negotiate_view(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    tender, auction = auction_of(request, pk, number)
    form = NegotiationForm(request.POST)
    if not form.is_valid():
        return _page(request, tender, auction, negotiation_form=form, status=400)
    try:
        auction = auction_negotiate(
            actor=request.user, auction=auction, price=form.cleaned_data["price"].strip().replace(",", "")
        )
    except DomainError as exc:
        return _page(request, tender, auction, negotiation_form=form, error=exc.message, status=exc.status)
    messages.success(
        request,
        _("The negotiated price of %(price)s is recorded and the auction is closed.")
        % {"price": format_money(auction.best_price, tender.currency)},
    )
    return redirect("auction-detail", pk=tender.pk, number=number)


urlpatterns = [
    path("procurement/tenders/<int:pk>/auctions/<int:number>/", auction_detail, name="auction-detail"),
    path("procurement/tenders/<int:pk>/auctions/<int:number>/bid/", auction_bid_view, name="auction-bid"),
    path(
        "procurement/tenders/<int:pk>/auctions/<int:number>/negotiate/",
        auction_negotiate_view,
        name="auction-negotiate",
    ),
    path("procurement/tenders/<int:pk>/auctions/<int:number>/status/", auction_status, name="auction-status"),
]
