"""The MYPE set-aside quota: recording awards, the figures, the public dashboards, CSV and the API."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.test import Client
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role, TokenScope
from portal.accounts.services import api_token_create
from smeregistry.models import AwardFact, QuotaMonth
from smeregistry.services.eligibility import LotRequirements, eligibility_check
from smeregistry.services.policy import reference_for
from smeregistry.services.quotas import award_fact_record, quota_by_entity, quota_summary, traffic_light
from smeregistry.views.quotas import LIGHT_LABELS
from tests.factories import OrganisationFactory, member
from tests.portal.api_helpers import PROBLEM, assert_problem, bearer, in_spanish
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

YEAR = 2025
LOT = LotRequirements(reference="LP-9-2025/1", unspsc_codes=("43211500",), register="goods")
MAX_PAGE_BYTES = 50 * 1024


# --- Given: parties with an eligibility snapshot, and a way to award ----------------------------


@pytest.fixture
def mype():
    """A micro enterprise (S/ 500,000 of sales = 93.5 UIT) and its eligibility record."""
    supplier = registered_supplier(1)
    with transaction.atomic():
        return eligibility_check(party=supplier, lot=LOT)


@pytest.fixture
def large():
    """A large enterprise (S/ 50,000,000 of sales = 9,345.8 UIT) and its eligibility record."""
    supplier = registered_supplier(2, annual_sales="50000000.00")
    with transaction.atomic():
        return eligibility_check(party=supplier, lot=LOT)


@pytest.fixture
def entity():
    return OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY, name="Municipalidad de Ica")


_sources = iter(range(1, 1_000_000))


def award(entity, record, amount: str, on: date, source: str | None = None) -> AwardFact:
    return award_fact_record(
        source=source or f"LP-{next(_sources)}-{on.year}/1",
        entity=entity,
        party=record.supplier,
        eligibility=record,
        amount=Decimal(amount),
        currency="PEN",
        amount_local=Decimal(amount),
        awarded_on=on,
    )


@pytest.fixture
def example(entity, mype, large):
    """The hand-computed example.

    January: MYPE 40,000.00, non-MYPE 60,000.00 → 40.00 % by value, 1 of 2 = 50.00 % by count.
    February: MYPE 10,000.00 + 10,000.00, non-MYPE 80,000.00 → 20.00 % by value, 2 of 3 = 66.67 % by count.
    Year: 60,000.00 of 200,000.00 = 30.00 % (amber: 28 ≤ 30 < 40); 3 of 5 = 60.00 % (green).
    """
    assert (mype.is_mype, large.is_mype) == (True, False)
    award(entity, mype, "40000.00", date(YEAR, 1, 10))
    award(entity, large, "60000.00", date(YEAR, 1, 20))
    award(entity, mype, "10000.00", date(YEAR, 2, 3))
    award(entity, mype, "10000.00", date(YEAR, 2, 14))
    award(entity, large, "80000.00", date(YEAR, 2, 28))
    return entity


# --- The figures ---------------------------------------------------------------------------------


def test_hand_computed_example_by_month_and_year(example):
    # when
    summary = quota_summary(fiscal_year=YEAR, entity=example)

    # then
    january, february = summary.months[0], summary.months[1]
    assert (january.total_amount, january.total_count, january.mype_amount, january.mype_count) == (
        Decimal("100000.00"),
        2,
        Decimal("40000.00"),
        1,
    )
    assert (january.share_by_value, january.share_by_count) == (Decimal("40.00"), Decimal("50.00"))
    assert (february.total_amount, february.total_count, february.mype_amount, february.mype_count) == (
        Decimal("100000.00"),
        3,
        Decimal("20000.00"),
        2,
    )
    assert (february.share_by_value, february.share_by_count) == (Decimal("20.00"), Decimal("66.67"))
    assert [m.share_by_value for m in summary.months[2:]] == [None] * 10
    assert (summary.total.total_amount, summary.total.total_count) == (Decimal("200000.00"), 5)
    assert (summary.total.mype_amount, summary.total.mype_count) == (Decimal("60000.00"), 3)
    assert (summary.total.share_by_value, summary.total.share_by_count) == (Decimal("30.00"), Decimal("60.00"))
    assert (summary.target, summary.light_by_value, summary.light_by_count) == (Decimal("40.00"), "amber", "green")
    # Monthly lights with the same policy: January meets the target by value, February is red.
    lights = [
        traffic_light(share=m.share_by_value, target=summary.target, amber_ratio=summary.amber_ratio)
        for m in summary.months[:3]
    ]
    assert lights == ["green", "red", "none"]


def test_national_figures_add_every_entity_and_list_each_one(example, mype, large):
    # given another entity with one non-MYPE award in March
    other = OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY, name="Gobierno Regional de Puno")
    award(other, large, "100000.00", date(YEAR, 3, 1))

    # when
    national = quota_summary(fiscal_year=YEAR)
    by_entity = quota_by_entity(fiscal_year=YEAR)

    # then
    assert (national.total.total_amount, national.total.total_count) == (Decimal("300000.00"), 6)
    assert (national.total.share_by_value, national.total.share_by_count) == (Decimal("20.00"), Decimal("50.00"))
    assert [(e.name, e.total.share_by_value, e.light_by_value, e.light_by_count) for e in by_entity] == [
        ("Gobierno Regional de Puno", Decimal("0.00"), "red", "red"),
        ("Municipalidad de Ica", Decimal("30.00"), "amber", "green"),
    ]


@pytest.mark.parametrize(
    ("amounts", "expected"),
    [
        (("40.00", "60.00"), (Decimal("40.00"), "green")),  # exactly the target
        (("28.00", "72.00"), (Decimal("28.00"), "amber")),  # exactly 70 % of the target
        (("27.99", "72.01"), (Decimal("27.99"), "red")),  # just below amber
        (None, (None, "none")),  # no awards
    ],
)
def test_traffic_light_boundaries(entity, mype, large, amounts, expected):
    # given a MYPE award and a non-MYPE one (or none)
    if amounts is not None:
        award(entity, mype, amounts[0], date(YEAR, 5, 1))
        award(entity, large, amounts[1], date(YEAR, 5, 2))

    # when
    summary = quota_summary(fiscal_year=YEAR, entity=entity)

    # then
    assert (summary.total.share_by_value, summary.light_by_value) == expected


def test_recording_the_same_award_twice_counts_it_once(entity, mype):
    # given
    first = award(entity, mype, "1234.50", date(YEAR, 4, 2), source="LP-77-2025/3")

    # when
    again = award(entity, mype, "1234.50", date(YEAR, 4, 2), source="LP-77-2025/3")

    # then
    assert again.pk == first.pk
    assert AwardFact.objects.count() == 1
    month = QuotaMonth.objects.get()
    assert (month.total_amount, month.total_count, month.mype_amount, month.mype_count) == (
        Decimal("1234.50"),
        1,
        Decimal("1234.50"),
        1,
    )


def test_month_totals_equal_the_aggregates_of_the_awards(example, mype, large):
    # given a second entity and a second year, so that grouping matters
    other = OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY)
    award(other, mype, "999.99", date(YEAR, 1, 31))
    award(other, large, "0.01", date(YEAR + 1, 1, 1))

    # when
    facts = {
        (row["entity_id"], row["fiscal_year"], row["month"]): (
            row["total_amount"],
            row["total_count"],
            row["mype_amount"] or Decimal("0"),
            row["mype_count"],
        )
        for row in AwardFact.objects.values("entity_id", "fiscal_year", "month").annotate(
            total_amount=Sum("amount_local"),
            total_count=Count("pk"),
            mype_amount=Sum("amount_local", filter=Q(is_mype=True)),
            mype_count=Count("pk", filter=Q(is_mype=True)),
        )
    }
    months = {
        (m.entity_id, m.fiscal_year, m.month): (m.total_amount, m.total_count, m.mype_amount, m.mype_count)
        for m in QuotaMonth.objects.all()
    }

    # then
    assert months == facts
    assert len(months) == 4


# --- The chart -----------------------------------------------------------------------------------


def test_chart_has_one_bar_per_month_with_awards_and_the_target_line(example):
    # when
    html = Client().get(reverse("quota-entity", args=[example.pk]), {"year": YEAR}).content.decode()

    # then
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    bars = re.findall(r'<rect class="bar" data-month="(\d+)" x="[\d.]+" y="([\d.]+)" width="30" height="([\d.]+)"', svg)
    # Plot: 216 units tall from y=24, so 40 % is 86.4 units high and 20 % is 43.2.
    assert bars == [("1", "153.6", "86.4"), ("2", "196.8", "43.2")]
    assert re.search(r'<line class="target" x1="48" x2="624" y1="153.6" y2="153.6"[^>]*stroke-dasharray', svg)
    assert 'role="img"' in svg
    assert 'aria-labelledby="quota-chart-title quota-chart-desc"' in svg
    assert '<title id="quota-chart-title">' in svg
    desc = re.search(r'<desc id="quota-chart-desc">(.*?)</desc>', svg).group(1)
    assert "40.00 %" in desc
    assert "20.00 %" in desc


# --- Pages ---------------------------------------------------------------------------------------


def test_entity_page_shows_target_shares_lights_and_the_month_table(example):
    # when
    response = Client().get(reverse("quota-entity", args=[example.pk]), {"year": YEAR})

    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert "Municipalidad de Ica" in html
    assert "30.00 %" in html  # share by value
    assert "60.00 %" in html  # share by count
    assert "S/ 200,000.00" in html  # Peruvian style: comma for thousands, point for decimals
    assert "S/ 40,000.00" in html
    assert "66.67 %" in html
    assert in_spanish(LIGHT_LABELS["amber"]) in html  # the light written out, not only a colour
    assert in_spanish(LIGHT_LABELS["green"]) in html
    assert 'class="q-light q-amber"' in html
    assert '<option value="2025" selected>2025</option>' in html


def test_entity_page_defaults_to_the_current_year_in_lima(example, frozen_clock):
    # given 22:00 on 31 December 2025 in Lima, already 2026 in UTC
    frozen_clock.set(datetime(2026, 1, 1, 3, 0, tzinfo=UTC))

    # when
    response = Client().get(reverse("quota-entity", args=[example.pk]))

    # then
    assert response.context["year"] == 2025
    assert "31/12/2025 22:00" in response.content.decode()


@pytest.mark.parametrize("name", ["quota-national", "quota-entity"])
def test_pages_have_no_script_and_stay_under_50_kb(example, name):
    # given 120 entities with figures, more than one page of the national table
    entities = OrganisationFactory.create_batch(120, kind=OrganisationKind.CONTRACTING_ENTITY)
    QuotaMonth.objects.bulk_create(
        QuotaMonth(
            entity=e,
            fiscal_year=YEAR,
            month=m,
            total_amount=Decimal("123456789.12"),
            total_count=99,
            mype_amount=Decimal("1234567.89"),
            mype_count=9,
        )
        for e in entities
        for m in range(1, 13)
    )
    args = [example.pk] if name == "quota-entity" else []

    # when
    response = Client().get(reverse(name, args=args), {"year": YEAR})

    # then
    assert response.status_code == 200
    assert "<script" not in response.content.decode().lower()
    assert len(response.content) < MAX_PAGE_BYTES


def test_national_page_sorts_by_share_and_links_each_entity(example, large):
    # given
    other = OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY, name="Gobierno Regional de Puno")
    award(other, large, "100000.00", date(YEAR, 3, 1))

    # when
    ascending = Client().get(reverse("quota-national"), {"year": YEAR, "sort": "value"})
    descending = Client().get(reverse("quota-national"), {"year": YEAR, "sort": "-value"})

    # then
    assert [row["name"] for row in ascending.context["entities"]] == [
        "Gobierno Regional de Puno",
        "Municipalidad de Ica",
    ]
    assert [row["name"] for row in descending.context["entities"]] == [
        "Municipalidad de Ica",
        "Gobierno Regional de Puno",
    ]
    html = descending.content.decode()
    assert f'href="{reverse("quota-entity", args=[example.pk])}?year={YEAR}"' in html
    assert 'aria-sort="descending"' in html
    assert "S/ 300,000.00" in html


def test_entity_page_query_count_is_pinned(example, django_assert_num_queries):
    reference_for("PE")  # the rules are read once per process, then cached
    # entity, the month rows, the years with data
    with django_assert_num_queries(3):
        response = Client().get(reverse("quota-entity", args=[example.pk]), {"year": YEAR})
    assert response.status_code == 200


def test_national_page_query_count_is_pinned(example, django_assert_num_queries):
    reference_for("PE")
    # national months, the entity table, the years with data
    with django_assert_num_queries(3):
        response = Client().get(reverse("quota-national"), {"year": YEAR})
    assert response.status_code == 200


@pytest.mark.parametrize("year", ["1999", "abc", "20255", "-1"])
def test_pages_refuse_a_bad_year(entity, year):
    response = Client().get(reverse("quota-entity", args=[entity.pk]), {"year": year})
    assert response.status_code == 400


def test_entity_page_of_a_non_entity_is_not_found():
    supplier_org = OrganisationFactory(kind=OrganisationKind.SUPPLIER)
    assert Client().get(reverse("quota-entity", args=[supplier_org.pk])).status_code == 404


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_export_of_the_month_rows(example):
    # when
    response = Client().get(reverse("quota-entity", args=[example.pk]), {"year": YEAR, "format": "csv"})

    # then
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="quotas-{example.pk}-{YEAR}.csv"'
    empty = "".join(f"2025-{m:02d},0.00,0,0.00,0,,\r\n" for m in range(3, 13))
    assert response.content.decode() == (
        "month,total_amount,total_count,mype_amount,mype_count,share_by_value,share_by_count\r\n"
        "2025-01,100000.00,2,40000.00,1,40.00,50.00\r\n"
        "2025-02,100000.00,3,20000.00,2,20.00,66.67\r\n" + empty
    )


# --- API -----------------------------------------------------------------------------------------


def _token_client():
    admin = member(OrganisationKind.INTEGRATOR, Role.ADMINISTRATOR)
    organisation = admin.memberships.get().organisation
    _token, key = api_token_create(actor=admin, organisation=organisation, name="BI", scopes=[TokenScope.READ])
    return bearer(key)


def _session_client():
    client = Client()
    client.force_login(member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE))
    return client


@pytest.mark.parametrize("caller", ["anonymous", "session", "token"])
def test_api_returns_the_figures_to_anyone(example, caller):
    # given
    client = {"anonymous": Client, "session": _session_client, "token": _token_client}[caller]()

    # when
    response = client.get("/api/v1/quotas/", {"fiscal_year": YEAR, "entity": example.pk})

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert {k: v for k, v in body.items() if k != "months"} == {
        "fiscal_year": 2025,
        "jurisdiction": "PE",
        "currency": "PEN",
        "entity": {"id": example.pk, "name": "Municipalidad de Ica"},
        "target_percent": "40.00",
        "amber_ratio": "0.70",
        "share_by_value": "30.00",
        "share_by_count": "60.00",
        "light_by_value": "amber",
        "light_by_count": "green",
        "total": {
            "month": 0,
            "total_amount": "200000.00",
            "total_count": 5,
            "mype_amount": "60000.00",
            "mype_count": 3,
            "share_by_value": "30.00",
            "share_by_count": "60.00",
        },
    }
    assert body["months"][:3] == [
        {
            "month": 1,
            "total_amount": "100000.00",
            "total_count": 2,
            "mype_amount": "40000.00",
            "mype_count": 1,
            "share_by_value": "40.00",
            "share_by_count": "50.00",
        },
        {
            "month": 2,
            "total_amount": "100000.00",
            "total_count": 3,
            "mype_amount": "20000.00",
            "mype_count": 2,
            "share_by_value": "20.00",
            "share_by_count": "66.67",
        },
        {
            "month": 3,
            "total_amount": "0.00",
            "total_count": 0,
            "mype_amount": "0.00",
            "mype_count": 0,
            "share_by_value": None,
            "share_by_count": None,
        },
    ]
    assert len(body["months"]) == 12


def test_api_national_figures_without_entity(example):
    body = Client().get("/api/v1/quotas/", {"fiscal_year": YEAR}).json()
    assert (body["entity"], body["share_by_value"], body["light_by_value"]) == (None, "30.00", "amber")


def test_api_defaults_to_the_current_year_in_lima(example, frozen_clock):
    frozen_clock.set(datetime(2026, 1, 1, 3, 0, tzinfo=UTC))  # 31 December 2025, 22:00 in Lima
    body = Client().get("/api/v1/quotas/", {"entity": example.pk}).json()
    assert (body["fiscal_year"], body["share_by_value"]) == (2025, "30.00")


@pytest.mark.parametrize("year", ["1999", "abc", "２０２５", "3000"])
def test_api_refuses_a_bad_year(entity, year):
    response = Client().get("/api/v1/quotas/", {"fiscal_year": year, "entity": entity.pk})
    assert_problem(response, 400, "invalid_year")


@pytest.mark.parametrize("entity_param", ["999999", "abc"])
def test_api_unknown_entity_is_not_found(entity_param):
    response = Client().get("/api/v1/quotas/", {"fiscal_year": YEAR, "entity": entity_param})
    assert_problem(response, 404, "not_found")


def test_api_an_organisation_that_is_not_an_entity_is_not_found():
    supplier_org = OrganisationFactory(kind=OrganisationKind.SUPPLIER)
    response = Client().get("/api/v1/quotas/", {"entity": supplier_org.pk})
    assert_problem(response, 404, "not_found")


def test_api_throttles_anonymous_callers(settings, entity):
    # given a tight anonymous rate
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "2/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.throttling import AnonRateThrottle

    original = AnonRateThrottle.THROTTLE_RATES
    AnonRateThrottle.THROTTLE_RATES = rates
    try:
        client = Client()
        # when
        statuses = [client.get("/api/v1/quotas/", {"entity": entity.pk}).status_code for _ in range(3)]
        last = client.get("/api/v1/quotas/", {"entity": entity.pk})
    finally:
        AnonRateThrottle.THROTTLE_RATES = original

    # then
    assert statuses == [200, 200, 429]
    assert last["Content-Type"] == PROBLEM
    assert last.json()["code"] == "throttled"


def test_api_schema_describes_the_endpoint():
    response = Client().get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/v1/quotas/"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"fiscal_year", "entity"}
    assert {"200", "400", "404"} <= set(operation["responses"])
