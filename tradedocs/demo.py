"""Demo trade documents, made through the services: an order from the demo's signed contract, its
invoice written in the web form and accepted, a second invoice waiting for the buyer's answer, and an
invoice that fails EN 16931's arithmetic so that the report page has something to show."""

from __future__ import annotations

import logging
from datetime import timedelta
from decimal import Decimal

from portal.accounts.models import User
from portal.core import clock
from procurement.facade import contract_for_order, signed_contract_ids
from tradedocs.enums import DocumentStatus, Source
from tradedocs.models import Document
from tradedocs.selectors import document_handlers
from tradedocs.services.documents import document_answer, document_submit
from tradedocs.services.issuing import FormLine, invoice_issue, order_issue

logger = logging.getLogger(__name__)


def load(world: dict) -> None:
    contract_ids = signed_contract_ids()
    if not contract_ids or Document.objects.filter(contract_id=contract_ids[0]).exists():
        return
    officer = User.objects.get(username="oficial")
    supplier = contract_for_order(actor=officer, contract_id=contract_ids[0]).supplier
    order = order_issue(actor=officer, contract_id=contract_ids[0], delivery_date=clock.today() + timedelta(days=15))
    order.refresh_from_db()
    speaker = document_handlers(organisation_ids=[supplier.pk]).first()
    if order.status != DocumentStatus.VALID or speaker is None:
        logger.warning("demo.tradedocs_skipped", extra={"order_status": order.status})
        return
    lines = [
        FormLine(
            description=line["BG-31"]["BT-153"],
            quantity=Decimal(line["BT-129"]),
            unit=line["BT-130"],
            unit_price=Decimal(line["BG-29"]["BT-146"]),
        )
        for line in order.terms["BG-25"]
    ]
    accepted = invoice_issue(actor=speaker, seller=supplier, number="F001-00000001", lines=lines, order=order)
    document_answer(actor=officer, document=accepted, accept=True)
    invoice_issue(
        actor=speaker,
        seller=supplier,
        number="F001-00000002",
        lines=[
            FormLine(
                description="Flete a almacenes regionales",
                quantity=Decimal(1),
                unit="E48",
                unit_price=Decimal("850.00"),
            )
        ],
        buyer=order.sender,
        syntax="ubl",
        payment_terms="Pago a 30 días",
    )
    # An invoice whose amounts do not add up (BR-CO-10): the report names the rule and the line.
    broken = invoice_issue(
        actor=speaker,
        seller=supplier,
        number="F001-00000003",
        lines=[
            FormLine(
                description="Servicio de mantenimiento", quantity=Decimal(1), unit="E48", unit_price=Decimal("100.00")
            )
        ],
        buyer=order.sender,
    )
    data = bytes(broken.original).replace(b"<ram:LineTotalAmount>100.00<", b"<ram:LineTotalAmount>110.00<", 1)
    data = data.replace(b"F001-00000003", b"F001-00000004")
    document_submit(actor=speaker, sender=supplier, data=data, source=Source.UPLOAD)
