"""The trade-document pages: inbox and outbox, a document and its answer, the validation report over
the numbered original, downloads, the SME's invoice form, the officer's order from a contract, and
webhooks. Validation runs after commit (Celery eager in tests): the helpers run the commit callbacks.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from portal.core import clock
from portal.notifications.models import WebhookEndpoint
from procurement.models import Bid, Contract, Tender
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from procurement.services.contracts import contract_sign
from tests.factories import member
from tests.procurement.factories import MONDAY_9AM, entity_officer, place_bid, tender_in_bidding
from tests.smeregistry.factories import registered_supplier
from tests.tradedocs import samples
from tradedocs.enums import DocumentStatus, DocumentType, Source
from tradedocs.model import Address, Identifier, Party, invoice_from_terms, order_from_terms
from tradedocs.models import Document
from tradedocs.presentation import document_context
from tradedocs.services.documents import document_submit
from tradedocs.services.issuing import FormLine, invoice_issue
from tradedocs.xml.documents import render

pytestmark = pytest.mark.django_db

CHEAP = {1: Decimal("2000.00"), 2: Decimal("500.00")}
DEAR = {1: Decimal("2500.00"), 2: Decimal("625.00")}


# --- Helpers -----------------------------------------------------------------------------------------------


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run ``fn`` and its commit callbacks (the validation task); return its result."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            result = fn(*args, **kwargs)
        return result

    return run


def officer_and_entity():
    officer = entity_officer()
    return officer, officer.memberships.get().organisation


def party(organisation) -> Party:
    return Party(
        name=organisation.name,
        legal_id=Identifier(organisation.tax_id),
        vat_id=f"PE{organisation.tax_id}",
        address=Address(country="PE"),
    )


def issued(committed, supplier, buyer, number="F001-1", *, syntax="cii", description="Resma de papel A4"):
    document = committed(
        invoice_issue,
        actor=supplier.owner,
        seller=supplier.organisation,
        number=number,
        buyer=buyer,
        syntax=syntax,
        lines=[FormLine(description=description, quantity=Decimal("4"), unit="H87", unit_price=Decimal("25.00"))],
    )
    return Document.objects.get(pk=document.pk)


def submitted(committed, actor, sender, model, syntax):
    document = committed(document_submit, actor=actor, sender=sender, data=render(model, syntax))
    return Document.objects.get(pk=document.pk)


def login(client, user):
    client.force_login(user)
    return client


def form_data(**overrides) -> dict[str, str]:
    data = {
        "order": "",
        "buyer_ruc": "",
        "number": "F001-00000123",
        "issue_date": "2026-11-02",
        "due_date": "2026-12-02",
        "payment_terms": "30 días",
        "bank_account": "00219400123456789012",
        "syntax": "cii",
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "100",
    }
    for index in range(5):
        data.update({f"lines-{index}-unit": "C62", f"lines-{index}-vat_category": "S"})
    data.update(overrides)
    return data


TWO_LINES = {
    "lines-0-description": "Laptop de 14 pulgadas",
    "lines-0-quantity": "3",
    "lines-0-unit": "H87",
    "lines-0-unit_price": "100.00",
    "lines-0-unspsc_code": "43211503",
    "lines-2-description": "Instalación (exonerada)",
    "lines-2-quantity": "1",
    "lines-2-unit": "E48",
    "lines-2-unit_price": "50.00",
    "lines-2-vat_category": "E",
}


# --- Inbox, outbox and who sees what ------------------------------------------------------------------------


def test_inbox_and_outbox_show_each_organisation_its_own_documents(client, committed):
    alpha, beta = registered_supplier(1), registered_supplier(2)
    officer, entity = officer_and_entity()
    _other_officer, other_entity = officer_and_entity()
    mine = issued(committed, alpha, entity, "F001-111")
    theirs = issued(committed, beta, other_entity, "F002-222")
    assert (mine.status, mine.receiver) == (DocumentStatus.VALID, entity)

    login(client, officer)
    inbox = client.get(reverse("documents-inbox"))
    assert inbox.status_code == 200
    assert "F001-111" in inbox.text
    assert "F002-222" not in inbox.text
    assert alpha.organisation.name in inbox.text
    assert "F001-111" not in client.get(reverse("documents-outbox")).text
    for name in ("document-detail", "document-report", "document-original"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
    assert client.get(reverse("document-detail", args=[mine.pk])).status_code == 200

    login(client, alpha.owner)
    outbox = client.get(reverse("documents-outbox"))
    assert "F001-111" in outbox.text
    assert "F002-222" not in outbox.text
    assert "F001-111" not in client.get(reverse("documents-inbox")).text
    assert client.get(reverse("document-detail", args=[theirs.pk])).status_code == 404


def test_the_lists_filter_by_type_status_party_and_dates(client, committed):
    alpha, beta = registered_supplier(1), registered_supplier(2)
    officer, entity = officer_and_entity()
    issued(committed, alpha, entity, "F001-111")
    issued(committed, beta, entity, "F002-222")
    login(client, officer)

    by_party = client.get(reverse("documents-inbox"), {"party": beta.organisation.tax_id}).text
    assert "F002-222" in by_party
    assert "F001-111" not in by_party
    assert "F001-111" not in client.get(reverse("documents-inbox"), {"type": DocumentType.ORDER}).text
    assert "F001-111" not in client.get(reverse("documents-inbox"), {"status": DocumentStatus.ACCEPTED}).text
    assert "F001-111" not in client.get(reverse("documents-inbox"), {"issued_from": "2999-01-01"}).text
    bad = client.get(reverse("documents-inbox"), {"issued_from": "not a date"})
    assert bad.status_code == 200
    assert "F001-111" in bad.text


def test_pages_need_a_sign_in_and_the_nav_links_to_documents(client, committed):
    assert client.get(reverse("documents-inbox")).status_code == 302
    officer, _entity = officer_and_entity()
    page = login(client, officer).get(reverse("documents-inbox"))
    assert f'href="{reverse("documents-inbox")}"' in page.text


# --- The SME's invoice form --------------------------------------------------------------------------------


@pytest.mark.parametrize("syntax", ["cii", "ubl"])
def test_the_web_form_issues_a_valid_invoice_to_the_buyer(client, committed, syntax):
    alpha = registered_supplier(1)
    _officer, entity = officer_and_entity()
    login(client, alpha.owner)
    assert client.get(reverse("invoice-new")).status_code == 200

    response = committed(
        client.post, reverse("invoice-new"), form_data(buyer_ruc=entity.tax_id, syntax=syntax, **TWO_LINES)
    )

    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("document-detail", args=[document.pk])
    assert document.status == DocumentStatus.VALID, document.report
    assert (document.syntax, document.source, document.receiver) == (syntax, Source.WEB_FORM, entity)
    model = invoice_from_terms(document.terms)
    assert model.totals.line_total == Decimal("350.00")
    assert model.totals.tax_total == Decimal("54.00")  # 18% of 300.00; the exempt line pays none
    assert model.totals.payable == Decimal("404.00")
    assert [line.item.name for line in model.lines] == ["Laptop de 14 pulgadas", "Instalación (exonerada)"]
    assert document.amount == Decimal("404.00")
    page = client.get(response["Location"])
    assert "F001-00000123" in page.text
    assert "Laptop de 14 pulgadas" in page.text


def test_a_blank_form_shows_its_errors_and_stores_nothing(client):
    alpha = registered_supplier(1)
    login(client, alpha.owner)

    response = client.post(reverse("invoice-new"), form_data(number=""))

    assert response.status_code == 400
    assert 'role="alert"' in response.text
    assert not Document.objects.exists()


def test_an_unknown_buyer_or_a_half_filled_line_is_an_error(client):
    alpha = registered_supplier(1)
    login(client, alpha.owner)

    unknown = client.post(reverse("invoice-new"), form_data(buyer_ruc="20999999999", **TWO_LINES))
    assert unknown.status_code == 400
    assert "20999999999" in unknown.text
    _officer, entity = officer_and_entity()
    half = client.post(
        reverse("invoice-new"), form_data(buyer_ruc=entity.tax_id, **{"lines-1-description": "Sin precio"})
    )
    assert half.status_code == 400
    assert not Document.objects.exists()


def test_only_suppliers_issue_invoices_from_the_form(client):
    officer, _entity = officer_and_entity()
    assert login(client, officer).get(reverse("invoice-new")).status_code == 403


def test_an_order_prefills_the_invoice_which_then_references_it(client, committed):
    alpha = registered_supplier(1)
    officer, entity = officer_and_entity()
    sample = samples.order()
    lines = (sample.lines[0], dataclasses.replace(sample.lines[1], unit="PR"))  # a pair: not in the form's list
    order_model = dataclasses.replace(sample, seller=party(alpha.organisation), buyer=party(entity), lines=lines)
    order = submitted(committed, officer, entity, order_model, "orderx")
    assert (order.status, order.receiver) == (DocumentStatus.VALID, alpha.organisation), order.report
    first_item = order_model.lines[0].item.name

    login(client, alpha.owner)
    form = client.get(reverse("invoice-new"), {"order": order.pk})
    assert form.status_code == 200
    assert f'value="{first_item}"' in form.text
    assert '<option value="PR" selected>PR</option>' in form.text  # the order's unit is kept
    data = form_data(order=str(order.pk), number="F001-900")
    for index, line in enumerate(order_model.lines):
        data.update(
            {
                f"lines-{index}-description": line.item.name,
                f"lines-{index}-quantity": str(line.quantity),
                f"lines-{index}-unit": line.unit,
                f"lines-{index}-unit_price": str(line.price.net),
            }
        )
    response = committed(client.post, reverse("invoice-new"), data)

    invoice = Document.objects.get(document_type=DocumentType.INVOICE)
    assert response.status_code == 302
    assert (invoice.status, invoice.order, invoice.receiver) == (DocumentStatus.VALID, order, entity), invoice.report
    invoiced = invoice_from_terms(invoice.terms)
    assert invoiced.order_reference == order_model.number
    assert [line.unit for line in invoiced.lines] == [line.unit for line in order_model.lines]


# --- The report, hostile content, downloads ----------------------------------------------------------------


def test_the_report_links_each_finding_to_its_line_and_escapes_the_document(client, committed):
    alpha = registered_supplier(1)
    _officer, entity = officer_and_entity()
    base = samples.minimal_invoice()
    hostile = dataclasses.replace(
        base,
        number="<script>alert(1)</script>",
        seller=party(alpha.organisation),
        buyer=party(entity),
        totals=dataclasses.replace(base.totals, payable=base.totals.payable + 1),  # breaks BR-CO-16
    )
    document = submitted(committed, alpha.owner, alpha.organisation, hostile, "cii")
    assert document.status == DocumentStatus.INVALID
    finding = next(f for f in document.report["findings"] if f["rule_id"] == "BR-CO-16")

    login(client, alpha.owner)
    report = client.get(reverse("document-report", args=[document.pk]))
    assert report.status_code == 200
    assert "BR-CO-16" in report.text
    assert finding["path"] in report.text
    assert f'href="#L{finding["line"]}"' in report.text
    assert f'id="L{finding["line"]}" class="flagged"' in report.text
    assert 'id="L1"' in report.text
    detail = client.get(reverse("document-detail", args=[document.pk]))
    for page in (report, detail):
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    # The receiver never sees a document that failed validation.
    assert login(client, _officer).get(reverse("document-report", args=[document.pk])).status_code == 404


def test_a_line_with_markup_is_shown_escaped_in_the_document_and_the_print_page(client, committed):
    alpha = registered_supplier(1)
    officer, entity = officer_and_entity()
    document = issued(committed, alpha, entity, description='<img src=x onerror="alert(1)">')
    assert document.status == DocumentStatus.VALID

    page = login(client, officer).get(reverse("document-detail", args=[document.pk]))
    printed = render_to_string("tradedocs/document_print.html", document_context(document))
    for html in (page.text, printed):
        assert "<img src=x" not in html
        assert "&lt;img src=x" in html
    assert "F001-1" in printed
    assert "S/ 118.00" in printed


def test_the_original_and_the_other_syntax_download_as_xml(client, committed):
    alpha = registered_supplier(1)
    officer, entity = officer_and_entity()
    document = issued(committed, alpha, entity)
    login(client, officer)

    original = client.get(reverse("document-original", args=[document.pk]))
    assert original.status_code == 200
    assert original["Content-Type"] == "application/xml"
    assert original["Content-Disposition"].startswith("attachment;")
    assert original.content == bytes(document.original)
    converted = client.get(reverse("document-converted", args=[document.pk]))
    assert converted.status_code == 200
    assert converted["Content-Type"] == "application/xml"
    assert b"urn:oasis:names:specification:ubl:schema:xsd:Invoice-2" in converted.content
    assert (
        f'href="{reverse("document-converted", args=[document.pk])}"'
        in client.get(reverse("document-detail", args=[document.pk])).text
    )


# --- The buyer's answer ------------------------------------------------------------------------------------


def test_the_buyer_rejects_with_a_reason_or_accepts(client, committed):
    alpha = registered_supplier(1)
    officer, entity = officer_and_entity()
    first = issued(committed, alpha, entity, "F001-1")
    second = issued(committed, alpha, entity, "F001-2")

    login(client, alpha.owner)
    seller_view = client.get(reverse("document-detail", args=[first.pk])).text
    assert reverse("document-reject", args=[first.pk]) not in seller_view  # the seller does not answer

    login(client, officer)
    page = client.get(reverse("document-detail", args=[first.pk]))
    assert reverse("document-reject", args=[first.pk]) in page.text
    refused = client.post(reverse("document-reject", args=[first.pk]), {"reason": "", "text": ""})
    assert refused.status_code == 400
    assert 'role="alert"' in refused.text
    assert Document.objects.get(pk=first.pk).status == DocumentStatus.VALID

    rejected = client.post(reverse("document-reject", args=[first.pk]), {"reason": "AMT", "text": "Precio distinto"})
    assert rejected.status_code == 302
    first.refresh_from_db()
    assert first.status == DocumentStatus.REJECTED
    assert first.reasons == [{"code": "AMT", "text": "Precio distinto"}]
    again = client.post(reverse("document-accept", args=[first.pk]))
    assert again.status_code == 409
    assert Document.objects.get(pk=first.pk).status == DocumentStatus.REJECTED

    assert client.post(reverse("document-accept", args=[second.pk])).status_code == 302
    assert Document.objects.get(pk=second.pk).status == DocumentStatus.ACCEPTED


def test_the_seller_cannot_answer_its_own_invoice(client, committed):
    alpha = registered_supplier(1)
    _officer, entity = officer_and_entity()
    document = issued(committed, alpha, entity)
    response = login(client, alpha.owner).post(reverse("document-accept", args=[document.pk]))
    assert response.status_code == 403
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.VALID


# --- The officer's order from a signed contract ------------------------------------------------------------


@pytest.fixture
def signed_contract(frozen_clock):
    frozen_clock.set(MONDAY_9AM)
    officer, entity = officer_and_entity()
    evaluator = member(entity.kind, "evaluator", organisation=entity)
    alpha, beta = registered_supplier(1), registered_supplier(2)
    tender = tender_in_bidding(officer, [alpha, beta])
    frozen_clock.set(tender.bids_due - timedelta(hours=1))
    lot = tender.lots.get()
    place_bid(alpha, lot, CHEAP)
    place_bid(beta, lot, DEAR)
    frozen_clock.set(tender.opening_at)
    chronograph_sweep(now=frozen_clock.now)
    tender = Tender.objects.get(pk=tender.pk)
    for supplier, technical in ((alpha, Decimal("70")), (beta, Decimal("90"))):
        bid = Bid.objects.get(lot__tender=tender, participant__organisation=supplier.organisation, status="submitted")
        bid_evaluate(actor=evaluator, bid=bid, qualified=True, technical_score=technical)
    tender = tender_award(actor=officer, tender=tender)
    frozen_clock.set(tender.appeal_until)
    chronograph_sweep(now=frozen_clock.now)
    contract = Contract.objects.get()
    winner = alpha if contract.supplier == alpha.organisation else beta
    contract_sign(actor=winner.owner, contract=contract, organisation=winner.organisation)
    contract = contract_sign(actor=officer, contract=contract, organisation=entity)
    return contract, officer, winner


def test_the_officer_issues_an_order_from_a_signed_contract(client, committed, signed_contract):
    contract, officer, winner = signed_contract
    login(client, officer)
    tender_page = client.get(reverse("officer-tender", args=[contract.tender_id]))
    assert reverse("order-from-contract", args=[contract.pk]) in tender_page.text

    response = committed(client.post, reverse("order-from-contract", args=[contract.pk]))

    order = Document.objects.get(document_type=DocumentType.ORDER)
    assert response.status_code == 302
    assert response["Location"] == reverse("document-detail", args=[order.pk])
    assert (order.status, order.receiver, order.contract) == (DocumentStatus.VALID, winner.organisation, contract)
    assert order_from_terms(order.terms).contract_reference == contract.number
    assert contract.number in client.get(response["Location"]).text
    login(client, winner.owner)
    assert order.number in client.get(reverse("documents-inbox")).text
    assert client.get(reverse("invoice-new"), {"order": order.pk}).status_code == 200


def test_only_the_entity_orders_from_its_contract(client, signed_contract):
    contract, _officer, winner = signed_contract
    response = login(client, winner.owner).post(reverse("order-from-contract", args=[contract.pk]))
    assert response.status_code in {403, 404}
    stranger, _entity = officer_and_entity()
    assert login(client, stranger).post(reverse("order-from-contract", args=[contract.pk])).status_code in {403, 404}
    assert not Document.objects.exists()


# --- Webhooks ------------------------------------------------------------------------------------------------


def test_a_webhook_is_registered_with_its_secret_shown_once_then_removed(client):
    alpha = registered_supplier(1)
    login(client, alpha.owner)
    assert client.get(reverse("documents-webhooks")).status_code == 200

    bad = client.post(reverse("documents-webhooks"), {"url": "ftp://example.pe/hook"})
    assert bad.status_code == 400
    assert not WebhookEndpoint.objects.exists()
    response = client.post(
        reverse("documents-webhooks"),
        {"url": "https://erp.example.pe/hooks/portal", "events": ["document.status_changed"]},
    )
    assert response.status_code == 302
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["document.status_changed"]
    first = client.get(reverse("documents-webhooks"))
    assert endpoint.secret in first.text
    assert "https://erp.example.pe/hooks/portal" in first.text
    assert endpoint.secret not in client.get(reverse("documents-webhooks")).text

    removed = client.post(reverse("documents-webhook-remove", args=[endpoint.pk]))
    assert removed.status_code == 302
    assert not WebhookEndpoint.objects.get(pk=endpoint.pk).is_active
    assert client.post(reverse("documents-webhook-remove", args=[endpoint.pk])).status_code == 404


def test_the_order_carries_the_requested_delivery_date(client, committed, signed_contract):
    contract, officer, _winner = signed_contract
    login(client, officer)
    day = clock.today() + timedelta(days=10)

    committed(client.post, reverse("order-from-contract", args=[contract.pk]), {"delivery_date": day.isoformat()})

    order = Document.objects.get(document_type=DocumentType.ORDER)
    assert order_from_terms(order.terms).delivery.date == day


@pytest.mark.parametrize("raw", ["2020-01-01", "not-a-date"])
def test_a_past_or_malformed_delivery_date_issues_nothing(client, signed_contract, raw):
    contract, officer, _winner = signed_contract
    login(client, officer)

    response = client.post(reverse("order-from-contract", args=[contract.pk]), {"delivery_date": raw})

    assert response.status_code == 400
    assert not Document.objects.exists()
