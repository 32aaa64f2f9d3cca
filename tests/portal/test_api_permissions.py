"""Who may call which API endpoint: one permission matrix per endpoint, then API tokens.

Actors, for an organisation ``org`` (a supplier):
- anonymous: no session, no token → 401 not_authenticated;
- outsider: administrator of *another* organisation → 404 organisation_not_found (existence not leaked);
- representative: a member of ``org`` whose role does not allow the action → 403 permission_denied;
- administrator: the role the action needs → 200/201.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from rest_framework import exceptions
from rest_framework.test import APIClient

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import ApiToken
from portal.accounts.services import api_token_create
from portal.audit.models import AuditEvent
from tests.factories import MembershipFactory, member
from tests.portal.api_helpers import assert_problem, bearer, in_spanish, snapshot

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"
REPRESENTATIVE = "representative"
ADMINISTRATOR = "administrator"

ROLE_DENIED = "Your role in this organisation does not allow this action."
NO_SUCH_ORGANISATION = "No such organisation."


@pytest.fixture
def sign_in(client, people):
    def _sign_in(actor: str):
        if actor != ANONYMOUS:
            client.force_login(people[actor])
        return client

    return _sign_in


@pytest.fixture
def issued_token(org, administrator):
    token, key = api_token_create(actor=administrator, organisation=org, name="ERP Contable", scopes=["read"])
    return token, key


def not_authenticated_detail() -> str:
    return in_spanish(exceptions.NotAuthenticated.default_detail)


def call(client, method: str, url: str):
    """GET/DELETE without a body; POST with a valid token request."""
    if method == "post":
        return client.post(url, {"name": "Otro", "scopes": ["read"]}, content_type="application/json")
    return getattr(client, method)(url)


def assert_refused(response, actor: str) -> None:
    if actor == ANONYMOUS:
        assert_problem(response, 401, "not_authenticated", not_authenticated_detail())
    elif actor == OUTSIDER:
        assert_problem(response, 404, "organisation_not_found", in_spanish(NO_SUCH_ORGANISATION))
    else:
        assert_problem(response, 403, "permission_denied", in_spanish(ROLE_DENIED))


# --- GET /api/v1/me/ ----------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [ANONYMOUS, OUTSIDER, REPRESENTATIVE, ADMINISTRATOR])
def test_me_matrix(sign_in, people, actor):
    client = sign_in(actor)

    response = client.get(reverse("api-me"))

    if actor == ANONYMOUS:
        assert_problem(response, 401, "not_authenticated", not_authenticated_detail())
        return
    person = people[actor]
    membership = person.memberships.get()
    assert response.status_code == 200
    assert response.json() == {
        "id": person.pk,
        "username": person.username,
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "language": "es",
        "memberships": [
            {
                "organisation": {
                    "id": membership.organisation.pk,
                    "kind": "supplier",
                    "name": membership.organisation.name,
                    "tax_id": membership.organisation.tax_id,
                    "country": "PE",
                    "is_active": True,
                },
                "role": membership.role,
            }
        ],
    }


# --- GET /api/v1/organisations/<id>/ ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [(ANONYMOUS, 401), (OUTSIDER, 404), (REPRESENTATIVE, 200), (ADMINISTRATOR, 200)],
)
def test_organisation_detail_matrix(sign_in, org, actor, status):
    """Any member may read its organisation: there is no "wrong role" here."""
    client = sign_in(actor)

    response = client.get(reverse("api-organisation", args=[org.pk]))

    if status != 200:
        assert_refused(response, actor)
        return
    assert response.status_code == 200
    assert response.json() == {
        "id": org.pk,
        "kind": "supplier",
        "name": "Textiles Andinos S.A.C.",
        "tax_id": org.tax_id,
        "country": "PE",
        "is_active": True,
    }


def test_organisation_detail_of_a_deactivated_organisation_is_not_found(sign_in, org):
    org.is_active = False
    org.save()
    client = sign_in(ADMINISTRATOR)

    response = client.get(reverse("api-organisation", args=[org.pk]))

    assert_problem(response, 404, "organisation_not_found", in_spanish(NO_SUCH_ORGANISATION))


def test_organisation_that_does_not_exist_answers_like_a_foreign_one(sign_in, org):
    client = sign_in(ADMINISTRATOR)

    response = client.get(reverse("api-organisation", args=[org.pk + 1000]))

    assert_problem(response, 404, "organisation_not_found", in_spanish(NO_SUCH_ORGANISATION))


# --- GET /api/v1/organisations/<id>/members/ ----------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [(ANONYMOUS, 401), (OUTSIDER, 404), (REPRESENTATIVE, 403), (ADMINISTRATOR, 200)],
)
def test_member_list_matrix(sign_in, people, org, actor, status):
    client = sign_in(actor)

    response = client.get(reverse("api-members", args=[org.pk]))

    if status != 200:
        assert_refused(response, actor)
        return
    assert response.status_code == 200
    members = sorted(
        [(people[ADMINISTRATOR], Role.ADMINISTRATOR), (people[REPRESENTATIVE], Role.SUPPLIER_REPRESENTATIVE)],
        key=lambda pair: pair[0].email,
    )
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [
            {"user_id": person.pk, "email": person.email, "name": person.get_full_name(), "role": role}
            for person, role in members
        ],
    }


# --- GET /api/v1/organisations/<id>/tokens/ -----------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [(ANONYMOUS, 401), (OUTSIDER, 404), (REPRESENTATIVE, 403), (ADMINISTRATOR, 200)],
)
def test_token_list_matrix(sign_in, org, issued_token, actor, status):
    token, key = issued_token
    client = sign_in(actor)

    response = client.get(reverse("api-token-list", args=[org.pk]))

    if status != 200:
        assert_refused(response, actor)
        return
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1
    assert [
        (item["id"], item["name"], item["prefix"], item["scopes"], item["revoked_at"], item["last_used_at"])
        for item in body["results"]
    ] == [(token.pk, "ERP Contable", token.prefix, ["read"], None, None)]
    assert set(body["results"][0]) == {
        "id",
        "name",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    }
    assert key.split(".")[1] not in response.content.decode()


# --- POST /api/v1/organisations/<id>/tokens/ ----------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [(ANONYMOUS, 401), (OUTSIDER, 404), (REPRESENTATIVE, 403), (ADMINISTRATOR, 201)],
)
def test_token_create_matrix(sign_in, org, actor, status):
    client = sign_in(actor)
    before = snapshot()

    response = client.post(
        reverse("api-token-list", args=[org.pk]),
        {"name": "Facturador", "scopes": ["documents:write"]},
        content_type="application/json",
    )

    if status != 201:
        assert_refused(response, actor)
        assert snapshot() == before
        return
    assert response.status_code == 201
    token = ApiToken.objects.get()
    assert response.json()["id"] == token.pk
    assert response.json()["name"] == "Facturador"
    assert response.json()["scopes"] == ["documents:write"]
    assert response.json()["key"].startswith(f"ptk_{token.prefix}.")
    assert token.organisation == org


# --- DELETE /api/v1/organisations/<id>/tokens/<token_id>/ ---------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [(ANONYMOUS, 401), (OUTSIDER, 404), (REPRESENTATIVE, 403), (ADMINISTRATOR, 200)],
)
def test_token_revoke_matrix(sign_in, org, issued_token, actor, status):
    token, _key = issued_token
    client = sign_in(actor)
    before = snapshot()

    response = client.delete(reverse("api-token-detail", args=[org.pk, token.pk]))

    if status != 200:
        assert_refused(response, actor)
        assert snapshot() == before
        return
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert response.json()["id"] == token.pk
    assert response.json()["revoked_at"] is not None
    assert list(AuditEvent.objects.filter(action="api_token.revoked").values_list("object_id", flat=True)) == [
        str(token.pk)
    ]


def test_token_revoke_of_another_organisations_token_through_own_url_is_not_found(sign_in, org, outsider):
    foreign_org = outsider.memberships.get().organisation
    foreign_token, _key = api_token_create(actor=outsider, organisation=foreign_org, name="Otro", scopes=["read"])
    client = sign_in(ADMINISTRATOR)
    before = snapshot()

    response = client.delete(reverse("api-token-detail", args=[org.pk, foreign_token.pk]))

    assert_problem(response, 404, "not_found")
    assert snapshot() == before


# --- GET /api/v1/inbox/ and POST /api/v1/inbox/read/: a person's own inbox, no organisation -----------


@pytest.mark.parametrize("actor", [ANONYMOUS, REPRESENTATIVE, ADMINISTRATOR])
def test_inbox_matrix(sign_in, actor):
    client = sign_in(actor)

    response = client.get(reverse("api-inbox"))

    if actor == ANONYMOUS:
        assert_problem(response, 401, "not_authenticated", not_authenticated_detail())
        return
    assert response.status_code == 200
    assert response.json() == {"count": 0, "next": None, "previous": None, "results": [], "unread": 0}


@pytest.mark.parametrize("actor", [ANONYMOUS, REPRESENTATIVE, ADMINISTRATOR])
def test_inbox_read_matrix(sign_in, actor):
    client = sign_in(actor)

    response = client.post(reverse("api-inbox-read"), {}, content_type="application/json")

    if actor == ANONYMOUS:
        assert_problem(response, 401, "not_authenticated", not_authenticated_detail())
        return
    assert response.status_code == 200
    assert response.json() == {"marked": 0, "unread": 0}


def test_inbox_shows_only_the_callers_notifications(sign_in, org, administrator, representative):
    """The administrator is told about the new token; the representative is not."""
    api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])

    admin_inbox = sign_in(ADMINISTRATOR).get(reverse("api-inbox")).json()
    representative_inbox = sign_in(REPRESENTATIVE).get(reverse("api-inbox")).json()

    assert [item["event"] for item in admin_inbox["results"]] == ["api_token.created"]
    assert admin_inbox["unread"] == 1
    assert representative_inbox["results"] == []
    assert representative_inbox["unread"] == 0


# --- API tokens as the caller -------------------------------------------------------------------------


def test_token_of_the_organisation_reads_its_organisation(org, issued_token):
    _token, key = issued_token

    response = bearer(key).get(reverse("api-organisation", args=[org.pk]))

    assert response.status_code == 200
    assert response.json() == {
        "id": org.pk,
        "kind": "supplier",
        "name": "Textiles Andinos S.A.C.",
        "tax_id": org.tax_id,
        "country": "PE",
        "is_active": True,
    }


def test_token_me_describes_the_token_and_its_organisation(org, issued_token):
    _token, key = issued_token

    response = bearer(key).get(reverse("api-me"))

    assert response.status_code == 200
    assert response.json() == {
        "organisation": {
            "id": org.pk,
            "kind": "supplier",
            "name": "Textiles Andinos S.A.C.",
            "tax_id": org.tax_id,
            "country": "PE",
            "is_active": True,
        },
        "token_name": "ERP Contable",
        "scopes": ["read"],
    }


@pytest.mark.parametrize(
    ("method", "url_name", "detail"),
    [
        ("get", "api-members", ROLE_DENIED),
        ("get", "api-token-list", ROLE_DENIED),
        ("post", "api-token-list", ROLE_DENIED),
        ("delete", "api-token-detail", ROLE_DENIED),
        ("get", "api-inbox", "The inbox belongs to a person; API tokens have none."),
        ("post", "api-inbox-read", "The inbox belongs to a person; API tokens have none."),
    ],
)
def test_token_of_the_organisation_is_refused_people_only_endpoints(org, issued_token, method, url_name, detail):
    token, key = issued_token
    client = bearer(key)
    client.get(reverse("api-me"))  # first use records last_used_at; later calls within a minute write nothing
    args = {"api-members": [org.pk], "api-token-list": [org.pk], "api-token-detail": [org.pk, token.pk]}
    before = snapshot()

    response = call(client, method, reverse(url_name, args=args.get(url_name, [])))

    assert_problem(response, 403, "permission_denied", in_spanish(detail))
    assert snapshot() == before


def test_an_administrators_token_still_cannot_manage_tokens(org, administrator):
    """A token acts with the integrator role only, whoever issued it; and tokens cannot mint tokens."""
    MembershipFactory(user=administrator, organisation=org, role=Role.SUPPLIER_REPRESENTATIVE)
    _token, key = api_token_create(
        actor=administrator, organisation=org, name="Todo", scopes=["read", "documents:write", "bids:write"]
    )
    client = bearer(key)
    client.get(reverse("api-me"))
    before = snapshot()

    response = client.post(
        reverse("api-token-list", args=[org.pk]), {"name": "Hijo", "scopes": ["read"]}, content_type="application/json"
    )

    assert_problem(response, 403, "permission_denied", in_spanish(ROLE_DENIED))
    assert snapshot() == before


@pytest.mark.parametrize(
    ("method", "url_name"),
    [
        ("get", "api-organisation"),
        ("get", "api-members"),
        ("get", "api-token-list"),
        ("post", "api-token-list"),
        ("delete", "api-token-detail"),
    ],
)
def test_token_of_another_organisation_gets_not_found(org, issued_token, outsider, method, url_name):
    token, _key = issued_token
    foreign_org = outsider.memberships.get().organisation
    _foreign_token, foreign_key = api_token_create(
        actor=outsider, organisation=foreign_org, name="Ajeno", scopes=["read"]
    )
    client = bearer(foreign_key)
    client.get(reverse("api-me"))
    args = [org.pk, token.pk] if url_name == "api-token-detail" else [org.pk]
    before = snapshot()

    response = call(client, method, reverse(url_name, args=args))

    assert_problem(response, 404, "organisation_not_found", in_spanish(NO_SUCH_ORGANISATION))
    assert snapshot() == before


def test_a_token_without_the_read_scope_cannot_read():
    administrator = member(OrganisationKind.INTEGRATOR, Role.ADMINISTRATOR)
    org = administrator.memberships.get().organisation
    _token, key = api_token_create(actor=administrator, organisation=org, name="Solo docs", scopes=["documents:write"])

    response = APIClient().get(reverse("api-organisation", args=[org.pk]), HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "read" in response.json()["detail"]


def test_each_token_has_its_own_rate_bucket(settings):
    from portal.api.throttling import PrincipalRateThrottle

    administrator = member(OrganisationKind.INTEGRATOR, Role.ADMINISTRATOR)
    org = administrator.memberships.get().organisation
    _t1, first = api_token_create(actor=administrator, organisation=org, name="Uno", scopes=["read"])
    _t2, second = api_token_create(actor=administrator, organisation=org, name="Dos", scopes=["read"])
    PrincipalRateThrottle.THROTTLE_RATES = {**PrincipalRateThrottle.THROTTLE_RATES, "user": "2/minute"}
    try:
        url = reverse("api-me")
        client = APIClient()
        codes_first = [client.get(url, HTTP_AUTHORIZATION=f"Bearer {first}").status_code for _ in range(3)]
        code_second = client.get(url, HTTP_AUTHORIZATION=f"Bearer {second}").status_code
    finally:
        PrincipalRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]

    assert codes_first == [200, 200, 429]
    assert code_second == 200
