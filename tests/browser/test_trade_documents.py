"""An SME without software issues an invoice from the web form, and the buyer's officer rejects it, in a
real browser without JavaScript, in Spanish, on a phone-sized screen.

The validation task runs after the commit: the test settings leave Celery without a broker (tasks run
eagerly) and the live server commits for real (a transactional test), so by the time the form's
redirect is followed, the invoice has been validated in the server's thread.
"""

from decimal import Decimal

import pytest

from portal.accounts.enums import OrganisationKind, Role
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, valid_ruc
from tests.smeregistry.factories import registered_supplier
from tradedocs.enums import DocumentStatus, Source
from tradedocs.models import Document
from tradedocs.services.issuing import FormLine, invoice_issue

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUYER_RUC = valid_ruc(20_550_123)
NUMBER = "F001-00000042"


def person(email, organisation, role):
    user = UserFactory(email=email)
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def seller_and_buyer():
    """A verified SME with a representative, and a contracting entity with a procurement officer."""
    supplier = registered_supplier(1, legal_name="Quinua del Valle S.A.C.")
    person("rosa@quinuavalle.pe", supplier.organisation, Role.SUPPLIER_REPRESENTATIVE)
    entity = OrganisationFactory(
        kind=OrganisationKind.CONTRACTING_ENTITY, tax_id=BUYER_RUC, name="Gobierno Regional de Junín"
    )
    officer = person("compras@regionjunin.gob.pe", entity, Role.PROCUREMENT_OFFICER)
    return supplier, entity, officer


def sign_in(page, live_server, email):
    page.goto(live_server.url + "/account/login/")
    assert page.locator("html").get_attribute("lang") == "es"
    page.fill("#id_username", email)
    page.fill("#id_password", TEST_PASSWORD)
    page.click("main form button[type=submit]")


def open_documents(page):
    link = page.locator("header nav a[href='/documents/']")
    assert link.inner_text() == "Documentos"
    link.click()


def fill_line(page, index, description, quantity, unit, unit_price, igv):
    page.fill(f"#id_lines-{index}-description", description)
    page.fill(f"#id_lines-{index}-quantity", quantity)
    page.select_option(f"#id_lines-{index}-unit", unit)
    page.fill(f"#id_lines-{index}-unit_price", unit_price)
    page.select_option(f"#id_lines-{index}-vat_category", igv)


def test_an_sme_issues_an_invoice_from_the_web_form(live_server, page, tmp_path):
    supplier, entity, _officer = seller_and_buyer()

    # Signs in and goes from Documents to the invoice form.
    sign_in(page, live_server, "rosa@quinuavalle.pe")
    open_documents(page)
    assert "Documentos recibidos" in page.inner_text("main h1")
    issue = page.locator("main nav a[href='/documents/new/invoice/']")
    assert issue.inner_text() == "Emitir factura"
    issue.click()
    assert page.inner_text("main h1") == "Emitir factura"

    # The form on a phone: one screenshot to look at; the form fits the screen, the lines scroll inside it.
    page.screenshot(path=str(tmp_path / "invoice-form-412px.png"), full_page=True)
    assert page.locator("label[for=id_buyer_ruc]").inner_text().startswith("O el RUC del comprador")
    assert page.locator("label[for=id_number]").is_visible()
    parts = page.locator("main form[method=post] > *")
    assert parts.evaluate_all("all => Math.max(...all.map(e => e.getBoundingClientRect().right))") <= 412
    assert page.locator("main form[method=post] .scroll table").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 412  # no sideways scrolling of the page

    # The buyer's RUC, the number, two lines (one exempt from IGV), in UBL.
    page.fill("#id_buyer_ruc", BUYER_RUC)
    page.fill("#id_number", NUMBER)
    fill_line(page, 0, "Quinua perlada en sacos de 50 kg", "4", "BX", "250.00", "S")
    fill_line(page, 1, "Transporte a Huancayo", "1", "E48", "80.00", "E")
    page.check("input[name=syntax][value=ubl]")
    page.click("main form[method=post] button[type=submit]")

    # The document's page: its number, and its status once validated.
    document = Document.objects.get()
    assert page.url == f"{live_server.url}/documents/{document.pk}/"
    assert (document.status, document.syntax, document.source) == (DocumentStatus.VALID, "ubl", Source.WEB_FORM)
    assert (document.sender, document.receiver) == (supplier.organisation, entity)
    assert document.amount == Decimal("1260.00")  # 1000.00 + 18% IGV + 80.00 exempt
    assert NUMBER in page.inner_text("main h1")
    assert NUMBER in page.inner_text("main .messages")
    facts = page.inner_text("main dl.card >> nth=0")
    assert "Válido, entregado" in facts
    assert BUYER_RUC in facts
    assert "Quinua perlada en sacos de 50 kg" in page.inner_text("main")

    # The downloads are there (nothing is downloaded); the report says the invoice is valid.
    original = page.locator(f"main a[href='/documents/{document.pk}/original/']")
    assert original.inner_text() == "Descargar el XML original"
    assert original.get_attribute("download") is not None
    converted = page.locator(f"main a[href='/documents/{document.pk}/converted/']")
    assert converted.inner_text() == "Descargarlo en UN/CEFACT CII"
    report = page.locator(f"main a[href='/documents/{document.pk}/report/']")
    assert report.inner_text() == "Informe de validación"
    report.click()
    assert page.inner_text("main h1") == "Informe de validación"
    assert "El documento es válido" in page.inner_text("main dl.card")
    assert page.locator(f"main a[href='/documents/{document.pk}/original/']").count() == 1


def test_the_buyer_rejects_the_invoice_with_a_reason(live_server, page):
    supplier, entity, officer = seller_and_buyer()
    document = invoice_issue(  # validated on commit, as from the form
        actor=supplier.owner,
        seller=supplier.organisation,
        buyer=entity,
        number=NUMBER,
        syntax="ubl",
        lines=[FormLine(description="Quinua perlada", quantity=Decimal("4"), unit="BX", unit_price=Decimal("250"))],
    )
    document.refresh_from_db()
    assert document.status == DocumentStatus.VALID

    # The officer finds it among the documents received and opens it.
    sign_in(page, live_server, officer.email)
    open_documents(page)
    row = page.locator("main table tbody tr", has_text=NUMBER)
    assert "Quinua del Valle S.A.C." in row.inner_text()
    assert "Válido, entregado" in row.inner_text()
    row.locator(f"a[href='/documents/{document.pk}/']").click()
    reject = f"main form[action='/documents/{document.pk}/reject/']"
    assert page.inner_text(f"{reject} button[type=submit]") == "Rechazar la factura"

    # Rejecting without a reason shows what is missing and changes nothing.
    page.click(f"{reject} button[type=submit]")
    errors = page.inner_text(f"{reject}")
    assert "Elige por qué rechazas la factura." in errors
    assert "Explica el rechazo para que el vendedor pueda corregirlo." in errors
    assert "Válido, entregado" in page.inner_text("main dl.card >> nth=0")
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.VALID

    # With a reason chosen and explained, the invoice is rejected and the page says why.
    page.select_option("#id_reason", "AMT")
    page.fill("#id_text", "Se recibieron 3 sacos, no 4.")
    page.click(f"{reject} button[type=submit]")
    assert page.url == f"{live_server.url}/documents/{document.pk}/"
    facts = page.inner_text("main dl.card >> nth=0")
    assert "Rechazado" in facts
    assert "Motivos del rechazo" in facts
    assert "Se recibieron 3 sacos, no 4." in facts
    assert page.locator(reject).count() == 0
    document.refresh_from_db()
    assert document.status == DocumentStatus.REJECTED
    assert document.reasons == [{"code": "AMT", "text": "Se recibieron 3 sacos, no 4."}]
