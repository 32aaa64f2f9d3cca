"""Appeals (recurso de apelación) against the result of a lot, filed by a bidder while the appeal
window is open and resolved by a reviewer of the oversight body.

Filing costs a fee: a rate of the lot's reference value, with a floor, both kept as data
(``AppealFeeRule``); the portal computes and records it (collecting it is the payment gateway's work).
A pending appeal suspends the consent of the whole process. Upheld: the lot's award is revoked, the
lot goes back to evaluation and the process with it. Dismissed: the award stands and, once no appeal
is pending and the window is over, the chronograph consents it. Every outcome is public.

Lock order: the tender, then the lot, then appeals.
"""

from __future__ import annotations

import logging
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Organisation, User
from portal.accounts.selectors import SUPPLIER_SPOKESPEOPLE, spokespeople_of
from portal.accounts.services import require_role
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.services import notify
from procurement.enums import AppealStatus, AwardStatus, LotStatus, TenderStatus
from procurement.models import Appeal, AppealFeeRule, Award, Bid, BidStatus, Lot, Tender
from procurement.services._common import (
    bidders_people,
    entity_staff,
    require_oversight_reviewer,
    tender_url,
)
from procurement.services.awards import _move
from procurement.timeline import LIMA

logger = logging.getLogger(__name__)

GROUNDS_MAX = 20_000
CENT = Decimal("0.01")
# A lot's result can be appealed once it has one: an award, or a void declared at the award.
APPEALABLE_LOTS = frozenset({LotStatus.AWARDED, LotStatus.VOID})


def appeal_window_open(tender: Tender, now) -> bool:
    """Whether appeals are received now (server time): the rule ``appeal_file`` applies, for the pages
    to offer the form only then."""
    return tender.status == TenderStatus.APPEAL_WINDOW and tender.appeal_until is not None and now < tender.appeal_until


def appeal_fee(*, lot: Lot, on=None) -> Decimal:
    """The fee to appeal the result of ``lot`` on a day (default: today in Lima), in the tender's
    currency: the rule in force's rate of the lot's reference value, at least its minimum."""
    tender = lot.tender
    day = on or clock.today()
    rule = (
        AppealFeeRule.objects.filter(jurisdiction=tender.procedure_type.jurisdiction, valid_from__lte=day)
        .order_by("-valid_from")
        .first()
    )
    if rule is None:
        raise RuleViolation(_("No appeal fee rule is in force: appeals cannot be filed."), code="no_fee_rule")
    return max((lot.reference_value * rule.rate).quantize(CENT, rounding=ROUND_HALF_UP), rule.minimum)


def _reviewers() -> list[User]:
    return list(
        User.objects.filter(
            memberships__organisation__kind=OrganisationKind.OVERSIGHT_BODY,
            memberships__organisation__is_active=True,
            memberships__role=Role.REVIEWER,
            is_active=True,
        ).distinct()
    )


@transaction.atomic
def appeal_file(*, actor: Any, lot: Lot, organisation: Organisation, grounds: str) -> Appeal:
    """``organisation``, a bidder of ``lot``, appeals its result while the appeal window is open
    (server time). One pending appeal per lot and bidder. Locks the tender, then the lot."""
    if organisation.kind != OrganisationKind.SUPPLIER:
        raise PermissionDenied(_("Only bidders appeal."))
    require_role(actor, organisation, frozenset(SUPPLIER_SPOKESPEOPLE))
    grounds = (grounds or "").strip()
    if not grounds:
        raise DomainError(_("Write the grounds of the appeal."), code="required", field="grounds")
    if len(grounds) > GROUNDS_MAX:
        raise DomainError(
            _("Keep the grounds under %(max)s characters.") % {"max": GROUNDS_MAX}, code="too_long", field="grounds"
        )
    now = clock.now()
    tender = (
        Tender.objects.select_for_update(of=("self",)).select_related("procedure_type", "entity").get(pk=lot.tender_id)
    )
    lot = Lot.objects.select_for_update(of=("self",)).select_related("tender__procedure_type").get(pk=lot.pk)
    # Who may appeal comes first: someone who did not bid hears that, whatever the date.
    if not Bid.objects.filter(
        lot=lot, participant__organisation=organisation, status=BidStatus.SUBMITTED, opened_at__isnull=False
    ).exists():
        raise PermissionDenied(_("Only the lot's bidders may appeal its result."))
    if not appeal_window_open(tender, now):
        raise RuleViolation(
            _("Appeals are received only while the appeal window is open."), code="appeal_window_closed"
        )
    if lot.status not in APPEALABLE_LOTS:
        raise RuleViolation(_("This lot has no result to appeal."), code="nothing_to_appeal")
    if Appeal.objects.filter(lot=lot, appellant=organisation, status=AppealStatus.FILED).exists():
        raise RuleViolation(_("Your appeal on this lot is already pending."), code="appeal_pending")
    appeal = Appeal.objects.create(
        tender=tender,
        lot=lot,
        appellant=organisation,
        grounds=grounds,
        fee=appeal_fee(lot=lot, on=now.astimezone(LIMA).date()),
        currency=tender.currency,
        status=AppealStatus.FILED,
        filed_by=actor,
        filed_at=now,
    )
    # Consent waits for the resolution: the chronograph stops looking at the tender.
    tender.next_check = None
    tender.save(update_fields=["next_check", "updated_at"])
    audit_record(
        actor=actor,
        organisation=organisation,
        action="appeal.filed",
        obj=appeal,
        payload={"tender": tender.pk, "lot": lot.pk, "fee": appeal.fee, "currency": appeal.currency},
    )
    people = {user.pk: user for user in [*bidders_people(lot), *entity_staff(tender.entity), *_reviewers()]}
    notify(
        "appeal.filed",
        people.values(),
        {"code": tender.code, "title": tender.title, "lot": lot.number, "appellant": organisation.name},
        key=f"appeal:{appeal.pk}:filed",
        url=tender_url(tender),
    )
    logger.info("appeal.filed", extra={"tender_id": tender.pk, "appeal_id": appeal.pk})
    return appeal


@transaction.atomic
def appeal_resolve(*, actor: Any, appeal: Appeal, upheld: bool, resolution: str) -> Appeal:
    """A reviewer of the oversight body upholds or dismisses a pending appeal, with its reasoning.

    Upheld: the lot's award is revoked, the lot reopens for evaluation and the process goes back to
    evaluation (from the appeal window; already there when another appeal was upheld first).
    Dismissed: once nothing is pending and the window is over, the chronograph consents the award.
    Locks the tender, then the lot, then the appeal.
    """
    require_oversight_reviewer(actor)
    resolution = (resolution or "").strip()
    if not resolution:
        raise DomainError(_("Write the reasoning of the resolution."), code="required", field="resolution")
    if len(resolution) > GROUNDS_MAX:
        raise DomainError(
            _("Keep the resolution under %(max)s characters.") % {"max": GROUNDS_MAX},
            code="too_long",
            field="resolution",
        )
    now = clock.now()
    tender = (
        Tender.objects.select_for_update(of=("self",))
        .select_related("procedure_type", "entity")
        .get(pk=appeal.tender_id)
    )
    lot = Lot.objects.select_for_update(of=("self",)).get(pk=appeal.lot_id)
    appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
    if appeal.status != AppealStatus.FILED:
        raise RuleViolation(_("This appeal was already resolved."), code="already_resolved")
    if tender.status not in (TenderStatus.APPEAL_WINDOW, TenderStatus.EVALUATION):
        raise RuleViolation(_("This process can no longer be changed by an appeal."), code="invalid_transition")
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.DISMISSED
    appeal.resolution = resolution
    appeal.resolved_by = actor
    appeal.resolved_at = now
    appeal.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    fields = ["next_check", "updated_at"]
    if upheld:
        Award.objects.filter(lot=lot, status=AwardStatus.ACTIVE).update(status=AwardStatus.REVOKED)
        lot.status = LotStatus.OPEN
        lot.status_reason = ""
        lot.save(update_fields=["status", "status_reason"])
        if tender.status == TenderStatus.APPEAL_WINDOW:
            _move(tender, TenderStatus.EVALUATION, actor=actor, now=now, appeal=appeal.pk, lot=lot.number)
            tender.appeal_until = None
            fields += ["status", "appeal_until"]
        tender.next_check = None
    elif tender.status == TenderStatus.APPEAL_WINDOW:
        pending = Appeal.objects.filter(tender=tender, status=AppealStatus.FILED).exists()
        tender.next_check = None if pending else tender.appeal_until
    tender.save(update_fields=fields)
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action=f"appeal.{appeal.status}",
        obj=appeal,
        payload={"tender": tender.pk, "lot": lot.pk, "resolution": resolution},
    )
    people = {user.pk: user for user in [*bidders_people(lot), *entity_staff(tender.entity)]}
    people.update((user.pk, user) for user in spokespeople_of(organisation_ids=[appeal.appellant_id]))
    notify(
        "appeal.resolved",
        people.values(),
        {"code": tender.code, "title": tender.title, "lot": lot.number, "upheld": upheld},
        key=f"appeal:{appeal.pk}:resolved",
        url=tender_url(tender),
    )
    logger.info("appeal.resolved", extra={"tender_id": tender.pk, "appeal_id": appeal.pk, "upheld": upheld})
    return appeal
