"""Webhooks: registered per organisation, delivered through the outbox to a real HTTP server on loopback,
signed with HMAC-SHA256, retried with backoff on transient failures, failed for good on refusals."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied

from portal.accounts.enums import OrganisationKind, Role
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError
from portal.notifications.enums import Channel, DeliveryStatus
from portal.notifications.models import Notification
from portal.notifications.services import notification_deliver, notify_webhooks, webhook_signature
from portal.notifications.webhooks import webhook_register, webhook_remove, webhooks_of
from tests.factories import member

pytestmark = pytest.mark.django_db

EVENT = "document.status_changed"


class Receiver:
    """A real HTTP server on 127.0.0.1 answering with the queued status codes (200 when none)."""

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                code = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def integrator():
    return member(OrganisationKind.INTEGRATOR, Role.INTEGRATOR)


def _org(user):
    return user.memberships.get().organisation


def _queue(organisation, key="document:1:valid", payload=None):
    notify_webhooks(EVENT, [organisation.pk], payload or {"document_id": 1, "status": "valid"}, key=key)
    return Notification.objects.filter(channel=Channel.WEBHOOK).order_by("-pk").first()


def test_a_delivery_is_signed_and_the_receiver_can_verify_it(receiver, integrator, django_capture_on_commit_callbacks):
    endpoint = webhook_register(actor=integrator, organisation=_org(integrator), url=receiver.url)

    row = _queue(_org(integrator))
    outcome = notification_deliver(notification_id=row.pk)

    assert outcome == "sent"
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    body = json.loads(request["body"])
    assert body == {
        "id": row.pk,
        "event": EVENT,
        "occurred_at": row.created_at.isoformat(),
        "data": {"document_id": 1, "status": "valid"},
    }
    assert request["headers"]["X-Portal-Event"] == EVENT
    assert request["headers"]["X-Portal-Delivery"] == str(row.pk)
    timestamp, signature = (part.split("=", 1)[1] for part in request["headers"]["X-Portal-Signature"].split(","))
    expected = hmac.new(endpoint.secret.encode(), f"{timestamp}.".encode() + request["body"], hashlib.sha256)
    assert hmac.compare_digest(signature, expected.hexdigest())
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT


def test_the_signature_changes_with_the_body_and_the_secret():
    base = webhook_signature("s3cret", 1700000000, b'{"a":1}')
    assert base.startswith("t=1700000000,v1=")
    assert webhook_signature("s3cret", 1700000000, b'{"a":2}') != base
    assert webhook_signature("other", 1700000000, b'{"a":1}') != base


def test_a_server_error_is_retried_with_backoff_then_delivered(receiver, integrator, frozen_clock, settings):
    settings.NOTIFICATION_BACKOFF_BASE = 30.0
    webhook_register(actor=integrator, organisation=_org(integrator), url=receiver.url)
    receiver.statuses = [503]
    row = _queue(_org(integrator))

    first = notification_deliver(notification_id=row.pk)

    row.refresh_from_db()
    assert first == "retry"
    assert row.status == DeliveryStatus.PENDING
    assert row.attempts == 1
    assert row.last_error == "HTTP 503"
    assert timedelta(seconds=15) <= row.next_attempt_at - clock.now() <= timedelta(seconds=30)
    # Not due yet: nothing is sent.
    assert notification_deliver(notification_id=row.pk) == "not_due"

    frozen_clock.advance(seconds=31)
    second = notification_deliver(notification_id=row.pk)

    row.refresh_from_db()
    assert second == "sent"
    assert row.status == DeliveryStatus.SENT
    assert row.attempts == 2
    assert len(receiver.requests) == 2
    # The same delivery id both times: the receiver can drop a duplicate.
    assert {r["headers"]["X-Portal-Delivery"] for r in receiver.requests} == {str(row.pk)}


def test_transient_failures_end_failed_after_the_last_attempt(receiver, integrator, frozen_clock, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    webhook_register(actor=integrator, organisation=_org(integrator), url=receiver.url)
    receiver.statuses = [500, 502, 429]
    row = _queue(_org(integrator))

    outcomes = []
    for _ in range(3):
        outcomes.append(notification_deliver(notification_id=row.pk))
        frozen_clock.advance(hours=2)

    row.refresh_from_db()
    assert outcomes == ["retry", "retry", "failed"]
    assert row.status == DeliveryStatus.FAILED
    assert "gave up after 3 attempts" in row.last_error


def test_a_client_error_fails_at_once(receiver, integrator):
    webhook_register(actor=integrator, organisation=_org(integrator), url=receiver.url)
    receiver.statuses = [410]
    row = _queue(_org(integrator))

    assert notification_deliver(notification_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED
    assert "HTTP 410" in row.last_error


def test_an_unreachable_receiver_is_a_transient_failure(integrator):
    webhook_register(actor=integrator, organisation=_org(integrator), url="http://127.0.0.1:9/hooks")
    row = _queue(_org(integrator))

    assert notification_deliver(notification_id=row.pk) == "retry"


def test_production_refuses_addresses_that_are_not_public(receiver, integrator, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    webhook_register(actor=integrator, organisation=_org(integrator), url=receiver.url)
    row = _queue(_org(integrator))

    assert notification_deliver(notification_id=row.pk) == "failed"
    row.refresh_from_db()
    assert "non-public address" in row.last_error
    assert receiver.requests == []


def test_production_refuses_plain_http(receiver, integrator, settings):
    settings.WEBHOOK_REQUIRE_HTTPS = True
    webhook_register(actor=integrator, organisation=_org(integrator), url=receiver.url)
    row = _queue(_org(integrator))

    assert notification_deliver(notification_id=row.pk) == "failed"
    assert receiver.requests == []


def test_the_same_occurrence_is_queued_once_and_only_for_subscribers(receiver, integrator):
    organisation = _org(integrator)
    webhook_register(actor=integrator, organisation=organisation, url=receiver.url)
    webhook_register(
        actor=integrator, organisation=organisation, url=receiver.url + "/other", events=["tender.published"]
    )

    notify_webhooks(EVENT, [organisation.pk], {"x": 1}, key="k1")
    notify_webhooks(EVENT, [organisation.pk], {"x": 1}, key="k1")

    rows = Notification.objects.filter(channel=Channel.WEBHOOK)
    assert rows.count() == 1
    assert rows.get().endpoint.url == receiver.url


def test_a_removed_webhook_gets_nothing_more(receiver, integrator):
    organisation = _org(integrator)
    endpoint = webhook_register(actor=integrator, organisation=organisation, url=receiver.url)
    row = _queue(organisation)

    webhook_remove(actor=integrator, organisation=organisation, webhook_id=endpoint.pk)

    assert notification_deliver(notification_id=row.pk) == "failed"
    assert receiver.requests == []
    assert list(webhooks_of(organisation=organisation)) == []
    assert notify_webhooks(EVENT, [organisation.pk], {}, key="later") == 0


def test_registration_checks_role_url_and_events(integrator):
    organisation = _org(integrator)
    evaluator = member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR)

    with pytest.raises(PermissionDenied):
        webhook_register(actor=evaluator, organisation=organisation, url="https://example.org/h")
    with pytest.raises(DomainError) as bad_url:
        webhook_register(actor=integrator, organisation=organisation, url="ftp://example.org/h")
    with pytest.raises(DomainError) as bad_event:
        webhook_register(actor=integrator, organisation=organisation, url="https://example.org/h", events=["nope"])
    with pytest.raises(NotFoundError):
        webhook_remove(actor=integrator, organisation=organisation, webhook_id=999999)

    assert (bad_url.value.code, bad_event.value.code) == ("invalid_url", "unknown_event")
    assert list(webhooks_of(organisation=organisation)) == []


def test_the_secret_is_long_and_unique(integrator):
    organisation = _org(integrator)
    first = webhook_register(actor=integrator, organisation=organisation, url="https://example.org/a")
    second = webhook_register(actor=integrator, organisation=organisation, url="https://example.org/b")

    assert len(first.secret) == 64
    assert first.secret != second.secret
