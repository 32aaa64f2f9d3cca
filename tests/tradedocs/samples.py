"""Our own sample documents, built as canonical models (no sample file is copied from elsewhere).

``rich_invoice`` uses every part of the model, with figures that satisfy EN 16931's arithmetic:
two lines at 18% IGV (category S), one exempt line (E), a document-level allowance and charge.
"""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal as D

from tradedocs.model import (
    CREDIT_NOTE,
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
    Order,
    OrderLine,
    OrderTotals,
    Party,
    PaymentInstructions,
    PrecedingInvoice,
    Price,
    Totals,
    VatBreakdown,
)


def seller() -> Party:
    return Party(
        name="Textiles Andinos S.A.C.",
        trading_name="Textiles Andinos",
        identifiers=(Identifier("20100070970", "0195"),),
        legal_id=Identifier("20100070970"),
        vat_id="PE20100070970",
        legal_info="Inscrita en la partida 11002233 del Registro de Personas Jurídicas de Lima",
        electronic_address=Identifier("facturas@textilesandinos.pe", "EM"),
        address=Address(
            line1="Av. Argentina 1234",
            line2="Oficina 502",
            city="Lima",
            postcode="15079",
            subdivision="Lima",
            country="PE",
        ),
        contact=Contact(name="Ana Quispe", phone="+51 1 4445566", email="ana.quispe@textilesandinos.pe"),
    )


def buyer() -> Party:
    return Party(
        name="Ministerio de Salud",
        identifiers=(Identifier("20131373237"),),
        legal_id=Identifier("20131373237"),
        vat_id="PE20131373237",
        electronic_address=Identifier("logistica@minsa.gob.pe", "EM"),
        address=Address(line1="Av. Salaverry 801", city="Jesús María", postcode="15072", country="PE"),
        contact=Contact(name="Oficina de Logística", email="logistica@minsa.gob.pe"),
    )


def rich_invoice() -> Invoice:
    lines = (
        InvoiceLine(
            id="1",
            quantity=D("1000"),
            unit="C62",
            net_amount=D("2500.00"),
            price=Price(net=D("2.50"), gross=D("2.75"), discount=D("0.25")),
            vat_category="S",
            vat_rate=D("18.00"),
            note="Entrega en dos partes",
            order_line_reference="1",
            item=Item(
                name="Mascarilla quirúrgica de tres pliegues",
                description="Caja de 50 unidades, norma EN 14683 tipo IIR",
                seller_id="MQ-3P",
                buyer_id="MINSA-4213",
                standard_id=Identifier("07751234567894", "0160"),
                classifications=(Identifier("42131713", "TST"),),
                origin_country="PE",
            ),
        ),
        InvoiceLine(
            id="2",
            quantity=D("20"),
            unit="KGM",
            net_amount=D("600.00"),
            price=Price(net=D("30.00"), base_quantity=D("1"), base_quantity_unit="KGM"),
            vat_category="S",
            vat_rate=D("18.00"),
            item=Item(name="Algodón hidrófilo", classifications=(Identifier("42311505", "TST"),)),
        ),
        InvoiceLine(
            id="3",
            quantity=D("1"),
            unit="C62",
            net_amount=D("400.00"),
            price=Price(net=D("400.00")),
            vat_category="E",
            vat_rate=D("0"),
            item=Item(name="Capacitación en uso de equipos"),
        ),
    )
    allowance = AllowanceCharge(
        amount=D("100.00"),
        base_amount=D("2000.00"),
        percentage=D("5.00"),
        vat_category="S",
        vat_rate=D("18.00"),
        reason="Descuento por volumen",
        reason_code="95",
    )
    charge = AllowanceCharge(amount=D("50.00"), vat_category="S", vat_rate=D("18.00"), reason="Flete", reason_code="FC")
    # S base: 2500 + 600 − 100 + 50 = 3050 → IGV 549.00; E base 400 → 0.
    return Invoice(
        number="F001-00000123",
        issue_date=datetime.date(2026, 11, 20),
        type_code="380",
        currency="PEN",
        business_process="urn:portal:procurement:contract",
        due_date=datetime.date(2026, 12, 20),
        buyer_reference="MINSA-LOG-2026",
        project_reference="PRJ-77",
        contract_reference="CONTRATO-2026-0042",
        order_reference="OC-2026-0042",
        sales_order_reference="PV-555",
        payment_terms="Pago a 30 días de la conformidad",
        notes=(Note("Factura emitida desde el portal de compras"), Note("Sin retención", subject_code="AAI")),
        seller=seller(),
        buyer=buyer(),
        delivery=Delivery(
            party_name="Almacén Central MINSA",
            location_id=Identifier("7750000000017", "0088"),
            date=datetime.date(2026, 11, 18),
            address=Address(line1="Jr. Huanta 1050", city="Lima", postcode="15001", country="PE"),
        ),
        payment=PaymentInstructions(
            means_code="30",
            means_text="Transferencia",
            remittance_information="F001-00000123",
            credit_transfers=(CreditTransfer("00219300123456789012", "Textiles Andinos S.A.C.", "BCPLPEPL"),),
        ),
        allowances=(allowance,),
        charges=(charge,),
        totals=Totals(
            line_total=D("3500.00"),
            allowance_total=D("100.00"),
            charge_total=D("50.00"),
            tax_exclusive=D("3450.00"),
            tax_total=D("549.00"),
            tax_inclusive=D("3999.00"),
            prepaid=D("999.00"),
            payable=D("3000.00"),
        ),
        vat_breakdown=(
            VatBreakdown(taxable_amount=D("3050.00"), tax_amount=D("549.00"), category="S", rate=D("18.00")),
            VatBreakdown(
                taxable_amount=D("400.00"),
                tax_amount=D("0.00"),
                category="E",
                rate=D("0"),
                exemption_reason="Servicio exonerado",
            ),
        ),
        lines=lines,
    )


def minimal_invoice() -> Invoice:
    """The fewest terms EN 16931 accepts: one line, one rate."""
    return Invoice(
        number="E001-7",
        issue_date=datetime.date(2026, 11, 2),
        type_code="380",
        currency="PEN",
        seller=Party(name="Bodega Don Lucho E.I.R.L.", vat_id="PE10456789012", address=Address(country="PE")),
        buyer=Party(name="Municipalidad de Miraflores", address=Address(country="PE")),
        payment_terms="Contado",
        totals=Totals(
            line_total=D("100.00"),
            tax_exclusive=D("100.00"),
            tax_total=D("18.00"),
            tax_inclusive=D("118.00"),
            payable=D("118.00"),
        ),
        vat_breakdown=(VatBreakdown(taxable_amount=D("100.00"), tax_amount=D("18.00"), category="S", rate=D("18")),),
        lines=(
            InvoiceLine(
                id="1",
                quantity=D("4"),
                unit="H87",
                net_amount=D("100.00"),
                price=Price(net=D("25.00")),
                vat_category="S",
                vat_rate=D("18"),
                item=Item(name="Resma de papel A4"),
            ),
        ),
    )


def credit_note() -> Invoice:
    """A credit note for part of the rich invoice (BT-3 381, preceding invoice BG-3)."""
    base = minimal_invoice()
    return dataclasses.replace(
        base,
        number="FC01-9",
        type_code=CREDIT_NOTE,
        preceding_invoices=(PrecedingInvoice("E001-7", datetime.date(2026, 11, 2)),),
    )


def order() -> Order:
    return Order(
        number="OC-2026-0042",
        issue_date=datetime.date(2026, 11, 10),
        currency="PEN",
        buyer_reference="MINSA-LOG-2026",
        contract_reference="CONTRATO-2026-0042",
        payment_terms="Pago a 30 días de la conformidad",
        notes=(Note("Orden emitida desde el contrato CONTRATO-2026-0042"),),
        seller=seller(),
        buyer=buyer(),
        delivery=Delivery(
            party_name="Almacén Central MINSA",
            date=datetime.date(2026, 11, 18),
            address=Address(line1="Jr. Huanta 1050", city="Lima", postcode="15001", country="PE"),
        ),
        totals=OrderTotals(
            line_total=D("3100.00"),
            tax_exclusive=D("3100.00"),
            tax_total=D("558.00"),
            tax_inclusive=D("3658.00"),
        ),
        lines=(
            OrderLine(
                id="1",
                quantity=D("1000"),
                unit="C62",
                net_amount=D("2500.00"),
                price=Price(net=D("2.50")),
                vat_category="S",
                vat_rate=D("18.00"),
                item=Item(
                    name="Mascarilla quirúrgica de tres pliegues",
                    seller_id="MQ-3P",
                    classifications=(Identifier("42131713", "TST"),),
                ),
            ),
            OrderLine(
                id="2",
                quantity=D("20"),
                unit="KGM",
                net_amount=D("600.00"),
                price=Price(net=D("30.00")),
                vat_category="S",
                vat_rate=D("18.00"),
                item=Item(name="Algodón hidrófilo"),
            ),
        ),
    )
