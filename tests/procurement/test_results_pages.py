"""The results on the public tender page: the opening record, the score sheets, the award, the
appeals and the contracts — and a supplier's actions there (appeal a lot's result, sign its contract).
Before the opening nothing about bids is on the page; refusals come back with a 4xx status and leave
nothing written."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html import escape

import pytest
from django.db import connection
from django.template.defaultfilters import floatformat
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from procurement.enums import AppealStatus, ContractStatus
from procurement.models import Appeal, Bid, Contract, LotScore, Tender
from procurement.selectors import OpenedBid
from procurement.services.appeals import appeal_file, appeal_resolve
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from procurement.services.contracts import contract_complete, contract_sign
from procurement.timeline import LIMA
from tests.portal.api_helpers import in_spanish
from tests.procurement.factories import (
    item_data,
    lot_data,
    place_bid,
    tender_in_bidding,
    two_item_lot,
)
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

CHEAP = {1: Decimal("2000.00"), 2: Decimal("500.00")}  # 40 × 2500 = 100,000.00
DEAR = {1: Decimal("2500.00"), 2: Decimal("625.00")}  # 40 × 3125 = 125,000.00
PRICES = ("100,000.00", "125,000.00", "2,000.00", "2,500.00")


def shown(response, text) -> bool:
    return escape(in_spanish(text)) in response.content.decode()


def signed_in(client, who):
    if who is not None:
        client.force_login(who)
    return client


def page(client, tender, who=None):
    response = signed_in(client, who).get(reverse("tender-detail", args=[tender.pk]))
    assert response.status_code == 200
    return response


@pytest.fixture
def alpha(clock):
    return registered_supplier(1, legal_name="Andina Cómputo S.A.C.")


@pytest.fixture
def beta(clock):
    return registered_supplier(2, legal_name="Rival Tecnología S.A.C.")


@pytest.fixture
def stranger(clock):
    """A supplier of the same trade that did not bid."""
    return registered_supplier(3, legal_name="Tercera Vía E.I.R.L.")


@pytest.fixture
def tender(officer, alpha, beta, clock):
    """Bids from alpha (100,000.00) and beta (125,000.00) for the only lot, an hour before they are due."""
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


def awarded(tender, clock, officer, evaluator, alpha, beta):
    tender = opened(tender, clock)
    bid_evaluate(actor=evaluator, bid=bid_of(alpha, tender), qualified=True, technical_score="70")
    bid_evaluate(actor=evaluator, bid=bid_of(beta, tender), qualified=True, technical_score="90")
    return tender_award(actor=officer, tender=tender)


@pytest.fixture
def in_appeal_window(tender, clock, officer, evaluator, alpha, beta):
    return awarded(tender, clock, officer, evaluator, alpha, beta)


@pytest.fixture
def consented(in_appeal_window, clock):
    clock.set(in_appeal_window.appeal_until)
    chronograph_sweep(now=clock.now)
    return Tender.objects.get(pk=in_appeal_window.pk)


def results_footprint(tender) -> dict:
    """What a refused appeal or signature must leave as it was."""
    return {
        "status": Tender.objects.get(pk=tender.pk).status,
        "appeals": list(Appeal.objects.values_list("pk", "status")),
        "contracts": list(Contract.objects.values_list("status", "entity_signed_at", "supplier_signed_at")),
        "audit": AuditEvent.objects.count(),
        "notifications": Notification.objects.count(),
    }


def lima(moment, pattern="%d/%m/%Y %H:%M") -> str:
    return moment.astimezone(LIMA).strftime(pattern)


# --- Before the opening: nothing about bids ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "stranger", "officer", "alpha"])
def test_before_the_opening_the_page_names_no_bidder_and_no_price(client, tender, officer, alpha, beta, stranger, who):
    person = {"anonymous": None, "stranger": stranger.owner, "officer": officer, "alpha": alpha.owner}[who]

    response = page(client, tender, person)

    content = response.content.decode()
    others = [beta] if who == "alpha" else [alpha, beta]  # a bidder sees its own receipt, nobody else's
    for supplier in others:
        assert supplier.organisation.name not in content
        assert supplier.ruc not in content
        assert bid_of(supplier, tender).digest not in content
    for price in PRICES:
        assert price not in content
    assert [lot.opened_bids for lot in response.context["lots"]] == [[]]
    assert response.context["results"].sheets == {}
    assert not shown(response, "Bid opening record")


def test_before_the_opening_only_the_entitys_officers_see_how_many_bids_there_are(client, tender, officer, stranger):
    assert page(client, tender).context["bid_counts"] == []
    assert page(client, tender, stranger.owner).context["bid_counts"] == []
    assert [row.live_bids for row in page(client, tender, officer).context["bid_counts"]] == [2]


# --- After the opening: the opening record, public --------------------------------------------------------


def test_after_the_opening_anyone_reads_the_opening_record(client, tender, clock, alpha, beta):
    tender = opened(tender, clock)
    first, second = bid_of(alpha, tender), bid_of(beta, tender)

    response = page(client, tender)

    assert response.context["lots"][0].opened_bids == [
        OpenedBid(
            lot_id=first.lot_id,
            organisation_id=alpha.organisation.pk,
            bidder_name="Andina Cómputo S.A.C.",
            bidder_ruc=alpha.ruc,
            price_total=Decimal("100000.00"),
            received_at=first.received_at,
            digest=first.digest,
        ),
        OpenedBid(
            lot_id=second.lot_id,
            organisation_id=beta.organisation.pk,
            bidder_name="Rival Tecnología S.A.C.",
            bidder_ruc=beta.ruc,
            price_total=Decimal("125000.00"),
            received_at=second.received_at,
            digest=second.digest,
        ),
    ]
    content = response.content.decode()
    assert "S/ 100,000.00" in content
    assert "S/ 125,000.00" in content
    assert escape("Andina Cómputo S.A.C.") in content
    assert first.digest in content
    assert lima(first.received_at, "%d/%m/%Y %H:%M:%S") in content
    assert lima(tender.opened_at) in content
    assert not shown(response, "Lottery seed (public, for ties)")  # no score sheet before the award


def test_a_withdrawn_bid_is_not_in_the_opening_record(client, officer, alpha, beta, clock):
    tender = tender_in_bidding(officer, [alpha, beta])
    clock.set(tender.bids_due - timedelta(hours=1))
    lot = tender.lots.get()
    place_bid(alpha, lot, CHEAP, key="first")
    place_bid(alpha, lot, {1: Decimal("1900.00"), 2: Decimal("500.00")}, key="second")  # replaces the first
    place_bid(beta, lot, DEAR)
    tender = opened(tender, clock)

    response = page(client, tender)

    assert [bid.price_total for bid in response.context["lots"][0].opened_bids] == [
        Decimal("96000.00"),
        Decimal("125000.00"),
    ]
    assert "S/ 100,000.00" not in response.content.decode()


# --- After the award: score sheet, award, seed, appeal deadline ----------------------------------------------


def test_after_the_award_anyone_reads_the_score_sheet_and_the_award(client, in_appeal_window, alpha, beta):
    tender = in_appeal_window

    response = page(client, tender)

    lot = response.context["lots"][0]
    (round_, rows), *older = lot.sheets
    assert (round_, older) == (1, [])
    assert [(row.rank, row.bidder_ruc, row.price, row.technical, row.price_points, row.total) for row in rows] == [
        (1, alpha.ruc, Decimal("100000.00"), Decimal("70.00"), Decimal("100.0000"), Decimal("91.0000")),
        (2, beta.ruc, Decimal("125000.00"), Decimal("90.00"), Decimal("80.0000"), Decimal("83.0000")),
    ]
    assert [row.bid_id for row in rows] == [bid_of(alpha, tender).pk, bid_of(beta, tender).pk]
    assert [(a.supplier_name, a.amount, a.status) for a in lot.award_lines] == [
        ("Andina Cómputo S.A.C.", Decimal("100000.00"), "active")
    ]
    content = response.content.decode()
    assert tender.lottery_seed in content
    assert f"{tender.lottery_seed}:42" in content  # how to recompute the draw
    assert lima(tender.appeal_until) in content
    assert shown(response, "Appeals until (Lima time)")
    assert shown(response, "In force")
    with translation.override("es"):
        for points in ("70", "100", "91", "90", "80", "83"):
            assert f'<td class="q-num">{floatformat(Decimal(points), 2)}</td>' in content


def test_an_excluded_bid_says_why_in_words(client, tender, clock, officer, evaluator, alpha, beta):
    tender = opened(tender, clock)
    bid_evaluate(actor=evaluator, bid=bid_of(alpha, tender), qualified=True, technical_score="70")
    bid_evaluate(actor=evaluator, bid=bid_of(beta, tender), qualified=False, comment="No cumple el RTM")
    tender = tender_award(actor=officer, tender=tender)

    response = page(client, tender)

    rows = response.context["lots"][0].sheets[0][1]
    assert [(row.bidder_ruc, row.rank, row.excluded_reason) for row in rows] == [
        (alpha.ruc, 1, ""),
        (beta.ruc, None, "not_qualified"),
    ]
    assert shown(response, "Not qualified by the committee")


# --- Appeals through the page ---------------------------------------------------------------------------------


def appeal_url(tender, number=1):
    return reverse("appeal-file", args=[tender.pk, number])


def test_a_bidder_sees_the_fee_and_appeals_from_the_page(client, in_appeal_window, beta, alpha):
    tender = in_appeal_window
    client = signed_in(client, beta.owner)
    before = page(client, tender)

    response = client.post(appeal_url(tender), {"appeal-1-grounds": "Mi puntaje técnico está mal calculado"})

    assert [lot.number for lot in before.context["appealable"]] == [1]
    assert before.context["appealable"][0].appeal_fee == Decimal("5400.00")  # 3% of 180,000.00
    assert "S/ 5,400.00" in before.content.decode()
    assert appeal_url(tender) in before.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("tender-detail", args=[tender.pk]) + "#appeals"
    appeal = Appeal.objects.get()
    assert (appeal.appellant, appeal.fee, appeal.status, appeal.grounds) == (
        beta.organisation,
        Decimal("5400.00"),
        AppealStatus.FILED,
        "Mi puntaje técnico está mal calculado",
    )
    after = page(client, tender)
    assert after.context["appealable"] == []  # one pending appeal per lot and bidder
    assert [a.pk for a in after.context["own_appeals"]] == [appeal.pk]
    assert "Mi puntaje técnico está mal calculado" in after.content.decode()
    client.logout()
    public = page(client, tender)
    assert [(a.lot_number, a.appellant_name, a.fee) for a in public.context["results"].appeals] == [
        (1, "Rival Tecnología S.A.C.", Decimal("5400.00"))
    ]
    assert shown(public, "Filed, pending resolution")
    assert "Mi puntaje técnico" not in public.content.decode()  # the grounds are the appellant's page only
    assert public.context["appealable"] == []


def test_the_resolution_is_public(client, in_appeal_window, beta, reviewer):
    appeal = appeal_file(
        actor=beta.owner, lot=in_appeal_window.lots.get(), organisation=beta.organisation, grounds="Motivo"
    )
    appeal_resolve(actor=reviewer, appeal=appeal, upheld=False, resolution="El puntaje se ajusta a las bases")

    response = page(client, in_appeal_window)

    assert shown(response, "Dismissed (unfounded)")
    assert "El puntaje se ajusta a las bases" in response.content.decode()


def test_empty_grounds_are_refused_next_to_the_field(client, in_appeal_window, beta):
    before = results_footprint(in_appeal_window)

    response = signed_in(client, beta.owner).post(appeal_url(in_appeal_window), {"appeal-1-grounds": "  "})

    assert response.status_code == 400
    assert response.context["appealable"][0].appeal_form.errors == {"grounds": [in_spanish("This field is required.")]}
    assert results_footprint(in_appeal_window) == before


def test_an_appeal_after_the_window_is_refused_and_nothing_is_written(client, in_appeal_window, beta, clock):
    clock.set(in_appeal_window.appeal_until)
    before = results_footprint(in_appeal_window)

    response = signed_in(client, beta.owner).post(appeal_url(in_appeal_window), {"appeal-1-grounds": "Tarde"})

    assert response.status_code == 409
    assert shown(response, "Appeals are received only while the appeal window is open.")
    assert response.context["appealable"] == []
    assert results_footprint(in_appeal_window) == before


def test_a_supplier_that_did_not_bid_cannot_appeal(client, in_appeal_window, stranger):
    before = results_footprint(in_appeal_window)
    client = signed_in(client, stranger.owner)

    shown_to_it = page(client, in_appeal_window)
    response = client.post(appeal_url(in_appeal_window), {"appeal-1-grounds": "Quiero apelar"})

    assert shown_to_it.context["appealable"] == []
    assert appeal_url(in_appeal_window) not in shown_to_it.content.decode()
    assert response.status_code == 403
    assert results_footprint(in_appeal_window) == before


@pytest.mark.parametrize("who", ["anonymous", "officer"])
def test_only_a_suppliers_representative_appeals(client, in_appeal_window, officer, who):
    before = results_footprint(in_appeal_window)

    response = signed_in(client, officer if who == "officer" else None).post(
        appeal_url(in_appeal_window), {"appeal-1-grounds": "Motivo"}
    )

    assert response.status_code == (403 if who == "officer" else 302)
    assert results_footprint(in_appeal_window) == before


# --- Contracts through the page ------------------------------------------------------------------------------


def sign_url(tender, contract):
    return reverse("contract-sign-supplier", args=[tender.pk, contract.pk])


def test_the_awarded_supplier_signs_its_contract_from_the_page(client, consented, alpha, officer, entity):
    contract = Contract.objects.get()
    client = signed_in(client, alpha.owner)
    before = page(client, consented)

    response = client.post(sign_url(consented, contract))

    assert before.context["signable"] == {contract.pk}
    assert sign_url(consented, contract) in before.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("tender-detail", args=[consented.pk]) + f"#contract-{contract.pk}"
    contract.refresh_from_db()
    assert (contract.supplier_signed_by, contract.status) == (alpha.owner, ContractStatus.AWAITING_SIGNATURES)
    assert page(client, consented).context["signable"] == set()
    before = results_footprint(consented)
    again = client.post(sign_url(consented, contract))
    assert again.status_code == 409
    assert again.context["contract_errors"] == {
        contract.pk: in_spanish("Your organisation has already signed this contract.")
    }
    assert results_footprint(consented) == before

    contract = contract_sign(actor=officer, contract=contract, organisation=entity)
    contract_complete(actor=officer, contract=contract, rating=4, comment="Entregó a tiempo y completo")
    client.logout()
    public = page(client, consented)
    (summary,) = public.context["results"].contracts
    assert (summary.number, summary.supplier_name, summary.amount, summary.status, summary.rating) == (
        contract.number,
        "Andina Cómputo S.A.C.",
        Decimal("100000.00"),
        ContractStatus.COMPLETED,
        4,
    )
    content = public.content.decode()
    assert "Entregó a tiempo y completo" in content
    assert lima(summary.signed_at, "%d/%m/%Y") in content
    assert public.context["signable"] == set()


def test_another_supplier_cannot_sign(client, consented, beta):
    contract = Contract.objects.get()
    before = results_footprint(consented)

    shown_to_it = page(client, consented, beta.owner)
    response = client.post(sign_url(consented, contract))

    assert shown_to_it.context["signable"] == set()
    assert response.status_code == 403
    assert results_footprint(consented) == before


def test_an_unknown_contract_is_not_found(client, consented, alpha):
    assert (
        signed_in(client, alpha.owner).post(reverse("contract-sign-supplier", args=[consented.pk, 999])).status_code
        == 404
    )


def test_my_bids_links_to_the_results_once_opened(client, tender, clock, alpha):
    client = signed_in(client, alpha.owner)
    link = reverse("tender-detail", args=[tender.pk]) + "#results"
    assert link not in client.get(reverse("bids-mine")).content.decode()

    opened(tender, clock)

    assert link in client.get(reverse("bids-mine")).content.decode()


# --- Query count ----------------------------------------------------------------------------------------------


def test_the_tender_page_costs_the_same_queries_whatever_the_number_of_lots_and_bids(
    client, officer, evaluator, clock, django_assert_num_queries
):
    suppliers = [registered_supplier(n) for n in (11, 12, 13)]
    small = tender_in_bidding(officer, suppliers[:2], lots=[lot_data(items=[item_data()])])
    large = tender_in_bidding(officer, suppliers, lots=[two_item_lot(), lot_data(title="Impresoras")])
    clock.set(small.bids_due - timedelta(hours=1))
    for index, supplier in enumerate(suppliers[:2]):
        place_bid(supplier, small.lots.get(), {1: Decimal("2000.00") + index})
    for lot in large.lots.order_by("number"):
        for index, supplier in enumerate(suppliers):
            prices = {item.number: Decimal("1000.00") + index for item in lot.items.all()}
            place_bid(supplier, lot, prices)
    clock.set(small.opening_at)
    chronograph_sweep(now=clock.now)
    for tender in (small, large):
        for score, bid in enumerate(Bid.objects.filter(lot__tender=tender, status="submitted").order_by("pk")):
            bid_evaluate(actor=evaluator, bid=bid, qualified=True, technical_score=str(60 + score))
        tender_award(actor=officer, tender=Tender.objects.get(pk=tender.pk))
    appeal_file(
        actor=suppliers[1].owner, lot=small.lots.get(), organisation=suppliers[1].organisation, grounds="Motivo"
    )
    appeal_file(
        actor=suppliers[2].owner,
        lot=large.lots.get(number=2),
        organisation=suppliers[2].organisation,
        grounds="Motivo",
    )
    assert LotScore.objects.filter(lot__tender=large).count() == 6

    with CaptureQueriesContext(connection) as baseline:
        assert len(page(client, small).context["lots"]) == 1

    with django_assert_num_queries(len(baseline.captured_queries)):
        response = page(client, large)
    assert len(response.context["lots"]) == 2
    assert sum(len(lot.opened_bids) for lot in response.context["lots"]) == 6
