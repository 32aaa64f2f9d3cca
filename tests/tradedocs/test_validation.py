"""Validation as scenarios: the specification identifier chooses the schema and the official rule sets,
schema first, then the Schematron run by Saxon; findings carry the rule id, severity, line and path.

The invoices and the order come from our own models (``samples``) through the renderers; a Factur-X
BASIC invoice and an Order-X BASIC order are written out here by hand (the renderers write the
EN 16931 and Order-X COMFORT identifiers). No sample file from elsewhere is used.
"""

from __future__ import annotations

import json
import re
import threading
from decimal import Decimal

import pytest
from lxml import etree

from tests.tradedocs import samples
from tradedocs.xml import cii, orderx, rules, ubl
from tradedocs.xml.intake import IntakeError, read_document
from tradedocs.xml.rules import readable_path, run_rules, severity, xpath1
from tradedocs.xml.validation import FATAL, WARNING, Report, validate

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
}
FACTURX_BASIC = "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic"
XRECHNUNG = "urn:cen.eu:en16931:2017#compliant#urn:xeinkauf.de:kosit:xrechnung_3.0"

CII_BASIC = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
    xmlns:qdt="urn:un:unece:uncefact:data:standard:QualifiedDataType:100">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>{guideline}</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>F002-00000078</ram:ID>
    <ram:TypeCode>380</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">20260302</udt:DateTimeString>
    </ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument>
        <ram:LineID>1</ram:LineID>
      </ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct>
        <ram:Name>Mascarilla quirúrgica, caja de 50</ram:Name>
      </ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice>
          <ram:ChargeAmount>125.00</ram:ChargeAmount>
        </ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery>
        <ram:BilledQuantity unitCode="C62">20</ram:BilledQuantity>
      </ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:ApplicableTradeTax>
          <ram:TypeCode>VAT</ram:TypeCode>
          <ram:CategoryCode>S</ram:CategoryCode>
          <ram:RateApplicablePercent>18</ram:RateApplicablePercent>
        </ram:ApplicableTradeTax>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>2500.00</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>Textiles del Pacífico S.A.C.</ram:Name>
        <ram:PostalTradeAddress>
          <ram:CityName>Lima</ram:CityName>
          <ram:CountryID>PE</ram:CountryID>
        </ram:PostalTradeAddress>
        <ram:SpecifiedTaxRegistration>
          <ram:ID schemeID="VA">PE20512345678</ram:ID>
        </ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>Hospital Regional de Ica</ram:Name>
        <ram:PostalTradeAddress>
          <ram:CityName>Ica</ram:CityName>
          <ram:CountryID>PE</ram:CountryID>
        </ram:PostalTradeAddress>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery>
      <ram:ActualDeliverySupplyChainEvent>
        <ram:OccurrenceDateTime>
          <udt:DateTimeString format="102">20260301</udt:DateTimeString>
        </ram:OccurrenceDateTime>
      </ram:ActualDeliverySupplyChainEvent>
    </ram:ApplicableHeaderTradeDelivery>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>PEN</ram:InvoiceCurrencyCode>
      <ram:ApplicableTradeTax>
        <ram:CalculatedAmount>450.00</ram:CalculatedAmount>
        <ram:TypeCode>VAT</ram:TypeCode>
        <ram:BasisAmount>2500.00</ram:BasisAmount>
        <ram:CategoryCode>S</ram:CategoryCode>
        <ram:RateApplicablePercent>18</ram:RateApplicablePercent>
      </ram:ApplicableTradeTax>
      <ram:SpecifiedTradePaymentTerms>
        <ram:DueDateDateTime>
          <udt:DateTimeString format="102">20260401</udt:DateTimeString>
        </ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>2500.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>2500.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="PEN">450.00</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>2950.00</ram:GrandTotalAmount>
        <ram:DuePayableAmount>2950.00</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
"""

ORDER_X_BASIC = b"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:SCRDMCCBDACIOMessageStructure xmlns:rsm="urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:128">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>urn:order-x.eu:1p0:basic</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>OC-2026-0042</ram:ID>
    <ram:TypeCode>220</ram:TypeCode>
    <ram:IssueDateTime>
      <udt:DateTimeString format="102">20260302</udt:DateTimeString>
    </ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument>
        <ram:LineID>1</ram:LineID>
      </ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct>
        <ram:Name>Mascarilla quirurgica, caja de 50</ram:Name>
      </ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice>
          <ram:ChargeAmount>125.00</ram:ChargeAmount>
        </ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery>
        <ram:RequestedQuantity unitCode="C62">20</ram:RequestedQuantity>
      </ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:SpecifiedTradeSettlementLineMonetarySummation>
          <ram:LineTotalAmount>2500.00</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>Textiles del Pacifico S.A.C.</ram:Name>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty>
        <ram:Name>Hospital Regional de Ica</ram:Name>
        <ram:PostalTradeAddress>
          <ram:CountryID>PE</ram:CountryID>
        </ram:PostalTradeAddress>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:OrderCurrencyCode>PEN</ram:OrderCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>2500.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>2500.00</ram:TaxBasisTotalAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:SCRDMCCBDACIOMessageStructure>
"""


def cii_basic(guideline: str = FACTURX_BASIC) -> bytes:
    return CII_BASIC.format(guideline=guideline).encode()


def cii_invoice() -> bytes:
    return cii.render_invoice(samples.rich_invoice())


def ubl_invoice() -> bytes:
    return ubl.render_invoice(samples.rich_invoice())


def ubl_credit_note() -> bytes:
    return ubl.render_invoice(samples.credit_note())


def order_x() -> bytes:
    return orderx.render_order(samples.order())


def check(data: bytes) -> Report:
    return validate(read_document(data), data)


def replaced(data: bytes, old: bytes, new: bytes) -> bytes:
    assert data.count(old) == 1, f"{old!r} occurs {data.count(old)} times"
    return data.replace(old, new)


def fatal_ids(report: Report) -> set[str]:
    return {finding.rule_id for finding in report.findings if finding.severity == FATAL}


def statuses(report: Report) -> dict[str, str]:
    return {stage.name: stage.status for stage in report.stages}


# --- valid documents, each in its scenario --------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "scenario", "syntax", "document_type", "schema", "rulesets"),
    [
        (cii_invoice, "cii-en16931", "cii", "invoice", "cii-en16931", ["en16931-cii"]),
        (ubl_invoice, "ubl-invoice", "ubl", "invoice", "ubl-invoice", ["en16931-ubl"]),
        (ubl_credit_note, "ubl-credit-note", "ubl", "credit_note", "ubl-credit-note", ["en16931-ubl"]),
        (order_x, "orderx-comfort", "orderx", "order", "orderx-comfort", ["orderx-comfort"]),
        (lambda: ORDER_X_BASIC, "orderx-basic", "orderx", "order", "orderx-basic", ["orderx-basic"]),
        (cii_basic, "facturx-basic", "cii", "invoice", "cii-facturx-basic", ["en16931-cii", "facturx-basic"]),
    ],
)
def test_a_valid_document_passes_every_stage_of_its_scenario(make, scenario, syntax, document_type, schema, rulesets):
    report = check(make())
    assert report.scenario == scenario
    assert (report.syntax, report.document_type) == (syntax, document_type)
    assert report.valid, [(f.rule_id, f.message) for f in report.findings]
    assert report.fatal == []
    assert statuses(report) == {f"schema:{schema}": "passed", **{f"rules:{name}": "passed" for name in rulesets}}
    assert [stage.name for stage in report.stages] == [f"schema:{schema}"] + [f"rules:{name}" for name in rulesets]
    assert sorted(report.svrl) == sorted(rulesets)
    assert all("schematron-output" in svrl for svrl in report.svrl.values())


def test_the_report_is_json_ready():
    report = check(cii_invoice())
    data = json.loads(json.dumps(report.to_dict()))
    assert data["scenario"] == "cii-en16931"
    assert data["specification_id"] == "urn:cen.eu:en16931:2017"
    assert data["valid"] is True
    assert data["findings"] == []
    assert [stage["status"] for stage in data["stages"]] == ["passed", "passed"]
    assert "en16931-cii" in data["svrl"]
    assert "svrl" not in report.to_dict(svrl=False)


# --- broken business rules: exactly those rule ids ------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        # An empty invoice number satisfies the schema; BR-02 does not.
        (b"<ram:ID>F001-00000123</ram:ID>", b"<ram:ID> </ram:ID>", {"BR-02"}),
        # Sum of line net amounts (BT-106) ≠ Σ lines. The CII binding checks BR-CO-13 (BT-109) against
        # BT-106 as well, so both fail.
        (
            b"<ram:LineTotalAmount>3500.00</ram:LineTotalAmount>",
            b"<ram:LineTotalAmount>3600.00</ram:LineTotalAmount>",
            {"BR-CO-10", "BR-CO-13"},
        ),
        # The S breakdown's tax amount off by 1.00: BR-S-09 is exact, BR-CO-17 allows ±1 (so it holds),
        # and the document total no longer adds up (BR-CO-14).
        (
            b"<ram:CalculatedAmount>549.00</ram:CalculatedAmount>",
            b"<ram:CalculatedAmount>550.00</ram:CalculatedAmount>",
            {"BR-S-09", "BR-CO-14"},
        ),
        # Off by more than 1.00: BR-CO-17 fails too.
        (
            b"<ram:CalculatedAmount>549.00</ram:CalculatedAmount>",
            b"<ram:CalculatedAmount>600.00</ram:CalculatedAmount>",
            {"BR-S-09", "BR-CO-17", "BR-CO-14"},
        ),
    ],
)
def test_a_cii_invoice_breaking_a_rule_fails_exactly_that_rule(old, new, expected):
    report = check(replaced(cii_invoice(), old, new))
    assert not report.valid
    assert fatal_ids(report) == expected
    assert statuses(report) == {"schema:cii-en16931": "passed", "rules:en16931-cii": "failed"}
    assert all(finding.stage == "rules:en16931-cii" for finding in report.findings)


def test_a_ubl_invoice_breaking_rules_fails_exactly_those_rules():
    data = ubl_invoice()
    root = etree.fromstring(data)
    cbc = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
    number = root.find("cbc:ID", cbc).text
    report = check(replaced(data, f"<cbc:ID>{number}</cbc:ID>".encode(), b"<cbc:ID></cbc:ID>"))
    assert fatal_ids(report) == {"BR-02"}

    broken = etree.fromstring(data)
    subtotal_tax = next(
        element
        for element in broken.iterfind("{*}TaxTotal/{*}TaxSubtotal")
        if element.findtext("{*}TaxCategory/{*}ID") == "S"
    ).find("{*}TaxAmount")
    subtotal_tax.text = str(Decimal(subtotal_tax.text) + 50)
    report = check(etree.tostring(broken, xml_declaration=True, encoding="UTF-8"))
    assert fatal_ids(report) == {"BR-S-09", "BR-CO-17", "BR-CO-14"}


def test_without_the_invoice_number_the_schema_fails_and_the_rules_are_skipped():
    data = cii_invoice()
    report = check(replaced(data, b"<ram:ID>F001-00000123</ram:ID>", b""))
    assert not report.valid
    assert fatal_ids(report) == {"XSD"}
    assert statuses(report) == {"schema:cii-en16931": "failed", "rules:en16931-cii": "skipped"}
    assert report.svrl == {}


def test_a_schema_violation_is_an_xsd_finding_with_its_line():
    data = replaced(
        cii_basic(),
        b"<ram:CityName>Ica</ram:CityName>",
        b"<ram:CityName>Ica</ram:CityName><ram:Unexpected>x</ram:Unexpected>",
    )
    report = check(data)
    [finding] = report.findings
    assert (finding.rule_id, finding.severity, finding.stage) == ("XSD", FATAL, "schema:cii-facturx-basic")
    expected_line = next(number for number, text in enumerate(data.splitlines(), 1) if b"ram:Unexpected" in text)
    assert finding.line == expected_line
    assert finding.location.endswith("ram:PostalTradeAddress/ram:Unexpected")
    assert "not expected" in finding.message
    assert statuses(report) == {
        "schema:cii-facturx-basic": "failed",
        "rules:en16931-cii": "skipped",
        "rules:facturx-basic": "skipped",
    }
    assert report.to_dict()["stages"][1]["status"] == "skipped"


# --- which rule sets run --------------------------------------------------------------------------


def test_a_facturx_basic_invoice_is_judged_by_the_cen_and_the_facturx_rules():
    # A currencyID on the line total: CEN says CII-DT-031, Factur-X reports the attribute as not used
    # in BASIC (a successful-report without flag or id: fatal, id derived from the rule set).
    line_total = b"<ram:LineTotalAmount>2500.00</ram:LineTotalAmount>"
    data = cii_basic().replace(line_total, b'<ram:LineTotalAmount currencyID="PEN">2500.00</ram:LineTotalAmount>', 1)
    report = check(data)
    assert report.scenario == "facturx-basic"
    assert statuses(report) == {
        "schema:cii-facturx-basic": "passed",
        "rules:en16931-cii": "failed",
        "rules:facturx-basic": "failed",
    }
    assert sorted(report.svrl) == ["en16931-cii", "facturx-basic"]
    by_stage = {finding.stage: finding for finding in report.findings}
    assert by_stage["rules:en16931-cii"].rule_id == "CII-DT-031"
    facturx = by_stage["rules:facturx-basic"]
    assert re.fullmatch(r"FACTURX-BASIC-[0-9a-f]{8}", facturx.rule_id)
    assert facturx.severity == FATAL
    assert facturx.message == "Attribute @currencyID' marked as not used in the given context."
    line = next(n for n, text in enumerate(data.splitlines(), 1) if b'currencyID="PEN">2500' in text)
    assert by_stage["rules:en16931-cii"].line == facturx.line == line


def test_a_warning_leaves_the_document_valid():
    data = re.sub(
        rb"<ram:ApplicableHeaderTradeDelivery>.*?</ram:ApplicableHeaderTradeDelivery>",
        b"<ram:ApplicableHeaderTradeDelivery/>",
        cii_basic(),
        flags=re.DOTALL,
    )
    report = check(data)
    assert report.valid
    [warning] = report.warnings
    assert (warning.rule_id, warning.severity, warning.stage) == ("FX-SCH-A-000372", WARNING, "rules:facturx-basic")
    assert warning.message.startswith("[PEPPOL-EN16931-R008]-Document MUST not contain empty elements.")
    assert warning.path == "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeDelivery"


def test_an_xrechnung_identifier_is_judged_by_the_cen_rules_only():
    report = check(cii_basic(XRECHNUNG))
    assert (report.scenario, report.specification_id) == ("cii-en16931", XRECHNUNG)
    assert statuses(report) == {"schema:cii-en16931": "passed", "rules:en16931-cii": "passed"}
    assert sorted(report.svrl) == ["en16931-cii"]


def test_the_plain_en16931_identifier_is_not_taken_for_facturx():
    report = check(cii_basic("urn:cen.eu:en16931:2017"))
    assert report.scenario == "cii-en16931"
    assert sorted(report.svrl) == ["en16931-cii"]


@pytest.mark.parametrize(
    ("guideline", "found"),
    [
        ("urn:example:something-else", "'urn:example:something-else'"),
        ("", "No specification identifier"),
    ],
)
def test_an_unknown_specification_is_one_portal_scenario_finding(guideline, found):
    report = check(cii_basic(guideline))
    assert report.scenario is None
    assert not report.valid
    [finding] = report.findings
    assert (finding.rule_id, finding.severity, finding.stage) == ("PORTAL-SCENARIO", FATAL, "scenario")
    assert found in finding.message
    assert FACTURX_BASIC in finding.message
    assert "urn:factur-x.eu:1p0:minimum" in finding.message
    assert finding.line == read_document(cii_basic(guideline)).root.sourceline
    assert finding.path == "/rsm:CrossIndustryInvoice"
    assert report.stages[0].name == "scenario"
    assert report.svrl == {}


def test_a_ubl_invoice_without_an_en16931_customization_has_no_scenario():
    data = ubl_invoice()
    old = re.search(rb"<cbc:CustomizationID>[^<]*</cbc:CustomizationID>", data).group(0)
    report = check(replaced(data, old, b"<cbc:CustomizationID>urn:example:ubl</cbc:CustomizationID>"))
    [finding] = report.findings
    assert finding.rule_id == "PORTAL-SCENARIO"
    assert "cbc:CustomizationID" in finding.message
    assert finding.path == "/Invoice"


# --- where a finding points -----------------------------------------------------------------------


def test_finding_lines_and_paths_point_at_the_element():
    data = replaced(
        replaced(
            cii_invoice(),
            b"<ram:LineTotalAmount>3500.00</ram:LineTotalAmount>",
            b"<ram:LineTotalAmount>3600.00</ram:LineTotalAmount>",
        ),
        b"<ram:CalculatedAmount>549.00</ram:CalculatedAmount>",
        b"<ram:CalculatedAmount>550.00</ram:CalculatedAmount>",
    )
    root = read_document(data).root
    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    summation = root.find(f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS)
    category = root.find(f"{settlement}/ram:ApplicableTradeTax/ram:CategoryCode", NS)
    findings = {finding.rule_id: finding for finding in check(data).findings}

    assert findings["BR-CO-10"].line == summation.sourceline
    assert findings["BR-CO-10"].path == (
        "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
        "/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    )
    assert findings["BR-CO-10"].location.startswith("/*:CrossIndustryInvoice[namespace-uri()=")
    assert findings["BR-S-09"].line == category.sourceline  # the first ApplicableTradeTax is the S one
    assert findings["BR-CO-14"].line == summation.find("ram:TaxTotalAmount", NS).sourceline


def test_svrl_locations_translate_to_xpath_1():
    rsm, ram = NS["rsm"], NS["ram"]
    location = (
        f"/*:CrossIndustryInvoice[namespace-uri()='{rsm}'][1]"
        f"/*:SupplyChainTradeTransaction[namespace-uri()='{rsm}'][1]"
        f"/*:IncludedSupplyChainTradeLineItem[namespace-uri()='{ram}'][3]"
        "/@*[local-name()='x' and namespace-uri()='u:v']"
    )
    assert xpath1(location) == (
        f"/*[local-name()='CrossIndustryInvoice' and namespace-uri()='{rsm}'][1]"
        f"/*[local-name()='SupplyChainTradeTransaction' and namespace-uri()='{rsm}'][1]"
        f"/*[local-name()='IncludedSupplyChainTradeLineItem' and namespace-uri()='{ram}'][3]"
        "/@*[local-name()='x' and namespace-uri()='u:v']"
    )
    assert readable_path(location) == (
        "/rsm:CrossIndustryInvoice/rsm:SupplyChainTradeTransaction/ram:IncludedSupplyChainTradeLineItem[3]/@x"
    )
    # Order-X style (no namespace in the path), a plain attribute, an element in no namespace.
    assert xpath1("/*[local-name()='Order']/*[local-name()='Line'][2]/@unitCode") == (
        "/*[local-name()='Order'][1]/*[local-name()='Line'][2]/@*[local-name()='unitCode' and namespace-uri()='']"
    )
    assert xpath1("/root[1]/child[2]") == (
        "/*[local-name()='root' and namespace-uri()=''][1]/*[local-name()='child' and namespace-uri()=''][2]"
    )
    # Not a path the skeleton writes: nothing to evaluate, the location is shown as it is.
    assert xpath1("/*:a[namespace-uri()='x'][1] | //evil") is None
    assert xpath1("") is None
    assert readable_path("somewhere") == "somewhere"


def test_attribute_findings_point_at_their_element_line():
    data = b"""<?xml version="1.0"?>
<r:Root xmlns:r="urn:r">
  <r:A/>
  <r:A r:flag="1"/>
</r:Root>"""
    tree = etree.ElementTree(etree.fromstring(data))
    node = rules.locate(tree, "/*:Root[namespace-uri()='urn:r'][1]/*:A[namespace-uri()='urn:r'][2]")
    assert node.sourceline == 4
    attribute = rules.locate(
        tree,
        "/*:Root[namespace-uri()='urn:r'][1]/*:A[namespace-uri()='urn:r'][2]"
        "/@*[local-name()='flag' and namespace-uri()='urn:r']",
    )
    assert attribute == "1"
    assert rules._line(attribute) == 4


@pytest.mark.parametrize(
    ("flag", "expected"),
    [
        ("fatal", FATAL),
        ("error", FATAL),
        ("ERROR", FATAL),
        ("warning", WARNING),
        ("information", WARNING),
        ("info", WARNING),
        (None, FATAL),
        ("", FATAL),
        ("something-new", FATAL),
    ],
)
def test_flags_map_to_two_severities(flag, expected):
    assert severity(flag) == expected


# --- Saxon: threads and what it may read ----------------------------------------------------------


def test_rules_run_correctly_from_four_threads_at_once():
    documents = {
        "valid-cii": (cii_invoice(), "en16931-cii", set()),
        "br-co-10": (
            replaced(
                cii_invoice(),
                b"<ram:LineTotalAmount>3500.00</ram:LineTotalAmount>",
                b"<ram:LineTotalAmount>3600.00</ram:LineTotalAmount>",
            ),
            "en16931-cii",
            {"BR-CO-10", "BR-CO-13"},
        ),
        "valid-ubl": (ubl_invoice(), "en16931-ubl", set()),
        "order-x": (ORDER_X_BASIC, "orderx-basic", set()),
    }
    expected = {name: {f.rule_id for f in run_rules(rs, data).findings} for name, (data, rs, _) in documents.items()}
    for name, (_, _, fatal) in documents.items():
        assert fatal <= expected[name]
    results: list[tuple[str, set[str]]] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def work(names: list[str]) -> None:
        try:
            start.wait()
            for _ in range(5):
                for name in names:
                    data, ruleset, _ = documents[name]
                    results.append((name, {f.rule_id for f in run_rules(ruleset, data).findings}))
        except BaseException as error:
            errors.append(error)

    names = list(documents)
    threads = [threading.Thread(target=work, args=(names[i:] + names[:i],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(results) == 4 * 5 * len(documents)
    assert all(found == expected[name] for name, found in results)


def test_validate_from_four_threads_gives_the_same_reports():
    documents = [cii_invoice(), ubl_invoice(), ubl_credit_note(), cii_basic()]
    expected = [check(data).to_dict(svrl=False)["findings"] for data in documents]
    results: dict[int, list] = {}

    def work(index: int) -> None:
        results[index] = [check(documents[index]).to_dict(svrl=False)["findings"] for _ in range(3)]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(results[i] == [expected[i]] * 3 for i in range(4))


def test_saxon_may_not_reach_the_network():
    stylesheet = (
        '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">'
        '<xsl:template match="/"><r><xsl:copy-of select="document(\'http://127.0.0.1:9/x.xml\')"/></r>'
        "</xsl:template></xsl:stylesheet>"
    )
    with rules._lock:
        processor = rules._processor()
        executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_text=stylesheet)
        with pytest.raises(Exception, match="prohibited"):
            executable.transform_to_string(xdm_node=processor.parse_xml(xml_text="<a/>"))


def test_the_factur_x_code_lists_next_to_the_stylesheet_are_read():
    # A currency outside the code list is caught by the Factur-X rule that looks it up in its codedb
    # (read with document() next to the stylesheet); the schema lets any three letters through.
    data = replaced(
        cii_basic(),
        b"<ram:InvoiceCurrencyCode>PEN</ram:InvoiceCurrencyCode>",
        b"<ram:InvoiceCurrencyCode>QQQ</ram:InvoiceCurrencyCode>",
    )
    report = check(data)
    messages = {f.message for f in report.findings if f.stage == "rules:facturx-basic"}
    assert "Value of 'ram:InvoiceCurrencyCode' is not allowed." in messages


def test_run_rules_takes_bytes_through_the_hardened_parser():
    hostile = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<x>&e;</x>'
    with pytest.raises(IntakeError) as error:
        run_rules("en16931-cii", hostile)
    assert error.value.code == "doctype_forbidden"
