"""What the procurement API's views share: the tender's id and body. (``problems``/``path_id`` are
re-exported from ``portal.api.openapi``, where every app's API finds them.)"""

from __future__ import annotations

from rest_framework.request import Request
from rest_framework.response import Response

from portal.api.openapi import path_id, problems  # noqa: F401 - re-exported for the procurement API
from procurement.api.serializers import TenderDetailSerializer
from procurement.models import Tender
from procurement.selectors import published_questions, tender_documents, tender_lots

TENDER_ID = path_id("tender_id", "A tender's id.")


def tender_body(request: Request, tender: Tender) -> dict:
    """The tender as everyone may read it (drafts only reach their entity's members)."""
    context = {
        "request": request,
        "lots": tender_lots(tender=tender),
        "documents": tender_documents(tender=tender),
        "questions": published_questions(tender=tender),
    }
    return TenderDetailSerializer(tender, context=context).data


def tender_response(request: Request, tender: Tender, status: int = 200) -> Response:
    return Response(tender_body(request, tender), status=status)
