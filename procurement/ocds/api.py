"""Open data API: OCDS 1.1 release packages and record packages, public and read-only.

``/ocds/releases/`` walks every release in publication time, a page at a time, behind an opaque
cursor (``links.next``): a consumer keeps the last link and asks it again later for what is new.
The keyset is the release's date and id, which the ``ocds_release_date`` and
``ocds_release_entity_date`` indexes serve with or without the filters. ``/ocds/records/<ocid>/``
is one process's record: its releases, the compiled and the versioned release.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.openapi import problems
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError
from procurement.api.permissions import PublicRead
from procurement.models import Release
from procurement.ocds.packages import package_metadata
from procurement.ocds.records import record_for
from procurement.timeline import LIMA

TAGS = ["open data (OCDS)"]
PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


class OcdsReleaseFilterSerializer(serializers.Serializer):
    date_from = serializers.DateField(
        required=False, help_text=gettext_lazy("Releases dated on or after this day (Lima time), YYYY-MM-DD.")
    )
    date_to = serializers.DateField(
        required=False, help_text=gettext_lazy("Releases dated on or before this day (Lima time), YYYY-MM-DD.")
    )
    entity = serializers.RegexField(
        r"^\d{11}$", required=False, help_text=gettext_lazy("The contracting entity's RUC (11 digits).")
    )
    cursor = serializers.CharField(
        required=False, help_text=gettext_lazy("Where the page starts: copy it from the previous page's links.next.")
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_PAGE_SIZE,
        default=PAGE_SIZE,
        help_text=gettext_lazy("Releases per page."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "date_from" in attrs and "date_to" in attrs and attrs["date_from"] > attrs["date_to"]:
            raise DomainError(_("The first day comes after the last."), code="invalid_date_range", field="date_to")
        return attrs


def _start_of(day) -> datetime:
    return datetime.combine(day, time.min, tzinfo=LIMA)


def encode_cursor(date: datetime, pk: int) -> str:
    raw = json.dumps([date.isoformat(), pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """The position a cursor names; a cursor the portal did not give is refused (400 ``invalid_cursor``)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        moment, pk = json.loads(raw)
        position = datetime.fromisoformat(moment), int(pk)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
        position = None
    if position is None or position[0].tzinfo is None or not 0 <= position[1] < 2**63:
        raise DomainError(_("This cursor is not one the portal gave."), code="invalid_cursor", field="cursor")
    return position


def releases_matching(criteria: dict[str, Any]) -> QuerySet[Release]:
    rows = Release.objects.all()
    if "date_from" in criteria:
        rows = rows.filter(date__gte=_start_of(criteria["date_from"]))
    if "date_to" in criteria:
        rows = rows.filter(date__lt=_start_of(criteria["date_to"] + timedelta(days=1)))
    if "entity" in criteria:
        rows = rows.filter(entity__tax_id=criteria["entity"])
    return rows


class ReleasePackageView(APIView):
    """Every OCDS release, oldest first, as release packages of a page each."""

    permission_classes = [PublicRead]

    @extend_schema(
        tags=TAGS,
        summary="OCDS release package: every release, in publication time",
        parameters=[OcdsReleaseFilterSerializer],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="An OCDS 1.1 release package; `links.next` is the next page, absent on the last.",
            ),
            **problems(400, 403),
        },
    )
    def get(self, request: Request) -> Response:
        filters = OcdsReleaseFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        criteria = filters.validated_data
        rows = releases_matching(criteria)
        if "cursor" in criteria:
            after, pk = decode_cursor(criteria["cursor"])
            rows = rows.filter(Q(date__gt=after) | Q(date=after, pk__gt=pk))
        limit = criteria["limit"]
        page = list(rows.order_by("date", "pk").values_list("date", "pk", "data")[: limit + 1])
        more = len(page) > limit
        page = page[:limit]
        published = max((date for date, _pk, _data in page), default=None) or clock.now()
        package = package_metadata(uri=request.build_absolute_uri(), published=published)
        package["releases"] = [data for _date, _pk, data in page]
        if more:
            query = request.query_params.copy()
            query["cursor"] = encode_cursor(page[-1][0], page[-1][1])
            package["links"] = {"next": request.build_absolute_uri(f"{request.path}?{query.urlencode()}")}
        return Response(package)


class RecordPackageView(APIView):
    """One process's OCDS record."""

    permission_classes = [PublicRead]

    @extend_schema(
        tags=TAGS,
        summary="OCDS record package of one process",
        parameters=[
            OpenApiParameter(
                "ocid", OpenApiTypes.STR, OpenApiParameter.PATH, description="The process's Open Contracting ID."
            )
        ],
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description="An OCDS 1.1 record package with the record: releases, compiled and versioned release.",
            ),
            **problems(403, 404),
        },
    )
    def get(self, request: Request, ocid: str) -> Response:
        record = record_for(ocid)
        if record is None:
            raise NotFoundError(_("No process has this ocid."), code="record_not_found")
        published = Release.objects.filter(ocid=ocid).aggregate(last=Max("date"))["last"]
        package = package_metadata(uri=request.build_absolute_uri(), published=published)
        package["records"] = [record]
        return Response(package)


urlpatterns = [
    path("ocds/releases/", ReleasePackageView.as_view(), name="api-ocds-releases"),
    path("ocds/records/<str:ocid>/", RecordPackageView.as_view(), name="api-ocds-record"),
]
