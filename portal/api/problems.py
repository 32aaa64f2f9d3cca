"""RFC 9457 problem details for every API error: ``application/problem+json`` with a stable ``code``."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, JsonResponse
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from portal.core.errors import DomainError

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://portal.example/problems/"

_DRF_CODES = {
    exceptions.NotAuthenticated: "not_authenticated",
    exceptions.PermissionDenied: "permission_denied",
    exceptions.NotFound: "not_found",
    exceptions.MethodNotAllowed: "method_not_allowed",
    exceptions.NotAcceptable: "not_acceptable",
    exceptions.UnsupportedMediaType: "unsupported_media_type",
    exceptions.Throttled: "throttled",
    exceptions.ParseError: "malformed_request",
    exceptions.ValidationError: "validation_error",
}


def problem(status_code: int, code: str, detail: str, *, title: str | None = None, **extra: Any) -> dict:
    body = {
        "type": PROBLEM_BASE + code,
        "title": title or _status_title(status_code),
        "status": status_code,
        "code": code,
        "detail": detail,
    }
    body.update(extra)
    return body


def _status_title(status_code: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status_code).phrase
    except ValueError:
        return "Error"


def problem_response(status_code: int, code: str, detail: str, **extra: Any) -> JsonResponse:
    """A problem outside DRF (middleware, handler404/500)."""
    return JsonResponse(
        problem(status_code, code, detail, **extra),
        status=status_code,
        content_type=PROBLEM_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


def _first_code(codes: Any) -> str | None:
    if isinstance(codes, str):
        return codes
    if isinstance(codes, dict):
        for value in codes.values():
            found = _first_code(value)
            if found:
                return found
    if isinstance(codes, list):
        for value in codes:
            found = _first_code(value)
            if found:
                return found
    return None


def problem_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DomainError):
        extra = {"errors": {exc.field: [exc.message]}} if exc.field else {}
        if getattr(exc, "reasons", None):
            # The stable codes of why (e.g. an eligibility refusal: sanctioned, not_mype…), for integrators.
            extra["reasons"] = list(exc.reasons)
        return Response(
            problem(exc.status, exc.code, exc.message, **extra), status=exc.status, content_type=PROBLEM_CONTENT_TYPE
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            problem(413, "payload_too_large", _("The request body is larger than the portal accepts.")),
            status=413,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    if isinstance(exc, SuspiciousOperation):
        return Response(
            problem(400, "bad_request", _("The request was refused as malformed.")),
            status=400,
            content_type=PROBLEM_CONTENT_TYPE,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None  # an unexpected error: Django's handler500 answers, as problem+json for the API
    assert isinstance(exc, exceptions.APIException)  # noqa: S101 - narrows the type: DRF answered, so it is one
    extra: dict[str, Any] = {}
    if isinstance(exc, exceptions.ValidationError):
        code = "validation_error"
        detail = _('Some fields are missing or malformed; each one is listed under "errors".')
        extra["errors"] = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
    else:
        specific = _first_code(exc.get_codes())
        generic = next((c for cls, c in _DRF_CODES.items() if isinstance(exc, cls)), exc.default_code)
        # Our own raises carry a specific code (token_expired…); DRF's defaults map to the generic one.
        code = specific if specific and specific != exc.default_code else generic
        detail = str(exc.detail)
    if isinstance(exc, exceptions.Throttled) and exc.wait:
        extra["retry_after"] = int(exc.wait)
    response.data = problem(response.status_code, code, detail, **extra)
    response.content_type = PROBLEM_CONTENT_TYPE
    if response.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
