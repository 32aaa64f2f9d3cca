"""The open data API: release packages walked by cursor, filtered by Lima days and entity; record
packages; problems for bad input and unknown ocids; public to anyone, tokens with the read scope."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.services import api_token_create
from procurement.models import Release
from procurement.ocds import schema
from procurement.ocds.packages import EXTENSIONS
from tests.factories import member
from tests.portal.api_helpers import bearer
from tests.procurement.factories import MONDAY_9AM, entity_officer, tender_in_bidding
from tests.procurement.ocds.conftest import assert_valid, consented, releases_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/ocds/releases/"


def copies(release: Release, dates: list[datetime]) -> list[Release]:
    """More releases of ``release``'s tender, dated ``dates``: the API reads rows, however made."""
    rows = []
    for n, date in enumerate(dates, start=100):
        data = dict(release.data, id=f"{release.ocid}-{n}", date=date.isoformat().replace("+00:00", "Z"))
        rows.append(
            Release(
                ocid=release.ocid,
                release_id=data["id"],
                tender_id=release.tender_id,
                entity_id=release.entity_id,
                date=date,
                tags=data["tag"],
                data=data,
            )
        )
    return Release.objects.bulk_create(rows)


@pytest.fixture
def published(officer, alpha):
    """One tender published on Monday 6 July 2026 at 09:00 Lima: one release."""
    return tender_in_bidding(officer, [alpha])


def get(client: Client, url: str, **params):
    response = client.get(url, params)
    return response, response.json()


def test_anyone_reads_a_release_package(published, client, settings):
    response, package = get(client, URL)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert package["version"] == "1.1"
    assert package["extensions"] == EXTENSIONS
    assert package["publisher"] == {"name": settings.OCDS_PUBLISHER_NAME, "uri": settings.OCDS_PUBLISHER_URI}
    assert package["license"] == settings.OCDS_LICENSE
    assert package["uri"] == f"http://testserver{URL}"
    assert package["publishedDate"] == "2026-07-06T14:00:00Z"  # the latest release's, not the clock's
    assert [release["id"] for release in package["releases"]] == [f"ocds-pe0001-{published.pk}-1"]
    assert "links" not in package
    assert_valid(package, schema.RELEASE_PACKAGE)


@pytest.mark.parametrize(
    ("caller", "status"), [("anonymous", 200), ("person", 200), ("read_token", 200), ("token_without_read", 403)]
)
def test_who_may_read(caller, status, published, alpha):
    if caller == "anonymous":
        client = Client()
    elif caller == "person":
        client = Client()
        client.force_login(member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE))
    else:
        scopes = ["read"] if caller == "read_token" else ["bids:write"]
        _token, key = api_token_create(actor=alpha.owner, organisation=alpha.organisation, name="ERP", scopes=scopes)
        client = bearer(key)

    assert client.get(URL).status_code == status
    assert client.get(f"/api/v1/ocds/records/ocds-pe0001-{published.pk}/").status_code == status


def test_the_cursor_walks_every_release_once_in_publication_time(published, client):
    first = Release.objects.get()
    # Two releases share a date: the id breaks the tie.
    copies(first, [MONDAY_9AM + timedelta(hours=n) for n in (3, 1, 2, 2, 4)])
    expected = list(Release.objects.order_by("date", "pk").values_list("release_id", flat=True))

    seen, pages, url = [], 0, f"{URL}?limit=2"
    while url:
        response, package = get(client, url)
        assert response.status_code == 200
        assert_valid(package, schema.RELEASE_PACKAGE)
        seen += [release["id"] for release in package["releases"]]
        pages += 1
        url = package.get("links", {}).get("next")

    assert seen == expected
    assert pages == 3
    # What is published after a consumer's last page is on its next ask of the last link.
    response, package = get(client, f"{URL}?limit=2")
    assert package["links"]["next"].startswith("http://testserver/api/v1/ocds/releases/?limit=2&cursor=")


def test_a_cursor_not_given_by_the_portal_is_a_problem(published, client):
    # Garbage, [], a naive date, an id beyond the database's.
    for cursor in (
        "nonsense",
        "W10",
        "WyIyMDI2LTA3LTA2VDE0OjAwOjAwIiwgMV0",
        "WyIyMDI2LTA3LTA2VDE0OjAwOjAwKzAwOjAwIiwgOTIyMzM3MjAzNjg1NDc3NTgwOF0",
    ):
        response, body = get(client, URL, cursor=cursor)
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        assert body["code"] == "invalid_cursor"


def test_days_are_lima_days(published, client):
    first = Release.objects.get()
    # 23:30 on Tuesday 7 July in Lima is already Wednesday in UTC.
    late = datetime(2026, 7, 8, 4, 30, tzinfo=UTC)
    wednesday = datetime(2026, 7, 8, 15, 0, tzinfo=UTC)
    copies(first, [late, wednesday])

    def ids(**params):
        response, package = get(client, URL, **params)
        assert response.status_code == 200
        return [release["date"] for release in package["releases"]]

    assert ids(date_from="2026-07-07", date_to="2026-07-07") == ["2026-07-08T04:30:00Z"]
    assert ids(date_from="2026-07-08") == ["2026-07-08T15:00:00Z"]
    assert ids(date_to="2026-07-06") == ["2026-07-06T14:00:00Z"]


def test_the_entity_filter_takes_a_ruc(published, client, clock, alpha):
    clock.set(MONDAY_9AM)
    other_officer = entity_officer()
    other = tender_in_bidding(other_officer, [alpha])

    response, package = get(client, URL, entity=other.entity.tax_id)

    assert response.status_code == 200
    assert [release["ocid"] for release in package["releases"]] == [f"ocds-pe0001-{other.pk}"]
    response, package = get(client, URL, entity="20000000001")
    assert package["releases"] == []


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"date_from": "2026-13-01"}, "validation_error", "date_from"),
        ({"date_to": "yesterday"}, "validation_error", "date_to"),
        ({"entity": "1234"}, "validation_error", "entity"),
        ({"limit": "0"}, "validation_error", "limit"),
        ({"limit": "1001"}, "validation_error", "limit"),
        ({"date_from": "2026-07-08", "date_to": "2026-07-07"}, "invalid_date_range", "date_to"),
    ],
)
def test_bad_filters_are_problems_with_a_stable_code(params, code, field, published, client):
    response, body = get(client, URL, **params)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert body["code"] == code
    assert field in body["errors"]


def test_a_record_package_holds_the_record_of_the_process(tender, officer, evaluator, alpha, beta, clock, client):
    tender = consented(tender, clock, officer, evaluator, alpha, beta)
    ocid = f"ocds-pe0001-{tender.pk}"

    response, package = get(client, reverse("api-ocds-record", args=[ocid]))

    assert response.status_code == 200
    assert_valid(package, schema.RECORD_PACKAGE)
    [record] = package["records"]
    assert record["ocid"] == ocid
    assert record["releases"] == releases_of(tender)
    assert package["publishedDate"] == record["releases"][-1]["date"]
    compiled = record["compiledRelease"]
    assert compiled["tag"] == ["compiled"]
    assert compiled["awards"][0]["status"] == "active"
    assert record["versionedRelease"]["ocid"] == ocid
    assert_valid(compiled)


def test_an_unknown_ocid_is_not_found(published, client):
    response, body = get(client, "/api/v1/ocds/records/ocds-pe0001-999999/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert body["code"] == "record_not_found"
