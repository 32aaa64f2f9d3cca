"""Two suppliers compete live in a reverse auction, in a real browser on a phone-sized screen: one
with JavaScript (its page updates by itself when the other bids), one without (form, redirect,
refresh link). After the close the public tender page shows the ranking and the log of every bid."""

from decimal import Decimal

import pytest

from procurement.models import Auction, AuctionBid
from procurement.services.chronograph import chronograph_sweep
from procurement.timeline import LIMA
from tests.factories import TEST_PASSWORD, UserFactory
from tests.procurement.auction.world import start, subasta_opened
from tests.procurement.factories import MONDAY_9AM, entity_officer
from tests.smeregistry.factories import registered_supplier

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email):
    page.goto(base + "/account/login/")
    page.fill("#id_username", email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main form button[type=submit]")


def bid(page, price):
    page.fill("#id_price", price)
    page.click("#auction-bid-form button[type=submit]")


def test_two_bidders_compete_live_and_the_public_reads_the_log(live_server, browser, page, frozen_clock):
    frozen_clock.set(MONDAY_9AM)
    officer = entity_officer()
    alpha = registered_supplier(1, owner=UserFactory(email="ana@andina.pe"), legal_name="Andina Equipos S.A.C.")
    beta = registered_supplier(2, owner=UserFactory(email="beto@costa.pe"), legal_name="Costa Digital S.R.L.")
    tender = subasta_opened(officer, [alpha, beta], frozen_clock)
    auction = start(tender, frozen_clock)
    frozen_clock.advance(minutes=1)
    base = live_server.url
    auction_path = f"/procurement/tenders/{tender.pk}/auctions/1/"

    # Ana, with JavaScript, on a phone.
    with_js = browser.new_context(viewport={"width": 412, "height": 900}, java_script_enabled=True)
    ana = with_js.new_page()
    ana.set_default_timeout(15_000)
    sign_in(ana, base, "ana@andina.pe")
    ana.goto(base + auction_path)
    assert "100,000.00" in ana.inner_text(".auction-best")
    assert ana.inner_text(".auction-rank").startswith("1")
    assert "Costa Digital" not in ana.inner_text("main")
    # The server's time is shown and the countdown runs from it (10 minutes less the minute gone).
    assert ana.inner_text("#auction-server-time").startswith(frozen_clock.now.astimezone(LIMA).strftime("%H:%M"))
    ana.wait_for_function("/^[0-9]+:[0-9][0-9]$/.test(document.getElementById('auction-countdown').textContent)")
    assert ana.inner_text("#auction-countdown") in ("9:00", "8:59", "8:58")

    # Beto, without JavaScript (the `page` fixture), bids by the form.
    sign_in(page, base, "beto@costa.pe")
    page.goto(base + auction_path)
    assert page.inner_text(".auction-rank").startswith("2")
    bid(page, "99000.00")
    assert page.url == base + auction_path
    assert "99,000.00" in page.inner_text("main .messages")
    assert page.inner_text(".auction-rank").startswith("1")
    assert "Andina" not in page.inner_text("main")

    # Ana's page shows the new best price and her new rank by itself, without a reload.
    ana.evaluate("window.__same_page = true")
    ana.wait_for_function("document.querySelector('.auction-best').textContent.indexOf('99,000.00') >= 0")
    assert ana.inner_text(".auction-rank").startswith("2")
    assert ana.evaluate("window.__same_page") is True
    assert ana.get_attribute("#auction-live", "aria-live") == "polite"

    # Ana answers; Beto refreshes by the link and sees it.
    frozen_clock.advance(seconds=30)
    bid(ana, "98500.00")
    assert ana.inner_text(".auction-rank").startswith("1")
    page.click("#auction-refresh")
    assert "98,500.00" in page.inner_text(".auction-best")
    assert page.inner_text(".auction-rank").startswith("2")

    # Beto's bid that is not low enough is refused with the reason, on the page.
    bid(page, "98400.00")
    refused = AuctionBid.objects.get(auction=auction, accepted=False)
    assert refused.refusal_code == "best_decrement"
    assert refused.refusal_reason in page.inner_text("#auction-error")

    # The end: the chronograph closes the auction; Ana's page notices and shows the final ranking.
    frozen_clock.set(Auction.objects.get(pk=auction.pk).ends_at)
    chronograph_sweep(now=frozen_clock.now)
    ana.wait_for_selector(".auction-ranking")
    assert "Andina Equipos" in ana.inner_text("main table")
    with_js.close()

    # Anyone reads the ranking and the whole log on the tender page.
    public = browser.new_context(viewport={"width": 412, "height": 900}, java_script_enabled=False)
    visitor = public.new_page()
    visitor.goto(base + f"/procurement/tenders/{tender.pk}/")
    section = visitor.inner_text("section:has(#auctions)")
    assert section.index("Andina Equipos") < section.index("Costa Digital")
    for text in ("99,000.00", "98,500.00", "98,400.00", refused.refusal_reason, alpha.ruc, beta.ruc):
        assert text in section
    assert Auction.objects.get(pk=auction.pk).best_price == Decimal("98500.00")
    public.close()
