"""Participation in a tender: suppliers register (free), ask questions and make observations while
the enquiries stage lasts, and the entity answers them and publishes every answer at once with the
integrated bases.

Lock order, the same in every function here: the tender, then its questions (by id). Questions at
the last minute are normal; each ask holds the tender's row only for one insert (the audit chain's
head is held as long anyway), and holding it is what keeps a question from slipping in after the
answers were published.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation, User
from portal.accounts.selectors import SUPPLIER_SPOKESPEOPLE, spokespeople_of
from portal.accounts.services import require_role
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.services import notify
from procurement.enums import DocumentKind, TenderStatus
from procurement.models import QUESTION_MAX_CHARS, Lot, Participant, Question, QuestionKind, Tender
from procurement.services._common import require_entity_officer
from procurement.services.chronograph import tender_next_check
from procurement.services.documents import check_document, store_document
from procurement.timeline import LIMA
from procurement.transitions import can_move
from smeregistry.enums import SupplierStatus
from smeregistry.selectors import supplier_standing

logger = logging.getLogger(__name__)

SUPPLIER_ROLES = frozenset(SUPPLIER_SPOKESPEOPLE)
# From the call for tender until bids close, a supplier may still join.
REGISTRATION_OPEN = frozenset(
    {TenderStatus.PUBLISHED, TenderStatus.ENQUIRIES, TenderStatus.INTEGRATED_BASES, TenderStatus.BIDDING}
)
ANSWER_MAX_CHARS = 20_000
DOCUMENT_MAX_BYTES = 20 * 1024 * 1024


def _lima(moment) -> str:
    return moment.astimezone(LIMA).strftime("%d/%m/%Y %H:%M") if moment else ""


def _lock(tender: Tender) -> Tender:
    return Tender.objects.select_for_update(of=("self",)).select_related("procedure_type", "entity").get(pk=tender.pk)


def _require_supplier_representative(actor: Any, organisation: Organisation) -> None:
    if organisation.kind != OrganisationKind.SUPPLIER:
        raise PermissionDenied(_("Only suppliers take part in procurement processes."))
    require_role(actor, organisation, SUPPLIER_ROLES)


def _representatives(organisation_ids) -> list[User]:
    """The active people who speak for these supplier organisations."""
    return list(spokespeople_of(organisation_ids=organisation_ids))


@transaction.atomic
def participant_register(*, actor: Any, tender: Tender, organisation: Organisation) -> Participant:
    """Register ``organisation`` (a supplier, active in the registry) as a participant of ``tender``.

    ``actor`` represents the supplier (representative or administrator). The tender must be public
    and bids not yet due. Free of charge. Idempotent: a second call returns the existing row and
    records nothing. Locks the tender.
    """
    _require_supplier_representative(actor, organisation)
    tender = _lock(tender)
    existing = Participant.objects.filter(tender=tender, organisation=organisation).first()
    if existing is not None:
        return existing
    now = clock.now()
    if tender.status not in REGISTRATION_OPEN or tender.bids_due is None or now >= tender.bids_due:
        raise RuleViolation(
            _("Registration for this process is closed: it is only open until bids are due."),
            code="registration_closed",
        )
    standing = supplier_standing(organisation_id=organisation.pk, on=now.astimezone(LIMA).date())
    if standing is None:
        raise RuleViolation(
            _("Register your company in the supplier registry before taking part."),
            code="not_registered",
            field="organisation",
        )
    if standing != SupplierStatus.ACTIVE:
        raise RuleViolation(
            _("Your registration in the supplier registry is not active (%(status)s).")
            % {"status": SupplierStatus(standing).label},
            code="supplier_not_active",
            field="organisation",
        )
    participant = Participant.objects.create(
        tender=tender, organisation=organisation, registered_by=actor, registered_at=now
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action="participant.registered",
        obj=participant,
        payload={"tender": tender.pk, "code": tender.code, "organisation": organisation.pk},
    )
    notify(
        "participant.registered",
        [actor],
        {
            "code": tender.code,
            "title": tender.title,
            "entity": tender.entity.name,
            "organisation": organisation.name,
            "bids_due_lima": _lima(tender.bids_due),
        },
        key=f"tender:{tender.pk}:participant:{organisation.pk}",
    )
    logger.info("participant.registered", extra={"tender_id": tender.pk, "organisation_id": organisation.pk})
    return participant


@transaction.atomic
def question_ask(
    *, actor: Any, tender: Tender, text: str, kind: str = QuestionKind.QUESTION, lot: Lot | None = None
) -> Question:
    """A participant asks a question or makes an observation on the bases.

    ``actor`` represents a participant of the tender. Only while the tender is in its enquiries stage
    and up to ``enquiries_end`` inclusive, by server time. Locks the tender.
    """
    held = Participant.objects.filter(
        tender=tender,
        organisation__memberships__user_id=getattr(actor, "pk", None),
        organisation__memberships__role__in=list(SUPPLIER_ROLES),
    ).first()
    if held is None or not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("Only the participants of a process ask questions about it."))
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write your question or observation."), code="required", field="text")
    if len(text) > QUESTION_MAX_CHARS:
        raise DomainError(
            _("Write at most %(max)s characters.") % {"max": QUESTION_MAX_CHARS}, code="too_long", field="text"
        )
    if kind not in QuestionKind.values:
        raise DomainError(_("Choose question or observation."), code="invalid_kind", field="kind")
    if lot is not None and lot.tender_id != tender.pk:
        raise DomainError(_("Choose a lot of this tender."), code="invalid_lot", field="lot")
    tender = _lock(tender)
    now = clock.now()
    if tender.status != TenderStatus.ENQUIRIES or tender.enquiries_end is None or now > tender.enquiries_end:
        raise RuleViolation(
            _("Questions and observations are received only during the enquiries stage."),
            code="enquiries_closed",
        )
    question = Question.objects.create(tender=tender, lot=lot, participant=held, kind=kind, text=text, asked_at=now)
    audit_record(
        actor=actor,
        organisation=held.organisation_id,
        action="question.asked",
        obj=question,
        payload={"tender": tender.pk, "kind": kind, "lot": lot.pk if lot else None, "chars": len(text)},
    )
    logger.info("question.asked", extra={"tender_id": tender.pk, "question_id": question.pk})
    return question


@transaction.atomic
def question_answer(*, actor: Any, question: Question, answer: str) -> Question:
    """The entity answers (or rewrites its answer to) a question, until the answers are published.

    ``actor`` is a procurement officer of the tender's entity. Locks the tender, then the question.
    """
    tender = question.tender
    require_entity_officer(actor, tender.entity)
    answer = (answer or "").strip()
    if not answer:
        raise DomainError(_("Write the answer."), code="required", field="answer")
    if len(answer) > ANSWER_MAX_CHARS:
        raise DomainError(
            _("Write at most %(max)s characters.") % {"max": ANSWER_MAX_CHARS}, code="too_long", field="answer"
        )
    tender = _lock(tender)
    question = Question.objects.select_for_update(of=("self",)).get(pk=question.pk)
    if question.published_at is not None or tender.status != TenderStatus.ENQUIRIES:
        raise RuleViolation(_("The answers of this process are already published."), code="answers_published")
    now = clock.now()
    rewritten = question.answered_at is not None
    question.answer = answer
    question.answered_by = actor
    question.answered_at = now
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action="question.answered",
        obj=question,
        payload={"tender": tender.pk, "rewritten": rewritten, "chars": len(answer)},
    )
    return question


def _digest(document_file: Any) -> tuple[str, int]:
    document_file.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in document_file.chunks():
        digest.update(chunk)
        size += len(chunk)
    document_file.seek(0)
    return digest.hexdigest(), size


@transaction.atomic
def answers_publish(*, actor: Any, tender: Tender, document_file: Any, title: str) -> Tender:
    """Publish every answer at once with a new version of the integrated bases; the tender moves from
    enquiries to integrated bases and the participants are told.

    ``actor`` is a procurement officer of the entity. The questions window must be over and every
    question answered. ``document_file`` is a Django File or UploadedFile, stored as the next
    version of the integrated bases with its SHA-256. Locks the tender, then its questions by id.
    """
    require_entity_officer(actor, tender.entity)
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the integrated bases a title."), code="required", field="title")
    if document_file is None or not getattr(document_file, "size", 0):
        raise DomainError(_("Attach the integrated bases."), code="required", field="document_file")
    sha256, size = check_document(document_file)
    tender = _lock(tender)
    stages = tender.procedure_type.config.get("stages") or []
    if tender.status != TenderStatus.ENQUIRIES or not can_move(tender.status, TenderStatus.INTEGRATED_BASES, stages):
        raise RuleViolation(
            _("Answers are published when the tender is in its enquiries stage."), code="invalid_transition"
        )
    now = clock.now()
    # Publishing ends the questions stage: doing it early would cut the suppliers' time short.
    if tender.enquiries_end is not None and now <= tender.enquiries_end:
        raise RuleViolation(
            _("Questions are received until %(end)s (Lima time); publish the answers after that.")
            % {"end": _lima(tender.enquiries_end)},
            code="enquiries_open",
        )
    questions = list(Question.objects.select_for_update(of=("self",)).filter(tender=tender).order_by("pk"))
    unanswered = [question.pk for question in questions if question.answered_at is None]
    if unanswered:
        raise RuleViolation(
            _("Answer every question before publishing (%(n)s unanswered).") % {"n": len(unanswered)},
            code="unanswered_questions",
        )
    document = store_document(
        tender=tender,
        kind=DocumentKind.INTEGRATED_BASES,
        title=title,
        document_file=document_file,
        sha256=sha256,
        size=size,
        actor=actor,
        published_at=now,
    )
    version = document.version
    Question.objects.filter(pk__in=[question.pk for question in questions]).update(published_at=now)
    tender.status = TenderStatus.INTEGRATED_BASES
    # The chronograph opens bidding when the integrated bases' date comes.
    tender.next_check = tender_next_check(tender)
    tender.save(update_fields=["status", "next_check", "updated_at"])
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action="tender.answers_published",
        obj=tender,
        payload={
            "code": tender.code,
            "questions": len(questions),
            "document": document.pk,
            "version": version,
            "sha256": sha256,
            "size": size,
        },
    )
    participants = Participant.objects.filter(tender=tender).values("organisation_id")
    notify(
        "tender.answers_published",
        _representatives(participants),
        {
            "code": tender.code,
            "title": tender.title,
            "entity": tender.entity.name,
            "questions": len(questions),
            "version": version,
            "bids_due_lima": _lima(tender.bids_due),
        },
        key=f"tender:{tender.pk}:answers_published",
    )
    logger.info("tender.answers_published", extra={"tender_id": tender.pk, "questions": len(questions)})
    return tender
