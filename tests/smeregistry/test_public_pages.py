"""The registry's public pages: supplier search, the supplier's profile, the sanctions list."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from smeregistry.services.consortia import consortium_create
from smeregistry.services.eligibility import LotRequirements, eligibility_check
from smeregistry.services.quotas import award_fact_record
from smeregistry.services.sanctions import sanction_record
from smeregistry.views.public import lima_today
from tests.factories import OrganisationFactory, member
from tests.portal.api_helpers import in_spanish
from tests.portal.test_accessibility import audit
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db


def rucs(response) -> list[str]:
    return [supplier.ruc for supplier in response.context["page"].object_list]


def oversight_reviewer():
    return member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER)


def sanction(supplier, *, starts_on: date, ends_on: date | None, reason="Falsedad documental", source="Res. 1-TCE"):
    return sanction_record(
        actor=oversight_reviewer(),
        supplier=supplier,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        source=source,
    )


# --- Search -------------------------------------------------------------------------------------------


@pytest.fixture
def computer_suppliers():
    """Three suppliers of computers (registered at class, family and segment level) and one of office supplies."""
    return {
        "class": registered_supplier(1, legal_name="Alfa Computadoras S.A.C.", category_codes=["43211500"]),
        "segment": registered_supplier(2, legal_name="Beta Tecnología S.A.C.", category_codes=["43000000"]),
        "family": registered_supplier(3, legal_name="Gamma Equipos S.A.C.", category_codes=["43210000"]),
        "office": registered_supplier(4, legal_name="Delta Útiles S.A.C.", category_codes=["44120000"]),
    }


def test_search_by_family_finds_suppliers_registered_at_class_family_and_segment_level(client, computer_suppliers):
    response = client.get(reverse("supplier-list"), {"category": "43210000"})

    assert response.status_code == 200
    assert rucs(response) == [computer_suppliers[k].ruc for k in ("class", "segment", "family")]


def test_a_category_can_be_typed_as_its_significant_digits(client, computer_suppliers):
    response = client.get(reverse("supplier-list"), {"category": "4321"})

    assert rucs(response) == [computer_suppliers[k].ruc for k in ("class", "segment", "family")]


def test_a_malformed_category_is_refused_with_the_form_error(client, computer_suppliers):
    response = client.get(reverse("supplier-list"), {"category": "432"})

    assert response.status_code == 400
    assert response.context["page"] is None
    assert response.context["form"].errors == {
        "category": [in_spanish("A UNSPSC code has 2, 4, 6 or 8 digits, e.g. 43 or 43211500.")]
    }


def test_search_by_region(client):
    lima = registered_supplier(1, region_code="15")
    cusco = registered_supplier(2, region_code="08", legal_name="Cusco Textil S.A.C.")

    response = client.get(reverse("supplier-list"), {"region": "08"})

    assert rucs(response) == [cusco.ruc]
    assert lima.ruc not in response.content.decode()


def test_search_by_size_class(client):
    micro = registered_supplier(1, annual_sales="500000.00")
    small = registered_supplier(2, annual_sales="1000000.00")
    medium = registered_supplier(3, annual_sales="10000000.00")

    found = {
        size: rucs(client.get(reverse("supplier-list"), {"size_class": size})) for size in ("micro", "small", "medium")
    }

    assert found == {"micro": [micro.ruc], "small": [small.ruc], "medium": [medium.ruc]}


def test_search_by_ruc_or_name_and_the_rows_link_to_the_profile(client):
    alfa = registered_supplier(1, legal_name="Alfa Computadoras S.A.C.")
    beta = registered_supplier(2, legal_name="Beta Tecnología S.A.C.")

    by_name = client.get(reverse("supplier-list"), {"q": "alfa comp"})
    by_ruc = client.get(reverse("supplier-list"), {"q": beta.ruc})

    assert rucs(by_name) == [alfa.ruc]
    assert rucs(by_ruc) == [beta.ruc]
    assert f'href="{reverse("supplier-profile", args=[alfa.ruc])}"' in by_name.content.decode()


def test_the_list_shows_registry_members_but_not_pending_registrations(client):
    active = registered_supplier(1)
    pending = registered_supplier(2, verified=False)

    response = client.get(reverse("supplier-list"))

    assert rucs(response) == [active.ruc]
    assert pending.ruc not in response.content.decode()


def test_results_come_fifty_to_a_page_and_the_pager_keeps_the_search(client):
    for n in range(51):
        registered_supplier(n + 1, legal_name=f"Proveedora {n + 1:03d} S.A.C.")

    first = client.get(reverse("supplier-list"), {"region": "15"})
    second = client.get(reverse("supplier-list"), {"region": "15", "page": 2})

    assert len(rucs(first)) == 50
    assert len(first.content) < 50_000
    assert [s.legal_name for s in second.context["page"].object_list] == ["Proveedora 051 S.A.C."]
    assert "?region=15&amp;page=2" in first.content.decode()


def test_the_search_costs_three_queries(client, computer_suppliers, django_assert_num_queries):
    """The region choices, the count and the page of rows (with their region)."""
    with django_assert_num_queries(3):
        response = client.get(reverse("supplier-list"), {"category": "43", "region": "15", "q": "S.A.C."})

    assert len(rucs(response)) == 3


def test_the_search_page_is_light_labelled_and_script_free(client, computer_suppliers):
    response = client.get(reverse("supplier-list"), {"q": "S.A.C."})

    found = audit(response)
    assert found.unlabelled() == []
    assert found.scripts == 0
    assert len(response.content) < 50_000


# --- Profile ------------------------------------------------------------------------------------------


def test_profile_shows_the_public_record_sanctions_awards_and_consortia(client, django_assert_num_queries):
    supplier = registered_supplier(
        1,
        legal_name="Alfa Computadoras S.A.C.",
        trade_name="AlfaPC",
        registers=["goods", "services"],
        category_codes=["43211500"],
        annual_sales="654321.98",
    )
    partner = registered_supplier(2, legal_name="Beta Tecnología S.A.C.")
    today = lima_today()
    sanction(supplier, starts_on=today - timedelta(days=3), ends_on=today + timedelta(days=30), source="Res. 10-TCE")
    sanction(supplier, starts_on=date(2024, 1, 10), ends_on=date(2024, 6, 30), source="Res. 2-2024-TCE")
    consortium_create(actor=supplier.owner, name="Consorcio Andino", members=[(supplier, "60.00"), (partner, "40.00")])
    entity = OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY, name="Hospital Regional de Ica")
    record = eligibility_check(party=supplier, lot=LotRequirements(reference="LP-1/L-1"))
    award_fact_record(
        source="LP-1/L-1",
        entity=entity,
        party=supplier,
        eligibility=record,
        amount=Decimal("45800.00"),
        currency="PEN",
        amount_local=Decimal("45800.00"),
        awarded_on=date(2026, 3, 5),
        title="Computadoras para el hospital",
    )

    # supplier, categories, sanctions, awards, consortia; performance: its count and average, its rows
    with django_assert_num_queries(7):
        response = client.get(reverse("supplier-profile", args=[supplier.ruc]))

    assert response.status_code == 200
    page = response.content.decode()
    context = response.context
    assert context["supplier"].ruc == supplier.ruc
    assert [c.code for c in context["categories"]] == ["43211500"]
    assert [str(label) for label in context["registers"]] == [in_spanish("Goods"), in_spanish("Services")]
    assert [s.source for s in context["sanctions_in_force"]] == ["Res. 10-TCE"]
    assert [s.source for s in context["sanctions_past"]] == ["Res. 2-2024-TCE"]
    assert [(a.title, a.entity.name, a.amount) for a in context["awards"]] == [
        ("Computadoras para el hospital", "Hospital Regional de Ica", Decimal("45800.00"))
    ]
    assert [(m.consortium.name, m.participation) for m in context["memberships"]] == [
        ("Consorcio Andino", Decimal("60.00"))
    ]
    for text in (
        "Alfa Computadoras S.A.C.",
        "AlfaPC",
        supplier.ruc,
        "Lima",
        "43211500",
        "Res. 10-TCE",
        "Res. 2-2024-TCE",
    ):
        assert text in page
    assert "Hospital Regional de Ica" in page
    assert "Consorcio Andino" in page
    assert "2025" in page  # the fiscal year the size class comes from
    assert in_spanish("Micro enterprise") in page
    assert len(response.content) < 50_000
    assert audit(response).scripts == 0


def test_profile_never_shows_the_exact_annual_sales(client):
    supplier = registered_supplier(1, annual_sales="654321.98")

    page = client.get(reverse("supplier-profile", args=[supplier.ruc])).content.decode()

    for shown in ("654321.98", "654321,98", "654,321.98", "654.321,98", "654321"):
        assert shown not in page


def test_profile_lists_a_sanction_starting_tomorrow_as_not_yet_in_force(client):
    supplier = registered_supplier(1)
    tomorrow = lima_today() + timedelta(days=1)
    sanction(supplier, starts_on=tomorrow, ends_on=None, source="Res. 99-TCE")

    response = client.get(reverse("supplier-profile", args=[supplier.ruc]))

    assert response.context["sanctions_in_force"] == []
    assert [s.source for s in response.context["sanctions_upcoming"]] == ["Res. 99-TCE"]


def test_profile_of_an_unknown_ruc_is_the_404_page(client):
    response = client.get(reverse("supplier-profile", args=["20999999999"]))

    assert response.status_code == 404
    assert in_spanish("We could not find that page.") in response.content.decode()


# --- Sanctions list -----------------------------------------------------------------------------------


@pytest.fixture
def sanctions_around_today():
    today = lima_today()
    suppliers = [registered_supplier(n, legal_name=f"Sancionada {n} S.A.C.") for n in (1, 2, 3, 4)]
    return {
        "today": today,
        "in_force": sanction(suppliers[0], starts_on=today - timedelta(days=10), ends_on=today, source="Res. A"),
        "permanent": sanction(suppliers[1], starts_on=today, ends_on=None, source="Res. B"),
        "tomorrow": sanction(suppliers[2], starts_on=today + timedelta(days=1), ends_on=None, source="Res. C"),
        "ended_yesterday": sanction(
            suppliers[3], starts_on=today - timedelta(days=40), ends_on=today - timedelta(days=1), source="Res. D"
        ),
    }


def test_sanctions_list_shows_only_those_in_force_today(client, sanctions_around_today):
    response = client.get(reverse("sanction-list"))

    assert response.status_code == 200
    assert [s.source for s in response.context["page"].object_list] == ["Res. B", "Res. A"]
    page = response.content.decode()
    assert "Res. C" not in page
    assert "Res. D" not in page
    found = audit(response)
    assert found.unlabelled() == []
    assert found.scripts == 0


def test_sanctions_list_can_include_past_and_future_ones(client, sanctions_around_today):
    response = client.get(reverse("sanction-list"), {"include_past": "1"})

    assert sorted(s.source for s in response.context["page"].object_list) == ["Res. A", "Res. B", "Res. C", "Res. D"]


def test_sanctions_csv_export(client, sanctions_around_today):
    today = sanctions_around_today["today"]
    in_force = sanctions_around_today["in_force"]

    response = client.get(reverse("sanction-list"), {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="sanctions-{today.isoformat()}.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["ruc", "legal_name", "starts_on", "ends_on", "in_force", "reason", "source"]
    assert rows[1:] == [
        [
            sanctions_around_today["permanent"].supplier.ruc,
            "Sancionada 2 S.A.C.",
            today.isoformat(),
            "",
            "yes",
            "Falsedad documental",
            "Res. B",
        ],
        [
            in_force.supplier.ruc,
            "Sancionada 1 S.A.C.",
            (today - timedelta(days=10)).isoformat(),
            today.isoformat(),
            "yes",
            "Falsedad documental",
            "Res. A",
        ],
    ]


def test_sanctions_csv_neutralises_spreadsheet_formulas(client):
    supplier = registered_supplier(1)
    sanction(supplier, starts_on=lima_today(), ends_on=None, reason='=HYPERLINK("http://x")', source="@Res")

    response = client.get(reverse("sanction-list"), {"format": "csv", "include_past": "1"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][5:] == ['\'=HYPERLINK("http://x")', "'@Res"]
    assert rows[1][4] == "yes"
