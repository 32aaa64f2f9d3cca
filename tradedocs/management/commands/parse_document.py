"""``python manage.py parse_document FILE --json``: a document's canonical model, keyed by business terms."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tradedocs.model import to_terms
from tradedocs.xml.documents import IntakeError, parse


class Command(BaseCommand):
    help = "Print a CII/UBL invoice's or an Order-X order's canonical model, keyed by EN 16931 term ids."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="Print JSON (the default and only format).")

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        try:
            parsed = parse(data)
        except IntakeError as error:
            raise CommandError(f"{path}: refused ({error.code}): {error.message}") from None
        if parsed.model is None:
            raise CommandError(f"{path}: unreadable: {parsed.problem}")
        body = {
            "file": str(path),
            "syntax": parsed.intake.syntax,
            "document_type": parsed.intake.document_type,
            "terms": to_terms(parsed.model),
        }
        self.stdout.write(json.dumps(body, ensure_ascii=False, indent=2))
