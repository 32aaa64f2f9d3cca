"""What the procurement API's views share: the problem responses of the schema and the tender's body."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework.request import Request
from rest_framework.response import Response

from procurement.api.serializers import TenderDetailSerializer
from procurement.models import Tender
from procurement.selectors import published_questions, tender_documents, tender_lots

_MEANING = {
    400: "Malformed or refused input: `validation_error` (see `errors`) or the service's code "
    "(`required`, `invalid_value`, `invalid_timeline`…), with the field under `errors`.",
    401: "`not_authenticated`: sign in or send an API token.",
    403: "`permission_denied`: the caller's role, the token's scope, or an act a person must do.",
    404: "`*_not_found`: it does not exist or the caller may not know that it does.",
    409: "A business rule forbids it now (`invalid_transition`, `deadline_passed`, `enquiries_closed`…).",
    415: "`unsupported_media_type`.",
}


def problems(*statuses: int) -> dict[int, OpenApiResponse]:
    """Schema entries for the problem+json answers an operation may give."""
    return {
        status: OpenApiResponse(
            response=OpenApiTypes.OBJECT, description=f"application/problem+json. {_MEANING[status]}"
        )
        for status in statuses
    }


def path_id(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=description)


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
