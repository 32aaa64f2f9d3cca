"""Public transparency at national scale: search latency against the bare SQL, and the OCDS export.

World (``transparency_world``): 1,000,000 published processes of 2,000 entities in 25 regions, their
public projection, 3,000,000 OCDS releases, written by PostgreSQL in a few minutes.

Search: five typical public queries through ``transparency.search.process_search`` (one page of
50 results, the total and the facet counts) without its facet cache, so each run does the whole
work; then with the cache, as a public visitor who repeats a popular query gets it. The bare SQL
is the very statements the search issued (captured once), executed again with a raw cursor and
fetched: the ratio is what Django, the criteria and the Python around them cost on top of
PostgreSQL. p50/p95 over ``TRANSPARENCY_RUNS`` runs of each.

Export: ``ocds.export.export`` of one month and of four months of releases into a temporary
directory: releases per second and the peak resident memory above the process's baseline (a
sampling thread reading /proc/self/status), to show that memory does not grow with the size.

Knobs: ``TRANSPARENCY_PROCESSES`` (default 1,000,000), ``TRANSPARENCY_RUNS`` (30),
``TRANSPARENCY_REUSE=1`` keeps and reuses the database between runs (generation takes minutes).
"""

from __future__ import annotations

import os
import tempfile
import threading
import time
from datetime import date

from harness import DATABASE_URL, drop_database, percentiles, report, setup_django

PROCESSES = int(os.environ.get("TRANSPARENCY_PROCESSES", "1000000"))
RUNS = int(os.environ.get("TRANSPARENCY_RUNS", "30"))
REUSE = os.environ.get("TRANSPARENCY_REUSE") == "1"


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class PeakMemory:
    """The highest resident set size seen while the block runs, above what it was when it began."""

    def __enter__(self):
        self.base = self.peak = rss_kib()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.01):
            self.peak = max(self.peak, rss_kib())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_kib())
        self.growth_mib = round((self.peak - self.base) / 1024, 1)


def world_ready() -> bool:
    from procurement.models import PublicProcess

    return PublicProcess.objects.count() >= PROCESSES


def queries():
    """The five typical queries: (name, criteria)."""
    from procurement.models import PublicProcess
    from procurement.transparency.search import SearchCriteria

    sample = PublicProcess.objects.filter(keys__has_keys=["d08"]).order_by("tender_id").first()
    supplier_ruc = PublicProcess.objects.exclude(awarded_amount=None).order_by("tender_id").first().keys.split()[-1][1:]
    return [
        ("free text 'guantes quirúrgicos'", SearchCriteria(text="guantes quirúrgicos")),
        ("region Cusco, contracted", SearchCriteria(region="08", status="contracted")),
        (
            "one entity, published in 2025",
            SearchCriteria(entity=sample.entity_id, published_from=date(2025, 1, 1), published_to=date(2025, 12, 31)),
        ),
        ("UNSPSC 4321, 50,000 to 500,000", SearchCriteria(category="4321", amount_min=50_000, amount_max=500_000)),
        ("one supplier's awards", SearchCriteria(supplier=supplier_ruc)),
    ]


def measure_search() -> dict:
    from django.core.cache import cache
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from procurement.transparency.search import process_search

    def run(criteria, use_cache=False):
        result = process_search(criteria, page=1, use_cache=use_cache)
        list(result.rows)
        return result

    results = {}
    for name, criteria in queries():
        for _ in range(3):  # warm PostgreSQL's buffers and Python's imports
            cache.clear()
            run(criteria)
        cache.clear()
        with CaptureQueriesContext(connection) as captured:
            result = run(criteria)
        # The statements as PostgreSQL received them (the page's planner settings included); the
        # transaction they ran in is opened around the replay instead.
        statements = [query["sql"] for query in captured.captured_queries if query["sql"] not in {"BEGIN", "COMMIT"}]
        orm, bare = [], []
        for _ in range(RUNS):
            cache.clear()
            start = time.perf_counter()
            run(criteria)
            orm.append(time.perf_counter() - start)
            start = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()
            bare.append(time.perf_counter() - start)
        run(criteria, use_cache=True)
        warm = []
        for _ in range(RUNS):
            start = time.perf_counter()
            run(criteria, use_cache=True)
            warm.append(time.perf_counter() - start)
        orm_p, bare_p = percentiles(orm), percentiles(bare)
        results[name] = {
            "total": result.total,
            "statements": len(statements),
            "search": orm_p,
            "bare_sql": bare_p,
            "ratio_p50": round(orm_p["median_ms"] / bare_p["median_ms"], 2),
            "ratio_p95": round(orm_p["p95_ms"] / bare_p["p95_ms"], 2),
            "search_cached": percentiles(warm),
        }
        print(name, results[name], flush=True)
    return results


def measure_export() -> dict:
    from procurement.models import Release
    from procurement.ocds.export import export

    year = Release.objects.order_by("date").values_list("date", flat=True).first().year + 1
    sizes = {}
    for months in (1, 4):
        with tempfile.TemporaryDirectory() as out, PeakMemory() as memory:
            began = time.perf_counter()
            stats = export(out, month_from=f"{year}-01", month_to=f"{year}-{months:02d}")
            seconds = time.perf_counter() - began
        sizes[f"{months} month(s)"] = {
            "releases": stats.releases,
            "records": stats.records,
            "seconds": round(seconds, 1),
            "releases_per_second": round(stats.releases / seconds),
            "peak_rss_growth_mib": memory.growth_mib,
            "written_mib": round(stats.bytes / 2**20, 1),
        }
        print(months, sizes[f"{months} month(s)"], flush=True)
    return sizes


def main() -> None:
    setup_django(fresh=not REUSE)
    from transparency_world import build

    generated = None
    if not world_ready():
        if REUSE:
            drop_database()
            setup_django(fresh=True)
        began = time.perf_counter()
        generated = {**build(processes=PROCESSES), "seconds": round(time.perf_counter() - began)}
        print("world", generated, flush=True)
    results = {
        "database": DATABASE_URL.rsplit("@", 1)[-1],
        "processes": PROCESSES,
        "generated": generated,
        "search": measure_search(),
        "export": measure_export(),
    }
    report("transparency", results)
    if not REUSE:
        drop_database()


if __name__ == "__main__":
    main()
