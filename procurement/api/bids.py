"""API: sealed bids — submit (idempotently) and withdraw a bid, list one's own, and the entity's count.

Before the opening nobody learns a bid's content, and nobody but its bidder learns that it exists: a
bidder reads its own bids (status, time, digest), the entity's officers the number of live bids per
lot, everyone else nothing — another organisation's bid is "not found". Submitting answers 201 with
the receipt, and a retry with the same ``Idempotency-Key`` and content 200 with the same receipt.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from procurement.api.common import TENDER_ID, path_id, problems
from procurement.api.permissions import BidScopes, PublicRead, acting_organisation, is_entity_officer, supplier_actor
from procurement.api.serializers import (
    ActingOrganisationSerializer,
    BidReceiptSerializer,
    BidSubmitSerializer,
    BidSummarySerializer,
    OwnBidFilterSerializer,
    OwnBidSerializer,
)
from procurement.selectors import (
    bids_of_organisation,
    bids_visible_to,
    lot_get_for_actor,
    own_bid_get,
    tender_get_for_actor,
)
from procurement.services.bids import bid_submit, bid_withdraw

TAGS = ["procurement"]
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="Your key for this bid (1 to 100 characters). Send the same key and content again to get the "
    "same receipt back; a new bid needs a new key. Preferred to the body's `idempotency_key`.",
)


class LotBidCreateView(APIView):
    """A supplier's representative, or the supplier's token with ``bids:write``, submits a sealed bid for
    a lot; it replaces the supplier's live bid for the lot, if any. Bids are received until the
    deadline, by server time."""

    permission_classes = [IsAuthenticated, BidScopes]

    @extend_schema(
        tags=TAGS,
        summary="Submit a bid",
        parameters=[path_id("lot_id", "A lot's id (from the tender)."), IDEMPOTENCY_HEADER],
        request=BidSubmitSerializer,
        responses={
            201: BidReceiptSerializer,
            200: BidReceiptSerializer,
            **problems(400, 401, 403, 404, 409),
        },
    )
    def post(self, request, lot_id):
        lot = lot_get_for_actor(actor=request.user, lot_id=lot_id)
        serializer = BidSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        organisation = acting_organisation(request, data.get("organisation"))
        key = (request.headers.get("Idempotency-Key") or data["idempotency_key"]).strip()
        bid, receipt = bid_submit(
            actor=supplier_actor(request),
            lot=lot,
            organisation=organisation,
            prices=data["prices"],
            technical=data["technical"],
            idempotency_key=key,
        )
        return Response(
            BidReceiptSerializer({**receipt, "bid_id": bid.pk, "received_at": bid.received_at}).data,
            status=status.HTTP_200_OK if bid.replayed else status.HTTP_201_CREATED,
        )


def _own_bid(request, organisation, bid_id: int) -> dict:
    return bids_of_organisation(actor=supplier_actor(request), organisation=organisation).get(pk=bid_id)


class BidWithdrawView(APIView):
    """Withdraw the caller organisation's live bid before the deadline."""

    permission_classes = [IsAuthenticated, BidScopes]

    @extend_schema(
        tags=TAGS,
        summary="Withdraw a bid",
        parameters=[path_id("bid_id", "One of your bids' id.")],
        request=ActingOrganisationSerializer,
        responses={200: OwnBidSerializer, **problems(401, 403, 404, 409)},
    )
    def post(self, request, bid_id):
        serializer = ActingOrganisationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organisation = acting_organisation(request, serializer.validated_data.get("organisation"))
        actor = supplier_actor(request)
        bid = own_bid_get(actor=actor, organisation=organisation, bid_id=bid_id)
        bid_withdraw(actor=actor, bid=bid)
        return Response(OwnBidSerializer(_own_bid(request, organisation, bid.pk)).data)


class BidListView(generics.ListAPIView):
    """The caller organisation's own bids, newest first: status, lot, time received and digest."""

    serializer_class = OwnBidSerializer
    permission_classes = [IsAuthenticated, BidScopes]

    def get_queryset(self):
        filters = OwnBidFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        criteria = filters.validated_data
        organisation = acting_organisation(self.request, criteria.get("organisation"))
        rows = bids_of_organisation(actor=supplier_actor(self.request), organisation=organisation)
        if "tender" in criteria:
            rows = rows.filter(lot__tender_id=criteria["tender"])
        return rows

    @extend_schema(
        tags=TAGS,
        parameters=[OwnBidFilterSerializer],
        responses={200: OwnBidSerializer(many=True), **problems(400, 401, 403, 404)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TenderBidSummaryView(APIView):
    """The number of live bids per lot: the entity's procurement officers only, never who bid."""

    permission_classes = [IsAuthenticated, PublicRead]

    @extend_schema(
        tags=TAGS,
        summary="Live bids per lot (the entity's officers)",
        parameters=[TENDER_ID],
        responses={200: BidSummarySerializer, **problems(401, 403, 404)},
    )
    def get(self, request, tender_id):
        tender = tender_get_for_actor(actor=request.user, tender_id=tender_id)
        if not is_entity_officer(request.user, tender.entity):
            raise PermissionDenied(_("Only the entity's procurement officers see how many bids a tender has."))
        counts = bids_visible_to(actor=request.user, tender=tender).counts
        return Response(BidSummarySerializer({"tender": tender.pk, "lots": counts}).data)


urlpatterns = [
    path("lots/<int:lot_id>/bids/", LotBidCreateView.as_view(), name="api-lot-bids"),
    path("bids/", BidListView.as_view(), name="api-bid-list"),
    path("bids/<int:bid_id>/withdraw/", BidWithdrawView.as_view(), name="api-bid-withdraw"),
    path("tenders/<int:tender_id>/bids/summary/", TenderBidSummaryView.as_view(), name="api-tender-bid-summary"),
]
