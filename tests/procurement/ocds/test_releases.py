"""Each public event of a tender keeps one OCDS release with the right tags; drafts keep none; ids
and the ocid are stable; bids are not in any release before the opening; and every release of every
kind of lifecycle validates against the schema."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement.models import Contract, Release, Tender
from procurement.ocds.builder import SCALE, number
from procurement.services.appeals import appeal_file, appeal_resolve
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from procurement.services.contracts import contract_complete, contract_sign
from procurement.services.documents import tender_document_add
from procurement.services.tenders import tender_annul, tender_cancel, tender_publish, tender_set_timeline
from procurement.transparency.index import ocid_for
from smeregistry.enums import SizeClass
from tests.procurement.factories import MONDAY_9AM, draft_tender, earliest, tender_in_bidding
from tests.procurement.ocds.conftest import (
    assert_valid,
    awarded,
    bid_of,
    consented,
    opened,
    releases_of,
    tags_of,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def pdf(name="adenda.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def signed_and_completed(tender, officer, entity, alpha):
    contract = Contract.objects.get(tender=tender)
    contract_sign(actor=alpha.owner, contract=contract, organisation=alpha.organisation)
    contract = contract_sign(actor=officer, contract=contract, organisation=entity)
    contract_complete(actor=officer, contract=contract, rating=4, comment="Entregó a tiempo")
    return Tender.objects.get(pk=tender.pk)


# --- Tags ------------------------------------------------------------------------------------------


def test_a_draft_keeps_no_release_and_publication_keeps_planning_and_tender(officer, clock):
    tender = draft_tender(officer)
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM))
    tender_document_add(actor=officer, tender=tender, kind="annex", title="Planos", document_file=pdf())
    assert not Release.objects.exists()

    tender = tender_publish(actor=officer, tender=tender)

    release = Release.objects.get()
    assert release.tags == ["planning", "tender"]
    assert release.data["tag"] == ["planning", "tender"]
    assert release.ocid == ocid_for(tender) == f"ocds-pe0001-{tender.pk}"
    assert release.release_id == release.data["id"] == f"{release.ocid}-1"
    assert release.entity_id == tender.entity_id
    assert release.date == tender.published_at
    data = release.data
    assert data["tender"]["status"] == "active"
    assert data["tender"]["id"] == tender.code
    assert data["tender"]["procurementMethod"] == "open"
    assert data["tender"]["procurementMethodDetails"] == "Adjudicación simplificada"
    assert data["tender"]["mainProcurementCategory"] == "goods"
    assert data["tender"]["value"] == {"amount": 180000, "currency": "PEN"}
    assert data["planning"]["budget"]["amount"] == {"amount": 250000, "currency": "PEN"}
    assert data["tender"]["items"][0]["classification"] == {"scheme": "UNSPSC", "id": "43211503"}
    assert data["tender"]["items"][0]["unit"] == {"scheme": "UNCEFACT", "id": "C62", "name": "unidad"}
    assert data["tender"]["items"][0]["quantity"] == 40
    assert data["tender"]["items"][0]["relatedLot"] == "lot-1"
    assert [lot["id"] for lot in data["tender"]["lots"]] == ["lot-1"]
    # The annex prepared with the draft is published with it, at its public address.
    [document] = data["tender"]["documents"]
    assert document["title"] == "Planos"
    assert document["url"].endswith(f"/procurement/tenders/{tender.pk}/documents/{document['id']}/")
    [buyer] = data["parties"]
    assert buyer["roles"] == ["buyer", "procuringEntity"]
    assert buyer["identifier"] == {"scheme": "PE-RUC", "id": tender.entity.tax_id, "legalName": tender.entity.name}
    assert data["buyer"] == {"id": buyer["id"], "name": tender.entity.name}
    assert_valid(data)


def test_an_amendment_after_publication_is_a_tender_amendment_with_its_history(officer, alpha, clock):
    tender = tender_in_bidding(officer, [alpha])
    clock.set(tender.bids_due - timedelta(hours=2))  # too close to the deadline: it moves
    tender_document_add(actor=officer, tender=tender, kind="amendment", title="Adenda 1", document_file=pdf())

    releases = releases_of(tender)
    assert [release["tag"] for release in releases] == [
        ["planning", "tender"],
        ["tenderAmendment"],
        ["tenderAmendment"],
    ]
    document, deadline = releases[1]["tender"]["amendments"], releases[2]["tender"]["amendments"]
    assert document == [
        {
            "id": "2",
            "date": releases[1]["date"],
            "amendsReleaseID": releases[0]["id"],
            "releaseID": releases[1]["id"],
            "description": "tender.documents: Adenda 1",
        }
    ]
    assert deadline[0] == document[0]  # the earlier amendment is kept
    assert deadline[1]["amendsReleaseID"] == releases[1]["id"]
    old, new = releases[1]["tender"]["tenderPeriod"]["endDate"], releases[2]["tender"]["tenderPeriod"]["endDate"]
    assert new > old
    assert deadline[1]["description"] == f"tender.tenderPeriod.endDate: {old} → {new}"
    for release in releases:
        assert_valid(release)


def test_the_stages_answers_and_opening_are_tender_updates(officer, alpha, beta, tender, clock):
    tender = opened(tender, clock)

    # tender_in_bidding moved the tender into bidding by hand (no event); the sweep moved it to the
    # opening, then opened the bids.
    assert tags_of(tender) == [["planning", "tender"], ["tenderUpdate"], ["tenderUpdate"]]
    assert [release["tender"]["status"] for release in releases_of(tender)] == ["active"] * 3


def test_the_award_its_window_consent_and_contracts_are_tagged_along(
    tender, officer, entity, evaluator, alpha, beta, clock
):
    tender = consented(tender, clock, officer, evaluator, alpha, beta)
    signed_and_completed(tender, officer, entity, alpha)

    assert tags_of(tender)[3:] == [
        ["award"],  # tender.awarded
        ["award"],  # tender.appeal_window
        ["award"],  # tender.consented
        ["contract"],  # signed by the supplier
        ["contract"],  # signed by the entity: in force
        ["contract"],  # tender.contracted
        ["implementation"],  # contract.completed
        ["implementation"],  # tender.completed
    ]
    releases = releases_of(tender)
    assert [release["awards"][0]["status"] for release in releases[3:6]] == ["pending", "pending", "active"]
    assert "contracts" not in releases[5]  # drawn up after the consent's event
    assert [release["contracts"][0]["status"] for release in releases[6:]] == [
        "pending",
        "active",
        "active",
        "terminated",
        "terminated",
    ]
    last = releases[-1]
    assert last["tender"]["status"] == "complete"
    [award] = last["awards"]
    contract = Contract.objects.get()
    assert award["value"] == {"amount": 100000, "currency": "PEN"}
    assert award["relatedLots"] == ["lot-1"]
    assert award["suppliers"] == [{"id": f"PE-RUC-{alpha.ruc}", "name": alpha.organisation.name}]
    assert last["contracts"][0]["awardID"] == award["id"] == str(contract.award_id)
    assert last["contracts"][0]["dateSigned"].endswith("Z")
    assert last["contracts"][0]["implementation"]["milestones"] == [
        {
            "id": "performance-evaluation",
            "type": "assessment",
            "status": "met",
            "dateMet": last["contracts"][0]["implementation"]["milestones"][0]["dateMet"],
            "code": "rating-4-of-5",
            "description": "4/5. Entregó a tiempo",
        }
    ]
    parties = {party["identifier"]["id"]: party for party in last["parties"]}
    assert parties[alpha.ruc]["roles"] == ["tenderer", "supplier"]
    assert parties[alpha.ruc]["details"] == {"scale": "micro"}
    assert parties[beta.ruc]["roles"] == ["tenderer"]
    assert parties[beta.ruc]["details"] == {"scale": "large"}
    for release in releases:
        assert_valid(release)


def test_an_upheld_appeal_cancels_the_award_and_a_dismissed_one_keeps_no_release(
    tender, officer, evaluator, reviewer, alpha, beta, clock
):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    lot = tender.lots.get()
    before = Release.objects.count()
    dismissed = appeal_file(actor=beta.owner, lot=lot, organisation=beta.organisation, grounds="Mi puntaje")
    appeal_resolve(actor=reviewer, appeal=dismissed, upheld=False, resolution="Infundado")
    assert Release.objects.count() == before  # OCDS 1.1 has no appeals: nothing it can say changed

    upheld = appeal_file(actor=beta.owner, lot=lot, organisation=beta.organisation, grounds="Alpha no cumple")
    appeal_resolve(actor=reviewer, appeal=upheld, upheld=True, resolution="Fundado")

    releases = releases_of(tender)
    assert [release["tag"] for release in releases[before:]] == [["tenderUpdate"], ["award"]]
    assert releases[-1]["tender"]["status"] == "active"
    assert releases[-1]["awards"][0]["status"] == "cancelled"
    assert releases[-1]["tender"]["lots"][0]["status"] == "active"

    bid_evaluate(actor=evaluator, bid=bid_of(alpha, tender), qualified=False, comment="Sin experiencia")
    tender_award(actor=officer, tender=Tender.objects.get(pk=tender.pk))
    last = releases_of(tender)[-1]
    assert {award["status"] for award in last["awards"]} == {"cancelled", "pending"}
    bids = {bid["tenderers"][0]["id"]: bid["status"] for bid in last["bids"]["details"]}
    assert bids == {f"PE-RUC-{alpha.ruc}": "disqualified", f"PE-RUC-{beta.ruc}": "valid"}
    for release in releases_of(tender):
        assert_valid(release)


def test_a_process_with_no_valid_bid_is_unsuccessful(tender, officer, evaluator, alpha, beta, clock):
    tender = opened(tender, clock)
    for supplier in (alpha, beta):
        bid_evaluate(actor=evaluator, bid=bid_of(supplier, tender), qualified=False, comment="No cumple el RTM")
    tender_award(actor=officer, tender=tender)

    last = releases_of(tender)[-1]
    assert last["tag"] == ["award"]
    assert last["tender"]["status"] == "unsuccessful"
    assert last["tender"]["lots"][0]["status"] == "unsuccessful"
    assert last["tender"]["lots"][0]["statusDetails"]  # the reason, as the score sheet gave it
    [award] = last["awards"]
    assert (award["id"], award["status"], award["relatedLots"]) == ("lot-1-round-1", "unsuccessful", ["lot-1"])
    assert {bid["status"] for bid in last["bids"]["details"]} == {"disqualified"}
    assert_valid(last)


def test_an_opening_without_bids_is_an_unsuccessful_tender_update(officer, alpha, clock):
    tender = tender_in_bidding(officer, [alpha])
    tender = opened(tender, clock)

    last = releases_of(tender)[-1]
    assert last["tag"] == ["tenderUpdate"]
    assert last["tender"]["status"] == "unsuccessful"
    assert last["tender"]["numberOfTenderers"] == 0
    assert last["bids"] == {"details": []}
    assert_valid(last)


@pytest.mark.parametrize("exit_", ["cancel", "annul"])
def test_cancelling_or_annulling_is_a_tender_cancellation(
    exit_, tender, officer, evaluator, reviewer, alpha, beta, clock
):
    tender = awarded(tender, clock, officer, evaluator, alpha, beta)
    if exit_ == "cancel":
        tender_cancel(actor=officer, tender=tender, reason="Desaparece la necesidad")
    else:
        tender_annul(actor=reviewer, tender=tender, reason="Vicio en las bases")

    last = releases_of(tender)[-1]
    assert last["tag"] == ["tenderCancellation"]
    assert last["tender"]["status"] == "cancelled"
    assert last["tender"]["statusDetails"] == ("Desaparece la necesidad" if exit_ == "cancel" else "Vicio en las bases")
    assert last["tender"]["lots"][0]["status"] == "cancelled"
    assert last["awards"][0]["status"] == "cancelled"
    assert_valid(last)


def test_a_procedure_without_appeals_is_firm_at_the_award(officer, alpha, beta, clock):
    from tests.procurement.factories import line_data, lot_data, place_bid, procedure, published_plan

    plan = published_plan(
        officer,
        lines=[line_data(procedure_type=procedure("comparacion-de-precios"), estimated_value=Decimal("60000.00"))],
    )
    tender = tender_in_bidding(
        officer,
        [alpha, beta],
        plan=plan,
        code="comparacion-de-precios",
        lots=[lot_data(reference_value=Decimal("60000"))],
    )
    clock.set(tender.bids_due - timedelta(minutes=5))
    lot = tender.lots.get()
    place_bid(alpha, lot, {1: Decimal("600.00")})
    place_bid(beta, lot, {1: Decimal("550.50")})
    tender = opened(tender, clock)
    tender_award(actor=officer, tender=tender)

    last = releases_of(tender)[-1]
    assert last["tag"] == ["award"]
    assert last["awards"][0]["status"] == "active"
    assert last["awards"][0]["value"] == {"amount": 22020, "currency": "PEN"}
    assert last["tender"]["procurementMethodDetails"] == "Comparación de precios"
    assert_valid(last)


# --- Sealed bids -----------------------------------------------------------------------------------


def test_no_bid_is_in_any_release_before_the_opening(tender, officer, evaluator, alpha, beta, clock):
    prices = {"100000", "125000", "2000", "2500", "500", "625"}
    sealed = Release.objects.filter(tender=tender)
    assert sealed.exists()
    for release in sealed:
        text = json.dumps(release.data)
        assert "bids" not in release.data
        assert "tenderers" not in release.data["tender"]
        assert "numberOfTenderers" not in release.data["tender"]
        assert alpha.ruc not in text
        assert beta.ruc not in text
        assert not prices & set(_numbers(release.data))

    opened(tender, clock)

    last = Release.objects.filter(tender=tender).last().data
    assert last["tender"]["numberOfTenderers"] == 2
    assert sorted(bid["value"]["amount"] for bid in last["bids"]["details"]) == [100000, 125000]
    assert {bid["status"] for bid in last["bids"]["details"]} == {"pending"}  # verdicts come with the sheet


def _numbers(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _numbers(item)
    elif isinstance(value, list):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield str(value)


# --- Identity --------------------------------------------------------------------------------------


def test_release_ids_count_each_ocid_from_one_and_the_ocid_never_changes(
    tender, officer, evaluator, alpha, beta, clock
):
    clock.set(MONDAY_9AM)
    first = tender_in_bidding(officer, [alpha])
    consented(tender, clock, officer, evaluator, alpha, beta)

    for each in (tender, first):
        ids = [release["id"] for release in releases_of(each)]
        assert ids == [f"ocds-pe0001-{each.pk}-{n}" for n in range(1, len(ids) + 1)]
        assert {release["ocid"] for release in releases_of(each)} == {f"ocds-pe0001-{each.pk}"}
    kept = Release.objects.filter(tender=tender).order_by("pk").first()
    assert kept.data == releases_of(tender)[0]  # later events add releases, never rewrite one


def test_the_party_scale_follows_ocds_where_sme_is_small_or_medium():
    assert SCALE == {
        SizeClass.MICRO: "micro",
        SizeClass.SMALL: "sme",
        SizeClass.MEDIUM: "sme",
        SizeClass.LARGE: "large",
    }


@pytest.mark.parametrize(
    ("amount", "expected"),
    [(Decimal("100000.00"), 100000), (Decimal("1234.50"), 1234.5), (Decimal("9999999999999.99"), 9999999999999.99)],
)
def test_money_is_a_json_number_that_keeps_its_cents(amount, expected):
    assert number(amount) == expected
    assert Decimal(json.dumps(number(amount))) == amount


def test_the_full_lifecycle_validates_release_by_release(tender, officer, entity, evaluator, alpha, beta, clock):
    tender = consented(tender, clock, officer, evaluator, alpha, beta)
    signed_and_completed(tender, officer, entity, alpha)
    chronograph_sweep(now=clock.now + timedelta(days=30))  # nothing left to move: no release

    releases = releases_of(tender)
    assert len(releases) == 11
    for release in releases:
        assert_valid(release)
