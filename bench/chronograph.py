"""The chronograph at national scale: ``chronograph_sweep`` over 100,000 open tenders.

In a scratch PostgreSQL database, one entity's plan line and 100,000 tenders receiving bids
(``bulk_create``: this is a benchmark, not product code), their ``next_check`` at their deadline, days
ahead. Then times the sweep as the scheduled task runs it (``chronograph_sweep()``, its default batch
of 200, every ``CHRONOGRAPH_SECONDS``):

a. none due: the cost of looking (median of 50 sweeps);
b. 1 % due (1,000 tenders whose integrated bases were published a minute ago: each moves to bidding,
   audited): the first sweep, and every sweep until none is left;
c. many due (``CHRONO_MANY``, default 5,000: deadlines cluster, the earliest chronogram closes every
   period at 17:00): the same.

Reports seconds per sweep and per tender moved, and how long the scheduler would take to drain the
backlog at one batch per beat. ``.venv/bin/python bench/chronograph.py`` (``BENCH_KEEP=1``).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_chronograph")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import drop_database, percentiles, report, setup_django, timer

TENDERS = int(os.environ.get("CHRONO_TENDERS", "100000"))
MANY = int(os.environ.get("CHRONO_MANY", "5000"))
IDLE_SWEEPS = 50


def build() -> dict:
    """100,000 tenders in bidding, due days from now; returns their ids."""
    from django.db import connection
    from procurement_world import operator_and_entity, plan_line

    from portal.core import clock
    from procurement.enums import TenderStatus
    from procurement.models import Tender

    _operator, entity, officer = operator_and_entity()
    line = plan_line(officer, entity, "adjudicacion-simplificada", "150000.00")
    now = clock.now()
    rows = []
    for index in range(TENDERS):
        published = now - timedelta(days=10, minutes=index % 600)
        bids_due = now + timedelta(days=3, minutes=index % 5000)
        rows.append(
            Tender(
                entity=entity,
                plan_line=line,
                procedure_type=line.procedure_type,
                code=f"AS-{index + 1:06d}-BENCH",
                title=f"Adquisición de bienes N.° {index + 1}",
                object="goods",
                currency="PEN",
                reference_value=Decimal("150000.00"),
                status=TenderStatus.BIDDING,
                published_at=published,
                enquiries_end=published + timedelta(days=3),
                integrated_bases_at=published + timedelta(days=4),
                bids_due=bids_due,
                opening_at=bids_due,
                next_check=bids_due,
                created_by=officer,
            )
        )
    Tender.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Tender._meta.db_table}")
    return {"ids": list(Tender.objects.order_by("pk").values_list("pk", flat=True))}


def make_due(ids: list[int]) -> None:
    """These tenders' integrated bases came out a minute ago: the chronograph opens their bidding."""
    from portal.core import clock
    from procurement.enums import TenderStatus
    from procurement.models import Tender

    moment = clock.now() - timedelta(minutes=1)
    Tender.objects.filter(pk__in=ids).update(
        status=TenderStatus.INTEGRATED_BASES, integrated_bases_at=moment, next_check=moment
    )


def drain(expected: int) -> dict:
    """Sweep until nothing is due, as the scheduled task does (default batch)."""
    from django.conf import settings

    from procurement.services.chronograph import chronograph_sweep

    sweeps, moved = [], 0
    while True:
        began = time.perf_counter()
        count = chronograph_sweep()
        sweeps.append(time.perf_counter() - began)
        moved += count
        if count == 0:
            break
    working = sweeps[:-1] or sweeps
    beat = float(settings.CHRONOGRAPH_SECONDS)
    return {
        "due": expected,
        "moved": moved,
        "sweeps": len(working),
        "first_sweep_s": round(sweeps[0], 3),
        "median_sweep_s": round(statistics.median(working), 3),
        "per_tender_ms": round(sum(working) / max(moved, 1) * 1000, 2),
        "total_s": round(sum(working), 2),
        # One sweep per beat: the last tender of the backlog moves this long after its deadline.
        "scheduler_drain_s": round((len(working) - 1) * beat + working[-1], 1),
    }


def main() -> None:
    try:
        setup_django()
        from django.conf import settings

        from procurement.services.chronograph import chronograph_sweep

        with timer() as built:
            ids = build()["ids"]
        idle = []
        for _ in range(IDLE_SWEEPS):
            began = time.perf_counter()
            chronograph_sweep()
            idle.append(time.perf_counter() - began)
        results = {
            "tenders": TENDERS,
            "build_seconds": round(built["seconds"], 1),
            "batch": 200,
            "beat_seconds": settings.CHRONOGRAPH_SECONDS,
            "none_due": percentiles(idle),
        }
        step = max(1, len(ids) // 1000)
        one_percent = ids[::step][: TENDERS // 100]
        make_due(one_percent)
        results["one_percent_due"] = drain(len(one_percent))
        many = ids[1 :: max(1, len(ids) // MANY)][:MANY]
        make_due(many)
        results["many_due"] = drain(len(many))
        report("chronograph", results)
    finally:
        if not os.environ.get("BENCH_KEEP"):
            drop_database()


if __name__ == "__main__":
    main()
