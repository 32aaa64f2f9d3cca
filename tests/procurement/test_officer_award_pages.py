"""The officer pages after the bids: documents, the opening (button and record), the committee's
evaluation, the award with its score sheets, the appeals (read-only) and the contracts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from procurement.enums import ContractStatus, DocumentKind, TenderStatus
from procurement.models import Award, Bid, BidEvaluation, Contract, LotScore, Tender, TenderDocument
from procurement.services.appeals import appeal_file
from procurement.services.awards import bid_evaluate
from procurement.services.chronograph import chronograph_sweep
from procurement.services.contracts import contract_sign
from procurement.timeline import LIMA
from tests.factories import member
from tests.portal.api_helpers import in_spanish
from tests.portal.test_accessibility import audit
from tests.procurement.factories import draft_tender, entity_officer, place_bid, tender_in_bidding
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

CHEAP = {1: Decimal("2000.00"), 2: Decimal("500.00")}  # 40 × 2500 = 100,000.00
DEAR = {1: Decimal("2500.00"), 2: Decimal("625.00")}  # 40 × 3125 = 125,000.00
PDF = b"%PDF-1.4\nBases\n%%EOF\n"


@pytest.fixture
def alpha(clock):
    return registered_supplier(1)


@pytest.fixture
def beta(clock):
    return registered_supplier(2)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def tender(officer, alpha, beta, clock):
    """Bids from alpha (100,000.00) and beta (125,000.00) for the only lot, an hour before they are due."""
    tender = tender_in_bidding(officer, [alpha, beta])
    clock.set(tender.bids_due - timedelta(hours=1))
    lot = tender.lots.get()
    place_bid(alpha, lot, CHEAP)
    place_bid(beta, lot, DEAR)
    return tender


def signed_in(client, who):
    if who is not None:
        client.force_login(who)
    return client


def opened(tender, clock):
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)
    return Tender.objects.get(pk=tender.pk)


def bid_of(supplier, tender):
    return Bid.objects.get(lot__tender=tender, participant__organisation=supplier.organisation, status="submitted")


def evaluated(tender, evaluator, alpha, beta):
    bid_evaluate(actor=evaluator, bid=bid_of(alpha, tender), qualified=True, technical_score="70")
    bid_evaluate(actor=evaluator, bid=bid_of(beta, tender), qualified=True, technical_score="90")


def awarded(client, tender, clock, officer, evaluator, alpha, beta):
    tender = opened(tender, clock)
    evaluated(tender, evaluator, alpha, beta)
    signed_in(client, officer).post(reverse("officer-tender-award", args=[tender.pk]))
    client.logout()
    return Tender.objects.get(pk=tender.pk)


@pytest.fixture
def consented(client, tender, clock, officer, evaluator, alpha, beta):
    tender = awarded(client, tender, clock, officer, evaluator, alpha, beta)
    clock.set(tender.appeal_until)
    chronograph_sweep(now=clock.now)
    return Tender.objects.get(pk=tender.pk)


def lifecycle_footprint(tender) -> dict:
    return {
        "status": Tender.objects.get(pk=tender.pk).status,
        "opened": Bid.objects.filter(lot__tender=tender, opened_at__isnull=False).count(),
        "evaluations": BidEvaluation.objects.filter(bid__lot__tender=tender).count(),
        "scores": LotScore.objects.filter(lot__tender=tender).count(),
        "awards": list(Award.objects.filter(lot__tender=tender).values_list("status", flat=True)),
        "contracts": list(Contract.objects.filter(tender=tender).values_list("status", "entity_signed_at", "rating")),
        "documents": TenderDocument.objects.filter(tender=tender).count(),
    }


# --- The pages render, labelled and without scripts ----------------------------------------------------------


def test_the_evaluation_and_award_pages_render_labelled_and_without_scripts(
    client, tender, clock, officer, evaluator, alpha, beta
):
    tender = opened(tender, clock)
    client = signed_in(client, officer)
    for url in (reverse("officer-tender", args=[tender.pk]), reverse("officer-tender-evaluation", args=[tender.pk])):
        response = client.get(url)
        assert response.status_code == 200
        found = audit(response)
        assert (found.unlabelled(), found.scripts) == ([], 0)

    evaluated(tender, evaluator, alpha, beta)
    client.post(reverse("officer-tender-award", args=[tender.pk]))
    response = client.get(reverse("officer-tender", args=[tender.pk]))
    assert response.status_code == 200
    assert (audit(response).unlabelled(), audit(response).scripts) == ([], 0)


# --- Who may --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "expected"),
    [("officer", 200), ("evaluator", 200), ("other_entity_officer", 403), ("bidder", 403), ("stranger", 403)],
)
def test_the_evaluation_page_is_for_the_entitys_committee_and_officers(
    client, tender, clock, officer, evaluator, alpha, who, expected
):
    tender = opened(tender, clock)
    people = {
        "officer": officer,
        "evaluator": evaluator,
        "other_entity_officer": entity_officer(),
        "bidder": alpha.owner,
        "stranger": member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE),
    }

    response = signed_in(client, people[who]).get(reverse("officer-tender-evaluation", args=[tender.pk]))

    assert response.status_code == expected
    if expected == 403:
        assert response.templates[0].name == "errors/error.html"
        assert "125,000.00" not in response.content.decode()


def test_an_evaluator_does_not_run_the_tender_page(client, tender, clock, evaluator):
    tender = opened(tender, clock)
    assert signed_in(client, evaluator).get(reverse("officer-tender", args=[tender.pk])).status_code == 403


@pytest.mark.parametrize("name", ["officer-tender-evaluation"])
def test_anonymous_people_are_sent_to_sign_in(client, tender, name):
    url = reverse(name, args=[tender.pk])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("name", ["officer-tender-open", "officer-tender-award"])
@pytest.mark.parametrize("who", ["other_entity_officer", "evaluator", "bidder", "anonymous"])
def test_opening_and_award_by_others_change_nothing(client, tender, clock, evaluator, alpha, beta, name, who):
    if name == "officer-tender-award":
        tender = opened(tender, clock)
        evaluated(tender, evaluator, alpha, beta)
    else:
        clock.set(tender.opening_at)
    person = {"other_entity_officer": entity_officer(), "evaluator": evaluator, "bidder": alpha.owner}.get(who)
    before = lifecycle_footprint(tender)

    response = signed_in(client, person).post(reverse(name, args=[tender.pk]))

    assert response.status_code == (302 if person is None else 403)
    assert lifecycle_footprint(tender) == before


# --- Documents ------------------------------------------------------------------------------------------------


def test_the_bases_are_uploaded_to_a_draft_and_only_the_kinds_its_status_allows(client, officer, media):
    tender = draft_tender(officer)
    client = signed_in(client, officer)
    page = client.get(reverse("officer-tender", args=[tender.pk]))
    kinds = [value for value, _label in page.context["document_form"].fields["kind"].choices]
    assert kinds == [DocumentKind.BASES, DocumentKind.ANNEX]

    refused = client.post(
        reverse("officer-tender-document-add", args=[tender.pk]),
        {"kind": DocumentKind.AMENDMENT, "title": "Enmienda", "document_file": SimpleUploadedFile("e.pdf", PDF)},
    )
    assert refused.status_code == 400
    assert "kind" in refused.context["document_form"].errors
    not_pdf = client.post(
        reverse("officer-tender-document-add", args=[tender.pk]),
        {"kind": DocumentKind.BASES, "title": "Bases", "document_file": SimpleUploadedFile("b.pdf", b"hello")},
    )
    assert not_pdf.status_code == 400
    assert not_pdf.context["document_form"].errors == {"document_file": [in_spanish("Attach a PDF file.")]}
    assert not TenderDocument.objects.exists()

    response = client.post(
        reverse("officer-tender-document-add", args=[tender.pk]),
        {"kind": DocumentKind.BASES, "title": "Bases estándar", "document_file": SimpleUploadedFile("b.pdf", PDF)},
    )

    assert response.status_code == 302
    document = TenderDocument.objects.get()
    assert (document.kind, document.version, document.title, document.published_at) == (
        DocumentKind.BASES,
        1,
        "Bases estándar",
        None,
    )


# --- Opening --------------------------------------------------------------------------------------------------


def test_before_the_opening_nothing_names_a_bidder_or_a_price(client, tender, officer, evaluator, alpha, beta):
    page = signed_in(client, officer).get(reverse("officer-tender", args=[tender.pk]))
    evaluation = signed_in(client, evaluator).get(reverse("officer-tender-evaluation", args=[tender.pk]))

    assert page.status_code == 200
    assert page.context["can_open"] is False
    assert evaluation.status_code == 409
    for response in (page, evaluation):
        content = response.content.decode()
        for supplier in (alpha, beta):
            assert supplier.organisation.name not in content
            assert supplier.ruc not in content
        assert "100,000.00" not in content
        assert "125,000.00" not in content
        assert "2,000.00" not in content


def test_the_button_refuses_before_the_opening_time_and_opens_at_it(client, tender, officer, alpha, beta, clock):
    clock.set(tender.opening_at - timedelta(minutes=1))
    client = signed_in(client, officer)
    before = lifecycle_footprint(tender)

    early = client.post(reverse("officer-tender-open", args=[tender.pk]))

    assert early.status_code == 409
    assert early.context["open_error"]
    assert lifecycle_footprint(tender) == before

    clock.set(tender.opening_at)
    assert client.get(reverse("officer-tender", args=[tender.pk])).context["can_open"] is True
    response = client.post(reverse("officer-tender-open", args=[tender.pk]))

    assert response.status_code == 302
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.EVALUATION
    page = client.get(reverse("officer-tender", args=[tender.pk]))
    lot = page.context["lots"][0]
    assert [(bid.participant.organisation.tax_id, bid.price_total) for bid in lot.opened_bids] == [
        (alpha.ruc, Decimal("100000.00")),
        (beta.ruc, Decimal("125000.00")),
    ]
    content = page.content.decode()
    assert alpha.ruc in content
    assert "125,000.00" in content


# --- Evaluation -----------------------------------------------------------------------------------------------


def test_the_committee_sees_prices_and_declarations_after_the_opening(client, tender, clock, evaluator, alpha):
    tender = opened(tender, clock)

    response = signed_in(client, evaluator).get(reverse("officer-tender-evaluation", args=[tender.pk]))

    assert response.status_code == 200
    bid = response.context["lots"][0].opened_bids[0]
    assert bid.participant.organisation == alpha.organisation
    assert [(line["item"].number, line["unit_price"], line["total"]) for line in bid.lines] == [
        (1, Decimal("2000.00"), Decimal("80000.00")),
        (2, Decimal("500.00"), Decimal("20000.00")),
    ]
    assert bid.declarations == [("delivery_days", 15)]
    content = response.content.decode()
    assert "80,000.00" in content
    assert "delivery_days" in content


def test_the_committee_evaluates_through_the_form(client, tender, clock, evaluator, alpha):
    tender = opened(tender, clock)
    bid = bid_of(alpha, tender)
    url = reverse("officer-bid-evaluate", args=[tender.pk, bid.pk])
    client = signed_in(client, evaluator)
    prefix = f"bid-{bid.pk}"

    no_reason = client.post(url, {f"{prefix}-qualified": "no", f"{prefix}-comment": ""})
    too_many = client.post(url, {f"{prefix}-qualified": "yes", f"{prefix}-technical_score": "100.5"})

    assert no_reason.status_code == 400
    form = no_reason.context["lots"][0].opened_bids[0].form
    assert form.errors == {"comment": [in_spanish("Write why the bid is not qualified.")]}
    assert too_many.status_code == 400
    assert "technical_score" in too_many.context["lots"][0].opened_bids[0].form.errors
    assert not BidEvaluation.objects.exists()

    response = client.post(url, {f"{prefix}-qualified": "yes", f"{prefix}-technical_score": "72.50"})

    assert response.status_code == 302
    evaluation = BidEvaluation.objects.get()
    assert (evaluation.bid_id, evaluation.qualified, evaluation.technical_score, evaluation.evaluated_by) == (
        bid.pk,
        True,
        Decimal("72.50"),
        evaluator,
    )


def test_an_evaluation_form_for_a_sealed_bid_is_refused(client, tender, evaluator, alpha):
    bid = bid_of(alpha, tender)
    response = signed_in(client, evaluator).post(
        reverse("officer-bid-evaluate", args=[tender.pk, bid.pk]), {f"bid-{bid.pk}-qualified": "yes"}
    )
    assert response.status_code == 409
    assert not BidEvaluation.objects.exists()


# --- Award ----------------------------------------------------------------------------------------------------


def test_the_award_waits_for_every_verdict(client, tender, clock, officer, evaluator, alpha):
    tender = opened(tender, clock)
    bid_evaluate(actor=evaluator, bid=bid_of(alpha, tender), qualified=True, technical_score="70")
    before = lifecycle_footprint(tender)

    response = signed_in(client, officer).post(reverse("officer-tender-award", args=[tender.pk]))

    assert response.status_code == 409
    assert response.context["award_error"]
    assert lifecycle_footprint(tender) == before


def test_the_award_button_publishes_the_score_sheet(client, tender, clock, officer, evaluator, alpha, beta):
    tender = opened(tender, clock)
    evaluated(tender, evaluator, alpha, beta)
    client = signed_in(client, officer)

    response = client.post(reverse("officer-tender-award", args=[tender.pk]))

    assert response.status_code == 302
    tender.refresh_from_db()
    assert tender.status == TenderStatus.APPEAL_WINDOW
    page = client.get(reverse("officer-tender", args=[tender.pk]))
    ((round_number, rows),) = page.context["lots"][0].sheets
    assert round_number == 1
    assert [(row.rank, row.bidder_ruc, row.total) for row in rows] == [
        (1, alpha.ruc, Decimal("91.00")),
        (2, beta.ruc, Decimal("83.00")),
    ]
    assert [(award.supplier, award.amount) for award in page.context["awards"]] == [
        (alpha.organisation, Decimal("100000.00"))
    ]
    content = page.content.decode()
    assert tender.lottery_seed in content
    assert tender.appeal_until.astimezone(LIMA).strftime("%d/%m/%Y %H:%M") in content  # the appeal deadline, Lima


def test_appeals_are_listed_read_only(client, tender, clock, officer, evaluator, alpha, beta):
    tender = awarded(client, tender, clock, officer, evaluator, alpha, beta)
    appeal_file(actor=beta.owner, lot=tender.lots.get(), organisation=beta.organisation, grounds="Mi puntaje técnico")

    page = signed_in(client, officer).get(reverse("officer-tender", args=[tender.pk]))

    assert [appeal.appellant for appeal in page.context["appeals"]] == [beta.organisation]
    content = page.content.decode()
    assert "Mi puntaje técnico" in content
    assert "5,400.00" in content
    assert "/oversight/" not in content  # read-only: no resolve form for the entity


# --- Contracts ------------------------------------------------------------------------------------------------


def test_the_entity_signs_then_completes_a_contract(client, consented, officer, alpha):
    contract = Contract.objects.get()
    client = signed_in(client, officer)
    assert client.get(reverse("officer-tender", args=[consented.pk])).context["contracts"][0].can_sign is True

    response = client.post(reverse("officer-contract-sign", args=[consented.pk, contract.pk]))

    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.entity_signed_by == officer
    assert contract.status == ContractStatus.AWAITING_SIGNATURES
    again = client.post(reverse("officer-contract-sign", args=[consented.pk, contract.pk]))
    assert again.status_code == 409
    assert again.context["contracts"][0].error

    contract_sign(actor=alpha.owner, contract=contract, organisation=alpha.organisation)
    assert Tender.objects.get(pk=consented.pk).status == TenderStatus.CONTRACTED
    url = reverse("officer-contract-complete", args=[consented.pk, contract.pk])
    prefix = f"contract-{contract.pk}"
    before = lifecycle_footprint(consented)

    no_rating = client.post(url, {f"{prefix}-rating": "", f"{prefix}-comment": "Bien"})
    no_comment = client.post(url, {f"{prefix}-rating": "4", f"{prefix}-comment": ""})

    assert no_rating.status_code == 400
    assert no_rating.context["contracts"][0].complete_form.errors == {
        "rating": [in_spanish("Rate the performance from 1 to 5.")]
    }
    assert no_comment.status_code == 400
    assert lifecycle_footprint(consented) == before

    response = client.post(url, {f"{prefix}-rating": "4", f"{prefix}-comment": "Entregó a tiempo"})

    assert response.status_code == 302
    contract.refresh_from_db()
    assert (contract.status, contract.rating, contract.performance_comment) == (
        ContractStatus.COMPLETED,
        4,
        "Entregó a tiempo",
    )
    assert Tender.objects.get(pk=consented.pk).status == TenderStatus.COMPLETED


def test_another_entitys_officer_cannot_sign(client, consented):
    contract = Contract.objects.get()
    before = lifecycle_footprint(consented)

    response = signed_in(client, entity_officer()).post(
        reverse("officer-contract-sign", args=[consented.pk, contract.pk])
    )

    assert response.status_code == 403
    assert lifecycle_footprint(consented) == before
