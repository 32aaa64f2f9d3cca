"""UN/CEFACT Cross Industry Invoice (D16B, EN 16931 / Factur-X EN16931 profile) ⇄ canonical ``Invoice``.

The mapping follows the official EN 16931-3-3 CII syntax binding; each BT/BG of
``tradedocs.model.INVOICE_TERMS`` is read from and written to its bound element. Terms the model does
not carry are ignored on the way in and never written on the way out.

``parse_invoice`` takes a tree that already passed the hardened intake (``intake.read_document``) and
is tolerant: absent optional terms become ``""``, ``None`` or ``()``. A missing mandatory term or an
unreadable value (a number that is not a number, a date not in format 102) is an
``IntakeError("unreadable", …)`` naming the term and the element, never another Python exception.

``render_invoice`` builds the tree in the order the XSD prescribes and returns it only once it is
valid against the Factur-X EN16931 schema (``schemas.ensure_valid``), so nothing invalid is sent.
Decimals are written as given (no requantising), so ``parse_invoice(render_invoice(x)) == x``.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from lxml import etree

from tradedocs.model import (
    AllowanceCharge,
    CreditTransfer,
    Delivery,
    Invoice,
    InvoiceLine,
    Item,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    Price,
    Totals,
    VatBreakdown,
)

from ._common import number, to_decimal, ymd
from .intake import IntakeError
from .schemas import RenderError, SchemaError, ensure_valid
from .uncefact import DATE_FORMAT, Ram

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NS = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}
_PREFIXES = {uri: prefix for prefix, uri in NS.items()}
_ram = Ram(NS)
_find, _findall, _text = _ram.find, _ram.findall, _ram.text
_qname, _sub, _opt, _amount = _ram.qname, _ram.sub, _ram.opt, _ram.render_amount

SCHEMA = "cii-en16931"
# An IBAN goes in ram:IBANID; any other account number (a national one such as Peru's CCI) in
# ram:ProprietaryID. Both bind BT-84.
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$")
_DATE_102 = re.compile(r"^[0-9]{8}$")

# Header paths, relative to the root element.
_CONTEXT = "rsm:ExchangedDocumentContext"
_DOCUMENT = "rsm:ExchangedDocument"
_TRANSACTION = "rsm:SupplyChainTradeTransaction"
_AGREEMENT = f"{_TRANSACTION}/ram:ApplicableHeaderTradeAgreement"
_DELIVERY = f"{_TRANSACTION}/ram:ApplicableHeaderTradeDelivery"
_SETTLEMENT = f"{_TRANSACTION}/ram:ApplicableHeaderTradeSettlement"


# ── reading helpers ──────────────────────────────────────────────────────────────────────────────


def _where(element: etree._Element) -> str:
    """A prefixed path to ``element`` for messages an integrator can follow in their own document."""
    steps = []
    node: etree._Element | None = element
    while node is not None:
        qname = etree.QName(node)
        prefix = _PREFIXES.get(qname.namespace or "")
        steps.append(f"{prefix}:{qname.localname}" if prefix else qname.localname)
        node = node.getparent()
    return "/".join(reversed(steps))


def _missing(term: str, parent: etree._Element | None, path: str) -> IntakeError:
    where = f"{_where(parent)}/{path}" if parent is not None else path
    return IntakeError("unreadable", f"{term} is missing: the document has no {where}.")


def _required_text(parent: etree._Element | None, path: str, term: str) -> str:
    value = _text(parent, path)
    if not value:
        raise _missing(term, parent, path)
    return value


def _required(parent: etree._Element | None, path: str, term: str) -> etree._Element:
    element = _find(parent, path)
    if element is None:
        raise _missing(term, parent, path)
    return element


def _to_decimal(element: etree._Element, text: str, term: str) -> Decimal:
    return to_decimal(text, lambda what: f"{term} in {_where(element)} is not {what}: {text!r}.")


def _decimal(parent: etree._Element | None, path: str, term: str) -> Decimal | None:
    """An amount, quantity or rate exactly as written; ``None`` when the element is absent or empty."""
    element = _find(parent, path)
    if element is None or not (element.text or "").strip():
        return None
    return _to_decimal(element, (element.text or "").strip(), term)


def _required_decimal(parent: etree._Element | None, path: str, term: str) -> Decimal:
    value = _decimal(parent, path, term)
    if value is None:
        raise _missing(term, parent, path)
    return value


def _date(parent: etree._Element | None, path: str, term: str) -> datetime.date | None:
    """A date from a ``DateTimeString`` element (``path`` points at it); only format 102 is bound."""
    element = _find(parent, path)
    if element is None:
        return None
    text = (element.text or "").strip()
    if element.get("format", DATE_FORMAT) != DATE_FORMAT:
        raise IntakeError(
            "unreadable", f"{term} in {_where(element)} has format {element.get('format')!r}; EN 16931 uses 102."
        )
    if not _DATE_102.match(text):
        raise IntakeError(
            "unreadable", f"{term} in {_where(element)} is not a date in format 102 (YYYYMMDD): {text!r}."
        )
    try:
        return ymd(text)
    except ValueError:
        raise IntakeError("unreadable", f"{term} in {_where(element)} is not a valid date: {text!r}.") from None


def _required_date(parent: etree._Element | None, path: str, term: str) -> datetime.date:
    value = _date(parent, path, term)
    if value is None:
        raise _missing(term, parent, path)
    return value


# ── parsing ──────────────────────────────────────────────────────────────────────────────────────


def _parse_party(parent: etree._Element | None, path: str, name_term: str) -> Party:
    party = _required(parent, path, name_term)
    return _ram.parse_party(party, _required_text(party, "ram:Name", name_term))


def _parse_delivery(delivery: etree._Element | None) -> Delivery | None:
    ship_to = _find(delivery, "ram:ShipToTradeParty")
    date = _date(delivery, "ram:ActualDeliverySupplyChainEvent/ram:OccurrenceDateTime/udt:DateTimeString", "BT-72")
    if ship_to is None and date is None:
        return None
    identifiers = _ram.party_identifiers(ship_to) if ship_to is not None else ()
    return Delivery(
        party_name=_text(ship_to, "ram:Name"),
        location_id=identifiers[0] if identifiers else None,
        date=date,
        address=_ram.parse_address(_find(ship_to, "ram:PostalTradeAddress")),
    )


def _parse_payment(settlement: etree._Element | None) -> PaymentInstructions | None:
    """BG-16. CII repeats ram:SpecifiedTradeSettlementPaymentMeans once per account (BG-17); the means
    code and text are those of the first."""
    means = _findall(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    reference = _text(settlement, "ram:PaymentReference")
    if not means and not reference:
        return None
    transfers = []
    for each in means:
        account = _find(each, "ram:PayeePartyCreditorFinancialAccount")
        if account is None:
            continue
        account_id = _text(account, "ram:IBANID") or _text(account, "ram:ProprietaryID")
        if not account_id:
            raise _missing("BT-84 (payment account identifier)", account, "ram:IBANID")
        transfers.append(
            CreditTransfer(
                account_id=account_id,
                account_name=_text(account, "ram:AccountName"),
                provider_id=_text(each, "ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID"),
            )
        )
    first = means[0] if means else None
    return PaymentInstructions(
        means_code=_required_text(first, "ram:TypeCode", "BT-81 (payment means type code)") if means else "",
        means_text=_text(first, "ram:Information"),
        remittance_information=reference,
        credit_transfers=tuple(transfers),
    )


def _parse_allowance_charge(element: etree._Element, terms: tuple[str, ...]) -> AllowanceCharge:
    amount, base, percentage, category, rate = terms
    return AllowanceCharge(
        amount=_required_decimal(element, "ram:ActualAmount", amount),
        base_amount=_decimal(element, "ram:BasisAmount", base),
        percentage=_decimal(element, "ram:CalculationPercent", percentage),
        vat_category=_required_text(element, "ram:CategoryTradeTax/ram:CategoryCode", category),
        vat_rate=_decimal(element, "ram:CategoryTradeTax/ram:RateApplicablePercent", rate),
        reason=_text(element, "ram:Reason"),
        reason_code=_text(element, "ram:ReasonCode"),
    )


_ALLOWANCE_TERMS = ("BT-92 (allowance amount)", "BT-93", "BT-94", "BT-95 (allowance VAT category code)", "BT-96")
_CHARGE_TERMS = ("BT-99 (charge amount)", "BT-100", "BT-101", "BT-102 (charge VAT category code)", "BT-103")


def _is_charge(element: etree._Element) -> bool:
    indicator = _required_text(element, "ram:ChargeIndicator/udt:Indicator", "The charge indicator of BG-20/BG-21")
    if indicator not in ("true", "false", "1", "0"):
        raise IntakeError("unreadable", f"{_where(element)}/ram:ChargeIndicator is not a boolean: {indicator!r}.")
    return indicator in ("true", "1")


def _parse_allowances_charges(
    settlement: etree._Element | None,
) -> tuple[tuple[AllowanceCharge, ...], tuple[AllowanceCharge, ...]]:
    allowances, charges = [], []
    for element in _findall(settlement, "ram:SpecifiedTradeAllowanceCharge"):
        if _is_charge(element):
            charges.append(_parse_allowance_charge(element, _CHARGE_TERMS))
        else:
            allowances.append(_parse_allowance_charge(element, _ALLOWANCE_TERMS))
    return tuple(allowances), tuple(charges)


def _parse_tax_total(summation: etree._Element, currency: str) -> Decimal | None:
    """BT-110 is the ram:TaxTotalAmount in the invoice currency (a second one, BT-111, is in the VAT
    accounting currency); a lone one without @currencyID is taken as BT-110."""
    candidates = _findall(summation, "ram:TaxTotalAmount")
    for element in candidates:
        if (element.get("currencyID") or "").strip() == currency:
            return _to_decimal(element, (element.text or "").strip(), "BT-110 (invoice total VAT amount)")
    if len(candidates) == 1 and not candidates[0].get("currencyID"):
        return _decimal(summation, "ram:TaxTotalAmount", "BT-110 (invoice total VAT amount)")
    return None


def _parse_totals(settlement: etree._Element | None, currency: str) -> Totals:
    summation = _required(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation", "BG-22 (document totals)")
    return Totals(
        line_total=_required_decimal(summation, "ram:LineTotalAmount", "BT-106 (sum of invoice line net amounts)"),
        allowance_total=_decimal(summation, "ram:AllowanceTotalAmount", "BT-107"),
        charge_total=_decimal(summation, "ram:ChargeTotalAmount", "BT-108"),
        tax_exclusive=_required_decimal(
            summation, "ram:TaxBasisTotalAmount", "BT-109 (invoice total amount without VAT)"
        ),
        tax_total=_parse_tax_total(summation, currency),
        tax_inclusive=_required_decimal(summation, "ram:GrandTotalAmount", "BT-112 (invoice total amount with VAT)"),
        prepaid=_decimal(summation, "ram:TotalPrepaidAmount", "BT-113"),
        rounding=_decimal(summation, "ram:RoundingAmount", "BT-114"),
        payable=_required_decimal(summation, "ram:DuePayableAmount", "BT-115 (amount due for payment)"),
    )


def _parse_vat_breakdown(tax: etree._Element) -> VatBreakdown:
    return VatBreakdown(
        taxable_amount=_required_decimal(tax, "ram:BasisAmount", "BT-116 (VAT category taxable amount)"),
        tax_amount=_required_decimal(tax, "ram:CalculatedAmount", "BT-117 (VAT category tax amount)"),
        category=_required_text(tax, "ram:CategoryCode", "BT-118 (VAT category code)"),
        rate=_decimal(tax, "ram:RateApplicablePercent", "BT-119"),
        exemption_reason=_text(tax, "ram:ExemptionReason"),
        exemption_reason_code=_text(tax, "ram:ExemptionReasonCode"),
    )


def _parse_price(agreement: etree._Element) -> Price:
    net = _required(agreement, "ram:NetPriceProductTradePrice", "BT-146 (item net price)")
    gross = _find(agreement, "ram:GrossPriceProductTradePrice")
    # BT-149/150 belong to the net price; a document may give them on the gross price only.
    basis = _find(net, "ram:BasisQuantity")
    if basis is None:
        basis = _find(gross, "ram:BasisQuantity")
    discount = None
    for applied in _findall(gross, "ram:AppliedTradeAllowanceCharge"):
        if not _is_charge(applied):
            discount = _required_decimal(applied, "ram:ActualAmount", "BT-147 (item price discount)")
            break
    return Price(
        net=_required_decimal(net, "ram:ChargeAmount", "BT-146 (item net price)"),
        discount=discount,
        gross=_decimal(gross, "ram:ChargeAmount", "BT-148"),
        base_quantity=_decimal(basis, ".", "BT-149") if basis is not None else None,
        base_quantity_unit=(basis.get("unitCode") or "").strip() if basis is not None else "",
    )


def _parse_item(product: etree._Element) -> Item:
    return _ram.parse_item(product, _required_text(product, "ram:Name", "BT-153 (item name)"))


def _parse_line(line: etree._Element) -> InvoiceLine:
    document = _find(line, "ram:AssociatedDocumentLineDocument")
    agreement = _required(line, "ram:SpecifiedLineTradeAgreement", "BT-146 (item net price)")
    quantity = _required(line, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "BT-129 (invoiced quantity)")
    unit = (quantity.get("unitCode") or "").strip()
    if not unit:
        raise IntakeError("unreadable", f"BT-130 (unit of measure) is missing: {_where(quantity)} has no @unitCode.")
    settlement = _required(line, "ram:SpecifiedLineTradeSettlement", "BT-151 (invoiced item VAT category code)")
    return InvoiceLine(
        id=_required_text(line, "ram:AssociatedDocumentLineDocument/ram:LineID", "BT-126 (invoice line identifier)"),
        quantity=_required_decimal(quantity, ".", "BT-129 (invoiced quantity)"),
        unit=unit,
        net_amount=_required_decimal(
            settlement,
            "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
            "BT-131 (invoice line net amount)",
        ),
        price=_parse_price(agreement),
        vat_category=_required_text(
            settlement, "ram:ApplicableTradeTax/ram:CategoryCode", "BT-151 (invoiced item VAT category code)"
        ),
        item=_parse_item(_required(line, "ram:SpecifiedTradeProduct", "BT-153 (item name)")),
        vat_rate=_decimal(settlement, "ram:ApplicableTradeTax/ram:RateApplicablePercent", "BT-152"),
        note=_text(document, "ram:IncludedNote/ram:Content"),
        order_line_reference=_text(agreement, "ram:BuyerOrderReferencedDocument/ram:LineID"),
    )


def parse_invoice(root: etree._Element) -> Invoice:
    """Read a CII invoice or credit note into the canonical model; IntakeError when it cannot be."""
    if etree.QName(root) != etree.QName(RSM, "CrossIndustryInvoice"):
        raise IntakeError("unknown_document", f"{_where(root)} is not an rsm:CrossIndustryInvoice.")
    document = _required(root, _DOCUMENT, "BT-1 (invoice number)")
    agreement = _required(root, _AGREEMENT, "BG-4 (seller)")
    settlement = _required(root, _SETTLEMENT, "BT-5 (invoice currency code)")
    currency = _required_text(settlement, "ram:InvoiceCurrencyCode", "BT-5 (invoice currency code)")
    allowances, charges = _parse_allowances_charges(settlement)
    return Invoice(
        number=_required_text(document, "ram:ID", "BT-1 (invoice number)"),
        issue_date=_required_date(document, "ram:IssueDateTime/udt:DateTimeString", "BT-2 (invoice issue date)"),
        type_code=_required_text(document, "ram:TypeCode", "BT-3 (invoice type code)"),
        currency=currency,
        seller=_parse_party(agreement, "ram:SellerTradeParty", "BT-27 (seller name)"),
        buyer=_parse_party(agreement, "ram:BuyerTradeParty", "BT-44 (buyer name)"),
        totals=_parse_totals(settlement, currency),
        lines=tuple(
            _parse_line(line) for line in _findall(root, f"{_TRANSACTION}/ram:IncludedSupplyChainTradeLineItem")
        ),
        vat_breakdown=tuple(_parse_vat_breakdown(tax) for tax in _findall(settlement, "ram:ApplicableTradeTax")),
        specification=_required_text(
            root,
            f"{_CONTEXT}/ram:GuidelineSpecifiedDocumentContextParameter/ram:ID",
            "BT-24 (specification identifier)",
        ),
        business_process=_text(root, f"{_CONTEXT}/ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID"),
        due_date=_date(settlement, "ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString", "BT-9"),
        buyer_reference=_text(agreement, "ram:BuyerReference"),
        project_reference=_text(agreement, "ram:SpecifiedProcuringProject/ram:ID"),
        contract_reference=_text(agreement, "ram:ContractReferencedDocument/ram:IssuerAssignedID"),
        order_reference=_text(agreement, "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID"),
        sales_order_reference=_text(agreement, "ram:SellerOrderReferencedDocument/ram:IssuerAssignedID"),
        payment_terms=_text(settlement, "ram:SpecifiedTradePaymentTerms/ram:Description"),
        notes=_ram.parse_notes(document),
        preceding_invoices=tuple(
            PrecedingInvoice(
                number=_required_text(reference, "ram:IssuerAssignedID", "BT-25 (preceding invoice reference)"),
                issue_date=_date(reference, "ram:FormattedIssueDateTime/qdt:DateTimeString", "BT-26"),
            )
            for reference in _findall(settlement, "ram:InvoiceReferencedDocument")
        ),
        delivery=_parse_delivery(_find(root, _DELIVERY)),
        payment=_parse_payment(settlement),
        allowances=allowances,
        charges=charges,
    )


# ── writing ──────────────────────────────────────────────────────────────────────────────────────


def _render_party(parent: etree._Element, name: str, party: Party) -> None:
    element = _sub(parent, name)
    # The XSD wants every ram:ID before every ram:GlobalID.
    for identifier in sorted(party.identifiers, key=lambda i: bool(i.scheme)):
        _ram.render_id(element, identifier)
    _sub(element, "ram:Name", party.name)
    _opt(element, "ram:Description", party.legal_info)
    _ram.render_party_details(element, party)


def _render_allowance_charge(parent: etree._Element, item: AllowanceCharge, charge: bool) -> None:
    element = _sub(parent, "ram:SpecifiedTradeAllowanceCharge")
    _sub(_sub(element, "ram:ChargeIndicator"), "udt:Indicator", "true" if charge else "false")
    _amount(element, "ram:CalculationPercent", item.percentage)
    _amount(element, "ram:BasisAmount", item.base_amount)
    _amount(element, "ram:ActualAmount", item.amount)
    _opt(element, "ram:ReasonCode", item.reason_code)
    _opt(element, "ram:Reason", item.reason)
    _ram.render_tax(element, "ram:CategoryTradeTax", item.vat_category, item.vat_rate)


def _render_line(parent: etree._Element, line: InvoiceLine) -> None:
    element = _sub(parent, "ram:IncludedSupplyChainTradeLineItem")
    document = _sub(element, "ram:AssociatedDocumentLineDocument")
    _sub(document, "ram:LineID", line.id)
    if line.note:
        _sub(_sub(document, "ram:IncludedNote"), "ram:Content", line.note)

    _ram.render_product(element, line.item)

    price = line.price
    agreement = _sub(element, "ram:SpecifiedLineTradeAgreement")
    if line.order_line_reference:
        _sub(_sub(agreement, "ram:BuyerOrderReferencedDocument"), "ram:LineID", line.order_line_reference)
    if price.gross is not None:
        gross = _sub(agreement, "ram:GrossPriceProductTradePrice")
        _amount(gross, "ram:ChargeAmount", price.gross)
        if price.discount is not None:
            discount = _sub(gross, "ram:AppliedTradeAllowanceCharge")
            _sub(_sub(discount, "ram:ChargeIndicator"), "udt:Indicator", "false")
            _amount(discount, "ram:ActualAmount", price.discount)
    elif price.discount is not None:
        # CII carries BT-147 only inside the gross price (BT-148), whose amount is mandatory.
        raise RenderError(
            SCHEMA,
            [SchemaError(f"Line {line.id}: an item price discount (BT-147) needs a gross price (BT-148).", 0, "")],
        )
    net = _sub(agreement, "ram:NetPriceProductTradePrice")
    _amount(net, "ram:ChargeAmount", price.net)
    if price.base_quantity is not None:
        _sub(net, "ram:BasisQuantity", number(price.base_quantity), unitCode=price.base_quantity_unit)

    delivery = _sub(element, "ram:SpecifiedLineTradeDelivery")
    _sub(delivery, "ram:BilledQuantity", number(line.quantity), unitCode=line.unit)

    settlement = _sub(element, "ram:SpecifiedLineTradeSettlement")
    _ram.render_tax(settlement, "ram:ApplicableTradeTax", line.vat_category, line.vat_rate)
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _amount(summation, "ram:LineTotalAmount", line.net_amount)


def _render_agreement(parent: etree._Element, invoice: Invoice) -> None:
    agreement = _sub(parent, "ram:ApplicableHeaderTradeAgreement")
    _opt(agreement, "ram:BuyerReference", invoice.buyer_reference)
    _render_party(agreement, "ram:SellerTradeParty", invoice.seller)
    _render_party(agreement, "ram:BuyerTradeParty", invoice.buyer)
    for name, reference in (
        ("ram:SellerOrderReferencedDocument", invoice.sales_order_reference),
        ("ram:BuyerOrderReferencedDocument", invoice.order_reference),
        ("ram:ContractReferencedDocument", invoice.contract_reference),
    ):
        if reference:
            _sub(_sub(agreement, name), "ram:IssuerAssignedID", reference)
    _ram.render_project(agreement, invoice.project_reference)


def _render_payment_means(parent: etree._Element, payment: PaymentInstructions) -> None:
    """One ram:SpecifiedTradeSettlementPaymentMeans per account (CII holds one account per means)."""
    for transfer in payment.credit_transfers or (None,):
        means = _sub(parent, "ram:SpecifiedTradeSettlementPaymentMeans")
        _sub(means, "ram:TypeCode", payment.means_code)
        _opt(means, "ram:Information", payment.means_text)
        if transfer is None:
            continue
        account = _sub(means, "ram:PayeePartyCreditorFinancialAccount")
        is_iban = bool(_IBAN.match(transfer.account_id))
        if is_iban:
            _sub(account, "ram:IBANID", transfer.account_id)
        _opt(account, "ram:AccountName", transfer.account_name)
        if not is_iban:
            _sub(account, "ram:ProprietaryID", transfer.account_id)
        if transfer.provider_id:
            institution = _sub(means, "ram:PayeeSpecifiedCreditorFinancialInstitution")
            _sub(institution, "ram:BICID", transfer.provider_id)


def _render_settlement(parent: etree._Element, invoice: Invoice) -> None:
    settlement = _sub(parent, "ram:ApplicableHeaderTradeSettlement")
    payment = invoice.payment
    if payment is not None:
        _opt(settlement, "ram:PaymentReference", payment.remittance_information)
    _sub(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    if payment is not None and payment.means_code:
        _render_payment_means(settlement, payment)
    for vat in invoice.vat_breakdown:
        _ram.render_tax(
            settlement,
            "ram:ApplicableTradeTax",
            vat.category,
            vat.rate,
            calculated=vat.tax_amount,
            basis=vat.taxable_amount,
            exemption_reason=vat.exemption_reason,
            exemption_reason_code=vat.exemption_reason_code,
        )
    for allowance in invoice.allowances:
        _render_allowance_charge(settlement, allowance, charge=False)
    for charge in invoice.charges:
        _render_allowance_charge(settlement, charge, charge=True)
    if invoice.payment_terms or invoice.due_date is not None:
        terms = _sub(settlement, "ram:SpecifiedTradePaymentTerms")
        _opt(terms, "ram:Description", invoice.payment_terms)
        _ram.render_date(terms, "ram:DueDateDateTime", invoice.due_date)

    totals = invoice.totals
    summation = _sub(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _amount(summation, "ram:LineTotalAmount", totals.line_total)
    _amount(summation, "ram:ChargeTotalAmount", totals.charge_total)
    _amount(summation, "ram:AllowanceTotalAmount", totals.allowance_total)
    _amount(summation, "ram:TaxBasisTotalAmount", totals.tax_exclusive)
    _amount(summation, "ram:TaxTotalAmount", totals.tax_total, currency=invoice.currency)
    _amount(summation, "ram:RoundingAmount", totals.rounding)
    _amount(summation, "ram:GrandTotalAmount", totals.tax_inclusive)
    _amount(summation, "ram:TotalPrepaidAmount", totals.prepaid)
    _amount(summation, "ram:DuePayableAmount", totals.payable)

    for preceding in invoice.preceding_invoices:
        reference = _sub(settlement, "ram:InvoiceReferencedDocument")
        _sub(reference, "ram:IssuerAssignedID", preceding.number)
        _ram.render_date(reference, "ram:FormattedIssueDateTime", preceding.issue_date, qualified=True)


def render_invoice(invoice: Invoice) -> bytes:
    """The invoice as CII D16B bytes (UTF-8), valid against the Factur-X EN16931 XSD; RenderError if not."""
    root = etree.Element(_qname("rsm:CrossIndustryInvoice"), nsmap=NS)
    transaction = _ram.render_header(root, invoice)
    for line in invoice.lines:
        _render_line(transaction, line)
    _render_agreement(transaction, invoice)
    _ram.render_delivery(transaction, invoice.delivery, event="ram:ActualDeliverySupplyChainEvent")
    _render_settlement(transaction, invoice)
    return ensure_valid(SCHEMA, root)
