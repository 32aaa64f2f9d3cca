"""API: tenders (convocatorias) — the public search and record, and the entity's acts on its tenders.

Anything past draft is public; a draft is seen only by its entity's members (others get 404). The
entity's procurement officer drafts a tender from a line of its published plan, sets its chronogram,
publishes it, cancels it (with a reason) and extends the bids deadline after changing the bases; the
oversight body's reviewer annuls it. Dates are ISO 8601: sent with their offset, answered in UTC.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from procurement.api.common import TENDER_ID, problems, tender_response
from procurement.api.permissions import PersonOnly, PublicRead
from procurement.api.serializers import (
    ReasonSerializer,
    TenderCreateSerializer,
    TenderDetailSerializer,
    TenderFilterSerializer,
    TenderSummarySerializer,
    TimelineInputSerializer,
)
from procurement.selectors import plan_line_get_for_actor, tender_get_for_actor, tender_search
from procurement.services.tenders import (
    ItemData,
    LotData,
    tender_amend_deadline,
    tender_annul,
    tender_cancel,
    tender_create,
    tender_publish,
    tender_set_timeline,
)
from procurement.timeline import Timeline

TAGS = ["procurement"]


def _lot(data: dict) -> LotData:
    return LotData(
        title=data["title"],
        reference_value=data["reference_value"],
        mype_reserved=data["mype_reserved"],
        items=[ItemData(**item) for item in data["items"]],
    )


class TenderListView(generics.ListAPIView):
    """Search the tenders anyone may see, the latest published first; an entity's officer drafts one."""

    serializer_class = TenderSummarySerializer

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [PublicRead()]
        return [IsAuthenticated(), PersonOnly()]

    def get_queryset(self):
        filters = TenderFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        criteria = filters.validated_data
        rows = tender_search(
            actor=self.request.user,
            status=criteria.get("status"),
            procurement_object=criteria.get("object"),
            region_code=criteria.get("region"),
            category_code=criteria.get("category"),
        )
        if "entity" in criteria:
            rows = rows.filter(entity_id=criteria["entity"])
        if "procedure_type" in criteria:
            rows = rows.filter(procedure_type__code=criteria["procedure_type"])
        return rows

    @extend_schema(
        tags=TAGS,
        parameters=[TenderFilterSerializer],
        responses={200: TenderSummarySerializer(many=True), **problems(400, 403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=TAGS,
        summary="Draft a tender from a line of the published plan",
        request=TenderCreateSerializer,
        responses={201: TenderDetailSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request):
        serializer = TenderCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        tender = tender_create(
            actor=request.user,
            plan_line=plan_line_get_for_actor(actor=request.user, plan_line_id=data["plan_line"]),
            title=data["title"],
            description=data["description"],
            currency=data["currency"],
            lots=[_lot(lot) for lot in data["lots"]],
        )
        return tender_response(request, tender, status.HTTP_201_CREATED)


class TenderDetailView(APIView):
    """A tender with its lots, items, documents, chronogram and published answers."""

    permission_classes = [PublicRead]

    @extend_schema(tags=TAGS, parameters=[TENDER_ID], responses={200: TenderDetailSerializer, **problems(403, 404)})
    def get(self, request, tender_id):
        return tender_response(request, tender_get_for_actor(actor=request.user, tender_id=tender_id))


class TenderActionView(APIView):
    """An act on a tender the caller may see; the service decides whether the caller may do it."""

    permission_classes = [IsAuthenticated, PersonOnly]

    def tender(self, tender_id: int):
        return tender_get_for_actor(actor=self.request.user, tender_id=tender_id)


class TenderTimelineView(TenderActionView):
    """Set the chronogram of a draft tender (PUT or POST: the whole chronogram each time)."""

    def _set(self, request, tender_id):
        tender = self.tender(tender_id)
        serializer = TimelineInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tender = tender_set_timeline(actor=request.user, tender=tender, timeline=Timeline(**serializer.validated_data))
        return tender_response(request, tender)

    @extend_schema(
        tags=TAGS,
        summary="Set a draft tender's chronogram",
        parameters=[TENDER_ID],
        request=TimelineInputSerializer,
        responses={200: TenderDetailSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def put(self, request, tender_id):
        return self._set(request, tender_id)

    @extend_schema(
        tags=TAGS,
        summary="Set a draft tender's chronogram",
        parameters=[TENDER_ID],
        request=TimelineInputSerializer,
        responses={200: TenderDetailSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, tender_id):
        return self._set(request, tender_id)


class TenderPublishView(TenderActionView):
    @extend_schema(
        tags=TAGS,
        summary="Publish a draft tender now (call for tender)",
        parameters=[TENDER_ID],
        request=None,
        responses={200: TenderDetailSerializer, **problems(401, 403, 404, 409)},
    )
    def post(self, request, tender_id):
        return tender_response(request, tender_publish(actor=request.user, tender=self.tender(tender_id)))


class TenderCancelView(TenderActionView):
    @extend_schema(
        tags=TAGS,
        summary="Cancel a tender (the entity, with a reason)",
        parameters=[TENDER_ID],
        request=ReasonSerializer,
        responses={200: TenderDetailSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, tender_id):
        tender = self.tender(tender_id)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tender = tender_cancel(actor=request.user, tender=tender, reason=serializer.validated_data["reason"])
        return tender_response(request, tender)


class TenderAnnulView(TenderActionView):
    @extend_schema(
        tags=TAGS,
        summary="Annul a tender (the oversight body, with a reason)",
        parameters=[TENDER_ID],
        request=ReasonSerializer,
        responses={200: TenderDetailSerializer, **problems(400, 401, 403, 404, 409)},
    )
    def post(self, request, tender_id):
        tender = self.tender(tender_id)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        tender = tender_annul(actor=request.user, tender=tender, reason=serializer.validated_data["reason"])
        return tender_response(request, tender)


class TenderDeadlineExtensionView(TenderActionView):
    """After the bases change while bids are open: bidders keep at least three working days. The
    deadline moves only when fewer remain (the answer shows the chronogram either way)."""

    @extend_schema(
        tags=TAGS,
        summary="Extend the bids deadline after a change of the bases",
        parameters=[TENDER_ID],
        request=None,
        responses={200: TenderDetailSerializer, **problems(401, 403, 404, 409)},
    )
    def post(self, request, tender_id):
        tender_amend_deadline(actor=request.user, tender=self.tender(tender_id))
        return tender_response(request, self.tender(tender_id))


urlpatterns = [
    path("tenders/", TenderListView.as_view(), name="api-tender-list"),
    path("tenders/<int:tender_id>/", TenderDetailView.as_view(), name="api-tender-detail"),
    path("tenders/<int:tender_id>/timeline/", TenderTimelineView.as_view(), name="api-tender-timeline"),
    path("tenders/<int:tender_id>/publish/", TenderPublishView.as_view(), name="api-tender-publish"),
    path("tenders/<int:tender_id>/cancel/", TenderCancelView.as_view(), name="api-tender-cancel"),
    path("tenders/<int:tender_id>/annul/", TenderAnnulView.as_view(), name="api-tender-annul"),
    path(
        "tenders/<int:tender_id>/deadline-extension/",
        TenderDeadlineExtensionView.as_view(),
        name="api-tender-deadline-extension",
    ),
]
