"""The API's error format (RFC 9457 problem+json), the body-size limit, the schema and the docs page."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from django.urls import reverse
from rest_framework import exceptions

from portal.accounts.enums import OrganisationKind, Role
from tests.factories import OrganisationFactory, member
from tests.portal.api_helpers import assert_problem, in_spanish, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(kind=OrganisationKind.SUPPLIER)


@pytest.fixture
def admin_client(client, org):
    client.force_login(member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR, org))
    return client


def tokens_url(org) -> str:
    return reverse("api-token-list", args=[org.pk])


def test_malformed_json_is_400_malformed_request(admin_client, org):
    before = snapshot()

    response = admin_client.post(tokens_url(org), '{"name": "ERP", "scopes": [', content_type="application/json")

    body = assert_problem(response, 400, "malformed_request")
    assert body["title"] == "Bad Request"
    assert body["detail"].startswith("JSON parse error - ")
    assert snapshot() == before


def test_wrong_content_type_is_415_unsupported_media_type(admin_client, org):
    before = snapshot()

    response = admin_client.post(tokens_url(org), {"name": "ERP", "scopes": "read"})  # a form, not JSON

    assert_problem(
        response,
        415,
        "unsupported_media_type",
        in_spanish(exceptions.UnsupportedMediaType.default_detail).format(
            media_type="multipart/form-data; boundary=BoUnDaRyStRiNg"
        ),
    )
    assert snapshot() == before


def test_missing_fields_are_400_validation_error_naming_each_field(admin_client, org):
    before = snapshot()

    response = admin_client.post(tokens_url(org), {"days": 30}, content_type="application/json")

    body = assert_problem(
        response,
        400,
        "validation_error",
        in_spanish('Some fields are missing or malformed; each one is listed under "errors".'),
    )
    required = in_spanish(exceptions.ErrorDetail("This field is required."))
    assert body["errors"] == {"name": [required], "scopes": [required]}
    assert body["title"] == "Bad Request"
    assert snapshot() == before


def test_wrong_method_is_405_problem(admin_client, org):
    response = admin_client.put(tokens_url(org), {}, content_type="application/json")

    assert_problem(response, 405, "method_not_allowed")


@pytest.fixture
def small_body_limit(settings):
    settings.PORTAL_MAX_BODY_BYTES = 1000
    return 1000


def test_api_body_over_the_limit_is_413_problem(admin_client, org, small_body_limit):
    before = snapshot()
    payload = json.dumps({"name": "ERP", "scopes": ["read"], "padding": "x" * small_body_limit})

    response = admin_client.post(tokens_url(org), payload, content_type="application/json")

    assert_problem(
        response,
        413,
        "payload_too_large",
        "La solicitud supera el tamaño máximo que acepta el portal (1000\xa0bytes como máximo).",
    )
    assert snapshot() == before


def test_api_body_at_the_limit_is_read(admin_client, org, small_body_limit):
    base = json.dumps({"name": "ERP", "scopes": ["read"], "padding": ""})
    payload = json.dumps({"name": "ERP", "scopes": ["read"], "padding": "x" * (small_body_limit - len(base))})
    assert len(payload) == small_body_limit

    response = admin_client.post(tokens_url(org), payload, content_type="application/json")

    assert response.status_code == 201


def test_page_body_over_the_limit_is_413_html(client, small_body_limit):
    response = client.post(reverse("login"), {"username": "ana@example.pe", "password": "x" * small_body_limit})

    assert response.status_code == 413
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assert in_spanish("Too large") in page
    assert "La solicitud supera el tamaño máximo que acepta el portal (1000\xa0bytes como máximo)." in page
    assert "sessionid" not in client.cookies  # refused before anything read the form: nobody signed in


def test_unknown_api_url_is_404_problem(admin_client):
    response = admin_client.get("/api/v1/no-such-thing/")

    assert_problem(response, 404, "not_found", in_spanish("We could not find that page."))


def test_unknown_api_url_is_404_problem_for_anonymous_callers_too(client):
    response = client.get("/api/v2/organisations/")

    assert_problem(response, 404, "not_found", in_spanish("We could not find that page."))


def test_unknown_page_is_404_html(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert in_spanish("Page not found") in response.content.decode()


def test_schema_is_an_openapi_3_document(client):
    response = client.get(reverse("api-schema"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["version"] == "1.0.0"
    assert set(schema["paths"]) >= {
        "/api/v1/me/",
        "/api/v1/organisations/{organisation_id}/",
        "/api/v1/organisations/{organisation_id}/members/",
        "/api/v1/organisations/{organisation_id}/tokens/",
        "/api/v1/organisations/{organisation_id}/tokens/{token_id}/",
        "/api/v1/inbox/",
        "/api/v1/inbox/read/",
    }
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_schema_is_also_served_as_json(client):
    response = client.get(reverse("api-schema"), {"format": "json"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oai.openapi+json"
    assert response.json()["openapi"].startswith("3.")


ASSET = re.compile(r"<(script|link)\b[^>]*?\b(?:src|href)=[\"']([^\"']+)[\"']", re.IGNORECASE)


def test_docs_page_loads_every_asset_from_static_and_nothing_from_other_sites(client):
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    page = response.content.decode()
    assets = [url for _tag, url in ASSET.findall(page)]
    scripts = [url for tag, url in ASSET.findall(page) if tag.lower() == "script"]
    assert scripts
    assert [url for url in assets if not url.startswith("/static/") or "cdn" in url.lower()] == []
    assert [url for url in assets if client.get(url).status_code != 200] == []
    assert "/api/schema/" in page


def test_the_openapi_schema_generates_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))

    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_a_refusal_with_reasons_gives_their_codes():
    from portal.api.problems import problem_exception_handler
    from portal.core.errors import RuleViolation

    error = RuleViolation("No puede ofertar", code="not_eligible")
    error.reasons = ["sanctioned", "not_mype"]

    response = problem_exception_handler(error, {})

    assert response.status_code == 409
    assert response.data["code"] == "not_eligible"
    assert response.data["reasons"] == ["sanctioned", "not_mype"]
