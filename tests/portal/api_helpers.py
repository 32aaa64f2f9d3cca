"""Shared helpers for the accounts and API tests: problem+json checks and "nothing changed" snapshots."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import translation

from portal.accounts.models import ApiToken, Membership, Organisation
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification

PROBLEM = "application/problem+json"


def in_spanish(message: Any) -> str:
    """``message`` (a msgid or a lazy translation) as the portal shows it in its default language, Spanish.

    Expected texts go through the catalogue so that the tests hold whether or not a msgid is translated yet.
    """
    with translation.override("es"):
        return translation.gettext(message) if isinstance(message, str) else str(message)


def assert_problem(response, status: int, code: str, detail: str | None = None) -> dict:
    """The response is an RFC 9457 problem with ``status`` and ``code``; returns the body."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body = response.json()
    assert body["type"] == f"https://portal.example/problems/{code}"
    assert body["status"] == status
    assert body["code"] == code
    if detail is not None:
        assert body["detail"] == detail
    if status == 401:
        assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    return body


def bearer(key: str) -> Client:
    """A client without a session that sends ``key`` as its API token."""
    return authorization(f"Bearer {key}")


def authorization(header: str) -> Client:
    """A client without a session that sends ``header`` as its Authorization header."""
    return Client(headers={"Authorization": header})


def snapshot() -> dict[str, list]:
    """Everything an accounts action could write: compare before and after a refused action."""
    return {
        "organisations": list(Organisation.objects.order_by("pk").values()),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "tokens": list(ApiToken.objects.order_by("pk").values()),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", flat=True)),
    }
