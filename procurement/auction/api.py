"""API: the reverse auction of a lot — its board as the caller may see it, and a bidder's bids.

``GET /api/v1/auctions/{id}/`` answers the board of ``auction_board_for``: the public sees the status
and the times; a bidder its own position, the best price and its own attempts, never another
bidder's identity; the entity's staff the full board; everyone the ranking and log after the close.
Every answer carries the server's time: count down to ``ends_at`` from it, not from your clock.

``POST /api/v1/auctions/{id}/bids/`` bids a total price with an ``Idempotency-Key`` (the service's
client token): 201 for a new accepted bid, 200 for the same key and price again, 409 problem+json
with the service's code when refused (``auction_ended``, ``own_decrement``, ``best_decrement``…).
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from portal.api.openapi import path_id, problems
from portal.core.errors import NotFoundError
from procurement.api.permissions import BidScopes, PublicRead, acting_organisation, supplier_actor
from procurement.auction.selectors import AuctionBoard, auction_board_for, tender_auctions
from procurement.models import Auction
from procurement.selectors import tender_get_for_actor
from procurement.services.auction import auction_bid

TAGS = ["auctions"]
AUCTION_ID = path_id("auction_id", "An auction's id (one per lot of a subasta inversa electrónica).")
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Your key for this bid (1 to 100 characters): the service's client token. The same key and "
    "price again give the same answer without a second bid; a new bid needs a new key. Preferred to the body's "
    "`client_token`.",
)


def auction_for(actor: Any, auction_id: int) -> Auction:
    """The auction named in a request, if the actor may see its tender; NotFoundError otherwise."""
    # The id only leads to the tender; the auction itself then comes from the tender's selector.
    tender_id = Auction.objects.filter(pk=auction_id).values_list("tender_id", flat=True).first()
    if tender_id is None:
        raise NotFoundError(_("No such auction."), code="auction_not_found")
    tender = tender_get_for_actor(actor=actor, tender_id=tender_id)
    auction = next((item for item in tender_auctions(tender.pk) if item.pk == auction_id), None)
    if auction is None:
        raise NotFoundError(_("No such auction."), code="auction_not_found")
    return auction


# --- Serializers -------------------------------------------------------------------------------------


class AuctionPositionSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(source="organisation_id", help_text="Your organisation's id.")
    rank = serializers.IntegerField(help_text="1 is the lowest price (equal prices: the earlier).")
    price = serializers.DecimalField(max_digits=18, decimal_places=2, help_text="Your last price.")
    price_at = serializers.DateTimeField()
    initial_price = serializers.DecimalField(max_digits=18, decimal_places=2)
    accepted_bids = serializers.IntegerField()
    max_next_price = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        allow_null=True,
        help_text="The highest price you may bid now (null when the auction is not running).",
    )


class AuctionRankSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    organisation = serializers.IntegerField(source="organisation_id")
    ruc = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=18, decimal_places=2)
    price_at = serializers.DateTimeField()
    initial_price = serializers.DecimalField(max_digits=18, decimal_places=2)
    accepted_bids = serializers.IntegerField()


class AuctionLogSerializer(serializers.Serializer):
    sequence = serializers.IntegerField(help_text="Order of the attempt: its server-time order.")
    received_at = serializers.DateTimeField()
    organisation = serializers.IntegerField(source="organisation_id")
    ruc = serializers.CharField()
    name = serializers.CharField()
    price = serializers.DecimalField(max_digits=18, decimal_places=2)
    accepted = serializers.BooleanField()
    refusal_code = serializers.CharField(allow_blank=True)
    refusal_reason = serializers.CharField(allow_blank=True)
    extended_to = serializers.DateTimeField(allow_null=True)


class AuctionBoardSerializer(serializers.Serializer):
    """The auction as the caller may see it; what it may not see is null."""

    id = serializers.IntegerField(source="auction_id")
    tender = serializers.IntegerField(source="tender_id")
    lot = serializers.IntegerField(source="lot_number", help_text="The lot's number in its tender.")
    status = serializers.CharField(help_text="scheduled, running, negotiation, closed or void.")
    view = serializers.CharField(help_text="What the caller sees: public, bidder or staff.")
    server_time = serializers.DateTimeField(help_text="The server's time when the board was read.")
    starts_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    ends_at = serializers.DateTimeField(allow_null=True, help_text="Moves later when a late bid extends it.")
    hard_end = serializers.DateTimeField(allow_null=True, help_text="The end no extension goes beyond.")
    closed_at = serializers.DateTimeField(allow_null=True)
    rules = serializers.JSONField()
    best_price = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    bidders = serializers.IntegerField(allow_null=True, help_text="Number of admitted bidders.")
    you = AuctionPositionSerializer(allow_null=True)
    ranking = AuctionRankSerializer(many=True, allow_null=True)
    log = AuctionLogSerializer(many=True, allow_null=True)
    log_digest = serializers.CharField(allow_blank=True, help_text="SHA-256 of the log, frozen at the close.")


class AuctionBidSerializer(serializers.Serializer):
    price = serializers.CharField(max_length=30, help_text="The lot's new total price, e.g. 99500.00.")
    client_token = serializers.CharField(max_length=100, required=False, help_text="Or the Idempotency-Key header.")
    organisation = serializers.IntegerField(
        required=False, help_text="The supplier you bid for (default: your token's or your active organisation)."
    )


class AuctionAttemptSerializer(serializers.Serializer):
    auction = serializers.IntegerField(source="auction_id")
    sequence = serializers.IntegerField()
    price = serializers.DecimalField(max_digits=18, decimal_places=2)
    received_at = serializers.DateTimeField()
    accepted = serializers.BooleanField()
    extended_to = serializers.DateTimeField(allow_null=True, help_text="The new end, when the bid extended it.")


def board_data(board: AuctionBoard) -> dict:
    """The board as JSON-ready data (the API's answer, and the pages' live status)."""
    return AuctionBoardSerializer(board).data


# --- Views -------------------------------------------------------------------------------------------


class AuctionDetailView(APIView):
    """An auction's board as the caller may see it, with the server's time."""

    permission_classes = [PublicRead]

    @extend_schema(
        tags=TAGS,
        summary="An auction's board",
        parameters=[AUCTION_ID],
        responses={200: AuctionBoardSerializer, **problems(403, 404)},
    )
    def get(self, request, auction_id):
        auction = auction_for(request.user, auction_id)
        return Response(board_data(auction_board_for(supplier_actor(request), auction)))


class AuctionBidView(APIView):
    """A bidder's representative, or the supplier's token with ``bids:write``, bids a lower total."""

    permission_classes = [IsAuthenticated, BidScopes]

    @extend_schema(
        tags=TAGS,
        summary="Bid in an auction",
        parameters=[AUCTION_ID, IDEMPOTENCY_HEADER],
        request=AuctionBidSerializer,
        responses={
            201: AuctionAttemptSerializer,
            200: AuctionAttemptSerializer,
            **problems(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, auction_id):
        auction = auction_for(request.user, auction_id)
        serializer = AuctionBidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = acting_organisation(request, data.get("organisation"))
        token = request.headers.get("Idempotency-Key") or data.get("client_token") or ""
        known = _attempt_exists(auction, organisation.pk, token.strip())
        attempt = auction_bid(
            actor=supplier_actor(request),
            auction=auction,
            organisation=organisation,
            price=data["price"],
            client_token=token,
        )
        return Response(
            AuctionAttemptSerializer(attempt).data,
            status=status.HTTP_200_OK if known else status.HTTP_201_CREATED,
        )


def _attempt_exists(auction: Auction, organisation_id: int, token: str) -> bool:
    """Whether this key was used already (then the answer is 200, the service returning the same
    attempt). A race between two sendings of one key is the service's to settle: at worst both say 201."""
    if not token:
        return False
    return auction.log.filter(organisation_id=organisation_id, client_token=token).exists()


urlpatterns = [
    path("auctions/<int:auction_id>/", AuctionDetailView.as_view(), name="api-auction"),
    path("auctions/<int:auction_id>/bids/", AuctionBidView.as_view(), name="api-auction-bids"),
]
