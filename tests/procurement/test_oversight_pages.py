"""The oversight body's pages: the appeals across every process, an appeal with its lot's score sheet
and the resolve form, and the annulment of a process with its reason."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from procurement.enums import AppealStatus, AwardStatus, LotStatus, TenderStatus
from procurement.models import Appeal, Award, Bid, Tender
from procurement.services.appeals import appeal_file
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from tests.factories import member
from tests.portal.api_helpers import in_spanish
from tests.portal.test_accessibility import audit
from tests.procurement.factories import place_bid, tender_in_bidding
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha(clock):
    return registered_supplier(1)


@pytest.fixture
def beta(clock):
    return registered_supplier(2)


@pytest.fixture
def appeal(officer, alpha, beta, clock):
    """Alpha won lot 1 (100,000.00 against 125,000.00); beta appeals within the window."""
    tender = tender_in_bidding(officer, [alpha, beta])
    clock.set(tender.bids_due - timedelta(hours=1))
    lot = tender.lots.get()
    place_bid(alpha, lot, {1: Decimal("2000.00"), 2: Decimal("500.00")})
    place_bid(beta, lot, {1: Decimal("2500.00"), 2: Decimal("625.00")})
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)
    for supplier, points in ((alpha, "70"), (beta, "90")):
        bid = Bid.objects.get(lot=lot, participant__organisation=supplier.organisation, status="submitted")
        bid_evaluate(actor=officer, bid=bid, qualified=True, technical_score=points)
    tender_award(actor=officer, tender=Tender.objects.get(pk=tender.pk))
    return appeal_file(
        actor=beta.owner, lot=lot, organisation=beta.organisation, grounds="Alpha no acreditó experiencia"
    )


def signed_in(client, who):
    if who is not None:
        client.force_login(who)
    return client


def footprint(appeal) -> dict:
    tender = Tender.objects.get(pk=appeal.tender_id)
    return {
        "tender": (tender.status, tender.status_reason),
        "appeal": Appeal.objects.filter(pk=appeal.pk).values_list("status", "resolution").get(),
        "awards": list(Award.objects.filter(lot__tender=tender).values_list("status", flat=True)),
        "lots": list(tender.lots.values_list("status", flat=True)),
    }


def pages(appeal) -> list[str]:
    return [
        reverse("oversight-appeals"),
        reverse("oversight-appeal", args=[appeal.pk]),
        reverse("oversight-tender-annul", args=[appeal.tender_id]),
    ]


# --- Who may --------------------------------------------------------------------------------------------------


def test_the_pages_render_for_a_reviewer_labelled_and_without_scripts(client, appeal, reviewer):
    client = signed_in(client, reviewer)
    for url in pages(appeal):
        response = client.get(url)
        assert response.status_code == 200, url
        found = audit(response)
        assert (found.lang, found.unlabelled(), found.scripts) == ("es", [], 0)


@pytest.mark.parametrize("who", ["officer", "evaluator", "appellant", "oversight_member"])
def test_the_pages_are_forbidden_to_anyone_but_a_reviewer(client, appeal, officer, beta, who):
    person = {
        "officer": officer,
        "evaluator": member(
            OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, organisation=officer.memberships.get().organisation
        ),
        "appellant": beta.owner,
        "oversight_member": member(OrganisationKind.OVERSIGHT_BODY, Role.ADMINISTRATOR),
    }[who]
    client = signed_in(client, person)
    for url in pages(appeal):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.templates[0].name == "errors/error.html"


def test_anonymous_people_are_sent_to_sign_in(client, appeal):
    for url in pages(appeal):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize("who", ["officer", "appellant", "anonymous"])
def test_resolving_or_annulling_by_others_changes_nothing(client, appeal, officer, beta, who):
    person = {"officer": officer, "appellant": beta.owner, "anonymous": None}[who]
    before = footprint(appeal)
    client = signed_in(client, person)

    resolve = client.post(
        reverse("oversight-appeal", args=[appeal.pk]), {"decision": "upheld", "resolution": "Fundado"}
    )
    annul = client.post(reverse("oversight-tender-annul", args=[appeal.tender_id]), {"reason": "Vicio"})

    expected = 302 if person is None else 403
    assert (resolve.status_code, annul.status_code) == (expected, expected)
    assert footprint(appeal) == before


# --- The appeals ----------------------------------------------------------------------------------------------


def test_the_list_shows_pending_and_resolved_appeals(client, appeal, reviewer, beta):
    response = signed_in(client, reviewer).get(reverse("oversight-appeals"))

    assert [item.pk for item in response.context["pending"]] == [appeal.pk]
    assert response.context["resolved"] == []
    content = response.content.decode()
    assert beta.organisation.name in content
    assert "5,400.00" in content


def test_the_appeal_page_shows_the_score_sheet_grounds_and_fee(client, appeal, reviewer, alpha, beta):
    response = signed_in(client, reviewer).get(reverse("oversight-appeal", args=[appeal.pk]))

    ((round_number, rows),) = response.context["sheets"]
    assert round_number == 1
    assert [(row.rank, row.bidder_ruc) for row in rows] == [(1, alpha.ruc), (2, beta.ruc)]
    content = response.content.decode()
    assert "Alpha no acreditó experiencia" in content
    assert "5,400.00" in content
    assert response.context["form"] is not None


def test_a_resolution_needs_its_reasoning(client, appeal, reviewer):
    before = footprint(appeal)

    response = signed_in(client, reviewer).post(
        reverse("oversight-appeal", args=[appeal.pk]), {"decision": "upheld", "resolution": "  "}
    )

    assert response.status_code == 400
    assert response.context["form"].errors == {"resolution": [in_spanish("Write the reasoning of the resolution.")]}
    assert footprint(appeal) == before


def test_an_upheld_appeal_sends_the_process_back_to_evaluation(client, appeal, reviewer):
    client = signed_in(client, reviewer)

    response = client.post(
        reverse("oversight-appeal", args=[appeal.pk]),
        {"decision": "upheld", "resolution": "Alpha no acreditó la experiencia exigida"},
    )

    assert response.status_code == 302
    appeal.refresh_from_db()
    assert (appeal.status, appeal.resolution, appeal.resolved_by) == (
        AppealStatus.UPHELD,
        "Alpha no acreditó la experiencia exigida",
        reviewer,
    )
    tender = Tender.objects.get(pk=appeal.tender_id)
    assert tender.status == TenderStatus.EVALUATION
    assert list(Award.objects.values_list("status", flat=True)) == [AwardStatus.REVOKED]
    assert tender.lots.get().status == LotStatus.OPEN
    page = client.get(reverse("oversight-appeal", args=[appeal.pk]))
    assert page.context["form"] is None
    listed = client.get(reverse("oversight-appeals"))
    assert [item.pk for item in listed.context["resolved"]] == [appeal.pk]

    again = client.post(reverse("oversight-appeal", args=[appeal.pk]), {"decision": "dismissed", "resolution": "No"})
    assert again.status_code == 409
    assert in_spanish("This appeal was already resolved.") in again.content.decode()
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.UPHELD


def test_a_dismissed_appeal_keeps_the_award(client, appeal, reviewer):
    response = signed_in(client, reviewer).post(
        reverse("oversight-appeal", args=[appeal.pk]), {"decision": "dismissed", "resolution": "Infundado"}
    )

    assert response.status_code == 302
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.DISMISSED
    assert Tender.objects.get(pk=appeal.tender_id).status == TenderStatus.APPEAL_WINDOW
    assert list(Award.objects.values_list("status", flat=True)) == [AwardStatus.ACTIVE]


# --- Annulment ------------------------------------------------------------------------------------------------


def test_an_annulment_needs_a_reason(client, appeal, reviewer):
    url = reverse("oversight-tender-annul", args=[appeal.tender_id])
    client = signed_in(client, reviewer)
    before = footprint(appeal)

    refused = client.post(url, {"reason": ""})

    assert refused.status_code == 400
    assert refused.context["form"].errors == {"reason": [in_spanish("Write the reason.")]}
    assert footprint(appeal) == before

    response = client.post(url, {"reason": "Vicio en las bases: requisito direccionado"})

    assert response.status_code == 302
    tender = Tender.objects.get(pk=appeal.tender_id)
    assert (tender.status, tender.status_reason) == (
        TenderStatus.ANNULLED,
        "Vicio en las bases: requisito direccionado",
    )
    assert list(Award.objects.values_list("status", flat=True)) == [AwardStatus.REVOKED]
    assert client.get(url).context["can_annul"] is False


def test_a_draft_is_not_found_by_the_reviewer(client, officer, reviewer):
    from tests.procurement.factories import draft_tender

    draft = draft_tender(officer)

    response = signed_in(client, reviewer).get(reverse("oversight-tender-annul", args=[draft.pk]))

    assert response.status_code == 404
