"""Sealed bids stay sealed until the opening: not in any table of the database (read raw, as a dump
would), not in the audit trail or the notifications, not in the admin site; and after the opening
the same places show them.

The pages and the API are checked in their own test modules (test_public_pages, test_supplier_pages,
test_officer_pages, test_api); here, what a dump or an administrator could read."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse

from procurement.models import Bid, Tender
from procurement.services.chronograph import chronograph_sweep
from tests.factories import UserFactory
from tests.procurement.factories import entity_officer, place_bid, tender_in_bidding
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

# Unusual amounts, so that finding them anywhere means they leaked: 40 × 7,777.77 + 40 × 333.33.
PRICES = {1: Decimal("7777.77"), 2: Decimal("333.33")}
TELLTALES = ("7777.77", "7777,77", "333.33", "324444", "324,444")


@pytest.fixture
def tender(clock):
    officer = entity_officer()
    alpha, beta = registered_supplier(1), registered_supplier(2)
    tender = tender_in_bidding(officer, [alpha, beta])
    clock.set(tender.bids_due - timedelta(minutes=30))
    place_bid(alpha, tender.lots.get(), PRICES, technical={"brand": "Marca Sellada 7777.77"})
    place_bid(beta, tender.lots.get(), {1: Decimal("8000.00"), 2: Decimal("400.00")})
    return tender


def every_row_as_text() -> str:
    """Every row of every table, as PostgreSQL prints it: what a database dump would hold."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT CAST(t AS text) FROM "{table}" AS t')  # noqa: S608 - names from the catalogue
            texts.extend(row[0] for row in cursor.fetchall())
    return "\n".join(texts)


@pytest.mark.postgres
def test_a_raw_read_of_the_whole_database_before_the_opening_finds_no_price(tender):
    dump = every_row_as_text()
    for telltale in (*TELLTALES, "Marca Sellada"):
        assert telltale not in dump


@pytest.mark.postgres
def test_after_the_opening_the_prices_are_public_in_the_database(tender, clock):
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)
    assert Tender.objects.get(pk=tender.pk).opened_at is not None
    assert "7777.77" in every_row_as_text()


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def admin_pages(tender) -> list[str]:
    bid = Bid.objects.filter(lot__tender=tender).first()
    return [
        reverse("admin:procurement_bid_changelist"),
        reverse("admin:procurement_bid_change", args=[bid.pk]),
        reverse("admin:procurement_bid_changelist") + "?q=" + bid.digest[:10],
        reverse("admin:procurement_tender_change", args=[tender.pk]),
        reverse("admin:audit_auditevent_changelist"),
        reverse("admin:notifications_notification_changelist"),
    ]


def test_an_administrator_reads_no_bid_content_before_the_opening(tender, admin_client):
    for url in admin_pages(tender):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for telltale in (*TELLTALES, "Marca Sellada"):
            assert telltale not in page, url
        assert "ciphertext" not in page, url
        assert "wrapped_key" not in page, url


def test_the_admin_shows_the_content_once_opened(tender, admin_client, clock):
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)
    bid = Bid.objects.get(lot__tender=tender, price_total=Decimal("324444.00"))
    page = admin_client.get(reverse("admin:procurement_bid_change", args=[bid.pk])).content.decode()
    assert "7777.77" in page
    assert "ciphertext" not in page


def test_the_admin_cannot_change_a_bid(tender, admin_client):
    bid = Bid.objects.filter(lot__tender=tender).first()
    response = admin_client.post(reverse("admin:procurement_bid_change", args=[bid.pk]), {"status": "withdrawn"})
    assert response.status_code == 403
    assert Bid.objects.get(pk=bid.pk).status == "submitted"
