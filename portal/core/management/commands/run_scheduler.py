"""Run the periodic jobs in this process, for set-ups without a broker (the embedded default).

With Redis, use ``celery -A portal beat`` instead: this command exists so that the portal's
periodic work (notification sweeps, digests, and later deadlines) also happens on a laptop.
"""

import logging
import time

from celery import current_app
from celery.schedules import schedule as every
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the Celery beat schedule in-process (no broker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every job once and exit")
        parser.add_argument("--tick", type=float, default=1.0, help="seconds between checks")

    def handle(self, *args, once=False, tick=1.0, **options):
        current_app.loader.import_default_modules()  # registers every app's tasks
        entries = {}
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            when = entry["schedule"]
            entries[name] = {
                "task": current_app.tasks[entry["task"]],
                "schedule": when if hasattr(when, "is_due") else every(run_every=when),
                # Like beat: a job first runs when its schedule says, not at start-up.
                "last_run": current_app.now(),
            }
        self.stdout.write(f"scheduler running {len(entries)} jobs: {', '.join(entries)}")
        while True:
            for name, entry in entries.items():
                due = once or entry["schedule"].is_due(entry["last_run"]).is_due
                if not due:
                    continue
                entry["last_run"] = current_app.now()
                try:
                    entry["task"]()
                except Exception:
                    logger.exception("scheduler.job_failed", extra={"job": name})
                finally:
                    close_old_connections()
            if once:
                return
            time.sleep(tick)
