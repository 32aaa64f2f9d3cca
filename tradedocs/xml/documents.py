"""The XML layer's front door for the rest of the portal: bytes in, canonical models and reports out.

Nothing outside ``tradedocs/xml/`` imports lxml; services, commands and views call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass

from tradedocs.model import Invoice, Order

from . import cii, orderx, ubl
from .intake import Intake, IntakeError, read_document
from .validation import Report, validate

__all__ = ["Intake", "IntakeError", "Parsed", "Report", "convert", "parse", "render", "validate_bytes"]


@dataclass(frozen=True)
class Parsed:
    intake: Intake
    model: Invoice | Order | None
    # Why the canonical model could not be read (a mandatory term missing…); the validation report
    # then says which rules fail.
    problem: str = ""


def parse(data: bytes) -> Parsed:
    """Read and identify ``data`` (IntakeError if refused at the door), then its canonical model."""
    intake = read_document(data)
    try:
        return Parsed(intake=intake, model=_parse_model(intake))
    except IntakeError as error:
        if error.code != "unreadable":
            raise
        return Parsed(intake=intake, model=None, problem=error.message)


def _parse_model(intake: Intake) -> Invoice | Order:
    if intake.syntax == "cii":
        return cii.parse_invoice(intake.root)
    if intake.syntax == "ubl":
        return ubl.parse_invoice(intake.root)
    return orderx.parse_order(intake.root)


def render(model: Invoice | Order, syntax: str) -> bytes:
    """The model in ``syntax`` (``cii`` or ``ubl`` for invoices, ``orderx`` for orders), schema-valid."""
    if isinstance(model, Order):
        if syntax != "orderx":
            raise ValueError("An order is rendered in Order-X only.")
        return orderx.render_order(model)
    if syntax == "cii":
        return cii.render_invoice(model)
    if syntax == "ubl":
        return ubl.render_invoice(model)
    raise ValueError(f"An invoice is rendered in CII or UBL, not {syntax!r}.")


def convert(data: bytes, to: str) -> bytes:
    """An invoice received in one syntax, rendered in the other; IntakeError if it cannot be read."""
    parsed = parse(data)
    if parsed.model is None:
        raise IntakeError("unreadable", parsed.problem)
    return render(parsed.model, to)


def validate_bytes(data: bytes) -> Report:
    """Validate ``data`` through its scenario (IntakeError if refused at the door)."""
    return validate(read_document(data), data)
