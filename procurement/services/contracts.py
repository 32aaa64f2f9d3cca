"""Contracts: drawn up from the consented award, signed by both parties, completed with the entity's
evaluation of the supplier's performance (public, on the supplier's profile).

The process is contracted when every contract of it is signed, and completed when every one is
completed. Lock order: the tender, then the contract.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind
from portal.accounts.models import Organisation
from portal.accounts.selectors import SUPPLIER_SPOKESPEOPLE, spokespeople_of
from portal.accounts.services import require_role
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.services import notify
from procurement.enums import ContractStatus, TenderStatus
from procurement.models import Contract, Tender
from procurement.services._common import entity_officers, require_entity_officer, tender_url
from procurement.services.awards import _move

logger = logging.getLogger(__name__)

COMMENT_MAX = 4000
# A contract is signed once the award is firm: consented, or awarded in a procedure without consent.
SIGNING_STATUSES = frozenset({TenderStatus.CONSENTED, TenderStatus.AWARDED})


def _lock(contract: Contract) -> tuple[Tender, Contract]:
    tender = (
        Tender.objects.select_for_update(of=("self",))
        .select_related("procedure_type", "entity")
        .get(pk=contract.tender_id)
    )
    return tender, Contract.objects.select_for_update(of=("self",)).select_related("supplier").get(pk=contract.pk)


@transaction.atomic
def contract_sign(*, actor: Any, contract: Contract, organisation: Organisation) -> Contract:
    """Sign ``contract`` for ``organisation``: the entity (an officer) or the supplier (a representative).

    Each party signs once; when both have signed the contract is in force, and when every contract
    of the process is signed the process is contracted. Locks the tender, then the contract.
    """
    if organisation.pk == contract.supplier_id:
        if organisation.kind != OrganisationKind.SUPPLIER:
            raise PermissionDenied(_("Only the parties sign a contract."))
        require_role(actor, organisation, frozenset(SUPPLIER_SPOKESPEOPLE))
        side = "supplier"
    else:
        tender = Tender.objects.select_related("entity").get(pk=contract.tender_id)
        if organisation.pk != tender.entity_id:
            raise PermissionDenied(_("Only the parties sign a contract."))
        require_entity_officer(actor, organisation)
        side = "entity"
    tender, contract = _lock(contract)
    if contract.status != ContractStatus.AWAITING_SIGNATURES or tender.status not in SIGNING_STATUSES:
        raise RuleViolation(_("This contract is not awaiting signatures."), code="not_signable")
    if getattr(contract, f"{side}_signed_at") is not None:
        raise RuleViolation(_("Your organisation has already signed this contract."), code="already_signed")
    now = clock.now()
    setattr(contract, f"{side}_signed_by", actor)
    setattr(contract, f"{side}_signed_at", now)
    fields = [f"{side}_signed_by", f"{side}_signed_at"]
    if contract.entity_signed_at and contract.supplier_signed_at:
        contract.status = ContractStatus.SIGNED
        contract.signed_at = now
        fields += ["status", "signed_at"]
    contract.save(update_fields=fields)
    audit_record(
        actor=actor,
        organisation=organisation,
        action="contract.signed" if contract.status == ContractStatus.SIGNED else f"contract.signed_by_{side}",
        obj=contract,
        payload={"tender": tender.pk, "number": contract.number, "side": side},
    )
    if (
        contract.status == ContractStatus.SIGNED
        and not Contract.objects.filter(tender=tender, status=ContractStatus.AWAITING_SIGNATURES).exists()
    ):
        _move(tender, TenderStatus.CONTRACTED, actor=actor, now=now)
        tender.save(update_fields=["status", "updated_at"])
    other = (
        entity_officers(tender.entity)
        if side == "supplier"
        else spokespeople_of(organisation_ids=[contract.supplier_id])
    )
    notify(
        "contract.signed",
        other,
        {
            "code": tender.code,
            "number": contract.number,
            "party": organisation.name,
            "in_force": contract.status == ContractStatus.SIGNED,
        },
        key=f"contract:{contract.pk}:signed:{side}",
        url=tender_url(tender),
    )
    logger.info("contract.signed", extra={"contract_id": contract.pk, "side": side})
    return contract


@transaction.atomic
def contract_complete(*, actor: Any, contract: Contract, rating: Any, comment: str) -> Contract:
    """The entity closes a signed contract with its evaluation of the supplier's performance: a
    rating from 1 to 5 and a comment, both public. When every contract of the process is completed,
    the process is. Locks the tender, then the contract."""
    tender = Tender.objects.select_related("entity").get(pk=contract.tender_id)
    require_entity_officer(actor, tender.entity)
    if isinstance(rating, bool) or not isinstance(rating, int | str) or not str(rating).strip().isdigit():
        raise DomainError(_("Rate the performance from 1 to 5."), code="invalid_rating", field="rating")
    rating = int(str(rating).strip())
    if not 1 <= rating <= 5:
        raise DomainError(_("Rate the performance from 1 to 5."), code="invalid_rating", field="rating")
    comment = (comment or "").strip()
    if not comment:
        raise DomainError(_("Describe how the contract was performed."), code="required", field="comment")
    if len(comment) > COMMENT_MAX:
        raise DomainError(
            _("Keep the comment under %(max)s characters.") % {"max": COMMENT_MAX}, code="too_long", field="comment"
        )
    tender, contract = _lock(contract)
    if contract.status != ContractStatus.SIGNED:
        raise RuleViolation(_("Only a signed contract is completed."), code="not_signed")
    now = clock.now()
    contract.status = ContractStatus.COMPLETED
    contract.completed_at = now
    contract.rating = rating
    contract.performance_comment = comment
    contract.save(update_fields=["status", "completed_at", "rating", "performance_comment"])
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action="contract.completed",
        obj=contract,
        payload={"tender": tender.pk, "number": contract.number, "rating": rating},
    )
    if (
        tender.status == TenderStatus.CONTRACTED
        and not Contract.objects.filter(tender=tender)
        .exclude(status__in=[ContractStatus.COMPLETED, ContractStatus.CANCELLED])
        .exists()
    ):
        _move(tender, TenderStatus.COMPLETED, actor=actor, now=now)
        tender.save(update_fields=["status", "updated_at"])
    notify(
        "contract.completed",
        spokespeople_of(organisation_ids=[contract.supplier_id]),
        {"code": tender.code, "number": contract.number, "rating": rating},
        key=f"contract:{contract.pk}:completed",
        url=tender_url(tender),
    )
    logger.info("contract.completed", extra={"contract_id": contract.pk, "rating": rating})
    return contract
