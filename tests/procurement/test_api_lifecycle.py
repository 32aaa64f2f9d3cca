"""The procurement API after the bids: one permission matrix over every endpoint of
``procurement.api.lifecycle``, the whole lifecycle through the API (open → evaluate → award → appeal →
resolve → consent by the chronograph → sign both → complete), the opening record and the results
revealing nothing before their time, and bad input refused with a stable code, writing nothing.

Callers are those of ``test_api``: anonymous, a representative of supplier alpha, alpha's token with and
without the scopes (``read``, ``bids:write`` / ``documents:write``), an officer of the entity, an officer
of another entity, a member of the entity's evaluation committee, and a reviewer of the oversight body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.services import api_token_create
from procurement.enums import AppealStatus, ContractStatus, TenderStatus
from procurement.models import (
    Appeal,
    Award,
    Bid,
    BidEvaluation,
    Contract,
    LotScore,
    Tender,
    TenderDocument,
)
from procurement.services.appeals import appeal_file
from procurement.services.awards import bid_evaluate, tender_award
from procurement.services.chronograph import chronograph_sweep
from procurement.services.contracts import contract_sign
from tests.factories import member
from tests.portal.api_helpers import assert_problem, bearer, in_spanish
from tests.procurement.factories import (
    bid_footprint,
    entity_officer,
    footprint,
    place_bid,
    tender_in_bidding,
)
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db

ANONYMOUS = "anonymous"
REPRESENTATIVE = "supplier_representative"
TOKEN = "supplier_token"
TOKEN_WITHOUT_SCOPE = "supplier_token_without_scope"
OFFICER = "entity_officer"
OTHER_OFFICER = "other_entity_officer"
EVALUATOR = "evaluator"
REVIEWER = "oversight_reviewer"
CALLERS = [ANONYMOUS, REPRESENTATIVE, TOKEN, TOKEN_WITHOUT_SCOPE, OFFICER, OTHER_OFFICER, EVALUATOR, REVIEWER]

# Lot 1: 40 laptops (item 1) and 40 monitors (item 2).
CHEAP = {1: Decimal("2000.00"), 2: Decimal("500.00")}  # 40 × 2500 = 100,000.00
DEAR = {1: Decimal("2500.00"), 2: Decimal("625.00")}  # 40 × 3125 = 125,000.00
PDF = b"%PDF-1.4\nFe de erratas - AS-0001\n%%EOF\n"


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def state() -> dict[str, Any]:
    """Everything an act after the bids could write: compare before and after a refused one."""
    return {
        **footprint(),
        **bid_footprint(),
        "tenders": sorted(
            Tender.objects.values_list(
                "pk", "status", "bids_due", "opened_at", "awarded_at", "appeal_until", "consented_at", "lottery_seed"
            )
        ),
        "opened": sorted(Bid.objects.values_list("pk", "opened_at", "price_total")),
        "documents": sorted(TenderDocument.objects.values_list("pk", flat=True)),
        "evaluations": sorted(BidEvaluation.objects.values_list("pk", "qualified", "technical_score", "comment")),
        "scores": LotScore.objects.count(),
        "awards": sorted(Award.objects.values_list("pk", "status")),
        "appeals": sorted(Appeal.objects.values_list("pk", "status", "resolution")),
        "contracts": sorted(
            Contract.objects.values_list("pk", "status", "entity_signed_at", "supplier_signed_at", "rating")
        ),
    }


# --- The world ------------------------------------------------------------------------------------------------


class World:
    """An entity's tender for one lot with two bidders, alpha (whose representative and tokens are the
    supplier callers) and beta, taken to the state an endpoint needs. The clock starts on Monday 6 July
    2026, 9:00 Lima."""

    def __init__(self, clock):
        self.clock = clock
        self.officer = entity_officer()
        self.entity = self.officer.memberships.get().organisation
        self.alpha = registered_supplier(1)
        self.beta = registered_supplier(2)
        self.representative = member(OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE, self.alpha.organisation)
        self.evaluator = member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, self.entity)
        self.reviewer = member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER)

    # callers

    def token(self, scopes: list[str]) -> str:
        _token, key = api_token_create(
            actor=self.alpha.owner, organisation=self.alpha.organisation, name="ERP de ventas", scopes=scopes
        )
        return key

    def client(self, caller: str) -> Client:
        if caller == ANONYMOUS:
            return Client()
        if caller == TOKEN:
            return bearer(self.token(["read", "bids:write"]))
        if caller == TOKEN_WITHOUT_SCOPE:
            return bearer(self.token(["documents:write"]))
        people = {
            REPRESENTATIVE: lambda: self.representative,
            OFFICER: lambda: self.officer,
            OTHER_OFFICER: entity_officer,
            EVALUATOR: lambda: self.evaluator,
            REVIEWER: lambda: self.reviewer,
        }
        return logged_in(people[caller]())

    # the tender in each state; ``winner`` bids the lower price (equal technical points decide nothing)

    def bidding(self, winner: str = "alpha") -> Tender:
        tender = tender_in_bidding(self.officer, [self.alpha, self.beta])
        self.clock.set(tender.bids_due - timedelta(hours=1))
        first, second = (self.alpha, self.beta) if winner == "alpha" else (self.beta, self.alpha)
        lot = tender.lots.get()
        place_bid(first, lot, CHEAP)
        place_bid(second, lot, DEAR)
        return tender

    def at_opening(self, **kwargs) -> Tender:
        tender = self.bidding(**kwargs)
        self.clock.set(tender.opening_at)
        return tender

    def opened(self, **kwargs) -> Tender:
        tender = self.at_opening(**kwargs)
        chronograph_sweep(now=self.clock.now)
        return Tender.objects.get(pk=tender.pk)

    def bid_of(self, supplier, tender: Tender) -> Bid:
        return Bid.objects.get(lot__tender=tender, participant__organisation=supplier.organisation)

    def evaluated(self, **kwargs) -> Tender:
        tender = self.opened(**kwargs)
        for supplier in (self.alpha, self.beta):
            bid_evaluate(actor=self.evaluator, bid=self.bid_of(supplier, tender), qualified=True, technical_score="80")
        return tender

    def awarded(self, **kwargs) -> Tender:
        return tender_award(actor=self.officer, tender=self.evaluated(**kwargs))

    def appealed(self) -> Appeal:
        tender = self.awarded(winner="beta")
        return appeal_file(
            actor=self.alpha.owner, lot=tender.lots.get(), organisation=self.alpha.organisation, grounds="Mi precio"
        )

    def consented(self) -> Contract:
        tender = self.awarded()
        self.clock.set(tender.appeal_until)
        chronograph_sweep(now=self.clock.now)
        return Contract.objects.get(tender=tender)

    def signed(self) -> Contract:
        contract = self.consented()
        contract_sign(actor=self.alpha.owner, contract=contract, organisation=self.alpha.organisation)
        return contract_sign(actor=self.officer, contract=contract, organisation=self.entity)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return World(clock)


def post(client: Client, url: str, body: dict | None = None):
    return client.post(url, body or {}, content_type="application/json")


def amendment(**overrides) -> dict:
    return {
        "kind": "amendment",
        "title": "Fe de erratas",
        "document_file": SimpleUploadedFile("fe-de-erratas.pdf", PDF, content_type="application/pdf"),
    } | overrides


# --- The permission matrix -------------------------------------------------------------------------------------


@dataclass
class Call:
    method: str
    url: str
    body: Any = None
    multipart: bool = False

    def send(self, client: Client):
        if self.method == "get":
            return client.get(self.url)
        if self.multipart:
            return client.post(self.url, self.body)
        return post(client, self.url, self.body)


@dataclass
class Endpoint:
    build: Callable[[World], Call]
    statuses: tuple[int, ...]  # in the order of CALLERS


PUBLIC_READ = (200, 200, 200, 403, 200, 200, 200, 200)
ENTITY_ACT = (401, 403, 403, 403, 200, 403, 403, 403)
REVIEWER_ONLY = (401, 403, 403, 403, 403, 403, 403, 200)

ENDPOINTS: dict[str, Endpoint] = {
    "POST tenders/{id}/documents/": Endpoint(
        lambda w: Call("post", reverse("api-tender-documents", args=[w.bidding().pk]), amendment(), True),
        (401, 403, 403, 403, 201, 403, 403, 403),
    ),
    "POST tenders/{id}/opening/": Endpoint(
        lambda w: Call("post", reverse("api-tender-opening", args=[w.at_opening().pk])), ENTITY_ACT
    ),
    "GET tenders/{id}/opening-record/": Endpoint(
        lambda w: Call("get", reverse("api-tender-opening-record", args=[w.opened().pk])), PUBLIC_READ
    ),
    "POST bids/{id}/evaluation/": Endpoint(
        lambda w: Call(
            "post",
            reverse("api-bid-evaluation", args=[w.bid_of(w.alpha, w.opened()).pk]),
            {"qualified": True, "technical_score": "80"},
        ),
        (401, 403, 403, 403, 200, 403, 200, 403),
    ),
    "POST tenders/{id}/award/": Endpoint(
        lambda w: Call("post", reverse("api-tender-award", args=[w.evaluated().pk])), ENTITY_ACT
    ),
    "GET tenders/{id}/results/": Endpoint(
        lambda w: Call("get", reverse("api-tender-results", args=[w.awarded().pk])), PUBLIC_READ
    ),
    "POST lots/{id}/appeals/": Endpoint(
        lambda w: Call(
            "post", reverse("api-lot-appeals", args=[w.awarded(winner="beta").lots.get().pk]), {"grounds": "Mi precio"}
        ),
        (401, 201, 403, 403, 403, 403, 403, 403),
    ),
    "GET appeals/": Endpoint(
        lambda w: Call("get", reverse("api-appeal-list") + f"?tender={w.appealed().tender_id}"), REVIEWER_ONLY
    ),
    "POST appeals/{id}/resolution/": Endpoint(
        lambda w: Call(
            "post",
            reverse("api-appeal-resolution", args=[w.appealed().pk]),
            {"upheld": False, "resolution": "Infundado"},
        ),
        REVIEWER_ONLY,
    ),
    "POST contracts/{id}/signatures/": Endpoint(
        lambda w: Call("post", reverse("api-contract-signatures", args=[w.consented().pk])),
        (401, 200, 403, 403, 200, 403, 403, 403),
    ),
    "POST contracts/{id}/completion/": Endpoint(
        lambda w: Call(
            "post", reverse("api-contract-completion", args=[w.signed().pk]), {"rating": 4, "comment": "A tiempo"}
        ),
        ENTITY_ACT,
    ),
}


def test_the_matrix_covers_every_endpoint_after_the_bids():
    from procurement.api.lifecycle import urlpatterns

    routes = set()
    for pattern in urlpatterns:
        view = pattern.callback.view_class
        route = re.sub(r"<int:\w+>", "{id}", str(pattern.pattern))
        routes |= {f"{name} {route}" for name in ("GET", "POST", "PUT") if hasattr(view, name.lower())}
    assert routes == set(ENDPOINTS)


def test_the_lifecycle_endpoints_are_part_of_the_api():
    from procurement.api import lifecycle, views

    assert all(pattern in views.urlpatterns for pattern in lifecycle.urlpatterns)


@pytest.mark.parametrize(("endpoint", "caller"), [(name, caller) for name in ENDPOINTS for caller in CALLERS])
def test_permission_matrix(world, endpoint, caller):
    spec = ENDPOINTS[endpoint]
    call = spec.build(world)
    client = world.client(caller)
    expected = spec.statuses[CALLERS.index(caller)]
    before = state()

    response = call.send(client)

    if expected < 400:
        assert response.status_code == expected, response.content
        return
    if expected == 401:
        assert_problem(response, 401, "not_authenticated")
    elif caller == TOKEN_WITHOUT_SCOPE and endpoint.startswith("GET"):
        assert_problem(
            response,
            403,
            "permission_denied",
            in_spanish("The API token lacks the scope '%(scope)s'.") % {"scope": "read"},
        )
    elif caller in (TOKEN, TOKEN_WITHOUT_SCOPE):
        assert_problem(
            response, 403, "permission_denied", in_spanish("This action needs a signed-in person, not an API token.")
        )
    else:
        assert_problem(response, 403, "permission_denied")
    assert state() == before


# --- The whole lifecycle through the API ---------------------------------------------------------------------


def test_the_lifecycle_through_the_api(world, clock):
    officer, evaluator, reviewer = logged_in(world.officer), logged_in(world.evaluator), logged_in(world.reviewer)
    alpha, beta = logged_in(world.representative), logged_in(world.beta.owner)
    tender = world.bidding()
    lot = tender.lots.get()
    alpha_bid, beta_bid = world.bid_of(world.alpha, tender), world.bid_of(world.beta, tender)

    added = officer.post(reverse("api-tender-documents", args=[tender.pk]), amendment())

    assert added.status_code == 201, added.content
    document = TenderDocument.objects.get(kind="amendment")
    assert added.json() == {
        "id": document.pk,
        "tender": tender.pk,
        "kind": "amendment",
        "version": 1,
        "title": "Fe de erratas",
        "sha256": document.sha256,
        "size": len(PDF),
        "published_at": utc(clock.now),
    }

    tender.refresh_from_db()
    clock.set(tender.opening_at + timedelta(seconds=5))
    opening = post(officer, reverse("api-tender-opening", args=[tender.pk]))

    assert opening.status_code == 200, opening.content
    record = {
        "tender": tender.pk,
        "code": tender.code,
        "currency": "PEN",
        "opened_at": utc(clock.now),
        "lots": [
            {
                "id": lot.pk,
                "number": 1,
                "title": lot.title,
                "status": "open",
                "status_reason": "",
                "bids": [
                    {
                        "bid": bid.pk,
                        "bidder": {
                            "id": supplier.organisation.pk,
                            "name": supplier.organisation.name,
                            "tax_id": supplier.ruc,
                        },
                        "received_at": utc(bid.received_at),
                        "digest": bid.digest,
                        "total": total,
                        "prices": [
                            {"item_number": 1, "quantity": "40.000", "unit_price": first, "line_total": first_total},
                            {"item_number": 2, "quantity": "40.000", "unit_price": second, "line_total": second_total},
                        ],
                    }
                    for bid, supplier, total, first, first_total, second, second_total in [
                        (alpha_bid, world.alpha, "100000.00", "2000.00", "80000.00", "500.00", "20000.00"),
                        (beta_bid, world.beta, "125000.00", "2500.00", "100000.00", "625.00", "25000.00"),
                    ]
                ],
            }
        ],
    }
    assert opening.json() == record
    assert Client().get(reverse("api-tender-opening-record", args=[tender.pk])).json() == record
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.EVALUATION

    for bid, points in ((alpha_bid, "70"), (beta_bid, "90.50")):
        verdict = post(
            evaluator, reverse("api-bid-evaluation", args=[bid.pk]), {"qualified": True, "technical_score": points}
        )
        assert verdict.status_code == 200, verdict.content
        assert verdict.json() == {
            "bid": bid.pk,
            "qualified": True,
            "technical_score": f"{Decimal(points):.2f}",
            "comment": "",
            "evaluated_at": utc(clock.now),
        }
    assert_problem(Client().get(reverse("api-tender-results", args=[tender.pk])), 409, "not_awarded")

    clock.advance(minutes=30)
    award = post(officer, reverse("api-tender-award", args=[tender.pk]))

    assert award.status_code == 200, award.content
    results = award.json()
    tender.refresh_from_db()
    assert (results["status"], results["awarded_at"], results["lottery_seed"]) == (
        "appeal_window",
        utc(clock.now),
        tender.lottery_seed,
    )
    assert results["appeal_until"] == utc(tender.appeal_until)
    (sheet,) = results["lots"][0]["score_sheets"]
    assert sheet["round"] == 1
    # alpha: 70 × 0.3 + 100 × 0.7 = 91.00; beta: 90.50 × 0.3 + 80 × 0.7 = 83.15.
    assert [(row["bid"], row["bidder_ruc"], row["price"], row["total"], row["rank"]) for row in sheet["rows"]] == [
        (alpha_bid.pk, world.alpha.ruc, "100000.00", "91.0000", 1),
        (beta_bid.pk, world.beta.ruc, "125000.00", "83.1500", 2),
    ]
    (awarded,) = results["lots"][0]["awards"]
    assert (awarded["supplier"]["tax_id"], awarded["amount"], awarded["status"], awarded["round"]) == (
        world.alpha.ruc,
        "100000.00",
        "active",
        1,
    )
    assert results["appeals"] == results["contracts"] == []

    filed = post(beta, reverse("api-lot-appeals", args=[lot.pk]), {"grounds": "Mi puntaje técnico"})

    assert filed.status_code == 201, filed.content
    appeal = Appeal.objects.get()
    assert filed.json() == {
        "id": appeal.pk,
        "tender": tender.pk,
        "lot_number": 1,
        "appellant": {"id": world.beta.organisation.pk, "name": world.beta.organisation.name, "tax_id": world.beta.ruc},
        "grounds": "Mi puntaje técnico",
        "fee": "5400.00",  # 3% of the lot's 180,000.00
        "currency": "PEN",
        "status": "filed",
        "filed_at": utc(clock.now),
        "resolution": "",
        "resolved_at": None,
    }
    queue = reviewer.get(reverse("api-appeal-list"), {"status": "filed"}).json()
    assert (queue["count"], queue["results"]) == (1, [filed.json()])

    clock.set(tender.appeal_until + timedelta(minutes=1))
    chronograph_sweep(now=clock.now)
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.APPEAL_WINDOW  # the appeal suspends consent

    resolved = post(
        reviewer,
        reverse("api-appeal-resolution", args=[appeal.pk]),
        {"upheld": False, "resolution": "El puntaje se ajusta a las bases"},
    )

    assert resolved.status_code == 200, resolved.content
    assert (resolved.json()["status"], resolved.json()["resolved_at"]) == ("dismissed", utc(clock.now))
    assert reviewer.get(reverse("api-appeal-list"), {"status": "filed"}).json()["count"] == 0

    chronograph_sweep(now=clock.now)
    contract = Contract.objects.get()
    public = Client().get(reverse("api-tender-results", args=[tender.pk])).json()
    assert (public["status"], public["consented_at"]) == ("consented", utc(clock.now))
    assert public["appeals"] == [resolved.json()]
    assert public["appeals"][0]["resolution"] == "El puntaje se ajusta a las bases"
    assert public["contracts"] == [
        {
            "id": contract.pk,
            "tender": tender.pk,
            "number": contract.number,
            "lot_number": 1,
            "supplier": {
                "id": world.alpha.organisation.pk,
                "name": world.alpha.organisation.name,
                "tax_id": world.alpha.ruc,
            },
            "amount": "100000.00",
            "currency": "PEN",
            "status": "awaiting_signatures",
            "created_at": utc(clock.now),
            "entity_signed_at": None,
            "supplier_signed_at": None,
            "signed_at": None,
            "completed_at": None,
            "rating": None,
            "performance_comment": None,
        }
    ]

    clock.advance(hours=1)
    by_supplier = post(alpha, reverse("api-contract-signatures", args=[contract.pk]))
    assert by_supplier.status_code == 200, by_supplier.content
    assert (by_supplier.json()["status"], by_supplier.json()["supplier_signed_at"]) == (
        "awaiting_signatures",
        utc(clock.now),
    )
    clock.advance(hours=1)
    by_entity = post(officer, reverse("api-contract-signatures", args=[contract.pk]))
    assert by_entity.status_code == 200, by_entity.content
    assert (by_entity.json()["status"], by_entity.json()["entity_signed_at"], by_entity.json()["signed_at"]) == (
        "signed",
        utc(clock.now),
        utc(clock.now),
    )
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.CONTRACTED

    completed = post(
        officer, reverse("api-contract-completion", args=[contract.pk]), {"rating": 4, "comment": "Entregó a tiempo"}
    )

    assert completed.status_code == 200, completed.content
    assert (completed.json()["status"], completed.json()["rating"], completed.json()["performance_comment"]) == (
        "completed",
        4,
        "Entregó a tiempo",
    )
    final = Client().get(reverse("api-tender-results", args=[tender.pk])).json()
    assert final["status"] == "completed"
    assert final["contracts"] == [completed.json()]


def test_an_upheld_appeal_revokes_the_award_and_a_second_round_follows(world, clock):
    appeal = world.appealed()  # beta won; alpha appeals
    tender = appeal.tender

    resolved = post(
        logged_in(world.reviewer),
        reverse("api-appeal-resolution", args=[appeal.pk]),
        {"upheld": True, "resolution": "Beta no acreditó la experiencia"},
    )

    assert resolved.status_code == 200, resolved.content
    assert resolved.json()["status"] == AppealStatus.UPHELD
    assert Tender.objects.get(pk=tender.pk).status == TenderStatus.EVALUATION
    beta_bid = world.bid_of(world.beta, tender)
    post(
        logged_in(world.evaluator),
        reverse("api-bid-evaluation", args=[beta_bid.pk]),
        {"qualified": False, "comment": "Sin experiencia acreditada"},
    )
    results = post(logged_in(world.officer), reverse("api-tender-award", args=[tender.pk])).json()
    lot = results["lots"][0]
    assert [sheet["round"] for sheet in lot["score_sheets"]] == [2, 1]
    assert [row["excluded_reason"] for row in lot["score_sheets"][0]["rows"]] == ["", "not_qualified"]
    assert lot["score_sheets"][0]["rows"][1]["comment"] == "Sin experiencia acreditada"
    assert [(award["supplier"]["tax_id"], award["status"]) for award in lot["awards"]] == [
        (world.beta.ruc, "revoked"),
        (world.alpha.ruc, "active"),
    ]


# --- Nothing before its time --------------------------------------------------------------------------------


def _callers(world) -> list[Client]:
    return [world.client(caller) for caller in CALLERS if caller != TOKEN_WITHOUT_SCOPE]


def test_the_opening_record_reveals_nothing_before_the_opening(world, clock):
    tender = world.at_opening()  # bids are due, the opening time has come, nobody opened them yet
    bid = world.bid_of(world.alpha, tender)
    secrets = [world.alpha.ruc, world.beta.ruc, "2000.00", "100000", world.alpha.organisation.name, bid.digest]

    for client in _callers(world):
        response = client.get(reverse("api-tender-opening-record", args=[tender.pk]))
        body = assert_problem(
            response,
            409,
            "not_opened",
            in_spanish("The bids are sealed until the opening: there is no opening record yet."),
        )
        assert not any(secret in response.content.decode() for secret in secrets), body
        assert_problem(client.get(reverse("api-tender-results", args=[tender.pk])), 409, "not_awarded")

    before = state()
    refused = post(
        logged_in(world.evaluator),
        reverse("api-bid-evaluation", args=[bid.pk]),
        {"qualified": True, "technical_score": "80"},
    )
    assert_problem(refused, 404, "bid_not_found")
    assert state() == before


def test_the_results_reveal_nothing_before_the_award(world):
    tender = world.opened()
    bid_evaluate(
        actor=world.evaluator, bid=world.bid_of(world.alpha, tender), qualified=False, comment="No cumple el RTM"
    )

    for client in _callers(world):
        response = client.get(reverse("api-tender-results", args=[tender.pk]))
        assert_problem(response, 409, "not_awarded")
        assert "No cumple" not in response.content.decode()
    assert not LotScore.objects.exists()


def test_a_draft_has_neither_record_nor_results_for_outsiders(world):
    from tests.procurement.factories import draft_tender

    draft = draft_tender(world.officer)

    assert_problem(Client().get(reverse("api-tender-opening-record", args=[draft.pk])), 404, "tender_not_found")
    assert_problem(Client().get(reverse("api-tender-results", args=[draft.pk])), 404, "tender_not_found")


def test_withdrawn_bids_are_not_in_the_opening_record(world, clock):
    from procurement.services.bids import bid_withdraw

    tender = world.bidding()
    bid_withdraw(actor=world.beta.owner, bid=world.bid_of(world.beta, tender))
    clock.set(tender.opening_at)
    chronograph_sweep(now=clock.now)

    record = Client().get(reverse("api-tender-opening-record", args=[tender.pk])).json()

    assert [bid["bidder"]["tax_id"] for bid in record["lots"][0]["bids"]] == [world.alpha.ruc]


# --- Refusals: a stable code, nothing written ------------------------------------------------------------------


def _refused(response, status: int, code: str, field: str | None) -> None:
    body = assert_problem(response, status, code)
    if field:
        assert field in body["errors"], body


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({}, 400, "validation_error", "qualified"),
        ({"qualified": True}, 400, "invalid_score", "technical_score"),
        ({"qualified": True, "technical_score": 80}, 400, "validation_error", "technical_score"),
        ({"qualified": True, "technical_score": "100.01"}, 400, "invalid_score", "technical_score"),
        ({"qualified": True, "technical_score": "ochenta"}, 400, "invalid_score", "technical_score"),
        ({"qualified": False}, 400, "required", "comment"),
        ({"qualified": "quizá"}, 400, "validation_error", "qualified"),
    ],
)
def test_a_refused_verdict_writes_nothing(world, body, status, code, field):
    bid = world.bid_of(world.alpha, world.opened())
    before = state()

    _refused(post(logged_in(world.evaluator), reverse("api-bid-evaluation", args=[bid.pk]), body), status, code, field)
    assert state() == before


@pytest.mark.parametrize(
    ("overrides", "code", "field"),
    [
        ({"kind": "contract"}, "invalid_kind", "kind"),
        ({"title": "  "}, "required", "title"),
        ({"document_file": ""}, "required", "document_file"),
        ({"document_file": SimpleUploadedFile("erratas.txt", b"no es un PDF")}, "invalid_file_type", "document_file"),
    ],
)
def test_a_refused_document_writes_nothing(world, overrides, code, field):
    tender = world.bidding()
    before = state()

    response = logged_in(world.officer).post(reverse("api-tender-documents", args=[tender.pk]), amendment(**overrides))

    _refused(response, 400, code, field)
    assert state() == before


def test_documents_take_multipart_only_and_not_every_kind_at_every_stage(world):
    tender = world.bidding()
    officer = logged_in(world.officer)
    before = state()

    assert_problem(
        post(officer, reverse("api-tender-documents", args=[tender.pk]), {"kind": "annex", "title": "Formatos"}),
        415,
        "unsupported_media_type",
    )
    assert_problem(
        officer.post(reverse("api-tender-documents", args=[tender.pk]), amendment(kind="bases")), 409, "invalid_status"
    )
    assert state() == before


def test_no_opening_before_the_opening_time(world, clock):
    tender = world.bidding()
    clock.set(tender.opening_at - timedelta(seconds=1))
    before = state()

    response = post(logged_in(world.officer), reverse("api-tender-opening", args=[tender.pk]))

    assert_problem(response, 409, "not_opening")
    assert state() == before


def test_no_award_before_every_bid_has_its_verdict(world):
    tender = world.opened()
    bid_evaluate(actor=world.evaluator, bid=world.bid_of(world.alpha, tender), qualified=True, technical_score="80")
    before = state()

    response = post(logged_in(world.officer), reverse("api-tender-award", args=[tender.pk]))

    assert_problem(response, 409, "not_evaluated")
    assert state() == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({}, 400, "validation_error", "grounds"),
        ({"grounds": "   "}, 400, "required", "grounds"),
        ({"grounds": "x" * 20_001}, 400, "too_long", "grounds"),
        ({"grounds": "Motivo", "organisation": 999_999}, 404, "organisation_not_found", None),
    ],
)
def test_a_refused_appeal_writes_nothing(world, body, status, code, field):
    lot = world.awarded(winner="beta").lots.get()
    before = state()

    _refused(
        post(logged_in(world.representative), reverse("api-lot-appeals", args=[lot.pk]), body), status, code, field
    )
    assert state() == before


def test_no_appeal_once_the_window_is_over(world, clock):
    tender = world.awarded(winner="beta")
    clock.set(tender.appeal_until)
    before = state()

    response = post(
        logged_in(world.representative), reverse("api-lot-appeals", args=[tender.lots.get().pk]), {"grounds": "Tarde"}
    )

    assert_problem(response, 409, "appeal_window_closed")
    assert state() == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"resolution": "Infundado"}, 400, "validation_error", "upheld"),
        ({"upheld": False, "resolution": " "}, 400, "required", "resolution"),
    ],
)
def test_a_refused_resolution_writes_nothing(world, body, status, code, field):
    appeal = world.appealed()
    before = state()

    response = post(logged_in(world.reviewer), reverse("api-appeal-resolution", args=[appeal.pk]), body)

    _refused(response, status, code, field)
    assert state() == before


def test_an_appeal_is_resolved_once(world):
    appeal = world.appealed()
    reviewer = logged_in(world.reviewer)
    post(reviewer, reverse("api-appeal-resolution", args=[appeal.pk]), {"upheld": False, "resolution": "Infundado"})
    before = state()

    response = post(reviewer, reverse("api-appeal-resolution", args=[appeal.pk]), {"upheld": True, "resolution": "Sí"})

    assert_problem(response, 409, "already_resolved")
    assert state() == before


def test_each_party_signs_once_and_only_the_parties_sign(world):
    contract = world.consented()
    alpha = logged_in(world.representative)
    assert post(alpha, reverse("api-contract-signatures", args=[contract.pk])).status_code == 200
    before = state()

    assert_problem(post(alpha, reverse("api-contract-signatures", args=[contract.pk])), 409, "already_signed")
    assert_problem(
        post(logged_in(world.beta.owner), reverse("api-contract-signatures", args=[contract.pk])),
        403,
        "permission_denied",
    )
    assert_problem(
        post(alpha, reverse("api-contract-signatures", args=[contract.pk]), {"organisation": world.entity.pk}),
        404,
        "organisation_not_found",
    )
    assert state() == before


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"rating": 6, "comment": "Excelente"}, "invalid_rating", "rating"),
        ({"rating": 0, "comment": "Pésimo"}, "invalid_rating", "rating"),
        ({"rating": "cinco", "comment": "Excelente"}, "validation_error", "rating"),
        ({"rating": 5, "comment": " "}, "required", "comment"),
        ({"comment": "Excelente"}, "validation_error", "rating"),
    ],
)
def test_a_refused_completion_writes_nothing(world, body, code, field):
    contract = world.signed()
    before = state()

    response = post(logged_in(world.officer), reverse("api-contract-completion", args=[contract.pk]), body)

    _refused(response, 400, code, field)
    assert state() == before


def test_a_contract_is_completed_only_once_signed(world):
    contract = world.consented()
    before = state()

    response = post(
        logged_in(world.officer),
        reverse("api-contract-completion", args=[contract.pk]),
        {"rating": 4, "comment": "Bien"},
    )

    assert_problem(response, 409, "not_signed")
    assert Contract.objects.get().status == ContractStatus.AWAITING_SIGNATURES
    assert state() == before


def test_unknown_objects_are_not_found(world):
    officer, reviewer = logged_in(world.officer), logged_in(world.reviewer)

    assert_problem(post(officer, reverse("api-contract-signatures", args=[999_999])), 404, "contract_not_found")
    assert_problem(
        post(reviewer, reverse("api-appeal-resolution", args=[999_999]), {"upheld": False, "resolution": "x"}),
        404,
        "appeal_not_found",
    )
    assert_problem(post(officer, reverse("api-lot-appeals", args=[999_999]), {"grounds": "x"}), 404, "lot_not_found")
    assert_problem(
        post(officer, reverse("api-bid-evaluation", args=[999_999]), {"qualified": True}), 404, "bid_not_found"
    )


def test_a_malformed_appeal_filter_is_a_400(world):
    assert_problem(
        logged_in(world.reviewer).get(reverse("api-appeal-list"), {"status": "pending"}), 400, "validation_error"
    )
