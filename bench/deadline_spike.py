"""The last minutes before a bids deadline: many suppliers' integrations submitting sealed bids at once.

In a scratch PostgreSQL database, prepares through the services a price comparison in its bidding
stage with ``LOTS`` lots and ``SUPPLIERS`` registered participants, each with its own API token
(``bids:write``). Starts gunicorn (gthread workers, a private Redis for the cache, the throttles and
the task queue, as in production) on a free loopback port, and ``THREADS`` client threads (stdlib
``http.client``, keep-alive) POST to ``/api/v1/lots/{id}/bids/``: per supplier and lot, ``ROUNDS``
bids (each replacing the previous) and, after each, a retry with the same ``Idempotency-Key``.

Then, in the same run and with the same tokens, keys and bodies, the same load against a bare DRF
create endpoint (``spike_urls.py``: token auth, a serializer, one idempotent INSERT) on the same
database. Reports throughput, p50/p95/p99 and the ratio bid API / bare (goal ≥ 0.6), and checks that
no bid was lost or doubled: every 201 is one row, every retry (200) names a row a 201 created, the
rows are exactly those, one live bid per supplier and lot, every ``received_at`` before the deadline.

``.venv/bin/python bench/deadline_spike.py`` (env: ``SPIKE_SUPPLIERS``, ``SPIKE_LOTS``,
``SPIKE_ROUNDS``, ``SPIKE_THREADS``, ``SPIKE_WORKERS``, ``SPIKE_WORKER_THREADS``; ``BENCH_KEEP=1``).
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_spike")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import DATABASE_URL, ROOT, drop_database, percentiles, report, setup_django, timer

SUPPLIERS = int(os.environ.get("SPIKE_SUPPLIERS", "64"))
LOTS = int(os.environ.get("SPIKE_LOTS", "4"))
ROUNDS = int(os.environ.get("SPIKE_ROUNDS", "2"))
THREADS = int(os.environ.get("SPIKE_THREADS", "32"))
WORKERS = int(os.environ.get("SPIKE_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
WORKER_THREADS = int(os.environ.get("SPIKE_WORKER_THREADS", "4"))
TARGET_RATIO = 0.6


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- Preparation, through the services ------------------------------------------------------------


def prepare() -> dict:
    from django.db import connection
    from procurement_world import lots, operator_and_entity, plan_line
    from procurement_world import suppliers as make_suppliers
    from spike_urls import CREATE_TABLE

    from portal.accounts.services import api_token_create
    from portal.core import clock
    from procurement.services._common import holidays_of
    from procurement.services.chronograph import tender_advance
    from procurement.services.participation import participant_register
    from procurement.services.tenders import tender_create, tender_publish, tender_set_timeline
    from procurement.timeline import earliest_timeline

    operator, entity, officer = operator_and_entity()
    suppliers = make_suppliers(operator, SUPPLIERS)
    line = plan_line(officer, entity, "comparacion-de-precios", "60000.00")
    procedure = line.procedure_type
    tender = tender_create(
        actor=officer,
        plan_line=line,
        title="Computadoras para las sedes",
        description="Benchmark",
        currency="PEN",
        lots=lots(LOTS, 2),
    )
    timeline = earliest_timeline(clock.now() + timedelta(minutes=1), procedure.config, holidays_of("PE"))
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=timeline)
    tender = tender_publish(actor=officer, tender=tender)
    tender_advance(tender_id=tender.pk, now=clock.now())
    tender.refresh_from_db()
    if tender.status != "bidding":
        raise RuntimeError(f"the tender is {tender.status}, not bidding")

    tokens = []
    for supplier, owner in suppliers:
        participant_register(actor=owner, tender=tender, organisation=supplier.organisation)
        _token, key = api_token_create(
            actor=owner, organisation=supplier.organisation, name="Integración", scopes=["bids:write", "read"]
        )
        tokens.append(key)
    with connection.cursor() as cursor:
        cursor.execute(CREATE_TABLE)
    return {
        "tender": tender.pk,
        "bids_due": tender.bids_due,
        "lots": list(tender.lots.order_by("number").values_list("pk", flat=True)),
        "tokens": tokens,
    }


# --- Load ------------------------------------------------------------------------------------------


def requests_for(thread: int, world: dict, prefix: str) -> list[tuple[str, str, str, bytes]]:
    """(token, lot path id, key, body) in the order this thread sends them: per round, each of its
    suppliers bids for each lot, then retries at once with the same key and body."""
    plan = []
    for round_number in range(ROUNDS):
        for supplier in range(thread, SUPPLIERS, THREADS):
            for lot_index, lot_id in enumerate(world["lots"]):
                body = json.dumps(
                    {
                        "prices": {
                            "1": f"{2000 + supplier + round_number}.00",
                            "2": f"{500 + lot_index + round_number}.50",
                        },
                        "technical": {"plazo_entrega_dias": 10 + round_number},
                    }
                ).encode()
                key = f"{prefix}-{supplier}-{lot_id}-{round_number}"
                token = world["tokens"][supplier]
                plan += [(token, lot_id, key, body), (token, lot_id, key, body)]
    return plan


def run_load(port: int, world: dict, path: str) -> dict:
    """Every thread sends its requests as fast as answers come; returns samples and answers."""
    results: list[list] = [[] for _ in range(THREADS)]
    errors = Counter()
    start_line = threading.Barrier(THREADS + 1)

    def worker(index: int) -> None:
        plan = requests_for(index, world, "spike")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start_line.wait()
        for token, lot_id, key, body in plan:
            headers = {
                "Authorization": f"Bearer {token}",
                "Idempotency-Key": key,
                "Content-Type": "application/json",
                "Accept": "application/json",
            }
            for _attempt in range(3):  # a dropped connection is retried with the same key, as a client would
                began = time.perf_counter()
                try:
                    conn.request("POST", path.format(lot_id=lot_id), body=body, headers=headers)
                    response = conn.getresponse()
                    payload = response.read()
                except (OSError, http.client.HTTPException) as problem:
                    errors[type(problem).__name__] += 1
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    continue
                elapsed = time.perf_counter() - began
                try:
                    answer = json.loads(payload or b"{}")
                except ValueError:
                    answer = {"raw": payload[:200].decode(errors="replace")}
                results[index].append((elapsed, response.status, key, answer))
                break
        conn.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    start_line.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    samples = [row for rows in results for row in rows]
    return {"wall": wall, "samples": samples, "errors": dict(errors)}


def summary(load: dict) -> dict:
    statuses = Counter(row[1] for row in load["samples"])
    return {
        "requests": len(load["samples"]),
        "seconds": round(load["wall"], 2),
        "throughput_rps": round(len(load["samples"]) / load["wall"], 1),
        "statuses": dict(statuses),
        "connection_errors": load["errors"],
        **percentiles([row[0] for row in load["samples"]]),
        # New bids (201) and retries answered from the stored bid (200) cost differently.
        "by_status": {
            str(code): percentiles([row[0] for row in load["samples"] if row[1] == code]) for code in sorted(statuses)
        },
    }


# --- Checks ----------------------------------------------------------------------------------------


def check_bids(load: dict, world: dict) -> dict:
    """Nothing lost, nothing doubled, nothing late."""
    from procurement.models import Bid

    created = [row[3].get("bid_id") for row in load["samples"] if row[1] == 201]
    retried = [row[3].get("bid_id") for row in load["samples"] if row[1] == 200]
    by_key = {}
    for row in load["samples"]:
        if row[1] in (200, 201):
            by_key.setdefault(row[2], set()).add(row[3].get("bid_id"))
    rows = list(Bid.objects.filter(lot__tender_id=world["tender"]).values("pk", "status", "received_at"))
    stored = {row["pk"] for row in rows}
    expected_bids = SUPPLIERS * LOTS * ROUNDS
    checks = {
        "responses_201": len(created),
        "responses_200": len(retried),
        "other_statuses": sorted({row[1] for row in load["samples"]} - {200, 201}),
        "rows": len(rows),
        "expected_rows": expected_bids,
        "no_201_doubled": len(created) == len(set(created)),
        "every_retry_names_a_created_bid": set(retried) <= set(created),
        "one_bid_per_key": all(len(ids) == 1 for ids in by_key.values()),
        "rows_are_the_201s": stored == set(created),
        "one_live_bid_per_supplier_and_lot": sum(row["status"] == "submitted" for row in rows) == SUPPLIERS * LOTS,
        "all_received_before_deadline": all(row["received_at"] < world["bids_due"] for row in rows),
    }
    flags = [value for value in checks.values() if isinstance(value, bool)]
    checks["ok"] = all(flags) and len(rows) == expected_bids and not checks["other_statuses"]
    return checks


def check_bare(load: dict) -> dict:
    from django.db import connection
    from spike_urls import BARE_TABLE

    created = [row[3].get("bid_id") for row in load["samples"] if row[1] == 201]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {BARE_TABLE}")
        (rows,) = cursor.fetchone()
    return {"responses_201": len(created), "rows": rows, "ok": rows == len(created) == len(set(created))}


# --- Server ----------------------------------------------------------------------------------------


def start_gunicorn(port: int, redis_url: str, logdir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "spike_settings",
        "PYTHONPATH": f"{ROOT / 'bench'}{os.pathsep}{ROOT}",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": redis_url,
        "PORTAL_ENV": "test",
        "DEBUG": "false",
        "LOG_LEVEL": "WARNING",
        "DB_CONN_MAX_AGE": "60",  # persistent connections, as in production
    }
    env.pop("CELERY_BROKER_URL", None)
    command = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "portal.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "gthread",
        "--threads",
        str(WORKER_THREADS),
        "--timeout",
        "120",
        "--error-logfile",
        str(logdir / "gunicorn.log"),
    ]
    # The application's own log (errors with their traceback) goes next to gunicorn's.
    app_log = (logdir / "app.log").open("ab")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=app_log, stderr=app_log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: see {logdir / 'gunicorn.log'}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/v1/procedure-types/")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 60 s")


def warm_up(port: int) -> None:
    """Every worker thread connects to the database and imports what the views need."""
    for _ in range(WORKERS * WORKER_THREADS * 2):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/v1/procedure-types/")
        conn.getresponse().read()
        conn.close()


def main() -> None:
    from tests.celery_harness import PrivateRedis

    workdir = Path(tempfile.mkdtemp(prefix="spike-"))
    redis = PrivateRedis(workdir)
    redis.start()
    os.environ["REDIS_URL"] = redis.url  # the preparation queues its notifications too, as in production
    server = None
    try:
        setup_django()
        with timer() as prepared:
            world = prepare()
        port = free_port()
        server = start_gunicorn(port, redis.url, workdir)
        warm_up(port)
        bids = run_load(port, world, "/api/v1/lots/{lot_id}/bids/")
        bare = run_load(port, world, "/bench/lots/{lot_id}/bids/")
        results = {
            "config": {
                "suppliers": SUPPLIERS,
                "lots": LOTS,
                "rounds": ROUNDS,
                "client_threads": THREADS,
                "gunicorn_workers": WORKERS,
                "worker_threads": WORKER_THREADS,
                "cpus": os.cpu_count(),
            },
            "prepare_seconds": round(prepared["seconds"], 1),
            "bid_api": summary(bids),
            "bare_create": summary(bare),
        }
        results["ratio_throughput"] = round(
            results["bid_api"]["throughput_rps"] / results["bare_create"]["throughput_rps"], 3
        )
        results["target_ratio"] = TARGET_RATIO
        results["bid_checks"] = check_bids(bids, world)
        results["bare_checks"] = check_bare(bare)
        report("deadline_spike", results)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        redis.stop()
        if not os.environ.get("BENCH_KEEP"):
            drop_database()


if __name__ == "__main__":
    main()
