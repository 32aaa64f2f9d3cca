"""Validate trade documents from files: ``python manage.py validate_document FILE... [--json]``.

Each file goes through the portal's intake (the hardened parser) and its validation scenario (schema,
then the official business rules), exactly as a document sent to the portal. With ``--json`` one JSON
object per file and line; otherwise a readable summary. The exit code is 0 only when every file is
valid.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tradedocs.xml.intake import MAX_BYTES, IntakeError, read_document
from tradedocs.xml.validation import validate


def _refused(path: str, code: str, message: str) -> dict[str, Any]:
    return {
        "file": path,
        "syntax": None,
        "document_type": None,
        "valid": False,
        "findings": [
            {"rule_id": f"INTAKE-{code}", "severity": "fatal", "location": "", "line": None, "message": message}
        ],
    }


def validate_file(path: str) -> dict[str, Any]:
    """The outcome for one file, as printed with ``--json``."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # one byte more than allowed is enough to refuse it
    except OSError as error:
        return _refused(path, "unreadable_file", f"The file cannot be read: {error.strerror or error}.")
    try:
        intake = read_document(data)
    except IntakeError as error:
        return _refused(path, error.code, error.message)
    report = validate(intake, data)
    return {
        "file": path,
        "syntax": report.syntax,
        "document_type": report.document_type,
        "scenario": report.scenario,
        "valid": report.valid,
        "findings": [
            {
                "rule_id": finding.rule_id,
                "severity": finding.severity,
                "location": finding.location,
                "line": finding.line,
                "message": finding.message,
            }
            for finding in report.findings
        ],
    }


class Command(BaseCommand):
    help = "Validate CII/UBL invoices, UBL credit notes and Order-X orders against their schema and rules."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", metavar="FILE", help="XML documents to validate")
        parser.add_argument("--json", action="store_true", help="one JSON object per file and line")

    def handle(self, *args: Any, **options: Any) -> None:
        outcomes = [validate_file(path) for path in options["files"]]
        for outcome in outcomes:
            if options["json"]:
                self.stdout.write(json.dumps(outcome, ensure_ascii=False))
            else:
                self._summary(outcome)
        invalid = sum(1 for outcome in outcomes if not outcome["valid"])
        if invalid:
            raise CommandError(f"{invalid} of {len(outcomes)} documents are not valid.", returncode=1)

    def _summary(self, outcome: dict[str, Any]) -> None:
        verdict = "VALID" if outcome["valid"] else "INVALID"
        kind = " ".join(filter(None, [outcome["syntax"], outcome["document_type"], outcome.get("scenario")]))
        style = self.style.SUCCESS if outcome["valid"] else self.style.ERROR
        self.stdout.write(style(f"{outcome['file']}: {verdict}") + (f" ({kind})" if kind else ""))
        for finding in outcome["findings"]:
            line = f" line {finding['line']}" if finding["line"] is not None else ""
            self.stdout.write(f"  [{finding['severity']}] {finding['rule_id']}{line}: {finding['message']}")
