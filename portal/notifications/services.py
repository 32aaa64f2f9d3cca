"""Notifications: an outbox written with the business change, delivered after commit.

Guarantees, and where each one lives:

- nothing is sent for a change that rolled back: rows are written in the caller's transaction and
  tasks are enqueued with ``transaction.on_commit``;
- nothing is queued twice: a unique key per (event, key, recipient, channel);
- nothing is delivered twice: a delivery first claims its row with a conditional UPDATE
  (pending → sending); a second task for the same row finds nothing to claim;
- nothing is lost to a broker outage: a failed enqueue leaves the row pending, and the periodic
  sweeper re-enqueues pending rows whose task never ran, and hands out again rows left "sending"
  by a worker that died.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import random
import smtplib
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string
from django.utils import translation

from portal.core import clock
from portal.notifications import events
from portal.notifications.enums import Channel, DeliveryStatus
from portal.notifications.models import Notification, NotificationPreference, WebhookEndpoint

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
    socket.timeout,
    socket.gaierror,
)
# Rows older than this with no enqueue recorded are treated as stranded (the on_commit hook may
# still be running in the process that wrote them, so give it a moment first).
_ENQUEUE_GRACE = timedelta(seconds=5)


class TransientDeliveryError(Exception):
    """The channel may accept the message later."""


class PermanentDeliveryError(Exception):
    """The channel refused the message for good (a webhook answering 4xx, a forbidden address)."""


def notify(
    event: str,
    recipients: Iterable[Any],
    context: dict[str, Any],
    *,
    key: str,
    url: str = "",
) -> int:
    """Queue ``event`` for each recipient on the channels they accept; returns the rows it added.

    Call inside the transaction of the change being announced. ``key`` identifies the occurrence
    (e.g. ``"tender:42:published"``): calling again with the same key adds nothing. ``context``
    must be JSON-serialisable (ids and plain values); templates render it at delivery time.
    """
    event_type = events.get(event)
    people = {user.pk: user for user in recipients if user is not None and user.is_active}
    if not people:
        return 0
    context = json.loads(json.dumps(context, cls=DjangoJSONEncoder))
    preferences = {
        pref.user_id: pref for pref in NotificationPreference.objects.filter(user_id__in=people.keys(), event=event)
    }
    already = set(
        Notification.objects.filter(event=event, key=key, recipient_id__in=people.keys()).values_list(
            "recipient_id", "channel"
        )
    )
    now = clock.now()
    rows: list[Notification] = []
    for user in people.values():
        pref = preferences.get(user.pk)
        wants_inapp = event_type.mandatory or pref is None or pref.inapp
        wants_email = bool(user.email) and (event_type.mandatory or pref is None or pref.email)
        common = {"event": event, "key": key, "recipient": user, "context": context, "url": url, "next_attempt_at": now}
        if wants_inapp:
            # The inbox row is the message itself: visible as soon as the transaction commits.
            rows.append(Notification(channel=Channel.INAPP, status=DeliveryStatus.SENT, sent_at=now, **common))
        if wants_email:
            status = DeliveryStatus.DIGEST if user.email_digest and not event_type.mandatory else DeliveryStatus.PENDING
            rows.append(Notification(channel=Channel.EMAIL, status=status, **common))
    rows = [row for row in rows if (row.recipient.pk, row.channel) not in already]
    # ignore_conflicts still guards against a concurrent call with the same key.
    Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    pending_ids = list(
        Notification.objects.filter(
            event=event,
            key=key,
            recipient_id__in=people.keys(),
            channel=Channel.EMAIL,
            status=DeliveryStatus.PENDING,
            enqueued_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    if pending_ids:
        transaction.on_commit(lambda: enqueue_deliveries(pending_ids), robust=True)
    logger.info("notification.queued", extra={"event": event, "key": key, "rows": len(rows)})
    return len(rows)


def notify_webhooks(event: str, organisation_ids: Iterable[int], payload: dict[str, Any], *, key: str) -> int:
    """Queue ``event`` for every active webhook of the organisations that subscribed to it.

    Same guarantees as ``notify``: call inside the business transaction; the same ``key`` adds
    nothing twice; deliveries are retried with backoff and end failed, visible in the admin.
    ``payload`` must be JSON-serialisable; it is sent as the ``data`` of the signed body.
    """
    events.get(event)
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(organisation_id__in=set(organisation_ids), is_active=True)
        if endpoint.wants(event)
    ]
    if not endpoints:
        return 0
    payload = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    now = clock.now()
    rows = [
        Notification(
            event=event,
            key=key,
            endpoint=endpoint,
            channel=Channel.WEBHOOK,
            status=DeliveryStatus.PENDING,
            context=payload,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    pending_ids = list(
        Notification.objects.filter(
            event=event,
            key=key,
            endpoint__in=endpoints,
            status=DeliveryStatus.PENDING,
            enqueued_at__isnull=True,
        ).values_list("pk", flat=True)
    )
    if pending_ids:
        transaction.on_commit(lambda: enqueue_deliveries(pending_ids), robust=True)
    return len(pending_ids)


_broker_down_until = 0.0  # monotonic time until which this process leaves the broker alone


def enqueue_deliveries(notification_ids: list[int]) -> int:
    """Hand delivery tasks to the broker; returns how many were enqueued.

    Stops at the first broker error: the rows stay pending and the sweeper enqueues them later.
    After an error, this process does not try the broker again for NOTIFICATION_BROKER_BACKOFF
    seconds, so that requests during an outage do not each wait for a connection timeout.
    """
    global _broker_down_until  # noqa: PLW0603 - a per-process circuit breaker
    from portal.notifications.tasks import deliver_notifications

    if time.monotonic() < _broker_down_until:
        return 0
    enqueued: list[int] = []
    size = settings.NOTIFICATION_BATCH_SIZE
    try:
        # One task per batch: a fan-out to thousands of people costs the request a few publishes.
        for start in range(0, len(notification_ids), size):
            batch = notification_ids[start : start + size]
            deliver_notifications.delay(batch)
            enqueued.extend(batch)
    except Exception:  # the broker is down or unreachable; never fail the committed request
        _broker_down_until = time.monotonic() + settings.NOTIFICATION_BROKER_BACKOFF
        logger.warning(
            "notification.enqueue_failed",
            exc_info=True,
            extra={"enqueued": len(enqueued), "left_for_sweeper": len(notification_ids) - len(enqueued)},
        )
    if enqueued:
        Notification.objects.filter(pk__in=enqueued, enqueued_at__isnull=True).update(enqueued_at=clock.now())
    return len(enqueued)


def _backoff_seconds(attempts: int) -> float:
    base = settings.NOTIFICATION_BACKOFF_BASE * (2 ** max(attempts - 1, 0))
    capped = min(base, settings.NOTIFICATION_BACKOFF_MAX)
    return capped * random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not cryptography


def render_message(notification: Notification, *, language: str | None = None) -> tuple[str, str]:
    """Subject and body of a notification in ``language`` (default: the recipient's)."""
    context = {**notification.context, "url": _absolute(notification.url), "recipient": notification.recipient}
    with translation.override(language or notification.recipient.language):
        base = f"notifications/{notification.event}"
        subject = render_to_string(f"{base}/subject.txt", context).strip().replace("\n", " ")
        body = render_to_string(f"{base}/body.txt", context).strip()
    return subject, body


def _absolute(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.PORTAL_BASE_URL.rstrip("/") + url


def _mail_domain() -> str:
    return settings.PORTAL_BASE_URL.split("//")[-1].split("/")[0].split(":")[0] or "portal"


def _send_email(notification: Notification, connection: Any = None) -> None:
    subject, body = render_message(notification)
    if notification.url:
        # The inbox shows the link as a button; an e-mail needs it spelled out.
        body = f"{body}\n\n{_absolute(notification.url)}"
    message = EmailMessage(
        subject=subject,
        body=body,
        to=[notification.recipient.email],
        headers={
            # A stable Message-ID lets mail systems drop a copy if a crash ever forces a resend.
            "Message-ID": f"<notification-{notification.pk}@{_mail_domain()}>",
            "X-Portal-Notification": str(notification.pk),
            "X-Portal-Event": notification.event,
        },
    )
    try:
        message.connection = connection
        message.send(fail_silently=False)
    except smtplib.SMTPResponseException as exc:
        if 400 <= exc.smtp_code < 500:
            raise TransientDeliveryError(f"SMTP {exc.smtp_code}: {exc.smtp_error!r}") from exc
        raise
    except TRANSIENT_ERRORS as exc:
        raise TransientDeliveryError(str(exc) or exc.__class__.__name__) from exc


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Portal-Signature`` value: ``t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>``.

    The receiver recomputes it with its secret, compares in constant time and rejects old timestamps,
    so that a captured delivery cannot be replayed later.
    """
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A webhook that redirects is refused: following it could reach an address the check never saw."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _check_webhook_address(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise PermanentDeliveryError(f"not an http(s) URL: {url}")
    if settings.WEBHOOK_REQUIRE_HTTPS and parts.scheme != "https":
        raise PermanentDeliveryError("webhooks must use https")
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except socket.gaierror as exc:
        raise TransientDeliveryError(f"cannot resolve {parts.hostname}: {exc}") from exc
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global:
            raise PermanentDeliveryError(f"{parts.hostname} resolves to a non-public address ({ip})")


def _send_webhook(notification: Notification, connection: Any = None) -> None:
    endpoint = notification.endpoint
    if endpoint is None or not endpoint.is_active:
        raise PermanentDeliveryError("the webhook was removed or deactivated")
    _check_webhook_address(endpoint.url)
    body = json.dumps(
        {
            "id": notification.pk,
            "event": notification.event,
            "occurred_at": notification.created_at.isoformat(),
            "data": notification.context,
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        endpoint.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "portal-webhooks/1",
            "X-Portal-Event": notification.event,
            "X-Portal-Delivery": str(notification.pk),
            "X-Portal-Signature": webhook_signature(endpoint.secret, int(time.time()), body),
        },
    )
    opener = urllib.request.build_opener(_NoRedirects)
    try:
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT) as response:
            response.read(1024)
    except urllib.error.HTTPError as exc:
        if exc.code in {408, 425, 429} or exc.code >= 500:
            raise TransientDeliveryError(f"HTTP {exc.code}") from exc
        raise PermanentDeliveryError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, *TRANSIENT_ERRORS) as exc:
        raise TransientDeliveryError(str(exc) or exc.__class__.__name__) from exc


CHANNEL_SENDERS = {Channel.EMAIL: _send_email, Channel.WEBHOOK: _send_webhook}


def notifications_deliver_batch(*, notification_ids: Iterable[int]) -> dict[str, int]:
    """Deliver several notifications, sharing one mail-server connection; returns outcome counts."""
    outcomes: dict[str, int] = defaultdict(int)
    connection = get_connection()
    try:
        for notification_id in notification_ids:
            outcome = notification_deliver(notification_id=notification_id, connection=connection)
            outcomes[outcome] += 1
            if outcome in {"retry", "failed"}:
                # The session may be broken; the next message gets a fresh one.
                _close_quietly(connection)
                connection = get_connection()
    finally:
        _close_quietly(connection)
    return dict(outcomes)


def _close_quietly(connection: Any) -> None:
    try:
        connection.close()
    except Exception:  # closing a broken SMTP session must not hide the outcomes
        logger.warning("notification.connection_close_failed", exc_info=True)


def notification_deliver(*, notification_id: int, connection: Any = None) -> str:
    """Deliver one notification if it is still due; returns what happened.

    Claims the row with a conditional UPDATE (pending → sending), so concurrent or repeated tasks
    for the same row deliver it at most once. Transient errors are retried with exponential backoff
    and jitter up to NOTIFICATION_MAX_ATTEMPTS; other errors fail the row for an operator to see.
    """
    now = clock.now()
    claimed = Notification.objects.filter(
        pk=notification_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
    ).update(status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "not_due"
    notification = Notification.objects.select_related("recipient", "endpoint").get(pk=notification_id)
    sender = CHANNEL_SENDERS[notification.channel]
    try:
        sender(notification, connection)
    except TransientDeliveryError as exc:
        return _after_transient_failure(notification, str(exc))
    except (PermanentDeliveryError, TemplateDoesNotExist, smtplib.SMTPException, ValueError, LookupError) as exc:
        _mark_failed(notification, f"{exc.__class__.__name__}: {exc}")
        return "failed"
    Notification.objects.filter(pk=notification.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.SENT, sent_at=clock.now(), last_error=""
    )
    logger.info("notification.sent", extra={"notification_id": notification.pk, "event": notification.event})
    return "sent"


def _mark_failed(notification: Notification, error: str) -> None:
    Notification.objects.filter(pk=notification.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.FAILED, last_error=error[:2000]
    )
    logger.error("notification.failed", extra={"notification_id": notification.pk, "error": error})


def _after_transient_failure(notification: Notification, error: str) -> str:
    if notification.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS:
        _mark_failed(notification, f"gave up after {notification.attempts} attempts: {error}")
        return "failed"
    delay = _backoff_seconds(notification.attempts)
    due = clock.now() + timedelta(seconds=delay)
    Notification.objects.filter(pk=notification.pk, status=DeliveryStatus.SENDING).update(
        status=DeliveryStatus.PENDING, next_attempt_at=due, enqueued_at=due, last_error=error[:2000]
    )
    logger.warning(
        "notification.retry",
        extra={"notification_id": notification.pk, "attempts": notification.attempts, "delay": round(delay, 1)},
    )
    _schedule_retry(notification.pk, delay)
    return "retry"


def _schedule_retry(notification_id: int, delay: float) -> None:
    from portal.notifications.tasks import deliver_notification, running_in_process

    if running_in_process():
        return  # no broker: the in-process scheduler's sweep picks the row up when it is due
    try:
        deliver_notification.apply_async((notification_id,), countdown=delay)
    except Exception:
        logger.warning("notification.retry_enqueue_failed", exc_info=True, extra={"notification_id": notification_id})


def notifications_sweep(*, batch: int = 5000) -> dict[str, int]:
    """Recover work a broker outage or a dead worker stranded. Idempotent; safe to run anywhere.

    1. Rows left ``sending`` longer than the lease (their worker died) go back to pending.
    2. Pending rows that are due and whose task never ran are enqueued again.
    """
    now = clock.now()
    lease = timedelta(seconds=settings.NOTIFICATION_SENDING_LEASE)
    stranded_after = timedelta(seconds=settings.NOTIFICATION_STRANDED_AFTER)
    reclaimed = Notification.objects.filter(status=DeliveryStatus.SENDING, claimed_at__lt=now - lease).update(
        status=DeliveryStatus.PENDING, next_attempt_at=now, enqueued_at=None
    )
    stranded = list(
        Notification.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=now)
        .filter(
            Q(enqueued_at__isnull=True, created_at__lt=now - _ENQUEUE_GRACE) | Q(enqueued_at__lt=now - stranded_after)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch]
    )
    if stranded:
        # Clear the marker first so enqueue_deliveries records the new hand-off time.
        Notification.objects.filter(pk__in=stranded).update(enqueued_at=None)
    enqueued = enqueue_deliveries(stranded) if stranded else 0
    result = {"reclaimed": reclaimed, "stranded": len(stranded), "enqueued": enqueued}
    if reclaimed or stranded:
        logger.info("notification.sweep", extra=result)
    return result


def notifications_send_digests() -> int:
    """Send each person who chose the daily digest one e-mail with what waited; returns e-mails sent."""
    waiting: dict[int, list[int]] = defaultdict(list)
    for pk, recipient_id in Notification.objects.filter(status=DeliveryStatus.DIGEST).values_list("pk", "recipient_id"):
        waiting[recipient_id].append(pk)
    sent = 0
    for recipient_id, ids in waiting.items():
        now = clock.now()
        # Claim this person's rows; a concurrent run claims nothing and sends nothing.
        if not Notification.objects.filter(pk__in=ids, status=DeliveryStatus.DIGEST).update(
            status=DeliveryStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
        ):
            continue
        rows = list(
            Notification.objects.filter(pk__in=ids, status=DeliveryStatus.SENDING, claimed_at=now)
            .select_related("recipient")
            .order_by("created_at")
        )
        if not rows:
            continue
        recipient = rows[0].recipient
        try:
            items = [(*render_message(row), _absolute(row.url)) for row in rows]
            with translation.override(recipient.language):
                subject = render_to_string("notifications/digest/subject.txt", {"count": len(items)}).strip()
                body = render_to_string("notifications/digest/body.txt", {"items": items, "recipient": recipient})
            EmailMessage(subject=subject, body=body, to=[recipient.email], connection=get_connection()).send()
        except Exception as exc:  # put them back for tomorrow's run; nothing is lost
            Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
                status=DeliveryStatus.DIGEST, last_error=str(exc)[:2000]
            )
            logger.warning("notification.digest_failed", exc_info=True, extra={"recipient_id": recipient_id})
            continue
        Notification.objects.filter(pk__in=[row.pk for row in rows]).update(
            status=DeliveryStatus.SENT, sent_at=clock.now()
        )
        sent += 1
    return sent


def notification_retry_failed(*, notification_ids: Iterable[int]) -> int:
    """Operator action: give failed rows another round of attempts."""
    ids = list(
        Notification.objects.filter(pk__in=list(notification_ids), status=DeliveryStatus.FAILED).values_list(
            "pk", flat=True
        )
    )
    Notification.objects.filter(pk__in=ids).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=clock.now(), enqueued_at=None
    )
    transaction.on_commit(lambda: enqueue_deliveries(ids), robust=True)
    return len(ids)


# --- Inbox ----------------------------------------------------------------------------------------


def inbox_mark_read(*, user: Any, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's inbox messages read (all of them when ``notification_ids`` is None)."""
    rows = Notification.objects.filter(recipient=user, channel=Channel.INAPP, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=list(notification_ids))
    return rows.update(read_at=clock.now())


@transaction.atomic
def preferences_update(*, user: Any, email_digest: bool, language: str, choices: dict[str, dict[str, bool]]) -> None:
    """Save a person's notification choices. Mandatory events stay on whatever is asked."""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    user.email_digest = email_digest
    user.language = language
    user.save(update_fields=["email_digest", "language"])
    for event_type in events.all_events():
        if event_type.mandatory:
            continue
        wanted = choices.get(event_type.name, {})
        NotificationPreference.objects.update_or_create(
            user=user,
            event=event_type.name,
            defaults={"email": bool(wanted.get("email")), "inapp": bool(wanted.get("inapp"))},
        )
