"""What every app's API shares in its OpenAPI schema: the problem answers an operation may give, and
path ids."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

_MEANING = {
    400: "Malformed or refused input: `validation_error` (see `errors`) or the service's code "
    "(`required`, `invalid_value`, `invalid_timeline`…), with the field under `errors`.",
    401: "`not_authenticated`: sign in or send an API token.",
    403: "`permission_denied`: the caller's role, the token's scope, or an act a person must do.",
    404: "`*_not_found`: it does not exist or the caller may not know that it does.",
    409: "A business rule forbids it now (`invalid_transition`, `deadline_passed`, `document_conflict`…).",
    413: "`payload_too_large`: the body is over the portal's limit.",
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
