"""The UBL 2.1 adapter: our samples survive a render/parse round trip, the rendered documents satisfy
the UBL XSD and the official EN 16931 UBL business rules, and hand-written UBL is read with defaults
or refused with "unreadable" when a mandatory term is missing."""

import dataclasses
import datetime
import re
from decimal import Decimal

import pytest
from lxml import etree

from tests.tradedocs import samples
from tradedocs.model import Address, Contact, CreditTransfer, Identifier, Invoice, Note, PaymentInstructions, Price
from tradedocs.xml.artefacts import RULESETS
from tradedocs.xml.intake import IntakeError, read_document
from tradedocs.xml.schemas import RenderError
from tradedocs.xml.ubl import CAC, CBC, CREDIT_NOTE_NS, INVOICE_NS, parse_invoice, render_invoice

NS = {"cac": CAC, "cbc": CBC, "inv": INVOICE_NS, "cn": CREDIT_NOTE_NS}
SVRL = "{http://purl.oclc.org/dsdl/svrl}"

MINIMAL_UBL = """<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
         xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
         xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017</cbc:CustomizationID>
  <cbc:ID>B-42</cbc:ID>
  <cbc:IssueDate>2026-10-01</cbc:IssueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>PEN</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PostalAddress><cac:Country><cbc:IdentificationCode>PE</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
    <cac:PartyLegalEntity><cbc:RegistrationName>Ferretería El Clavo</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyLegalEntity><cbc:RegistrationName>Colegio San Martín</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:TaxTotal>
    <cbc:TaxAmount currencyID="PEN">9.00</cbc:TaxAmount>
    <cac:TaxSubtotal>
      <cbc:TaxableAmount currencyID="PEN">50.00</cbc:TaxableAmount>
      <cbc:TaxAmount currencyID="PEN">9.00</cbc:TaxAmount>
      <cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>18</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>
    </cac:TaxSubtotal>
  </cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:LineExtensionAmount currencyID="PEN">50.00</cbc:LineExtensionAmount>
    <cbc:TaxExclusiveAmount currencyID="PEN">50.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="PEN">59.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="PEN">59.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:ID>1</cbc:ID>
    <cbc:InvoicedQuantity unitCode="C62"> 10 </cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="PEN">50.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Martillo</cbc:Name>
      <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>18</cbc:Percent>
        <cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="PEN">5.000</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>
"""


def round_trip(invoice: Invoice) -> Invoice:
    return parse_invoice(read_document(render_invoice(invoice)).root)


def tree(invoice: Invoice) -> etree._Element:
    return read_document(render_invoice(invoice)).root


@pytest.fixture(scope="session")
def saxon():
    """One Saxon processor per session (starting one is costly, and several per process are not needed)."""
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@pytest.fixture(scope="session")
def en16931_ubl_rules(saxon):
    """The official EN 16931 UBL rule set, compiled once for the session."""
    executable = saxon.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(RULESETS["en16931-ubl"]()))

    def fatal_failures(data: bytes) -> list[str]:
        svrl = executable.transform_to_string(xdm_node=saxon.parse_xml(xml_text=data.decode()))
        report = etree.fromstring(svrl.encode())
        return [
            f"{failure.get('id')}: {failure.findtext(f'{SVRL}text', '').strip()}"
            for failure in report.iter(f"{SVRL}failed-assert")
            if failure.get("flag") == "fatal"
        ]

    return fatal_failures


@pytest.mark.parametrize("make", [samples.rich_invoice, samples.minimal_invoice, samples.credit_note])
def test_a_sample_survives_the_round_trip(make):
    invoice = make()
    assert round_trip(invoice) == invoice


def test_the_round_trip_keeps_decimals_as_written():
    line = samples.minimal_invoice().lines[0]
    assert str(round_trip(samples.minimal_invoice()).lines[0].price.net) == str(line.price.net) == "25.00"
    assert str(round_trip(samples.rich_invoice()).vat_breakdown[1].rate) == "0"


def test_a_credit_note_renders_as_a_ubl_credit_note():
    root = tree(samples.credit_note())
    assert etree.QName(root) == etree.QName(CREDIT_NOTE_NS, "CreditNote")
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert root.find("cbc:InvoiceTypeCode", NS) is None
    assert len(root.findall("cac:CreditNoteLine", NS)) == 1
    assert root.find("cac:CreditNoteLine/cbc:CreditedQuantity", NS).get("unitCode") == "H87"
    assert root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == "E001-7"


def test_a_credit_note_carries_its_due_date_and_project_where_ubl_2_1_allows():
    note = dataclasses.replace(
        samples.credit_note(),
        due_date=datetime.date(2026, 12, 1),
        project_reference="PRJ-9",
        payment=PaymentInstructions(means_code="30"),
    )
    root = tree(note)
    assert root.findtext("cac:PaymentMeans/cbc:PaymentDueDate", namespaces=NS) == "2026-12-01"
    assert root.findtext("cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']/cbc:ID", namespaces=NS) == "PRJ-9"
    assert round_trip(note) == note


def test_a_credit_note_due_date_without_payment_instructions_is_not_rendered():
    with pytest.raises(RenderError):
        render_invoice(dataclasses.replace(samples.credit_note(), due_date=datetime.date(2026, 12, 1)))


def test_the_rendered_invoice_carries_the_specification_and_currency_on_every_amount():
    root = tree(samples.rich_invoice())
    assert etree.QName(root) == etree.QName(INVOICE_NS, "Invoice")
    assert root.findtext("cbc:CustomizationID", namespaces=NS) == "urn:cen.eu:en16931:2017"
    assert root.findtext("cbc:ProfileID", namespaces=NS) == "urn:portal:procurement:contract"
    amounts = root.xpath(
        "//cbc:Amount | //cbc:BaseAmount | //cbc:PriceAmount | //cbc:TaxAmount | //cbc:TaxableAmount"
        " | //cbc:LineExtensionAmount | //cac:LegalMonetaryTotal/*",
        namespaces=NS,
    )
    assert len(amounts) > 20
    assert {amount.get("currencyID") for amount in amounts} == {"PEN"}
    assert len(root.xpath("cac:TaxTotal/cac:TaxSubtotal", namespaces=NS)) == 2
    assert root.xpath("string(cac:TaxTotal/cbc:TaxAmount)", namespaces=NS) == "549.00"


def test_the_rendered_invoice_follows_the_en16931_binding_for_parties_and_lines():
    root = tree(samples.rich_invoice())
    seller = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    assert seller.find("cbc:EndpointID", NS).get("schemeID") == "EM"
    assert seller.find("cac:PartyIdentification/cbc:ID", NS).get("schemeID") == "0195"
    assert seller.xpath("cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID/text()", namespaces=NS) == [
        "PE20100070970"
    ]
    assert seller.findtext("cac:PartyLegalEntity/cbc:RegistrationName", namespaces=NS) == "Textiles Andinos S.A.C."
    assert seller.findtext("cac:PartyName/cbc:Name", namespaces=NS) == "Textiles Andinos"
    first = root.find("cac:InvoiceLine", NS)
    assert first.find("cbc:InvoicedQuantity", NS).get("unitCode") == "C62"
    assert first.findtext("cac:OrderLineReference/cbc:LineID", namespaces=NS) == "1"
    assert first.find("cac:Item/cac:CommodityClassification/cbc:ItemClassificationCode", NS).get("listID") == "TST"
    assert first.findtext("cac:Price/cac:AllowanceCharge/cbc:BaseAmount", namespaces=NS) == "2.75"
    assert [a.findtext("cbc:ChargeIndicator", namespaces=NS) for a in root.findall("cac:AllowanceCharge", NS)] == [
        "false",
        "true",
    ]


def test_a_vat_rate_that_is_none_is_left_out():
    base = samples.minimal_invoice()
    line = dataclasses.replace(base.lines[0], vat_category="O", vat_rate=None)
    invoice = dataclasses.replace(base, lines=(line,))
    root = tree(invoice)
    assert root.find("cac:InvoiceLine/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", NS) is None
    assert round_trip(invoice) == invoice


@pytest.mark.parametrize("make", [samples.rich_invoice, samples.credit_note])
def test_the_rendered_document_passes_the_en16931_ubl_rules(make, en16931_ubl_rules):
    assert en16931_ubl_rules(render_invoice(make())) == []


def test_the_rules_do_catch_a_wrong_figure(en16931_ubl_rules):
    invoice = samples.rich_invoice()
    wrong = dataclasses.replace(invoice, totals=dataclasses.replace(invoice.totals, payable=Decimal("1.00")))
    assert any(failure.startswith("BR-CO-16") for failure in en16931_ubl_rules(render_invoice(wrong)))


def test_a_hand_written_minimal_ubl_invoice_is_read_with_defaults():
    invoice = parse_invoice(read_document(MINIMAL_UBL.encode()).root)
    assert invoice.number == "B-42"
    assert invoice.issue_date == datetime.date(2026, 10, 1)
    assert invoice.type_code == "380"
    assert invoice.seller.name == "Ferretería El Clavo"
    assert invoice.seller.address == Address(country="PE")
    assert invoice.seller.contact is None
    assert invoice.seller.identifiers == ()
    assert invoice.buyer.address == Address()
    assert invoice.due_date is None
    assert invoice.payment is None
    assert invoice.delivery is None
    assert invoice.notes == ()
    assert invoice.allowances == invoice.charges == ()
    assert invoice.business_process == invoice.payment_terms == invoice.order_reference == ""
    assert invoice.totals.tax_total == Decimal("9.00")
    assert invoice.totals.allowance_total is None
    line = invoice.lines[0]
    assert (line.quantity, line.unit, line.vat_rate) == (Decimal("10"), "C62", Decimal("18"))
    assert str(line.price.net) == "5.000"
    assert line.price.discount is None
    assert line.item.standard_id is None
    assert line.item.classifications == ()


def test_a_note_subject_code_travels_as_a_prefix():
    invoice = dataclasses.replace(samples.minimal_invoice(), notes=(Note("Sin retención", subject_code="AAI"),))
    assert tree(invoice).findtext("cbc:Note", namespaces=NS) == "#AAI#Sin retención"
    assert round_trip(invoice).notes == invoice.notes


def test_a_seller_tax_registration_round_trips_next_to_the_vat_identifier():
    base = samples.minimal_invoice()
    seller = dataclasses.replace(
        base.seller,
        tax_registration_id="RUC-10456789012",
        legal_id=Identifier("10456789012", "0195"),
        contact=Contact(phone="+51 1 2223344"),
        address=Address(line1="Jr. Unión 1", line3="Interior 4", country="PE"),
    )
    invoice = dataclasses.replace(base, seller=seller)
    assert round_trip(invoice) == invoice


def without(text: str, element: str) -> bytes:
    """The document without the first ``element`` (with or without attributes)."""
    return re.sub(rf"<{element}[ >].*?</{element}>", "", text, count=1, flags=re.DOTALL).encode()


@pytest.mark.parametrize(
    ("element", "term"),
    [
        ("cbc:ID", "BT-1"),
        ("cbc:IssueDate", "BT-2"),
        ("cbc:DocumentCurrencyCode", "BT-5"),
        ("cbc:PayableAmount", "BT-115"),
        ("cbc:Name", "BT-153"),
        ("cbc:PriceAmount", "BT-146"),
        ("cbc:InvoicedQuantity", "BT-129"),
        ("cac:AccountingSupplierParty", "BT-27"),
        ("cac:TaxCategory", "BT-118"),
    ],
)
def test_a_ubl_invoice_without_a_mandatory_term_is_unreadable(element, term):
    with pytest.raises(IntakeError) as error:
        parse_invoice(read_document(without(MINIMAL_UBL, element)).root)
    assert error.value.code == "unreadable"
    assert term in error.value.message


@pytest.mark.parametrize(
    ("old", "new", "term"),
    [
        ("<cbc:IssueDate>2026-10-01", "<cbc:IssueDate>1 Oct 2026", "BT-2"),
        ('unitCode="C62"> 10 ', 'unitCode="C62">ten', "invoiced quantity"),
        ('unitCode="C62"', "", "BT-130"),
    ],
)
def test_an_unreadable_value_is_refused_with_its_term(old, new, term):
    with pytest.raises(IntakeError) as error:
        parse_invoice(read_document(MINIMAL_UBL.replace(old, new).encode()).root)
    assert error.value.code == "unreadable"
    assert term in error.value.message


def test_several_credit_transfers_and_a_sales_order_alone_round_trip_within_the_rules(en16931_ubl_rules):
    base = samples.rich_invoice()
    payment = dataclasses.replace(
        base.payment,
        credit_transfers=(
            *base.payment.credit_transfers,
            CreditTransfer("19100012345678901234", provider_id="BCPLPEPL"),
        ),
    )
    invoice = dataclasses.replace(
        base,
        payment=payment,
        order_reference="",
        totals=dataclasses.replace(base.totals, rounding=Decimal("0.00")),
    )
    data = render_invoice(invoice)
    root = read_document(data).root
    assert len(root.findall("cac:PaymentMeans", NS)) == 2
    assert root.findtext("cac:OrderReference/cbc:ID", namespaces=NS) == "NA"
    assert parse_invoice(root) == invoice
    assert en16931_ubl_rules(data) == []


def test_a_gross_price_alone_is_written_with_the_discount_it_implies():
    base = samples.minimal_invoice()
    line = dataclasses.replace(base.lines[0], price=Price(net=Decimal("25.00"), gross=Decimal("25.00")))
    parsed = round_trip(dataclasses.replace(base, lines=(line,)))
    assert parsed.lines[0].price == Price(net=Decimal("25.00"), gross=Decimal("25.00"), discount=Decimal("0.00"))
