"""The tender's documents: versions of the bases, annexes, amendments that move the deadline, and
files refused by type, size or the tender's status — leaving nothing behind."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile

from portal.core.errors import DomainError, RuleViolation
from procurement.enums import DocumentKind
from procurement.models import TenderDocument
from procurement.services.documents import tender_document_add
from procurement.services.tenders import tender_publish, tender_set_timeline
from tests.procurement.factories import MONDAY_9AM, draft_tender, earliest, entity_officer, tender_in_bidding

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\nBases del procedimiento\n%%EOF\n"


def add(officer, tender, kind=DocumentKind.BASES, content=PDF, title="Bases"):
    return tender_document_add(
        actor=officer, tender=tender, kind=kind, title=title, document_file=ContentFile(content, name="bases.pdf")
    )


def test_bases_get_versions_and_are_published_with_the_tender(officer):
    tender = draft_tender(officer)
    first = add(officer, tender)
    second = add(officer, tender, title="Bases (corregidas)")
    assert (first.version, second.version) == (1, 2)
    assert first.published_at is None

    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM))
    tender_publish(actor=officer, tender=tender)

    assert set(TenderDocument.objects.values_list("published_at", flat=True)) == {MONDAY_9AM}


@pytest.mark.parametrize(
    ("content", "code"),
    [(b"", "required"), (b"MZ\x90\x00 not a pdf", "invalid_file_type"), (b"PK\x03\x04zip", "invalid_file_type")],
)
def test_a_wrong_file_is_refused_and_nothing_is_stored(officer, content, code):
    tender = draft_tender(officer)
    with pytest.raises(DomainError) as refused:
        add(officer, tender, content=content)
    assert refused.value.code == code
    assert not TenderDocument.objects.exists()


def test_an_annex_may_be_a_spreadsheet(officer):
    tender = draft_tender(officer)
    annex = add(officer, tender, kind=DocumentKind.ANNEX, content=b"PK\x03\x04 xlsx", title="Formato de precios")
    assert annex.kind == DocumentKind.ANNEX


def test_the_bases_are_not_replaced_after_publication_only_amended(officer, clock):
    tender = tender_in_bidding(officer, [])
    with pytest.raises(RuleViolation):
        add(officer, tender)
    clock.set(tender.bids_due - timedelta(days=1))
    old_due = tender.bids_due

    amendment = add(officer, tender, kind=DocumentKind.AMENDMENT, title="Enmienda 1")

    tender.refresh_from_db()
    assert amendment.published_at == clock.now
    assert tender.bids_due > old_due  # bidders keep three working days to adapt


def test_only_the_entitys_officers_add_documents(officer):
    tender = draft_tender(officer)
    with pytest.raises(PermissionDenied):
        add(entity_officer(), tender)
    assert not TenderDocument.objects.exists()
