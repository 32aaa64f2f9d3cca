"""What the pages and the API show of a document: its canonical model, report and other syntax."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from portal.core.errors import RuleViolation
from tradedocs.enums import DocumentType
from tradedocs.model import Invoice, Order, invoice_from_terms, order_from_terms
from tradedocs.models import Document
from tradedocs.xml.documents import render


def document_model(document: Document) -> Invoice | Order | None:
    """The document's canonical model, rebuilt from its stored business terms (None if unreadable)."""
    if not document.terms:
        return None
    if document.document_type == DocumentType.ORDER:
        return order_from_terms(document.terms)
    return invoice_from_terms(document.terms)


def document_context(document: Document) -> dict[str, Any]:
    report = document.report or {}
    return {
        "document": document,
        "model": document_model(document),
        "report": report,
        "findings": report.get("findings", []),
    }


def rendered_in_other_syntax(document: Document) -> tuple[str, bytes]:
    """(syntax, bytes) of an invoice in the syntax it did not come in; 409 for orders and unreadable ones."""
    model = document_model(document)
    target = document.other_syntax
    if target is None or model is None:
        raise RuleViolation(
            _("This document cannot be rendered in another syntax (orders travel in Order-X only)."),
            code="not_convertible",
        )
    return target, render(model, target)


def source_lines(document: Document) -> list[tuple[int, str]]:
    """The original XML as numbered lines, for the report page's links to each finding's place."""
    text = bytes(document.original).decode("utf-8", errors="replace")
    return list(enumerate(text.splitlines(), start=1))
