"""API tokens: issuing, revoking and authenticating, through the services and over HTTP."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import ApiToken
from portal.accounts.principals import TokenPrincipal
from portal.accounts.services import TokenRejected, api_token_authenticate, api_token_create, api_token_revoke
from portal.audit.models import AuditEvent
from portal.core.errors import DomainError
from portal.notifications.models import Notification
from tests.factories import member
from tests.portal.api_helpers import assert_problem, authorization, bearer, in_spanish, snapshot

pytestmark = pytest.mark.django_db


def secret_of(key: str) -> str:
    return key.partition(".")[2]


# --- api_token_create ---------------------------------------------------------------------------------


def test_create_returns_the_key_once_and_stores_only_its_sha256_digest(org, administrator, frozen_clock):
    token, key = api_token_create(
        actor=administrator,
        organisation=org,
        name="  ERP Contable  ",
        scopes=["read", "documents:write", "read"],
        days=30,
    )

    secret = secret_of(key)
    assert key == f"ptk_{token.prefix}.{secret}"
    assert len(token.prefix) == 8
    assert len(secret) == 43  # 32 random bytes, url-safe base64 without padding
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.name == "ERP Contable"
    assert stored.scopes == ["documents:write", "read"]
    assert stored.organisation == org
    assert stored.created_by == administrator
    assert stored.expires_at == frozen_clock.now + timedelta(days=30)
    assert stored.revoked_at is None
    assert stored.last_used_at is None
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert [column for column, value in row.items() if secret in str(value) or key in str(value)] == []
    assert all(secret not in str(event.payload) for event in AuditEvent.objects.all())
    assert all(secret not in str(n.context) for n in Notification.objects.all())


def test_create_uses_the_default_validity(org, administrator, frozen_clock, settings):
    settings.API_TOKEN_DEFAULT_DAYS = 90

    token, _key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])

    assert token.expires_at == frozen_clock.now + timedelta(days=90)


def test_create_writes_one_audit_event_and_notifies_the_administrators(org, administrator, frozen_clock):
    second_admin = member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR, org)
    representative = member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE, org)
    outsider = member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR)

    token, _key = api_token_create(
        actor=administrator, organisation=org, name="ERP", scopes=["read", "bids:write"], days=10
    )

    event = AuditEvent.objects.get()
    assert event.action == "api_token.created"
    assert event.actor_id == administrator.pk
    assert event.actor_label == f"user:{administrator.pk}:{administrator.username}"
    assert event.organisation_id == org.pk
    assert event.object_type == "accounts.apitoken"
    assert event.object_id == str(token.pk)
    assert event.payload == {
        "name": "ERP",
        "prefix": token.prefix,
        "scopes": ["bids:write", "read"],
        "expires_at": DjangoJSONEncoder().default(frozen_clock.now + timedelta(days=10)),
    }
    assert set(Notification.objects.values_list("recipient_id", "channel", "status")) == {
        (administrator.pk, "inapp", "sent"),
        (administrator.pk, "email", "pending"),
        (second_admin.pk, "inapp", "sent"),
        (second_admin.pk, "email", "pending"),
    }
    assert not Notification.objects.filter(recipient__in=[representative, outsider]).exists()
    assert set(Notification.objects.values_list("event", "key", "url")) == {
        ("api_token.created", f"api_token:{token.pk}", f"/organisations/{org.pk}/tokens/"),
    }
    assert Notification.objects.first().context == {
        "organisation": org.name,
        "name": "ERP",
        "prefix": token.prefix,
        "created_by": administrator.get_full_name(),
    }


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({"name": "", "scopes": ["read"]}, ("required", "name")),
        ({"name": "   ", "scopes": ["read"]}, ("required", "name")),
        ({"name": "ERP", "scopes": []}, ("invalid_scopes", "scopes")),
        ({"name": "ERP", "scopes": ["read", "admin"]}, ("invalid_scopes", "scopes")),
        ({"name": "ERP", "scopes": ["read"], "days": 0}, ("invalid_validity", "days")),
        ({"name": "ERP", "scopes": ["read"], "days": 731}, ("invalid_validity", "days")),
    ],
)
def test_create_refuses_bad_input_and_stores_nothing(org, administrator, given, refusal):
    before = snapshot()

    with pytest.raises(DomainError) as caught:
        api_token_create(actor=administrator, organisation=org, **given)

    assert (caught.value.code, caught.value.field, caught.value.status) == (*refusal, 400)
    assert snapshot() == before


@pytest.mark.parametrize("role", [Role.SUPPLIER_REPRESENTATIVE, None])
def test_create_refuses_non_administrators(org, role):
    actor = (
        member(OrganisationKind.SUPPLIER, role, org) if role else member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR)
    )
    before = snapshot()

    with pytest.raises(PermissionDenied):
        api_token_create(actor=actor, organisation=org, name="ERP", scopes=["read"])

    assert snapshot() == before


def test_a_token_cannot_create_tokens(org, administrator):
    token, _key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    before = snapshot()

    with pytest.raises(PermissionDenied):
        api_token_create(actor=TokenPrincipal(token), organisation=org, name="Hijo", scopes=["read"])

    assert snapshot() == before


# --- api_token_revoke ---------------------------------------------------------------------------------


def test_revoke_stamps_the_time_and_audits_once(org, administrator, frozen_clock):
    token, key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    frozen_clock.advance(hours=2)

    api_token_revoke(actor=administrator, token=token)
    api_token_revoke(actor=administrator, token=token)  # a second revocation changes nothing

    token.refresh_from_db()
    assert token.revoked_at == frozen_clock.now
    revoked = AuditEvent.objects.filter(action="api_token.revoked")
    assert [(e.actor_id, e.object_id, e.payload) for e in revoked] == [
        (administrator.pk, str(token.pk), {"prefix": token.prefix})
    ]
    with pytest.raises(TokenRejected) as caught:
        api_token_authenticate(key=key)
    assert caught.value.code == "token_revoked"


def test_revoke_refuses_a_non_administrator(org, administrator):
    token, _key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    representative = member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE, org)
    before = snapshot()

    with pytest.raises(PermissionDenied):
        api_token_revoke(actor=representative, token=token)

    assert snapshot() == before


# --- api_token_authenticate ---------------------------------------------------------------------------


def test_authenticate_returns_the_token_and_records_use_at_most_once_a_minute(org, administrator, frozen_clock):
    token, key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    first_use = frozen_clock.now

    assert api_token_authenticate(key=key) == token
    frozen_clock.advance(seconds=60)
    api_token_authenticate(key=key)
    token.refresh_from_db()
    assert token.last_used_at == first_use

    frozen_clock.advance(seconds=1)
    api_token_authenticate(key=key)
    token.refresh_from_db()
    assert token.last_used_at == frozen_clock.now


def test_authenticate_accepts_a_token_until_its_last_second(org, administrator, frozen_clock):
    token, key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"], days=1)

    frozen_clock.advance(days=1, seconds=-1)
    assert api_token_authenticate(key=key) == token

    frozen_clock.advance(seconds=1)
    with pytest.raises(TokenRejected) as caught:
        api_token_authenticate(key=key)
    assert caught.value.code == "token_expired"


@pytest.mark.parametrize(
    "make_key",
    [
        lambda key: "",
        lambda key: "garbage",
        lambda key: key.replace("ptk_", "xyz_"),
        lambda key: key.replace(".", ""),
        lambda key: key[:-1] + ("A" if key[-1] != "A" else "B"),  # wrong secret
        lambda key: "ptk_unknown1." + secret_of(key),  # unknown prefix
        lambda key: key.partition(".")[0] + ".",  # no secret
    ],
    ids=["empty", "garbage", "wrong-marker", "no-separator", "wrong-secret", "unknown-prefix", "no-secret"],
)
def test_authenticate_refuses_invalid_keys(org, administrator, make_key):
    _token, key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    before = snapshot()

    with pytest.raises(TokenRejected) as caught:
        api_token_authenticate(key=make_key(key))

    assert (caught.value.code, caught.value.status) == ("token_invalid", 401)
    assert snapshot() == before


def test_authenticate_refuses_a_token_of_a_deactivated_organisation(org, administrator):
    _token, key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    org.is_active = False
    org.save()

    with pytest.raises(TokenRejected) as caught:
        api_token_authenticate(key=key)

    assert caught.value.code == "organisation_inactive"


# --- over HTTP ----------------------------------------------------------------------------------------


def test_http_create_shows_the_key_once(client, org, administrator, frozen_clock):
    client.force_login(administrator)

    created = client.post(
        reverse("api-token-list", args=[org.pk]),
        {"name": "ERP Contable", "scopes": ["read", "documents:write"], "days": 30},
        content_type="application/json",
    )
    listed = client.get(reverse("api-token-list", args=[org.pk]))

    assert created.status_code == 201
    assert created["Content-Type"] == "application/json"
    token = ApiToken.objects.get()
    body = created.json()
    key = body.pop("key")
    assert key.startswith(f"ptk_{token.prefix}.")
    assert token.digest == hashlib.sha256(secret_of(key).encode()).hexdigest()
    assert body == {
        "id": token.pk,
        "name": "ERP Contable",
        "prefix": token.prefix,
        "scopes": ["documents:write", "read"],
        "created_at": body["created_at"],
        "expires_at": body["expires_at"],
        "revoked_at": None,
        "last_used_at": None,
    }
    assert listed.status_code == 200
    assert secret_of(key) not in listed.content.decode()
    assert "key" not in listed.json()["results"][0]
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert [column for column, value in row.items() if secret_of(key) in str(value)] == []
    assert AuditEvent.objects.filter(action="api_token.created").count() == 1
    assert Notification.objects.filter(event="api_token.created", recipient=administrator).count() == 2


def test_http_key_opens_the_api(client, org, administrator):
    client.force_login(administrator)
    key = client.post(
        reverse("api-token-list", args=[org.pk]), {"name": "ERP", "scopes": ["read"]}, content_type="application/json"
    ).json()["key"]

    response = bearer(key).get(reverse("api-organisation", args=[org.pk]))

    assert response.status_code == 200
    assert response.json()["id"] == org.pk


def test_http_token_keyword_is_also_accepted(org, administrator):
    _token, key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    response = authorization(f"Token {key}").get(reverse("api-me"))

    assert response.status_code == 200
    assert response.json()["token_name"] == "ERP"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "", "scopes": ["read"]}, "name"),
        ({"name": "ERP", "scopes": ["admin"]}, "scopes"),
        ({"name": "ERP", "scopes": []}, "scopes"),
        ({"name": "ERP", "scopes": ["read"], "days": 0}, "days"),
        ({"scopes": ["read"]}, "name"),
    ],
    ids=["empty-name", "unknown-scope", "no-scope", "zero-days", "missing-name"],
)
def test_http_create_refuses_bad_input_and_stores_nothing(client, org, administrator, body, field):
    client.force_login(administrator)
    before = snapshot()

    response = client.post(reverse("api-token-list", args=[org.pk]), body, content_type="application/json")

    problem = assert_problem(response, 400, "validation_error")
    assert list(problem["errors"]) == [field]
    assert snapshot() == before


def test_http_revoke(client, org, administrator, frozen_clock):
    token, key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    client.force_login(administrator)

    response = client.delete(reverse("api-token-detail", args=[org.pk, token.pk]))

    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    token.refresh_from_db()
    assert token.revoked_at == frozen_clock.now
    assert_problem(bearer(key).get(reverse("api-me")), 401, "token_revoked", in_spanish("The API token was revoked."))


def test_http_expired_token_is_refused(org, administrator, frozen_clock):
    _token, key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"], days=1)
    frozen_clock.advance(days=1)

    response = bearer(key).get(reverse("api-organisation", args=[org.pk]))

    assert_problem(response, 401, "token_expired", in_spanish("The API token has expired."))


def test_http_revoked_token_is_refused(org, administrator):
    token, key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    api_token_revoke(actor=administrator, token=token)

    response = bearer(key).get(reverse("api-organisation", args=[org.pk]))

    assert_problem(response, 401, "token_revoked", in_spanish("The API token was revoked."))


@pytest.mark.parametrize(
    ("header", "detail"),
    [
        ("Bearer garbage", "The API token is malformed."),
        ("Bearer ptk_nothing", "The API token is malformed."),
        ("Bearer ptk_unknown1.secret", "The API token is not valid."),
        ("Bearer", "The Authorization header must be 'Bearer <token>'."),
        ("Bearer two parts", "The Authorization header must be 'Bearer <token>'."),
    ],
)
def test_http_garbage_token_is_refused(header, detail):
    response = authorization(header).get(reverse("api-me"))

    assert_problem(response, 401, "token_invalid", in_spanish(detail))


def test_http_wrong_secret_is_refused(org, administrator):
    token, _key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    wrong = f"ptk_{token.prefix}.{'x' * 43}"
    before = snapshot()

    response = bearer(wrong).get(reverse("api-organisation", args=[org.pk]))

    assert_problem(response, 401, "token_invalid", in_spanish("The API token is not valid."))
    assert snapshot() == before  # a failed attempt does not count as use
