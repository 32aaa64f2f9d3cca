"""A first-time SME registers its business in a real browser, without JavaScript, in Spanish."""

import pytest

from smeregistry.models import Supplier
from tests.factories import valid_ruc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def save(page):
    page.click("main button[name=action][value=save]")


def test_an_sme_registers_in_the_browser_and_sees_its_size(live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ruc = valid_ruc(70_000_123)

    # From the home page, in Spanish by default.
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.click("main a[href='/registry/register/']")

    # First the account.
    page.fill("#id_first_name", "Rosa")
    page.fill("#id_last_name", "Mamani")
    page.fill("#id_email", "rosa@quinuavalle.pe")
    page.fill("#id_password1", "Quinua.Andina.2026")
    page.fill("#id_password2", "Quinua.Andina.2026")
    page.click("main form button[type=submit]")

    # Step 1: the business. A wrong check digit is caught on this very step.
    page.fill("#id_ruc", ruc[:-1] + str((int(ruc[-1]) + 1) % 10))
    page.fill("#id_legal_name", "Quinua del Valle S.A.C.")
    save(page)
    assert page.locator(".field.invalid").count() == 1
    page.fill("#id_ruc", ruc)
    save(page)

    # Step 2: the address.
    page.fill("#id_address", "Jr. Puno 245, Huancayo")
    page.select_option("#id_region_code", "12")
    page.fill("#id_email", "ventas@quinuavalle.pe")
    save(page)

    # Step 3: the legal representative.
    page.fill("#id_representative_name", "Rosa Mamani Quispe")
    page.fill("#id_representative_document", "41234567")
    save(page)

    # Step 4: what it sells, found with the search box (a page reload, no script).
    page.check("input[name=registers][value=goods]")
    page.fill("#id_q", "4321")
    page.click("main button[name=action][value=search]")
    page.check("input[name=category_codes][value='43210000']")
    save(page)

    # Step 5: the size, computed and shown in plain words (802,501 soles is 150 UIT and one sol: small).
    page.fill("#id_annual_sales", "802501.00")
    page.fill("#id_sales_fiscal_year", "2025")
    page.fill("#id_employees", "6")
    save(page)
    assert "PEQUEÑA EMPRESA" in page.inner_text("main")

    # Step 6 (documents are optional) and the review, then send.
    page.click("main .msg a.button[href='/registry/register/step/6/']")
    page.click("main button[name=action][value=continue]")
    page.click("main form button[type=submit]")

    assert "Quinua del Valle S.A.C." in page.inner_text("main")
    supplier = Supplier.objects.get(ruc=ruc)
    assert (supplier.status, supplier.size_class, supplier.region.code) == ("pending", "small", "12")
