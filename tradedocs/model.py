"""The canonical model of a trade document, whatever syntax it came in.

Plain dataclasses, no XML: the syntax adapters in ``tradedocs/xml/`` parse CII, UBL and Order-X into
these and render them back. An invoice is keyed by the EN 16931 semantic model: every field that has a
business term (BT-…) or group (BG-…) is declared in ``INVOICE_TERMS``, and ``to_terms`` /
``from_terms`` turn a model into the dictionary keyed by those ids that ``parse_document --json`` prints
and the portal stores. Orders reuse the same term ids where Order-X reuses EN 16931's semantics.

Amounts, quantities, prices and rates are ``Decimal``; currencies are ISO 4217 codes, countries ISO
3166-1 alpha-2, units UN/ECE Recommendation 20 codes. Empty optional values are ``""``, ``None`` or
an empty tuple, so that two parses of the same document in two syntaxes compare equal with ``==``.

The model carries the terms the portal's users exchange (parties, references, payment, allowances
and charges, VAT breakdown, totals, lines with price and item); a document may carry more, which
stays in its original XML.
"""

from __future__ import annotations

import dataclasses
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

# ── shared parts ─────────────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Identifier:
    """An identifier and, when given, its scheme (ISO 6523 ICD, EAS or UNCL 7143 code)."""

    value: str
    scheme: str = ""


@dataclass(frozen=True)
class Address:
    line1: str = ""
    line2: str = ""
    line3: str = ""
    city: str = ""
    postcode: str = ""
    subdivision: str = ""
    country: str = ""  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class Contact:
    name: str = ""
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Party:
    """Seller (BG-4) or buyer (BG-7)."""

    name: str
    trading_name: str = ""
    identifiers: tuple[Identifier, ...] = ()
    legal_id: Identifier | None = None
    vat_id: str = ""
    tax_registration_id: str = ""  # seller only (BT-32)
    legal_info: str = ""  # seller only (BT-33)
    electronic_address: Identifier | None = None
    address: Address = field(default_factory=Address)
    contact: Contact | None = None


@dataclass(frozen=True)
class Note:
    text: str
    subject_code: str = ""


@dataclass(frozen=True)
class PrecedingInvoice:
    number: str
    issue_date: datetime.date | None = None


@dataclass(frozen=True)
class Delivery:
    """Where and when the goods or services were (or are to be) delivered (BG-13)."""

    party_name: str = ""
    location_id: Identifier | None = None
    date: datetime.date | None = None
    address: Address | None = None


@dataclass(frozen=True)
class CreditTransfer:
    account_id: str
    account_name: str = ""
    provider_id: str = ""


@dataclass(frozen=True)
class PaymentInstructions:
    means_code: str  # UNCL 4461
    means_text: str = ""
    remittance_information: str = ""
    credit_transfers: tuple[CreditTransfer, ...] = ()


@dataclass(frozen=True)
class AllowanceCharge:
    """A document-level allowance (BG-20) or charge (BG-21)."""

    amount: Decimal
    vat_category: str
    base_amount: Decimal | None = None
    percentage: Decimal | None = None
    vat_rate: Decimal | None = None
    reason: str = ""
    reason_code: str = ""


@dataclass(frozen=True)
class VatBreakdown:
    taxable_amount: Decimal
    tax_amount: Decimal
    category: str  # UNCL 5305: S, Z, E, AE, K, G, O, L, M
    rate: Decimal | None = None
    exemption_reason: str = ""
    exemption_reason_code: str = ""


@dataclass(frozen=True)
class Totals:
    line_total: Decimal
    tax_exclusive: Decimal
    tax_inclusive: Decimal
    payable: Decimal
    allowance_total: Decimal | None = None
    charge_total: Decimal | None = None
    tax_total: Decimal | None = None
    prepaid: Decimal | None = None
    rounding: Decimal | None = None


@dataclass(frozen=True)
class Item:
    name: str
    description: str = ""
    seller_id: str = ""
    buyer_id: str = ""
    standard_id: Identifier | None = None
    classifications: tuple[Identifier, ...] = ()  # scheme: UNCL 7143 ("TST" is UNSPSC)
    origin_country: str = ""


@dataclass(frozen=True)
class Price:
    net: Decimal
    discount: Decimal | None = None
    gross: Decimal | None = None
    base_quantity: Decimal | None = None
    base_quantity_unit: str = ""


@dataclass(frozen=True)
class InvoiceLine:
    id: str
    quantity: Decimal
    unit: str  # UN/ECE Rec 20
    net_amount: Decimal
    price: Price
    vat_category: str
    item: Item
    vat_rate: Decimal | None = None
    note: str = ""
    order_line_reference: str = ""


# ── invoice ──────────────────────────────────────────────────────────────────────────────────────

INVOICE = "380"
CREDIT_NOTE = "381"
EN16931 = "urn:cen.eu:en16931:2017"


@dataclass(frozen=True)
class Invoice:
    number: str
    issue_date: datetime.date
    type_code: str  # UNCL 1001: 380 invoice, 381 credit note, 384 corrected, 389 self-billed …
    currency: str
    seller: Party
    buyer: Party
    totals: Totals
    lines: tuple[InvoiceLine, ...]
    vat_breakdown: tuple[VatBreakdown, ...]
    specification: str = EN16931
    business_process: str = ""
    due_date: datetime.date | None = None
    buyer_reference: str = ""
    project_reference: str = ""
    contract_reference: str = ""
    order_reference: str = ""
    sales_order_reference: str = ""
    payment_terms: str = ""
    notes: tuple[Note, ...] = ()
    preceding_invoices: tuple[PrecedingInvoice, ...] = ()
    delivery: Delivery | None = None
    payment: PaymentInstructions | None = None
    allowances: tuple[AllowanceCharge, ...] = ()
    charges: tuple[AllowanceCharge, ...] = ()

    @property
    def is_credit_note(self) -> bool:
        return self.type_code in {"381", "261", "262", "296", "308", "396", "420", "458", "532"}


# ── order (Order-X) ──────────────────────────────────────────────────────────────────────────────

ORDER = "220"
ORDERX_BASIC = "urn:order-x.eu:1p0:basic"
ORDERX_COMFORT = "urn:order-x.eu:1p0:comfort"


@dataclass(frozen=True)
class OrderLine:
    id: str
    quantity: Decimal
    unit: str
    net_amount: Decimal
    price: Price
    item: Item
    vat_category: str = ""
    vat_rate: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class OrderTotals:
    line_total: Decimal
    tax_exclusive: Decimal | None = None
    tax_total: Decimal | None = None
    tax_inclusive: Decimal | None = None


@dataclass(frozen=True)
class Order:
    number: str
    issue_date: datetime.date
    currency: str
    seller: Party
    buyer: Party
    totals: OrderTotals
    lines: tuple[OrderLine, ...]
    type_code: str = ORDER
    specification: str = ORDERX_COMFORT
    business_process: str = ""
    buyer_reference: str = ""
    contract_reference: str = ""
    project_reference: str = ""
    quotation_reference: str = ""
    payment_terms: str = ""
    notes: tuple[Note, ...] = ()
    delivery: Delivery | None = None


# ── status message ───────────────────────────────────────────────────────────────────────────────

RECEIVED = "received"
ACCEPTED = "accepted"
REJECTED = "rejected"


@dataclass(frozen=True)
class StatusReason:
    code: str  # UNCL 4343-like reason code chosen by the buyer, e.g. "REF" wrong reference
    text: str


@dataclass(frozen=True)
class StatusMessage:
    """The answer to a document: received, accepted, or rejected with reasons."""

    document_number: str
    document_type_code: str
    status: str
    issued_at: datetime.datetime
    sender: Party
    receiver: Party
    reasons: tuple[StatusReason, ...] = ()


# ── business-term keys ───────────────────────────────────────────────────────────────────────────
# A field maps to: a term id (a value); a pair of term ids (an Identifier: value and scheme); or
# (group id, sub-map, class) for a nested dataclass or a tuple of them.


def _address(*ids: str) -> dict[str, Any]:
    return dict(zip(["line1", "line2", "line3", "city", "postcode", "subdivision", "country"], ids, strict=True))


def _contact(*ids: str) -> dict[str, Any]:
    return dict(zip(["name", "phone", "email"], ids, strict=True))


SELLER_TERMS = {
    "name": "BT-27",
    "trading_name": "BT-28",
    "identifiers": ("BT-29", "BT-29-1"),
    "legal_id": ("BT-30", "BT-30-1"),
    "vat_id": "BT-31",
    "tax_registration_id": "BT-32",
    "legal_info": "BT-33",
    "electronic_address": ("BT-34", "BT-34-1"),
    "address": ("BG-5", _address("BT-35", "BT-36", "BT-162", "BT-37", "BT-38", "BT-39", "BT-40"), Address),
    "contact": ("BG-6", _contact("BT-41", "BT-42", "BT-43"), Contact),
}
BUYER_TERMS = {
    "name": "BT-44",
    "trading_name": "BT-45",
    "identifiers": ("BT-46", "BT-46-1"),
    "legal_id": ("BT-47", "BT-47-1"),
    "vat_id": "BT-48",
    "electronic_address": ("BT-49", "BT-49-1"),
    "address": ("BG-8", _address("BT-50", "BT-51", "BT-163", "BT-52", "BT-53", "BT-54", "BT-55"), Address),
    "contact": ("BG-9", _contact("BT-56", "BT-57", "BT-58"), Contact),
}
DELIVERY_TERMS = {
    "party_name": "BT-70",
    "location_id": ("BT-71", "BT-71-1"),
    "date": "BT-72",
    "address": ("BG-15", _address("BT-75", "BT-76", "BT-165", "BT-77", "BT-78", "BT-79", "BT-80"), Address),
}
ALLOWANCE_TERMS = {
    "amount": "BT-92",
    "base_amount": "BT-93",
    "percentage": "BT-94",
    "vat_category": "BT-95",
    "vat_rate": "BT-96",
    "reason": "BT-97",
    "reason_code": "BT-98",
}
CHARGE_TERMS = {
    "amount": "BT-99",
    "base_amount": "BT-100",
    "percentage": "BT-101",
    "vat_category": "BT-102",
    "vat_rate": "BT-103",
    "reason": "BT-104",
    "reason_code": "BT-105",
}
PRICE_TERMS = {
    "net": "BT-146",
    "discount": "BT-147",
    "gross": "BT-148",
    "base_quantity": "BT-149",
    "base_quantity_unit": "BT-150",
}
ITEM_TERMS = {
    "name": "BT-153",
    "description": "BT-154",
    "seller_id": "BT-155",
    "buyer_id": "BT-156",
    "standard_id": ("BT-157", "BT-157-1"),
    "classifications": ("BT-158", "BT-158-1"),
    "origin_country": "BT-159",
}
INVOICE_TERMS: dict[str, Any] = {
    "number": "BT-1",
    "issue_date": "BT-2",
    "type_code": "BT-3",
    "currency": "BT-5",
    "due_date": "BT-9",
    "buyer_reference": "BT-10",
    "project_reference": "BT-11",
    "contract_reference": "BT-12",
    "order_reference": "BT-13",
    "sales_order_reference": "BT-14",
    "payment_terms": "BT-20",
    "notes": ("BG-1", {"subject_code": "BT-21", "text": "BT-22"}, Note),
    "business_process": "BT-23",
    "specification": "BT-24",
    "preceding_invoices": ("BG-3", {"number": "BT-25", "issue_date": "BT-26"}, PrecedingInvoice),
    "seller": ("BG-4", SELLER_TERMS, Party),
    "buyer": ("BG-7", BUYER_TERMS, Party),
    "delivery": ("BG-13", DELIVERY_TERMS, Delivery),
    "payment": (
        "BG-16",
        {
            "means_code": "BT-81",
            "means_text": "BT-82",
            "remittance_information": "BT-83",
            "credit_transfers": (
                "BG-17",
                {"account_id": "BT-84", "account_name": "BT-85", "provider_id": "BT-86"},
                CreditTransfer,
            ),
        },
        PaymentInstructions,
    ),
    "allowances": ("BG-20", ALLOWANCE_TERMS, AllowanceCharge),
    "charges": ("BG-21", CHARGE_TERMS, AllowanceCharge),
    "totals": (
        "BG-22",
        {
            "line_total": "BT-106",
            "allowance_total": "BT-107",
            "charge_total": "BT-108",
            "tax_exclusive": "BT-109",
            "tax_total": "BT-110",
            "tax_inclusive": "BT-112",
            "prepaid": "BT-113",
            "rounding": "BT-114",
            "payable": "BT-115",
        },
        Totals,
    ),
    "vat_breakdown": (
        "BG-23",
        {
            "taxable_amount": "BT-116",
            "tax_amount": "BT-117",
            "category": "BT-118",
            "rate": "BT-119",
            "exemption_reason": "BT-120",
            "exemption_reason_code": "BT-121",
        },
        VatBreakdown,
    ),
    "lines": (
        "BG-25",
        {
            "id": "BT-126",
            "note": "BT-127",
            "quantity": "BT-129",
            "unit": "BT-130",
            "net_amount": "BT-131",
            "order_line_reference": "BT-132",
            "price": ("BG-29", PRICE_TERMS, Price),
            "vat_category": "BT-151",
            "vat_rate": "BT-152",
            "item": ("BG-31", ITEM_TERMS, Item),
        },
        InvoiceLine,
    ),
}
# Order-X's semantic model numbers its terms like EN 16931 where the meaning is the same.
ORDER_TERMS: dict[str, Any] = {
    "number": "BT-1",
    "issue_date": "BT-2",
    "type_code": "BT-3",
    "currency": "BT-5",
    "buyer_reference": "BT-10",
    "project_reference": "BT-11",
    "contract_reference": "BT-12",
    "quotation_reference": "BT-X-403",
    "payment_terms": "BT-20",
    "notes": ("BG-1", {"subject_code": "BT-21", "text": "BT-22"}, Note),
    "business_process": "BT-23",
    "specification": "BT-24",
    "seller": ("BG-4", SELLER_TERMS, Party),
    "buyer": ("BG-7", BUYER_TERMS, Party),
    "delivery": ("BG-13", DELIVERY_TERMS, Delivery),
    "totals": (
        "BG-22",
        {"line_total": "BT-106", "tax_exclusive": "BT-109", "tax_total": "BT-110", "tax_inclusive": "BT-112"},
        OrderTotals,
    ),
    "lines": (
        "BG-25",
        {
            "id": "BT-126",
            "note": "BT-127",
            "quantity": "BT-129",
            "unit": "BT-130",
            "net_amount": "BT-131",
            "price": ("BG-29", PRICE_TERMS, Price),
            "vat_category": "BT-151",
            "vat_rate": "BT-152",
            "item": ("BG-31", ITEM_TERMS, Item),
        },
        OrderLine,
    ),
}


def _field_types(cls: type) -> dict[str, Any]:
    return {f.name: f for f in dataclasses.fields(cls)}


def _dump_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    return value


def _dump(obj: Any, terms: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in terms.items():
        value = getattr(obj, name)
        if value in (None, "", ()):
            continue
        if isinstance(spec, str):
            out[spec] = _dump_value(value)
        elif len(spec) == 2:  # an Identifier, or a tuple of them
            value_id, scheme_id = spec
            if isinstance(value, tuple):
                out[value_id] = [{value_id: i.value, **({scheme_id: i.scheme} if i.scheme else {})} for i in value]
            else:
                out[value_id] = value.value
                if value.scheme:
                    out[scheme_id] = value.scheme
        else:
            group_id, sub_terms, _cls = spec
            if isinstance(value, tuple):
                out[group_id] = [_dump(part, sub_terms) for part in value]
            else:
                out[group_id] = _dump(value, sub_terms)
    return out


def _load_value(raw: Any, annotation: str) -> Any:
    if "Decimal" in annotation:
        return Decimal(raw)
    if "datetime.date" in annotation:
        return datetime.date.fromisoformat(raw)
    return raw


def _load(cls: type, data: dict[str, Any], terms: dict[str, Any]) -> Any:
    fields = _field_types(cls)
    kwargs: dict[str, Any] = {}
    for name, spec in terms.items():
        annotation = str(fields[name].type)
        if isinstance(spec, str):
            if spec in data:
                kwargs[name] = _load_value(data[spec], annotation)
        elif len(spec) == 2:
            value_id, scheme_id = spec
            if value_id not in data:
                continue
            raw = data[value_id]
            if isinstance(raw, list):
                kwargs[name] = tuple(Identifier(i[value_id], i.get(scheme_id, "")) for i in raw)
            else:
                kwargs[name] = Identifier(raw, data.get(scheme_id, ""))
        else:
            group_id, sub_terms, sub_cls = spec
            if group_id not in data:
                continue
            raw = data[group_id]
            if isinstance(raw, list):
                kwargs[name] = tuple(_load(sub_cls, part, sub_terms) for part in raw)
            else:
                kwargs[name] = _load(sub_cls, raw, sub_terms)
    return cls(**kwargs)


def to_terms(document: Invoice | Order) -> dict[str, Any]:
    """The document as a JSON-ready dictionary keyed by business-term and group ids."""
    return _dump(document, INVOICE_TERMS if isinstance(document, Invoice) else ORDER_TERMS)


def invoice_from_terms(data: dict[str, Any]) -> Invoice:
    return _load(Invoice, data, INVOICE_TERMS)


def order_from_terms(data: dict[str, Any]) -> Order:
    return _load(Order, data, ORDER_TERMS)
