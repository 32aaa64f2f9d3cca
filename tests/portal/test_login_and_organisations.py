"""Signing in (with django-axes), the organisation switcher, the members and API-token pages, and the
organisation and membership services."""

from __future__ import annotations

import threading
import time

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.urls import reverse
from django.utils.html import escape

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.forms import LoginForm
from portal.accounts.models import ApiToken, Membership, Organisation
from portal.accounts.services import api_token_create, membership_grant, membership_revoke, organisation_create
from portal.audit.models import AuditEvent
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.models import Notification
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, member, valid_ruc
from tests.portal.api_helpers import in_spanish, snapshot

pytestmark = pytest.mark.django_db

LOGIN_ERROR = LoginForm.error_messages["invalid_login"]


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


# --- Signing in ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("identifier", ["username", "email", "EMAIL"])
def test_sign_in_by_username_or_email_redirects_home(client, identifier):
    user = UserFactory(username="ana.quispe", email="ana.quispe@example.pe")
    given = {"username": "ana.quispe", "email": "ana.quispe@example.pe", "EMAIL": "Ana.Quispe@Example.PE"}[identifier]

    response = sign_in(client, given, TEST_PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert signed_in_user_id(client) == str(user.pk)


def test_sign_in_follows_a_local_next_but_not_a_foreign_one(client):
    UserFactory(username="ana.quispe")

    local = client.post(
        reverse("login"), {"username": "ana.quispe", "password": TEST_PASSWORD, "next": reverse("inbox")}
    )
    client.logout()
    foreign = client.post(
        reverse("login"), {"username": "ana.quispe", "password": TEST_PASSWORD, "next": "https://evil.example/"}
    )

    assert local["Location"] == reverse("inbox")
    assert foreign["Location"] == reverse("home")


def test_wrong_password_shows_the_error_and_signs_nobody_in(client):
    UserFactory(username="ana.quispe", email="ana.quispe@example.pe")

    response = sign_in(client, "ana.quispe@example.pe", "not-the-password")

    assert response.status_code == 400
    assert escape(in_spanish(LOGIN_ERROR)) in response.content.decode()
    assert signed_in_user_id(client) is None


def test_unknown_user_gets_the_same_error(client):
    response = sign_in(client, "nadie@example.pe", TEST_PASSWORD)

    assert response.status_code == 400
    assert escape(in_spanish(LOGIN_ERROR)) in response.content.decode()
    assert signed_in_user_id(client) is None


def test_inactive_user_cannot_sign_in(client):
    UserFactory(username="ana.quispe", is_active=False)

    response = sign_in(client, "ana.quispe", TEST_PASSWORD)

    assert response.status_code == 400
    assert signed_in_user_id(client) is None


def test_fifth_failure_locks_the_account_from_that_address_even_for_the_right_password(client):
    """AXES_FAILURE_LIMIT=5: the failure that reaches the limit already answers with the lockout page
    (axes answers 429 Too Many Requests), and so does every later attempt, right password or not."""
    UserFactory(username="ana.quispe")
    locked_text = escape(in_spanish("Too many failed attempts"))

    failures = [sign_in(client, "ana.quispe", f"wrong-{n}") for n in range(5)]
    right_password = sign_in(client, "ana.quispe", TEST_PASSWORD)

    assert [r.status_code for r in failures] == [400, 400, 400, 400, 429]
    assert locked_text not in failures[3].content.decode()
    assert locked_text in failures[4].content.decode()
    assert right_password.status_code == 429
    assert locked_text in right_password.content.decode()
    assert signed_in_user_id(client) is None
    # Axes counts the attempt made while locked out as a failure too.
    assert list(AccessAttempt.objects.values_list("username", "failures_since_start")) == [("ana.quispe", 6)]


def test_lockout_is_per_account_another_person_at_the_same_booth_can_sign_in(client):
    UserFactory(username="ana.quispe")
    neighbour = UserFactory(username="luis.mamani")
    for n in range(5):
        sign_in(client, "ana.quispe", f"wrong-{n}")

    response = sign_in(client, "luis.mamani", TEST_PASSWORD)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(neighbour.pk)


def test_success_before_the_limit_resets_the_failure_count(client):
    UserFactory(username="ana.quispe")
    for n in range(4):
        sign_in(client, "ana.quispe", f"wrong-{n}")

    sign_in(client, "ana.quispe", TEST_PASSWORD)
    client.logout()
    after_reset = [sign_in(client, "ana.quispe", f"again-{n}").status_code for n in range(4)]

    assert after_reset == [400, 400, 400, 400]


# --- Organisation switcher ----------------------------------------------------------------------------


@pytest.fixture
def two_hats():
    """A person who represents two suppliers; "Alfa" comes first by name and is active by default."""
    alfa = OrganisationFactory(name="Alfa Servicios S.A.C.")
    beta = OrganisationFactory(name="Beta Construcciones S.A.")
    user = member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE, alfa)
    MembershipFactory(user=user, organisation=beta, role=Role.ADMINISTRATOR)
    return user, alfa, beta


def test_first_organisation_is_active_by_default(client, two_hats):
    user, alfa, _beta = two_hats
    client.force_login(user)

    response = client.get(reverse("home"))

    assert response.context["active_organisation"] == alfa
    assert response.context["my_roles"] == frozenset({Role.SUPPLIER_REPRESENTATIVE})
    assert f'<option value="{alfa.pk}" selected>{alfa.name}</option>' in response.content.decode()


def test_switching_to_an_organisation_you_belong_to_makes_it_active(client, two_hats):
    user, _alfa, beta = two_hats
    client.force_login(user)

    response = client.post(reverse("organisation-switch"), {"organisation": beta.pk, "next": reverse("home")})
    home = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["active_organisation_id"] == beta.pk
    assert home.context["active_organisation"] == beta
    assert home.context["my_roles"] == frozenset({Role.ADMINISTRATOR})
    page = home.content.decode()
    assert f"<strong>{beta.name}</strong>" in page
    assert f'<option value="{beta.pk}" selected>{beta.name}</option>' in page
    assert f'href="{reverse("api-tokens", args=[beta.pk])}"' in page


@pytest.mark.parametrize("choice", ["foreign", "missing", "not-a-number"])
def test_switching_to_an_organisation_you_do_not_belong_to_is_refused(client, two_hats, choice):
    user, _alfa, beta = two_hats
    foreign = OrganisationFactory(name="Gamma Textil S.A.")
    client.force_login(user)
    client.post(reverse("organisation-switch"), {"organisation": beta.pk})
    value = {"foreign": foreign.pk, "missing": foreign.pk + 1000, "not-a-number": "abc"}[choice]

    response = client.post(reverse("organisation-switch"), {"organisation": value}, follow=True)

    assert response.redirect_chain == [(reverse("home"), 302)]
    assert [str(m) for m in response.context["messages"]] == [
        in_spanish("You can only act for organisations you belong to.")
    ]
    assert client.session["active_organisation_id"] == beta.pk
    assert response.context["active_organisation"] == beta
    assert foreign.name not in response.content.decode()


def test_switcher_ignores_a_foreign_next_url(client, two_hats):
    user, _alfa, beta = two_hats
    client.force_login(user)

    response = client.post(reverse("organisation-switch"), {"organisation": beta.pk, "next": "https://evil.example/"})

    assert response["Location"] == reverse("home")


def test_switcher_needs_a_signed_in_person(client, two_hats):
    _user, _alfa, beta = two_hats

    response = client.post(reverse("organisation-switch"), {"organisation": beta.pk})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={reverse('organisation-switch')}"
    assert "active_organisation_id" not in client.session


def test_losing_the_membership_forgets_the_active_choice(client, two_hats):
    user, alfa, beta = two_hats
    client.force_login(user)
    client.post(reverse("organisation-switch"), {"organisation": beta.pk})
    Membership.objects.filter(user=user, organisation=beta).delete()

    home = client.get(reverse("home"))

    assert home.context["active_organisation"] == alfa
    assert "active_organisation_id" not in client.session


# --- Members and API-token pages ----------------------------------------------------------------------


PAGE_STATUS = {"anonymous": 302, "outsider": 404, "representative": 403, "administrator": 200}


@pytest.mark.parametrize("page", ["organisation-members", "api-tokens"])
@pytest.mark.parametrize("actor", list(PAGE_STATUS))
def test_administration_pages_matrix(client, org, people, page, actor):
    if actor in people:
        client.force_login(people[actor])
    url = reverse(page, args=[org.pk])
    status = PAGE_STATUS[actor]

    response = client.get(url)

    assert response.status_code == status
    if actor == "anonymous":
        assert response["Location"] == f"{reverse('login')}?next={url}"
    elif actor == "administrator":
        assert response.context["organisation"] == org
    else:
        heading = {403: "Not allowed", 404: "Page not found"}[status]
        assert f"<h1>{escape(in_spanish(heading))}</h1>" in response.content.decode()
        assert "organisation" not in response.context


def test_members_page_lists_every_membership(client, org, administrator, representative):
    client.force_login(administrator)

    response = client.get(reverse("organisation-members", args=[org.pk]))

    assert [(m.user, m.role) for m in response.context["memberships"]] == sorted(
        [(administrator, Role.ADMINISTRATOR), (representative, Role.SUPPLIER_REPRESENTATIVE)],
        key=lambda pair: pair[0].email,
    )


def test_creating_a_token_on_the_page_shows_the_key_once(client, org, administrator, frozen_clock):
    client.force_login(administrator)
    url = reverse("api-tokens", args=[org.pk])

    created = client.post(url, {"name": "ERP Contable", "scopes": ["read", "documents:write"], "days": "30"})
    later = client.get(url)

    assert created.status_code == 200
    token = ApiToken.objects.get()
    key = created.context["new_key"]
    assert key.startswith(f"ptk_{token.prefix}.")
    assert f'<code class="key">{key}</code>' in created.content.decode()
    assert later.status_code == 200
    assert later.context["new_key"] is None
    assert key.partition(".")[2] not in later.content.decode()
    assert f"<code>ptk_{token.prefix}</code>" in later.content.decode()
    assert (token.name, token.scopes, token.created_by) == ("ERP Contable", ["documents:write", "read"], administrator)
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["api_token.created"]


def test_creating_a_token_on_the_page_without_scopes_stores_nothing(client, org, administrator):
    client.force_login(administrator)
    before = snapshot()

    response = client.post(reverse("api-tokens", args=[org.pk]), {"name": "ERP", "days": "30"})

    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["scopes"]
    assert response.context["new_key"] is None
    assert snapshot() == before


def test_revoking_on_the_page(client, org, administrator, frozen_clock):
    token, _key = api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])
    client.force_login(administrator)

    response = client.post(reverse("api-token-revoke", args=[org.pk, token.pk]), follow=True)

    assert response.redirect_chain == [(reverse("api-tokens", args=[org.pk]), 302)]
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        in_spanish("The token was revoked; it no longer opens the API.")
    ]
    token.refresh_from_db()
    assert token.revoked_at == frozen_clock.now
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["api_token.created", "api_token.revoked"]


@pytest.mark.parametrize("actor", ["representative", "outsider"])
def test_revoking_on_the_page_is_refused_to_others(client, org, people, actor):
    token, _key = api_token_create(actor=people["administrator"], organisation=org, name="ERP", scopes=["read"])
    client.force_login(people[actor])
    before = snapshot()

    response = client.post(reverse("api-token-revoke", args=[org.pk, token.pk]))

    assert response.status_code == PAGE_STATUS[actor]
    assert snapshot() == before


def test_revoking_another_organisations_token_through_your_own_page_is_not_found(client, org, administrator, outsider):
    foreign_token, _key = api_token_create(
        actor=outsider, organisation=outsider.memberships.get().organisation, name="Ajeno", scopes=["read"]
    )
    client.force_login(administrator)
    before = snapshot()

    response = client.post(reverse("api-token-revoke", args=[org.pk, foreign_token.pk]))

    assert response.status_code == 404
    assert snapshot() == before


def test_token_notification_links_to_the_tokens_page(org, administrator):
    api_token_create(actor=administrator, organisation=org, name="ERP", scopes=["read"])

    assert set(Notification.objects.values_list("url", flat=True)) == {f"/organisations/{org.pk}/tokens/"}


# --- membership_grant / membership_revoke -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (OrganisationKind.SUPPLIER, Role.PROCUREMENT_OFFICER),
        (OrganisationKind.SUPPLIER, Role.REVIEWER),
        (OrganisationKind.CONTRACTING_ENTITY, Role.SUPPLIER_REPRESENTATIVE),
        (OrganisationKind.FINANCIAL_INSTITUTION, Role.INTEGRATOR),
        (OrganisationKind.SUPPLIER, "emperor"),
    ],
)
def test_grant_refuses_a_role_that_does_not_exist_for_the_kind(kind, role):
    organisation = OrganisationFactory(kind=kind)
    actor = member(kind, Role.ADMINISTRATOR, organisation)
    newcomer = UserFactory()
    before = snapshot()

    with pytest.raises(DomainError) as caught:
        membership_grant(actor=actor, organisation=organisation, user=newcomer, role=role)

    assert (caught.value.code, caught.value.field) == ("invalid_role", "role")
    assert snapshot() == before


def test_grant_gives_the_role_audits_and_tells_the_person(org, administrator):
    newcomer = UserFactory()

    membership = membership_grant(actor=administrator, organisation=org, user=newcomer, role=Role.ADMINISTRATOR)
    again = membership_grant(actor=administrator, organisation=org, user=newcomer, role=Role.ADMINISTRATOR)

    assert again == membership
    assert (membership.user, membership.organisation, membership.role) == (newcomer, org, Role.ADMINISTRATOR)
    assert [(e.action, e.actor_id, e.payload) for e in AuditEvent.objects.all()] == [
        ("membership.granted", administrator.pk, {"user_id": newcomer.pk, "role": "administrator"})
    ]
    assert set(Notification.objects.values_list("event", "recipient_id", "channel")) == {
        ("membership.granted", newcomer.pk, "inapp"),
        ("membership.granted", newcomer.pk, "email"),
    }


def test_grant_refuses_a_non_administrator(org, representative):
    before = snapshot()

    with pytest.raises(PermissionDenied):
        membership_grant(actor=representative, organisation=org, user=representative, role=Role.ADMINISTRATOR)

    assert snapshot() == before


def test_revoke_refuses_removing_the_last_administrator(org, administrator, representative):
    before = snapshot()

    with pytest.raises(RuleViolation) as caught:
        membership_revoke(actor=administrator, membership=administrator.memberships.get())

    assert (caught.value.code, caught.value.status) == ("last_administrator", 409)
    assert snapshot() == before


def test_revoke_removes_an_administrator_when_another_remains(org, administrator):
    second = member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR, org)
    membership = second.memberships.get()
    membership_id = membership.pk

    membership_revoke(actor=administrator, membership=membership)

    assert list(Membership.objects.filter(organisation=org).values_list("user_id", "role")) == [
        (administrator.pk, "administrator")
    ]
    assert [(e.action, e.object_type, e.object_id, e.payload) for e in AuditEvent.objects.all()] == [
        (
            "membership.revoked",
            "accounts.membership",
            str(membership_id),
            {"user_id": second.pk, "role": "administrator"},
        )
    ]


def _wait_for_a_lock_wait(timeout: float = 10.0) -> bool:
    """True once some other session of the test database waits for a row lock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            # Inside a transaction PostgreSQL keeps showing the first activity snapshot: drop it.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_administrators_removing_each_other_at_once_leave_one():
    organisation = OrganisationFactory()
    alicia = member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR, organisation)
    bruno = member(OrganisationKind.SUPPLIER, Role.ADMINISTRATOR, organisation)
    alicias_membership, brunos_membership = alicia.memberships.get(), bruno.memberships.get()
    outcome = {}

    def bruno_removes_alicia():
        try:
            membership_revoke(actor=bruno, membership=alicias_membership)
            outcome["bruno"] = "removed"
        except RuleViolation as exc:
            outcome["bruno"] = exc.code
        finally:
            connection.close()

    with transaction.atomic():
        membership_revoke(actor=alicia, membership=brunos_membership)
        other = threading.Thread(target=bruno_removes_alicia)
        other.start()
        assert _wait_for_a_lock_wait()  # Bruno's request waits for Alicia's to finish
    other.join(timeout=10)

    assert outcome == {"bruno": "last_administrator"}
    assert list(Membership.objects.filter(organisation=organisation).values_list("user_id", "role")) == [
        (alicia.pk, "administrator")
    ]
    assert list(AuditEvent.objects.values_list("action", "actor_id")) == [("membership.revoked", alicia.pk)]


def test_revoke_refuses_a_non_administrator(org, administrator, representative):
    before = snapshot()

    with pytest.raises(PermissionDenied):
        membership_revoke(actor=representative, membership=administrator.memberships.get())

    assert snapshot() == before


# --- organisation_create ------------------------------------------------------------------------------


def test_create_organisation_normalises_the_ruc_and_audits():
    organisation = organisation_create(
        actor=None, kind=OrganisationKind.CONTRACTING_ENTITY, name="  Municipalidad de Piura ", tax_id=" 20131312955 "
    )

    assert (organisation.kind, organisation.name, organisation.tax_id, organisation.country) == (
        "entity",
        "Municipalidad de Piura",
        "20131312955",
        "PE",
    )
    assert [(e.action, e.actor_label, e.organisation_id, e.payload) for e in AuditEvent.objects.all()] == [
        (
            "organisation.created",
            "system",
            organisation.pk,
            {"kind": "entity", "name": "Municipalidad de Piura", "tax_id": "20131312955"},
        )
    ]


@pytest.mark.parametrize("tax_id", ["", "2013131295", "20131312956", "201313129551", "2013131295A"])
def test_create_organisation_refuses_an_invalid_ruc(tax_id):
    before = snapshot()

    with pytest.raises(DomainError) as caught:
        organisation_create(actor=None, kind=OrganisationKind.SUPPLIER, name="Textil Sur S.A.C.", tax_id=tax_id)

    assert (caught.value.code, caught.value.field) == ("invalid_ruc", "tax_id")
    assert snapshot() == before


@pytest.mark.parametrize("written", ["20131312955", " 20131312955 ", "20 131 312 955"])
def test_create_organisation_refuses_a_duplicate_ruc(written):
    existing = OrganisationFactory(tax_id="20131312955")
    before = snapshot()

    with pytest.raises(RuleViolation) as caught:
        organisation_create(actor=None, kind=OrganisationKind.SUPPLIER, name="Otra S.A.C.", tax_id=written)

    assert (caught.value.code, caught.value.field, caught.value.status) == ("duplicate_tax_id", "tax_id", 409)
    assert snapshot() == before
    assert list(Organisation.objects.values_list("pk", flat=True)) == [existing.pk]


def test_create_organisation_is_for_platform_staff_only():
    person = UserFactory()
    before = snapshot()

    with pytest.raises(PermissionDenied):
        organisation_create(actor=person, kind=OrganisationKind.SUPPLIER, name="Textil Sur", tax_id=valid_ruc(7))

    assert snapshot() == before


def test_create_organisation_by_a_superuser(settings):
    staff = UserFactory(is_superuser=True)

    organisation = organisation_create(
        actor=staff, kind=OrganisationKind.SUPPLIER, name="Textil Sur", tax_id=valid_ruc(7)
    )

    assert Organisation.objects.get() == organisation
    assert list(AuditEvent.objects.values_list("action", "actor_id")) == [("organisation.created", staff.pk)]
