"""After the bids: opening, evaluation, award with its score sheet, appeals, consent, contracts and
the performance evaluation — by the services and by the chronograph, as in production."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from portal.audit.models import AuditEvent
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.models import Notification
from procurement.enums import AppealStatus, AwardStatus, ContractStatus, LotStatus, TenderStatus
from procurement.models import Appeal, Award, Bid, BidEvaluation, Contract, LotScore, Tender
from procurement.services.appeals import appeal_fee, appeal_file, appeal_resolve
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from procurement.services.contracts import contract_complete, contract_sign
from procurement.services.opening import tender_open
from procurement.services.tenders import tender_cancel
from smeregistry.models import AwardFact
from smeregistry.services.sanctions import sanction_record
from tests.procurement.factories import entity_officer, place_bid, tender_in_bidding
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

# Lot 1: 40 laptops (item 1) and 40 monitors (item 2).
CHEAP = {1: Decimal("2000.00"), 2: Decimal("500.00")}  # 40 × 2500 = 100,000.00
DEAR = {1: Decimal("2500.00"), 2: Decimal("625.00")}  # 40 × 3125 = 125,000.00


@pytest.fixture
def alpha(clock):
    return registered_supplier(1)


@pytest.fixture
def beta(clock):
    return registered_supplier(2)


@pytest.fixture
def tender(officer, alpha, beta, clock):
    tender = tender_in_bidding(officer, [alpha, beta])
    clock.set(tender.bids_due - timedelta(hours=1))
    lot = tender.lots.get()
    place_bid(alpha, lot, CHEAP)
    place_bid(beta, lot, DEAR)
    return tender


def opened(tender, clock):
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)
    return Tender.objects.get(pk=tender.pk)


def bid_of(supplier, tender):
    return Bid.objects.get(lot__tender=tender, participant__organisation=supplier.organisation, status="submitted")


def evaluated(tender, evaluator, scores):
    for supplier, technical in scores:
        bid_evaluate(actor=evaluator, bid=bid_of(supplier, tender), qualified=True, technical_score=technical)


def awarded(tender, clock, officer, evaluator, alpha, beta):
    tender = opened(tender, clock)
    evaluated(tender, evaluator, [(alpha, Decimal("70")), (beta, Decimal("90"))])
    return tender_award(actor=officer, tender=tender)


# --- Opening ---------------------------------------------------------------------------------------


def test_nobody_opens_the_bids_before_the_opening_time(tender, officer, clock):
    clock.set(tender.opening_at - timedelta(seconds=1))
    chronograph_sweep(now=clock.now)
    with pytest.raises(RuleViolation) as refused:
        tender_open(actor=officer, tender=Tender.objects.get(pk=tender.pk))
    assert refused.value.code in {"opening_not_due", "not_opening"}
    assert not Bid.objects.filter(opened_at__isnull=False).exists()
    assert Bid.objects.filter(price_total__isnull=False).count() == 0


def test_the_chronograph_opens_the_bids_at_the_opening_time_and_publishes_the_record(tender, clock, alpha, beta):
    tender = opened(tender, clock)

    assert tender.status == TenderStatus.EVALUATION
    assert tender.opened_at == tender.opening_at
    assert bid_of(alpha, tender).price_total == Decimal("100000.00")
    assert bid_of(beta, tender).price_total == Decimal("125000.00")
    assert bid_of(alpha, tender).opened_prices == {"1": "2000.00", "2": "500.00"}
    record = AuditEvent.objects.get(action="tender.opened")
    assert [bid["bidder"] for bid in record.payload["lots"][0]["bids"]] == [alpha.ruc, beta.ruc]
    told = set(Notification.objects.filter(event="tender.opened").values_list("recipient_id", flat=True))
    assert {alpha.owner.pk, beta.owner.pk} <= told


def test_the_opening_happens_once_however_often_the_chronograph_runs(tender, clock):
    opened(tender, clock)
    assert chronograph_sweep(now=clock.now) == 0
    assert chronograph_sweep(now=clock.now + timedelta(days=1)) == 0
    assert AuditEvent.objects.filter(action="tender.opened").count() == 1


def test_a_lot_without_bids_is_void_and_so_is_a_process_without_any(officer, alpha, clock):
    tender = tender_in_bidding(officer, [alpha])
    tender = opened(tender, clock)

    assert tender.status == TenderStatus.VOID
    assert tender.lots.get().status == LotStatus.VOID
    assert Notification.objects.filter(event="tender.opened").exists()


def test_a_box_that_does_not_open_stops_the_whole_opening(tender, clock):
    bid = Bid.objects.filter(lot__tender=tender).first()
    sealed = dict(bid.sealed)
    sealed["ciphertext"] = sealed["ciphertext"][:-4] + ("AAAA" if not sealed["ciphertext"].endswith("AAAA") else "BBBB")
    Bid.objects.filter(pk=bid.pk).update(sealed=sealed)

    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)

    tender.refresh_from_db()
    assert tender.status in {TenderStatus.BIDDING, TenderStatus.OPENING}  # waiting for the operator
    assert tender.opened_at is None
    assert not Bid.objects.filter(opened_at__isnull=False).exists()


def test_an_officer_may_open_once_the_time_has_come_even_before_the_chronograph(tender, officer, clock):
    clock.set(tender.opening_at + timedelta(seconds=5))
    tender = tender_open(actor=officer, tender=tender)
    assert tender.status == TenderStatus.EVALUATION


# --- Evaluation ------------------------------------------------------------------------------------


def test_the_committee_scores_and_must_give_reasons_for_a_rejection(tender, evaluator, alpha, clock):
    tender = opened(tender, clock)
    bid = bid_of(alpha, tender)
    with pytest.raises(DomainError) as missing:
        bid_evaluate(actor=evaluator, bid=bid, qualified=True)
    assert missing.value.field == "technical_score"
    with pytest.raises(DomainError) as above:
        bid_evaluate(actor=evaluator, bid=bid, qualified=True, technical_score="100.01")
    assert above.value.code == "invalid_score"
    with pytest.raises(DomainError) as no_reason:
        bid_evaluate(actor=evaluator, bid=bid, qualified=False)
    assert no_reason.value.field == "comment"
    assert not BidEvaluation.objects.exists()

    evaluation = bid_evaluate(actor=evaluator, bid=bid, qualified=True, technical_score="72.50")
    assert evaluation.technical_score == Decimal("72.50")
    evaluation = bid_evaluate(actor=evaluator, bid=bid, qualified=True, technical_score="75")
    assert BidEvaluation.objects.get().technical_score == Decimal("75")


def test_only_the_entitys_committee_evaluates(tender, beta, clock):
    tender = opened(tender, clock)
    outsider = entity_officer()
    with pytest.raises(PermissionDenied):
        bid_evaluate(actor=outsider, bid=bid_of(beta, tender), qualified=True, technical_score="80")
    with pytest.raises(PermissionDenied):
        bid_evaluate(actor=beta.owner, bid=bid_of(beta, tender), qualified=True, technical_score="80")


def test_no_evaluation_before_the_opening(tender, evaluator, alpha):
    with pytest.raises(RuleViolation):
        bid_evaluate(actor=evaluator, bid=bid_of(alpha, tender), qualified=True, technical_score="80")


# --- Award -----------------------------------------------------------------------------------------


def test_the_award_publishes_the_score_sheet_by_the_peruvian_formula(tender, officer, evaluator, alpha, beta, clock):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)

    # Price points: lowest × 100 / price. Alpha 100,000 → 100.00; beta 125,000 → 80.00.
    # Weighted 0.30 technical + 0.70 price: alpha 70×0.3 + 100×0.7 = 91.00; beta 90×0.3 + 80×0.7 = 83.00.
    sheet = {row.bidder_ruc: row for row in LotScore.objects.filter(round=1)}
    assert sheet[alpha.ruc].price_points == Decimal("100.00")
    assert sheet[beta.ruc].price_points == Decimal("80.00")
    assert sheet[alpha.ruc].total == Decimal("91.00")
    assert sheet[beta.ruc].total == Decimal("83.00")
    assert (sheet[alpha.ruc].rank, sheet[beta.ruc].rank) == (1, 2)
    award = Award.objects.get()
    assert award.supplier == alpha.organisation
    assert award.amount == Decimal("100000.00")
    assert award.eligibility.purpose == "award"
    assert tender.status == TenderStatus.APPEAL_WINDOW
    assert tender.next_check == tender.appeal_until
    assert tender.lottery_seed
    # Adjudicación simplificada: 5 working days from Monday 6 July 2026 → Monday 13 July, end of day.
    assert tender.appeal_until.astimezone(tender.appeal_until.tzinfo).date().isoformat() >= "2026-07-13"
    assert Notification.objects.filter(event="tender.awarded", recipient=beta.owner).exists()


def test_no_award_before_every_bid_is_evaluated(tender, officer, evaluator, alpha, clock):
    tender = opened(tender, clock)
    evaluated(tender, evaluator, [(alpha, Decimal("80"))])
    with pytest.raises(RuleViolation) as refused:
        tender_award(actor=officer, tender=tender)
    assert refused.value.code == "not_evaluated"
    assert not Award.objects.exists()
    assert not LotScore.objects.exists()


def test_eligibility_is_checked_again_before_the_award(tender, officer, evaluator, reviewer, alpha, beta, clock):
    tender = opened(tender, clock)
    evaluated(tender, evaluator, [(alpha, Decimal("70")), (beta, Decimal("90"))])
    sanction_record(
        actor=reviewer,
        supplier=alpha,
        starts_on=clock.now.date() - timedelta(days=1),
        ends_on=None,
        reason="Presentó documentos falsos",
        source="Res. 10-2026-TCE",
    )

    tender_award(actor=officer, tender=tender)

    assert Award.objects.get().supplier == beta.organisation
    row = LotScore.objects.get(bidder_ruc=alpha.ruc)
    assert row.excluded_reason == "not_eligible"
    assert row.rank is None


def test_a_lot_with_no_qualified_bid_is_void_and_so_is_the_process(tender, officer, evaluator, alpha, beta, clock):
    tender = opened(tender, clock)
    for supplier in (alpha, beta):
        bid_evaluate(actor=evaluator, bid=bid_of(supplier, tender), qualified=False, comment="No cumple el RTM")

    tender = tender_award(actor=officer, tender=tender)

    assert tender.status == TenderStatus.VOID
    assert tender.lots.get().status == LotStatus.VOID
    assert LotScore.objects.filter(excluded_reason="not_qualified").count() == 2
    assert Notification.objects.filter(event="tender.void").exists()


# --- Appeals and consent ---------------------------------------------------------------------------


def test_an_appeal_suspends_consent_until_it_is_dismissed(tender, officer, evaluator, reviewer, alpha, beta, clock):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    lot = tender.lots.get()
    appeal = appeal_file(actor=beta.owner, lot=lot, organisation=beta.organisation, grounds="Mi puntaje técnico")
    assert appeal.fee == Decimal("5400.00")  # 3% of the lot's 180,000.00
    assert appeal_fee(lot=lot) == appeal.fee

    clock.set(tender.appeal_until + timedelta(minutes=1))
    assert chronograph_sweep(now=clock.now) == 0
    tender.refresh_from_db()
    assert tender.status == TenderStatus.APPEAL_WINDOW

    appeal_resolve(actor=reviewer, appeal=appeal, upheld=False, resolution="El puntaje se ajusta a las bases")
    chronograph_sweep(now=clock.now)

    tender.refresh_from_db()
    assert tender.status == TenderStatus.CONSENTED
    contract = Contract.objects.get()
    assert (contract.supplier, contract.amount, contract.status) == (
        alpha.organisation,
        Decimal("100000.00"),
        ContractStatus.AWAITING_SIGNATURES,
    )
    assert AwardFact.objects.get().amount == Decimal("100000.00")
    assert Notification.objects.filter(event="appeal.resolved", recipient=beta.owner).exists()


def test_without_appeal_the_award_is_consented_when_the_window_ends(tender, officer, evaluator, alpha, beta, clock):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    clock.set(tender.appeal_until - timedelta(seconds=1))
    assert chronograph_sweep(now=clock.now) == 0
    clock.set(tender.appeal_until)
    assert chronograph_sweep(now=clock.now) == 1
    assert chronograph_sweep(now=clock.now) == 0
    tender.refresh_from_db()
    assert tender.status == TenderStatus.CONSENTED
    assert Contract.objects.count() == 1
    assert AwardFact.objects.count() == 1


def test_an_upheld_appeal_sends_the_lot_back_to_evaluation(tender, officer, evaluator, reviewer, alpha, beta, clock):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    lot = tender.lots.get()
    appeal = appeal_file(actor=beta.owner, lot=lot, organisation=beta.organisation, grounds="Alpha no cumple")
    appeal_resolve(actor=reviewer, appeal=appeal, upheld=True, resolution="Alpha no acreditó la experiencia")

    tender.refresh_from_db()
    assert tender.status == TenderStatus.EVALUATION
    assert Award.objects.get().status == AwardStatus.REVOKED
    assert tender.lots.get().status == LotStatus.OPEN

    bid_evaluate(actor=evaluator, bid=bid_of(alpha, tender), qualified=False, comment="Sin experiencia acreditada")
    tender = tender_award(actor=officer, tender=tender)
    assert Award.objects.get(status=AwardStatus.ACTIVE).supplier == beta.organisation
    assert LotScore.objects.filter(round=2).count() == 2
    assert LotScore.objects.filter(round=1).count() == 2  # the first sheet stays published
    assert tender.status == TenderStatus.APPEAL_WINDOW


def test_appeals_only_from_bidders_and_only_in_the_window(tender, officer, evaluator, reviewer, alpha, beta, clock):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    lot = tender.lots.get()
    stranger = registered_supplier(3)
    with pytest.raises(PermissionDenied):
        appeal_file(actor=stranger.owner, lot=lot, organisation=stranger.organisation, grounds="Quiero apelar")
    with pytest.raises(DomainError):
        appeal_file(actor=beta.owner, lot=lot, organisation=beta.organisation, grounds="  ")
    with pytest.raises(PermissionDenied):
        appeal_resolve(actor=officer, appeal=Appeal(pk=0), upheld=True, resolution="x")
    clock.set(tender.appeal_until)
    with pytest.raises(RuleViolation) as late:
        appeal_file(actor=beta.owner, lot=lot, organisation=beta.organisation, grounds="Tarde")
    assert late.value.code == "appeal_window_closed"
    assert not Appeal.objects.exists()


def test_an_appeal_is_resolved_once(tender, officer, evaluator, reviewer, alpha, beta, clock):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    appeal = appeal_file(actor=beta.owner, lot=tender.lots.get(), organisation=beta.organisation, grounds="Motivo")
    appeal_resolve(actor=reviewer, appeal=appeal, upheld=False, resolution="Infundado")
    with pytest.raises(RuleViolation):
        appeal_resolve(actor=reviewer, appeal=appeal, upheld=True, resolution="Fundado")
    assert Appeal.objects.get().status == AppealStatus.DISMISSED


# --- Contracts -------------------------------------------------------------------------------------


@pytest.fixture
def consented(tender, officer, evaluator, alpha, beta, clock):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    clock.set(tender.appeal_until)
    chronograph_sweep(now=clock.now)
    return Tender.objects.get(pk=tender.pk)


def test_both_parties_sign_and_the_process_is_contracted_then_completed(consented, officer, entity, alpha):
    contract = Contract.objects.get()
    contract_sign(actor=alpha.owner, contract=contract, organisation=alpha.organisation)
    assert Tender.objects.get(pk=consented.pk).status == TenderStatus.CONSENTED
    with pytest.raises(RuleViolation):
        contract_sign(actor=alpha.owner, contract=contract, organisation=alpha.organisation)
    contract = contract_sign(actor=officer, contract=contract, organisation=entity)
    assert contract.status == ContractStatus.SIGNED
    assert Tender.objects.get(pk=consented.pk).status == TenderStatus.CONTRACTED

    with pytest.raises(DomainError):
        contract_complete(actor=officer, contract=contract, rating=6, comment="Excelente")
    with pytest.raises(DomainError):
        contract_complete(actor=officer, contract=contract, rating=5, comment="")
    contract = contract_complete(actor=officer, contract=contract, rating=4, comment="Entregó a tiempo")
    assert (contract.status, contract.rating) == (ContractStatus.COMPLETED, 4)
    assert Tender.objects.get(pk=consented.pk).status == TenderStatus.COMPLETED
    assert Notification.objects.filter(event="contract.completed", recipient=alpha.owner).exists()


def test_only_the_parties_sign(consented, beta):
    contract = Contract.objects.get()
    with pytest.raises(PermissionDenied):
        contract_sign(actor=beta.owner, contract=contract, organisation=beta.organisation)
    assert Contract.objects.get().supplier_signed_at is None


# --- Procedures without appeals, cancellation --------------------------------------------------------


def test_a_price_comparison_is_firm_at_the_award(officer, alpha, beta, clock):
    from tests.procurement.factories import line_data, procedure, published_plan

    plan = published_plan(
        officer,
        lines=[line_data(procedure_type=procedure("comparacion-de-precios"), estimated_value=Decimal("60000.00"))],
    )
    from tests.procurement.factories import lot_data

    tender = tender_in_bidding(
        officer,
        [alpha, beta],
        plan=plan,
        code="comparacion-de-precios",
        lots=[lot_data(reference_value=Decimal("60000.00"))],
    )
    clock.set(tender.bids_due - timedelta(minutes=5))
    lot = tender.lots.get()
    place_bid(alpha, lot, {1: Decimal("600.00")})
    place_bid(beta, lot, {1: Decimal("550.00")})
    tender = opened(tender, clock)
    tender = tender_award(actor=officer, tender=tender)  # price only: no committee verdict needed

    assert tender.status == TenderStatus.AWARDED
    assert Award.objects.get().supplier == beta.organisation
    assert Contract.objects.get().amount == Decimal("22000.00")


def test_cancelling_after_the_award_revokes_it(tender, officer, evaluator, alpha, beta, clock):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    tender_cancel(actor=officer, tender=tender, reason="Desaparece la necesidad")
    assert Award.objects.get().status == AwardStatus.REVOKED
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.CANCELLED


def test_the_performance_evaluation_is_public_on_the_suppliers_profile(consented, officer, entity, alpha, client):
    from django.urls import reverse

    contract = Contract.objects.get()
    contract_sign(actor=alpha.owner, contract=contract, organisation=alpha.organisation)
    contract = contract_sign(actor=officer, contract=contract, organisation=entity)
    contract_complete(actor=officer, contract=contract, rating=4, comment="Entregó a tiempo y completo")

    page = client.get(reverse("supplier-profile", args=[alpha.ruc])).content.decode()

    assert "Entregó a tiempo y completo" in page
    assert "4/5" in page
    assert contract.number in page


def test_a_reserved_lot_with_no_valid_bid_follows_the_registrys_policy(officer, evaluator, alpha, clock):
    from tests.procurement.factories import two_item_lot

    tender = tender_in_bidding(officer, [alpha], lots=[two_item_lot(mype_reserved=True)])
    clock.set(tender.bids_due - timedelta(hours=1))
    place_bid(alpha, tender.lots.get(), CHEAP)
    tender = opened(tender, clock)
    bid_evaluate(actor=evaluator, bid=bid_of(alpha, tender), qualified=False, comment="No cumple el RTM")

    tender = tender_award(actor=officer, tender=tender)

    lot = tender.lots.get()
    assert lot.status == LotStatus.VOID
    # The registry's policy for Peru (data): void, and the lot may be called again open to all.
    assert "convocarse de nuevo para todas las empresas" in lot.status_reason
    assert tender.status == TenderStatus.VOID
    assert not Award.objects.exists()
