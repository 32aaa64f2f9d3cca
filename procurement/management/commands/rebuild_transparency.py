"""Rewrite the public projection (``PublicProcess``) and the agreed unit prices (``PricePoint``) of
every tender from the tenders themselves.

For a new installation, after restoring tenders without their projection, or after a change of what
the projection holds (an entity's sector or region, the search terms). The lifecycle keeps it in
step otherwise (``transparency.hooks``). Tenders are read in chunks of ids, each chunk rewritten in
its own transaction, so the command can run on a live portal and be stopped and run again.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

from procurement.models import PublicProcess, Tender
from procurement.transparency import index, prices


class Command(BaseCommand):
    help = "Rewrite the public search projection of every tender (drafts get none)."

    def add_arguments(self, parser):
        parser.add_argument("--chunk", type=int, default=500, help="tenders per transaction (default 500)")

    def handle(self, *args, chunk: int, **options):
        chunk = max(1, chunk)
        seen = written = 0
        last = 0
        while True:
            ids = list(Tender.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:chunk])
            if not ids:
                break
            with transaction.atomic():
                for tender_id in ids:
                    written += index.refresh(tender_id=tender_id) is not None
                    prices.refresh(tender_id=tender_id)
            seen += len(ids)
            last = ids[-1]
            self.stdout.write(f"{seen} tenders read, {written} public rows written")
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {seen} tenders, {written} public processes, {seen - written} not public (drafts); "
                f"{PublicProcess.objects.count()} rows in the projection."
            )
        )
