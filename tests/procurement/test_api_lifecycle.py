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
    MONDAY_9AM,
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
def clock(frozen_clock):
    frozen_clock.set(MONDAY_9AM)
    return frozen_clock


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
