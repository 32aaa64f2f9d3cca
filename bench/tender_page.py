"""The public tender page: queries and time per request.

In a scratch PostgreSQL database, builds through the services a tender of 5 lots × 20 items whose
200 questions (from 10 participants) were answered and published with the integrated bases, and,
for comparison, a tender of 1 lot × 1 item without questions. Then requests each page with Django's
test Client (the whole stack but the network: middleware, selectors, templates), anonymously and as a
participant supplier, and reports the queries per request and the time (after a warm-up).

``.venv/bin/python bench/tender_page.py`` (``BENCH_KEEP=1`` keeps the database).
"""

from __future__ import annotations

import os
import sys
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_tender_page")
sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import drop_database, percentiles, report, setup_django, timer

LOTS, ITEMS, QUESTIONS, PARTICIPANTS = 5, 20, 200, 10
REPS, WARMUP = 100, 10


def build(officer, entity, bidders, *, lots: int, items: int, questions: int):
    """A tender published now, with ``questions`` answered and published after the enquiries."""
    from django.core.files.base import ContentFile
    from procurement_world import lots as lot_data
    from procurement_world import plan_line

    from portal.core import clock
    from procurement.services._common import holidays_of
    from procurement.services.chronograph import tender_advance
    from procurement.services.participation import answers_publish, participant_register, question_answer, question_ask
    from procurement.services.tenders import tender_create, tender_publish, tender_set_timeline
    from procurement.timeline import earliest_timeline

    line = plan_line(officer, entity, "adjudicacion-simplificada", "150000.00")
    tender = tender_create(
        actor=officer,
        plan_line=line,
        title="Adquisición de equipos de cómputo para las sedes regionales",
        description="Benchmark de la página pública",
        currency="PEN",
        lots=lot_data(lots, items),
    )
    start = clock.now() + timedelta(minutes=1)
    timeline = earliest_timeline(start, line.procedure_type.config, holidays_of("PE"))
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=timeline)
    tender = tender_publish(actor=officer, tender=tender)  # now: within the publication tolerance
    tender_advance(tender_id=tender.pk, now=clock.now())
    try:
        for supplier, owner in bidders:
            participant_register(actor=owner, tender=tender, organisation=supplier.organisation)
        tender_lots = list(tender.lots.order_by("number"))
        for number in range(questions):
            supplier, owner = bidders[number % len(bidders)]
            question = question_ask(
                actor=owner,
                tender=tender,
                lot=tender_lots[number % len(tender_lots)],
                text=f"Consulta {number + 1}: ¿se acepta una configuración equivalente o superior a la pedida? " * 3,
            )
            question_answer(actor=officer, question=question, answer="Sí, siempre que cumpla la ficha técnica. " * 4)
        after = timeline.enquiries_end + timedelta(hours=1)
        clock.set_source(lambda: after)
        if questions:
            pdf = ContentFile(b"%PDF-1.4\n%bench\n", name="bases-integradas.pdf")
            tender = answers_publish(actor=officer, tender=tender, document_file=pdf, title="Bases integradas")
    finally:
        clock.set_source(None)
    tender.refresh_from_db()
    return tender


def measure(client, url: str) -> dict:
    from django.db import connection

    for _ in range(WARMUP):
        response = client.get(url)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # Counted on the cursor, not from the debug log: the request_started signal empties that log.
    with connection.execute_wrapper(count):
        response = client.get(url)
    samples = []
    for _ in range(REPS):
        began = time.perf_counter()
        client.get(url)
        samples.append(time.perf_counter() - began)
    return {"queries": len(queries), "bytes": len(response.content), **percentiles(samples)}


def main() -> None:
    try:
        setup_django()
        from django.test import Client
        from django.urls import reverse
        from procurement_world import operator_and_entity, suppliers

        with timer() as built:
            operator, entity, officer = operator_and_entity()
            bidders = suppliers(operator, PARTICIPANTS)
            large = build(officer, entity, bidders, lots=LOTS, items=ITEMS, questions=QUESTIONS)
            small = build(officer, entity, bidders[:1], lots=1, items=1, questions=0)
        anonymous = Client()
        participant = Client()
        participant.force_login(bidders[0][1])
        results = {
            "build_seconds": round(built["seconds"], 1),
            "large": {"lots": LOTS, "items_per_lot": ITEMS, "questions": QUESTIONS, "status": large.status},
            "small": {"lots": 1, "items_per_lot": 1, "questions": 0, "status": small.status},
        }
        for name, tender in (("large", large), ("small", small)):
            url = reverse("tender-detail", args=[tender.pk])
            results[name]["anonymous"] = measure(anonymous, url)
            results[name]["participant"] = measure(participant, url)
        report("tender_page", results)
    finally:
        if not os.environ.get("BENCH_KEEP"):
            drop_database()


if __name__ == "__main__":
    main()
