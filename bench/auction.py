"""A reverse auction under load: 50 bidders × 20 bids each into one auction, against a bare
conditional UPDATE of the same row.

In a scratch PostgreSQL database, drives a subasta inversa electrónica through the services as in
production, on a controlled clock: ``BIDDERS`` verified suppliers (each with its representative)
register as participants during the enquiries, the officer publishes the integrated bases, the
chronograph opens the bids stage, each supplier submits its sealed bid, the chronograph opens the bids
(which schedules the lot's auction with every bidder at its opened total) and then starts the
auction at the tender's ``auction_at``.

The auction keeps the procedure type's rules (10 minutes, extended by 2 for a bid in the last 2,
30 at most, 0.5 % decrement), "compressed to seconds" by the clock: from the start the portal's clock
runs ``SPEED`` times faster than real time (at 20, the 10 minutes last 30 real seconds and the hard
end comes after 90), so the server stamps, the end and the extensions are the service's own.

``BIDDERS`` threads (one per bidder, each with its own database connection, closed at its end) wait
at a common start line, then each makes ``BIDS`` attempts: read the best price (what the bidding page
shows), aim at the highest valid price below it (``rules.highest_valid``) less a little random jitter,
and call ``auction_bid`` in-process (the auction API was still being written). Only the service
call is timed. Many aim at the same best at once, so most lose the race and are refused
(``best_decrement``): both counts are kept.

Then, in the same run and with the same threads' pattern, the bare baseline: the same read, then
``UPDATE procurement_auction SET best_price = %s WHERE id = %s AND best_price > %s`` (the auction's
own row, reset to the opening best) in its own transaction (``transaction.atomic``).

Checks: the log holds every attempt made (sequence 1..N with no gap, one row per client token, the
answers the threads got are exactly the log rows); server time order agrees with sequence order;
replayed in sequence order, each attempt was accepted exactly when it beat its bidder's own last price
and the best at its time by the decrement and came before the (possibly extended) end; the ranking
frozen by the chronograph's close equals the replay's.

``.venv/bin/python bench/auction.py`` (env: ``AUCTION_BIDDERS``, ``AUCTION_BIDS``, ``AUCTION_SPEED``;
``BENCH_KEEP=1`` keeps the database).
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_auction")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import drop_database, percentiles, report, setup_django, timer

BIDDERS = int(os.environ.get("AUCTION_BIDDERS", "50"))
BIDS = int(os.environ.get("AUCTION_BIDS", "20"))
SPEED = float(os.environ.get("AUCTION_SPEED", "20"))
SUBASTA = "subasta-inversa-electronica"
QUANTITY = 4  # units of the lot's single item (procurement_world.lots)
JITTER = (0, 0, 0, 1, 5, 25)  # soles below the highest valid price: most bidders aim exactly at it


class BenchClock:
    """The portal's time source for the run: fixed while the tender is prepared, then accelerated."""

    def __init__(self, at):
        self._source = lambda: at

    def __call__(self):
        return self._source()

    def set(self, at) -> None:
        self._source = lambda: at

    def run(self, start, speed: float) -> None:
        from portal.core import clock

        self._source = clock.accelerated(speed, start=start, started=time.monotonic())


# --- Preparation, through the services ------------------------------------------------------------


def prepare(bench_clock: BenchClock) -> dict:
    from django.core.files.base import ContentFile
    from procurement_world import lots, operator_and_entity, plan_line
    from procurement_world import suppliers as make_suppliers

    from portal.core import clock
    from procurement.models import Tender
    from procurement.services._common import holidays_of
    from procurement.services.bids import bid_submit
    from procurement.services.chronograph import chronograph_sweep, tender_advance
    from procurement.services.participation import answers_publish, participant_register
    from procurement.services.tenders import tender_create, tender_publish, tender_set_timeline
    from procurement.timeline import earliest_timeline

    operator, entity, officer = operator_and_entity()
    suppliers = make_suppliers(operator, BIDDERS)
    line = plan_line(officer, entity, SUBASTA, "240000.00")
    tender = tender_create(
        actor=officer,
        plan_line=line,
        title="Computadoras portátiles (subasta inversa)",
        description="Benchmark de la subasta",
        currency="PEN",
        lots=lots(1, 1, "240000.00"),
    )
    timeline = earliest_timeline(clock.now() + timedelta(minutes=1), line.procedure_type.config, holidays_of("PE"))
    bench_clock.set(timeline.published_at)
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=timeline)
    tender = tender_publish(actor=officer, tender=tender)
    tender_advance(tender_id=tender.pk, now=clock.now())
    for supplier, owner in suppliers:
        participant_register(actor=owner, tender=tender, organisation=supplier.organisation)

    bench_clock.set(timeline.enquiries_end + timedelta(hours=1))
    pdf = ContentFile(b"%PDF-1.4\n%bench\n", name="bases-integradas.pdf")
    answers_publish(actor=officer, tender=Tender.objects.get(pk=tender.pk), document_file=pdf, title="Bases integradas")
    bench_clock.set(timeline.integrated_bases_at)
    chronograph_sweep(now=clock.now())
    tender.refresh_from_db()
    if tender.status != "bidding":
        raise RuntimeError(f"the tender is {tender.status}, not bidding")

    bench_clock.set(timeline.bids_due - timedelta(hours=1))
    lot = tender.lots.get()
    for index, (supplier, owner) in enumerate(suppliers):
        bid_submit(
            actor=owner,
            lot=lot,
            organisation=supplier.organisation,
            prices={1: Decimal("50000.00") + 10 * index},  # totals 200,000.00 … 201,960.00
            technical={"plazo_entrega_dias": 10},
            idempotency_key=f"initial-{index}",
        )
        bench_clock.set(timeline.bids_due - timedelta(hours=1) + timedelta(seconds=index + 1))
    bench_clock.set(timeline.opening_at)
    chronograph_sweep(now=clock.now())
    tender.refresh_from_db()
    if tender.status != "auction":
        raise RuntimeError(f"the tender is {tender.status} after the opening, not in its auction")
    return {"tender": tender, "lot": lot, "suppliers": suppliers, "officer": officer}


def start_auction(bench_clock: BenchClock, tender):
    """Start the accelerated clock at the auction's time and let the chronograph start it."""
    from portal.core import clock
    from procurement.models import Auction
    from procurement.services.chronograph import chronograph_sweep

    bench_clock.run(tender.auction_at, SPEED)
    chronograph_sweep(now=clock.now())
    auction = Auction.objects.get(lot__tender=tender)
    if auction.status != "running":
        raise RuntimeError(f"the auction is {auction.status}, not running")
    return auction


# --- Load ------------------------------------------------------------------------------------------


def run_threads(work) -> dict:
    """``BIDDERS`` threads run ``work(index, rng, samples)`` from a common start line, each on its own
    connection (opened before the line, closed at the end). Returns the wall time and the samples."""
    from django.db import connection

    samples: list[list] = [[] for _ in range(BIDDERS)]
    errors: list[str] = []
    start_line = threading.Barrier(BIDDERS + 1)

    def thread(index: int) -> None:
        try:
            connection.ensure_connection()
            start_line.wait(timeout=120)
            work(index, random.Random(index), samples[index])
        except Exception as error:  # reported, and the checks fail
            errors.append(f"{index}: {type(error).__name__}: {error}")
        finally:
            connection.close()

    threads = [threading.Thread(target=thread, args=(index,)) for index in range(BIDDERS)]
    for one in threads:
        one.start()
    return {"threads": threads, "line": start_line, "samples": samples, "errors": errors}


def wait(load: dict) -> dict:
    load["line"].wait(timeout=120)
    began = time.perf_counter()
    for one in load["threads"]:
        one.join()
    load["wall"] = time.perf_counter() - began
    return load


def best_of(auction_id: int) -> Decimal:
    from procurement.models import Auction

    return Auction.objects.values_list("best_price", flat=True).get(pk=auction_id)


def bid_work(auction, rules, suppliers):
    from django.db import connection

    from procurement.services.auction import AuctionBidRefused, auction_bid

    def work(index: int, rng: random.Random, samples: list) -> None:
        supplier, owner = suppliers[index]
        counted = [0]

        def count(execute, sql, params, many, context):
            counted[0] += 1
            return execute(sql, params, many, context)

        for number in range(BIDS):
            price = rules.highest_valid(best_of(auction.pk)) - rng.choice(JITTER)
            counted[0] = 0
            began = time.perf_counter()
            with connection.execute_wrapper(count):
                try:
                    attempt = auction_bid(
                        actor=owner,
                        auction=auction,
                        organisation=supplier.organisation,
                        price=price,
                        client_token=f"bench-{index}-{number}",
                    )
                except AuctionBidRefused as refused:
                    attempt = refused.attempt
            elapsed = time.perf_counter() - began
            samples.append((elapsed, attempt.accepted, attempt.refusal_code, attempt.pk, counted[0]))

    return work


def bare_work(auction_id: int, rules):
    from django.db import connection, transaction

    from procurement.models import Auction

    sql = f"UPDATE {Auction._meta.db_table} SET best_price = %s WHERE id = %s AND best_price > %s"

    def work(index: int, rng: random.Random, samples: list) -> None:
        for _number in range(BIDS):
            price = rules.highest_valid(best_of(auction_id)) - rng.choice(JITTER)
            began = time.perf_counter()
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [price, auction_id, price])
                accepted = cursor.rowcount == 1
            samples.append((time.perf_counter() - began, accepted, "" if accepted else "not_lower", None, 1))

    return work


def summary(load: dict) -> dict:
    rows = [row for rows in load["samples"] for row in rows]
    accepted = sum(1 for row in rows if row[1])
    wall = load["wall"]
    return {
        "attempts": len(rows),
        "accepted": accepted,
        "refused": len(rows) - accepted,
        "refusals": dict(Counter(row[2] for row in rows if not row[1])),
        "seconds": round(wall, 3),
        "attempts_per_s": round(len(rows) / wall, 1),
        "accepted_per_s": round(accepted / wall, 1),
        **percentiles([row[0] for row in rows]),
        "accepted_latency": percentiles([row[0] for row in rows if row[1]]) if accepted else {},
        "errors": load["errors"],
    }


def statements_per_attempt(load: dict) -> dict:
    """How many attempts ran how many statements (counted on the cursor: BEGIN and COMMIT not included)."""
    counts = Counter(("accepted" if row[1] else "refused", row[4]) for rows in load["samples"] for row in rows)
    return {f"{kind}: {n}": count for (kind, n), count in sorted(counts.items())}


# --- Checks ----------------------------------------------------------------------------------------


def check_auction(load: dict, auction, rules) -> dict:
    """Nothing lost, nothing mis-ordered, nothing accepted that did not beat the best at its time."""
    from procurement.models import AuctionBid, AuctionBidder

    answered = [row for rows in load["samples"] for row in rows]
    attempts = list(AuctionBid.objects.filter(auction=auction).order_by("sequence"))
    made = BIDDERS * BIDS
    auction.refresh_from_db()
    prices = {
        bidder.organisation_id: (bidder.initial_price, bidder.initial_at)
        for bidder in AuctionBidder.objects.filter(auction=auction, admitted=True)
    }
    best = min(price for price, _at in prices.values())
    ends_at = auction.started_at + rules.duration
    wrong, extensions = [], 0
    for attempt in attempts:
        valid = (
            attempt.received_at < ends_at
            and attempt.price <= rules.highest_valid(prices[attempt.organisation_id][0])
            and attempt.price <= rules.highest_valid(best)
        )
        if attempt.accepted != valid:
            wrong.append(attempt.sequence)
        if attempt.accepted:
            best = attempt.price
            prices[attempt.organisation_id] = (attempt.price, attempt.received_at)
            if attempt.extended_to is not None:
                ends_at = attempt.extended_to
                extensions += 1
    checks = {
        "attempts_made": made,
        "attempts_answered": len(answered),
        "attempts_logged": len(attempts),
        "auction_sequence": auction.sequence,
        "no_lost_attempt": len(attempts) == len(answered) == made == auction.sequence,
        "sequence_has_no_gap": [a.sequence for a in attempts] == list(range(1, len(attempts) + 1)),
        "answers_are_the_log": sorted(row[3] for row in answered) == sorted(a.pk for a in attempts),
        "answers_agree_with_log": sorted((row[3], row[1]) for row in answered)
        == sorted((a.pk, a.accepted) for a in attempts),
        "one_row_per_client_token": len({(a.organisation_id, a.client_token) for a in attempts}) == len(attempts),
        "time_order_is_sequence_order": [a.received_at for a in attempts] == sorted(a.received_at for a in attempts),
        "replay_mismatches": wrong[:20],
        "replay_agrees": not wrong,
        "best_price_is_replayed": auction.best_price == best,
        "extensions": extensions,
        "ends_at_is_replayed": auction.ends_at == ends_at,
        "within_hard_end": auction.ends_at <= auction.hard_end,
    }
    checks["replayed"] = prices
    return checks


def close_and_check_ranking(bench_clock: BenchClock, auction, replayed: dict) -> dict:
    """Let the chronograph close the auction at its end; its frozen ranking must be the replay's."""
    from portal.core import clock
    from procurement.models import Auction
    from procurement.services.chronograph import chronograph_sweep

    auction.refresh_from_db()
    bench_clock.set(auction.ends_at)
    chronograph_sweep(now=clock.now())
    auction = Auction.objects.select_related("tender").get(pk=auction.pk)
    expected = sorted(replayed.items(), key=lambda item: (item[1][0], item[1][1]))
    ranking = [(row["organisation"], Decimal(row["price"])) for row in auction.ranking or []]
    return {
        "auction_status": auction.status,
        "tender_status": auction.tender.status,
        "ranking_is_replayed": ranking == [(organisation, price) for organisation, (price, _at) in expected],
        "log_digest": auction.log_digest,
    }


def main() -> None:
    # Before anything imports ``portal`` (which loads the settings): the bases' PDF goes to a scratch
    # directory, and the database is the scratch one, never the development SQLite file.
    media = tempfile.mkdtemp(prefix="bench-auction-media-")
    os.environ["MEDIA_ROOT"] = media
    setup_django()
    from django.db import connection

    from portal.core import clock as portal_clock
    from procurement.auction.rules import auction_rules
    from procurement.models import Auction

    if connection.vendor != "postgresql":
        raise RuntimeError(f"the benchmark runs on PostgreSQL, not {connection.vendor}")
    try:
        bench_clock = BenchClock(portal_clock.now())
        portal_clock.set_source(bench_clock)
        with timer() as prepared:
            world = prepare(bench_clock)
        connection.close()  # the threads open their own; the main thread's comes back when needed

        # The auction: threads connect and wait at the line; the chronograph starts the auction; go.
        scheduled = Auction.objects.get(lot__tender=world["tender"])
        rules = auction_rules(scheduled.rules)
        load = run_threads(bid_work(scheduled, rules, world["suppliers"]))
        auction = start_auction(bench_clock, world["tender"])
        opening_best = auction.best_price
        bids = wait(load)
        auction.refresh_from_db()
        portal_seconds = (auction.log.order_by("-sequence").first().received_at - auction.started_at).total_seconds()
        checks = check_auction(bids, auction, rules)
        replayed = checks.pop("replayed")
        checks.update(close_and_check_ranking(bench_clock, auction, replayed))

        # The bare baseline on the same row, reset to the opening best.
        Auction.objects.filter(pk=auction.pk).update(best_price=opening_best)
        bare = wait(run_threads(bare_work(auction.pk, rules)))

        results = {
            "config": {
                "bidders": BIDDERS,
                "bids_per_bidder": BIDS,
                "threads": BIDDERS,
                "clock_speed": SPEED,
                "rules": auction.rules,
                "measured": "auction_bid in-process, the service call timed (not HTTP); one connection per thread",
                "cpus": os.cpu_count(),
            },
            "prepare_seconds": round(prepared["seconds"], 1),
            "opening_best": str(opening_best),
            "auction": {
                **summary(bids),
                "portal_minutes_used": round(portal_seconds / 60, 2),
                "statements_per_attempt": statements_per_attempt(bids),
            },
            "bare_update": summary(bare),
        }
        results["ratio_attempts_per_s"] = round(
            results["auction"]["attempts_per_s"] / results["bare_update"]["attempts_per_s"], 3
        )
        results["ratio_accepted_per_s"] = round(
            results["auction"]["accepted_per_s"] / results["bare_update"]["accepted_per_s"], 3
        )
        flags = [value for value in checks.values() if isinstance(value, bool)]
        checks["ok"] = (
            all(flags)
            and not bids["errors"]
            and not bare["errors"]
            and checks["auction_status"] == "closed"
            and checks["tender_status"] == "evaluation"
        )
        results["checks"] = checks
        report("auction", results)
    finally:
        portal_clock.set_source(None)
        shutil.rmtree(media, ignore_errors=True)
        if not os.environ.get("BENCH_KEEP"):
            drop_database()


if __name__ == "__main__":
    main()
