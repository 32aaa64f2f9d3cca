"""Receiving, validating and answering trade documents.

The flow: ``document_submit`` checks the bytes at the door (hardened parser, size, DOCTYPE…), reads
the canonical model, keeps the original with its SHA-256 and answers at once; ``document_validate``
(a Celery task after commit) runs the scenario's schema and business rules, stores the report and
delivers a valid document to its receiver's inbox; the receiver's ``document_answer`` accepts or
rejects an invoice — the status message. Every status change reaches the sender's and the
receiver's webhooks through the notification outbox.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from portal.accounts.selectors import roles_for
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, NotFoundError, RuleViolation
from portal.notifications.services import notify, notify_webhooks
from tradedocs import events
from tradedocs.enums import DocumentStatus, DocumentType, RejectionReason, Source
from tradedocs.model import Invoice, Order, Party, to_terms
from tradedocs.models import Document
from tradedocs.roles import ANSWER_ROLES, SENDER_ROLES
from tradedocs.selectors import document_handlers
from tradedocs.transitions import allowed
from tradedocs.xml.documents import IntakeError, Parsed, parse, validate_bytes

logger = logging.getLogger(__name__)


# An oversized document is "413 Payload Too Large"; every other refusal at the door is a 400.
_INTAKE_STATUS = {"too_large": 413}


class DocumentRefused(DomainError):
    """The document was refused at the door; ``code`` is the intake's stable code."""

    def __init__(self, error: IntakeError) -> None:
        super().__init__(error.message, code=error.code)
        self.status = _INTAKE_STATUS.get(error.code, 400)


class NotAParty(DomainError):
    status = 403
    code = "not_a_party"


@dataclass(frozen=True)
class Summary:
    """What the portal copies out of a document for inboxes, filters and the uniqueness of numbers."""

    number: str = ""
    issue_date: Any = None
    currency: str = ""
    amount: Decimal | None = None
    seller_tax_id: str = ""
    seller_name: str = ""
    buyer_tax_id: str = ""
    buyer_name: str = ""
    specification: str = ""


def party_tax_id(party: Party | None) -> str:
    """The party's tax id (RUC in Peru): its legal registration id, else its VAT id without the country
    prefix, else its first identifier."""
    if party is None:
        return ""
    if party.legal_id and party.legal_id.value:
        return party.legal_id.value.strip()
    if party.vat_id:
        vat = party.vat_id.strip()
        return vat[2:] if len(vat) > 2 and vat[:2].isalpha() else vat
    if party.identifiers:
        return party.identifiers[0].value.strip()
    return ""


def summarise(model: Invoice | Order | None) -> Summary:
    if model is None:
        return Summary()
    if isinstance(model, Invoice):
        amount = model.totals.payable
    else:
        amount = model.totals.tax_inclusive if model.totals.tax_inclusive is not None else model.totals.line_total
    return Summary(
        number=model.number[:100],
        issue_date=model.issue_date,
        currency=model.currency[:3],
        amount=amount,
        seller_tax_id=party_tax_id(model.seller)[:32],
        seller_name=model.seller.name[:300],
        buyer_tax_id=party_tax_id(model.buyer)[:32],
        buyer_name=model.buyer.name[:300],
        specification=model.specification[:200],
    )


def _document_type(parsed: Parsed) -> str:
    if parsed.intake.document_type == "order":
        return DocumentType.ORDER
    model = parsed.model
    if parsed.intake.document_type == "credit_note" or (isinstance(model, Invoice) and model.is_credit_note):
        return DocumentType.CREDIT_NOTE
    return DocumentType.INVOICE


def _check_party(sender: Organisation, document_type: str, summary: Summary) -> None:
    """An organisation sends its own documents: the seller its invoices, the buyer its orders.

    Integrators (e-invoicing providers accredited by the operator) send for their clients.
    """
    if sender.kind == OrganisationKind.INTEGRATOR:
        return
    own = summary.buyer_tax_id if document_type == DocumentType.ORDER else summary.seller_tax_id
    if own and own != sender.tax_id:
        role = _("buyer") if document_type == DocumentType.ORDER else _("seller")
        raise NotAParty(
            _("Your organisation (tax id %(ours)s) is not the %(role)s of this document (tax id %(theirs)s).")
            % {"ours": sender.tax_id, "role": role, "theirs": own}
        )


def _receiver_of(document_type: str, summary: Summary) -> Organisation | None:
    tax_id = summary.seller_tax_id if document_type == DocumentType.ORDER else summary.buyer_tax_id
    if not tax_id:
        return None
    return Organisation.objects.filter(tax_id=tax_id, is_active=True).order_by("pk").first()


def _require_sender_role(actor: Any, sender: Organisation) -> None:
    if not roles_for(actor, sender) & SENDER_ROLES:
        raise PermissionDenied(_("Your role in this organisation does not allow sending documents."))


def document_submit(
    *,
    actor: Any,
    sender: Organisation,
    data: bytes,
    source: str = Source.API,
    contract: Any = None,
    order: Document | None = None,
) -> Document:
    """Receive a document from ``sender``; validation follows after commit (``document_validate``).

    Idempotent: the same bytes from the same sender return the stored document (``replayed`` true).
    The same number (per type and seller) with other bytes is a conflict (409 ``document_conflict``)
    unless the earlier one was invalid. Refusals at the door (``DocumentRefused``) store nothing.
    """
    _require_sender_role(actor, sender)
    try:
        parsed = parse(bytes(data))
    except IntakeError as error:
        raise DocumentRefused(error) from None
    summary = summarise(parsed.model)
    document_type = _document_type(parsed)
    existing = Document.objects.filter(sender=sender, sha256=parsed.intake.sha256).order_by("pk").first()
    if existing is not None:
        existing.replayed = True
        return existing
    _check_party(sender, document_type, summary)
    document = Document(
        sender=sender,
        receiver=_receiver_of(document_type, summary),
        submitted_by=actor if getattr(actor, "pk", None) else None,
        submitted_via=str(getattr(actor, "audit_label", "") or "")[:120],
        source=source,
        syntax=parsed.intake.syntax,
        document_type=document_type,
        status=DocumentStatus.RECEIVED,
        original=bytes(data),
        sha256=parsed.intake.sha256,
        size=parsed.intake.size,
        terms=to_terms(parsed.model) if parsed.model is not None else None,
        contract=contract,
        order=order,
        **summary.__dict__,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: the unique constraints decide races
                document.save()
        except IntegrityError:
            return _after_conflict(sender, parsed, document_type, summary)
        _announce_status(document)
        transaction.on_commit(lambda: _enqueue_validation(document.pk))
        audit_record(
            actor=actor,
            action="document.received",
            organisation=sender,
            obj=document,
            payload={"sha256": document.sha256, "type": document_type, "number": summary.number},
        )
    document.replayed = False
    logger.info("document.received", extra={"document_id": document.pk, "syntax": document.syntax})
    return document


def _after_conflict(sender: Organisation, parsed: Parsed, document_type: str, summary: Summary) -> Document:
    same = Document.objects.filter(sender=sender, sha256=parsed.intake.sha256).order_by("pk").first()
    if same is not None:  # a concurrent submission of the same bytes won the race
        same.replayed = True
        return same
    raise RuleViolation(
        _(
            "You already sent %(type)s number %(number)s with different content. Send a credit note or "
            "another number to correct it."
        )
        % {"type": DocumentType(document_type).label.lower(), "number": summary.number},
        code="document_conflict",
    )


def _enqueue_validation(document_id: int) -> None:
    from tradedocs.tasks import validate_document

    try:
        validate_document.delay(document_id)
    except Exception:  # the broker is down: the sweeper validates what waits
        logger.warning("document.enqueue_failed", exc_info=True, extra={"document_id": document_id})


def document_validate(*, document_id: int) -> Document | None:
    """Validate a received document and record the outcome; a second run changes nothing.

    The rules run outside any transaction and lock (they take milliseconds of CPU); the outcome is
    written under the row's lock only if the document is still waiting for it.
    """
    waiting = (
        Document.objects.filter(pk=document_id, status=DocumentStatus.RECEIVED)
        .values_list("original", flat=True)
        .first()
    )
    if waiting is None:
        return None
    try:
        report = validate_bytes(bytes(waiting))
    except IntakeError as error:  # cannot happen for stored bytes, unless the intake rules tightened
        report = None
        outcome = {"valid": False, "findings": [{"rule_id": f"INTAKE-{error.code}", "message": error.message}]}
        raw: dict[str, str] = {}
    else:
        outcome = report.to_dict()
        outcome.pop("svrl", None)
        raw = report.svrl
    with transaction.atomic():
        document = (
            Document.objects.select_for_update(of=("self",))
            .select_related("sender")
            .defer("original", "svrl", "report")
            .filter(pk=document_id)
            .first()
        )
        if document is None or document.status != DocumentStatus.RECEIVED:
            return None
        valid = bool(outcome.get("valid")) and (document.terms is not None)
        if report is not None and report.valid and document.terms is None:
            outcome["findings"].append(
                {
                    "rule_id": "PORTAL-UNREADABLE",
                    "severity": "fatal",
                    "location": "",
                    "path": "",
                    "line": None,
                    "message": "The portal could not read the document's business terms.",
                    "stage": "portal",
                }
            )
            outcome["valid"] = False
        document.status = DocumentStatus.VALID if valid else DocumentStatus.INVALID
        document.report = outcome
        document.svrl = raw
        document.validated_at = clock.now()
        document.save(update_fields=["status", "report", "svrl", "validated_at", "updated_at"])
        _announce_status(document)
        if valid and document.receiver_id:
            notify(
                events.DOCUMENT_RECEIVED.name,
                document_handlers(organisation_ids=[document.receiver_id]),
                {
                    "document_id": document.pk,
                    "type": document.document_type,
                    "number": document.number,
                    "sender": document.seller_name if document.is_invoice else document.buyer_name,
                },
                key=f"document:{document.pk}:received",
                url=f"/documents/{document.pk}/",
            )
        elif not valid:
            notify(
                events.DOCUMENT_INVALID.name,
                document_handlers(organisation_ids=[document.sender_id]),
                {"document_id": document.pk, "type": document.document_type, "number": document.number},
                key=f"document:{document.pk}:invalid",
                url=f"/documents/{document.pk}/report/",
            )
        audit_record(
            actor=None,
            action="document.validated",
            organisation=document.sender,
            obj=document,
            payload={"valid": valid, "fatal": sum(1 for f in outcome["findings"] if f.get("severity") == "fatal")},
        )
    return document


def document_answer(
    *, actor: Any, document: Document, accept: bool, reasons: list[dict[str, str]] | None = None
) -> Document:
    """The receiver accepts or rejects a valid invoice or credit note: the status message.

    Locks the document. A rejection needs at least one reason (a code from ``RejectionReason`` and a
    text). Acceptance is the buyer's confirmation that the invoice is due: what factoring builds on.
    """
    reasons = [
        {"code": str(reason.get("code", "")).strip(), "text": str(reason.get("text", "")).strip()}
        for reason in (reasons or [])
    ]
    reasons = [reason for reason in reasons if reason["code"] or reason["text"]]
    if not accept:
        if not reasons:
            raise DomainError(_("Say why the invoice is rejected."), code="reason_required", field="reasons")
        for reason in reasons:
            if reason["code"] not in RejectionReason.values:
                raise DomainError(
                    _("Unknown rejection reason %(code)s.") % {"code": reason["code"]},
                    code="invalid_reason",
                    field="reasons",
                )
    with transaction.atomic():
        document = Document.objects.select_for_update(of=("self",)).filter(pk=document.pk).first()
        if document is None:
            raise NotFoundError(_("No such document."), code="document_not_found")
        if document.receiver_id is None or not roles_for(actor, document.receiver) & ANSWER_ROLES:
            raise PermissionDenied(_("Only the receiving organisation's officers answer this document."))
        if not document.is_invoice:
            raise RuleViolation(_("Only invoices and credit notes are accepted or rejected."), code="not_an_invoice")
        target = DocumentStatus.ACCEPTED if accept else DocumentStatus.REJECTED
        if not allowed(document.status, target):
            raise RuleViolation(
                _("This document is %(status)s; it cannot be answered now.")
                % {"status": document.get_status_display().lower()},
                code="invalid_transition",
            )
        document.status = target
        document.reasons = [] if accept else reasons
        document.answered_at = clock.now()
        document.answered_by = actor if getattr(actor, "pk", None) else None
        document.save(update_fields=["status", "reasons", "answered_at", "answered_by", "updated_at"])
        if accept:
            _factoring_on_acceptance(document)
        notify(
            events.DOCUMENT_ANSWERED.name,
            document_handlers(organisation_ids=[document.sender_id]),
            {
                "document_id": document.pk,
                "number": document.number,
                "status": document.status,
                "buyer": document.buyer_name,
                "reasons": document.reasons,
            },
            key=f"document:{document.pk}:{document.status}",
            url=f"/documents/{document.pk}/",
        )
        _announce_status(document)
        audit_record(
            actor=actor,
            action=f"document.{document.status}",
            organisation=document.receiver,
            obj=document,
            payload={"reasons": document.reasons},
        )
    return document


def _factoring_on_acceptance(document: Document) -> None:
    """An accepted invoice becomes negotiable in its buyer's factoring chain; an accepted credit note is
    netted against its invoice there (and refused if that invoice was already discounted)."""
    from tradedocs.factoring.services import credit_note_accepted, receivable_from_invoice

    if document.document_type == DocumentType.CREDIT_NOTE:
        preceding = [entry.get("BT-25", "") for entry in (document.terms or {}).get("BG-3", [])]
        credit_note_accepted(document=document, preceding_numbers=[number for number in preceding if number])
    else:
        receivable_from_invoice(document=document)


def status_message(document: Document) -> dict[str, Any]:
    """The document's status as integrators receive it (webhook body, API)."""
    return {
        "document_id": document.pk,
        "document_type": document.document_type,
        "syntax": document.syntax,
        "number": document.number,
        "sha256": document.sha256,
        "status": document.status,
        "seller_tax_id": document.seller_tax_id,
        "buyer_tax_id": document.buyer_tax_id,
        "reasons": document.reasons,
        "answered_at": document.answered_at,
        "validated_at": document.validated_at,
        "links": {
            "self": f"/api/v1/documents/{document.pk}/",
            "report": f"/api/v1/documents/{document.pk}/report/",
        },
    }


def _announce_status(document: Document) -> None:
    organisations = {document.sender_id}
    if document.receiver_id and document.status not in {DocumentStatus.RECEIVED, DocumentStatus.INVALID}:
        organisations.add(document.receiver_id)  # the receiver never hears of what was not delivered
    notify_webhooks(
        events.DOCUMENT_STATUS_CHANGED.name,
        organisations,
        status_message(document),
        key=f"document:{document.pk}:{document.status}",
    )


def documents_validate_waiting(*, batch: int = 500) -> int:
    """Sweeper: validate documents still waiting (their task was lost to a broker outage)."""
    cutoff = clock.now() - timedelta(seconds=60)
    ids = list(
        Document.objects.filter(status=DocumentStatus.RECEIVED, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:batch]
    )
    for document_id in ids:
        document_validate(document_id=document_id)
    return len(ids)
