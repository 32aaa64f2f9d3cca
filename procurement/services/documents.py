"""The tender's documents: the bases, their annexes and amendments, each a new version, never edited.

A document added to a draft is published with the tender; one added later is published at once. An
amendment while bids are open gives bidders time to adapt: the deadline moves as
``tenders.tender_amend_deadline`` says. Only PDF is accepted for the bases and amendments (the legal
text must look the same everywhere); annexes may also be spreadsheets and office documents (their
ZIP container), for the forms bidders fill in.
"""

from __future__ import annotations

import hashlib
import logging
import os
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.services import notify
from procurement.enums import DocumentKind, TenderStatus
from procurement.models import Tender, TenderDocument
from procurement.services._common import participants_people, require_entity_officer, tender_url

logger = logging.getLogger(__name__)

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
ZIP_MAGIC = b"PK\x03\x04"
TITLE_MAX = 300
# Which kinds an officer adds, in which statuses (the integrated bases come with the answers).
ADDABLE = {
    DocumentKind.BASES: frozenset({TenderStatus.DRAFT}),
    DocumentKind.ANNEX: frozenset({TenderStatus.DRAFT, TenderStatus.PUBLISHED, TenderStatus.ENQUIRIES}),
    DocumentKind.AMENDMENT: frozenset(
        {TenderStatus.PUBLISHED, TenderStatus.ENQUIRIES, TenderStatus.INTEGRATED_BASES, TenderStatus.BIDDING}
    ),
}


def check_document(document_file: Any, *, field: str = "document_file", allow_zip: bool = False) -> tuple[str, int]:
    """Refuse an empty, oversized or wrongly typed file; return its SHA-256 and size."""
    if document_file is None or not getattr(document_file, "size", 0):
        raise DomainError(_("Attach the document."), code="required", field=field)
    if document_file.size > DOCUMENT_MAX_BYTES:
        raise DomainError(
            _("The file is larger than %(max)s MB.") % {"max": DOCUMENT_MAX_BYTES // (1024 * 1024)},
            code="file_too_large",
            field=field,
        )
    document_file.seek(0)
    head = document_file.read(8)
    if not head.startswith(PDF_MAGIC) and not (allow_zip and head.startswith(ZIP_MAGIC)):
        raise DomainError(
            _("Attach a PDF file.") if not allow_zip else _("Attach a PDF, spreadsheet or office document."),
            code="invalid_file_type",
            field=field,
        )
    document_file.seek(0)
    digest = hashlib.sha256()
    size = 0
    for chunk in document_file.chunks():
        digest.update(chunk)
        size += len(chunk)
    document_file.seek(0)
    return digest.hexdigest(), size


def store_document(
    *, tender: Tender, kind: str, title: str, document_file: Any, sha256: str, size: int, actor: Any, published_at
) -> TenderDocument:
    """Save the next version of ``kind`` for a locked tender; the file goes if the row does not."""
    version = (TenderDocument.objects.filter(tender=tender, kind=kind).aggregate(last=Max("version"))["last"] or 0) + 1
    document = TenderDocument(
        tender=tender,
        kind=kind,
        version=version,
        title=title[:TITLE_MAX],
        sha256=sha256,
        size=size,
        published_at=published_at,
        uploaded_by=actor,
    )
    document.file.save(os.path.basename(document_file.name or f"{kind}.pdf"), document_file, save=False)
    stored, storage = document.file.name, document.file.storage
    try:
        document.save()
    except Exception:
        storage.delete(stored)
        raise
    return document


@transaction.atomic
def tender_document_add(*, actor: Any, tender: Tender, kind: str, title: str, document_file: Any) -> TenderDocument:
    """Add the next version of the bases (draft only), an annex, or an amendment (while bids are
    open; the deadline moves when bidders would be left too little time). Locks the tender."""
    require_entity_officer(actor, tender.entity)
    if kind not in ADDABLE:
        raise DomainError(_("Choose the kind of document."), code="invalid_kind", field="kind")
    title = (title or "").strip()
    if not title:
        raise DomainError(_("Give the document a title."), code="required", field="title")
    sha256, size = check_document(document_file, allow_zip=kind == DocumentKind.ANNEX)
    tender = Tender.objects.select_for_update(of=("self",)).select_related("procedure_type", "entity").get(pk=tender.pk)
    if tender.status not in ADDABLE[kind]:
        raise RuleViolation(
            _("A document of this kind cannot be added to a tender that is %(status)s.")
            % {"status": tender.get_status_display()},
            code="invalid_status",
        )
    now = clock.now()
    published_at = None if tender.status == TenderStatus.DRAFT else now
    document = store_document(
        tender=tender,
        kind=kind,
        title=title,
        document_file=document_file,
        sha256=sha256,
        size=size,
        actor=actor,
        published_at=published_at,
    )
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action="tender.document_added",
        obj=tender,
        payload={"code": tender.code, "kind": kind, "version": document.version, "sha256": sha256, "size": size},
    )
    if kind == DocumentKind.AMENDMENT:
        from procurement.services.tenders import tender_amend_deadline

        tender_amend_deadline(actor=actor, tender=tender, changed_at=now)
    if published_at is not None:
        notify(
            "tender.document_published",
            participants_people(tender),
            {"code": tender.code, "title": tender.title, "document": title, "kind": document.get_kind_display()},
            key=f"tender-document:{document.pk}:published",
            url=tender_url(tender),
        )
    logger.info("tender.document_added", extra={"tender_id": tender.pk, "document_id": document.pk})
    return document
