"""Procurement's supplier pages: opportunities, participation, questions, sealed bids with their
receipt, withdrawal and the supplier's own bids. Refusals come back on the page with a 4xx status
and leave nothing written."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from html import escape

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.timesince import timeuntil

from portal.accounts.enums import OrganisationKind, Role
from procurement.models import Bid, BidStatus, Participant, Question
from procurement.services.bids import bid_submit
from procurement.services.participation import participant_register
from procurement.services.tenders import tender_publish, tender_set_timeline
from smeregistry.enums import SupplierStatus
from smeregistry.services.suppliers import supplier_suspend
from tests.factories import member
from tests.portal.api_helpers import in_spanish
from tests.portal.test_accessibility import audit
from tests.procurement.factories import (
    MONDAY_9AM,
    bid_footprint,
    draft_tender,
    earliest,
    item_data,
    lot_data,
    open_bidding,
    open_enquiries,
    participation_footprint,
)
from tests.smeregistry.factories import operator, registered_supplier

pytestmark = pytest.mark.django_db

ENQUIRIES_END = datetime(2026, 7, 9, 22, 0, tzinfo=UTC)
BIDS_DUE = datetime(2026, 7, 22, 22, 0, tzinfo=UTC)


def shown(response, text) -> bool:
    return escape(in_spanish(text)) in response.content.decode()


def published(officer, **kwargs):
    tender = draft_tender(officer, **kwargs)
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM))
    return tender_publish(actor=officer, tender=tender)


def two_item_lot(**overrides):
    return lot_data(
        items=[item_data(), item_data(description="Monitor de 24 pulgadas", quantity=Decimal("40"))], **overrides
    )


@pytest.fixture
def tender(officer):
    """Computers for Lima (UNSPSC 43211503), two items in lot 1; published Monday 6 July 2026."""
    return published(officer, lots=[two_item_lot()])


@pytest.fixture
def supplier(clock):
    """A Lima supplier of computer equipment (family 4321)."""
    return registered_supplier(1, legal_name="Andina Cómputo S.A.C.")


@pytest.fixture
def other_supplier(clock):
    return registered_supplier(2, legal_name="Rival Tecnología S.A.C.")


def signed_in(client, user):
    client.force_login(user)
    return client


def register(supplier, tender):
    return participant_register(actor=supplier.owner, tender=tender, organisation=supplier.organisation)


# --- Who may use the supplier's pages --------------------------------------------------------------


@pytest.mark.parametrize("name", ["tender-opportunities", "bids-mine"])
def test_signing_in_is_needed(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER),
        (OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER),
        (OrganisationKind.FINANCIAL_INSTITUTION, Role.FINANCIER_OFFICER),
    ],
)
@pytest.mark.parametrize("name", ["tender-opportunities", "bids-mine"])
def test_only_a_suppliers_representatives_use_them(client, name, kind, role):
    signed_in(client, member(kind, role))

    response = client.get(reverse(name))

    assert response.status_code == 403
    assert shown(response, "Act for a supplier, as its representative or administrator, to use this page.")


def test_a_suppliers_administrator_uses_them(client, supplier):
    admin = member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR, organisation=supplier.organisation)

    response = signed_in(client, admin).get(reverse("tender-opportunities"))

    assert response.status_code == 200


# --- Opportunities -----------------------------------------------------------------------------------------


def opportunity_codes(response) -> list[str]:
    return [tender.code for tender in response.context["page"].object_list]


def test_opportunities_are_open_calls_in_the_suppliers_categories_and_region(client, officer, supplier, clock):
    computers = published(officer, title="Computadoras para Lima")
    in_cusco = published(officer, title="Computadoras para Cusco", lots=[lot_data(items=[item_data(region_code="08")])])
    published(
        officer,
        title="Útiles de escritorio",
        lots=[lot_data(items=[item_data(unspsc_code="44121700", description="Lapiceros")])],
    )
    draft_tender(officer, title="Borrador de computadoras")
    client = signed_in(client, supplier.owner)

    mine = client.get(reverse("tender-opportunities"))
    country = client.get(reverse("tender-opportunities"), {"f": "1"})

    assert mine.status_code == 200
    assert opportunity_codes(mine) == [computers.code]
    assert mine.context["region_only"] is True
    assert opportunity_codes(country) == [computers.code, in_cusco.code]
    page = mine.content.decode()
    assert "22/07/2026 17:00" in page  # the deadline in Lima time
    with translation.override("es"):
        left = timeuntil(BIDS_DUE, MONDAY_9AM)
    assert escape(left) in page  # "2 semanas, 2 días"
    found = audit(mine)
    assert found.unlabelled() == []
    assert found.scripts == 0


def test_a_call_whose_bids_are_due_is_no_longer_an_opportunity(client, tender, supplier, clock):
    clock.set(BIDS_DUE)

    response = signed_in(client, supplier.owner).get(reverse("tender-opportunities"))

    assert opportunity_codes(response) == []


def test_a_supplier_registered_for_a_whole_segment_sees_its_calls(client, tender, clock):
    broad = registered_supplier(3, category_codes=["43000000"])

    response = signed_in(client, broad.owner).get(reverse("tender-opportunities"))

    assert opportunity_codes(response) == [tender.code]


def test_an_organisation_outside_the_registry_is_told_to_register(client, tender):
    representative = member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE)

    response = signed_in(client, representative).get(reverse("tender-opportunities"))

    assert response.status_code == 200
    assert response.context["supplier"] is None
    assert f'href="{reverse("supplier-register")}"' in response.content.decode()


# --- Participation ----------------------------------------------------------------------------------------


def test_a_representative_registers_its_supplier_from_the_tender_page(client, tender, supplier):
    client = signed_in(client, supplier.owner)

    response = client.post(reverse("tender-participate", args=[tender.pk]))
    page = client.get(reverse("tender-detail", args=[tender.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("tender-detail", args=[tender.pk])
    participant = Participant.objects.get()
    assert (participant.tender, participant.organisation, participant.registered_by) == (
        tender,
        supplier.organisation,
        supplier.owner,
    )
    assert page.context["participant"] == participant
    assert page.context["participants"] == 1
    assert reverse("tender-participate", args=[tender.pk]) not in page.content.decode()


def test_a_suspended_supplier_is_refused_on_the_page_and_nothing_is_written(client, tender, supplier):
    supplier_suspend(actor=operator(), supplier=supplier, reason="Documentos observados")
    before = participation_footprint(tender)

    response = signed_in(client, supplier.owner).post(reverse("tender-participate", args=[tender.pk]))

    assert response.status_code == 409
    expected = in_spanish("Your registration in the supplier registry is not active (%(status)s).") % {
        "status": in_spanish(SupplierStatus.SUSPENDED.label)
    }
    assert escape(expected) in response.content.decode()
    assert participation_footprint(tender) == before


def test_registration_after_the_deadline_is_refused(client, tender, supplier, clock):
    clock.set(BIDS_DUE)
    before = participation_footprint(tender)

    response = signed_in(client, supplier.owner).post(reverse("tender-participate", args=[tender.pk]))

    assert response.status_code == 409
    assert shown(response, "Registration for this process is closed: it is only open until bids are due.")
    assert participation_footprint(tender) == before


def test_an_officer_cannot_register_a_participant(client, tender, officer):
    before = participation_footprint(tender)

    response = signed_in(client, officer).post(reverse("tender-participate", args=[tender.pk]))

    assert response.status_code == 403
    assert participation_footprint(tender) == before


def test_registering_needs_a_post_and_a_visible_tender(client, officer, supplier):
    draft = draft_tender(officer)
    client = signed_in(client, supplier.owner)

    assert client.get(reverse("tender-participate", args=[draft.pk])).status_code == 405
    assert client.post(reverse("tender-participate", args=[draft.pk])).status_code == 404
    assert Participant.objects.count() == 0


# --- Questions ------------------------------------------------------------------------------------------


@pytest.fixture
def enquiries(tender, supplier):
    register(supplier, tender)
    return open_enquiries(tender)


def test_the_question_form_is_shown_only_to_participants_during_the_enquiries(
    client, enquiries, supplier, other_supplier
):
    url = reverse("tender-detail", args=[enquiries.pk])
    action = reverse("tender-question", args=[enquiries.pk])

    anonymous = client.get(url)
    outsider = signed_in(client, other_supplier.owner).get(url)
    participant = signed_in(client, supplier.owner).get(url)

    assert action not in anonymous.content.decode()
    assert action not in outsider.content.decode()
    assert action in participant.content.decode()
    assert audit(participant).unlabelled() == []


def test_a_participant_asks_a_question_about_a_lot(client, enquiries, supplier, clock):
    response = signed_in(client, supplier.owner).post(
        reverse("tender-question", args=[enquiries.pk]),
        {"kind": "observation", "lot": "1", "text": "  El plazo de entrega es muy corto.  "},
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("tender-detail", args=[enquiries.pk]) + "#questions"
    question = Question.objects.get()
    assert (question.kind, question.lot.number, question.text, question.asked_at, question.published_at) == (
        "observation",
        1,
        "El plazo de entrega es muy corto.",
        clock.now,
        None,
    )
    page = client.get(reverse("tender-detail", args=[enquiries.pk]))
    assert "El plazo de entrega es muy corto." not in page.content.decode()  # published only with the answers


def test_an_empty_question_is_refused_next_to_the_field(client, enquiries, supplier):
    before = participation_footprint(enquiries)

    response = signed_in(client, supplier.owner).post(
        reverse("tender-question", args=[enquiries.pk]), {"kind": "question", "lot": "", "text": "   "}
    )

    assert response.status_code == 400
    assert response.context["question_form"].errors == {"text": [in_spanish("This field is required.")]}
    assert participation_footprint(enquiries) == before


def test_a_question_after_the_enquiries_end_is_refused(client, enquiries, supplier, clock):
    clock.set(ENQUIRIES_END + timedelta(seconds=1))
    before = participation_footprint(enquiries)

    response = signed_in(client, supplier.owner).post(
        reverse("tender-question", args=[enquiries.pk]), {"kind": "question", "text": "¿Tarde?"}
    )

    assert response.status_code == 409
    assert shown(response, "Questions and observations are received only during the enquiries stage.")
    assert participation_footprint(enquiries) == before


def test_a_supplier_that_is_not_a_participant_cannot_ask(client, enquiries, other_supplier):
    before = participation_footprint(enquiries)

    response = signed_in(client, other_supplier.owner).post(
        reverse("tender-question", args=[enquiries.pk]), {"kind": "question", "text": "¿Puedo preguntar?"}
    )

    assert response.status_code == 403
    assert participation_footprint(enquiries) == before


# --- Bids --------------------------------------------------------------------------------------------------


@pytest.fixture
def bidding(tender, supplier, other_supplier, clock):
    register(supplier, tender)
    register(other_supplier, tender)
    open_bidding(tender)
    clock.set(BIDS_DUE - timedelta(hours=1))
    return tender


@pytest.fixture
def signed_in_bidder(client, bidding, supplier):
    return signed_in(client, supplier.owner)


def bid_url(tender, number: int = 1) -> str:
    return reverse("bid-submit", args=[tender.pk, number])


def bid_form(client, tender) -> dict[str, str]:
    """The form as the page gives it: its hidden key, and values typed in."""
    response = client.get(bid_url(tender))
    assert response.status_code == 200
    key = re.search(r'name="idempotency_key" value="([0-9a-f]{32})"', response.content.decode()).group(1)
    return {
        "idempotency_key": key,
        "price_1": "1234.50",
        "price_2": "799.90",
        "meets_specifications": "on",
        "delivery_days": "15",
        "notes": "Lenovo ThinkPad E14, garantía de 3 años",
    }


def test_the_bid_form_has_a_price_per_item_and_a_fresh_key(client, bidding, supplier):
    client = signed_in(client, supplier.owner)

    first = client.get(bid_url(bidding))
    second = client.get(bid_url(bidding))

    page = first.content.decode()
    assert first.status_code == 200
    assert set(first.context["form"].fields) == {
        "price_1",
        "price_2",
        "idempotency_key",
        "meets_specifications",
        "delivery_days",
        "notes",
    }
    assert page.count('inputmode="decimal"') == 2
    assert "Monitor de 24 pulgadas" in page
    assert first.context["form"]["idempotency_key"].value() != second.context["form"]["idempotency_key"].value()
    assert first["Cache-Control"].startswith("max-age=0")
    found = audit(first)
    assert found.unlabelled() == []
    assert found.scripts == 0


def test_a_bid_sent_from_the_page_is_sealed_and_its_receipt_shown(client, bidding, supplier, clock):
    client = signed_in(client, supplier.owner)
    data = bid_form(client, bidding)

    response = client.post(bid_url(bidding), data)

    assert response.status_code == 200
    bid = Bid.objects.get()
    assert (bid.participant.organisation, bid.status, bid.received_at, bid.idempotency_key) == (
        supplier.organisation,
        BidStatus.SUBMITTED,
        clock.now,
        data["idempotency_key"],
    )
    receipt = response.context["receipt"]
    assert (receipt["tender_code"], receipt["lot_number"], receipt["bidder_ruc"], receipt["digest"]) == (
        bidding.code,
        1,
        supplier.ruc,
        bid.digest,
    )
    page = response.content.decode()
    for text in (bidding.code, supplier.ruc, bid.digest, receipt["salt"], "22/07/2026 16:00:00"):
        assert text in page, text
    # The text shown is exactly what the digest is the SHA-256 of.
    content = response.context["content"]
    assert hashlib.sha256(content.encode()).hexdigest() == bid.digest
    assert '"prices":{"1":"1234.5","2":"799.9"}' in content
    assert '"delivery_days":15' in content
    assert response["Cache-Control"].startswith("max-age=0")


def test_sending_the_same_form_twice_records_one_bid(client, bidding, supplier):
    client = signed_in(client, supplier.owner)
    data = bid_form(client, bidding)

    first = client.post(bid_url(bidding), data)
    second = client.post(bid_url(bidding), data)

    assert (first.status_code, second.status_code) == (200, 200)
    assert Bid.objects.count() == 1
    assert first.context["receipt"] == second.context["receipt"]


def test_sending_a_new_form_replaces_the_live_bid(client, bidding, supplier):
    client = signed_in(client, supplier.owner)
    client.post(bid_url(bidding), bid_form(client, bidding))

    client.post(bid_url(bidding), {**bid_form(client, bidding), "price_1": "1200.00"})

    assert sorted(Bid.objects.values_list("status", flat=True)) == [BidStatus.REPLACED, BidStatus.SUBMITTED]


def test_the_same_form_sent_back_with_other_prices_asks_to_check_and_send_again(client, bidding, supplier):
    client = signed_in(client, supplier.owner)
    data = bid_form(client, bidding)
    client.post(bid_url(bidding), data)
    before = bid_footprint()

    response = client.post(bid_url(bidding), {**data, "price_1": "999.00"})

    assert response.status_code == 409
    assert shown(response, "This form was already sent with other values. Check them and send it again.")
    assert response.context["form"]["idempotency_key"].value() != data["idempotency_key"]
    assert response.context["form"]["price_1"].value() == "999.00"
    assert bid_footprint() == before


def test_a_late_bid_is_refused_with_the_deadline_and_nothing_is_written(client, bidding, supplier, clock):
    client = signed_in(client, supplier.owner)
    data = bid_form(client, bidding)
    clock.set(BIDS_DUE)
    before = bid_footprint()

    response = client.post(bid_url(bidding), data)

    assert response.status_code == 409
    assert escape(in_spanish("Bids were received until %(due)s (Lima time).") % {"due": "22/07/2026 17:00:00"}) in (
        response.content.decode()
    )
    assert bid_footprint() == before


PRICE_RULE = "A unit price is an amount more than zero with at most two decimals."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"price_2": "0"}, "price_2", PRICE_RULE),
        ({"price_1": "12,50"}, "price_1", PRICE_RULE),
        ({"price_1": "10.005"}, "price_1", PRICE_RULE),
        ({"price_1": ""}, "price_1", "This field is required."),
        ({"meets_specifications": ""}, "meets_specifications", "Tick this declaration to bid."),
        (
            {"delivery_days": "0"},
            "delivery_days",
            ("Ensure this value is greater than or equal to %(limit_value)s.", {"limit_value": 1}),
        ),
    ],
)
def test_a_wrong_field_is_refused_next_to_it(signed_in_bidder, bidding, changes, field, message):
    client = signed_in_bidder
    data = {**bid_form(client, bidding), **changes}
    before = bid_footprint()

    response = client.post(bid_url(bidding), data)

    assert response.status_code == 400
    expected = in_spanish(message[0]) % message[1] if isinstance(message, tuple) else in_spanish(message)
    assert response.context["form"].errors == {field: [expected]}
    assert response.context["form"]["idempotency_key"].value() == data["idempotency_key"]
    assert bid_footprint() == before


def test_a_supplier_that_is_not_a_participant_is_told_to_register(client, tender, clock):
    outsider = registered_supplier(5)
    open_bidding(tender)
    client = signed_in(client, outsider.owner)

    page = client.get(bid_url(tender))
    before = bid_footprint()
    refused = client.post(
        bid_url(tender),
        {"idempotency_key": "k", "price_1": "1", "price_2": "1", "meets_specifications": "on", "delivery_days": "1"},
    )

    assert page.status_code == 200
    assert "price_1" not in page.content.decode()
    assert shown(page, "Register as a participant of this process before bidding.")
    assert refused.status_code == 409
    assert shown(refused, "Register as a participant of this process before bidding.")
    assert bid_footprint() == before


def test_an_officer_cannot_bid(client, bidding, officer):
    before = bid_footprint()

    response = signed_in(client, officer).post(
        bid_url(bidding),
        {"idempotency_key": "k", "price_1": "1", "price_2": "1", "meets_specifications": "on", "delivery_days": "1"},
    )

    assert response.status_code == 403
    assert bid_footprint() == before


def test_no_form_while_the_process_is_not_receiving_bids(client, enquiries, supplier):
    response = signed_in(client, supplier.owner).get(bid_url(enquiries))

    assert response.status_code == 200
    assert shown(response, "This process is not receiving bids for this lot.")
    assert 'name="price_1"' not in response.content.decode()


def test_an_unknown_lot_is_not_found(client, bidding, supplier):
    assert signed_in(client, supplier.owner).get(bid_url(bidding, 9)).status_code == 404


# --- Withdrawal ------------------------------------------------------------------------------------------


def submitted(supplier, tender, key="k-1", price="1000.00"):
    bid, _receipt = bid_submit(
        actor=supplier.owner,
        lot=tender.lots.get(),
        organisation=supplier.organisation,
        prices={1: Decimal(price), 2: Decimal("10.00")},
        technical={"delivery_days": 10},
        idempotency_key=key,
    )
    return bid


def test_a_bidder_withdraws_its_live_bid_from_the_tender_page(client, bidding, supplier):
    bid = submitted(supplier, bidding)
    client = signed_in(client, supplier.owner)
    page = client.get(reverse("tender-detail", args=[bidding.pk]))

    response = client.post(reverse("bid-withdraw", args=[bid.pk]))

    assert reverse("bid-withdraw", args=[bid.pk]) in page.content.decode()
    assert response.status_code == 302
    assert response["Location"] == reverse("tender-detail", args=[bidding.pk])
    bid.refresh_from_db()
    assert bid.status == BidStatus.WITHDRAWN


def test_another_supplier_cannot_withdraw_a_bid(client, bidding, supplier, other_supplier):
    bid = submitted(supplier, bidding)
    before = bid_footprint()

    response = signed_in(client, other_supplier.owner).post(reverse("bid-withdraw", args=[bid.pk]))

    assert response.status_code == 404
    assert bid_footprint() == before


def test_no_withdrawal_at_the_deadline(client, bidding, supplier, clock):
    bid = submitted(supplier, bidding)
    clock.set(BIDS_DUE)
    before = bid_footprint()

    response = signed_in(client, supplier.owner).post(reverse("bid-withdraw", args=[bid.pk]))

    assert response.status_code == 409
    assert "22/07/2026 17:00:00" in response.content.decode()
    assert bid_footprint() == before


# --- My bids ---------------------------------------------------------------------------------------------


def test_my_bids_lists_the_suppliers_own_bids_only_and_no_price(client, bidding, supplier, other_supplier):
    first = submitted(supplier, bidding, key="a", price="4321.98")
    second = submitted(supplier, bidding, key="b", price="4300.01")
    theirs = submitted(other_supplier, bidding, key="c", price="987.65")

    response = signed_in(client, supplier.owner).get(reverse("bids-mine"))

    assert response.status_code == 200
    rows = response.context["page"].object_list
    assert [(row["pk"], row["status"]) for row in rows] == [
        (second.pk, BidStatus.SUBMITTED),
        (first.pk, BidStatus.REPLACED),
    ]
    page = response.content.decode()
    assert first.digest in page
    assert bidding.code in page
    assert theirs.digest not in page
    for text in ("4321.98", "4,321.98", "4300.01", "4,300.01", "987.65"):
        assert text not in page
    assert f'href="{reverse("bids-mine")}"' in page  # the navigation link, for suppliers
