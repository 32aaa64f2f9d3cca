"""Documents the portal writes for people without software: an order from a contract, an invoice from
a web form. Both are built as canonical models, rendered (schema-checked) in a standard syntax and
then submitted like any integrator's document, so they pass the same validation.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from portal.accounts.models import Organisation
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from procurement.facade import contract_for_order
from tradedocs.enums import DocumentType, Source
from tradedocs.model import (
    EN16931,
    INVOICE,
    ORDERX_COMFORT,
    Address,
    CreditTransfer,
    Delivery,
    Identifier,
    Invoice,
    InvoiceLine,
    Item,
    Order,
    OrderLine,
    OrderTotals,
    Party,
    PaymentInstructions,
    Price,
    Totals,
    VatBreakdown,
    order_from_terms,
)
from tradedocs.models import Document
from tradedocs.services.documents import document_submit
from tradedocs.xml.documents import render

CENT = Decimal("0.01")
# Peru's IGV (value-added tax): category S at 18%; exempt supplies are category E.
IGV_RATE = Decimal("18")
VAT_CATEGORIES = {"S": IGV_RATE, "E": Decimal("0")}
EXEMPTION_REASON = "Operación exonerada del IGV"


# Rec 20 retired its packaging codes in favour of Rec 21's, which EN 16931 takes with an "X" prefix
# (BR-CL-23). Procurement's item units still use the old ones; documents carry the current codes.
RETIRED_UNITS = {"BX": "XBX", "PK": "XPK", "CT": "XCT", "BG": "XBG", "BO": "XBO", "CA": "XCA"}


def en16931_unit(code: str) -> str:
    return RETIRED_UNITS.get(code.strip().upper(), code.strip().upper())


def _money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _party(organisation: Organisation) -> Party:
    """An organisation of the portal as a document party: its tax id as legal and VAT id (ISO 6523 is not
    used for RUCs, so no scheme), its country."""
    return Party(
        name=organisation.name,
        legal_id=Identifier(organisation.tax_id),
        vat_id=f"{organisation.country}{organisation.tax_id}",
        address=Address(country=organisation.country),
    )


def _vat_lines(bases: dict[str, Decimal]) -> tuple[tuple[VatBreakdown, ...], Decimal]:
    breakdown = []
    for category, base in sorted(bases.items(), key=lambda pair: "SE".index(pair[0])):
        rate = VAT_CATEGORIES[category]
        tax = _money(base * rate / 100)
        breakdown.append(
            VatBreakdown(
                taxable_amount=_money(base),
                tax_amount=tax,
                category=category,
                rate=rate,
                exemption_reason=EXEMPTION_REASON if category == "E" else "",
            )
        )
    return tuple(breakdown), sum((line.tax_amount for line in breakdown), Decimal(0))


# ── order from a contract ────────────────────────────────────────────────────────────────────────


def order_issue(*, actor: Any, contract_id: int, delivery_date: datetime.date | None = None) -> Document:
    """The entity's officer issues an Order-X order for what a signed contract awarded.

    Lines are the lot's items at the awarded unit prices (taken as prices before IGV), with IGV at 18%.
    The order is numbered after the contract; a second order for the same contract returns the first
    (same bytes) unless its delivery date differs, which is then a conflict of numbers.
    """
    view = contract_for_order(actor=actor, contract_id=contract_id)
    if delivery_date is not None and delivery_date < clock.today():
        raise DomainError(
            _("The requested delivery date has passed; choose today or a later day."),
            code="invalid_value",
            field="delivery_date",
        )
    if not view.lines:
        raise RuleViolation(_("The contract has no priced items to order."), code="nothing_to_order")
    lines = tuple(
        OrderLine(
            id=str(line.number),
            quantity=line.quantity,
            unit=en16931_unit(line.unit),
            net_amount=_money(line.quantity * line.unit_price),
            price=Price(net=line.unit_price),
            vat_category="S",
            vat_rate=IGV_RATE,
            item=Item(name=line.description[:200], classifications=(Identifier(line.unspsc_code, "TST"),)),
        )
        for line in view.lines
    )
    line_total = sum((line.net_amount for line in lines), Decimal(0))
    tax = _money(line_total * IGV_RATE / 100)
    order = Order(
        number=f"OC-{view.number}"[:100],
        issue_date=clock.today(),
        currency=view.currency,
        specification=ORDERX_COMFORT,
        contract_reference=view.number,
        seller=_party(view.supplier),
        buyer=_party(view.entity),
        totals=OrderTotals(
            line_total=line_total, tax_exclusive=line_total, tax_total=tax, tax_inclusive=line_total + tax
        ),
        lines=lines,
        delivery=None if delivery_date is None else _delivery(delivery_date),
    )
    return document_submit(
        actor=actor, sender=view.entity, data=render(order, "orderx"), source=Source.CONTRACT, contract=view.contract
    )


def _delivery(date: datetime.date) -> Delivery:
    return Delivery(date=date)


# ── invoice from the web form ────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class FormLine:
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_category: str = "S"
    unspsc_code: str = ""


def invoice_issue(
    *,
    actor: Any,
    seller: Organisation,
    number: str,
    lines: list[FormLine],
    syntax: str = "cii",
    order: Document | None = None,
    buyer: Organisation | None = None,
    issue_date: datetime.date | None = None,
    due_date: datetime.date | None = None,
    payment_terms: str = "",
    bank_account: str = "",
) -> Document:
    """An SME without software issues an invoice from a form; the portal writes it in CII or UBL.

    Against an order addressed to the seller, the buyer, currency and references come from the order;
    otherwise ``buyer`` names an organisation of the portal. Totals and the IGV breakdown are computed
    here, to the cent, so that the invoice satisfies EN 16931's arithmetic rules.
    """
    if syntax not in {"cii", "ubl"}:
        raise DomainError(_("Choose CII or UBL."), code="invalid_syntax", field="syntax")
    number = number.strip()
    if not number:
        raise DomainError(
            _("Give the invoice a number (your series and correlative)."), code="required", field="number"
        )
    if not lines:
        raise DomainError(_("Add at least one line."), code="required", field="lines")
    for line in lines:
        if line.quantity <= 0 or line.unit_price < 0:
            raise DomainError(
                _("Quantities must be positive and prices not negative."), code="invalid_value", field="lines"
            )
        if line.vat_category not in VAT_CATEGORIES:
            raise DomainError(_("Unknown IGV category."), code="invalid_value", field="lines")
    currency = "PEN"
    order_reference = contract_reference = ""
    if order is not None:
        if order.document_type != DocumentType.ORDER or order.receiver_id != seller.pk:
            raise RuleViolation(_("You can only invoice orders addressed to you."), code="not_your_order")
        ordered = order_from_terms(order.terms or {})
        currency = ordered.currency
        order_reference = ordered.number
        contract_reference = ordered.contract_reference
        buyer_party = ordered.buyer
    elif buyer is not None:
        buyer_party = _party(buyer)
    else:
        raise DomainError(_("Choose the order you invoice, or the buyer."), code="required", field="buyer")
    invoice_lines = []
    bases: dict[str, Decimal] = {}
    for index, line in enumerate(lines, start=1):
        net = _money(line.quantity * line.unit_price)
        bases[line.vat_category] = bases.get(line.vat_category, Decimal(0)) + net
        invoice_lines.append(
            InvoiceLine(
                id=str(index),
                quantity=line.quantity,
                unit=en16931_unit(line.unit),
                net_amount=net,
                price=Price(net=line.unit_price),
                vat_category=line.vat_category,
                vat_rate=VAT_CATEGORIES[line.vat_category],
                item=Item(
                    name=line.description[:200],
                    classifications=(Identifier(line.unspsc_code, "TST"),) if line.unspsc_code else (),
                ),
            )
        )
    breakdown, tax = _vat_lines(bases)
    line_total = sum((line.net_amount for line in invoice_lines), Decimal(0))
    today = issue_date or clock.today()
    invoice = Invoice(
        number=number[:100],
        issue_date=today,
        type_code=INVOICE,
        currency=currency,
        specification=EN16931,
        seller=_party(seller),
        buyer=buyer_party,
        order_reference=order_reference,
        contract_reference=contract_reference,
        due_date=due_date,
        payment_terms=payment_terms.strip() or ("" if due_date else _("Payment on receipt")),
        payment=PaymentInstructions(means_code="30", credit_transfers=(CreditTransfer(bank_account.strip()),))
        if bank_account.strip()
        else None,
        totals=Totals(
            line_total=line_total,
            tax_exclusive=line_total,
            tax_total=tax,
            tax_inclusive=line_total + tax,
            payable=line_total + tax,
        ),
        vat_breakdown=breakdown,
        lines=tuple(invoice_lines),
    )
    return document_submit(
        actor=actor,
        sender=seller,
        data=render(invoice, syntax),
        source=Source.WEB_FORM,
        order=order,
        contract=order.contract if order is not None else None,
    )
