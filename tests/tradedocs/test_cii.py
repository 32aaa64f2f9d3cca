"""The CII D16B adapter: our samples survive render → intake → parse unchanged, what it writes is valid
against the Factur-X EN16931 XSD and passes the official EN 16931 CII business rules, and a document
with few terms parses with defaults while a broken one is refused as ``unreadable``."""

from __future__ import annotations

import copy
import dataclasses
import datetime
from decimal import Decimal as D

import pytest
from lxml import etree
from saxonche import PySaxonProcessor

from tests.tradedocs import samples
from tradedocs.model import (
    EN16931,
    Address,
    CreditTransfer,
    Invoice,
    InvoiceLine,
    Item,
    Party,
    PaymentInstructions,
    Price,
    Totals,
    VatBreakdown,
)
from tradedocs.xml import artefacts
from tradedocs.xml.cii import NS, parse_invoice, render_invoice
from tradedocs.xml.intake import IntakeError, read_document
from tradedocs.xml.schemas import RenderError, schema_errors

SAMPLES = [samples.rich_invoice, samples.minimal_invoice, samples.credit_note]
SVRL = "{http://purl.oclc.org/dsdl/svrl}"
CONTEXT = "/rsm:CrossIndustryInvoice/rsm:ExchangedDocumentContext"
SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"
SUMMATION = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"

# Our own minimal document: only mandatory terms, one line, one VAT rate.
MINIMAL_CII = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:cen.eu:en16931:2017</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>T-1</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20260105</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>10</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>Tiza</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>1.5</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery>
        <ram:BilledQuantity unitCode="H87">2</ram:BilledQuantity>
      </ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax><ram:TypeCode>VAT</ram:TypeCode><ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>18</ram:RateApplicablePercent></ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>3.00</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Librería Sur</ram:Name></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Colegio Norte</ram:Name></ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>PEN</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>0.54</ram:CalculatedAmount><ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>3.00</ram:BasisAmount><ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>18</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>3.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>3.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="PEN">0.54</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>3.54</ram:GrandTotalAmount>
        <ram:DuePayableAmount>3.54</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""


def round_trip(invoice: Invoice) -> Invoice:
    return parse_invoice(read_document(render_invoice(invoice)).root)


def rendered_tree(invoice: Invoice) -> etree._Element:
    return read_document(render_invoice(invoice)).root


def xpath(root: etree._Element, path: str) -> list:
    return root.xpath(path, namespaces=NS)


def parse_text(text: str) -> Invoice:
    return parse_invoice(read_document(text.encode()).root)


def refused(text: str) -> IntakeError:
    with pytest.raises(IntakeError) as error:
        parse_text(text)
    return error.value


# ── round trip and schema ────────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("make", SAMPLES, ids=lambda f: f.__name__)
def test_sample_survives_render_and_parse(make):
    invoice = make()
    assert round_trip(invoice) == invoice


@pytest.mark.parametrize("make", SAMPLES, ids=lambda f: f.__name__)
def test_rendered_sample_is_valid_against_the_en16931_xsd(make):
    root = rendered_tree(make())
    assert schema_errors("cii-en16931", root) == []


def test_rendered_xml_carries_the_bound_elements():
    root = rendered_tree(samples.rich_invoice())
    assert xpath(root, f"{CONTEXT}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID/text()") == [EN16931]
    assert xpath(root, "//ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID/text()") == [
        "urn:portal:procurement:contract"
    ]
    # BT-110 carries the invoice currency; no other amount carries @currencyID.
    assert xpath(root, f"{SUMMATION}/ram:TaxTotalAmount/@currencyID") == ["PEN"]
    assert len(xpath(root, "//*[@currencyID]")) == 1
    # Dates in format 102.
    issue = xpath(root, "/rsm:CrossIndustryInvoice/rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString")[0]
    assert (issue.text, issue.get("format")) == ("20261120", "102")
    assert xpath(root, "//ram:DueDateDateTime/udt:DateTimeString/text()") == ["20261220"]
    assert set(xpath(root, "//udt:DateTimeString/@format")) == {"102"}
    # Parties: scheme-bearing identifiers as GlobalID, VAT id with scheme VA, electronic address.
    seller = xpath(root, "//ram:SellerTradeParty")[0]
    assert xpath(seller, "ram:GlobalID[@schemeID='0195']/text()") == ["20100070970"]
    assert xpath(seller, "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']/text()") == ["PE20100070970"]
    assert xpath(seller, "ram:URIUniversalCommunication/ram:URIID/@schemeID") == ["EM"]
    assert xpath(root, "//ram:BuyerTradeParty/ram:ID/text()") == ["20131373237"]
    # Document allowance then charge; the line's discount on the gross price.
    indicators = f"{SETTLEMENT}/ram:SpecifiedTradeAllowanceCharge/ram:ChargeIndicator/udt:Indicator/text()"
    assert xpath(root, indicators) == ["false", "true"]
    assert xpath(root, "//ram:GrossPriceProductTradePrice/ram:AppliedTradeAllowanceCharge/ram:ActualAmount/text()") == [
        "0.25"
    ]
    assert xpath(root, "//ram:ClassCode[@listID='TST']/text()") == ["42131713", "42311505"]
    # A non-IBAN account goes in ProprietaryID.
    assert xpath(root, "//ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID/text()") == ["00219300123456789012"]


def test_credit_note_refers_to_the_preceding_invoice():
    root = rendered_tree(samples.credit_note())
    assert xpath(root, "//rsm:ExchangedDocument/ram:TypeCode/text()") == ["381"]
    reference = xpath(root, "//ram:ApplicableHeaderTradeSettlement/ram:InvoiceReferencedDocument")[0]
    assert xpath(reference, "ram:IssuerAssignedID/text()") == ["E001-7"]
    assert xpath(reference, "ram:FormattedIssueDateTime/qdt:DateTimeString/text()") == ["20261102"]


def test_vat_rate_none_is_omitted_and_survives():
    """Category O (outside the scope of VAT) has no rate: no RateApplicablePercent is written."""
    base = samples.minimal_invoice()
    line = dataclasses.replace(base.lines[0], vat_category="O", vat_rate=None)
    invoice = dataclasses.replace(
        base,
        lines=(line,),
        vat_breakdown=(
            VatBreakdown(
                D("100.00"), D("0.00"), "O", exemption_reason="Fuera del ámbito", exemption_reason_code="VATEX-EU-O"
            ),
        ),
        totals=Totals(
            line_total=D("100.00"), tax_exclusive=D("100.00"), tax_inclusive=D("100.00"), payable=D("100.00")
        ),
    )
    root = rendered_tree(invoice)
    assert xpath(root, "//ram:RateApplicablePercent") == []
    assert xpath(root, f"{SUMMATION}/ram:TaxTotalAmount") == []
    assert round_trip(invoice) == invoice


def test_iban_goes_in_ibanid_and_every_account_gets_its_own_payment_means():
    payment = PaymentInstructions(
        means_code="58",
        credit_transfers=(CreditTransfer("DE89370400440532013000", "Cuenta euros"), CreditTransfer("00219300999")),
    )
    invoice = dataclasses.replace(samples.minimal_invoice(), payment=payment)
    root = rendered_tree(invoice)
    means = xpath(root, "//ram:SpecifiedTradeSettlementPaymentMeans")
    assert [xpath(m, "ram:TypeCode/text()") for m in means] == [["58"], ["58"]]
    assert xpath(means[0], "ram:PayeePartyCreditorFinancialAccount/ram:IBANID/text()") == ["DE89370400440532013000"]
    assert xpath(means[1], "ram:PayeePartyCreditorFinancialAccount/ram:ProprietaryID/text()") == ["00219300999"]
    assert round_trip(invoice) == invoice


def test_a_price_discount_without_gross_price_cannot_be_rendered():
    base = samples.minimal_invoice()
    line = dataclasses.replace(base.lines[0], price=Price(net=D("25.00"), discount=D("1.00")))
    with pytest.raises(RenderError, match="BT-147"):
        render_invoice(dataclasses.replace(base, lines=(line,)))


# ── EN 16931 business rules (official CII Schematron) ────────────────────────────────────────────


@pytest.fixture(scope="session")
def saxon() -> PySaxonProcessor:
    return PySaxonProcessor(license=False)


@pytest.fixture(scope="module")
def en16931_cii_rules(saxon):
    xslt = saxon.new_xslt30_processor()
    return xslt.compile_stylesheet(stylesheet_file=str(artefacts.RULESETS["en16931-cii"]()))


@pytest.mark.parametrize("make", SAMPLES, ids=lambda f: f.__name__)
def test_rendered_sample_passes_the_en16931_cii_business_rules(make, saxon, en16931_cii_rules):
    data = render_invoice(make())
    svrl = en16931_cii_rules.transform_to_string(xdm_node=saxon.parse_xml(xml_text=data.decode()))
    report = etree.fromstring(svrl.encode())
    assert report.tag == f"{SVRL}schematron-output"
    assert list(report.iter(f"{SVRL}fired-rule")), "the rules did not look at the document"
    fatal = [
        f"{failed.get('id')} at {failed.get('location')}: {' '.join(failed.itertext()).strip()}"
        for failed in report.iter(f"{SVRL}failed-assert")
        if failed.get("flag") == "fatal"
    ]
    assert fatal == []


# ── intake of documents we did not write ─────────────────────────────────────────────────────────


def test_a_document_with_few_terms_parses_with_defaults():
    assert parse_text(MINIMAL_CII) == Invoice(
        number="T-1",
        issue_date=datetime.date(2026, 1, 5),
        type_code="380",
        currency="PEN",
        seller=Party(name="Librería Sur"),
        buyer=Party(name="Colegio Norte"),
        totals=Totals(
            line_total=D("3.00"),
            tax_exclusive=D("3.00"),
            tax_total=D("0.54"),
            tax_inclusive=D("3.54"),
            payable=D("3.54"),
        ),
        lines=(
            InvoiceLine(
                id="10",
                quantity=D("2"),
                unit="H87",
                net_amount=D("3.00"),
                price=Price(net=D("1.5")),
                vat_category="S",
                vat_rate=D("18"),
                item=Item(name="Tiza"),
            ),
        ),
        vat_breakdown=(VatBreakdown(D("3.00"), D("0.54"), "S", D("18")),),
    )
    parsed = parse_text(MINIMAL_CII)
    assert parsed.seller.address == Address()
    assert (parsed.delivery, parsed.payment, parsed.due_date, parsed.notes) == (None, None, None, ())
    assert str(parsed.lines[0].price.net) == "1.5"  # exactly as written


def test_missing_invoice_number_is_unreadable():
    error = refused(MINIMAL_CII.replace("<ram:ID>T-1</ram:ID>", ""))
    assert error.code == "unreadable"
    assert "BT-1" in error.message
    assert "rsm:ExchangedDocument/ram:ID" in error.message


def test_missing_exchanged_document_is_unreadable():
    start = MINIMAL_CII.index("<rsm:ExchangedDocument>")
    end = MINIMAL_CII.index("</rsm:ExchangedDocument>") + len("</rsm:ExchangedDocument>")
    error = refused(MINIMAL_CII[:start] + MINIMAL_CII[end:])
    assert error.code == "unreadable"
    assert "BT-1" in error.message


@pytest.mark.parametrize(
    ("old", "new", "term"),
    [
        ("20260105", "2026-01-05", "BT-2"),
        ("20260105", "20261305", "BT-2"),
        ('format="102">20260105', 'format="203">202601051200', "BT-2"),
        ("<ram:DuePayableAmount>3.54", "<ram:DuePayableAmount>3,54", "BT-115"),
        ("<ram:DuePayableAmount>3.54", "<ram:DuePayableAmount>NaN", "BT-115"),
        ("<ram:DuePayableAmount>3.54</ram:DuePayableAmount>", "", "BT-115"),
        ("<ram:Name>Librería Sur</ram:Name>", "", "BT-27"),
        ('unitCode="H87"', "", "BT-130"),
        ("<ram:CategoryCode>S</ram:CategoryCode>\n", "", "BT-151"),
        ("<ram:InvoiceCurrencyCode>PEN</ram:InvoiceCurrencyCode>", "", "BT-5"),
    ],
)
def test_malformed_terms_are_unreadable_and_named(old, new, term):
    assert old in MINIMAL_CII
    error = refused(MINIMAL_CII.replace(old, new, 1))
    assert error.code == "unreadable"
    assert term in error.message


def test_another_root_is_not_a_cii_invoice():
    root = etree.fromstring(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>')
    with pytest.raises(IntakeError) as error:
        parse_invoice(root)
    assert error.value.code == "unknown_document"


@pytest.mark.parametrize("damage", ["remove", "empty", "garble_text", "garble_attributes"])
def test_no_damage_to_a_rendered_invoice_escapes_as_anything_but_intake_error(damage):
    """Every element of the rich invoice in turn removed, emptied or garbled: the parser either reads
    the document or refuses it with an IntakeError, never another exception."""
    pristine = rendered_tree(samples.rich_invoice())
    codes = set()
    for index in range(1, sum(1 for _ in pristine.iter())):
        root = copy.deepcopy(pristine)
        element = list(root.iter())[index]
        if damage == "remove":
            element.getparent().remove(element)
        elif damage == "empty":
            element[:] = []
            element.text = None
        elif damage == "garble_text":
            element.text = "x"
        else:
            for name in element.attrib:
                element.attrib[name] = "zz"
        try:
            parse_invoice(root)
        except IntakeError as error:
            codes.add(error.code)
    assert codes <= {"unreadable"}
