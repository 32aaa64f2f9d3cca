"""Purchase statistics on a known dataset: two awarded processes of two entities, one won lot by lot
by a micro enterprise, one by a large company."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import EntityProfile
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from procurement.transparency.stats import purchase_statistics
from smeregistry.models import Region
from tests.procurement.factories import MONDAY_9AM, entity_officer, lot_data, place_bid, tender_in_bidding
from tests.procurement.transparency.test_prices import alpha, awarded, beta, bidding  # noqa: F401 - fixtures
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

SMALL_WORLD = Decimal("71000.00")  # alpha (micro), six lots: 10 × (1000 + 1200 + 1300 + 2000 + 1100 + 500)
LARGE_WORLD = Decimal("120000.00")  # gamma (large), one lot: 40 laptops × 3000


@pytest.fixture
def world(awarded, clock):  # noqa: F811 - the fixture imported above
    """Both processes awarded in July 2026; the second entity sits in Cusco (08)."""
    officer = entity_officer()
    entity = officer.memberships.get().organisation
    EntityProfile.objects.create(organisation=entity, region=Region.objects.get(country="PE", code="08"))
    gamma = registered_supplier(3, annual_sales="50000000.00")
    clock.set(MONDAY_9AM)  # the second process runs on the same chronogram as the first
    tender = tender_in_bidding(officer, [gamma], lots=[lot_data()])
    clock.set(tender.bids_due - timedelta(hours=1))
    place_bid(gamma, tender.lots.get(), {1: Decimal("3000.00")})
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)
    bid = tender.lots.get().bids.get()
    bid_evaluate(actor=officer, bid=bid, qualified=True, technical_score="80")
    tender_award(actor=officer, tender=tender)
    return {"small": awarded, "large": tender, "cusco": entity}


def figures(buckets):
    return [(b.label, b.count, b.amount) for b in buckets]


def test_totals_by_every_dimension(world):
    stats = purchase_statistics(year=2026)
    small, large = world["small"], world["large"]

    assert (stats.total_count, stats.total_amount) == (2, SMALL_WORLD + LARGE_WORLD)
    assert figures(stats.dimensions["period"]) == [("Julio 2026", 2, SMALL_WORLD + LARGE_WORLD)]
    assert figures(stats.dimensions["entity"]) == [
        (large.entity.name, 1, LARGE_WORLD),
        (small.entity.name, 1, SMALL_WORLD),
    ]
    assert [(b.key, b.amount) for b in stats.dimensions["region"]] == [("08", LARGE_WORLD), ("", SMALL_WORLD)]
    assert stats.dimensions["region"][0].label == "Cusco"
    assert [(b.key, b.count) for b in stats.dimensions["procedure"]] == [("adjudicacion-simplificada", 2)]
    assert [(b.key, b.count) for b in stats.dimensions["object"]] == [("goods", 2)]
    assert [(b.key, b.count, b.amount) for b in stats.dimensions["size"]] == [
        ("micro", 6, SMALL_WORLD),
        ("large", 1, LARGE_WORLD),
    ]


def test_the_mype_share_against_the_goal_by_value_and_by_number(world):
    mype = purchase_statistics(year=2026).mype

    assert mype.target == Decimal("40.00")
    assert (mype.awarded, mype.mype_awarded) == (SMALL_WORLD + LARGE_WORLD, SMALL_WORLD)
    assert mype.share_by_value == Decimal("37.17")  # 71,000 / 191,000: below the goal by value
    assert (mype.awards, mype.mype_awards) == (7, 6)
    assert mype.share_by_count == Decimal("85.71")  # and above it by number
    assert mype.quota.total.total_count == 0  # the quota register waits for the consent


def test_a_year_without_purchases_and_all_years(world):
    empty = purchase_statistics(year=2025)
    every = purchase_statistics(year=None)

    assert (empty.total_count, empty.dimensions["entity"], empty.mype.share_by_value) == (0, [], None)
    assert figures(every.dimensions["period"]) == [("2026", 2, SMALL_WORLD + LARGE_WORLD)]
    assert every.years == [2026]


def test_the_page_shows_charts_and_tables_light_and_without_javascript(world, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("transparency-statistics"), {"year": "2026"})
    html = response.content.decode()

    assert response.status_code == 200
    assert len(response.content) < 50_000
    assert "<script" not in html
    assert html.count("<svg") == 6
    assert html.count('class="bar"') == 1 + 2 + 2 + 1 + 1 + 2
    assert "37.17 %" in html
    assert "85.71 %" in html
    assert "S/ 191,000.00" in html


def test_the_downloads_parse(world, client):
    response = client.get(reverse("transparency-statistics"), {"year": "2026", "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    by = {(row["dimension"], row["key"]): row for row in rows}

    assert response["Content-Type"].startswith("text/csv")
    assert by[("size", "micro")]["count"] == "6"
    assert by[("size", "micro")]["amount"] == "71000.00"
    assert by[("region", "08")]["amount"] == "120000.00"
    assert by[("mype", "mype")]["amount"] == "71000.00"

    book = client.get(reverse("transparency-statistics"), {"year": "2026", "format": "xlsx"})
    assert book["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert book.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("params", "message"),
    [({"year": "1999"}, "year from 2000"), ({"year": "abc"}, "year from 2000"), ({"currency": "EUR"}, "EUR")],
)
def test_bad_filters_answer_400_saying_what_to_fix(client, params, message, clock, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("transparency-statistics"), params)

    assert response.status_code == 400
    assert message in response.content.decode()
