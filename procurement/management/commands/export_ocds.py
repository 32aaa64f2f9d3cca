"""Write the bulk OCDS files: a release package and a record package per month (``ocds.export``).

Streaming, so it runs on the full history with flat memory; a finished month's files never change,
so a publisher may re-run it for the current month only (``--from`` and ``--to``).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from procurement.ocds.export import CHUNK_SIZE, export, parse_month


class Command(BaseCommand):
    help = "Write releases-YYYY-MM.json and records-YYYY-MM.json (OCDS 1.1 packages) for each month into a directory."

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="the directory to write into (created if missing)")
        parser.add_argument("--from", dest="month_from", help="first month, YYYY-MM (default: the first release's)")
        parser.add_argument("--to", dest="month_to", help="last month, YYYY-MM (default: the latest release's)")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help=f"rows per fetch (default {CHUNK_SIZE})")
        parser.add_argument("--base-uri", help="where the files are published (default: publisher URI + /ocds/bulk/)")

    def handle(self, *args, output: str, month_from, month_to, chunk_size: int, base_uri, **options):
        try:
            for month in (month_from, month_to):
                if month is not None:
                    parse_month(month)
        except ValueError as error:
            raise CommandError(str(error)) from None
        if month_from and month_to and month_from > month_to:
            raise CommandError("--from comes after --to")
        stats = export(
            output, month_from=month_from, month_to=month_to, chunk_size=max(1, chunk_size), base_uri=base_uri
        )
        for path in stats.files:
            self.stdout.write(str(path))
        self.stdout.write(
            self.style.SUCCESS(
                f"Done: {len(stats.months)} months, {stats.releases} releases, {stats.records} records, "
                f"{stats.bytes} bytes."
            )
        )
