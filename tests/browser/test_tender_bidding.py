"""An SME finds a call among its opportunities, takes part, asks a question and bids, in a real
browser without JavaScript, in Spanish, on a phone-sized screen."""

import hashlib
from datetime import UTC, datetime

import pytest

from procurement.models import Bid, Participant, Question
from procurement.services.tenders import tender_publish, tender_set_timeline
from tests.factories import TEST_PASSWORD, UserFactory
from tests.procurement.factories import MONDAY_9AM, draft_tender, earliest, entity_officer, open_bidding, open_enquiries
from tests.smeregistry.factories import registered_supplier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BIDS_DUE_LIMA = "22/07/2026 17:00"


def test_an_sme_finds_a_call_takes_part_asks_and_bids(live_server, page, frozen_clock):
    frozen_clock.set(MONDAY_9AM)
    officer = entity_officer()
    tender = draft_tender(officer, title="Computadoras para las sedes regionales")
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM))
    tender = tender_publish(actor=officer, tender=tender)
    owner = UserFactory(email="rosa@quinuavalle.pe")
    supplier = registered_supplier(1, owner=owner, legal_name="Quinua del Valle S.A.C.")

    # Signs in, in Spanish by default.
    page.goto(live_server.url + "/account/login/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.fill("#id_username", "rosa@quinuavalle.pe")
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main form button[type=submit]")

    # From the tenders in the menu to the calls for what the business sells, and the call itself.
    page.click("header nav a[href='/procurement/tenders/']")
    page.click("main a[href='/procurement/tenders/opportunities/']")
    assert BIDS_DUE_LIMA in page.inner_text("main")
    page.click(f"main a[href='/procurement/tenders/{tender.pk}/']")
    assert tender.code in page.inner_text("main")

    # Takes part (free), one button.
    page.click(f"main form[action='/procurement/tenders/{tender.pk}/participate/'] button")
    assert Participant.objects.filter(tender=tender, organisation=supplier.organisation).exists()
    assert "Quinua del Valle S.A.C." in page.inner_text("main .messages")
    assert page.locator(f"main form[action='/procurement/tenders/{tender.pk}/participate/']").count() == 0

    # The enquiries open: asks a question about lot 1.
    open_enquiries(tender)
    page.reload()
    page.select_option("#id_lot", "1")
    page.fill("#id_text", "¿Se aceptan equipos con 16 GB de memoria?")
    page.click(f"main form[action='/procurement/tenders/{tender.pk}/questions/'] button[type=submit]")
    question = Question.objects.get(tender=tender)
    assert (question.text, question.lot.number) == ("¿Se aceptan equipos con 16 GB de memoria?", 1)
    assert page.locator("main .messages").count() == 1

    # Bids open: sends a sealed bid for lot 1 and gets its receipt.
    open_bidding(tender)
    page.reload()
    page.click(f"main a[href='/procurement/tenders/{tender.pk}/lots/1/bid/']")
    assert page.get_attribute("#id_price_1", "inputmode") == "decimal"
    page.fill("#id_price_1", "2450.00")
    page.check("#id_meets_specifications")
    page.fill("#id_delivery_days", "20")
    page.fill("#id_notes", "Marca Andina, garantía de 3 años")
    page.click("main form button[type=submit]")

    bid = Bid.objects.get()
    receipt = page.inner_text("main")
    assert tender.code in receipt
    assert supplier.ruc in receipt
    assert bid.digest in receipt
    assert bid.received_at == datetime(2026, 7, 6, 14, 0, tzinfo=UTC)
    assert "06/07/2026 09:00:00" in receipt  # the server's time, in Lima
    # The text on the receipt is what the digest was computed from: anyone can check it.
    content = page.text_content("main details pre")
    assert hashlib.sha256(content.encode()).hexdigest() == bid.digest

    # Its bid is listed under "My bids", with the same digest.
    page.click("header nav a[href='/procurement/bids/mine/']")
    assert bid.digest in page.inner_text("main")
