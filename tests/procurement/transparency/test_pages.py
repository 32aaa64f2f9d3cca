"""The public transparency pages on the known world: the search with its facets, sorts, pages and
visit counter; bad input answered with the form (400); the drill-down links region → entity →
process → contract → supplier → its other process; sealed bids nowhere; light pages."""

from __future__ import annotations

import io
import re
import zipfile
from html import unescape

import pytest
from django.urls import reverse
from django.utils import translation

from procurement.models import EntityProfile, VisitCounter
from procurement.services.tenders import tender_publish, tender_set_timeline
from procurement.timeline import LIMA, earliest_timeline
from smeregistry.models import Region
from tests.portal.api_helpers import in_spanish
from tests.procurement.factories import draft_tender, entity_officer, holidays, item_data, lot_data, procedure
from tests.procurement.transparency.search_world import SEALED_STRINGS, build

pytestmark = pytest.mark.django_db

SEARCH = reverse("transparency-search")
LIGHT = 50_000  # bytes: a page must stay under this on a slow link


@pytest.fixture
def world(clock):
    return build(clock)


def in_spanish_plural(singular: str, plural: str, n: int) -> str:
    with translation.override("es"):
        return translation.ngettext(singular, plural, n)


def get(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response


def links(response) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="([^"]+)"', response.content.decode())]


def test_the_search_page_lists_public_processes_with_facets_sorts_and_downloads(client, world):
    response = get(client, SEARCH)

    results = response.context["results"]
    assert results.rows[0].title == "Mobiliario escolar"
    assert results.total == 4
    page_links = links(response)
    assert reverse("tender-detail", args=[world.pcs.pk]) in page_links
    assert reverse("transparency-entity", args=[world.cusco.entity.pk]) in page_links
    assert "?region=08" in page_links
    assert "?sector=health" in page_links
    assert "?date_from=2026-01-01&date_to=2026-12-31" in page_links
    assert "?sort=amount_desc" in page_links
    assert reverse("transparency-export-csv") + "?sort=newest" in page_links
    assert "Borrador reservado" not in response.content.decode()
    assert "<script" not in response.content.decode()


def test_a_facet_link_adds_its_filter_and_a_second_click_removes_it(client, world):
    cusco = get(client, SEARCH + "?q=escolar&region=08")

    assert [row.title for row in cusco.context["results"].rows] == ["Mobiliario escolar"]
    facets = {block["facet"]: block["links"] for block in cusco.context["facets"]}
    assert facets["region"] == [{"label": "Cusco", "count": 1, "url": "?q=escolar", "active": True}]
    assert [(link["url"], link["count"]) for link in facets["status"]] == [("?q=escolar&region=08&status=cancelled", 1)]
    again = get(client, SEARCH + facets["status"][0]["url"])
    assert [row.title for row in again.context["results"].rows] == ["Mobiliario escolar"]
    assert {block["facet"]: block["links"] for block in again.context["facets"]}["status"][0]["active"] is True


def test_the_page_keeps_the_filters_across_pages(client, world):
    response = get(client, SEARCH + "?sort=oldest&page=1")
    assert response.context["query"] == "sort=oldest"
    assert response.context["results"].rows[0].title == "Adquisición de guantes quirúrgicos"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("amount_min=mucho", "amount_min"),
        ("amount_min=500&amount_max=100", "amount_max"),
        ("date_from=2026-13-01", "date_from"),
        ("date_from=2026-08-01&date_to=2026-07-01", "date_to"),
        ("supplier=123", "supplier"),
        ("category=43x", "category"),
        ("category=431", "category"),
        ("region=99", "region"),
        ("status=draft", "status"),
        ("sector=nope", "sector"),
        ("procedure_type=abc", "procedure_type"),
        ("type=tenders", "type"),
        ("entity=-1", "entity"),
        ("sort=random", "sort"),
        ("q=" + "x" * 201, "q"),
    ],
)
def test_bad_input_shows_the_form_with_what_to_fix(client, world, query, field):
    response = get(client, f"{SEARCH}?{query}", status=400)

    assert list(response.context["form"].errors) == [field]
    assert 'role="alert"' in response.content.decode()


def test_a_garbage_page_number_is_the_first_page(client, world):
    assert get(client, SEARCH + "?page=abc").context["results"].page == 1
    assert get(client, SEARCH + "?page=99999999999").context["results"].page == 1


def test_the_visit_counter_counts_every_visit_and_shows_it(client, world):
    get(client, SEARCH)
    get(client, SEARCH + "?region=08")
    response = get(client, SEARCH + "?amount_min=x", status=400)

    assert VisitCounter.objects.get(key="transparency.search").count == 3
    assert response.context["visits"].count == 3
    since = response.context["visits"].since.astimezone(LIMA)
    assert (
        in_spanish_plural("%(n)s visit since %(since)s", "%(n)s visits since %(since)s", 3)
        % {
            "n": 3,
            "since": f"{since:%d/%m/%Y}",
        }
        in response.content.decode()
    )


def test_contracts_and_suppliers_are_searched_too(client, world):
    contracts = get(client, SEARCH + "?type=contracts&region=08")
    suppliers = get(client, SEARCH + "?type=suppliers&q=andina")

    assert [row["number"] for row in contracts.context["results"].rows] == [world.pcs_contract.number]
    assert reverse("transparency-contract", args=[world.pcs_contract.pk]) in links(contracts)
    assert reverse("transparency-supplier", args=[world.beta.ruc]) in links(contracts)
    assert [s.ruc for s in suppliers.context["suppliers"].object_list] == [world.alpha.ruc]
    assert reverse("transparency-supplier", args=[world.alpha.ruc]) in links(suppliers)


def test_the_drill_down_from_region_to_the_suppliers_other_process(client, world):
    regions = get(client, reverse("transparency-regions"))
    assert reverse("transparency-region", args=["08"]) in links(regions)

    region = get(client, reverse("transparency-region", args=["08"]))
    entity_url = reverse("transparency-entity", args=[world.cusco.entity.pk])
    assert entity_url in links(region)

    entity = get(client, entity_url)
    assert [row.title for row in entity.context["results"].rows] == [
        "Mobiliario escolar",
        "Computadoras portátiles para colegios",
    ]
    assert in_spanish("Regional governments") in entity.content.decode()
    tender_url = reverse("tender-detail", args=[world.pcs.pk])
    assert tender_url in links(entity)

    tender = get(client, tender_url)
    contract_url = reverse("transparency-contract", args=[world.pcs_contract.pk])
    assert contract_url in links(tender)
    assert entity_url in links(tender)

    contract = get(client, contract_url)
    supplier_url = reverse("transparency-supplier", args=[world.beta.ruc])
    assert supplier_url in links(contract)
    assert tender_url in links(contract)

    # Alpha, who lost the computers, won the gloves: its record leads to the other process.
    alpha = get(client, reverse("transparency-supplier", args=[world.alpha.ruc]))
    assert reverse("tender-detail", args=[world.gloves.pk]) in links(alpha)
    assert tender_url in links(alpha)
    assert reverse("transparency-contract", args=[world.gloves_contract.pk]) in links(alpha)
    assert reverse("supplier-profile", args=[world.alpha.ruc]) in links(alpha)


def test_the_contract_page_shows_the_performance_of_a_completed_contract_only(client, world):
    gloves = get(client, reverse("transparency-contract", args=[world.gloves_contract.pk])).content.decode()
    pcs = get(client, reverse("transparency-contract", args=[world.pcs_contract.pk])).content.decode()

    assert in_spanish("Rated %(rating)s of 5") % {"rating": 4} in gloves
    assert "Entregó a tiempo y completo" in gloves
    assert "S/ 45,000.00" in gloves
    assert in_spanish("Performance evaluation") not in pcs


def test_the_registry_profile_links_to_the_suppliers_record(client, world):
    profile = get(client, reverse("supplier-profile", args=[world.alpha.ruc]))

    assert reverse("transparency-supplier", args=[world.alpha.ruc]) in links(profile)


def test_the_main_navigation_links_to_transparency(client, world):
    assert SEARCH in links(get(client, reverse("home")))


@pytest.mark.parametrize(
    "url",
    [
        reverse("transparency-region", args=["99"]),
        reverse("transparency-entity", args=[999999]),
        reverse("transparency-contract", args=[999999]),
        reverse("transparency-supplier", args=["20999999999"]),
    ],
)
def test_unknown_objects_are_not_found(client, world, url):
    get(client, url, status=404)


def test_the_entity_page_of_a_supplier_is_not_found(client, world):
    get(client, reverse("transparency-entity", args=[world.alpha.organisation.pk]), status=404)


def test_the_tender_page_tracks_the_contract_completion_and_links_it(client, world):
    response = get(client, reverse("tender-detail", args=[world.gloves.pk]))

    content = response.content.decode()
    assert reverse("transparency-contract", args=[world.gloves_contract.pk]) in links(response)
    completed = world.gloves_contract.completed_at.astimezone(LIMA)
    assert in_spanish("Completed on %(when)s.") % {"when": f"{completed:%d/%m/%Y}"} in content
    assert "Entregó a tiempo y completo" in content


def sealed_shown(content: str) -> list[str]:
    return [value for value in SEALED_STRINGS if value in content]


def test_a_sealed_bid_is_nowhere_in_any_page_or_download(client, world):
    """Gamma bid 987,654.32 a month for the cleaning before its opening: no page, no download, no
    search by that number shows it, nor who bid."""
    urls = [
        SEARCH,
        SEARCH + "?amount_min=11000000",
        SEARCH + "?type=contracts",
        SEARCH + f"?type=suppliers&q={world.gamma.ruc}",
        reverse("transparency-regions"),
        reverse("transparency-region", args=["04"]),
        reverse("transparency-entity", args=[world.arequipa.entity.pk]),
        reverse("transparency-supplier", args=[world.gamma.ruc]),
        reverse("tender-detail", args=[world.clean.pk]),
        reverse("transparency-export-csv"),
        reverse("transparency-export-csv") + "?type=contracts",
    ]
    for url in urls:
        response = get(client, url)
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert sealed_shown(content.decode()) == [], url
    assert get(client, SEARCH + "?q=987654").context["results"].total == 0
    gamma = get(client, reverse("transparency-supplier", args=[world.gamma.ruc]))
    assert reverse("tender-detail", args=[world.clean.pk]) not in links(gamma)
    workbook = get(client, reverse("transparency-export-xlsx"))
    with zipfile.ZipFile(io.BytesIO(b"".join(workbook.streaming_content))) as archive:
        for name in archive.namelist():
            assert sealed_shown(archive.read(name).decode("utf-8", "replace")) == [], name


# --- Light pages ---------------------------------------------------------------------------------------


def test_a_search_page_of_fifty_results_stays_under_50_kb(client, clock):
    officer = entity_officer()
    entity = officer.memberships.get().organisation
    entity.name = "Municipalidad Distrital de San Juan de Lurigancho — Gerencia de Administración y Finanzas"
    entity.save()
    EntityProfile.objects.create(
        organisation=entity, sector="local", region=Region.objects.get(country="PE", code="15")
    )
    lot = lot_data(
        items=[item_data(description="Equipos de cómputo con monitor, teclado y ratón para las sedes descentralizadas")]
    )
    timeline = earliest_timeline(clock.now, procedure().config, holidays())
    for number in range(55):
        tender = draft_tender(
            officer,
            lots=[lot],
            title=f"Adquisición de equipos de cómputo para las oficinas descentralizadas de atención al ciudadano, "
            f"lote {number}",
        )
        tender = tender_set_timeline(actor=officer, tender=tender, timeline=timeline)
        tender_publish(actor=officer, tender=tender)

    response = get(client, SEARCH + "?q=equipos+computo&region=15&sort=amount_desc&amount_min=1")

    assert len(response.context["results"].rows) == 50
    assert len(response.content) < LIGHT, len(response.content)


def test_the_search_page_reads_few_queries(client, world, django_assert_max_num_queries):
    get(client, SEARCH)  # the counter's row exists, the facet counts are cached

    with django_assert_max_num_queries(14):
        get(client, SEARCH + "?region=08&q=computadoras")


def test_a_rich_tender_page_stays_under_50_kb(client, world):
    """The computers: two bids opened, a score sheet, an award, a signed contract."""
    response = get(client, reverse("tender-detail", args=[world.pcs.pk]))

    assert len(response.content) < LIGHT, len(response.content)
    assert "<script" not in response.content.decode()


def test_the_region_page_is_cached_for_a_minute(client, world):
    get(client, reverse("transparency-region", args=["08"]))
    world.cusco.entity.name = "Otro nombre"
    world.cusco.entity.save()

    cached = get(client, reverse("transparency-region", args=["08"]))

    assert "Gobierno Regional de Cusco" in cached.content.decode()
    assert "Otro nombre" not in cached.content.decode()
