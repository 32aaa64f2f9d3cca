"""Order-X 1.0 (UN/CEFACT SCRDM Cross Industry Order, D20B) ⇄ the canonical ``Order``.

``parse_order`` reads a tree from the hardened parser (``intake.read_document``) into an ``Order``;
``render_order`` builds the tree back, in the element order of the profile's XSD, and refuses to
return anything the XSD rejects (``schemas.ensure_valid``). Decimals are written with ``str`` and
read with ``Decimal``, never requantized, so that ``parse_order(render_order(x)) == x``.

Order-X profiles nest: BASIC ⊂ COMFORT ⊂ EXTENDED. The profile is chosen from
``Order.specification`` (BT-24); COMFORT carries every field of the model, BASIC drops what its
schema has no place for (see ``_Profile``).

Where an identifier has no scheme it is written as ``ram:ID``, with a scheme as
``ram:GlobalID/@schemeID`` (the Order-X rules require a scheme on every GlobalID).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from lxml import etree

from tradedocs.model import (
    ORDERX_BASIC,
    Delivery,
    Identifier,
    Item,
    Order,
    OrderLine,
    OrderTotals,
    Party,
    Price,
)

from ._common import stripped, to_decimal, unreadable, ymd
from .intake import IntakeError
from .schemas import ensure_valid
from .uncefact import DATE_FORMAT, Ram

# The official namespace of the message (the XSD's targetNamespace): unlike CII it has no
# ``standard:`` segment. The variant with ``standard:`` is read too, since some producers write it.
RSM = "urn:un:unece:uncefact:data:SCRDMCCBDACIOMessageStructure:100"
RSM_READ = (RSM, "urn:un:unece:uncefact:data:standard:SCRDMCCBDACIOMessageStructure:100")
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:128"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:128"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT}
ROOT = "SCRDMCCBDACIOMessageStructure"

DATE_LENGTHS = {DATE_FORMAT: 8, "203": 12, "204": 14}  # … and CCYYMMDDHHMM, CCYYMMDDHHMMSS
NS = {"ram": RAM, "udt": UDT}


class _Ram(Ram):
    """The ram: vocabulary as Order-X has always read and written it: a party's legal organisation
    terms from any ram:SpecifiedLegalOrganization, the last tax registration of a scheme, and
    decimals with ``str``."""

    def legal_organization(self, party: etree._Element, path: str) -> etree._Element | None:
        return self.find(party, f"ram:SpecifiedLegalOrganization/{path}")

    def tax_registration(self, party: etree._Element, scheme: str) -> str:
        registrations = self.findall(party, "ram:SpecifiedTaxRegistration/ram:ID")
        found = [e for e in registrations if (e.get("schemeID") or "").strip() == scheme]
        return stripped(found[-1]) if found else ""


_ram = _Ram(NSMAP, number=str)
_text, _qualified, _sub, _path = _ram.text, _ram.qname, _ram.sub, _ram.chain


# ── reading ──────────────────────────────────────────────────────────────────────────────────────


def _required(element: etree._Element | None, path: str, term: str) -> str:
    value = _text(element, path)
    if not value:
        raise unreadable(f"The order has no {term} ({path}).")
    return value


def _to_decimal(raw: str, path: str) -> Decimal:
    return to_decimal(raw, lambda _: f"The value {raw!r} of {path} is not a number.")


def _decimal(element: etree._Element | None, path: str) -> Decimal | None:
    raw = _text(element, path)
    return _to_decimal(raw, path) if raw else None


def _required_decimal(element: etree._Element | None, path: str, term: str) -> Decimal:
    return _to_decimal(_required(element, path, term), path)


def _date(element: etree._Element | None, path: str) -> datetime.date | None:
    """A udt:DateTimeType at ``path``: a DateTimeString (format 102, or 203/204 whose time of day the
    model has no place for), or an xsd:dateTime."""
    holder = element.find(path, NS) if element is not None else None
    if holder is None:
        return None
    string = holder.find("udt:DateTimeString", NS)
    if string is not None:
        raw, fmt = (string.text or "").strip(), string.get("format", DATE_FORMAT).strip()
        if fmt not in DATE_LENGTHS:
            raise unreadable(f"The date format {fmt!r} of {path} is not one of 102, 203 or 204.")
        valid = len(raw) == DATE_LENGTHS[fmt] and raw.isdigit()
        day = raw[:8]
    else:
        raw = _text(holder, "udt:DateTime")
        valid, day = bool(raw), raw[:10].replace("-", "")
    if not raw:
        return None
    try:
        if not valid:
            raise ValueError(raw)
        return ymd(day)
    except ValueError:
        raise unreadable(f"The date {raw!r} of {path} is not a valid date.") from None


def _first_identifier(element: etree._Element | None, *paths: str) -> Identifier | None:
    for path in paths:
        found = _ram.identifier(element.find(path, NS)) if element is not None else None
        if found is not None:
            return found
    return None


def _party(element: etree._Element | None, term: str) -> Party:
    if element is None:
        raise unreadable(f"The order has no {term}.")
    return _ram.parse_party(element, _required(element, "ram:Name", f"{term} name"))


def _price(agreement: etree._Element | None, line_id: str) -> Price:
    net = agreement.find("ram:NetPriceProductTradePrice", NS) if agreement is not None else None
    gross = agreement.find("ram:GrossPriceProductTradePrice", NS) if agreement is not None else None
    basis = net.find("ram:BasisQuantity", NS) if net is not None else None
    if basis is None and gross is not None:
        basis = gross.find("ram:BasisQuantity", NS)
    discount = None
    if gross is not None:
        for allowance in gross.findall("ram:AppliedTradeAllowanceCharge", NS):
            if _text(allowance, "ram:ChargeIndicator/udt:Indicator").lower() in ("false", "0"):
                discount = _decimal(allowance, "ram:ActualAmount")
                break
    return Price(
        net=_required_decimal(net, "ram:ChargeAmount", f"net price of line {line_id}"),
        discount=discount,
        gross=_decimal(gross, "ram:ChargeAmount"),
        base_quantity=_decimal(basis, ".") if basis is not None else None,
        base_quantity_unit=basis.get("unitCode", "").strip() if basis is not None else "",
    )


def _item(product: etree._Element | None, line_id: str) -> Item:
    return _ram.parse_item(product, _required(product, "ram:Name", f"item name of line {line_id}"))


def _line(element: etree._Element) -> OrderLine:
    document = element.find("ram:AssociatedDocumentLineDocument", NS)
    line_id = _required(document, "ram:LineID", "line identifier (BT-126)")
    delivery = element.find("ram:SpecifiedLineTradeDelivery", NS)
    settlement = element.find("ram:SpecifiedLineTradeSettlement", NS)
    quantity = delivery.find("ram:RequestedQuantity", NS) if delivery is not None else None
    tax = settlement.find("ram:ApplicableTradeTax", NS) if settlement is not None else None
    return OrderLine(
        id=line_id,
        quantity=_required_decimal(delivery, "ram:RequestedQuantity", f"quantity of line {line_id}"),
        unit=quantity.get("unitCode", "").strip() if quantity is not None else "",
        net_amount=_required_decimal(
            settlement,
            "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            f"net amount of line {line_id}",
        ),
        price=_price(element.find("ram:SpecifiedLineTradeAgreement", NS), line_id),
        item=_item(element.find("ram:SpecifiedTradeProduct", NS), line_id),
        vat_category=_text(tax, "ram:CategoryCode"),
        vat_rate=_decimal(tax, "ram:RateApplicablePercent"),
        note="\n".join(n.text for n in _ram.parse_notes(document)),
    )


def _delivery(element: etree._Element | None) -> Delivery | None:
    if element is None:
        return None
    ship_to = element.find("ram:ShipToTradeParty", NS)
    date = _date(element, "ram:RequestedDeliverySupplyChainEvent/ram:OccurrenceDateTime")
    if ship_to is None and date is None:
        return None
    return Delivery(
        party_name=_text(ship_to, "ram:Name"),
        location_id=_first_identifier(ship_to, "ram:ID", "ram:GlobalID"),
        date=date,
        address=_ram.parse_address(ship_to.find("ram:PostalTradeAddress", NS)) if ship_to is not None else None,
    )


def parse_order(root: etree._Element) -> Order:
    """The ``Order`` carried by an Order-X message; IntakeError("unreadable") when a mandatory term
    is missing or a value cannot be read."""
    qname = etree.QName(root)
    if qname.localname != ROOT or qname.namespace not in RSM_READ:
        raise IntakeError("unknown_document", f"The root element {qname.text} is not an Order-X order.")
    rsm = qname.namespace
    context = root.find(f"{{{rsm}}}ExchangedDocumentContext")
    document = root.find(f"{{{rsm}}}ExchangedDocument")
    transaction = root.find(f"{{{rsm}}}SupplyChainTradeTransaction")
    if document is None:
        raise unreadable("The order has no rsm:ExchangedDocument, so no number (BT-1) or issue date (BT-2).")
    if transaction is None:
        raise unreadable("The order has no rsm:SupplyChainTradeTransaction, so no parties, lines or totals.")
    number = _required(document, "ram:ID", "order number (BT-1)")
    type_code = _required(document, "ram:TypeCode", "document type code (BT-3)")
    issue_date = _date(document, "ram:IssueDateTime")
    if issue_date is None:
        raise unreadable("The order has no issue date (BT-2, ram:IssueDateTime/udt:DateTimeString).")
    agreement = transaction.find("ram:ApplicableHeaderTradeAgreement", NS)
    settlement = transaction.find("ram:ApplicableHeaderTradeSettlement", NS)
    summation = (
        settlement.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS) if settlement is not None else None
    )
    return Order(
        number=number,
        issue_date=issue_date,
        currency=_required(settlement, "ram:OrderCurrencyCode", "order currency (BT-5)"),
        seller=_party(agreement.find("ram:SellerTradeParty", NS) if agreement is not None else None, "seller (BG-4)"),
        buyer=_party(agreement.find("ram:BuyerTradeParty", NS) if agreement is not None else None, "buyer (BG-7)"),
        totals=OrderTotals(
            line_total=_required_decimal(summation, "ram:LineTotalAmount", "sum of line net amounts (BT-106)"),
            tax_exclusive=_decimal(summation, "ram:TaxBasisTotalAmount"),
            tax_total=_decimal(summation, "ram:TaxTotalAmount"),
            tax_inclusive=_decimal(summation, "ram:GrandTotalAmount"),
        ),
        lines=tuple(_line(line) for line in transaction.findall("ram:IncludedSupplyChainTradeLineItem", NS)),
        type_code=type_code,
        specification=_required(
            context, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", "specification identifier (BT-24)"
        ),
        business_process=_text(context, "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"),
        buyer_reference=_text(agreement, "ram:BuyerReference"),
        contract_reference=_text(agreement, "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        project_reference=_text(agreement, "ram:SpecifiedProcuringProject/ram:ID"),
        quotation_reference=_text(agreement, "ram:QuotationReferencedDocument/ram:IssuerAssignedID"),
        payment_terms=_text(settlement, "ram:SpecifiedTradePaymentTerms/ram:Description"),
        notes=_ram.parse_notes(document),
        delivery=_delivery(transaction.find("ram:ApplicableHeaderTradeDelivery", NS)),
    )


# ── writing ──────────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class _Profile:
    """What the chosen Order-X profile's schema has room for (BASIC lacks the COMFORT extras)."""

    schema: str
    comfort: bool  # COMFORT and EXTENDED: project, payment terms, party description, second tax
    #   registration, line VAT, gross price and discount, item description/classification/origin


def _profile(specification: str) -> _Profile:
    if specification == ORDERX_BASIC or specification.endswith(":basic"):
        return _Profile("orderx-basic", comfort=False)
    if specification.endswith(":extended"):
        return _Profile("orderx-extended", comfort=True)
    return _Profile("orderx-comfort", comfort=True)


def _optional(parent: etree._Element, path: str, value: str | Decimal | None, **attributes: str) -> None:
    """Write ``path`` only when the model has a value for it."""
    if value not in (None, ""):
        _path(parent, path, str(value), **attributes)


def _write_party(parent: etree._Element, tag: str, party: Party, profile: _Profile) -> None:
    element = _sub(parent, tag)
    # The schema wants the one ram:ID before the ram:GlobalIDs.
    unschemed = [i for i in party.identifiers if not i.scheme][:1]
    for identifier in (*unschemed, *(i for i in party.identifiers if i.scheme)):
        _ram.render_id(element, identifier)
    _optional(element, "ram:Name", party.name)
    if profile.comfort:
        _optional(element, "ram:Description", party.legal_info)
    _ram.render_party_details(element, party, tax_registrations=2 if profile.comfort else 1)


def _write_line(parent: etree._Element, line: OrderLine, profile: _Profile) -> None:
    element = _sub(parent, "ram:IncludedSupplyChainTradeLineItem")
    document = _sub(element, "ram:AssociatedDocumentLineDocument")
    _sub(document, "ram:LineID", line.id)
    _optional(document, "ram:IncludedNote/ram:Content", line.note)

    _ram.render_product(element, line.item, details=profile.comfort)

    price = line.price
    agreement = _sub(element, "ram:SpecifiedLineTradeAgreement")
    if profile.comfort and price.gross is not None:
        gross = _sub(agreement, "ram:GrossPriceProductTradePrice")
        _sub(gross, "ram:ChargeAmount", str(price.gross))
        _optional(gross, "ram:BasisQuantity", price.base_quantity, unitCode=price.base_quantity_unit)
        if price.discount is not None:
            allowance = _sub(gross, "ram:AppliedTradeAllowanceCharge")
            _path(allowance, "ram:ChargeIndicator/udt:Indicator", "false")
            _sub(allowance, "ram:ActualAmount", str(price.discount))
    net = _sub(agreement, "ram:NetPriceProductTradePrice")
    _sub(net, "ram:ChargeAmount", str(price.net))
    _optional(net, "ram:BasisQuantity", price.base_quantity, unitCode=price.base_quantity_unit)

    delivery = _sub(element, "ram:SpecifiedLineTradeDelivery")
    _sub(delivery, "ram:RequestedQuantity", str(line.quantity), unitCode=line.unit)

    settlement = _sub(element, "ram:SpecifiedLineTradeSettlement")
    if profile.comfort and line.vat_category:
        _ram.render_tax(settlement, "ram:ApplicableTradeTax", line.vat_category, line.vat_rate)
    _path(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount", str(line.net_amount))


def render_order(order: Order) -> bytes:
    """The order as Order-X XML (UTF-8), valid against its profile's XSD; RenderError otherwise."""
    profile = _profile(order.specification)
    root = etree.Element(_qualified(f"rsm:{ROOT}"), nsmap=NSMAP)
    transaction = _ram.render_header(root, order)
    for line in order.lines:
        _write_line(transaction, line, profile)

    agreement = _sub(transaction, "ram:ApplicableHeaderTradeAgreement")
    _optional(agreement, "ram:BuyerReference", order.buyer_reference)
    _write_party(agreement, "ram:SellerTradeParty", order.seller, profile)
    _write_party(agreement, "ram:BuyerTradeParty", order.buyer, profile)
    _optional(agreement, "ram:QuotationReferencedDocument/ram:IssuerAssignedID", order.quotation_reference)
    _optional(agreement, "ram:ContractReferencedDocument/ram:IssuerAssignedID", order.contract_reference)
    if profile.comfort:
        _ram.render_project(agreement, order.project_reference)

    _ram.render_delivery(transaction, order.delivery, event="ram:RequestedDeliverySupplyChainEvent")

    settlement = _sub(transaction, "ram:ApplicableHeaderTradeSettlement")
    _sub(settlement, "ram:OrderCurrencyCode", order.currency)
    if profile.comfort:
        _optional(settlement, "ram:SpecifiedTradePaymentTerms/ram:Description", order.payment_terms)
    totals = order.totals
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _sub(summation, "ram:LineTotalAmount", str(totals.line_total))
    # TaxBasisTotalAmount is mandatory in Order-X; without BT-109 it equals the line total.
    tax_basis = totals.tax_exclusive if totals.tax_exclusive is not None else totals.line_total
    _sub(summation, "ram:TaxBasisTotalAmount", str(tax_basis))
    _optional(summation, "ram:TaxTotalAmount", totals.tax_total, currencyID=order.currency)
    _optional(summation, "ram:GrandTotalAmount", totals.tax_inclusive)

    return ensure_valid(profile.schema, root)
