"""The registry's API: one permission matrix per endpoint, bad input, and eligibility reasons.

Actors:
- anonymous: no session, no token;
- token / token_without_read: an integrator's API token with and without the ``read`` scope;
- entity_officer, entity_evaluator: the right roles of a contracting entity; entity_administrator: the wrong one;
- other_entity_officer: the right role in *another* contracting entity;
- operator: a reviewer of the platform operator; oversight_reviewer, integrator_person: other organisations;
- own_representative / other_representative: a representative of the supplier concerned / of another one.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework import exceptions
from rest_framework.test import APIClient

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.models import Membership, Organisation
from portal.accounts.services import api_token_create
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from smeregistry.enums import Reason
from smeregistry.models import EligibilityRecord, Sanction, Supplier, SupplierCategory
from smeregistry.services.consortia import consortium_create
from smeregistry.services.sanctions import sanction_record
from smeregistry.views.public import lima_today
from tests.factories import UserFactory, member
from tests.portal.api_helpers import assert_problem, bearer, in_spanish
from tests.smeregistry.factories import operator, registered_supplier, supplier_data

pytestmark = pytest.mark.django_db


def registry_snapshot() -> dict[str, list]:
    """Everything a registry action could write: compare before and after a refused action."""
    return {
        "suppliers": list(Supplier.objects.order_by("pk").values()),
        "categories": list(SupplierCategory.objects.order_by("pk").values_list("pk", flat=True)),
        "sanctions": list(Sanction.objects.order_by("pk").values()),
        "eligibility": list(EligibilityRecord.objects.order_by("pk").values_list("pk", flat=True)),
        "organisations": list(Organisation.objects.order_by("pk").values_list("pk", flat=True)),
        "memberships": list(Membership.objects.order_by("pk").values_list("pk", flat=True)),
        "audit": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", flat=True)),
    }


def token_key(*, scopes: list[str]) -> str:
    administrator = member(OrganisationKind.INTEGRATOR, Role.ADMINISTRATOR)
    organisation = administrator.memberships.get().organisation
    _token, key = api_token_create(actor=administrator, organisation=organisation, name="ERP", scopes=scopes)
    return key


@pytest.fixture
def supplier():
    return registered_supplier(1, legal_name="Alfa Computadoras S.A.C.", category_codes=["43211500"])


@pytest.fixture
def entity():
    return member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER).memberships.get().organisation


@pytest.fixture
def actors(supplier, entity):
    """Build a client for an actor name."""

    def build(client, name: str):
        if name == "anonymous":
            return client
        if name == "token":
            return bearer(token_key(scopes=["read"]))
        if name == "token_without_read":
            return bearer(token_key(scopes=["documents:write"]))
        people = {
            "entity_officer": lambda: member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER, entity),
            "entity_evaluator": lambda: member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, entity),
            "entity_administrator": lambda: member(OrganisationKind.CONTRACTING_ENTITY, Role.ADMINISTRATOR, entity),
            "other_entity_officer": lambda: member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER),
            "operator": operator,
            "oversight_reviewer": lambda: member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER),
            "integrator_person": lambda: member(OrganisationKind.INTEGRATOR, Role.INTEGRATOR),
            "own_representative": lambda: supplier.owner,
            "other_representative": lambda: registered_supplier(9).owner,
            "person": UserFactory,
        }
        client.force_login(people[name]())
        return client

    return build


def not_authenticated(response) -> None:
    assert_problem(response, 401, "not_authenticated", in_spanish(exceptions.NotAuthenticated.default_detail))


def lacks_read(response) -> None:
    assert_problem(
        response, 403, "permission_denied", in_spanish("The API token lacks the scope '%(scope)s'.") % {"scope": "read"}
    )


PUBLIC_READERS = [
    ("anonymous", 200),
    ("person", 200),
    ("entity_officer", 200),
    ("token", 200),
    ("token_without_read", 403),
]


def public_item(supplier) -> dict:
    with translation.override("es"):
        return {
            "ruc": supplier.ruc,
            "legal_name": "Alfa Computadoras S.A.C.",
            "trade_name": "",
            "region": {"code": "15", "name": "Lima"},
            "registers": ["goods"],
            "categories": [{"code": "43211500", "name": "Computadores"}],
            "size_class": "micro",
            "sales_fiscal_year": 2025,
            "status": "active",
            "valid_from": supplier.valid_from.isoformat(),
            "valid_until": supplier.valid_until.isoformat(),
        }


# --- GET /api/v1/suppliers/ ---------------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "status"), PUBLIC_READERS)
def test_supplier_list_matrix(client, actors, supplier, actor, status):
    response = actors(client, actor).get(reverse("api-supplier-list"))

    if status == 403:
        lacks_read(response)
        return
    assert response.status_code == 200
    assert response.json() == {"count": 1, "next": None, "previous": None, "results": [public_item(supplier)]}


def test_supplier_list_filters(client):
    alfa = registered_supplier(1, category_codes=["43211500"], region_code="15", annual_sales="500000")
    beta = registered_supplier(2, category_codes=["43000000"], region_code="08", annual_sales="1000000")
    gamma = registered_supplier(3, category_codes=["44120000"], region_code="08", annual_sales="10000000")
    registered_supplier(4, verified=False, category_codes=["43211500"])  # pending: not listed
    url = reverse("api-supplier-list")

    def found(**params):
        return [item["ruc"] for item in client.get(url, params).json()["results"]]

    assert found(category="43210000") == [alfa.ruc, beta.ruc]
    assert found(region="08") == [beta.ruc, gamma.ruc]
    assert found(size_class="medium") == [gamma.ruc]
    assert found(q=beta.ruc) == [beta.ruc]
    assert found(category="43210000", region="08") == [beta.ruc]


def test_supplier_list_refuses_a_malformed_filter(client):
    response = client.get(reverse("api-supplier-list"), {"category": "4", "size_class": "huge"})

    body = assert_problem(response, 400, "validation_error")
    assert set(body["errors"]) == {"category", "size_class"}


def test_public_records_never_carry_sales_or_contact_data(client, supplier):
    body = client.get(reverse("api-supplier-detail", args=[supplier.ruc])).content.decode()

    for private in ("500000", "annual_sales", "email", "41234567", "employees", "address"):
        assert private not in body


# --- GET /api/v1/suppliers/<ruc>/ ---------------------------------------------------------------------


@pytest.mark.parametrize(("actor", "status"), PUBLIC_READERS)
def test_supplier_detail_matrix(client, actors, supplier, actor, status):
    response = actors(client, actor).get(reverse("api-supplier-detail", args=[supplier.ruc]))

    if status == 403:
        lacks_read(response)
        return
    assert response.status_code == 200
    assert response.json() == public_item(supplier)


def test_supplier_detail_of_an_unknown_ruc(client):
    response = client.get(reverse("api-supplier-detail", args=["20999999999"]))

    assert_problem(response, 404, "supplier_not_found", in_spanish("No supplier with that RUC is registered."))


# --- POST /api/v1/suppliers/ --------------------------------------------------------------------------


def registration(n: int = 7, **overrides) -> dict:
    data = supplier_data(n).__dict__ | overrides
    data.pop("document_ids")
    return data


@pytest.mark.parametrize(
    ("actor", "status"),
    [("anonymous", 401), ("token", 403), ("token_without_read", 403), ("person", 201), ("entity_officer", 201)],
)
def test_supplier_register_matrix(client, actors, actor, status):
    client = actors(client, actor)
    before = registry_snapshot()

    response = client.post(reverse("api-supplier-list"), registration(), content_type="application/json")

    if status == 401:
        not_authenticated(response)
    elif status == 403:
        assert_problem(
            response, 403, "permission_denied", in_spanish("This action needs a signed-in person, not an API token.")
        )
    if status != 201:
        assert registry_snapshot() == before
        return
    assert response.status_code == 201
    supplier = Supplier.objects.get(ruc=registration()["ruc"])
    body = response.json()
    assert body["ruc"] == supplier.ruc
    assert (body["status"], body["size_class"], body["annual_sales"]) == ("pending", "micro", "500000.00")
    assert body["categories"] == [{"code": "43210000", "name": "Equipo informático y accesorios"}]
    assert body["valid_from"] is None
    assert list(supplier.organisation.memberships.values_list("role", flat=True).order_by("role")) == [
        "administrator",
        "supplier_representative",
    ]


def signed_in_person(client):
    client.force_login(UserFactory())
    return client


def test_register_with_malformed_json_writes_nothing(client):
    client = signed_in_person(client)
    before = registry_snapshot()

    response = client.post(reverse("api-supplier-list"), '{"ruc": "2010', content_type="application/json")

    assert_problem(response, 400, "malformed_request")
    assert registry_snapshot() == before


def test_register_with_missing_fields_lists_them(client):
    client = signed_in_person(client)
    before = registry_snapshot()

    response = client.post(
        reverse("api-supplier-list"), {"ruc": registration()["ruc"], "legal_name": "X"}, content_type="application/json"
    )

    body = assert_problem(response, 400, "validation_error")
    assert set(body["errors"]) == {
        "address",
        "region_code",
        "email",
        "representative_name",
        "representative_document",
        "registers",
        "category_codes",
        "annual_sales",
        "sales_fiscal_year",
        "employees",
    }
    assert registry_snapshot() == before


@pytest.mark.parametrize("ruc", ["20100000001", "2010000000", "abcdefghijk"])
def test_register_with_an_invalid_ruc(client, ruc):
    client = signed_in_person(client)
    before = registry_snapshot()

    response = client.post(reverse("api-supplier-list"), registration(ruc=ruc), content_type="application/json")

    body = assert_problem(response, 400, "invalid_ruc")
    assert list(body["errors"]) == ["ruc"]
    assert registry_snapshot() == before


def test_register_a_duplicate_ruc_is_a_conflict(client, supplier):
    client = signed_in_person(client)
    before = registry_snapshot()

    response = client.post(
        reverse("api-supplier-list"), registration(ruc=supplier.ruc), content_type="application/json"
    )

    body = assert_problem(response, 409, "duplicate_ruc")
    assert list(body["errors"]) == ["ruc"]
    assert registry_snapshot() == before


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"region_code": "99"}, "invalid_region", "region_code"),
        ({"category_codes": ["99999999"]}, "invalid_categories", "category_codes"),
        ({"annual_sales": "mucho"}, "invalid_sales", "annual_sales"),
        ({"registers": ["food"]}, "invalid_registers", "registers"),
    ],
)
def test_register_refusals_name_the_field(client, overrides, code, field):
    client = signed_in_person(client)
    before = registry_snapshot()

    response = client.post(reverse("api-supplier-list"), registration(**overrides), content_type="application/json")

    body = assert_problem(response, 400, code)
    assert list(body["errors"]) == [field]
    assert registry_snapshot() == before


# --- GET /api/v1/sanctions/ ---------------------------------------------------------------------------


def record_sanction(supplier, *, starts_on, ends_on=None, source="Res. 1-TCE"):
    return sanction_record(
        actor=member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER),
        supplier=supplier,
        starts_on=starts_on,
        ends_on=ends_on,
        reason="Falsedad documental",
        source=source,
    )


@pytest.mark.parametrize(("actor", "status"), PUBLIC_READERS)
def test_sanction_list_matrix(client, actors, supplier, actor, status):
    today = lima_today()
    in_force = record_sanction(supplier, starts_on=today, ends_on=today + timedelta(days=9), source="Res. A")
    record_sanction(registered_supplier(2), starts_on=today + timedelta(days=1), source="Res. B")
    record_sanction(registered_supplier(3), starts_on=today - timedelta(days=9), ends_on=today - timedelta(days=1))

    response = actors(client, actor).get(reverse("api-sanction-list"))

    if status == 403:
        lacks_read(response)
        return
    assert response.status_code == 200
    assert response.json()["results"] == [
        {
            "id": in_force.pk,
            "ruc": supplier.ruc,
            "legal_name": "Alfa Computadoras S.A.C.",
            "starts_on": today.isoformat(),
            "ends_on": (today + timedelta(days=9)).isoformat(),
            "reason": "Falsedad documental",
            "source": "Res. A",
        }
    ]


# --- POST /api/v1/eligibility-checks/ -----------------------------------------------------------------


def check_body(ruc: str, **lot) -> dict:
    defaults = {"reference": "LP-7-2026/L-1", "unspsc_codes": ["43211500"], "register": "goods", "mype_reserved": True}
    return {"ruc": ruc, "lot": defaults | lot}


def post_check(client, body):
    return client.post(reverse("api-eligibility-check-list"), body, content_type="application/json")


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 401),
        ("entity_administrator", 403),
        ("oversight_reviewer", 403),
        ("integrator_person", 403),
        ("other_representative", 403),
        ("token_without_read", 403),
        ("entity_officer", 201),
        ("entity_evaluator", 201),
        ("other_entity_officer", 201),
        ("operator", 201),
        ("own_representative", 201),
        ("token", 201),
    ],
)
def test_eligibility_check_matrix(client, actors, supplier, actor, status):
    client = actors(client, actor)
    before = registry_snapshot()

    response = post_check(client, check_body(supplier.ruc))

    if status != 201:
        if status == 401:
            not_authenticated(response)
        elif actor == "token_without_read":
            lacks_read(response)
        else:
            assert_problem(response, 403, "permission_denied")
        assert registry_snapshot() == before
        return
    assert response.status_code == 201
    record = EligibilityRecord.objects.get()
    assert response.json() == {
        "id": record.pk,
        "purpose": "check",
        "ruc": supplier.ruc,
        "consortium_id": None,
        "party": f"Alfa Computadoras S.A.C. ({supplier.ruc})",
        "lot_reference": "LP-7-2026/L-1",
        "requirements": {
            "reference": "LP-7-2026/L-1",
            "unspsc_codes": ["43211500"],
            "register": "goods",
            "mype_reserved": True,
            "jurisdiction": "PE",
        },
        "eligible": True,
        "reasons": [],
        "size_class": "micro",
        "is_mype": True,
        "checked_at": response.json()["checked_at"],
    }
    assert datetime.fromisoformat(response.json()["checked_at"]) == record.checked_at


def reason_codes(response) -> list[str]:
    assert response.status_code == 201, response.content
    return [reason["code"] for reason in response.json()["reasons"]]


@pytest.fixture
def officer_client(client, entity):
    client.force_login(member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER, entity))
    return client


def test_eligibility_of_a_pending_supplier(officer_client):
    pending = registered_supplier(2, verified=False, category_codes=["43211500"])

    response = post_check(officer_client, check_body(pending.ruc))

    assert reason_codes(response) == ["inactive"]
    assert response.json()["eligible"] is False
    with translation.override("es"):
        assert response.json()["reasons"] == [
            {"code": "inactive", "message": str(Reason.INACTIVE.label), "ruc": pending.ruc, "status": "pending"}
        ]


def test_eligibility_of_a_supplier_sanctioned_today(officer_client, supplier):
    today = lima_today()
    record_sanction(supplier, starts_on=today, ends_on=None, source="Res. 5-TCE")

    response = post_check(officer_client, check_body(supplier.ruc))

    assert reason_codes(response) == ["sanctioned"]
    with translation.override("es"):
        assert response.json()["reasons"] == [
            {
                "code": "sanctioned",
                "message": str(Reason.SANCTIONED.label),
                "ruc": supplier.ruc,
                "source": "Res. 5-TCE",
                "starts_on": today.isoformat(),
                "ends_on": "",
            }
        ]


def test_a_sanction_starting_tomorrow_does_not_block_today(officer_client, supplier):
    record_sanction(supplier, starts_on=lima_today() + timedelta(days=1))

    response = post_check(officer_client, check_body(supplier.ruc))

    assert reason_codes(response) == []
    assert response.json()["eligible"] is True


def test_a_medium_supplier_is_not_eligible_for_a_reserved_lot(officer_client):
    medium = registered_supplier(2, annual_sales="10000000.00", category_codes=["43211500"])

    reserved = post_check(officer_client, check_body(medium.ruc))
    open_lot = post_check(officer_client, check_body(medium.ruc, mype_reserved=False))

    assert reason_codes(reserved) == ["not_mype"]
    assert (reserved.json()["size_class"], reserved.json()["is_mype"]) == ("medium", False)
    assert reserved.json()["reasons"][0]["rucs"] == [medium.ruc]
    assert reason_codes(open_lot) == []


def test_category_mismatch(officer_client, supplier):
    response = post_check(officer_client, check_body(supplier.ruc, unspsc_codes=["44121700"]))

    assert reason_codes(response) == ["category_mismatch"]
    assert response.json()["reasons"][0]["codes"] == "44121700"


def test_a_consortium_with_a_medium_member_is_not_mype(officer_client, supplier):
    medium = registered_supplier(2, annual_sales="10000000.00", category_codes=["43211500"])
    consortium = consortium_create(
        actor=supplier.owner, name="Consorcio Andino", members=[(supplier, "70.00"), (medium, "30.00")]
    )

    response = post_check(
        officer_client,
        {"consortium_id": consortium.pk, "lot": check_body(supplier.ruc)["lot"]},
    )

    assert reason_codes(response) == ["not_mype"]
    body = response.json()
    assert (body["ruc"], body["consortium_id"], body["party"]) == (None, consortium.pk, "Consorcio Andino")
    assert (body["size_class"], body["is_mype"]) == ("medium", False)
    assert body["reasons"][0]["rucs"] == [medium.ruc]


def test_a_representative_may_check_a_consortium_its_supplier_belongs_to(client, supplier):
    partner = registered_supplier(2, category_codes=["43211500"])
    consortium = consortium_create(
        actor=supplier.owner, name="Consorcio Andino", members=[(supplier, "50.00"), (partner, "50.00")]
    )
    client.force_login(partner.owner)

    response = post_check(client, {"consortium_id": consortium.pk, "lot": check_body(supplier.ruc)["lot"]})

    assert reason_codes(response) == []


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"ruc": "20999999999", "lot": {"reference": "L-1"}}, 404, "supplier_not_found"),
        ({"consortium_id": 999999, "lot": {"reference": "L-1"}}, 404, "consortium_not_found"),
        ({"lot": {"reference": "L-1"}}, 400, "validation_error"),
        ({"ruc": "20100000001", "consortium_id": 1, "lot": {"reference": "L-1"}}, 400, "validation_error"),
        ({"ruc": "20100000001"}, 400, "validation_error"),
        ({"ruc": "20100000001", "lot": {"reference": "L-1", "unspsc_codes": ["4321x"]}}, 400, "validation_error"),
        ({"ruc": "20100000001", "lot": {"reference": "L-1", "register": "food"}}, 400, "validation_error"),
    ],
)
def test_eligibility_check_bad_input(officer_client, body, status, code):
    before = registry_snapshot()

    response = post_check(officer_client, body)

    assert_problem(response, status, code)
    assert registry_snapshot() == before


def test_eligibility_check_with_malformed_json(officer_client):
    response = officer_client.post(reverse("api-eligibility-check-list"), "{", content_type="application/json")

    assert_problem(response, 400, "malformed_request")
    assert EligibilityRecord.objects.count() == 0


# --- GET /api/v1/eligibility-checks/<id>/ -------------------------------------------------------------


@pytest.fixture
def entity_check(entity, supplier) -> int:
    """The id of a check run by an officer of ``entity``."""
    checker = APIClient()
    checker.force_login(member(OrganisationKind.CONTRACTING_ENTITY, Role.PROCUREMENT_OFFICER, entity))
    return post_check(checker, check_body(supplier.ruc)).json()["id"]


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 401),
        ("token_without_read", 403),
        ("entity_administrator", 403),
        ("other_entity_officer", 404),
        ("own_representative", 404),
        ("token", 404),
        ("entity_evaluator", 200),
        ("operator", 200),
    ],
)
def test_eligibility_record_matrix(client, actors, entity_check, actor, status):
    """The record belongs to the entity whose officer ran the check."""
    record_id = entity_check

    response = actors(client, actor).get(reverse("api-eligibility-check-detail", args=[record_id]))

    if status == 401:
        not_authenticated(response)
    elif status == 403 and actor == "token_without_read":
        lacks_read(response)
    elif status == 403:
        assert_problem(response, 403, "permission_denied")
    elif status == 404:
        assert_problem(response, 404, "eligibility_check_not_found")
    else:
        assert response.status_code == 200
        assert (response.json()["id"], response.json()["eligible"]) == (record_id, True)
        assert "snapshot" not in response.json()


def test_a_token_reads_the_checks_of_its_own_organisation():
    client = bearer(token_key(scopes=["read"]))
    supplier = registered_supplier(1, category_codes=["43211500"])
    record_id = post_check(client, check_body(supplier.ruc)).json()["id"]

    response = client.get(reverse("api-eligibility-check-detail", args=[record_id]))

    assert response.status_code == 200
    assert response.json()["id"] == record_id


# --- POST /api/v1/suppliers/<ruc>/verification/ -------------------------------------------------------


@pytest.mark.parametrize(
    ("actor", "status"),
    [
        ("anonymous", 401),
        ("token", 403),
        ("entity_officer", 403),
        ("oversight_reviewer", 403),
        ("own_representative", 403),
        ("operator", 200),
    ],
)
def test_verification_matrix(client, actors, actor, status):
    pending = registered_supplier(5, verified=False)
    client = actors(client, actor)
    before = registry_snapshot()

    response = client.post(
        reverse("api-supplier-verification", args=[pending.ruc]), {"approve": True}, content_type="application/json"
    )

    if status != 200:
        if status == 401:
            not_authenticated(response)
        else:
            assert_problem(response, 403, "permission_denied")
        assert registry_snapshot() == before
        return
    assert response.status_code == 200
    body = response.json()
    assert (body["ruc"], body["status"], body["annual_sales"]) == (pending.ruc, "active", "500000.00")
    pending.refresh_from_db()
    assert (body["valid_from"], body["valid_until"]) == (
        pending.valid_from.isoformat(),
        pending.valid_until.isoformat(),
    )


def test_the_supplier_cannot_verify_itself(client):
    pending = registered_supplier(1, verified=False)
    client.force_login(pending.owner)
    before = registry_snapshot()

    response = client.post(
        reverse("api-supplier-verification", args=[pending.ruc]), {"approve": True}, content_type="application/json"
    )

    assert_problem(response, 403, "permission_denied", in_spanish("Only the registry's operators may do this."))
    assert registry_snapshot() == before


@pytest.fixture
def operator_client(client):
    client.force_login(operator())
    return client


def test_rejection_needs_a_reason(operator_client):
    pending = registered_supplier(1, verified=False)
    before = registry_snapshot()

    response = operator_client.post(
        reverse("api-supplier-verification", args=[pending.ruc]), {"approve": False}, content_type="application/json"
    )

    body = assert_problem(response, 400, "reason_required", in_spanish("Say why the registration is rejected."))
    assert body["errors"] == {"reason": [in_spanish("Say why the registration is rejected.")]}
    assert registry_snapshot() == before


def test_rejection_with_a_reason(operator_client):
    pending = registered_supplier(1, verified=False)

    response = operator_client.post(
        reverse("api-supplier-verification", args=[pending.ruc]),
        {"approve": False, "reason": "Ficha RUC ilegible"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_reason"]) == ("rejected", "Ficha RUC ilegible")


def test_verifying_an_active_supplier_is_a_conflict(operator_client, supplier):
    before = registry_snapshot()

    response = operator_client.post(
        reverse("api-supplier-verification", args=[supplier.ruc]), {"approve": True}, content_type="application/json"
    )

    assert_problem(response, 409, "invalid_transition")
    assert registry_snapshot() == before


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [({}, 400, "validation_error"), ({"approve": "quizá"}, 400, "validation_error")],
)
def test_verification_bad_input(operator_client, body, status, code):
    pending = registered_supplier(1, verified=False)
    before = registry_snapshot()

    response = operator_client.post(
        reverse("api-supplier-verification", args=[pending.ruc]), body, content_type="application/json"
    )

    assert_problem(response, status, code)
    assert registry_snapshot() == before


def test_verification_of_an_unknown_ruc(operator_client):
    response = operator_client.post(
        reverse("api-supplier-verification", args=["20999999999"]), {"approve": True}, content_type="application/json"
    )

    assert_problem(response, 404, "supplier_not_found")


def test_the_registry_endpoints_are_in_the_schema(client):
    import yaml

    schema = yaml.safe_load(client.get(reverse("api-schema")).content)

    assert set(schema["paths"]) >= {
        "/api/v1/suppliers/",
        "/api/v1/suppliers/{ruc}/",
        "/api/v1/suppliers/{ruc}/verification/",
        "/api/v1/sanctions/",
        "/api/v1/eligibility-checks/",
        "/api/v1/eligibility-checks/{record_id}/",
    }
