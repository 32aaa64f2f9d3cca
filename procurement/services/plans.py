"""Annual procurement plans (PAC): versions drafted, then published; a new version supersedes."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from portal.accounts.models import Organisation
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from procurement.enums import PlanStatus, ProcurementObject
from procurement.models import Plan, PlanLine, ProcedureType
from procurement.services._common import require_entity_officer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PlanLineData:
    """One planned purchase as the officer typed it. Values are in the jurisdiction's currency (PEN),
    the currency the procedure types' thresholds are written in."""

    description: str
    object: str
    procedure_type: ProcedureType
    unspsc_code: str
    estimated_value: Any
    planned_month: int


def _field(index: int, name: str) -> str:
    return f"lines[{index}].{name}"


def _clean_line(index: int, line: PlanLineData, jurisdiction: str) -> dict[str, Any]:
    description = (line.description or "").strip()
    if not description:
        raise DomainError(_("Describe the planned purchase."), code="required", field=_field(index, "description"))
    procedure = line.procedure_type
    if procedure is None or not procedure.is_active or procedure.jurisdiction != jurisdiction:
        raise DomainError(
            _("Choose a procedure type in force in the entity's country."),
            code="invalid_procedure_type",
            field=_field(index, "procedure_type"),
        )
    config = procedure.config
    if line.object not in ProcurementObject.values or line.object not in (config.get("objects") or []):
        raise DomainError(
            _("A %(procedure)s does not buy this kind of object.") % {"procedure": procedure.name},
            code="invalid_object",
            field=_field(index, "object"),
        )
    code = (line.unspsc_code or "").strip()
    if not re.fullmatch(r"\d{8}", code):
        raise DomainError(_("A UNSPSC code has 8 digits."), code="invalid_unspsc", field=_field(index, "unspsc_code"))
    try:
        value = Decimal(str(line.estimated_value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        value = Decimal(0)
    if not value.is_finite() or value <= 0:
        raise DomainError(
            _("The estimated value must be more than zero."),
            code="invalid_value",
            field=_field(index, "estimated_value"),
        )
    low, high = config.get("value_min"), config.get("value_max")
    if (low is not None and value < Decimal(low)) or (high is not None and value > Decimal(high)):
        raise DomainError(
            _("A %(procedure)s is for values from %(low)s to %(high)s.")
            % {"procedure": procedure.name, "low": low or "0", "high": high or "∞"},
            code="outside_thresholds",
            field=_field(index, "estimated_value"),
        )
    if not isinstance(line.planned_month, int) or not 1 <= line.planned_month <= 12:
        raise DomainError(
            _("The planned month is a number from 1 to 12."), code="invalid_month", field=_field(index, "planned_month")
        )
    return {
        "number": index + 1,
        "description": description[:300],
        "object": line.object,
        "procedure_type": procedure,
        "unspsc_code": code,
        "estimated_value": value,
        "planned_month": line.planned_month,
    }


@transaction.atomic
def plan_create(*, actor: Any, entity: Organisation, fiscal_year: int, lines: list[PlanLineData]) -> Plan:
    """Draft the next version of the entity's plan for ``fiscal_year``.

    Lines are numbered in the order given. Locks the entity's row so that two officers drafting at
    once get consecutive version numbers.
    """
    require_entity_officer(actor, entity)
    if not isinstance(fiscal_year, int) or not 2000 <= fiscal_year <= 2100:
        raise DomainError(_("Choose the plan's fiscal year."), code="invalid_year", field="fiscal_year")
    if not lines:
        raise DomainError(_("A plan has at least one planned purchase."), code="required", field="lines")
    clean = [_clean_line(index, line, entity.country) for index, line in enumerate(lines)]
    Organisation.objects.select_for_update(of=("self",)).only("pk").get(pk=entity.pk)
    latest = Plan.objects.filter(entity=entity, fiscal_year=fiscal_year).aggregate(v=Max("version"))["v"] or 0
    plan = Plan.objects.create(
        entity=entity, fiscal_year=fiscal_year, version=latest + 1, status=PlanStatus.DRAFT, created_by=actor
    )
    PlanLine.objects.bulk_create([PlanLine(plan=plan, currency="PEN", **values) for values in clean])
    audit_record(
        actor=actor,
        organisation=entity,
        action="plan.created",
        obj=plan,
        payload={"fiscal_year": fiscal_year, "version": plan.version, "lines": len(clean)},
    )
    logger.info("plan.created", extra={"plan_id": plan.pk, "version": plan.version})
    return plan


@transaction.atomic
def plan_publish(*, actor: Any, plan: Plan) -> Plan:
    """Publish a draft version; the version published until now becomes superseded.

    Locks every version of the entity's plan for that year (in version order), supersedes the
    current one first (only one published version may exist), then publishes.
    """
    require_entity_officer(actor, plan.entity)
    versions = list(
        Plan.objects.select_for_update(of=("self",))
        .filter(entity_id=plan.entity_id, fiscal_year=plan.fiscal_year)
        .order_by("version")
    )
    locked = next(version for version in versions if version.pk == plan.pk)
    if locked.status != PlanStatus.DRAFT:
        raise RuleViolation(_("Only a draft plan can be published."), code="invalid_transition")
    current = next((version for version in versions if version.status == PlanStatus.PUBLISHED), None)
    if current is not None and current.version > locked.version:
        raise RuleViolation(
            _("A later version of this plan is already published; draft a new version instead."),
            code="stale_version",
        )
    if current is not None:
        current.status = PlanStatus.SUPERSEDED
        current.save(update_fields=["status"])
    locked.status = PlanStatus.PUBLISHED
    locked.published_at = clock.now()
    locked.save(update_fields=["status", "published_at"])
    audit_record(
        actor=actor,
        organisation=locked.entity_id,
        action="plan.published",
        obj=locked,
        payload={
            "fiscal_year": locked.fiscal_year,
            "version": locked.version,
            "supersedes": current.version if current else None,
        },
    )
    logger.info("plan.published", extra={"plan_id": locked.pk, "version": locked.version})
    return locked
