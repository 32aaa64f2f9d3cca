"""Agreed unit prices: kept in step with the awards in force by every tender event, and the public
price history page (SVG chart, table fallback, CSV) built from them."""

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse

from procurement.models import Award, Bid, Contract, PricePoint, Tender
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from procurement.services.contracts import contract_sign
from procurement.services.tenders import tender_cancel
from procurement.transparency.prices import median, price_history
from tests.procurement.factories import item_data, lot_data, place_bid, tender_in_bidding
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

CODE = "43211503"
# Alpha's unit prices, lot by lot (one item of 10 units each); beta asks 20 % more and loses.
ALPHA = [Decimal("1000.00"), Decimal("1200.00"), Decimal("1300.00"), Decimal("2000.00"), Decimal("1100.00")]
BOXED = Decimal("500.00")  # lot 6: the same product counted in boxes (BX), not comparable
# Where the hand-made history puts each lot's price: four in January 2026, one in March, the box in January.
AGREED = [
    datetime(2026, 1, 5, 15, tzinfo=UTC),
    datetime(2026, 1, 12, 15, tzinfo=UTC),
    datetime(2026, 1, 20, 15, tzinfo=UTC),
    datetime(2026, 1, 28, 15, tzinfo=UTC),
    datetime(2026, 3, 10, 15, tzinfo=UTC),
    datetime(2026, 1, 15, 15, tzinfo=UTC),
]


@pytest.fixture
def alpha(clock):
    return registered_supplier(1)


@pytest.fixture
def beta(clock):
    return registered_supplier(2)


def six_lots():
    lots = [
        lot_data(title=f"Lote {n}", reference_value=Decimal("25000.00"), items=[item_data(quantity=Decimal("10"))])
        for n in range(1, 6)
    ]
    lots.append(
        lot_data(
            title="Lote 6", reference_value=Decimal("25000.00"), items=[item_data(quantity=Decimal("10"), unit="BX")]
        )
    )
    return lots


@pytest.fixture
def bidding(officer, alpha, beta, clock):
    tender = tender_in_bidding(officer, [alpha, beta], lots=six_lots())
    clock.set(tender.bids_due - timedelta(hours=1))
    for lot, price in zip(tender.lots.order_by("number"), [*ALPHA, BOXED], strict=True):
        place_bid(alpha, lot, {1: price})
        place_bid(beta, lot, {1: price * Decimal("1.2")})
    return tender


def award(tender, clock, officer, evaluator, alpha):
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)
    tender = Tender.objects.get(pk=tender.pk)
    for bid in Bid.objects.filter(lot__tender=tender, status="submitted").select_related("participant"):
        score = "90" if bid.participant.organisation_id == alpha.organisation_id else "70"
        bid_evaluate(actor=evaluator, bid=bid, qualified=True, technical_score=score)
    return tender_award(actor=officer, tender=tender)


@pytest.fixture
def awarded(bidding, clock, officer, evaluator, alpha):
    return award(bidding, clock, officer, evaluator, alpha)


@pytest.fixture
def history(awarded):
    """The awarded tender's points moved to the hand-made dates."""
    for point in PricePoint.objects.select_related("item__lot"):
        PricePoint.objects.filter(pk=point.pk).update(agreed_at=AGREED[point.item.lot.number - 1])
    return awarded


# --- Keeping the points --------------------------------------------------------------------------


def test_no_price_is_known_before_the_opening(bidding, client):
    assert not PricePoint.objects.exists()
    assert price_history(code=CODE).points == ()
    response = client.get(reverse("transparency-prices"), {"q": CODE})
    assert response.status_code == 200
    assert "1,000.00" not in response.content.decode()


def test_the_award_writes_one_point_per_item_priced_from_the_opened_bid(awarded, alpha):
    points = list(PricePoint.objects.select_related("item__lot", "award").order_by("item__lot__number"))

    assert [p.unit_price for p in points] == [*ALPHA, BOXED]
    assert [p.unit for p in points] == ["C62"] * 5 + ["BX"]
    assert {p.supplier_id for p in points} == {alpha.organisation_id}
    assert {p.entity_id for p in points} == {awarded.entity_id}
    assert all(p.agreed_at == p.award.awarded_at for p in points)
    assert all((p.quantity, p.currency, p.region_code) == (Decimal("10"), "PEN", "15") for p in points)
    assert all(p.contract_id is None for p in points)


def test_a_revoked_award_takes_its_points_with_it(awarded, officer):
    tender_cancel(actor=officer, tender=awarded, reason="La necesidad ya fue atendida.")

    assert not Award.objects.filter(status="active").exists()
    assert not PricePoint.objects.exists()


def test_the_point_links_its_contract_once_drawn_up_and_signed(awarded, clock, alpha):
    clock.set(awarded.appeal_until + timedelta(seconds=1))
    chronograph_sweep(now=clock.now)
    contract = Contract.objects.get(award__lot__number=1)

    assert price_history(code=CODE).points[0].contract_number == contract.number  # read through the award

    contract_sign(actor=alpha.owner, contract=contract, organisation=alpha.organisation)
    assert PricePoint.objects.get(award=contract.award).contract == contract  # and stored at the next event


# --- The history ---------------------------------------------------------------------------------


def test_median_of_an_even_count_is_the_mean_of_the_middle_two():
    assert median([Decimal("10"), Decimal("20"), Decimal("13"), Decimal("12")]) == Decimal("12.5")
    assert median([Decimal("3"), Decimal("1"), Decimal("2")]) == Decimal("2")
    assert median([Decimal("1.0001"), Decimal("1.0002")]) == Decimal("1.00015")


def test_median_and_range_per_month_quarter_and_year(history):
    months = price_history(code=CODE, period="month")
    quarters = price_history(code=CODE, period="quarter")
    years = price_history(code=CODE, period="year")

    assert (months.unit, months.currency, months.picked) == ("C62", "PEN", True)
    assert [(p.label, p.count, p.median, p.minimum, p.maximum) for p in months.periods] == [
        ("2026-01", 4, Decimal("1250"), Decimal("1000"), Decimal("2000")),
        ("2026-03", 1, Decimal("1100"), Decimal("1100"), Decimal("1100")),
    ]
    assert [(p.count, p.median) for p in quarters.periods] == [(5, Decimal("1200"))]
    assert [(p.label, p.count) for p in years.periods] == [("2026", 5)]
    assert [p.unit_price for p in months.points] == [ALPHA[0], ALPHA[1], ALPHA[2], ALPHA[3], ALPHA[4]]


def test_units_are_never_mixed_the_most_used_is_picked_and_others_offered(history):
    picked = price_history(code=CODE)
    boxes = price_history(code=CODE, unit="BX")

    assert [(o.unit, o.currency, o.count) for o in picked.options] == [("C62", "PEN", 5), ("BX", "PEN", 1)]
    assert {p.unit for p in picked.points} == {"C62"}
    assert [(p.unit, p.unit_price) for p in boxes.points] == [("BX", BOXED)]


def test_region_and_dates_narrow_the_history(history):
    assert len(price_history(code=CODE, region="15").points) == 5
    assert price_history(code=CODE, region="08").points == ()
    march = price_history(code=CODE, date_from=date(2026, 2, 1), date_to=date(2026, 3, 10))
    assert [p.unit_price for p in march.points] == [ALPHA[4]]


# --- The page ------------------------------------------------------------------------------------


def svg_of(html: str) -> str:
    return html[html.index("<svg") : html.index("</svg>")]


def test_the_page_draws_each_price_as_a_link_with_a_table_fallback(history, client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("transparency-prices"), {"q": CODE})
    html = response.content.decode()
    svg = svg_of(html)
    tender_url = reverse("tender-detail", kwargs={"pk": history.pk})

    assert response.status_code == 200
    assert len(response.content) < 50_000
    assert "<script" not in html
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    assert svg.count("<a ") == 5
    assert svg.count(f'href="{tender_url}"') == 5
    assert svg.count('class="band"') == 2
    assert 'class="median"' in svg
    assert "Median and range per period" in html
    table = html[html.index('class="points"') :]
    assert table.count(f'<a href="{tender_url}">') == 5
    assert "BX · PEN (1)" in html  # the other unit, offered apart


def test_the_prices_download_lists_every_point(history, client):
    response = client.get(reverse("transparency-prices"), {"q": CODE, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    assert response["Content-Type"].startswith("text/csv")
    assert [row["unit_price"] for row in rows] == ["1000.0000", "1200.0000", "1300.0000", "2000.0000", "1100.0000"]
    assert {row["unit"] for row in rows} == {"C62"}
    assert rows[0]["tender_code"] == history.code


def test_a_product_is_found_by_name(history, client):
    response = client.get(reverse("transparency-prices"), {"q": "portátil"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": CODE, "period": "decade"}, "decade"),
        ({"q": CODE, "date_from": "2026-13-01"}, "date"),
        ({"q": CODE, "date_from": "2026-03-01", "date_to": "2026-01-01"}, "start date"),
        ({"q": CODE, "unit": "ABCD"}, "unit of measure"),
        ({"q": CODE, "region": "ZZ"}, "ZZ"),
        ({"q": CODE, "page": "x"}, "number"),
        ({"q": "x" * 101}, "100 characters"),
    ],
)
def test_bad_parameters_answer_400_saying_what_to_fix(client, params, message, clock, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(reverse("transparency-prices"), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="msg error"' in html
    assert re.search(re.escape(message), html, re.IGNORECASE)
