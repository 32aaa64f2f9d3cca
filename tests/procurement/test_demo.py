"""The procurement demo: a tender of the demo entity in every status, built through the services.

One test: the earlier demo steps (the registry's 305 suppliers) take most of a minute to load, so
they are loaded once and every check is made on that world."""

from importlib import import_module

import pytest

from portal.core import clock
from portal.core.management.commands.demo import STEPS
from procurement.enums import AppealStatus, ContractStatus, TenderStatus
from procurement.models import Appeal, Bid, Contract, Lot, PricePoint, Question, Tender
from procurement.transparency import demo as price_demo

pytestmark = pytest.mark.django_db

EVERY_STATUS = {
    TenderStatus.DRAFT,
    TenderStatus.ENQUIRIES,
    TenderStatus.INTEGRATED_BASES,
    TenderStatus.BIDDING,
    TenderStatus.EVALUATION,
    TenderStatus.APPEAL_WINDOW,
    TenderStatus.CONSENTED,
    TenderStatus.CONTRACTED,
    TenderStatus.COMPLETED,
    TenderStatus.VOID,
    TenderStatus.CANCELLED,
}


def footprint() -> dict:
    return {
        "price_points": PricePoint.objects.count(),
        "tenders": sorted(Tender.objects.values_list("code", "status")),
        "bids": Bid.objects.count(),
        "questions": Question.objects.count(),
        "appeals": Appeal.objects.count(),
        "contracts": Contract.objects.count(),
    }


@pytest.fixture
def demo_world(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world: dict = {}
    assert STEPS.index("procurement.demo") == STEPS.index("smeregistry.demo") + 1
    for step in STEPS:
        import_module(step).load(world)
    return world


def test_the_demo_builds_every_status_and_runs_again_without_change(demo_world):
    assert_every_status()
    assert_what_each_status_shows()
    assert_a_price_history()
    before = footprint()

    import_module("procurement.demo").load(demo_world)
    price_demo.load(demo_world)

    assert footprint() == before


def procurement_demo_tenders():
    """The ministry's tenders in every status (the price history's past purchases are apart)."""
    return Tender.objects.exclude(title__startswith="Adquisición de guantes de examen de nitrilo — compra")


def assert_a_price_history():
    points = PricePoint.objects.filter(unspsc_code=price_demo.GLOVES)
    assert points.count() == len(price_demo.PURCHASES)
    assert set(points.values_list("unit", "currency")) == {("BX", "PEN")}
    assert points.values("entity").distinct().count() == 3
    assert not points.filter(contract__isnull=True).exists()  # every purchase signed
    assert points.values("agreed_at__year", "agreed_at__month").distinct().count() >= 8


def assert_every_status():
    tenders = procurement_demo_tenders().select_related("entity", "procedure_type")

    assert {tender.status for tender in tenders} == EVERY_STATUS
    assert {tender.entity.name for tender in tenders} == {"Ministerio de Salud (demo)"}
    assert {tender.procedure_type.code for tender in tenders} == {
        "adjudicacion-simplificada",
        "comparacion-de-precios",
        "licitacion-publica",
    }
    assert Lot.objects.filter(mype_reserved=True).exists()
    assert clock._source is None  # the demo gives the clock back


def assert_what_each_status_shows():
    by_status = {tender.status: tender for tender in procurement_demo_tenders()}

    enquiries = Question.objects.filter(tender=by_status[TenderStatus.ENQUIRIES])
    assert enquiries.count() == 3
    assert enquiries.filter(answered_at__isnull=False).count() == 1
    assert enquiries.filter(published_at__isnull=False).count() == 0
    assert not Question.objects.filter(tender=by_status[TenderStatus.INTEGRATED_BASES], published_at=None).exists()

    bidding = Bid.objects.filter(lot__tender=by_status[TenderStatus.BIDDING], status="submitted")
    bidders = set(bidding.values_list("participant__organisation__name", flat=True))
    assert "Inversiones Andinas S.A.C." in bidders
    assert len(bidders) >= 2
    assert not bidding.filter(opened_at__isnull=False).exists()  # sealed until the opening
    assert not bidding.filter(price_total__isnull=False).exists()
    assert all(bid.received_at < bid.lot.tender.bids_due for bid in bidding.select_related("lot__tender"))

    evaluation = Bid.objects.filter(lot__tender=by_status[TenderStatus.EVALUATION], opened_at__isnull=False)
    assert evaluation.count() == 3
    assert evaluation.filter(evaluation__isnull=False).count() == 2

    appeal = Appeal.objects.get(tender=by_status[TenderStatus.APPEAL_WINDOW])
    assert (appeal.status, appeal.appellant.name) == (AppealStatus.FILED, "Inversiones Andinas S.A.C.")

    consented = Contract.objects.filter(tender=by_status[TenderStatus.CONSENTED])
    assert set(consented.values_list("status", flat=True)) == {ContractStatus.AWAITING_SIGNATURES}
    assert Appeal.objects.get(tender=by_status[TenderStatus.CONSENTED]).status == AppealStatus.DISMISSED
    assert Contract.objects.get(tender=by_status[TenderStatus.CONTRACTED]).status == ContractStatus.SIGNED
    completed = Contract.objects.get(tender=by_status[TenderStatus.COMPLETED])
    assert (completed.status, completed.rating) == (ContractStatus.COMPLETED, 4)
    assert completed.performance_comment
    assert by_status[TenderStatus.CANCELLED].status_reason
