"""The supplier's factoring pages: its documents and chains, the pre-acknowledgement with NAFIN's worked
example, the confirmation, refusals shown with their status and nothing created, the history and its CSV,
bank accounts. The world is built with the services (tests/tradedocs/factoring/factories.py)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.core import clock
from tests.smeregistry.factories import registered_supplier
from tests.tradedocs.factoring.factories import admit, chain_world, joined_supplier, operated, receivable
from tradedocs.factoring.enums import FinancingStatus, ReceivableStatus
from tradedocs.factoring.models import BankAccount, ChainSupplier, Financing
from tradedocs.factoring.services import chain_invite_supplier, financing_select

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(frozen_clock):
    """The chain, with institution C offering the worked example's 9.00 + 5.00 = 14.00 %."""
    world = chain_world()
    world.c = admit(world, world.officer, reference=Decimal("9.00"), spread=Decimal("5.00"))
    return world


def preacuse_url(documents, institution) -> str:
    ids = ",".join(str(document.pk) for document in documents)
    return f"{reverse('factoring-preacuse')}?documents={ids}&institution={institution.pk}"


def login(client, user):
    # These tests read the pages' messages in their English source; the Spanish catalogue is checked
    # by tests/portal/test_translations.py.
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def test_the_documents_page_lists_my_documents_and_the_institutions_rates(client, world):
    mine = receivable(world, face=Decimal("100000.00"), due_in_days=60, number="F001-00000101")
    other, _person, _account = joined_supplier(world.chain, world.officer)
    receivable(world, number="F001-00000999", supplier=other.organisation)

    page = login(client, world.representative).get(reverse("factoring-documents"))
    assert page.status_code == 200
    html = page.text
    assert "F001-00000101" in html
    assert "F001-00000999" not in html  # another supplier's
    assert f'name="documents" value="{mine.pk}"' in html
    assert "S/ 100,000.00" in html
    assert ">60<" in html  # days left
    for institution, rate in [(world.a, "13.00 %"), (world.b, "14.50 %"), (world.c, "14.00 %")]:
        assert f'name="institution" value="{institution.organisation.pk}"' in html
        assert f"{institution.organisation.name}: {rate}" in html
    assert f'action="{reverse("factoring-preacuse")}"' in html
    assert 'method="get"' in html


def test_another_suppliers_document_is_not_found(client, world):
    other, _person, _account = joined_supplier(world.chain, world.officer)
    theirs = receivable(world, supplier=other.organisation)
    mine = receivable(world)
    login(client, world.representative)

    assert client.get(preacuse_url([theirs], world.c.organisation)).status_code == 404
    assert client.get(preacuse_url([mine, theirs], world.c.organisation)).status_code == 404
    answer = client.post(
        reverse("factoring-preacuse"), {"documents": str(theirs.pk), "institution": world.c.organisation.pk}
    )
    assert answer.status_code == 404
    assert not Financing.objects.exists()


def test_a_supplier_joins_the_chain_it_is_invited_to(client, world):
    newcomer = registered_supplier(7001)
    membership = chain_invite_supplier(actor=world.officer, chain=world.chain, supplier=newcomer.organisation)
    login(client, newcomer.owner)

    page = client.get(reverse("factoring-documents"))
    join = reverse("factoring-chain-join", args=[world.chain.pk])
    assert world.chain.name in page.text
    assert f'action="{join}"' in page.text

    answer = client.post(join)
    assert answer.status_code == 302
    assert answer.url == reverse("factoring-documents")
    membership.refresh_from_db()
    assert membership.joined_at is not None
    assert f'action="{join}"' not in client.get(reverse("factoring-documents")).text

    # A chain it was not invited to: not found, and no membership appears.
    stranger = registered_supplier(7002)
    login(client, stranger.owner)
    assert client.post(join).status_code == 404
    assert not ChainSupplier.objects.filter(supplier=stranger.organisation).exists()


def test_the_pre_acknowledgement_shows_the_worked_example(client, world):
    document = receivable(world, face=Decimal("100000.00"), due_in_days=60)
    page = login(client, world.representative).get(preacuse_url([document], world.c.organisation))
    assert page.status_code == 200
    html = page.text
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    for figure in ["S/ 100,000.00", ">60<", "14.00 %", "S/ 2,333.33", "S/ 97,666.67", "14.33 %"]:
        assert figure in row, figure
    totals = html[html.index("<tfoot>") : html.index("</tfoot>")]
    assert "S/ 100,000.00" in totals
    assert "S/ 2,333.33" in totals
    assert "S/ 97,666.67" in totals
    assert clock.today().strftime("%d/%m/%Y") in html  # the disbursement date
    assert 'method="post"' in html
    assert not Financing.objects.exists()  # looking costs nothing
    document.refresh_from_db()
    assert document.status == ReceivableStatus.NEGOTIABLE


def test_the_pre_acknowledgement_totals_several_documents(client, world):
    first = receivable(world, face=Decimal("100000.00"), due_in_days=60)
    second = receivable(world, face=Decimal("50000.00"), due_in_days=30)
    # repeated parameters work as well as a comma-separated list
    url = (
        f"{reverse('factoring-preacuse')}?documents={first.pk}&documents={second.pk}"
        f"&institution={world.c.organisation.pk}"
    )
    html = login(client, world.representative).get(url).text
    totals = html[html.index("<tfoot>") : html.index("</tfoot>")]
    # 50,000 × 14 % × 30 / 360 = 583.33
    assert "S/ 150,000.00" in totals
    assert "S/ 2,916.66" in totals
    assert "S/ 147,083.34" in totals


def test_confirming_creates_the_financing_and_shows_it_in_the_history(client, world):
    document = receivable(world, face=Decimal("100000.00"), due_in_days=60)
    login(client, world.representative)
    answer = client.post(
        reverse("factoring-preacuse"), {"documents": str(document.pk), "institution": world.c.organisation.pk}
    )
    assert answer.status_code == 302
    assert answer.url == reverse("factoring-history")
    financing = Financing.objects.get()
    assert (financing.receivable, financing.institution) == (document, world.c.organisation)
    assert (financing.face, financing.days, financing.rate) == (Decimal("100000.00"), 60, Decimal("14.0000"))
    assert (financing.discount, financing.net, financing.effective_rate) == (
        Decimal("2333.33"),
        Decimal("97666.67"),
        Decimal("14.3300"),
    )
    assert financing.status == FinancingStatus.SELECTED
    document.refresh_from_db()
    assert document.status == ReceivableStatus.SELECTED

    history = client.get(answer.url)
    assert history.status_code == 200
    assert world.c.organisation.name in history.text
    assert "S/ 97,666.67" in history.text
    assert "14.33 %" in history.text
    assert document.number in history.text
    assert [str(m) for m in history.context["messages"]]  # the confirmation's message

    # Confirming again: refused with 409, shown on the page, nothing more created.
    again = client.post(
        reverse("factoring-preacuse"), {"documents": str(document.pk), "institution": world.c.organisation.pk}
    )
    assert again.status_code == 409
    assert "already being financed" in again.text
    assert Financing.objects.count() == 1


def test_auto_accepted_selections_are_operated_at_once(client, frozen_clock):
    world = chain_world(auto_accept_a=Decimal("500000.00"))
    document = receivable(world)
    login(client, world.representative).post(
        reverse("factoring-preacuse"), {"documents": str(document.pk), "institution": world.a.organisation.pk}
    )
    assert Financing.objects.get().status == FinancingStatus.OPERATED


def test_without_a_verified_bank_account_nothing_is_discounted(client, world):
    supplier, representative, _none = joined_supplier(world.chain, world.officer, bank=False)
    document = receivable(world, supplier=supplier.organisation)
    login(client, representative)
    answer = client.post(
        reverse("factoring-preacuse"), {"documents": str(document.pk), "institution": world.c.organisation.pk}
    )
    assert answer.status_code == 409
    assert "Register a bank account and have it verified before discounting." in answer.text
    assert 'role="alert"' in answer.text
    assert not Financing.objects.exists()
    document.refresh_from_db()
    assert document.status == ReceivableStatus.NEGOTIABLE


def test_one_refused_document_does_not_undo_the_others(client, world):
    taken = receivable(world)
    free = receivable(world)
    financing_select(actor=world.representative, receivable=taken, institution=world.a.organisation)
    login(client, world.representative)
    answer = client.post(
        reverse("factoring-preacuse"),
        {"documents": f"{taken.pk},{free.pk}", "institution": world.c.organisation.pk},
        follow=True,
    )
    assert answer.redirect_chain == [(reverse("factoring-history"), 302)]
    notes = [str(m) for m in answer.context["messages"]]
    assert any(taken.number in note and "already being financed" in note for note in notes)
    assert Financing.objects.filter(receivable=free, institution=world.c.organisation).exists()
    assert Financing.objects.filter(receivable=taken).count() == 1


def test_a_badly_formed_choice_is_a_400(client, world):
    document = receivable(world)
    login(client, world.representative)
    base = reverse("factoring-preacuse")
    assert client.get(f"{base}?documents={document.pk}").status_code == 400  # no institution
    assert client.get(f"{base}?institution={world.c.organisation.pk}").status_code == 400  # no document
    assert client.get(f"{base}?documents=x&institution={world.c.organisation.pk}").status_code == 400
    # an organisation that is not a financial institution
    assert client.get(f"{base}?documents={document.pk}&institution={world.buyer.pk}").status_code == 400
    answer = client.post(base, {"documents": str(document.pk)})
    assert answer.status_code == 400
    assert not Financing.objects.exists()


def test_an_institution_without_an_offer_is_refused_on_the_page(client, world):
    document = receivable(world)
    outsider = admit(world, world.officer, spread=Decimal("1.00"))
    outsider.offer.delete()
    answer = login(client, world.representative).get(preacuse_url([document], outsider.organisation))
    assert answer.status_code == 409
    assert "no offer for the chain today" in answer.text
    assert "Confirm the discount" not in answer.text
    assert not Financing.objects.exists()


def test_the_history_exports_as_csv(client, world):
    document = receivable(world, face=Decimal("100000.00"), due_in_days=60, number="F001-00000777")
    operated(world, document, institution=world.c)
    other, person, _account = joined_supplier(world.chain, world.officer)
    theirs = receivable(world, supplier=other.organisation, number="F001-00000888")
    financing_select(actor=person, receivable=theirs, institution=world.a.organisation)

    answer = login(client, world.representative).get(reverse("factoring-history-csv"))
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    body = answer.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body[1:])))
    assert len(rows) == 1  # only this supplier's
    row = rows[0]
    assert row["document"] == "F001-00000777"
    assert row["institution"] == world.c.organisation.name
    assert row["status"] == FinancingStatus.OPERATED
    assert (row["face"], row["discount"], row["net"]) == ("100000.00", "2333.33", "97666.67")
    assert (row["rate"], row["effective_rate"], row["days"]) == ("14.0000", "14.3300", "60")
    assert row["disbursement_date"] == clock.today().isoformat()
    assert row["buyer_ruc"] == world.buyer.tax_id


def test_bank_accounts_are_registered_and_listed_unverified(client, world):
    supplier, representative, _none = joined_supplier(world.chain, world.officer, bank=False)
    login(client, representative)
    url = reverse("factoring-bank-accounts")
    assert client.get(url).status_code == 200

    bad = client.post(url, {"bank": "Interbank", "cci": "123"})
    assert bad.status_code == 400
    assert "The CCI has 20 digits." in bad.text
    assert not BankAccount.objects.filter(organisation=supplier.organisation).exists()

    good = client.post(url, {"bank": "Interbank", "cci": "003-200-000000123456-78"})
    assert good.status_code == 302
    account = BankAccount.objects.get(organisation=supplier.organisation)
    assert account.cci == "00320000000012345678"
    assert account.verified_at is None
    page = client.get(url).text
    assert "00320000000012345678" in page
    assert "Awaiting verification" in page


def test_the_pages_are_a_suppliers(client, world):
    login(client, world.officer)  # the buyer's procurement officer
    for name in ["factoring-history", "factoring-history-csv", "factoring-bank-accounts"]:
        assert client.get(reverse(name)).status_code == 403
    client.logout()
    answer = client.get(reverse("factoring-documents"))
    assert answer.status_code == 302
    assert "/login/" in answer.url


def test_the_main_navigation_links_to_factoring(client, world):
    html = login(client, world.representative).get(reverse("home")).text
    assert f'href="{reverse("factoring-documents")}"' in html


def test_a_rate_changed_after_the_pre_acknowledgement_is_not_applied(client, world):
    """The supplier confirms the figures it saw: if the institution publishes a new offer in between, the
    confirmation is refused and nothing is selected."""
    from tradedocs.factoring.services import offer_publish

    document = receivable(world, face=Decimal("100000.00"), due_in_days=60)
    login(client, world.representative)
    page = client.get(preacuse_url([document], world.c.organisation))
    shown = page.context["offer_ids"]
    offer_publish(
        actor=world.c.officer,
        chain=world.chain,
        institution=world.c.organisation,
        reference_rate=Decimal("9.00"),
        spread=Decimal("6.90"),
    )

    answer = client.post(
        reverse("factoring-preacuse"),
        {"documents": str(document.pk), "institution": world.c.organisation.pk, "offers": shown},
    )

    assert answer.status_code == 409
    assert "changed its rate" in answer.text
    assert not Financing.objects.exists()
    document.refresh_from_db()
    assert document.status == ReceivableStatus.NEGOTIABLE
