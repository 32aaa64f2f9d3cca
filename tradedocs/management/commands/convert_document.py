"""``python manage.py convert_document FILE --to ubl|cii``: an invoice rendered in the other syntax."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tradedocs.xml.documents import IntakeError, convert
from tradedocs.xml.schemas import RenderError


class Command(BaseCommand):
    help = "Print a CII or UBL invoice converted to the other syntax (schema-valid, or an error)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--to", required=True, choices=["ubl", "cii"])

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror or error}") from None
        try:
            converted = convert(data, options["to"])
        except IntakeError as error:
            raise CommandError(f"{path}: refused ({error.code}): {error.message}") from None
        except (RenderError, ValueError) as error:
            raise CommandError(f"{path}: cannot convert: {error}") from None
        self.stdout.write(converted.decode("utf-8"), ending="")
