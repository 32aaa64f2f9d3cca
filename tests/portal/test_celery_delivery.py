"""Notifications through a real Celery worker and a real Redis, including a broker outage.

Runs on PostgreSQL (the worker is another process and must see committed rows). Skipped, with the
reason, only when no ``redis-server`` binary is available to start a private broker.
"""

import os
import re
import shutil
import signal
import time
from collections import Counter

import pytest
import redis
from celery import current_app
from django.db import transaction

from portal.notifications import services as notification_services
from portal.notifications.enums import Channel, DeliveryStatus
from portal.notifications.models import Notification
from portal.notifications.services import notify
from tests.celery_harness import CeleryWorker, PrivateRedis, wait_until
from tests.conftest import IN_CI
from tests.factories import UserFactory

pytestmark = [pytest.mark.celery_worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HEADER = re.compile(r"^X-Portal-Notification: (\d+)$", re.MULTILINE)


class ExistingRedis:
    """The Redis the test run was given (CELERY_BROKER_URL, e.g. the CI machine's), on its own db."""

    def __init__(self, url):
        self.url = url
        self.port = redis.Redis.from_url(url).connection_pool.connection_kwargs["port"]

    def start(self):
        client = redis.Redis.from_url(self.url, socket_connect_timeout=2)
        client.ping()
        client.delete("celery", "unacked", "unacked_index")  # leftovers of an earlier run

    def stop(self):
        pass


@pytest.fixture
def private_broker(tmp_path):
    """A Redis this test owns, so it can stop and restart it."""
    if shutil.which("redis-server") is None:
        if IN_CI:
            pytest.fail("redis-server is needed in CI for the broker-outage test")
        pytest.skip("no redis-server binary to start a private Redis broker")
    server = PrivateRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker(request, settings, tmp_path):
    """The given Redis when there is one (CI), else a private one; the outage test always owns its own."""
    if settings.TEST_BROKER_URL and "private_broker" not in request.fixturenames:
        server = ExistingRedis(settings.TEST_BROKER_URL)
        try:
            server.start()
        except redis.RedisError as exc:
            if IN_CI:
                pytest.fail(f"the Redis at {settings.TEST_BROKER_URL} does not answer: {exc}")
            pytest.skip(f"the Redis at {settings.TEST_BROKER_URL} does not answer: {exc}")
        return server
    return request.getfixturevalue("private_broker")


@pytest.fixture
def producer(broker):
    """Point this process's Celery app at the private broker, as a web process with Redis would be."""
    conf = current_app.conf
    saved = {"broker_url": conf.broker_url, "task_always_eager": conf.task_always_eager}
    conf.broker_url = broker.url
    conf.task_always_eager = False
    current_app._pool = None
    current_app.amqp._producer_pool = None
    yield
    current_app.pool.force_close_all()
    notification_services._broker_down_until = 0.0
    conf.update(saved)
    current_app._pool = None
    current_app.amqp._producer_pool = None


@pytest.fixture
def worker(broker, producer, tmp_path):
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    process = CeleryWorker(broker_url=broker.url, workdir=tmp_path, mail_dir=mail_dir)
    process.start()
    process.mail_dir = mail_dir
    banner = wait_until(
        lambda: "transport:" in process.log_tail(60) and process.log_tail(60), timeout=30, what="worker banner"
    )
    assert f"transport:   redis://127.0.0.1:{broker.port}" in banner.replace(":**@", ""), banner
    yield process
    process.stop()


def delivered(mail_dir) -> Counter:
    """How many times each notification id reached the mail server."""
    counts = Counter()
    for path in mail_dir.iterdir():
        counts.update(int(n) for n in HEADER.findall(path.read_text(errors="replace")))
    return counts


def email_rows(key_prefix):
    return Notification.objects.filter(channel=Channel.EMAIL, key__startswith=key_prefix)


def wait_all_sent(key_prefix, count, worker, timeout=90):
    def done():
        return email_rows(key_prefix).filter(status=DeliveryStatus.SENT).count() == count

    try:
        wait_until(done, timeout=timeout, interval=0.5, what=f"{count} notifications sent")
    except TimeoutError:
        statuses = Counter(email_rows(key_prefix).values_list("status", flat=True))
        (worker.workdir / "FAILED-LOG").write_text(worker.log_path.read_text(errors="replace"))
        pytest.fail(f"not all sent: {dict(statuses)}\nworker log:\n{worker.log_tail()}")


def test_200_notifications_are_delivered_exactly_once(worker):
    users = UserFactory.create_batch(200)

    for index, user in enumerate(users):
        with transaction.atomic():
            notify("portal.announcement", [user], {"title": f"Aviso {index}", "text": "—"}, key=f"bulk:{index}")

    wait_all_sent("bulk:", 200, worker)
    time.sleep(3)  # let the sweeper run a few more times: it must not resend anything

    ids = set(email_rows("bulk:").values_list("pk", flat=True))
    counts = delivered(worker.mail_dir)
    assert set(counts) == ids
    assert set(counts.values()) == {1}
    assert set(email_rows("bulk:").values_list("attempts", flat=True)) == {1}
    assert worker.restarts == 0


def test_broker_outage_loses_nothing_and_doubles_nothing(private_broker, worker, broker):
    users = UserFactory.create_batch(60)
    # Some traffic before the outage, delivered normally.
    for index, user in enumerate(users[:20]):
        with transaction.atomic():
            notify("portal.announcement", [user], {"title": "Antes", "text": "—"}, key=f"outage:before:{index}")
    wait_all_sent("outage:before:", 20, worker)

    broker.stop()
    slowest = 0.0
    for index, user in enumerate(users[20:]):
        started = time.monotonic()
        with transaction.atomic():  # the business change commits even though the broker is down
            notify("portal.announcement", [user], {"title": "Durante", "text": "—"}, key=f"outage:during:{index}")
        slowest = max(slowest, time.monotonic() - started)
    assert email_rows("outage:during:").filter(status=DeliveryStatus.PENDING).count() == 40
    assert email_rows("outage:during:").filter(enqueued_at__isnull=True).count() == 40
    time.sleep(3)  # the outage lasts a while
    broker.start()  # same port, empty: whatever the broker held is gone

    wait_all_sent("outage:during:", 40, worker, timeout=120)
    time.sleep(3)

    ids = set(email_rows("outage:").values_list("pk", flat=True))
    counts = delivered(worker.mail_dir)
    assert set(counts) == ids
    assert set(counts.values()) == {1}
    # A request that commits during the outage is not held hostage by the broker: at most one
    # connection timeout (1 s) for the first, then the circuit breaker skips the broker.
    assert slowest < 5
    # Whether kombu crashed the worker during the outage (then restarted, as systemd would) varies
    # from run to run; either way nothing was lost or doubled.
    print(f"broker outage: worker restarted {worker.restarts} time(s); slowest commit {slowest:.2f} s")  # noqa: T201 - a figure for the record


def test_worker_killed_mid_delivery_loses_nothing(broker, producer, tmp_path):
    """SIGKILL the worker while it delivers; the supervisor restarts it and the sweeper hands out
    again what the dead worker held. Nothing is lost. A message can only be repeated if the kill fell
    between handing it to the mail server and marking its row sent: those rows are exactly the ones
    left "sending" by the kill, and only they may appear twice."""
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = CeleryWorker(
        broker_url=broker.url,
        workdir=tmp_path,
        mail_dir=mail_dir,
        extra_env={"NOTIFICATION_SENDING_LEASE": "3", "NOTIFICATION_BATCH_SIZE": "10"},
    )
    worker.start()
    try:
        wait_until(lambda: "transport:" in worker.log_tail(60), timeout=30, what="worker banner")
        users = UserFactory.create_batch(300)
        with transaction.atomic():
            notify("portal.announcement", users, {"title": "Masivo", "text": "—"}, key="kill:1")
        wait_until(
            lambda: email_rows("kill:").filter(status=DeliveryStatus.SENT).count() >= 40, timeout=60, what="deliveries"
        )
        os.killpg(worker.process.pid, signal.SIGKILL)
        in_flight = set(email_rows("kill:").filter(status=DeliveryStatus.SENDING).values_list("pk", flat=True))

        wait_all_sent("kill:", 300, worker, timeout=120)
        time.sleep(2)

        counts = delivered(mail_dir)
        assert set(counts) == set(email_rows("kill:").values_list("pk", flat=True))  # none lost
        doubled = {pk for pk, times in counts.items() if times > 1}
        assert doubled <= in_flight
        assert max(counts.values()) <= 2
        assert worker.restarts >= 1
    finally:
        worker.stop()
