"""Receiving, validating and answering trade documents through the services.

Validation is a Celery task enqueued after commit; the suite runs tasks eagerly, so once ``submit``
(tests/tradedocs/factories.py) returns, the on-commit callbacks have run and the document is validated.
"""

from __future__ import annotations

import dataclasses

import pytest
from django.core.exceptions import PermissionDenied

from portal.core.errors import DomainError, RuleViolation
from portal.notifications.models import Notification
from tests.tradedocs import samples
from tests.tradedocs.factories import (
    BUYER_RUC,
    SELLER_RUC,
    after_commit,
    breaking_br_co_10,
    invoice_xml,
    order_xml,
    parties,
    submit,
)
from tradedocs.enums import DocumentStatus, DocumentType, Source, Syntax
from tradedocs.model import Identifier, Party
from tradedocs.models import Document
from tradedocs.selectors import document_get, documents_list
from tradedocs.services.documents import DocumentRefused, NotAParty, document_answer, document_submit
from tradedocs.xml.intake import MAX_DEPTH

pytestmark = pytest.mark.django_db

UBL_ROOT = b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">'


@pytest.fixture
def world():
    return parties()


def recipients(event: str) -> set:
    return set(Notification.objects.filter(event=event).values_list("recipient_id", flat=True))


def stored() -> tuple[int, int]:
    return Document.objects.count(), Notification.objects.count()


# --- a valid invoice ---------------------------------------------------------------------------------


@pytest.mark.parametrize("syntax", [Syntax.CII, Syntax.UBL])
def test_a_valid_invoice_is_delivered_to_its_buyer(world, syntax):
    # Given the rich sample invoice in CII or UBL
    data = invoice_xml(syntax)

    # When the seller's representative sends it
    document = submit(world.representative, world.seller, data)

    # Then it is stored as sent, validated and addressed to the buyer on the portal
    assert document.replayed is False
    assert document.status == DocumentStatus.VALID
    assert (document.syntax, document.document_type, document.source) == (syntax, DocumentType.INVOICE, Source.API)
    assert document.sender == world.seller
    assert document.receiver == world.buyer
    assert document.submitted_by == world.representative
    assert bytes(document.original) == data
    assert document.size == len(data)
    assert document.terms["BT-1"] == "F001-00000123"
    assert (document.number, str(document.amount), document.currency) == ("F001-00000123", "3000.0000", "PEN")
    assert (document.seller_tax_id, document.buyer_tax_id) == (SELLER_RUC, BUYER_RUC)
    assert document.report["valid"] is True
    assert [f for f in document.report["findings"] if f["severity"] == "fatal"] == []
    assert document.validated_at is not None
    # the buyer's people hear of it; the buyer sees it in its inbox
    assert recipients("document.received") == {world.officer.pk, world.buyer_admin.pk}
    assert recipients("document.invalid") == set()
    assert list(documents_list(organisation=world.buyer, box="inbox")) == [document]


def test_the_same_invoice_in_cii_and_ubl_has_the_same_terms(world):
    cii = submit(world.representative, world.seller, invoice_xml("cii"))
    # (another number: the same number with other bytes would be a conflict)
    ubl = submit(world.integrator_person, world.integrator, invoice_xml("ubl"))

    assert cii.terms == ubl.terms
    assert cii.sha256 != ubl.sha256


# --- idempotence and conflicts -------------------------------------------------------------------------


def test_sending_the_same_bytes_again_returns_the_stored_document(world):
    data = invoice_xml("cii")
    first = submit(world.representative, world.seller, data)
    notifications = Notification.objects.count()

    again = submit(world.representative, world.seller, data)

    assert again.pk == first.pk
    assert again.replayed is True
    assert again.status == DocumentStatus.VALID
    assert Document.objects.count() == 1
    assert Notification.objects.count() == notifications


def test_the_same_number_with_other_bytes_is_a_conflict(world):
    submit(world.representative, world.seller, invoice_xml("cii"))
    before = stored()

    with pytest.raises(RuleViolation) as error:
        submit(world.representative, world.seller, invoice_xml("cii", payment_terms="Pago a 60 días"))

    assert error.value.code == "document_conflict"
    assert error.value.status == 409
    assert stored() == before


def test_the_same_number_in_the_other_syntax_is_a_conflict_too(world):
    submit(world.representative, world.seller, invoice_xml("cii"))

    with pytest.raises(RuleViolation) as error:
        submit(world.representative, world.seller, invoice_xml("ubl"))

    assert error.value.code == "document_conflict"
    assert Document.objects.count() == 1


def test_after_an_invalid_document_the_same_number_may_be_sent_again_fixed(world):
    # Given an invoice that failed validation
    invalid = submit(world.representative, world.seller, breaking_br_co_10("cii"))
    assert invalid.status == DocumentStatus.INVALID

    # When the seller sends the corrected invoice with the same number
    fixed = submit(world.representative, world.seller, invoice_xml("cii"))

    # Then it is a new, valid document; the invalid one stays as it was
    assert fixed.pk != invalid.pk
    assert fixed.replayed is False
    assert fixed.status == DocumentStatus.VALID
    assert fixed.number == invalid.number == "F001-00000123"
    assert Document.objects.count() == 2
    invalid.refresh_from_db()
    assert invalid.status == DocumentStatus.INVALID


def test_a_document_still_being_validated_blocks_its_number(world):
    # Given a received document whose validation has not run yet (no on-commit callbacks executed)
    pending = document_submit(actor=world.representative, sender=world.seller, data=invoice_xml("cii"))
    assert pending.status == DocumentStatus.RECEIVED

    with pytest.raises(RuleViolation) as error:
        document_submit(actor=world.representative, sender=world.seller, data=breaking_br_co_10("cii"))

    assert error.value.code == "document_conflict"


# --- refusals at the door ------------------------------------------------------------------------------

BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(
        f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'.encode() for i in range(1, 10)
    )
    + b"]>"
    + UBL_ROOT
    + b"&lol9;</Invoice>"
)
HOSTILE = {
    "external_entity": (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        + UBL_ROOT
        + b"<cbc:Note>&e;</cbc:Note></Invoice>",
        "doctype_forbidden",
    ),
    "billion_laughs": (BILLION_LAUGHS, "doctype_forbidden"),
    "plain_doctype": (b'<!DOCTYPE Invoice SYSTEM "invoice.dtd">' + UBL_ROOT + b"</Invoice>", "doctype_forbidden"),
    "nested_100_deep": (UBL_ROOT + b"<a>" * 99 + b"</a>" * 99 + b"</Invoice>", "too_deep"),
    "not_xml": (b"%PDF-1.7 this is a PDF", "not_xml"),
    "not_well_formed": (UBL_ROOT + b"<cbc:ID>1</Invoice>", "not_xml"),
    "empty": (b"", "empty"),
    "blank": (b"  \n\t", "empty"),
    "unknown_root": (b'<Invoice xmlns="urn:example:not-ubl"><ID>1</ID></Invoice>', "unknown_document"),
    "html": (b"<html><body>factura</body></html>", "unknown_document"),
}


@pytest.mark.parametrize(("data", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_or_unknown_document_is_refused_and_nothing_is_stored(world, data, code):
    assert MAX_DEPTH < 100
    before = stored()

    with pytest.raises(DocumentRefused) as error:
        submit(world.representative, world.seller, data)

    assert error.value.code == code
    assert error.value.status == 400
    assert stored() == before == (0, 0)


def test_a_20_mb_document_is_refused_as_too_large(world):
    data = invoice_xml("cii").replace(
        b"<ram:Content>Factura emitida desde el portal de compras</ram:Content>",
        b"<ram:Content>" + b"x" * (20 * 1024 * 1024) + b"</ram:Content>",
    )
    assert len(data) > 20 * 1024 * 1024

    with pytest.raises(DocumentRefused) as error:
        submit(world.representative, world.seller, data)

    assert (error.value.code, error.value.status) == ("too_large", 413)
    assert stored() == (0, 0)


# --- business rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize("syntax", [Syntax.CII, Syntax.UBL])
def test_an_invoice_breaking_a_business_rule_is_invalid_and_not_delivered(world, syntax):
    # Given the rich invoice whose BT-106 says 3600.00 while its lines add up to 3500.00
    data = breaking_br_co_10(syntax)

    # When the seller sends it
    document = submit(world.representative, world.seller, data)

    # Then it is stored, invalid, with BR-CO-10 among the fatal findings
    assert document.status == DocumentStatus.INVALID
    assert document.report["valid"] is False
    fatal = {f["rule_id"] for f in document.report["findings"] if f["severity"] == "fatal"}
    assert "BR-CO-10" in fatal
    finding = next(f for f in document.report["findings"] if f["rule_id"] == "BR-CO-10")
    assert finding["line"] > 0
    assert finding["location"]
    assert "BT-106" in finding["message"]
    # the sender's people are told; the buyer hears nothing and cannot see it
    assert recipients("document.invalid") == {world.representative.pk, world.seller_admin.pk}
    assert recipients("document.received") == set()
    assert list(documents_list(organisation=world.buyer)) == []
    with pytest.raises(DomainError) as error:
        document_get(organisation=world.buyer, document_id=document.pk)
    assert error.value.code == "document_not_found"
    assert document_get(organisation=world.seller, document_id=document.pk) == document


def test_validating_twice_changes_nothing(world):
    from tradedocs.services.documents import document_validate

    document = submit(world.representative, world.seller, invoice_xml("cii"))
    notifications = Notification.objects.count()

    assert document_validate(document_id=document.pk) is None

    assert Notification.objects.count() == notifications


# --- who may send ----------------------------------------------------------------------------------------


def test_a_supplier_cannot_send_an_invoice_whose_seller_is_someone_else(world):
    before = stored()

    with pytest.raises(NotAParty) as error:
        submit(world.stranger, world.stranger_org, invoice_xml("cii"))

    assert (error.value.code, error.value.status) == ("not_a_party", 403)
    assert stored() == before


def test_a_buyer_cannot_send_an_invoice_for_its_seller(world):
    with pytest.raises(NotAParty):
        submit(world.officer, world.buyer, invoice_xml("ubl"))

    assert stored() == (0, 0)


def test_a_person_without_a_sending_role_is_refused(world):
    with pytest.raises(PermissionDenied):
        submit(world.stranger, world.seller, invoice_xml("cii"))

    assert stored() == (0, 0)


def test_an_integrator_may_send_for_its_client(world):
    document = submit(world.integrator_person, world.integrator, invoice_xml("cii"))

    assert document.status == DocumentStatus.VALID
    assert document.sender == world.integrator
    assert document.receiver == world.buyer
    assert document.seller_tax_id == SELLER_RUC


def test_an_invoice_to_a_buyer_not_on_the_portal_has_no_receiver(world):
    invoice = samples.rich_invoice()
    outside = dataclasses.replace(
        invoice.buyer, legal_id=Identifier("20999999999"), vat_id="PE20999999999", identifiers=()
    )
    data = invoice_xml("cii", buyer=outside)

    document = submit(world.representative, world.seller, data)

    assert document.status == DocumentStatus.VALID
    assert document.receiver is None
    assert recipients("document.received") == set()


def test_an_order_from_the_entity_goes_to_its_supplier(world):
    document = submit(world.officer, world.buyer, order_xml())

    assert document.status == DocumentStatus.VALID, document.report
    assert (document.document_type, document.syntax) == (DocumentType.ORDER, Syntax.ORDERX)
    assert document.sender == world.buyer
    assert document.receiver == world.seller
    assert document.number == "OC-2026-0042"
    assert recipients("document.received") == {world.representative.pk, world.seller_admin.pk}


def test_a_supplier_cannot_send_an_order_in_its_buyers_name(world):
    with pytest.raises(NotAParty):
        submit(world.representative, world.seller, order_xml())

    assert stored() == (0, 0)


# --- the buyer's answer ------------------------------------------------------------------------------


@pytest.fixture
def delivered(world):
    return submit(world.representative, world.seller, invoice_xml("cii"))


def test_the_buyer_accepts_a_valid_invoice_and_the_sender_is_told(world, delivered):
    answered = after_commit(document_answer, actor=world.officer, document=delivered, accept=True)

    answered.refresh_from_db()
    assert answered.status == DocumentStatus.ACCEPTED
    assert answered.answered_by == world.officer
    assert answered.answered_at is not None
    assert answered.reasons == []
    assert recipients("document.answered") == {world.representative.pk, world.seller_admin.pk}
    context = Notification.objects.filter(event="document.answered").first().context
    assert (context["status"], context["number"]) == ("accepted", "F001-00000123")


def test_the_buyer_rejects_with_reasons(world, delivered):
    reasons = [{"code": "AMT", "text": " El monto no coincide con la orden "}, {"code": "", "text": ""}]

    answered = document_answer(actor=world.officer, document=delivered, accept=False, reasons=reasons)

    assert answered.status == DocumentStatus.REJECTED
    assert answered.reasons == [{"code": "AMT", "text": "El monto no coincide con la orden"}]
    assert recipients("document.answered") == {world.representative.pk, world.seller_admin.pk}


@pytest.mark.parametrize(
    ("reasons", "code"),
    [
        (None, "reason_required"),
        ([], "reason_required"),
        ([{"code": " ", "text": ""}], "reason_required"),
        ([{"code": "XYZ", "text": "No me gusta"}], "invalid_reason"),
    ],
)
def test_a_rejection_needs_known_reasons(world, delivered, reasons, code):
    before = Notification.objects.count()

    with pytest.raises(DomainError) as error:
        document_answer(actor=world.officer, document=delivered, accept=False, reasons=reasons)

    assert (error.value.code, error.value.status, error.value.field) == (code, 400, "reasons")
    delivered.refresh_from_db()
    assert delivered.status == DocumentStatus.VALID
    assert Notification.objects.count() == before


def test_answering_twice_is_an_invalid_transition(world, delivered):
    document_answer(actor=world.officer, document=delivered, accept=True)
    before = Notification.objects.count()

    with pytest.raises(RuleViolation) as error:
        document_answer(actor=world.officer, document=delivered, accept=False, reasons=[{"code": "DUP", "text": "x"}])

    assert error.value.code == "invalid_transition"
    delivered.refresh_from_db()
    assert delivered.status == DocumentStatus.ACCEPTED
    assert Notification.objects.count() == before


def test_an_invalid_invoice_cannot_be_answered(world):
    invalid = submit(world.representative, world.seller, breaking_br_co_10("cii"))

    with pytest.raises(RuleViolation) as error:
        document_answer(actor=world.officer, document=invalid, accept=True)

    assert error.value.code == "invalid_transition"


def test_an_order_is_not_answered(world):
    order = submit(world.officer, world.buyer, order_xml())

    with pytest.raises(RuleViolation) as error:
        document_answer(actor=world.representative, document=order, accept=True)

    assert error.value.code == "not_an_invoice"
    order.refresh_from_db()
    assert order.status == DocumentStatus.VALID


@pytest.mark.parametrize("who", ["stranger", "representative", "integrator_person"])
def test_only_the_receivers_officers_answer(world, delivered, who):
    before = Notification.objects.count()

    with pytest.raises(PermissionDenied):
        document_answer(actor=getattr(world, who), document=delivered, accept=True)

    delivered.refresh_from_db()
    assert delivered.status == DocumentStatus.VALID
    assert Notification.objects.count() == before


def test_a_credit_note_is_typed_as_such(world):
    note = dataclasses.replace(
        samples.credit_note(),
        seller=samples.seller(),
        buyer=Party(name="Ministerio de Salud", legal_id=Identifier(BUYER_RUC), address=samples.buyer().address),
    )
    from tradedocs.xml.documents import render

    document = submit(world.representative, world.seller, render(note, "ubl"))

    assert document.document_type == DocumentType.CREDIT_NOTE
    assert document.receiver == world.buyer
