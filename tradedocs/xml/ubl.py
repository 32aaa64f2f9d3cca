"""The OASIS UBL 2.1 Invoice and CreditNote adapter, following the EN 16931 UBL syntax binding
(CEN/TS 16931-3-2).

``parse_invoice`` reads a tree that came through the hardened intake into the canonical model;
``render_invoice`` writes the model back as UBL and refuses to hand out anything the UBL 2.1 XSD
does not accept. The two are inverse: ``parse_invoice(render_invoice(x)) == x``.

Reading is lenient about optional terms (absent text is ``""``, absent groups ``None`` or ``()``) but
strict about the mandatory ones: a document without, say, an invoice number cannot become an
``Invoice``, so it is refused with an ``IntakeError("unreadable", …)`` naming the business term.

Binding choices worth knowing:

- a note's subject code (BT-21) travels as a ``#CODE#`` prefix of ``cbc:Note``;
- a credit note (UBL 2.1 CreditNote has neither ``cbc:DueDate`` nor ``cac:ProjectReference``) carries
  the due date (BT-9) in ``cac:PaymentMeans/cbc:PaymentDueDate`` and the project reference (BT-11) in
  ``cac:AdditionalDocumentReference`` with document type code 50;
- each credit transfer (BG-17) is one ``cac:PaymentMeans`` repeating the means code and payment id,
  the means text (BT-82) only on the first (rules UBL-SR-44/46/47);
- a sales order reference (BT-14) without a purchase order reference (BT-13) writes ``NA`` as the
  order reference identifier, which UBL requires.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable
from decimal import Decimal

from lxml import etree

from tradedocs.model import (
    Address,
    AllowanceCharge,
    Contact,
    CreditTransfer,
    Delivery,
    Identifier,
    Invoice,
    InvoiceLine,
    Item,
    Note,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    Price,
    Totals,
    VatBreakdown,
)

from ._common import Names, number, to_decimal, unreadable
from .schemas import RenderError, SchemaError, ensure_valid

INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
NS = {"cac": CAC, "cbc": CBC}
_names = Names(NS)
_find, _findall, _text, _attr = _names.find, _names.findall, _names.text, _names.attribute
_add, _add_text = _names.sub, _names.opt

VAT = "VAT"
# The tax scheme written for the seller's tax registration identifier (BT-32): any scheme but VAT.
OTHER_TAX_SCHEME = "TAX"
# The document type code that marks an additional document reference as the project (BT-11) in a
# credit note.
PROJECT_DOCUMENT_TYPE = "50"
# Written as the purchase order reference when only the sales order reference (BT-14) is known.
NO_ORDER_REFERENCE = "NA"
# Identifiers with this scheme in the seller's PartyIdentification are the bank assigned creditor
# reference (BT-90), not seller identifiers (BT-29).
SEPA = "SEPA"

_NOTE_SUBJECT = re.compile(r"#([A-Za-z0-9]{1,3})#(.*)", re.DOTALL)


# ── reading ──────────────────────────────────────────────────────────────────────────────────────


def _required(element: etree._Element | None, path: str, what: str) -> str:
    value = _text(element, path)
    if not value:
        raise unreadable(f"The UBL document has no {what}.")
    return value


def _to_decimal(raw: str, what: str) -> Decimal:
    # UBL takes any xs:decimal-looking value Decimal reads, an infinity or NaN included.
    return to_decimal(raw, lambda _: f"The {what} is not a number: {raw!r}.", finite=False)


def _decimal(element: etree._Element | None, path: str, what: str) -> Decimal | None:
    raw = _text(element, path)
    return _to_decimal(raw, what) if raw else None


def _required_decimal(element: etree._Element | None, path: str, what: str) -> Decimal:
    return _to_decimal(_required(element, path, what), what)


def _date(element: etree._Element | None, path: str, what: str) -> datetime.date | None:
    raw = _text(element, path)
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise unreadable(f"The {what} is not an ISO date (YYYY-MM-DD): {raw!r}.") from None


def _identifier(element: etree._Element | None, path: str) -> Identifier | None:
    """An identifier with its @schemeID, or None when absent or empty."""
    found = _find(element, path)
    value = _text(found)
    if not value:
        return None
    return Identifier(value, (found.get("schemeID") or "").strip())


def _tax_scheme_is_vat(tax_scheme_parent: etree._Element) -> bool:
    return _text(tax_scheme_parent, "cac:TaxScheme/cbc:ID").upper() == VAT


def _parse_address(element: etree._Element | None) -> Address:
    return Address(
        line1=_text(element, "cbc:StreetName"),
        line2=_text(element, "cbc:AdditionalStreetName"),
        line3=_text(element, "cac:AddressLine/cbc:Line"),
        city=_text(element, "cbc:CityName"),
        postcode=_text(element, "cbc:PostalZone"),
        subdivision=_text(element, "cbc:CountrySubentity"),
        country=_text(element, "cac:Country/cbc:IdentificationCode"),
    )


def _parse_party(container: etree._Element | None, role: str, name_term: str) -> Party:
    """Seller (role "seller", BG-4) or buyer (BG-7) from AccountingSupplierParty/CustomerParty."""
    party = _find(container, "cac:Party")
    if party is None:
        raise unreadable(f"The UBL document has no {role} party ({name_term}, cac:Party).")
    legal = _find(party, "cac:PartyLegalEntity")
    registration_name = _text(legal, "cbc:RegistrationName")
    party_name = _text(party, "cac:PartyName/cbc:Name")
    if not registration_name and not party_name:
        raise unreadable(
            f"The UBL document has no {role} name ({name_term}, cac:PartyLegalEntity/cbc:RegistrationName)."
        )
    tax_schemes = _findall(party, "cac:PartyTaxScheme")
    vat_id = next((_text(s, "cbc:CompanyID") for s in tax_schemes if _tax_scheme_is_vat(s)), "")
    other_tax_id = next((_text(s, "cbc:CompanyID") for s in tax_schemes if not _tax_scheme_is_vat(s)), "")
    contact = _find(party, "cac:Contact")
    identifiers = (_identifier(e, ".") for e in _findall(party, "cac:PartyIdentification/cbc:ID"))
    return Party(
        name=registration_name or party_name,
        trading_name=party_name if registration_name else "",
        identifiers=tuple(i for i in identifiers if i is not None and i.scheme.upper() != SEPA),
        legal_id=_identifier(legal, "cbc:CompanyID"),
        vat_id=vat_id,
        tax_registration_id=other_tax_id,
        legal_info=_text(legal, "cbc:CompanyLegalForm"),
        electronic_address=_identifier(party, "cbc:EndpointID"),
        address=_parse_address(_find(party, "cac:PostalAddress")),
        contact=None
        if contact is None
        else Contact(
            name=_text(contact, "cbc:Name"),
            phone=_text(contact, "cbc:Telephone"),
            email=_text(contact, "cbc:ElectronicMail"),
        ),
    )


def _parse_note(raw: str) -> Note:
    match = _NOTE_SUBJECT.fullmatch(raw)
    if match:
        return Note(text=match.group(2).strip(), subject_code=match.group(1))
    return Note(text=raw)


def _parse_delivery(delivery: etree._Element | None) -> Delivery | None:
    if delivery is None:
        return None
    address = _find(delivery, "cac:DeliveryLocation/cac:Address")
    return Delivery(
        party_name=_text(delivery, "cac:DeliveryParty/cac:PartyName/cbc:Name"),
        location_id=_identifier(delivery, "cac:DeliveryLocation/cbc:ID"),
        date=_date(delivery, "cbc:ActualDeliveryDate", "actual delivery date (BT-72)"),
        address=None if address is None else _parse_address(address),
    )


def _parse_payment(means: list[etree._Element]) -> PaymentInstructions | None:
    """BG-16 from the cac:PaymentMeans elements: one per credit transfer, same code and payment id."""
    if not means:
        return None
    transfers = []
    for account in (a for m in means for a in _findall(m, "cac:PayeeFinancialAccount")):
        transfers.append(
            CreditTransfer(
                account_id=_required(account, "cbc:ID", "payment account identifier (BT-84, cbc:ID)"),
                account_name=_text(account, "cbc:Name"),
                provider_id=_text(account, "cac:FinancialInstitutionBranch/cbc:ID"),
            )
        )
    return PaymentInstructions(
        means_code=_required(means[0], "cbc:PaymentMeansCode", "payment means type code (BT-81)"),
        means_text=next((v for m in means if (v := _attr(m, "cbc:PaymentMeansCode", "name"))), ""),
        remittance_information=next((v for m in means if (v := _text(m, "cbc:PaymentID"))), ""),
        credit_transfers=tuple(transfers),
    )


def _parse_allowance_charge(element: etree._Element, is_charge: bool) -> AllowanceCharge:
    group, amount_term, category_term = ("BG-21", "BT-99", "BT-102") if is_charge else ("BG-20", "BT-92", "BT-95")
    kind = "document level charge" if is_charge else "document level allowance"
    category = _find(element, "cac:TaxCategory")
    return AllowanceCharge(
        amount=_required_decimal(element, "cbc:Amount", f"{kind} amount ({amount_term}, {group})"),
        vat_category=_required(category, "cbc:ID", f"{kind} VAT category code ({category_term}, {group})"),
        base_amount=_decimal(element, "cbc:BaseAmount", f"{kind} base amount ({group})"),
        percentage=_decimal(element, "cbc:MultiplierFactorNumeric", f"{kind} percentage ({group})"),
        vat_rate=_decimal(category, "cbc:Percent", f"{kind} VAT rate ({group})"),
        reason=_text(element, "cbc:AllowanceChargeReason"),
        reason_code=_text(element, "cbc:AllowanceChargeReasonCode"),
    )


def _is_charge(element: etree._Element) -> bool:
    raw = _text(element, "cbc:ChargeIndicator").lower()
    if raw not in {"true", "false", "1", "0"}:
        raise unreadable("A document level allowance or charge (BG-20/BG-21) has no valid cbc:ChargeIndicator.")
    return raw in {"true", "1"}


def _parse_vat_breakdown(subtotal: etree._Element) -> VatBreakdown:
    category = _find(subtotal, "cac:TaxCategory")
    return VatBreakdown(
        taxable_amount=_required_decimal(subtotal, "cbc:TaxableAmount", "VAT category taxable amount (BT-116)"),
        tax_amount=_required_decimal(subtotal, "cbc:TaxAmount", "VAT category tax amount (BT-117)"),
        category=_required(category, "cbc:ID", "VAT category code (BT-118)"),
        rate=_decimal(category, "cbc:Percent", "VAT category rate (BT-119)"),
        exemption_reason=_text(category, "cbc:TaxExemptionReason"),
        exemption_reason_code=_text(category, "cbc:TaxExemptionReasonCode"),
    )


def _parse_totals(total: etree._Element | None, tax_total: Decimal | None) -> Totals:
    def amount(tag: str, term: str) -> Decimal:
        return _required_decimal(total, f"cbc:{tag}", f"{term} (cac:LegalMonetaryTotal/cbc:{tag})")

    return Totals(
        line_total=amount("LineExtensionAmount", "sum of invoice line net amount (BT-106)"),
        tax_exclusive=amount("TaxExclusiveAmount", "invoice total amount without VAT (BT-109)"),
        tax_inclusive=amount("TaxInclusiveAmount", "invoice total amount with VAT (BT-112)"),
        payable=amount("PayableAmount", "amount due for payment (BT-115)"),
        allowance_total=_decimal(total, "cbc:AllowanceTotalAmount", "sum of allowances (BT-107)"),
        charge_total=_decimal(total, "cbc:ChargeTotalAmount", "sum of charges (BT-108)"),
        tax_total=tax_total,
        prepaid=_decimal(total, "cbc:PrepaidAmount", "paid amount (BT-113)"),
        rounding=_decimal(total, "cbc:PayableRoundingAmount", "rounding amount (BT-114)"),
    )


def _parse_price(price: etree._Element | None, where: str) -> Price:
    # BT-147 and BT-148 live in the price's allowance (always an allowance in EN 16931).
    allowance = _find(price, "cac:AllowanceCharge")
    return Price(
        net=_required_decimal(price, "cbc:PriceAmount", f"item net price (BT-146) in {where}"),
        discount=_decimal(allowance, "cbc:Amount", f"item price discount (BT-147) in {where}"),
        gross=_decimal(allowance, "cbc:BaseAmount", f"item gross price (BT-148) in {where}"),
        base_quantity=_decimal(price, "cbc:BaseQuantity", f"item price base quantity (BT-149) in {where}"),
        base_quantity_unit=_attr(price, "cbc:BaseQuantity", "unitCode"),
    )


def _parse_item(item: etree._Element | None, where: str) -> Item:
    codes = (
        Identifier(_text(c), (c.get("listID") or "").strip())
        for c in _findall(item, "cac:CommodityClassification/cbc:ItemClassificationCode")
        if _text(c)
    )
    return Item(
        name=_required(item, "cbc:Name", f"item name (BT-153) in {where}"),
        description=_text(item, "cbc:Description"),
        seller_id=_text(item, "cac:SellersItemIdentification/cbc:ID"),
        buyer_id=_text(item, "cac:BuyersItemIdentification/cbc:ID"),
        standard_id=_identifier(item, "cac:StandardItemIdentification/cbc:ID"),
        classifications=tuple(codes),
        origin_country=_text(item, "cac:OriginCountry/cbc:IdentificationCode"),
    )


def _parse_line(line: etree._Element, position: int) -> InvoiceLine:
    where = f"invoice line {position}"
    quantity = _find(line, "cbc:InvoicedQuantity")
    if quantity is None:
        quantity = _find(line, "cbc:CreditedQuantity")
    amount = _required_decimal(quantity, ".", f"invoiced quantity (BT-129) in {where}")
    unit = "" if quantity is None else (quantity.get("unitCode") or "").strip()
    if not unit:
        raise unreadable(f"The UBL document has no invoiced quantity unit of measure code (BT-130) in {where}.")
    item = _find(line, "cac:Item")
    category = _find(item, "cac:ClassifiedTaxCategory")
    return InvoiceLine(
        id=_required(line, "cbc:ID", f"invoice line identifier (BT-126) in {where}"),
        quantity=amount,
        unit=unit,
        net_amount=_required_decimal(line, "cbc:LineExtensionAmount", f"invoice line net amount (BT-131) in {where}"),
        price=_parse_price(_find(line, "cac:Price"), where),
        vat_category=_required(category, "cbc:ID", f"invoiced item VAT category code (BT-151) in {where}"),
        item=_parse_item(item, where),
        vat_rate=_decimal(category, "cbc:Percent", f"invoiced item VAT rate (BT-152) in {where}"),
        note=_text(line, "cbc:Note"),
        order_line_reference=_text(line, "cac:OrderLineReference/cbc:LineID"),
    )


def _tax_totals(root: etree._Element, currency: str) -> list[etree._Element]:
    """The cac:TaxTotal elements in the invoice currency (a second one may give BT-111 in the VAT
    accounting currency, which the model does not carry)."""
    return [
        t
        for t in _findall(root, "cac:TaxTotal")
        if _attr(t, "cbc:TaxAmount", "currencyID") in {"", currency} or _find(t, "cac:TaxSubtotal") is not None
    ]


def _project_reference(root: etree._Element) -> str:
    project = _text(root, "cac:ProjectReference/cbc:ID")
    if project:
        return project
    for reference in _findall(root, "cac:AdditionalDocumentReference"):
        if _text(reference, "cbc:DocumentTypeCode") == PROJECT_DOCUMENT_TYPE:
            return _text(reference, "cbc:ID")
    return ""


def parse_invoice(root: etree._Element) -> Invoice:
    """Read a UBL 2.1 ``Invoice`` or ``CreditNote`` into the canonical model; IntakeError
    ("unreadable") when a mandatory business term is missing or a value cannot be read."""
    if not isinstance(root.tag, str):
        raise unreadable("The document has no UBL Invoice or CreditNote root element.")
    qname = etree.QName(root)
    if (qname.namespace, qname.localname) not in {(INVOICE_NS, "Invoice"), (CREDIT_NOTE_NS, "CreditNote")}:
        raise unreadable(f"The root element {qname.localname} is not a UBL Invoice or CreditNote.")
    currency = _required(root, "cbc:DocumentCurrencyCode", "invoice currency code (BT-5, cbc:DocumentCurrencyCode)")
    type_code = _text(root, "cbc:InvoiceTypeCode") or _text(root, "cbc:CreditNoteTypeCode")
    if not type_code:
        raise unreadable("The UBL document has no invoice type code (BT-3, cbc:InvoiceTypeCode/CreditNoteTypeCode).")
    issue_date = _date(root, "cbc:IssueDate", "invoice issue date (BT-2)")
    if issue_date is None:
        raise unreadable("The UBL document has no invoice issue date (BT-2, cbc:IssueDate).")
    means = _findall(root, "cac:PaymentMeans")
    due_date = _date(root, "cbc:DueDate", "payment due date (BT-9)") or next(
        (d for m in means if (d := _date(m, "cbc:PaymentDueDate", "payment due date (BT-9)"))), None
    )
    order_reference = _text(root, "cac:OrderReference/cbc:ID")
    sales_order_reference = _text(root, "cac:OrderReference/cbc:SalesOrderID")
    if order_reference == NO_ORDER_REFERENCE and sales_order_reference:
        order_reference = ""
    tax_totals = _tax_totals(root, currency)
    charges = [(e, _is_charge(e)) for e in _findall(root, "cac:AllowanceCharge")]
    lines = _findall(root, "cac:InvoiceLine") + _findall(root, "cac:CreditNoteLine")
    return Invoice(
        number=_required(root, "cbc:ID", "invoice number (BT-1, cbc:ID)"),
        issue_date=issue_date,
        type_code=type_code,
        currency=currency,
        seller=_parse_party(_find(root, "cac:AccountingSupplierParty"), "seller", "BT-27"),
        buyer=_parse_party(_find(root, "cac:AccountingCustomerParty"), "buyer", "BT-44"),
        totals=_parse_totals(
            _find(root, "cac:LegalMonetaryTotal"),
            _decimal(tax_totals[0] if tax_totals else None, "cbc:TaxAmount", "invoice total VAT amount (BT-110)"),
        ),
        lines=tuple(_parse_line(line, n) for n, line in enumerate(lines, start=1)),
        vat_breakdown=tuple(_parse_vat_breakdown(s) for t in tax_totals for s in _findall(t, "cac:TaxSubtotal")),
        specification=_required(root, "cbc:CustomizationID", "specification identifier (BT-24, cbc:CustomizationID)"),
        business_process=_text(root, "cbc:ProfileID"),
        due_date=due_date,
        buyer_reference=_text(root, "cbc:BuyerReference"),
        project_reference=_project_reference(root),
        contract_reference=_text(root, "cac:ContractDocumentReference/cbc:ID"),
        order_reference=order_reference,
        sales_order_reference=sales_order_reference,
        payment_terms="\n".join(_text(n) for n in _findall(root, "cac:PaymentTerms/cbc:Note") if _text(n)),
        notes=tuple(_parse_note(_text(n)) for n in _findall(root, "cbc:Note") if _text(n)),
        preceding_invoices=tuple(
            PrecedingInvoice(
                number=_required(reference, "cbc:ID", "preceding invoice reference (BT-25)"),
                issue_date=_date(reference, "cbc:IssueDate", "preceding invoice issue date (BT-26)"),
            )
            for reference in _findall(root, "cac:BillingReference/cac:InvoiceDocumentReference")
        ),
        delivery=_parse_delivery(_find(root, "cac:Delivery")),
        payment=_parse_payment(means),
        allowances=tuple(_parse_allowance_charge(e, False) for e, is_charge in charges if not is_charge),
        charges=tuple(_parse_allowance_charge(e, True) for e, is_charge in charges if is_charge),
    )


# ── writing ──────────────────────────────────────────────────────────────────────────────────────


def _add_amount(parent: etree._Element, tag: str, value: Decimal | None, currency: str) -> None:
    if value is not None:
        _add(parent, tag, number(value), currencyID=currency)


def _add_decimal(parent: etree._Element, tag: str, value: Decimal | None, **attributes: str) -> None:
    if value is not None:
        _add(parent, tag, number(value), **attributes)


def _add_date(parent: etree._Element, tag: str, value: datetime.date | None) -> None:
    if value is not None:
        _add(parent, tag, value.isoformat())


def _add_identifier(parent: etree._Element, tag: str, identifier: Identifier | None, scheme: str = "schemeID") -> None:
    if identifier is not None and identifier.value:
        _add(parent, tag, identifier.value, **{scheme: identifier.scheme})


def _add_tax_category(
    parent: etree._Element,
    tag: str,
    category: str,
    rate: Decimal | None,
    *,
    exemption_reason_code: str = "",
    exemption_reason: str = "",
) -> None:
    element = _add(parent, tag)
    _add(element, "cbc:ID", category)
    _add_decimal(element, "cbc:Percent", rate)
    _add_text(element, "cbc:TaxExemptionReasonCode", exemption_reason_code)
    _add_text(element, "cbc:TaxExemptionReason", exemption_reason)
    _add(_add(element, "cac:TaxScheme"), "cbc:ID", VAT)


def _add_address(parent: etree._Element, tag: str, address: Address) -> None:
    element = _add(parent, tag)
    _add_text(element, "cbc:StreetName", address.line1)
    _add_text(element, "cbc:AdditionalStreetName", address.line2)
    _add_text(element, "cbc:CityName", address.city)
    _add_text(element, "cbc:PostalZone", address.postcode)
    _add_text(element, "cbc:CountrySubentity", address.subdivision)
    if address.line3:
        _add(_add(element, "cac:AddressLine"), "cbc:Line", address.line3)
    if address.country:
        _add(_add(element, "cac:Country"), "cbc:IdentificationCode", address.country)


def _add_party_tax_scheme(party: etree._Element, company_id: str, scheme: str) -> None:
    if company_id:
        element = _add(party, "cac:PartyTaxScheme")
        _add(element, "cbc:CompanyID", company_id)
        _add(_add(element, "cac:TaxScheme"), "cbc:ID", scheme)


def _add_party(parent: etree._Element, tag: str, party: Party) -> None:
    element = _add(_add(parent, tag), "cac:Party")
    _add_identifier(element, "cbc:EndpointID", party.electronic_address)
    for identifier in party.identifiers:
        _add_identifier(_add(element, "cac:PartyIdentification"), "cbc:ID", identifier)
    if party.trading_name:
        _add(_add(element, "cac:PartyName"), "cbc:Name", party.trading_name)
    _add_address(element, "cac:PostalAddress", party.address)
    _add_party_tax_scheme(element, party.vat_id, VAT)
    _add_party_tax_scheme(element, party.tax_registration_id, OTHER_TAX_SCHEME)
    legal = _add(element, "cac:PartyLegalEntity")
    _add(legal, "cbc:RegistrationName", party.name)
    _add_identifier(legal, "cbc:CompanyID", party.legal_id)
    _add_text(legal, "cbc:CompanyLegalForm", party.legal_info)
    if party.contact is not None:
        contact = _add(element, "cac:Contact")
        _add_text(contact, "cbc:Name", party.contact.name)
        _add_text(contact, "cbc:Telephone", party.contact.phone)
        _add_text(contact, "cbc:ElectronicMail", party.contact.email)


def _add_delivery(root: etree._Element, delivery: Delivery | None) -> None:
    if delivery is None:
        return
    element = _add(root, "cac:Delivery")
    _add_date(element, "cbc:ActualDeliveryDate", delivery.date)
    if delivery.location_id is not None or delivery.address is not None:
        location = _add(element, "cac:DeliveryLocation")
        _add_identifier(location, "cbc:ID", delivery.location_id)
        if delivery.address is not None:
            _add_address(location, "cac:Address", delivery.address)
    if delivery.party_name:
        _add(_add(_add(element, "cac:DeliveryParty"), "cac:PartyName"), "cbc:Name", delivery.party_name)


def _add_payment(root: etree._Element, invoice: Invoice) -> None:
    payment = invoice.payment
    due_date_here = invoice.is_credit_note and invoice.due_date is not None
    if payment is None:
        if due_date_here:
            # UBL 2.1 CreditNote can only carry BT-9 inside a PaymentMeans, which needs BT-81.
            raise RenderError(
                "ubl-credit-note",
                [SchemaError("A credit note's payment due date (BT-9) needs payment instructions (BG-16).", 0, "")],
            )
        return
    transfers: Iterable[CreditTransfer | None] = payment.credit_transfers or (None,)
    for position, transfer in enumerate(transfers):
        means = _add(root, "cac:PaymentMeans")
        name = payment.means_text if position == 0 else ""
        _add(means, "cbc:PaymentMeansCode", payment.means_code, name=name)
        if position == 0 and due_date_here:
            _add_date(means, "cbc:PaymentDueDate", invoice.due_date)
        _add_text(means, "cbc:PaymentID", payment.remittance_information)
        if transfer is not None:
            account = _add(means, "cac:PayeeFinancialAccount")
            _add(account, "cbc:ID", transfer.account_id)
            _add_text(account, "cbc:Name", transfer.account_name)
            if transfer.provider_id:
                _add(_add(account, "cac:FinancialInstitutionBranch"), "cbc:ID", transfer.provider_id)


def _add_allowance_charge(root: etree._Element, entry: AllowanceCharge, is_charge: bool, currency: str) -> None:
    element = _add(root, "cac:AllowanceCharge")
    _add(element, "cbc:ChargeIndicator", "true" if is_charge else "false")
    _add_text(element, "cbc:AllowanceChargeReasonCode", entry.reason_code)
    _add_text(element, "cbc:AllowanceChargeReason", entry.reason)
    _add_decimal(element, "cbc:MultiplierFactorNumeric", entry.percentage)
    _add_amount(element, "cbc:Amount", entry.amount, currency)
    _add_amount(element, "cbc:BaseAmount", entry.base_amount, currency)
    _add_tax_category(element, "cac:TaxCategory", entry.vat_category, entry.vat_rate)


def _add_tax_total(root: etree._Element, invoice: Invoice, schema_name: str) -> None:
    if invoice.totals.tax_total is None:
        if invoice.vat_breakdown:
            raise RenderError(
                schema_name,
                [SchemaError("A VAT breakdown (BG-23) needs the invoice total VAT amount (BT-110).", 0, "")],
            )
        return
    element = _add(root, "cac:TaxTotal")
    _add_amount(element, "cbc:TaxAmount", invoice.totals.tax_total, invoice.currency)
    for vat in invoice.vat_breakdown:
        subtotal = _add(element, "cac:TaxSubtotal")
        _add_amount(subtotal, "cbc:TaxableAmount", vat.taxable_amount, invoice.currency)
        _add_amount(subtotal, "cbc:TaxAmount", vat.tax_amount, invoice.currency)
        _add_tax_category(
            subtotal,
            "cac:TaxCategory",
            vat.category,
            vat.rate,
            exemption_reason_code=vat.exemption_reason_code,
            exemption_reason=vat.exemption_reason,
        )


def _add_totals(root: etree._Element, totals: Totals, currency: str) -> None:
    element = _add(root, "cac:LegalMonetaryTotal")
    for tag, value in (
        ("LineExtensionAmount", totals.line_total),
        ("TaxExclusiveAmount", totals.tax_exclusive),
        ("TaxInclusiveAmount", totals.tax_inclusive),
        ("AllowanceTotalAmount", totals.allowance_total),
        ("ChargeTotalAmount", totals.charge_total),
        ("PrepaidAmount", totals.prepaid),
        ("PayableRoundingAmount", totals.rounding),
        ("PayableAmount", totals.payable),
    ):
        _add_amount(element, f"cbc:{tag}", value, currency)


def _add_item(line: etree._Element, item: Item, category: str, rate: Decimal | None) -> None:
    element = _add(line, "cac:Item")
    _add_text(element, "cbc:Description", item.description)
    _add(element, "cbc:Name", item.name)
    if item.buyer_id:
        _add(_add(element, "cac:BuyersItemIdentification"), "cbc:ID", item.buyer_id)
    if item.seller_id:
        _add(_add(element, "cac:SellersItemIdentification"), "cbc:ID", item.seller_id)
    if item.standard_id is not None:
        _add_identifier(_add(element, "cac:StandardItemIdentification"), "cbc:ID", item.standard_id)
    if item.origin_country:
        _add(_add(element, "cac:OriginCountry"), "cbc:IdentificationCode", item.origin_country)
    for classification in item.classifications:
        _add_identifier(
            _add(element, "cac:CommodityClassification"), "cbc:ItemClassificationCode", classification, "listID"
        )
    _add_tax_category(element, "cac:ClassifiedTaxCategory", category, rate)


def _add_price(line: etree._Element, price: Price, currency: str) -> None:
    element = _add(line, "cac:Price")
    _add_amount(element, "cbc:PriceAmount", price.net, currency)
    _add_decimal(element, "cbc:BaseQuantity", price.base_quantity, unitCode=price.base_quantity_unit)
    if price.discount is not None or price.gross is not None:
        # UBL needs the allowance amount; with only a gross price it is the gap to the net price.
        discount = price.discount
        if discount is None and price.gross is not None:
            discount = price.gross - price.net
        allowance = _add(element, "cac:AllowanceCharge")
        _add(allowance, "cbc:ChargeIndicator", "false")
        _add_amount(allowance, "cbc:Amount", discount, currency)
        _add_amount(allowance, "cbc:BaseAmount", price.gross, currency)


def _add_line(root: etree._Element, line: InvoiceLine, invoice: Invoice) -> None:
    credit = invoice.is_credit_note
    element = _add(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    _add(element, "cbc:ID", line.id)
    _add_text(element, "cbc:Note", line.note)
    _add_decimal(
        element, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", line.quantity, unitCode=line.unit
    )
    _add_amount(element, "cbc:LineExtensionAmount", line.net_amount, invoice.currency)
    if line.order_line_reference:
        _add(_add(element, "cac:OrderLineReference"), "cbc:LineID", line.order_line_reference)
    _add_item(element, line.item, line.vat_category, line.vat_rate)
    _add_price(element, line.price, invoice.currency)


def _add_references(root: etree._Element, invoice: Invoice) -> None:
    """BT-10 to BT-14 and BG-3, in the UBL order (which differs between Invoice and CreditNote)."""
    _add_text(root, "cbc:BuyerReference", invoice.buyer_reference)
    if invoice.order_reference or invoice.sales_order_reference:
        order = _add(root, "cac:OrderReference")
        _add(order, "cbc:ID", invoice.order_reference or NO_ORDER_REFERENCE)
        _add_text(order, "cbc:SalesOrderID", invoice.sales_order_reference)
    for preceding in invoice.preceding_invoices:
        reference = _add(_add(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        _add(reference, "cbc:ID", preceding.number)
        _add_date(reference, "cbc:IssueDate", preceding.issue_date)
    if invoice.contract_reference:
        _add(_add(root, "cac:ContractDocumentReference"), "cbc:ID", invoice.contract_reference)
    if invoice.project_reference:
        if invoice.is_credit_note:
            reference = _add(root, "cac:AdditionalDocumentReference")
            _add(reference, "cbc:ID", invoice.project_reference)
            _add(reference, "cbc:DocumentTypeCode", PROJECT_DOCUMENT_TYPE)
        else:
            _add(_add(root, "cac:ProjectReference"), "cbc:ID", invoice.project_reference)


def _note_text(note: Note) -> str:
    return f"#{note.subject_code}#{note.text}" if note.subject_code else note.text


def render_invoice(invoice: Invoice) -> bytes:
    """The invoice as a UBL 2.1 ``Invoice`` (or ``CreditNote`` for credit note type codes), valid
    against the UBL 2.1 XSD; RenderError when the result would not be."""
    credit = invoice.is_credit_note
    schema_name = "ubl-credit-note" if credit else "ubl-invoice"
    namespace = CREDIT_NOTE_NS if credit else INVOICE_NS
    root = etree.Element(
        f"{{{namespace}}}{'CreditNote' if credit else 'Invoice'}", nsmap={None: namespace, "cac": CAC, "cbc": CBC}
    )
    _add(root, "cbc:CustomizationID", invoice.specification)
    _add_text(root, "cbc:ProfileID", invoice.business_process)
    _add(root, "cbc:ID", invoice.number)
    _add_date(root, "cbc:IssueDate", invoice.issue_date)
    if not credit:
        _add_date(root, "cbc:DueDate", invoice.due_date)
    _add(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", invoice.type_code)
    for note in invoice.notes:
        _add(root, "cbc:Note", _note_text(note))
    _add(root, "cbc:DocumentCurrencyCode", invoice.currency)
    _add_references(root, invoice)
    _add_party(root, "cac:AccountingSupplierParty", invoice.seller)
    _add_party(root, "cac:AccountingCustomerParty", invoice.buyer)
    _add_delivery(root, invoice.delivery)
    _add_payment(root, invoice)
    if invoice.payment_terms:
        _add(_add(root, "cac:PaymentTerms"), "cbc:Note", invoice.payment_terms)
    for allowance in invoice.allowances:
        _add_allowance_charge(root, allowance, False, invoice.currency)
    for charge in invoice.charges:
        _add_allowance_charge(root, charge, True, invoice.currency)
    _add_tax_total(root, invoice, schema_name)
    _add_totals(root, invoice.totals, invoice.currency)
    for line in invoice.lines:
        _add_line(root, line, invoice)
    return ensure_valid(schema_name, root)
