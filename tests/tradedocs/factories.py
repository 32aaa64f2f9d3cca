"""The organisations around the sample documents, and ways to send them through the service.

The samples (``tests/tradedocs/samples.py``) are sold by Textiles Andinos (RUC 20100070970, a supplier)
to the Ministerio de Salud (RUC 20131373237, a contracting entity). ``Parties`` puts both on the portal
with their people, plus an accredited integrator and an unrelated supplier.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.test import TestCase

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.services import api_token_create
from tests.factories import OrganisationFactory, member
from tests.tradedocs import samples
from tradedocs.models import Document
from tradedocs.services.documents import document_submit
from tradedocs.xml.documents import render

SELLER_RUC = "20100070970"
BUYER_RUC = "20131373237"

# The rich invoice's BT-106 (sum of line net amounts, 3500.00) as each syntax writes it.
LINE_TOTAL = {
    "cii": b"<ram:LineTotalAmount>3500.00</ram:LineTotalAmount>",
    "ubl": b'<cbc:LineExtensionAmount currencyID="PEN">3500.00</cbc:LineExtensionAmount>',
}


def invoice_xml(syntax: str = "cii", **changes: Any) -> bytes:
    """The rich sample invoice in ``syntax``, with ``changes`` to its model (``number=…``)."""
    return render(dataclasses.replace(samples.rich_invoice(), **changes), syntax)


def order_xml(**changes: Any) -> bytes:
    return render(dataclasses.replace(samples.order(), **changes), "orderx")


def breaking_br_co_10(syntax: str = "cii", **changes: Any) -> bytes:
    """The rich invoice whose BT-106 no longer equals the sum of its lines (3500.00 → 3600.00)."""
    data = invoice_xml(syntax, **changes)
    assert data.count(LINE_TOTAL[syntax]) == 1
    return data.replace(LINE_TOTAL[syntax], LINE_TOTAL[syntax].replace(b"3500.00", b"3600.00"))


def after_commit(action, *args, **kwargs):
    """Run ``action`` and then what it left for after the commit (the validation task, deliveries)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return action(*args, **kwargs)


def submit(actor, sender, data: bytes, **kwargs) -> Document:
    """Send ``data`` as ``actor`` for ``sender``; validation (an eager task after commit) has run on return."""
    document = after_commit(document_submit, actor=actor, sender=sender, data=data, **kwargs)
    replayed = document.replayed
    document.refresh_from_db()
    document.replayed = replayed
    return document


@dataclasses.dataclass
class Parties:
    seller: Any
    buyer: Any
    integrator: Any
    stranger_org: Any
    representative: Any  # the seller's supplier representative
    seller_admin: Any
    officer: Any  # the buyer's procurement officer
    buyer_admin: Any
    integrator_person: Any
    stranger: Any  # a supplier representative of an unrelated supplier

    def token(self, scopes: list[str], organisation=None) -> str:
        """A plain API token key of ``organisation`` (the seller unless given) with ``scopes``."""
        organisation = organisation or self.seller
        admins = {self.seller.pk: self.seller_admin, self.buyer.pk: self.buyer_admin}
        owner = admins.get(organisation.pk) or member(organisation.kind, Role.ADMINISTRATOR, organisation)
        _token, key = api_token_create(actor=owner, organisation=organisation, name="ERP", scopes=scopes)
        return key


def parties() -> Parties:
    seller = OrganisationFactory(kind=OrganisationKind.SUPPLIER, tax_id=SELLER_RUC, name="Textiles Andinos S.A.C.")
    buyer = OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY, tax_id=BUYER_RUC, name="Ministerio de Salud")
    integrator = OrganisationFactory(kind=OrganisationKind.INTEGRATOR, name="Facturación Andina S.A.C.")
    stranger_org = OrganisationFactory(kind=OrganisationKind.SUPPLIER, name="Otra Empresa S.A.C.")
    return Parties(
        seller=seller,
        buyer=buyer,
        integrator=integrator,
        stranger_org=stranger_org,
        representative=member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE, seller),
        seller_admin=member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR, seller),
        officer=member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER, buyer),
        buyer_admin=member(OrganisationKind.CONTRACTING_ENTITY, Role.ADMINISTRATOR, buyer),
        integrator_person=member(OrganisationKind.INTEGRATOR, Role.INTEGRATOR, integrator),
        stranger=member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE, stranger_org),
    )
