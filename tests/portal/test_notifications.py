"""The notification outbox, delivered in-process (no broker): the rules that hold in every set-up."""

import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from portal.notifications.enums import Channel, DeliveryStatus
from portal.notifications.models import Notification, NotificationPreference
from portal.notifications.services import (
    notification_deliver,
    notifications_send_digests,
    notifications_sweep,
    notify,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ANNOUNCEMENT = "portal.announcement"


def announce(recipients, key="a:1", **context):
    return notify(ANNOUNCEMENT, recipients, {"title": "Cierre", "text": "Mantenimiento", **context}, key=key)


class FlakySMTP:
    """An e-mail backend whose server hangs up a given number of times, then accepts."""

    failures = 0
    sent: list = []

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        if FlakySMTP.failures > 0:
            FlakySMTP.failures -= 1
            raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
        FlakySMTP.sent.extend(messages)
        return len(messages)


class RefusingSMTP(FlakySMTP):
    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({"x@example.pe": (550, b"no such user")})


@pytest.fixture
def flaky_smtp(settings):
    settings.EMAIL_BACKEND = "tests.portal.test_notifications.FlakySMTP"
    FlakySMTP.failures = 0
    FlakySMTP.sent = []
    return FlakySMTP


def test_rolled_back_transaction_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()

    def failing_change():
        with transaction.atomic():
            announce([user])
            raise RuntimeError("the business change failed")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        failing_change()

    assert callbacks == []
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_committed_notification_is_sent_once_even_if_repeated(django_capture_on_commit_callbacks):
    user = UserFactory(email="ana@example.pe")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        announce([user])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        announce([user])  # the same occurrence again: nothing new

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.pe"]
    assert mail.outbox[0].subject == "Anuncio del portal: Cierre"
    email_row = Notification.objects.get(channel=Channel.EMAIL)
    assert email_row.status == DeliveryStatus.SENT
    assert email_row.attempts == 1
    assert mail.outbox[0].extra_headers["X-Portal-Notification"] == str(email_row.pk)
    assert Notification.objects.filter(channel=Channel.INAPP, status=DeliveryStatus.SENT).count() == 1


def test_message_is_rendered_in_the_recipients_language(django_capture_on_commit_callbacks):
    user = UserFactory(language="en")

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        announce([user])

    assert mail.outbox[0].subject == "Portal announcement: Cierre"


def test_preferences_switch_channels_off_but_not_for_mandatory_events(django_capture_on_commit_callbacks):
    user = UserFactory()
    NotificationPreference.objects.create(user=user, event=ANNOUNCEMENT, email=False, inapp=True)
    NotificationPreference.objects.create(user=user, event="membership.granted", email=False, inapp=False)

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        announce([user])
        notify("membership.granted", [user], {"organisation": "MINSA", "role": "evaluator"}, key="m:1")

    assert sorted(Notification.objects.values_list("event", "channel")) == [
        ("membership.granted", "email"),
        ("membership.granted", "inapp"),
        (ANNOUNCEMENT, "inapp"),
    ]
    assert len(mail.outbox) == 1


def test_second_delivery_of_the_same_row_sends_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False), transaction.atomic():
        announce([user])
    row = Notification.objects.get(channel=Channel.EMAIL)

    first = notification_deliver(notification_id=row.pk)
    second = notification_deliver(notification_id=row.pk)

    assert (first, second) == ("sent", "not_due")
    assert len(mail.outbox) == 1


def test_transient_error_is_retried_with_backoff_then_delivered(flaky_smtp, frozen_clock, settings):
    settings.NOTIFICATION_BACKOFF_BASE = 30
    flaky_smtp.failures = 2
    user = UserFactory()
    with transaction.atomic():
        announce([user])
    row = Notification.objects.get(channel=Channel.EMAIL)

    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert row.status == DeliveryStatus.PENDING
    assert row.attempts == 1
    # jitter: between half and all of 30 s
    assert 15 <= (row.next_attempt_at - frozen_clock.now).total_seconds() <= 30
    assert "connection unexpectedly closed" in row.last_error
    assert notification_deliver(notification_id=row.pk) == "not_due"  # not before its time

    frozen_clock.advance(seconds=31)
    assert notification_deliver(notification_id=row.pk) == "retry"
    row.refresh_from_db()
    assert 30 <= (row.next_attempt_at - frozen_clock.now).total_seconds() <= 60  # doubled

    frozen_clock.advance(seconds=61)
    assert notification_deliver(notification_id=row.pk) == "sent"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.SENT, 3, "")
    assert len(flaky_smtp.sent) == 1


def test_transient_errors_stop_after_the_bound_and_fail_visibly(flaky_smtp, frozen_clock, settings):
    settings.NOTIFICATION_MAX_ATTEMPTS = 3
    flaky_smtp.failures = 99
    with transaction.atomic():
        announce([UserFactory()])
    row = Notification.objects.get(channel=Channel.EMAIL)

    outcomes = []
    for _ in range(3):
        outcomes.append(notification_deliver(notification_id=row.pk))
        frozen_clock.advance(hours=2)

    row.refresh_from_db()
    assert outcomes == ["retry", "retry", "failed"]
    assert row.status == DeliveryStatus.FAILED
    assert row.last_error.startswith("gave up after 3 attempts")
    assert flaky_smtp.sent == []


def test_permanent_error_fails_at_once(settings):
    settings.EMAIL_BACKEND = "tests.portal.test_notifications.RefusingSMTP"
    with transaction.atomic():
        announce([UserFactory()])
    row = Notification.objects.get(channel=Channel.EMAIL)

    assert notification_deliver(notification_id=row.pk) == "failed"
    row.refresh_from_db()
    assert row.status == DeliveryStatus.FAILED
    assert row.attempts == 1
    assert "SMTPRecipientsRefused" in row.last_error


def test_sweeper_recovers_rows_whose_task_never_ran_and_rows_of_a_dead_worker(frozen_clock, settings):
    settings.NOTIFICATION_SENDING_LEASE = 600
    users = UserFactory.create_batch(3)
    with transaction.atomic():
        announce(users)  # on_commit never runs here: as if the broker was down
    stranded, stuck, fresh = Notification.objects.filter(channel=Channel.EMAIL).order_by("pk")
    Notification.objects.filter(pk=stuck.pk).update(
        status=DeliveryStatus.SENDING, claimed_at=frozen_clock.now, attempts=1
    )

    assert notifications_sweep() == {"reclaimed": 0, "stranded": 0, "enqueued": 0}  # too early to judge

    frozen_clock.advance(minutes=11)
    result = notifications_sweep()

    assert result == {"reclaimed": 1, "stranded": 3, "enqueued": 3}
    assert set(Notification.objects.filter(channel=Channel.EMAIL).values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 3
    assert notifications_sweep() == {"reclaimed": 0, "stranded": 0, "enqueued": 0}
    assert len(mail.outbox) == 3
    assert {stranded.pk, stuck.pk, fresh.pk} == {int(m.extra_headers["X-Portal-Notification"]) for m in mail.outbox}


def test_daily_digest_sends_one_email_per_person_once(django_capture_on_commit_callbacks):
    digest_user = UserFactory(email_digest=True, email="digest@example.pe")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        announce([digest_user], key="a:1", title="Uno")
        announce([digest_user], key="a:2", title="Dos")

    assert mail.outbox == []
    assert notifications_send_digests() == 1
    assert notifications_send_digests() == 0

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["digest@example.pe"]
    assert "Uno" in mail.outbox[0].body
    assert "Dos" in mail.outbox[0].body
    assert set(Notification.objects.filter(channel=Channel.EMAIL).values_list("status", flat=True)) == {"sent"}


def test_inbox_shows_only_own_messages_and_unread_count(client):
    me, other = UserFactory(), UserFactory()
    with transaction.atomic():
        announce([me], key="a:1", title="Para mí")
        announce([other], key="a:2", title="Para otro")
    client.force_login(me)

    page = client.get(reverse("inbox"))

    assert page.status_code == 200
    assert "Para mí" in page.content.decode()
    assert "Para otro" not in page.content.decode()
    assert page.context["unread_notifications"] == 1

    mine = Notification.objects.get(recipient=me, channel=Channel.INAPP)
    theirs = Notification.objects.get(recipient=other, channel=Channel.INAPP)
    client.post(reverse("inbox-read"), {"notification": [mine.pk, theirs.pk]})

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.read_at is not None
    assert theirs.read_at is None  # cannot touch someone else's inbox


def test_preferences_page_saves_choices(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(
        reverse("notification-preferences"), {f"inapp:{ANNOUNCEMENT}": "on", "email_digest": "on", "language": "en"}
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.email_digest, user.language) == (True, "en")
    pref = NotificationPreference.objects.get(user=user, event=ANNOUNCEMENT)
    assert (pref.email, pref.inapp) == (False, True)
    assert not NotificationPreference.objects.filter(event="membership.granted").exists()


def test_inactive_users_are_not_notified():
    user = UserFactory(is_active=False)
    with transaction.atomic():
        assert announce([user]) == 0
    assert Notification.objects.count() == 0


def test_unknown_event_is_a_programming_error():
    with pytest.raises(LookupError), transaction.atomic():
        notify("no.such.event", [UserFactory()], {}, key="x")


def test_old_rows_age_out_of_the_sweeper_window(frozen_clock):
    with transaction.atomic():
        announce([UserFactory()])
    Notification.objects.update(enqueued_at=frozen_clock.now)  # handed to the broker just now
    frozen_clock.advance(seconds=30)
    assert notifications_sweep()["stranded"] == 0  # its task may still be in the queue
    frozen_clock.advance(seconds=31)
    assert notifications_sweep()["stranded"] == 1
    assert Notification.objects.get(channel=Channel.EMAIL).status == DeliveryStatus.SENT
    assert (frozen_clock.now - Notification.objects.get(channel=Channel.EMAIL).created_at) > timedelta(seconds=0)


def test_a_batch_shares_one_mail_session_and_survives_a_broken_one(flaky_smtp, frozen_clock):
    from portal.notifications.services import notifications_deliver_batch

    flaky_smtp.failures = 1
    with transaction.atomic():
        announce(UserFactory.create_batch(4))
    ids = list(Notification.objects.filter(channel=Channel.EMAIL).order_by("pk").values_list("pk", flat=True))

    outcomes = notifications_deliver_batch(notification_ids=ids)

    assert outcomes == {"retry": 1, "sent": 3}
    assert len(flaky_smtp.sent) == 3
    assert Notification.objects.get(pk=ids[0]).status == DeliveryStatus.PENDING
