"""The reverse-factoring API: who may call which endpoint (anonymous 401, another organisation 404, a
token without the scope 403, the right organisation 2xx), the pre-acknowledgement of the worked example,
select → operate → settle end to end, payables in CSV and JSON, and the cap on the spread."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role, TokenScope
from portal.accounts.services import api_token_create
from portal.core import clock
from tests.factories import OrganisationFactory, member
from tests.portal.api_helpers import assert_problem, bearer
from tests.tradedocs.factoring.factories import ChainWorld, chain_world, joined_supplier, operated, receivable, selected
from tradedocs.factoring.enums import FinancingStatus, ReceivableStatus
from tradedocs.factoring.models import Financing, LedgerEntry, Offer, Receivable
from tradedocs.factoring.services import ledger_balance

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 3, 2, 15, 0, tzinfo=datetime.UTC)  # 10:00 in Lima, a Monday
READ = [TokenScope.READ]
WRITE = [TokenScope.FACTORING_WRITE]
BOTH = [TokenScope.READ, TokenScope.FACTORING_WRITE]


def token(organisation, scopes: list[str]) -> Client:
    """A client sending a fresh API token of ``organisation`` with ``scopes``."""
    admin = member(organisation.kind, Role.ADMINISTRATOR, organisation)
    _token, key = api_token_create(actor=admin, organisation=organisation, name="ERP", scopes=scopes)
    return bearer(key)


def person(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world() -> ChainWorld:
    clock.set_source(lambda: NOW)
    return chain_world()


@dataclasses.dataclass
class Call:
    method: str
    url: str
    owner: Any  # the organisation that may call it
    stranger: Any  # an organisation of the same kind that may not see the object
    expected: int
    body: Any = None
    content_type: str = "application/json"
    listing: bool = False  # a list: others get 200 without the owner's rows

    @property
    def write(self) -> bool:
        return self.method == "post"

    def send(self, client: Client):
        if self.method == "get":
            return client.get(self.url)
        return client.post(self.url, data=self.body, content_type=self.content_type)


def _other_supplier(world: ChainWorld):
    registry, _representative, _account = joined_supplier(world.chain, world.officer)
    return registry.organisation


def _due(days: int) -> str:
    return (clock.today() + datetime.timedelta(days=days)).isoformat()


def call(world: ChainWorld, name: str) -> Call:  # noqa: PLR0911 - one case per endpoint
    a = world.a.organisation
    if name == "chains":
        outsider = OrganisationFactory(kind=OrganisationKind.FINANCIAL_INSTITUTION)
        return Call("get", reverse("api-factoring-chains"), a, outsider, 200, listing=True)
    if name == "offers":
        outsider = OrganisationFactory(kind=OrganisationKind.FINANCIAL_INSTITUTION)
        url = reverse("api-factoring-offers", args=[world.chain.pk])
        return Call("post", url, a, outsider, 201, body={"reference_rate": "8.00", "spread": "6.00"})
    if name == "financings":
        selected(world)
        return Call("get", reverse("api-factoring-financings"), a, world.b.organisation, 200, listing=True)
    if name in {"operate", "decline"}:
        financing = selected(world)
        return Call("post", reverse(f"api-factoring-{name}", args=[financing.pk]), a, world.b.organisation, 200)
    if name == "settle":
        financing = operated(world)
        other_buyer = OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY)
        return Call("post", reverse("api-factoring-settle", args=[financing.pk]), world.buyer, other_buyer, 200)
    if name == "exposure":
        operated(world)
        return Call("get", reverse("api-factoring-exposure"), a, world.b.organisation, 200, listing=True)
    if name == "receivables":
        receivable(world)
        url = reverse("api-factoring-receivables")
        return Call("get", url, world.supplier, _other_supplier(world), 200, listing=True)
    if name == "quote":
        document = receivable(world)
        url = reverse("api-factoring-quote", args=[document.pk]) + f"?institution={a.pk}"
        return Call("get", url, world.supplier, _other_supplier(world), 200)
    if name == "select":
        document = receivable(world)
        url = reverse("api-factoring-select", args=[document.pk])
        return Call("post", url, world.supplier, _other_supplier(world), 201, body={"institution": a.pk})
    if name == "payables":
        other_buyer = OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY)
        rows = [{"supplier_ruc": world.supplier.tax_id, "number": "F001-77", "amount": "500.00", "due_date": _due(45)}]
        url = reverse("api-factoring-payables", args=[world.chain.pk])
        return Call("post", url, world.buyer, other_buyer, 200, body=rows)
    raise AssertionError(name)


ENDPOINTS = [
    "chains",
    "offers",
    "financings",
    "operate",
    "decline",
    "settle",
    "exposure",
    "receivables",
    "quote",
    "select",
    "payables",
]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_anonymous_callers_are_asked_to_authenticate(world, name):
    case = call(world, name)

    assert_problem(case.send(Client()), 401, "not_authenticated")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_a_token_without_the_scope_is_refused(world, name):
    case = call(world, name)
    missing = TokenScope.FACTORING_WRITE if case.write else TokenScope.READ
    scopes = READ if case.write else WRITE

    body = assert_problem(case.send(token(case.owner, scopes)), 403, "permission_denied")

    assert missing in body["detail"]


@pytest.mark.parametrize("name", ENDPOINTS)
def test_another_organisation_does_not_see_the_object(world, name):
    case = call(world, name)

    response = case.send(token(case.stranger, BOTH))

    if case.listing:
        assert response.status_code == 200
        body = response.json()
        rows = body["results"] if isinstance(body, dict) else body
        if name == "exposure":  # B is admitted to the chain but holds none of A's operations
            assert [(row["outstanding"], row["operations"]) for row in rows] == [("0.00", 0)]
        else:
            assert rows == []
    else:
        assert response.status_code == 404, response.content
        assert response.json()["code"].endswith("_not_found")


@pytest.mark.parametrize("name", ENDPOINTS)
def test_the_right_organisation_with_the_scope_is_answered(world, name):
    case = call(world, name)

    response = case.send(token(case.owner, BOTH))

    assert response.status_code == case.expected, response.content


def test_people_act_with_their_roles_and_a_wrong_role_is_refused(world):
    document = receivable(world)
    select = reverse("api-factoring-select", args=[document.pk])

    evaluator = member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, world.buyer)
    payables = reverse("api-factoring-payables", args=[world.chain.pk])
    rows = [{"supplier_ruc": world.supplier.tax_id, "number": "F9", "amount": "10.00", "due_date": _due(30)}]
    assert_problem(person(evaluator).post(payables, rows, content_type="application/json"), 403, "permission_denied")

    response = person(world.representative).post(
        select, {"institution": world.a.organisation.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    financing_id = response.json()["id"]

    # The buyer's officer may not operate what was selected for an institution: not its financing.
    operate = reverse("api-factoring-operate", args=[financing_id])
    assert_problem(person(world.officer).post(operate), 404, "financing_not_found")
    response = person(world.a.officer).post(operate)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == FinancingStatus.OPERATED


def test_the_pre_acknowledgement_of_the_worked_example(world):
    """100,000.00 due in 60 days at 14 % (8.00 + 6.00): discount 2,333.33, net 97,666.67, effective 14.33 %."""
    institution = token(world.a.organisation, BOTH)
    published = institution.post(
        reverse("api-factoring-offers", args=[world.chain.pk]),
        {"reference_rate": "8.00", "spread": "6.00"},
        content_type="application/json",
    )
    assert published.status_code == 201, published.content
    assert published.json()["rate"] == "14.0000"
    document = receivable(world, face=Decimal("100000.00"), due_in_days=60)

    response = token(world.supplier, READ).get(
        reverse("api-factoring-quote", args=[document.pk]), {"institution": world.a.organisation.pk}
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert {key: body[key] for key in ("face", "days", "discount", "net", "effective_rate", "day_count")} == {
        "face": "100000.00",
        "days": 60,
        "discount": "2333.33",
        "net": "97666.67",
        "effective_rate": "14.33",
        "day_count": "ACT/360",
    }
    assert Decimal(body["rate"]) == Decimal(14)
    assert body["disbursement_date"] == clock.today().isoformat()
    assert body["institution"] == world.a.organisation.tax_id
    assert not Financing.objects.exists()  # a quote changes nothing


def test_a_quote_needs_an_institution_of_the_chain(world):
    document = receivable(world)
    supplier = token(world.supplier, READ)
    url = reverse("api-factoring-quote", args=[document.pk])

    assert_problem(supplier.get(url), 400, "validation_error")
    outsider = OrganisationFactory(kind=OrganisationKind.FINANCIAL_INSTITUTION)
    assert_problem(supplier.get(url, {"institution": outsider.pk}), 404, "institution_not_found")
    assert_problem(supplier.get(url, {"institution": world.buyer.pk}), 404, "institution_not_found")


def test_select_operate_settle_through_the_api(world):
    document = receivable(world, face=Decimal("100000.00"), due_in_days=60)
    supplier = token(world.supplier, BOTH)
    institution = token(world.a.organisation, BOTH)
    buyer = token(world.buyer, BOTH)

    selected_ = supplier.post(
        reverse("api-factoring-select", args=[document.pk]),
        {"institution": world.a.organisation.pk},
        content_type="application/json",
    )
    assert selected_.status_code == 201, selected_.content
    financing = selected_.json()
    assert financing["status"] == FinancingStatus.SELECTED
    assert (financing["rate"], financing["days"], financing["discount"], financing["net"]) == (
        "13.0000",
        60,
        "2166.67",
        "97833.33",
    )
    again = supplier.post(
        reverse("api-factoring-select", args=[document.pk]),
        {"institution": world.b.organisation.pk},
        content_type="application/json",
    )
    assert_problem(again, 409, "already_financed")

    queue = institution.get(reverse("api-factoring-financings"), {"status": "selected"}).json()
    assert [row["id"] for row in queue["results"]] == [financing["id"]]
    settle = reverse("api-factoring-settle", args=[financing["id"]])
    assert_problem(buyer.post(settle), 409, "invalid_transition")

    operated_ = institution.post(reverse("api-factoring-operate", args=[financing["id"]]))
    assert operated_.status_code == 200, operated_.content
    assert operated_.json()["status"] == FinancingStatus.OPERATED
    exposure = institution.get(reverse("api-factoring-exposure")).json()
    assert [(row["chain"], row["outstanding"], row["operations"]) for row in exposure] == [
        (world.chain.pk, "100000.00", 1)
    ]

    settled = buyer.post(settle)
    assert settled.status_code == 200, settled.content
    assert settled.json()["status"] == FinancingStatus.SETTLED
    assert settled.json()["settled_at"]
    document.refresh_from_db()
    assert document.status == ReceivableStatus.SETTLED
    row = Financing.objects.get(pk=financing["id"])
    assert ledger_balance(financing=row) == 0
    assert LedgerEntry.objects.filter(financing=row).count() == 12
    mine = buyer.get(reverse("api-factoring-receivables"), {"status": "settled"}).json()["results"]
    assert [r["id"] for r in mine] == [document.pk]
    assert institution.get(reverse("api-factoring-exposure")).json()[0]["outstanding"] == "0.00"


def test_an_institution_declines_and_the_document_is_negotiable_again(world):
    financing = selected(world)

    response = token(world.a.organisation, WRITE).post(reverse("api-factoring-decline", args=[financing.pk]))

    assert response.status_code == 200, response.content
    assert response.json()["status"] == FinancingStatus.CANCELLED
    assert Receivable.objects.get(pk=financing.receivable_id).status == ReceivableStatus.NEGOTIABLE
    listed = token(world.supplier, READ).get(reverse("api-factoring-receivables"), {"status": "negotiable"})
    assert [row["id"] for row in listed.json()["results"]] == [financing.receivable_id]


def test_the_chains_an_institution_and_a_supplier_see(world):
    chains = token(world.a.organisation, READ).get(reverse("api-factoring-chains")).json()

    assert [(c["id"], c["relation"]) for c in chains] == [(world.chain.pk, "institution")]
    assert [(o["institution"], o["rate"]) for o in chains[0]["offers"]] == [(world.a.organisation.tax_id, "13.0000")]
    assert chains[0]["cap_points"] == "7.0000"

    seen = token(world.supplier, READ).get(reverse("api-factoring-chains")).json()
    assert [c["relation"] for c in seen] == ["supplier"]
    assert sorted(o["rate"] for o in seen[0]["offers"]) == ["13.0000", "14.5000"]
    assert token(world.buyer, READ).get(reverse("api-factoring-chains")).json()[0]["relation"] == "buyer"


def test_a_spread_over_the_cap_is_refused(world):
    response = token(world.a.organisation, WRITE).post(
        reverse("api-factoring-offers", args=[world.chain.pk]),
        {"reference_rate": "8.00", "spread": "7.50"},
        content_type="application/json",
    )

    assert_problem(response, 409, "spread_over_cap")
    assert Offer.objects.filter(chain=world.chain, institution=world.a.organisation).count() == 1


def test_payables_from_a_csv_body(world):
    receivable(world, number="F001-00000900")
    ruc = world.supplier.tax_id
    body = (
        "supplier_ruc,number,amount,due_date,currency\r\n"
        f"{ruc},F001-00001001,1500.50,{_due(30)},PEN\r\n"
        f"{ruc},F001-00001002,2500.00,{_due(90)},\r\n"
        f"{ruc},F001-00000900,100.00,{_due(30)},PEN\r\n"  # already on the market
        f"20999999999,F001-00001003,100.00,{_due(30)},PEN\r\n"  # not in the chain
        f"{ruc},F001-00001004,100.00,31/12/2026,PEN\r\n"  # not a date
        "\r\n"
    )

    response = token(world.buyer, WRITE).post(
        reverse("api-factoring-payables", args=[world.chain.pk]), body, content_type="text/csv"
    )

    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["loaded"], answer["refused"]) == (2, 3)
    assert [(row["row"], row["loaded"], row.get("code")) for row in answer["rows"]] == [
        (1, True, None),
        (2, True, None),
        (3, False, "duplicate_document"),
        (4, False, "not_in_chain"),
        (5, False, "invalid_value"),
    ]
    loaded = Receivable.objects.get(pk=answer["rows"][0]["receivable"])
    assert (loaded.number, loaded.face_value, loaded.currency, loaded.status) == (
        "F001-00001001",
        Decimal("1500.50"),
        "PEN",
        ReceivableStatus.NEGOTIABLE,
    )


def test_a_csv_without_the_columns_is_refused(world):
    response = token(world.buyer, WRITE).post(
        reverse("api-factoring-payables", args=[world.chain.pk]), "ruc;numero\r\n1;2\r\n", content_type="text/csv"
    )

    assert_problem(response, 400, "invalid_csv")
    assert not Receivable.objects.exists()


def test_payables_from_json_rows(world):
    ruc = world.supplier.tax_id
    rows = [
        {"supplier_ruc": ruc, "number": "E001-1", "amount": "1000.00", "due_date": _due(20), "currency": "USD"},
        {"supplier_ruc": ruc, "number": "E001-2", "amount": "-5", "due_date": _due(20)},
        {"supplier_ruc": ruc, "number": "E001-3", "amount": "10.00", "due_date": clock.today().isoformat()},
    ]
    url = reverse("api-factoring-payables", args=[world.chain.pk])

    response = token(world.buyer, WRITE).post(url, rows, content_type="application/json")

    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["loaded"], answer["refused"]) == (1, 2)
    assert [row.get("code") for row in answer["rows"]] == [None, "required", "invalid_value"]
    assert Receivable.objects.get(number="E001-1").currency == "USD"
    assert_problem(
        token(world.buyer, WRITE).post(url, {"rows": []}, content_type="application/json"), 400, "validation_error"
    )
    assert_problem(token(world.buyer, WRITE).post(url, [], content_type="application/json"), 400, "required")
    assert_problem(
        token(world.buyer, WRITE).post(url, "<x/>", content_type="application/xml"), 415, "unsupported_media_type"
    )


def test_filters_of_the_financings(world):
    first = operated(world)
    second = selected(world, institution=world.b)
    supplier = token(world.supplier, READ)
    url = reverse("api-factoring-financings")

    every = supplier.get(url).json()["results"]
    operated_only = supplier.get(url, {"status": "operated"}).json()["results"]

    assert sorted(row["id"] for row in every) == sorted([first.pk, second.pk])
    assert [row["id"] for row in operated_only] == [first.pk]
    assert supplier.get(url, {"chain": world.chain.pk + 1000}).json()["results"] == []
    assert_problem(supplier.get(url, {"status": "nonsense"}), 400, "validation_error")
    b_queue = token(world.b.organisation, READ).get(url).json()["results"]
    assert [(row["id"], row["face"], row["institution"]) for row in b_queue] == [
        (second.pk, "100000.00", world.b.organisation.tax_id)
    ]
