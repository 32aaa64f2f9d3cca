"""An SME discounts a confirmed invoice in a real browser, without JavaScript, on a phone-sized screen:
it opens Factoring, chooses the document and the institution, reads the pre-acknowledgement with NAFIN's
worked example (100,000.00 at 14 % for 60 days → discount 2,333.33, net 97,666.67, effective 14.33 %),
confirms, and finds the financing in its history.

The clock is frozen (process-wide, so the live server's thread sees the same day) and the world is built
with the services (tests/tradedocs/factoring/factories.py).
"""

from decimal import Decimal

import pytest

from tests.factories import TEST_PASSWORD
from tests.tradedocs.factoring.factories import admit, chain_world, receivable
from tradedocs.factoring.enums import FinancingStatus, ReceivableStatus
from tradedocs.factoring.models import Financing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NUMBER = "F001-00004242"


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/account/login/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.fill("#id_username", email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main form button[type=submit]")


def fits_the_screen(page):
    return page.evaluate("document.documentElement.scrollWidth") <= 412


def test_an_sme_discounts_a_confirmed_invoice(live_server, page, frozen_clock, tmp_path):
    world = chain_world()
    bank = admit(world, world.officer, reference=Decimal("9.00"), spread=Decimal("5.00"))  # 14.00 %
    document = receivable(world, face=Decimal("100000.00"), due_in_days=60, number=NUMBER)

    # Signs in and opens Factoring from the main navigation.
    sign_in(page, live_server, world.representative.email)
    page.click("header nav a[href='/factoring/']")
    assert page.url == f"{live_server.url}/factoring/"
    row = page.locator("main table tbody tr", has_text=NUMBER)
    assert "S/ 100,000.00" in row.inner_text()
    assert fits_the_screen(page)

    # Chooses the document and the institution by their labels, then asks for the pre-acknowledgement.
    page.check(f"#doc-{document.pk}")
    choice = page.locator(f"label[for=inst-{world.chain.pk}-{bank.organisation.pk}]")
    assert "14.00 %" in choice.inner_text()
    choice.click()
    page.click("main form[method=get] button[type=submit]")
    assert page.url.startswith(f"{live_server.url}/factoring/preacuse/?")

    # The pre-acknowledgement: the worked example's figures, exactly; the wide table scrolls inside its box.
    page.screenshot(path=str(tmp_path / "preacuse-412px.png"), full_page=True)
    figures = page.locator("main table tbody tr").first.inner_text()
    for figure in ["S/ 100,000.00", "60", "14.00 %", "S/ 2,333.33", "S/ 97,666.67", "14.33 %"]:
        assert figure in figures, figure
    totals = page.inner_text("main table tfoot")
    assert "S/ 2,333.33" in totals
    assert "S/ 97,666.67" in totals
    assert page.locator("main .scroll table").count() == 1
    assert fits_the_screen(page)
    assert not Financing.objects.exists()

    # Confirms: the history shows the financing and the message says what happened.
    page.click("main form[method=post] button[type=submit]")
    assert page.url == f"{live_server.url}/factoring/history/"
    assert bank.organisation.name in page.inner_text("main .messages")
    entry = page.locator("main table tbody tr", has_text=NUMBER).inner_text()
    assert bank.organisation.name in entry
    assert "S/ 2,333.33" in entry
    assert "S/ 97,666.67" in entry
    assert "14.33 %" in entry
    assert fits_the_screen(page)

    financing = Financing.objects.get()
    assert (financing.receivable_id, financing.institution_id) == (document.pk, bank.organisation.pk)
    assert (financing.discount, financing.net, financing.status) == (
        Decimal("2333.33"),
        Decimal("97666.67"),
        FinancingStatus.SELECTED,
    )
    document.refresh_from_db()
    assert document.status == ReceivableStatus.SELECTED

    # The document is no longer offered for discount.
    page.click("main nav a[href='/factoring/']")
    assert page.locator(f"#doc-{document.pk}").count() == 0
