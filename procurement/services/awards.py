"""Evaluation, award (buena pro) and consent.

After the opening the evaluation committee qualifies each bid and, in a weighted evaluation, gives
it technical points (``bid_evaluate``). The officer then awards the process (``tender_award``): for
each lot still open, the eligibility of every bidder is checked again (registry active, not
sanctioned, MYPE for a reserved lot), the score sheet is computed by ``scoring.evaluate`` with the
procedure type's rules and published, and the first-ranked bid wins. A lot with no valid bid is void;
a reserved lot with none follows the registry's policy. A process with no lot awarded is void.
After a reverse auction (subasta inversa electrónica) a lot is scored, and its award and contract
valued, with each bidder's final auction price (``auction_final_prices``), not its opened total; in
a subasta the committee may also disqualify an opened bid before its lot's auction starts.

The award opens the appeal window. When it ends with no appeal pending, the chronograph consents
the award (``consent_locked``): the award is firm, counts towards the entity's MYPE quota, and its
contracts are drawn up for signature. A procedure without appeals is consented at once.

Lock order: the tender, then its lots (by number), then bids and evaluations.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from portal.accounts.enums import Role
from portal.accounts.selectors import spokespeople_of
from portal.accounts.services import require_role
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.services import notify
from procurement.auction.selectors import auction_final_prices
from procurement.calendar import add_days, deadline_at
from procurement.enums import (
    AppealStatus,
    AuctionStatus,
    AwardStatus,
    ContractStatus,
    EvaluationMethod,
    LotStatus,
    TenderStatus,
)
from procurement.models import (
    Appeal,
    Auction,
    Award,
    Bid,
    BidEvaluation,
    BidStatus,
    Contract,
    ExchangeRate,
    Lot,
    LotScore,
    Tender,
)
from procurement.procedure_config import scoring_rules
from procurement.scoring import BidScore, evaluate
from procurement.services._common import (
    OFFICER_ROLES,
    entity_staff,
    holidays_of,
    participants_people,
    require_entity_officer,
    tender_url,
)
from procurement.services.bids import _requirements
from procurement.timeline import LIMA
from procurement.transitions import can_move
from smeregistry.enums import EligibilityPurpose, NoEligibleBidPolicy
from smeregistry.models import Supplier
from smeregistry.services.eligibility import eligibility_check, reserved_lot_fallback
from smeregistry.services.quotas import award_fact_record

logger = logging.getLogger(__name__)

S = TenderStatus
EVALUATOR_ROLES = frozenset({Role.EVALUATOR, *OFFICER_ROLES})
COMMENT_MAX = 4000
NOT_ELIGIBLE = "not_eligible"


def _lock(tender: Tender) -> Tender:
    return Tender.objects.select_for_update(of=("self",)).select_related("procedure_type", "entity").get(pk=tender.pk)


def _lima(moment: datetime | None) -> str:
    return moment.astimezone(LIMA).strftime("%d/%m/%Y %H:%M") if moment else ""


def _stages(tender: Tender) -> list[str]:
    return list(tender.procedure_type.config.get("stages") or [])


def _move(tender: Tender, target: str, *, actor: Any, now: datetime, **payload: Any) -> None:
    """Change the status of a locked tender along the transitions table, audited; the caller saves."""
    if not can_move(tender.status, target, _stages(tender)):
        raise RuleViolation(
            _("A tender that is %(current)s cannot become %(target)s.")
            % {"current": tender.get_status_display(), "target": TenderStatus(target).label},
            code="invalid_transition",
        )
    previous = tender.status
    tender.status = target
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action=f"tender.{target}",
        obj=tender,
        payload={"code": tender.code, "from": previous, "to": target, "at": now, **payload},
    )


# --- Evaluation ------------------------------------------------------------------------------------


def _clean_score(value: Any, maximum: Decimal | None) -> Decimal:
    problem = DomainError(
        _("Give the technical points as a number from 0 to %(max)s with at most two decimals.")
        % {"max": maximum if maximum is not None else "-"},
        code="invalid_score",
        field="technical_score",
    )
    if isinstance(value, bool | float) or value is None:
        raise problem
    try:
        score = Decimal(str(value).strip())
    except InvalidOperation:
        raise problem from None
    if not score.is_finite() or score < 0 or score.quantize(Decimal("0.01")) != score:
        raise problem
    if maximum is not None and score > maximum:
        raise problem
    return score


@transaction.atomic
def bid_evaluate(
    *, actor: Any, bid: Bid, qualified: bool, technical_score: Any = None, comment: str = ""
) -> BidEvaluation:
    """Record the committee's verdict on an opened bid: qualified or not and, in a weighted
    evaluation, its technical points. A bid not qualified needs the reason in ``comment``.

    ``actor`` is a member of the evaluation committee (or an officer) of the entity; the tender is
    in evaluation and the bid's lot still open. Revisable until the lot is awarded; each verdict is
    audited. Locks the tender, then the bid.
    """
    lot = Lot.objects.select_related("tender__entity").get(pk=bid.lot_id)
    require_role(actor, lot.tender.entity, EVALUATOR_ROLES)
    tender = _lock(lot.tender)
    bid = Bid.objects.select_for_update(of=("self",)).select_related("lot").get(pk=bid.pk)
    # In a subasta the committee may disqualify an opened bid before its lot's auction starts: the
    # bidder is then not admitted to it (services.auction).
    evaluating = tender.status == S.EVALUATION or (
        tender.status == S.AUCTION
        and Auction.objects.filter(lot_id=bid.lot_id, status=AuctionStatus.SCHEDULED).exists()
    )
    if not evaluating or bid.lot.status != LotStatus.OPEN:
        raise RuleViolation(_("This bid is not being evaluated."), code="not_evaluating")
    if bid.status != BidStatus.SUBMITTED or bid.opened_at is None:
        raise RuleViolation(_("Only an opened, live bid is evaluated."), code="not_opened")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(
            _("Keep the comment under %(max)s characters.") % {"max": COMMENT_MAX}, code="too_long", field="comment"
        )
    rules = scoring_rules(tender.procedure_type.config)
    score = None
    if not qualified:
        if not comment:
            raise DomainError(_("Write why the bid is not qualified."), code="required", field="comment")
    elif rules.method == EvaluationMethod.WEIGHTED:
        score = _clean_score(technical_score, rules.max_technical_points)
    now = clock.now()
    evaluation, _created = BidEvaluation.objects.update_or_create(
        bid=bid,
        defaults={
            "qualified": bool(qualified),
            "technical_score": score,
            "comment": comment,
            "evaluated_by": actor,
            "evaluated_at": now,
        },
    )
    audit_record(
        actor=actor,
        organisation=tender.entity_id,
        action="bid.evaluated",
        obj=bid,
        payload={"tender": tender.pk, "lot": bid.lot_id, "qualified": bool(qualified), "technical": score},
    )
    return evaluation


# --- Award -----------------------------------------------------------------------------------------


def _party(bid: Bid) -> Supplier:
    return Supplier.objects.get(organisation_id=bid.participant.organisation_id)


def _score_lot(*, tender: Tender, lot: Lot, rules, round_number: int, actor: Any, now: datetime) -> Award | None:
    """Check eligibility again, score, publish the sheet and award the lot, or void it."""
    bids = list(
        Bid.objects.filter(lot=lot, status=BidStatus.SUBMITTED, opened_at__isnull=False)
        .select_related("participant__organisation", "evaluation")
        .order_by("received_at", "pk")
    )
    requirements = _requirements(tender, lot)
    # After a reverse auction each bidder's price is its final auction price, timed when it was given.
    final = auction_final_prices(lot)
    scores: list[BidScore] = []
    eligibility: dict[int, Any] = {}
    suppliers: dict[int, Supplier] = {}
    for bid in bids:
        evaluation = getattr(bid, "evaluation", None)
        if evaluation is None and rules.method == EvaluationMethod.WEIGHTED:
            raise RuleViolation(
                _("Evaluate every bid of lot %(lot)s before the award.") % {"lot": lot.number}, code="not_evaluated"
            )
        supplier = suppliers[bid.pk] = _party(bid)
        record = eligibility[bid.pk] = eligibility_check(
            party=supplier,
            lot=requirements,
            at=now,
            purpose=EligibilityPurpose.AWARD,
            actor=actor,
            organisation=tender.entity,
        )
        qualified = evaluation.qualified if evaluation is not None else True
        if final and bid.pk not in final:  # not admitted to the lot's auction: it has no price to score
            qualified = False
        scores.append(
            BidScore(
                bid_id=bid.pk,
                price=final[bid.pk].price if bid.pk in final else bid.price_total,
                technical=evaluation.technical_score if evaluation is not None and qualified else None,
                is_mype=record.is_mype,
                submitted_at=final[bid.pk].at if bid.pk in final else bid.received_at,
                qualified=qualified and record.eligible,
            )
        )
    rows = evaluate(scores, rules, lottery_seed=tender.lottery_seed) if scores else []
    by_id = {bid.pk: bid for bid in bids}
    LotScore.objects.bulk_create(
        [
            LotScore(
                lot=lot,
                bid_id=row.bid_id,
                round=round_number,
                bidder_name=suppliers[row.bid_id].legal_name[:250],
                bidder_ruc=suppliers[row.bid_id].ruc,
                is_mype=eligibility[row.bid_id].is_mype,
                price=row.price,
                technical=row.technical,
                price_points=row.price_points,
                total=row.total,
                rank=row.rank,
                excluded_reason=(
                    NOT_ELIGIBLE if not eligibility[row.bid_id].eligible else (row.disqualified_reason or "")
                ),
                comment=getattr(getattr(by_id[row.bid_id], "evaluation", None), "comment", "")
                or (" ".join(str(reason["message"]) for reason in eligibility[row.bid_id].reasons)),
            )
            for row in rows
        ]
    )
    winner = next((row for row in rows if row.rank == 1 and not row.tied_with), None)
    if winner is None:
        lot.status = LotStatus.VOID
        if rows and any(row.rank == 1 for row in rows):  # a tie no rule broke: the rules need a lottery
            lot.status_reason = _("The tie could not be broken by the procedure's rules.")
        elif lot.mype_reserved and reserved_lot_fallback(jurisdiction=requirements.jurisdiction) == (
            NoEligibleBidPolicy.VOID_AND_REOPEN
        ):
            lot.status_reason = _(
                "No valid bid from a micro or small enterprise: the lot is void and may be called again open to all."
            )
        else:
            lot.status_reason = _("No valid bid.")
        lot.save(update_fields=["status", "status_reason"])
        return None
    bid = by_id[winner.bid_id]
    award = Award.objects.create(
        lot=lot,
        bid=bid,
        supplier_id=bid.participant.organisation_id,
        amount=winner.price,
        currency=tender.currency,
        round=round_number,
        status=AwardStatus.ACTIVE,
        eligibility=eligibility[bid.pk],
        awarded_at=now,
        awarded_by=actor,
    )
    lot.status = LotStatus.AWARDED
    lot.status_reason = ""
    lot.save(update_fields=["status", "status_reason"])
    return award


def appeal_deadline(tender: Tender, now: datetime) -> datetime:
    """The end of the appeal window opened by an award at ``now``: the procedure's days after the award's
    Lima day, at the end of that day."""
    window = tender.procedure_type.config.get("appeal_window") or {"days": 1, "unit": "working"}
    day = add_days(
        now.astimezone(LIMA).date(),
        window["days"],
        unit=window["unit"],
        holidays=holidays_of(tender.procedure_type.jurisdiction),
    )
    return deadline_at(day, at=datetime.max.time().replace(microsecond=0))


@transaction.atomic
def tender_award(*, actor: Any, tender: Tender) -> Tender:
    """Award (buena pro) every open lot of a tender in evaluation, and open the appeal window.

    ``actor`` is an officer of the entity. Each award act is a new round of score sheets. The public
    lottery seed is drawn once, at the first award, and kept. Refused before every bid of a weighted
    evaluation has its verdict. Locks the tender, then its lots.
    """
    require_entity_officer(actor, tender.entity)
    tender = _lock(tender)
    if tender.status != S.EVALUATION:
        raise RuleViolation(_("Only a process in evaluation is awarded."), code="not_evaluating")
    now = clock.now()
    lots = list(Lot.objects.select_for_update(of=("self",)).filter(tender=tender).order_by("number"))
    open_lots = [lot for lot in lots if lot.status == LotStatus.OPEN]
    if not open_lots:
        raise RuleViolation(_("No lot is waiting for its award."), code="nothing_to_award")
    if not tender.lottery_seed:
        tender.lottery_seed = secrets.token_hex(16)
    rules = scoring_rules(tender.procedure_type.config)
    round_number = (LotScore.objects.filter(lot__tender=tender).aggregate(last=Max("round"))["last"] or 0) + 1
    awards = [
        award
        for lot in open_lots
        if (award := _score_lot(tender=tender, lot=lot, rules=rules, round_number=round_number, actor=actor, now=now))
    ]
    summary = {
        "round": round_number,
        "lottery_seed": tender.lottery_seed,
        "awards": [
            {"lot": award.lot.number, "supplier": award.supplier_id, "amount": award.amount} for award in awards
        ],
        "void_lots": [lot.number for lot in open_lots if lot.status == LotStatus.VOID],
    }
    if not Lot.objects.filter(tender=tender, status=LotStatus.AWARDED).exists():
        tender.status_reason = _("No lot had a valid bid.")
        _move(tender, S.VOID, actor=actor, now=now, **summary)
        tender.next_check = None
        tender.save(update_fields=["status", "status_reason", "lottery_seed", "next_check", "updated_at"])
        event = "tender.void"
    else:
        tender.awarded_at = now
        _move(tender, S.AWARDED, actor=actor, now=now, **summary)
        if can_move(S.AWARDED, S.APPEAL_WINDOW, _stages(tender)):
            tender.appeal_until = appeal_deadline(tender, now)
            _move(tender, S.APPEAL_WINDOW, actor=actor, now=now, appeal_until=tender.appeal_until)
            tender.next_check = tender.appeal_until
        tender.save(update_fields=["status", "awarded_at", "appeal_until", "lottery_seed", "next_check", "updated_at"])
        if tender.status == S.AWARDED:  # no appeals in this procedure: firm at once
            consent_locked(tender=tender, now=now, actor=actor)
        event = "tender.awarded"
    people = {user.pk: user for user in [*participants_people(tender), *entity_staff(tender.entity)]}
    notify(
        event,
        people.values(),
        {
            "code": tender.code,
            "title": tender.title,
            "round": round_number,
            "awarded_lots": ", ".join(str(award.lot.number) for award in awards),
            "appeal_until_lima": _lima(tender.appeal_until) if tender.status == S.APPEAL_WINDOW else "",
        },
        key=f"tender:{tender.pk}:{event}:{round_number}",
        url=tender_url(tender),
    )
    logger.info(event, extra={"tender_id": tender.pk, "round": round_number, "awards": len(awards)})
    return tender


# --- Consent ---------------------------------------------------------------------------------------


def pending_appeals(tender: Tender) -> bool:
    return Appeal.objects.filter(tender=tender, status=AppealStatus.FILED).exists()


def _amount_local(amount: Decimal, currency: str, day) -> Decimal:
    if currency == "PEN":
        return amount
    rate = ExchangeRate.objects.filter(currency=currency, day__lte=day).order_by("-day").first()
    if rate is None:
        raise RuleViolation(
            _("No exchange rate for %(currency)s is recorded on or before %(day)s.")
            % {"currency": currency, "day": day},
            code="no_exchange_rate",
        )
    return (amount * rate.rate).quantize(Decimal("0.01"))


def consent_locked(*, tender: Tender, now: datetime, actor: Any = None) -> str | None:
    """Consent the award of a locked tender whose appeal window is over (or that has none) and that
    has no appeal pending; returns the new status, or None when consent must wait. A procedure
    without a consent stage keeps its status (awarded); its contracts are drawn up all the same.

    The awards in force count towards the entity's MYPE quota (as of the award's eligibility
    snapshot) and a contract is drawn up for each, awaiting both signatures.
    """
    if tender.status == S.APPEAL_WINDOW and (
        tender.appeal_until is None or now < tender.appeal_until or pending_appeals(tender)
    ):
        return None
    tender.consented_at = now
    tender.next_check = None
    if can_move(tender.status, S.CONSENTED, _stages(tender)):
        _move(tender, S.CONSENTED, actor=actor, now=now)
    # else a procedure without appeals nor consent (comparación de precios): the award is firm as it is.
    tender.save(update_fields=["status", "consented_at", "next_check", "updated_at"])
    awards = list(
        Award.objects.filter(lot__tender=tender, status=AwardStatus.ACTIVE)
        .select_related("lot", "eligibility", "supplier")
        .order_by("lot__number")
    )
    for award in awards:
        party = Supplier.objects.get(organisation=award.supplier)
        award_fact_record(
            source=f"procurement:award:{award.pk}",
            entity=tender.entity,
            party=party,
            eligibility=award.eligibility,
            amount=award.amount,
            currency=award.currency,
            amount_local=_amount_local(award.amount, award.currency, award.awarded_at.astimezone(LIMA).date()),
            awarded_on=award.awarded_at.astimezone(LIMA).date(),
            title=f"{tender.code} / {award.lot.number} {award.lot.title}"[:300],
            url=tender_url(tender),
        )
        Contract.objects.get_or_create(
            award=award,
            defaults={
                "tender": tender,
                "supplier": award.supplier,
                "number": f"{tender.code}-C{award.lot.number:02d}" + (f"-R{award.round}" if award.round > 1 else ""),
                "amount": award.amount,
                "currency": award.currency,
                "status": ContractStatus.AWAITING_SIGNATURES,
                "created_at": now,
            },
        )
    winners = {award.supplier_id for award in awards}
    people = {user.pk: user for user in [*participants_people(tender), *entity_staff(tender.entity)]}
    people.update((user.pk, user) for user in spokespeople_of(organisation_ids=list(winners)))
    notify(
        "tender.consented",
        people.values(),
        {"code": tender.code, "title": tender.title, "contracts": len(awards)},
        key=f"tender:{tender.pk}:consented",
        url=tender_url(tender),
    )
    logger.info("tender.consented", extra={"tender_id": tender.pk, "contracts": len(awards)})
    return tender.status
