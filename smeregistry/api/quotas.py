"""API: MYPE set-aside quota figures, public (anonymous callers are throttled per address).

``GET /api/v1/quotas/?fiscal_year=2026&entity=42`` — one entity, or the whole jurisdiction without
``entity``. Amounts are strings with two decimals, shares are strings (percent, two decimals) or
null when nothing was awarded, lights are ``green``/``amber``/``red``/``none``.
"""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.accounts.api import schema  # noqa: F401 - registers the token scheme for the API docs
from smeregistry.services.quotas import (
    AMBER,
    GREEN,
    NONE,
    RED,
    QuotaPeriod,
    fiscal_year_parse,
    quota_entity_get,
    quota_summary,
)

LIGHTS = [GREEN, AMBER, RED, NONE]


def _amount(value) -> str:
    return f"{value:.2f}"


def _share(value) -> str | None:
    return None if value is None else f"{value:.2f}"


class QuotaPeriodSerializer(serializers.Serializer):
    month = serializers.IntegerField(help_text="1–12; 0 for the year's total.")
    total_amount = serializers.CharField(help_text="Awarded value in the jurisdiction's currency, 2 decimals.")
    total_count = serializers.IntegerField()
    mype_amount = serializers.CharField()
    mype_count = serializers.IntegerField()
    share_by_value = serializers.CharField(allow_null=True, help_text="Percent with 2 decimals; null without awards.")
    share_by_count = serializers.CharField(allow_null=True)

    def to_representation(self, instance: QuotaPeriod) -> dict[str, Any]:
        return {
            "month": instance.month,
            "total_amount": _amount(instance.total_amount),
            "total_count": instance.total_count,
            "mype_amount": _amount(instance.mype_amount),
            "mype_count": instance.mype_count,
            "share_by_value": _share(instance.share_by_value),
            "share_by_count": _share(instance.share_by_count),
        }


class QuotaEntitySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class QuotaSummarySerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    jurisdiction = serializers.CharField()
    currency = serializers.CharField()
    entity = QuotaEntitySerializer(allow_null=True)
    target_percent = serializers.CharField()
    amber_ratio = serializers.CharField()
    share_by_value = serializers.CharField(allow_null=True)
    share_by_count = serializers.CharField(allow_null=True)
    light_by_value = serializers.ChoiceField(choices=LIGHTS)
    light_by_count = serializers.ChoiceField(choices=LIGHTS)
    total = QuotaPeriodSerializer()
    months = QuotaPeriodSerializer(many=True)


PROBLEM = OpenApiResponse(response=OpenApiTypes.OBJECT, description="application/problem+json with a stable `code`.")


class QuotaView(APIView):
    """Public figures of the MYPE set-aside quota."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="quotas_retrieve",
        summary="MYPE set-aside quota for a fiscal year",
        description="Shares of the awards to micro and small enterprises by value and by number of "
        "contracts, month by month and for the year, with traffic lights against the target. "
        "Public: anonymous callers are throttled.",
        parameters=[
            OpenApiParameter("fiscal_year", OpenApiTypes.INT, description="Default: the current year in Lima time."),
            OpenApiParameter(
                "entity", OpenApiTypes.INT, description="A contracting entity's id; omit for the whole jurisdiction."
            ),
        ],
        responses={
            200: QuotaSummarySerializer,
            400: OpenApiResponse(
                response=OpenApiTypes.OBJECT,
                description="problem+json, code `invalid_year`.",
                examples=[
                    OpenApiExample(
                        "invalid_year",
                        value={
                            "type": "https://portal.example/problems/invalid_year",
                            "title": "Bad Request",
                            "status": 400,
                            "code": "invalid_year",
                            "detail": "The fiscal year must be a year from 2000 to 2027.",
                        },
                    )
                ],
            ),
            404: OpenApiResponse(response=OpenApiTypes.OBJECT, description="problem+json, code `not_found`."),
            429: PROBLEM,
        },
        tags=["registry"],
    )
    def get(self, request):
        fiscal_year = fiscal_year_parse(request.query_params.get("fiscal_year"))
        entity_param = request.query_params.get("entity")
        entity = quota_entity_get(entity_param) if entity_param not in (None, "") else None
        summary = quota_summary(fiscal_year=fiscal_year, entity=entity)
        body = {
            "fiscal_year": summary.fiscal_year,
            "jurisdiction": "PE",
            "currency": summary.currency,
            "entity": {"id": entity.pk, "name": entity.name} if entity is not None else None,
            "target_percent": _share(summary.target),
            "amber_ratio": _share(summary.amber_ratio),
            "share_by_value": _share(summary.total.share_by_value),
            "share_by_count": _share(summary.total.share_by_count),
            "light_by_value": summary.light_by_value,
            "light_by_count": summary.light_by_count,
            "total": QuotaPeriodSerializer(summary.total).data,
            "months": QuotaPeriodSerializer(summary.months, many=True).data,
        }
        return Response(body)


urlpatterns = [path("quotas/", QuotaView.as_view(), name="api-quotas")]
