"""A ready reverse-factoring world for tests: a buyer's chain under the NAFIN-like programme, a joined
supplier (active in the registry, with a verified bank account), two admitted institutions with offers,
and helpers to put negotiable documents on the market and operate them.

    world = chain_world()
    doc = receivable(world, face=Decimal("100000.00"), due_in_days=60)
    financing = operated(world, doc)            # selected by the supplier, operated by institution A
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from decimal import Decimal
from typing import Any

from portal.accounts.enums import OrganisationKind, Role
from portal.core import clock
from tests.factories import OrganisationFactory, member
from tests.smeregistry.factories import operator, registered_supplier
from tradedocs.factoring.enums import DayCount
from tradedocs.factoring.models import Financing, Programme, Receivable
from tradedocs.factoring.services import (
    bank_account_register,
    bank_account_verify,
    chain_admit_institution,
    chain_invite_supplier,
    chain_join,
    chain_open,
    financing_operate,
    financing_select,
    offer_publish,
    payables_load,
)

_numbers = itertools.count(1)
_suppliers = itertools.count(1)


def programme(code: str = "nafin-pe", **overrides: Any) -> Programme:
    defaults = {
        "name": "Cadenas Productivas",
        "reference_name": "TAMN",
        "cap_points": Decimal(7),
        "day_count": DayCount.ACT_360,
    }
    defaults.update(overrides)
    found, _created = Programme.objects.get_or_create(code=code, defaults=defaults)
    return found


@dataclasses.dataclass
class Institution:
    organisation: Any
    officer: Any
    member: Any  # ChainInstitution
    offer: Any


@dataclasses.dataclass
class ChainWorld:
    programme: Any
    chain: Any
    buyer: Any  # Organisation (contracting entity)
    officer: Any  # buyer's procurement officer
    supplier: Any  # Organisation (registered, active)
    representative: Any  # supplier's representative (the registry owner)
    registry: Any  # smeregistry Supplier
    bank_account: Any
    operator: Any  # platform operator (reviewer)
    a: Institution  # reference 8.00 + spread 5.00 = 13.00 %
    b: Institution  # reference 8.00 + spread 6.50 = 14.50 %

    @property
    def institutions(self) -> list[Institution]:
        return [self.a, self.b]


def joined_supplier(chain, buyer_officer, *, n: int | None = None, bank: bool = True, operator_user=None):
    """A registered, active supplier invited to and joined in ``chain``; with a verified bank account unless
    ``bank=False``. Returns (registry Supplier, representative, bank account or None)."""
    n = n if n is not None else 5000 + next(_suppliers)
    registry = registered_supplier(n)
    representative = registry.owner
    chain_invite_supplier(actor=buyer_officer, chain=chain, supplier=registry.organisation)
    chain_join(actor=representative, chain=chain, supplier=registry.organisation)
    account = None
    if bank:
        account = bank_account_register(
            actor=representative, organisation=registry.organisation, bank="BCP", cci=f"002{n:017d}"
        )
        account = bank_account_verify(actor=operator_user or operator(), account=account)
    return registry, representative, account


def admit(world_or_chain, buyer_officer, *, spread: Decimal, reference: Decimal = Decimal("8.00"), **limits):
    chain = getattr(world_or_chain, "chain", world_or_chain)
    organisation = OrganisationFactory(kind=OrganisationKind.FINANCIAL_INSTITUTION)
    officer = member(OrganisationKind.FINANCIAL_INSTITUTION, Role.FINANCIER_OFFICER, organisation)
    membership = chain_admit_institution(actor=buyer_officer, chain=chain, institution=organisation, **limits)
    offer = offer_publish(actor=officer, chain=chain, institution=organisation, reference_rate=reference, spread=spread)
    return Institution(organisation=organisation, officer=officer, member=membership, offer=offer)


def chain_world(
    *,
    buyer_limit: Decimal | None = None,
    limit_a: Decimal | None = None,
    limit_b: Decimal | None = None,
    auto_accept_a: Decimal | None = None,
    day_count: str = DayCount.ACT_360,
    supplier_n: int | None = None,
) -> ChainWorld:
    """The whole chain, ready to discount. Institution A offers 8.00 + 5.00, B offers 8.00 + 6.50."""
    prog = programme() if day_count == DayCount.ACT_360 else programme("nafin-365", day_count=day_count)
    buyer = OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY)
    officer = member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER, buyer)
    chain = chain_open(actor=officer, buyer=buyer, programme=prog, name="Cadena Minsa", buyer_limit=buyer_limit)
    operator_user = operator()
    registry, representative, account = joined_supplier(chain, officer, n=supplier_n, operator_user=operator_user)
    a = admit(chain, officer, spread=Decimal("5.00"), limit=limit_a, auto_accept_up_to=auto_accept_a)
    b = admit(chain, officer, spread=Decimal("6.50"), limit=limit_b)
    return ChainWorld(
        programme=prog,
        chain=chain,
        buyer=buyer,
        officer=officer,
        supplier=registry.organisation,
        representative=representative,
        registry=registry,
        bank_account=account,
        operator=operator_user,
        a=a,
        b=b,
    )


def receivable(
    world: ChainWorld,
    face: Decimal = Decimal("100000.00"),
    due_in_days: int = 60,
    number: str | None = None,
    *,
    supplier=None,
    currency: str = "PEN",
) -> Receivable:
    """A NEGOTIABLE document confirmed by the buyer through ``payables_load``, due ``due_in_days`` from
    the portal's today."""
    number = number or f"F001-{next(_numbers):08d}"
    supplier = supplier or world.supplier
    due = clock.today() + datetime.timedelta(days=due_in_days)
    answer = payables_load(
        actor=world.officer,
        chain=world.chain,
        rows=[
            {
                "supplier_ruc": supplier.tax_id,
                "number": number,
                "amount": str(face),
                "due_date": due.isoformat(),
                "currency": currency,
            }
        ],
    )
    assert answer["loaded"] == 1, answer
    return Receivable.objects.get(pk=answer["rows"][0]["receivable"])


def selected(
    world: ChainWorld, document: Receivable | None = None, *, institution: Institution | None = None, **kwargs: Any
) -> Financing:
    document = document or receivable(world, **kwargs)
    institution = institution or world.a
    return financing_select(actor=world.representative, receivable=document, institution=institution.organisation)


def operated(
    world: ChainWorld, document: Receivable | None = None, *, institution: Institution | None = None, **kwargs: Any
) -> Financing:
    """A document selected by the supplier and operated by the institution (A unless given)."""
    institution = institution or world.a
    financing = selected(world, document, institution=institution, **kwargs)
    return financing_operate(actor=institution.officer, financing=financing)
