"""Load or update UNSPSC categories from a CSV file: ``code,name_es,name_en`` with a header row.

The portal ships all segments and a selection of families and classes; an agency loads the full
code list it licenses with this command. Existing codes are updated, new ones added; nothing is
deleted (suppliers may be registered under any code).
"""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from smeregistry.models import UnspscCategory
from smeregistry.sizing import significant_prefix

LEVELS = {2: "segment", 4: "family", 6: "class", 8: "commodity"}


class Command(BaseCommand):
    help = "Load UNSPSC categories from a CSV file (code,name_es,name_en)."

    def add_arguments(self, parser):
        parser.add_argument("csv_file", type=Path)

    def handle(self, csv_file: Path, **options):
        if not csv_file.is_file():
            raise CommandError(f"{csv_file}: no such file")
        rows = []
        with csv_file.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = {"code", "name_es", "name_en"} - set(reader.fieldnames or [])
            if missing:
                raise CommandError(f"{csv_file}: missing columns {', '.join(sorted(missing))}")
            for line, row in enumerate(reader, start=2):
                code = (row["code"] or "").strip()
                try:
                    prefix = significant_prefix(code)
                except ValueError as exc:
                    raise CommandError(f"{csv_file}:{line}: {exc}") from None
                if not (row["name_es"] or "").strip() or not (row["name_en"] or "").strip():
                    raise CommandError(f"{csv_file}:{line}: both names are required")
                rows.append((prefix, code, row["name_es"].strip()[:250], row["name_en"].strip()[:250]))
        created = updated = 0
        with transaction.atomic():
            known = {c.prefix: c for c in UnspscCategory.objects.all()}
            for prefix, code, name_es, name_en in sorted(rows, key=lambda r: len(r[0])):
                parent = next((known[prefix[:n]] for n in (6, 4, 2) if n < len(prefix) and prefix[:n] in known), None)
                category, was_created = UnspscCategory.objects.update_or_create(
                    code=code,
                    defaults={
                        "prefix": prefix,
                        "level": LEVELS[len(prefix)],
                        "parent": parent,
                        "name_es": name_es,
                        "name_en": name_en,
                    },
                )
                known[prefix] = category
                created += was_created
                updated += not was_created
        self.stdout.write(self.style.SUCCESS(f"UNSPSC: {created} added, {updated} updated"))
