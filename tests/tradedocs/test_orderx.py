"""The Order-X adapter: an order survives render → parse unchanged, what it writes satisfies the
profile's XSD and the official Order-X Schematron, and what it reads refuses a document without a
mandatory term with the stable code "unreadable"."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal as D

import pytest
from lxml import etree

from tests.tradedocs.samples import order
from tradedocs.model import (
    ORDERX_BASIC,
    Address,
    Delivery,
    Identifier,
    Item,
    Note,
    Order,
    OrderLine,
    OrderTotals,
    Party,
    Price,
)
from tradedocs.xml.artefacts import RULESETS
from tradedocs.xml.intake import IntakeError, parse_xml, read_document
from tradedocs.xml.orderx import RSM, parse_order, render_order
from tradedocs.xml.schemas import schema_errors

NS = {
    "rsm": RSM,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:128",
    "svrl": "http://purl.oclc.org/dsdl/svrl",
}


def fewer_terms() -> Order:
    """What an order needs and little else: the Order-X rules still want the buyer's address."""
    return Order(
        number="OC-7",
        issue_date=datetime.date(2026, 11, 3),
        currency="PEN",
        seller=Party(name="Bodega Don Lucho E.I.R.L."),
        buyer=Party(name="Municipalidad de Miraflores", address=Address(country="PE")),
        totals=OrderTotals(line_total=D("100.00"), tax_exclusive=D("100.00")),
        lines=(
            OrderLine(
                id="1",
                quantity=D("4"),
                unit="H87",
                net_amount=D("100.00"),
                price=Price(net=D("25.00")),
                item=Item(name="Resma de papel A4"),
            ),
        ),
    )


def every_term() -> Order:
    """The sample order with every field of the model the COMFORT profile has room for."""
    base = order()
    seller = dataclasses.replace(base.seller, tax_registration_id="RUC-20100070970")
    first = base.lines[0]
    line = dataclasses.replace(
        first,
        note="Entrega en dos partes",
        price=Price(net=D("2.50"), gross=D("2.75"), discount=D("0.25"), base_quantity=D("1"), base_quantity_unit="C62"),
        item=dataclasses.replace(
            first.item,
            description="Caja de 50 unidades, norma EN 14683 tipo IIR",
            buyer_id="MINSA-4213",
            standard_id=Identifier("07751234567894", "0160"),
            origin_country="PE",
        ),
    )
    return dataclasses.replace(
        base,
        seller=seller,
        business_process="urn:portal:procurement:contract",
        project_reference="PRJ-77",
        quotation_reference="COT-2026-0099",
        notes=(*base.notes, Note("Sin retención", subject_code="AAI")),
        delivery=dataclasses.replace(base.delivery, location_id=Identifier("7750000000017", "0088")),
        lines=(line, base.lines[1]),
    )


def round_trip(model: Order) -> Order:
    return parse_order(parse_xml(render_order(model)))


# ── render → parse ───────────────────────────────────────────────────────────────────────────────


def test_the_sample_order_survives_a_round_trip():
    assert round_trip(order()) == order()


def test_an_order_with_fewer_terms_survives_a_round_trip():
    assert round_trip(fewer_terms()) == fewer_terms()


def test_every_term_comfort_carries_survives_a_round_trip():
    assert round_trip(every_term()) == every_term()


def test_decimals_keep_their_scale():
    line = round_trip(order()).lines[0]
    assert (str(line.net_amount), str(line.price.net), str(line.vat_rate)) == ("2500.00", "2.50", "18.00")


@pytest.mark.parametrize("model", [order(), fewer_terms(), every_term()], ids=["sample", "fewer", "every"])
def test_what_is_rendered_satisfies_the_comfort_schema(model):
    assert schema_errors("orderx-comfort", parse_xml(render_order(model))) == []


def test_the_sample_order_reads_as_expected_at_the_key_places():
    root = parse_xml(render_order(order()))

    def text(path: str) -> list[str]:
        return [e.text if isinstance(e, etree._Element) else str(e) for e in root.xpath(path, namespaces=NS)]

    assert etree.QName(root).text == f"{{{RSM}}}SCRDMCCBDACIOMessageStructure"
    assert text("rsm:ExchangedDocumentContext/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID") == [
        "urn:order-x.eu:1p0:comfort"
    ]
    assert text("rsm:ExchangedDocument/ram:TypeCode") == ["220"]
    assert text("rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString[@format='102']") == ["20261110"]
    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    assert text(f"{settlement}/ram:OrderCurrencyCode") == ["PEN"]
    summation = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    assert text(f"{summation}/ram:TaxTotalAmount/@currencyID") == ["PEN"]
    assert text(f"{summation}/ram:GrandTotalAmount") == ["3658.00"]
    seller = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/ram:SellerTradeParty"
    assert text(f"{seller}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == ["PE20100070970"]
    assert text("//ram:RequestedQuantity/@unitCode") == ["C62", "KGM"]


def test_without_a_tax_basis_the_line_total_is_written_for_it():
    """TaxBasisTotalAmount is mandatory in Order-X; BT-109 is optional in the model."""
    model = dataclasses.replace(fewer_terms(), totals=OrderTotals(line_total=D("100.00")))
    assert round_trip(model).totals == OrderTotals(line_total=D("100.00"), tax_exclusive=D("100.00"))


def test_the_basic_profile_drops_what_its_schema_has_no_room_for():
    model = dataclasses.replace(every_term(), specification=ORDERX_BASIC)
    data = render_order(model)
    assert schema_errors("orderx-basic", parse_xml(data)) == []
    back = parse_order(parse_xml(data))
    assert back.specification == ORDERX_BASIC
    assert (back.payment_terms, back.project_reference, back.seller.legal_info) == ("", "", "")
    assert back.seller.tax_registration_id == ""
    assert back.lines[0].vat_category == ""
    assert back.lines[0].price == Price(net=D("2.50"), base_quantity=D("1"), base_quantity_unit="C62")
    assert back.lines[0].item.classifications == ()
    assert (back.number, back.totals, back.buyer) == (model.number, model.totals, model.buyer)


# ── the official Order-X Schematron (COMFORT) ────────────────────────────────────────────────────


@pytest.fixture(scope="session")
def saxon():
    from saxonche import PySaxonProcessor

    return PySaxonProcessor(license=False)


@pytest.fixture(scope="session")
def orderx_comfort_rules(saxon):
    xslt = saxon.new_xslt30_processor()
    return xslt.compile_stylesheet(stylesheet_file=str(RULESETS["orderx-comfort"]()))


def svrl_report(saxon, rules, data: bytes) -> etree._Element:
    svrl = rules.transform_to_string(xdm_node=saxon.parse_xml(xml_text=data.decode()))
    return etree.fromstring(svrl.encode())


def blocking(report: etree._Element) -> list[str]:
    """Failed assertions that block: flagged fatal or error, or — as in the Order-X rule set, whose
    assertions carry no flag at all — unflagged."""
    return [
        f"{a.get('location')}: {' '.join(a.findtext('svrl:text', '', NS).split())}"
        for a in report.iterfind(".//svrl:failed-assert", NS)
        if a.get("flag") in (None, "fatal", "error")
    ]


@pytest.mark.parametrize("model", [order(), fewer_terms(), every_term()], ids=["sample", "fewer", "every"])
def test_what_is_rendered_passes_the_order_x_schematron(saxon, orderx_comfort_rules, model):
    report = svrl_report(saxon, orderx_comfort_rules, render_order(model))
    assert report.findall(".//svrl:fired-rule", NS), "no rule fired: the namespaces do not match the rule set"
    assert blocking(report) == []


def test_the_schematron_catches_what_the_schema_lets_through(saxon, orderx_comfort_rules):
    """The XSD leaves the buyer's address optional; the Order-X rules do not."""
    model = dataclasses.replace(fewer_terms(), buyer=Party(name="Municipalidad de Miraflores"))
    report = svrl_report(saxon, orderx_comfort_rules, render_order(model))
    assert [a.get("test") for a in report.iterfind(".//svrl:failed-assert", NS)] == ["count(ram:PostalTradeAddress)=1"]


# ── parsing what others write ────────────────────────────────────────────────────────────────────

MINIMAL = """<?xml version="1.0" encoding="UTF-8"?>
<rsm:SCRDMCCBDACIOMessageStructure
    xmlns:rsm="urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100"
    xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128"
    xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:128">
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter><ram:ID>urn:order-x.eu:1p0:basic</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID> PO-1 </ram:ID>
    <ram:TypeCode>220</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20261201</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:AssociatedDocumentLineDocument><ram:LineID>10</ram:LineID></ram:AssociatedDocumentLineDocument>
      <ram:SpecifiedTradeProduct><ram:Name>Guantes de nitrilo</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount> 0.35 </ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:RequestedQuantity unitCode="H87">200</ram:RequestedQuantity>
      </ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>70.0</ram:LineTotalAmount>
        </ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty><ram:Name>Insumos del Sur S.R.L.</ram:Name></ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Hospital Regional</ram:Name>
        <ram:PostalTradeAddress><ram:CountryID>PE</ram:CountryID></ram:PostalTradeAddress>
      </ram:BuyerTradeParty>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeDelivery/>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:OrderCurrencyCode>PEN</ram:OrderCurrencyCode>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>70.0</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>70.0</ram:TaxBasisTotalAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:SCRDMCCBDACIOMessageStructure>
"""


def test_a_minimal_order_x_parses_with_defaults():
    parsed = parse_order(parse_xml(MINIMAL.encode()))
    assert parsed == Order(
        number="PO-1",
        issue_date=datetime.date(2026, 12, 1),
        currency="PEN",
        specification=ORDERX_BASIC,
        seller=Party(name="Insumos del Sur S.R.L."),
        buyer=Party(name="Hospital Regional", address=Address(country="PE")),
        totals=OrderTotals(line_total=D("70.0"), tax_exclusive=D("70.0")),
        lines=(
            OrderLine(
                id="10",
                quantity=D("200"),
                unit="H87",
                net_amount=D("70.0"),
                price=Price(net=D("0.35")),
                item=Item(name="Guantes de nitrilo"),
            ),
        ),
    )
    assert (parsed.delivery, parsed.notes, parsed.seller.contact, parsed.lines[0].vat_rate) == (None, (), None, None)
    assert schema_errors("orderx-basic", parse_xml(MINIMAL.encode())) == []


@pytest.mark.parametrize(
    ("old", "new", "term"),
    [
        ("<ram:ID> PO-1 </ram:ID>", "", "BT-1"),
        ("<ram:ID> PO-1 </ram:ID>", "<ram:ID>  </ram:ID>", "BT-1"),
        ("<ram:TypeCode>220</ram:TypeCode>", "", "BT-3"),
        ('format="102">20261201', 'format="102">20261331', "20261331"),
        ('format="102">20261201', 'format="610">202612', "610"),
        ('format="102">20261201', 'format="102">2026-12-01', "2026-12-01"),
        ("<ram:OrderCurrencyCode>PEN</ram:OrderCurrencyCode>", "", "BT-5"),
        ("<ram:Name>Insumos del Sur S.R.L.</ram:Name>", "", "seller"),
        ("<ram:LineID>10</ram:LineID>", "", "BT-126"),
        ("<ram:Name>Guantes de nitrilo</ram:Name>", "", "item name of line 10"),
        ("<ram:ChargeAmount> 0.35 </ram:ChargeAmount>", "<ram:ChargeAmount>0,35</ram:ChargeAmount>", "'0,35'"),
        ("<ram:ChargeAmount> 0.35 </ram:ChargeAmount>", "<ram:ChargeAmount>NaN</ram:ChargeAmount>", "'NaN'"),
        ('<ram:RequestedQuantity unitCode="H87">200</ram:RequestedQuantity>', "", "quantity of line 10"),
        ("<ram:LineTotalAmount>70.0</ram:LineTotalAmount>\n        <ram:TaxBasis", "<ram:TaxBasis", "BT-106"),
        ("urn:order-x.eu:1p0:basic", "", "BT-24"),
    ],
)
def test_a_missing_or_unreadable_mandatory_term_is_refused_as_unreadable(old, new, term):
    data = MINIMAL.replace(old, new, 1)
    assert data != MINIMAL
    with pytest.raises(IntakeError) as error:
        parse_order(parse_xml(data.encode()))
    assert error.value.code == "unreadable"
    assert term in error.value.message


def test_a_document_without_exchanged_document_is_unreadable():
    start, end = MINIMAL.index("<rsm:ExchangedDocument>"), MINIMAL.index("<rsm:SupplyChainTradeTransaction>")
    with pytest.raises(IntakeError) as error:
        parse_order(parse_xml((MINIMAL[:start] + MINIMAL[end:]).encode()))
    assert error.value.code == "unreadable"


def test_another_root_is_not_an_order():
    with pytest.raises(IntakeError) as error:
        parse_order(parse_xml(b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>'))
    assert error.value.code == "unknown_document"


def test_a_date_with_a_time_of_day_is_read_as_its_day():
    data = MINIMAL.replace('format="102">20261201', 'format="203">202612011730')
    assert parse_order(parse_xml(data.encode())).issue_date == datetime.date(2026, 12, 1)


def test_the_namespace_variant_with_standard_is_read_too():
    variant = MINIMAL.replace(
        "uncefact:data:SCRDMCCBDACIOMessageStructure", "uncefact:data:standard:SCRDMCCBDACIOMessageStructure"
    )
    assert parse_order(parse_xml(variant.encode())) == parse_order(parse_xml(MINIMAL.encode()))


def test_a_delivery_with_only_a_date_is_read_back():
    model = dataclasses.replace(fewer_terms(), delivery=Delivery(date=datetime.date(2026, 12, 24)))
    assert round_trip(model) == model


def test_read_document_identifies_a_rendered_order():
    intake = read_document(render_order(order()))
    assert (intake.syntax, intake.document_type) == ("orderx", "order")
