"""API: procedure types and annual procurement plans (PAC).

Published plans, and the versions they superseded, are public; an entity's members also see its
drafts. An entity's procurement officer drafts a plan, publishes it, and modifies it by drafting a new
version (``plan_create`` numbers it), which supersedes the published one when published.
"""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.permissions import SAFE_METHODS, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from portal.accounts.models import Organisation
from procurement.api.common import path_id, problems
from procurement.api.permissions import PersonOnly, PublicRead, acting_organisation
from procurement.api.serializers import (
    PlanCreateSerializer,
    PlanFilterSerializer,
    PlanSerializer,
    PlanVersionSerializer,
    ProcedureTypeSerializer,
)
from procurement.selectors import plan_get_for_actor, plans_visible_to, procedure_types_in_force
from procurement.services.plans import PlanLineData, plan_create, plan_publish

PLAN_ID = path_id("plan_id", "A plan version's id.")


class ProcedureTypeListView(generics.ListAPIView):
    """The procedure types in force in Peru and the rules each sets (stages, durations, thresholds)."""

    serializer_class = ProcedureTypeSerializer
    permission_classes = [PublicRead]

    def get_queryset(self):
        return procedure_types_in_force(jurisdiction="PE")

    @extend_schema(tags=["procurement"], responses={200: ProcedureTypeSerializer(many=True), **problems(403)})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


def _lines(entity: Organisation, lines: list[dict]) -> list[PlanLineData]:
    """The typed lines with their procedure type found by code in the entity's jurisdiction (an unknown
    code is left empty: the service refuses it, naming the line)."""
    in_force = {procedure.code: procedure for procedure in procedure_types_in_force(jurisdiction=entity.country)}
    return [
        PlanLineData(
            description=line["description"],
            object=line["object"],
            procedure_type=in_force.get(line["procedure_type"]),
            unspsc_code=line["unspsc_code"],
            estimated_value=line["estimated_value"],
            planned_month=line["planned_month"],
        )
        for line in lines
    ]


def _plan_response(request: Request, plan_id: int, status_code: int = 200) -> Response:
    return Response(PlanSerializer(plan_get_for_actor(actor=request.user, plan_id=plan_id)).data, status=status_code)


class PlanListView(generics.ListAPIView):
    """Plans anyone may read; an entity's officer drafts a new plan (version 1, or the next one)."""

    serializer_class = PlanSerializer

    def get_permissions(self):
        if self.request.method in SAFE_METHODS:
            return [PublicRead()]
        return [IsAuthenticated(), PersonOnly()]

    def get_queryset(self):
        filters = PlanFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        criteria = filters.validated_data
        rows = plans_visible_to(actor=self.request.user)
        if "entity" in criteria:
            rows = rows.filter(entity_id=criteria["entity"])
        if "fiscal_year" in criteria:
            rows = rows.filter(fiscal_year=criteria["fiscal_year"])
        if "status" in criteria:
            rows = rows.filter(status=criteria["status"])
        return rows

    @extend_schema(
        tags=["procurement"],
        parameters=[PlanFilterSerializer],
        responses={200: PlanSerializer(many=True), **problems(400, 403)},
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        tags=["procurement"],
        summary="Draft a plan",
        request=PlanCreateSerializer,
        responses={201: PlanSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request):
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        entity = acting_organisation(request, data.get("entity"))
        plan = plan_create(
            actor=request.user, entity=entity, fiscal_year=data["fiscal_year"], lines=_lines(entity, data["lines"])
        )
        return _plan_response(request, plan.pk, status.HTTP_201_CREATED)


class PlanDetailView(APIView):
    permission_classes = [PublicRead]

    @extend_schema(tags=["procurement"], parameters=[PLAN_ID], responses={200: PlanSerializer, **problems(403, 404)})
    def get(self, request, plan_id):
        return _plan_response(request, plan_id)


class PlanPublishView(APIView):
    """Publish a draft version; the version published until now becomes superseded."""

    permission_classes = [IsAuthenticated, PersonOnly]

    @extend_schema(
        tags=["procurement"],
        summary="Publish a plan version",
        parameters=[PLAN_ID],
        request=None,
        responses={200: PlanSerializer, **problems(401, 403, 404, 409)},
    )
    def post(self, request, plan_id):
        plan = plan_publish(actor=request.user, plan=plan_get_for_actor(actor=request.user, plan_id=plan_id))
        return _plan_response(request, plan.pk)


class PlanVersionView(APIView):
    """Modify a plan: draft its next version, with the complete list of lines."""

    permission_classes = [IsAuthenticated, PersonOnly]

    @extend_schema(
        tags=["procurement"],
        summary="Draft the next version of a plan",
        parameters=[PLAN_ID],
        request=PlanVersionSerializer,
        responses={201: PlanSerializer, **problems(400, 401, 403, 404)},
    )
    def post(self, request, plan_id):
        plan = plan_get_for_actor(actor=request.user, plan_id=plan_id)
        serializer = PlanVersionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = plan_create(
            actor=request.user,
            entity=plan.entity,
            fiscal_year=plan.fiscal_year,
            lines=_lines(plan.entity, serializer.validated_data["lines"]),
        )
        return _plan_response(request, version.pk, status.HTTP_201_CREATED)


urlpatterns = [
    path("procedure-types/", ProcedureTypeListView.as_view(), name="api-procedure-type-list"),
    path("plans/", PlanListView.as_view(), name="api-plan-list"),
    path("plans/<int:plan_id>/", PlanDetailView.as_view(), name="api-plan-detail"),
    path("plans/<int:plan_id>/publish/", PlanPublishView.as_view(), name="api-plan-publish"),
    path("plans/<int:plan_id>/versions/", PlanVersionView.as_view(), name="api-plan-versions"),
]
