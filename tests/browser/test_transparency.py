"""A citizen drills down without JavaScript, on a phone-sized screen, in Spanish: from a region to
its entity, the entity's process, its contract, the supplier, and the supplier's other process."""

import pytest

from tests.procurement.factories import MONDAY_9AM
from tests.procurement.transparency.search_world import build

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_from_a_region_to_the_suppliers_other_process(live_server, page, frozen_clock):
    frozen_clock.set(MONDAY_9AM)
    world = build(frozen_clock)

    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.click("header nav a[href='/transparency/']")
    assert world.pcs.code in page.inner_text("main")

    page.click("main a[href='/transparency/regions/']")
    page.click("main a[href='/transparency/regions/15/']")
    page.click(f"main a[href='/transparency/entities/{world.salud.entity.pk}/']")
    assert "Ministerio de Salud" in page.inner_text("main h1")

    page.click(f"main a[href='/procurement/tenders/{world.gloves.pk}/']")
    assert world.gloves.code in page.inner_text("main")

    page.click(f"main a[href='/transparency/contracts/{world.gloves_contract.pk}/']")
    main = page.inner_text("main")
    assert world.gloves_contract.number in main
    assert "Entregó a tiempo y completo" in main

    page.click(f"main a[href='/transparency/suppliers/{world.alpha.ruc}/']")
    assert "Andina Médica S.A.C." in page.inner_text("main h1")

    page.click(f"main a[href='/procurement/tenders/{world.pcs.pk}/']")
    assert "Computadoras portátiles para colegios" in page.inner_text("main h1")
