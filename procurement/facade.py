"""What trade documents may know of a contract: its parties and what was awarded, at what price.

The ``tradedocs`` app reads contracts only through this facade (the design's one meeting point), so
that a change to how bids, awards and contracts are stored does not reach the documents.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from portal.accounts.models import Organisation
from portal.core.errors import RuleViolation
from procurement.enums import ContractStatus
from procurement.models import Contract, Item
from procurement.pricing import agreed_unit_prices
from procurement.selectors import contract_get
from procurement.services._common import require_entity_officer


@dataclass(frozen=True)
class ContractLine:
    number: int
    description: str
    unspsc_code: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    delivery_place: str


@dataclass(frozen=True)
class ContractForOrder:
    contract: Contract
    number: str
    entity: Organisation
    supplier: Organisation
    currency: str
    amount: Decimal
    lines: tuple[ContractLine, ...]


def contract_for_order(*, actor: Any, contract_id: int) -> ContractForOrder:
    """A signed contract the actor may order against: an officer of its entity. Not found otherwise."""
    contract = contract_get(actor=actor, contract_id=contract_id)
    contract = Contract.objects.select_related("tender__entity", "supplier", "award__bid", "award__lot").get(
        pk=contract.pk
    )
    require_entity_officer(actor, contract.tender.entity)
    if contract.status not in {ContractStatus.SIGNED}:
        raise RuleViolation(_("Orders are issued against a signed contract in force."), code="contract_not_in_force")
    bid = contract.award.bid
    prices = agreed_unit_prices(
        opened_prices=bid.opened_prices or {}, opened_total=bid.price_total, agreed_total=contract.award.amount
    )
    items = Item.objects.filter(lot=contract.award.lot).order_by("number")
    lines = tuple(
        ContractLine(
            number=item.number,
            description=item.description,
            unspsc_code=item.unspsc_code,
            quantity=item.quantity,
            unit=item.unit,
            unit_price=prices[str(item.number)],
            delivery_place=item.delivery_place,
        )
        for item in items
        if str(item.number) in prices
    )
    return ContractForOrder(
        contract=contract,
        number=contract.number,
        entity=contract.tender.entity,
        supplier=contract.supplier,
        currency=contract.currency,
        amount=contract.amount,
        lines=lines,
    )


def signed_contract_ids() -> list[int]:
    """Contracts in force, oldest first (the trade-documents demo orders against the first)."""
    return list(Contract.objects.filter(status=ContractStatus.SIGNED).order_by("pk").values_list("pk", flat=True))
