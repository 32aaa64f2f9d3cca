"""URLs for the gunicorn process of ``deadline_spike.py`` only (``spike_settings``): the portal's own,
plus a bare DRF create endpoint to compare the bid API with. Never part of the product's URLs."""

from __future__ import annotations

import json

from django.db import connection
from django.urls import include, path
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

BARE_TABLE = "bench_bare_bid"
CREATE_TABLE = f"""CREATE TABLE IF NOT EXISTS {BARE_TABLE} (
    id bigserial PRIMARY KEY,
    organisation_id integer NOT NULL,
    lot_id integer NOT NULL,
    idempotency_key varchar(100) NOT NULL,
    prices jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (organisation_id, idempotency_key)
)"""


class BareBidSerializer(serializers.Serializer):
    prices = serializers.DictField(child=serializers.DecimalField(max_digits=18, decimal_places=2))
    technical = serializers.DictField(required=False, default=dict)


class BareCreateView(APIView):
    """The least a create endpoint does: authenticate the token, validate the body, insert one row
    (idempotent by key, like the bid API), answer 201 or 200 for a retry."""

    permission_classes = [IsAuthenticated]

    def post(self, request, lot_id):
        serializer = BareBidSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prices = {key: str(value) for key, value in serializer.validated_data["prices"].items()}
        key = request.headers.get("Idempotency-Key", "")
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {BARE_TABLE} (organisation_id, lot_id, idempotency_key, prices)
                VALUES (%s, %s, %s, %s::jsonb) ON CONFLICT (organisation_id, idempotency_key) DO NOTHING
                RETURNING id, received_at""",
                [request.user.organisation.pk, lot_id, key, json.dumps(prices)],
            )
            row = cursor.fetchone()
            created = row is not None
            if not created:
                cursor.execute(
                    f"SELECT id, received_at FROM {BARE_TABLE} WHERE organisation_id = %s AND idempotency_key = %s",
                    [request.user.organisation.pk, key],
                )
                row = cursor.fetchone()
        return Response(
            {"bid_id": row[0], "received_at": row[1]},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


urlpatterns = [
    path("bench/lots/<int:lot_id>/bids/", BareCreateView.as_view()),
    path("", include("portal.urls")),
]
