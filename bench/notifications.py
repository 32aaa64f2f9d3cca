"""Notification outbox: fan-out cost for the request that announces, and delivery throughput.

1. ``notify`` to N recipients in one transaction plus the after-commit enqueue into Redis (what
   publishing a tender to every supplier of a category adds to the publishing request), compared
   with a bare ``bulk_create`` of the same rows in the same run.
2. A real Celery worker (2 processes, persistent DB connections as in production) drains those
   N e-mails to the file backend: deliveries per second, and each delivered exactly once.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DATABASE_URL, drop_database, report, setup_django, timer

FANOUT = 5000


def main() -> None:
    setup_django()
    from celery import current_app
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from portal.accounts.models import User
    from portal.notifications.enums import Channel, DeliveryStatus
    from portal.notifications.models import Notification
    from portal.notifications.services import notify
    from tests.celery_harness import CeleryWorker, PrivateRedis, wait_until

    password = make_password("x")
    User.objects.bulk_create(
        [User(username=f"u{i}", email=f"u{i}@bench.pe", password=password) for i in range(FANOUT)], batch_size=2000
    )
    users = list(User.objects.all())
    results: dict = {"recipients": FANOUT}

    now = timezone.now()
    rows = [
        Notification(event="portal.announcement", key="base", recipient=u, channel=c, status=s, next_attempt_at=now)
        for u in users
        for c, s in ((Channel.INAPP, DeliveryStatus.SENT), (Channel.EMAIL, DeliveryStatus.PENDING))
    ]
    with timer() as bare, transaction.atomic():
        Notification.objects.bulk_create(rows, batch_size=1000)
    Notification.objects.all().delete()

    workdir = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    broker = PrivateRedis(workdir)
    broker.start()
    current_app.conf.broker_url = broker.url
    current_app.conf.task_always_eager = False
    mail_dir = workdir / "mail"
    mail_dir.mkdir()
    worker = CeleryWorker(
        broker_url=broker.url,
        workdir=workdir,
        mail_dir=mail_dir,
        extra_env={"DB_CONN_MAX_AGE": "60", "NOTIFICATION_SWEEP_SECONDS": "60"},
    )
    worker.env["DATABASE_URL"] = DATABASE_URL
    try:
        with timer() as rows_only, transaction.atomic():
            notify("portal.announcement", users, {"title": "t", "text": "x"}, key="bench:fanout")
            transaction.on_commit(lambda: rows_only.setdefault("committed", True))
        # rows_only includes the after-commit enqueue of FANOUT tasks (on_commit runs inside the timer)
        results["bare_bulk_create_s"] = round(bare["seconds"], 3)
        results["notify_with_enqueue_s"] = round(rows_only["seconds"], 3)
        results["notify_vs_bare_ratio"] = round(rows_only["seconds"] / bare["seconds"], 2)

        worker.start()
        with timer() as drain:
            wait_until(
                lambda: (
                    Notification.objects.filter(channel=Channel.EMAIL, status=DeliveryStatus.SENT).count() == FANOUT
                ),
                timeout=900,
                interval=0.25,
                what="deliveries",
            )
        counts = Counter()
        for path in mail_dir.iterdir():
            counts.update(re.findall(r"^X-Portal-Notification: (\d+)$", path.read_text(), re.MULTILINE))
        results["delivery_drain_s"] = round(drain["seconds"], 2)
        results["deliveries_per_s"] = round(FANOUT / drain["seconds"], 1)
        results["delivered_exactly_once"] = len(counts) == FANOUT and set(counts.values()) == {1}
    finally:
        worker.stop()
        broker.stop()
        shutil.rmtree(workdir, ignore_errors=True)
        drop_database()
    report("notifications", results)


if __name__ == "__main__":
    main()
