"""The procurement API: one permission matrix over every endpoint, then each action's happy path, bad
input (400 problem+json, nothing written), the bids deadline by server time, idempotent bids, and the
secrecy of sealed bids before the opening.

Callers:
- anonymous: no session, no token;
- supplier_representative: a representative of a registered supplier (a participant where the
  endpoint needs one);
- supplier_token / supplier_token_without_scope: that supplier's API token with the scopes the
  endpoints need (``read``, ``bids:write``) and with an unrelated one only (``documents:write``);
- entity_officer: a procurement officer of the entity that owns the plan or tender;
- other_entity_officer: a procurement officer of another entity;
- evaluator: an evaluation committee member of the owning entity (a member, not an officer);
- oversight_reviewer: a reviewer of the oversight body.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.accounts.enums import OrganisationKind, Role
from portal.accounts.services import api_token_create
from portal.audit.models import AuditEvent
from procurement.enums import PlanStatus
from procurement.models import Bid, BidStatus, Participant, Plan, Question, Tender, TenderDocument
from procurement.sealing import canonical_json
from procurement.services.bids import bid_submit
from procurement.services.participation import participant_register, question_answer, question_ask
from procurement.services.plans import plan_create
from procurement.services.tenders import tender_publish, tender_set_timeline
from procurement.timeline import LIMA
from tests.factories import member
from tests.portal.api_helpers import assert_problem, bearer, in_spanish
from tests.procurement.factories import (
    MONDAY_9AM,
    bid_footprint,
    draft_tender,
    earliest,
    entity_officer,
    footprint,
    item_data,
    line_data,
    lot_data,
    open_bidding,
    open_enquiries,
    published_plan,
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

PRICE = "1234.56"  # the sealed unit price: it must never come back before the opening
BASES = b"%PDF-1.4\nBases integradas - AS-0001\n%%EOF\n"
PLAN_LINE = {
    "description": "Computadoras de escritorio",
    "object": "goods",
    "procedure_type": "adjudicacion-simplificada",
    "unspsc_code": "43211500",
    "estimated_value": "250000.00",
    "planned_month": 3,
}
ITEM = {
    "unspsc_code": "43211503",
    "description": "Computadora portátil de 14 pulgadas",
    "quantity": "40",
    "unit": "C62",
    "delivery_place": "Almacén central, Av. Abancay 251, Lima",
    "region_code": "15",
}
LOT = {"title": "Computadoras portátiles", "reference_value": "180000.00", "mype_reserved": False, "items": [ITEM]}


def utc(moment: datetime) -> str:
    """How the API writes a time: ISO 8601 in UTC."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def state() -> dict[str, Any]:
    """Everything a procurement action could write: compare before and after a refused one."""
    return {
        **footprint(),
        **bid_footprint(),
        "plans": sorted(Plan.objects.values_list("pk", "status", "version")),
        "tenders": sorted(Tender.objects.values_list("pk", "status", "published_at", "bids_due", "status_reason")),
        "participants": sorted(Participant.objects.values_list("pk", flat=True)),
        "questions": sorted(Question.objects.values_list("pk", "answer", "published_at")),
        "documents": sorted(TenderDocument.objects.values_list("pk", flat=True)),
    }


# --- The world the callers act in -----------------------------------------------------------------------


class World:
    """An entity with a published plan, a registered supplier with its representative and tokens, and
    the tender in whatever state an endpoint needs. The clock stands at Monday 6 July 2026, 9:00 Lima."""

    def __init__(self, clock):
        self.clock = clock
        self.officer = entity_officer()
        self.entity = self.officer.memberships.get().organisation
        self.supplier = registered_supplier(1)
        self.representative = member(
            OrganisationKind.SUPPLIER, Role.SUPPLIER_REPRESENTATIVE, self.supplier.organisation
        )
        self._plan = None

    # callers

    def token(self, scopes: list[str], organisation=None, owner=None) -> str:
        _token, key = api_token_create(
            actor=owner or self.supplier.owner,
            organisation=organisation or self.supplier.organisation,
            name="ERP de ventas",
            scopes=scopes,
        )
        return key

    def person(self, caller: str):
        return {
            REPRESENTATIVE: lambda: self.representative,
            OFFICER: lambda: self.officer,
            OTHER_OFFICER: entity_officer,
            EVALUATOR: lambda: member(OrganisationKind.CONTRACTING_ENTITY, Role.EVALUATOR, self.entity),
            REVIEWER: lambda: member(OrganisationKind.OVERSIGHT_BODY, Role.REVIEWER),
        }[caller]()

    def client(self, caller: str) -> Client:
        if caller == ANONYMOUS:
            return Client()
        if caller == TOKEN:
            return bearer(self.token(["read", "bids:write"]))
        if caller == TOKEN_WITHOUT_SCOPE:
            return bearer(self.token(["documents:write"]))
        client = Client()
        client.force_login(self.person(caller))
        return client

    # plans and tenders in each state

    def plan(self) -> Plan:
        if self._plan is None:
            self._plan = published_plan(self.officer)
        return self._plan

    def draft_plan(self) -> Plan:
        return plan_create(actor=self.officer, entity=self.entity, fiscal_year=2027, lines=[line_data()])

    def draft(self, **kwargs) -> Tender:
        return draft_tender(self.officer, plan=self.plan(), **kwargs)

    def scheduled(self, **kwargs) -> Tender:
        return tender_set_timeline(actor=self.officer, tender=self.draft(**kwargs), timeline=earliest(MONDAY_9AM))

    def published(self, **kwargs) -> Tender:
        return tender_publish(actor=self.officer, tender=self.scheduled(**kwargs))

    def register(self, tender: Tender, supplier=None) -> None:
        supplier = supplier or self.supplier
        participant_register(actor=supplier.owner, tender=tender, organisation=supplier.organisation)

    def enquiries(self) -> Tender:
        tender = self.published()
        self.register(tender)
        return open_enquiries(tender)

    def question(self) -> Question:
        return question_ask(actor=self.representative, tender=self.enquiries(), text="¿Se aceptan equipos de 15?")

    def answered_and_closed(self) -> Tender:
        question = self.question()
        question_answer(actor=self.officer, question=question, answer="Sí, de 14 o 15 pulgadas.")
        self.clock.set(question.tender.enquiries_end + timedelta(minutes=1))
        return question.tender

    def bidding(self, *suppliers, **kwargs) -> Tender:
        tender = self.published(**kwargs)
        for supplier in suppliers or [self.supplier]:
            self.register(tender, supplier)
        tender = open_bidding(tender)
        self.clock.set(tender.bids_due - timedelta(hours=1))
        return tender

    def bid(self, tender: Tender | None = None, supplier=None, prices=None, key: str = "erp-1") -> Bid:
        tender = tender or self.bidding()
        supplier = supplier or self.supplier
        bid, _receipt = bid_submit(
            actor=supplier.owner,
            lot=tender.lots.get(number=1),
            organisation=supplier.organisation,
            prices=prices or {1: Decimal(PRICE)},
            technical={"delivery_days": 15},
            idempotency_key=key,
        )
        return bid


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def world(clock, media):
    return World(clock)


# --- Calls ------------------------------------------------------------------------------------------------


@dataclass
class Call:
    method: str
    url: str
    body: Any = None
    multipart: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    given: Any = None  # what the call needs to exist (a plan, a tender, a bid), made before it

    def send(self, client: Client):
        if self.method == "get":
            return client.get(self.url, self.body or {}, headers=self.headers)
        if self.multipart:
            return client.post(self.url, self.body, headers=self.headers)
        return getattr(client, self.method)(
            self.url, self.body or {}, content_type="application/json", headers=self.headers
        )


def timeline_body(published_at: datetime = MONDAY_9AM) -> dict[str, str | None]:
    """The earliest chronogram, written as an officer in Lima would: with the -05:00 offset."""
    timeline = earliest(published_at)
    return {
        name: (getattr(timeline, name).astimezone(LIMA).isoformat() if getattr(timeline, name) else None)
        for name in ("published_at", "enquiries_end", "integrated_bases_at", "bids_due", "opening_at", "auction_at")
    }


def bases_upload() -> dict:
    return {
        "title": "Bases integradas",
        "document_file": SimpleUploadedFile("bases-integradas.pdf", BASES, content_type="application/pdf"),
    }


def bid_body(key: str = "erp-1", prices: dict | None = None) -> dict:
    return {"prices": prices or {"1": PRICE}, "technical": {"delivery_days": 15}, "idempotency_key": key}


def _question_id(world: World) -> int:
    return world.question().pk


# Each endpoint: how to call it in the state it needs, who gets which status, and the code of its 404.
@dataclass
class Endpoint:
    build: Callable[[World], Call]
    statuses: tuple[int, ...]  # in the order of CALLERS
    not_found: str = "not_found"


PUBLIC_READ = (200, 200, 200, 403, 200, 200, 200, 200)
ENTITY_ACT_ON_DRAFT = (401, 404, 403, 403, 200, 404, 403, 404)
ENTITY_ACT = (401, 403, 403, 403, 200, 403, 403, 403)
ENTITY_CREATE = (401, 403, 403, 403, 201, 403, 403, 403)
SUPPLIER_ACT = (401, 201, 403, 403, 403, 403, 403, 403)

ENDPOINTS: dict[str, Endpoint] = {
    "GET procedure-types/": Endpoint(lambda w: Call("get", reverse("api-procedure-type-list")), PUBLIC_READ),
    "GET plans/": Endpoint(lambda w: Call("get", reverse("api-plan-list"), given=w.plan()), PUBLIC_READ),
    "POST plans/": Endpoint(
        lambda w: Call(
            "post", reverse("api-plan-list"), {"entity": w.entity.pk, "fiscal_year": 2027, "lines": [PLAN_LINE]}
        ),
        (401, 404, 403, 403, 201, 404, 403, 404),
        "organisation_not_found",
    ),
    "GET plans/{id}/": Endpoint(lambda w: Call("get", reverse("api-plan-detail", args=[w.plan().pk])), PUBLIC_READ),
    "POST plans/{id}/publish/": Endpoint(
        lambda w: Call("post", reverse("api-plan-publish", args=[w.draft_plan().pk])),
        ENTITY_ACT_ON_DRAFT,
        "plan_not_found",
    ),
    "POST plans/{id}/versions/": Endpoint(
        lambda w: Call("post", reverse("api-plan-versions", args=[w.plan().pk]), {"lines": [PLAN_LINE]}),
        ENTITY_CREATE,
    ),
    "GET tenders/": Endpoint(lambda w: Call("get", reverse("api-tender-list"), given=w.published()), PUBLIC_READ),
    "POST tenders/": Endpoint(
        lambda w: Call(
            "post",
            reverse("api-tender-list"),
            {"plan_line": w.plan().lines.get().pk, "title": "Adquisición de computadoras", "lots": [LOT]},
        ),
        ENTITY_CREATE,
    ),
    "GET tenders/{id}/": Endpoint(
        lambda w: Call("get", reverse("api-tender-detail", args=[w.published().pk])), PUBLIC_READ
    ),
    "PUT tenders/{id}/timeline/": Endpoint(
        lambda w: Call("put", reverse("api-tender-timeline", args=[w.draft().pk]), timeline_body()),
        ENTITY_ACT_ON_DRAFT,
        "tender_not_found",
    ),
    "POST tenders/{id}/timeline/": Endpoint(
        lambda w: Call("post", reverse("api-tender-timeline", args=[w.draft().pk]), timeline_body()),
        ENTITY_ACT_ON_DRAFT,
        "tender_not_found",
    ),
    "POST tenders/{id}/publish/": Endpoint(
        lambda w: Call("post", reverse("api-tender-publish", args=[w.scheduled().pk])),
        ENTITY_ACT_ON_DRAFT,
        "tender_not_found",
    ),
    "POST tenders/{id}/cancel/": Endpoint(
        lambda w: Call(
            "post", reverse("api-tender-cancel", args=[w.published().pk]), {"reason": "Cambio de necesidad"}
        ),
        ENTITY_ACT,
    ),
    "POST tenders/{id}/annul/": Endpoint(
        lambda w: Call("post", reverse("api-tender-annul", args=[w.published().pk]), {"reason": "Vicio de nulidad"}),
        (401, 403, 403, 403, 403, 403, 403, 200),
    ),
    "POST tenders/{id}/deadline-extension/": Endpoint(
        lambda w: Call("post", reverse("api-tender-deadline-extension", args=[w.bidding().pk])), ENTITY_ACT
    ),
    "POST tenders/{id}/participants/": Endpoint(
        lambda w: Call("post", reverse("api-tender-participants", args=[w.published().pk])), SUPPLIER_ACT
    ),
    "POST tenders/{id}/questions/": Endpoint(
        lambda w: Call("post", reverse("api-tender-questions", args=[w.enquiries().pk]), {"text": "¿Plazo?"}),
        SUPPLIER_ACT,
    ),
    "GET tenders/{id}/questions/": Endpoint(
        lambda w: Call("get", reverse("api-tender-questions", args=[w.question().tender_id])), PUBLIC_READ
    ),
    "POST questions/{id}/answer/": Endpoint(
        lambda w: Call("post", reverse("api-question-answer", args=[_question_id(w)]), {"answer": "Sí."}),
        (401, 404, 403, 403, 200, 404, 404, 404),
        "question_not_found",
    ),
    "POST tenders/{id}/answers/publish/": Endpoint(
        lambda w: Call(
            "post", reverse("api-tender-answers-publish", args=[w.answered_and_closed().pk]), bases_upload(), True
        ),
        ENTITY_ACT,
    ),
    "POST lots/{id}/bids/": Endpoint(
        lambda w: Call("post", reverse("api-lot-bids", args=[w.bidding().lots.get().pk]), bid_body()),
        (401, 201, 201, 403, 403, 403, 403, 403),
    ),
    "POST bids/{id}/withdraw/": Endpoint(
        lambda w: Call("post", reverse("api-bid-withdraw", args=[w.bid().pk])),
        (401, 200, 200, 403, 404, 404, 404, 404),
        "bid_not_found",
    ),
    "GET bids/": Endpoint(
        lambda w: Call("get", reverse("api-bid-list"), given=w.bid()), (401, 200, 200, 403, 403, 403, 403, 403)
    ),
    "GET tenders/{id}/bids/summary/": Endpoint(
        lambda w: Call("get", reverse("api-tender-bid-summary", args=[w.bid().lot.tender_id])),
        (401, 403, 403, 403, 200, 403, 403, 403),
    ),
}


def test_the_matrix_covers_every_procurement_endpoint():
    from procurement.api import lifecycle
    from procurement.api.views import urlpatterns

    methods = {"GET": "get", "POST": "post", "PUT": "put"}
    routes = set()
    # The endpoints after the bids have their own matrix (test_api_lifecycle).
    for pattern in (pattern for pattern in urlpatterns if pattern not in lifecycle.urlpatterns):
        view = pattern.callback.view_class
        route = re.sub(r"<int:\w+>", "{id}", str(pattern.pattern))
        routes |= {f"{name} {route}" for name, method in methods.items() if hasattr(view, method)}
    assert routes == set(ENDPOINTS)


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
    elif expected == 404:
        assert_problem(response, 404, spec.not_found)
    elif caller == TOKEN_WITHOUT_SCOPE and endpoint.startswith("GET"):
        lacks(response, "read")
    elif caller == TOKEN_WITHOUT_SCOPE and "bids" in endpoint and endpoint.startswith("POST"):
        lacks(response, "bids:write")
    elif caller in (TOKEN, TOKEN_WITHOUT_SCOPE) and endpoint.startswith(("POST", "PUT")):
        assert_problem(
            response, 403, "permission_denied", in_spanish("This action needs a signed-in person, not an API token.")
        )
    else:
        assert_problem(response, 403, "permission_denied")
    assert state() == before


def lacks(response, scope: str) -> None:
    assert_problem(
        response, 403, "permission_denied", in_spanish("The API token lacks the scope '%(scope)s'.") % {"scope": scope}
    )


def person(world: World, caller: str = OFFICER) -> Client:
    client = Client()
    client.force_login(world.officer if caller == OFFICER else world.person(caller))
    return client


# --- Procedure types ---------------------------------------------------------------------------------------


def test_procedure_types_carry_their_rules(client):
    response = client.get(reverse("api-procedure-type-list"))

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["results"]) >= 5
    simplified = next(row for row in body["results"] if row["code"] == "adjudicacion-simplificada")
    assert simplified == {
        "code": "adjudicacion-simplificada",
        "name": "Adjudicación simplificada",
        "jurisdiction": "PE",
        "objects": ["goods", "services", "works", "consulting"],
        "stages": [
            "enquiries",
            "integrated_bases",
            "bidding",
            "opening",
            "evaluation",
            "award",
            "appeal",
            "consent",
            "contract",
        ],
        "min_durations": {"enquiries": {"days": 3, "unit": "working"}, "bidding": {"days": 8, "unit": "working"}},
        "value_min": "42800.00",
        "value_max": "481499.99",
        "min_bids": 1,
        "appeal_window": {"days": 5, "unit": "working"},
        "evaluation": "weighted",
    }


# --- Plans ----------------------------------------------------------------------------------------------------


def plan_json(plan: Plan) -> dict:
    line = plan.lines.get()
    return {
        "id": plan.pk,
        "entity": {"id": plan.entity_id, "name": plan.entity.name, "tax_id": plan.entity.tax_id},
        "fiscal_year": plan.fiscal_year,
        "version": plan.version,
        "status": plan.status,
        "published_at": utc(plan.published_at) if plan.published_at else None,
        "lines": [
            {
                "id": line.pk,
                "number": 1,
                "description": line.description,
                "object": "goods",
                "procedure_type": "adjudicacion-simplificada",
                "unspsc_code": line.unspsc_code,
                "estimated_value": "250000.00",
                "currency": "PEN",
                "planned_month": line.planned_month,
            }
        ],
    }


def test_an_officer_drafts_publishes_and_modifies_a_plan(world, clock):
    client = person(world)

    created = client.post(
        reverse("api-plan-list"), {"fiscal_year": 2027, "lines": [PLAN_LINE]}, content_type="application/json"
    )

    assert created.status_code == 201, created.content
    plan = Plan.objects.get(pk=created.json()["id"])
    assert (plan.entity, plan.fiscal_year, plan.version, plan.status) == (world.entity, 2027, 1, PlanStatus.DRAFT)
    assert created.json() == plan_json(plan)
    assert created.json()["lines"][0]["description"] == "Computadoras de escritorio"

    clock.advance(minutes=5)
    published = client.post(reverse("api-plan-publish", args=[plan.pk]))

    assert published.status_code == 200
    assert published.json()["status"] == "published"
    assert published.json()["published_at"] == utc(clock.now)

    modified = client.post(
        reverse("api-plan-versions", args=[plan.pk]),
        {"lines": [PLAN_LINE | {"estimated_value": "300000.00"}]},
        content_type="application/json",
    )

    assert modified.status_code == 201
    assert (modified.json()["version"], modified.json()["status"]) == (2, "draft")
    assert modified.json()["lines"][0]["estimated_value"] == "300000.00"
    client.post(reverse("api-plan-publish", args=[modified.json()["id"]]))
    assert sorted(Plan.objects.filter(fiscal_year=2027).values_list("version", "status")) == [
        (1, "superseded"),
        (2, "published"),
    ]
    assert AuditEvent.objects.filter(action="plan.published").count() == 2


def test_plans_are_public_but_drafts_stay_with_their_entity(world):
    published = world.plan()
    draft = world.draft_plan()
    url = reverse("api-plan-list")

    public = Client().get(url).json()
    members = person(world, EVALUATOR).get(url).json()
    outsiders = person(world, OTHER_OFFICER).get(url).json()

    assert public == {"count": 1, "next": None, "previous": None, "results": [plan_json(published)]}
    assert outsiders["results"] == public["results"]
    assert [row["id"] for row in members["results"]] == [draft.pk, published.pk]
    assert Client().get(url, {"fiscal_year": 2027}).json()["results"] == []
    assert Client().get(url, {"entity": world.entity.pk}).json()["count"] == 1
    assert_problem(Client().get(reverse("api-plan-detail", args=[draft.pk])), 404, "plan_not_found")


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"lines": []}, 400, "required", "lines"),
        ({"fiscal_year": 1999}, 400, "invalid_year", "fiscal_year"),
        ({"fiscal_year": "próximo"}, 400, "validation_error", "fiscal_year"),
        ({"lines": [PLAN_LINE | {"estimated_value": 250000.5}]}, 400, "validation_error", "lines"),
        ({"lines": [PLAN_LINE | {"estimated_value": "-1"}]}, 400, "invalid_value", "lines[0].estimated_value"),
        ({"lines": [PLAN_LINE | {"procedure_type": "trato-directo"}]}, 400, "invalid_procedure_type", None),
        ({"lines": [PLAN_LINE | {"object": "food"}]}, 400, "invalid_object", "lines[0].object"),
        ({"lines": [PLAN_LINE | {"estimated_value": "900000.00"}]}, 400, "outside_thresholds", None),
        ({"entity": 999_999}, 404, "organisation_not_found", None),
    ],
)
def test_a_refused_plan_writes_nothing(world, change, status, code, field):
    before = state()

    response = person(world).post(
        reverse("api-plan-list"), {"fiscal_year": 2027, "lines": [PLAN_LINE]} | change, content_type="application/json"
    )

    body = assert_problem(response, status, code)
    if field:
        assert field in body["errors"]
    assert state() == before


def test_malformed_json_is_refused(world):
    before = state()

    response = person(world).post(reverse("api-plan-list"), '{"fiscal_year": 20', content_type="application/json")

    assert_problem(response, 400, "malformed_request")
    assert state() == before


def test_publishing_a_published_plan_is_a_conflict(world):
    plan = world.plan()
    before = state()

    response = person(world).post(reverse("api-plan-publish", args=[plan.pk]))

    assert_problem(response, 409, "invalid_transition", in_spanish("Only a draft plan can be published."))
    assert state() == before


# --- Tenders -----------------------------------------------------------------------------------------------


def test_an_officer_drafts_schedules_and_publishes_a_tender(world, clock):
    client = person(world)
    line = world.plan().lines.get()

    created = client.post(
        reverse("api-tender-list"),
        {"plan_line": line.pk, "title": "Adquisición de computadoras", "description": "Para las sedes", "lots": [LOT]},
        content_type="application/json",
    )

    assert created.status_code == 201, created.content
    tender = Tender.objects.get()
    lot = tender.lots.get()
    assert created.json() == {
        "id": tender.pk,
        "code": tender.code,
        "title": "Adquisición de computadoras",
        "entity": {"id": world.entity.pk, "name": world.entity.name, "tax_id": world.entity.tax_id},
        "procedure_type": {"code": "adjudicacion-simplificada", "name": "Adjudicación simplificada"},
        "object": "goods",
        "currency": "PEN",
        "reference_value": "180000.00",
        "status": "draft",
        "published_at": None,
        "bids_due": None,
        "description": "Para las sedes",
        "plan_line": line.pk,
        "status_reason": "",
        "chronogram": dict.fromkeys(
            ["published_at", "enquiries_end", "integrated_bases_at", "bids_due", "opening_at", "auction_at"]
        ),
        "lots": [
            {
                "id": lot.pk,
                "number": 1,
                "title": "Computadoras portátiles",
                "reference_value": "180000.00",
                "mype_reserved": False,
                "status": "open",
                "items": [ITEM | {"number": 1, "quantity": "40.000"}],
            }
        ],
        "documents": [],
        "questions": [],
    }

    scheduled = client.put(
        reverse("api-tender-timeline", args=[tender.pk]), timeline_body(), content_type="application/json"
    )

    assert scheduled.status_code == 200, scheduled.content
    timeline = earliest(MONDAY_9AM)
    assert scheduled.json()["chronogram"] == {
        "published_at": "2026-07-06T14:00:00Z",
        "enquiries_end": "2026-07-09T22:00:00Z",
        "integrated_bases_at": "2026-07-10T22:00:00Z",
        "bids_due": "2026-07-22T22:00:00Z",
        "opening_at": "2026-07-22T22:00:00Z",
        "auction_at": None,
    }
    assert utc(timeline.bids_due) == "2026-07-22T22:00:00Z"

    clock.advance(minutes=1)
    published = client.post(reverse("api-tender-publish", args=[tender.pk]))

    assert published.status_code == 200
    assert (published.json()["status"], published.json()["published_at"]) == ("published", utc(clock.now))
    assert Client().get(reverse("api-tender-detail", args=[tender.pk])).json() == published.json()


def test_the_chronogram_can_also_be_sent_with_post_and_lima_offsets(world):
    tender = world.draft()
    body = timeline_body()
    assert body["bids_due"] == "2026-07-22T17:00:00-05:00"

    response = person(world).post(
        reverse("api-tender-timeline", args=[tender.pk]), body, content_type="application/json"
    )

    assert response.status_code == 200
    tender.refresh_from_db()
    assert tender.bids_due == datetime(2026, 7, 22, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"bids_due": "2026-07-22T17:00:00"}, "validation_error", "bids_due"),
        ({"bids_due": "el miércoles"}, "validation_error", "bids_due"),
        ({"bids_due": "2026-07-10T17:00:00-05:00"}, "invalid_timeline", "bids_due"),
        ({"auction_at": "2026-07-23T17:00:00-05:00"}, "invalid_timeline", "auction_at"),
        ({"published_at": "2026-07-06T08:00:00-05:00"}, "in_the_past", "published_at"),
    ],
)
def test_a_refused_chronogram_writes_nothing(world, change, code, field):
    tender = world.draft()
    before = state()

    response = person(world).put(
        reverse("api-tender-timeline", args=[tender.pk]), timeline_body() | change, content_type="application/json"
    )

    body = assert_problem(response, 400, code)
    assert list(body["errors"]) == [field]
    assert state() == before


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"title": ""}, 400, "required", "title"),
        ({"currency": "EUR"}, 400, "invalid_currency", "currency"),
        ({"lots": []}, 400, "required", "lots"),
        ({"lots": [LOT | {"reference_value": 180000}]}, 400, "validation_error", "lots"),
        ({"lots": [LOT | {"items": [ITEM | {"unit": "XX"}]}]}, 400, "invalid_unit", "lots[0].items[0].unit"),
        ({"lots": [LOT | {"items": [ITEM | {"quantity": "0"}]}]}, 400, "invalid_quantity", "lots[0].items[0].quantity"),
        ({"lots": [LOT | {"items": [ITEM | {"region_code": "99"}]}]}, 400, "invalid_region", None),
        ({"plan_line": 999_999}, 404, "plan_line_not_found", None),
    ],
)
def test_a_refused_tender_writes_nothing(world, change, status, code, field):
    body = {"plan_line": world.plan().lines.get().pk, "title": "Computadoras", "lots": [LOT]} | change
    before = state()

    response = person(world).post(reverse("api-tender-list"), body, content_type="application/json")

    problem = assert_problem(response, status, code)
    if field:
        assert field in problem["errors"]
    assert state() == before


def test_a_tender_is_drafted_only_from_the_published_plan(world):
    draft_plan = world.draft_plan()
    before = state()

    response = person(world).post(
        reverse("api-tender-list"),
        {"plan_line": draft_plan.lines.get().pk, "title": "Computadoras", "lots": [LOT]},
        content_type="application/json",
    )

    assert_problem(response, 409, "plan_not_published")
    assert state() == before


def test_publishing_without_a_chronogram_is_a_conflict(world):
    tender = world.draft()
    before = state()

    response = person(world).post(reverse("api-tender-publish", args=[tender.pk]))

    assert_problem(response, 409, "no_timeline")
    assert state() == before


def test_cancel_needs_a_reason_and_then_leaves_the_tender(world):
    tender = world.published()
    url = reverse("api-tender-cancel", args=[tender.pk])
    before = state()

    refused = person(world).post(url, {"reason": "  "}, content_type="application/json")

    assert list(assert_problem(refused, 400, "required")["errors"]) == ["reason"]
    assert state() == before

    response = person(world).post(url, {"reason": "La necesidad cambió"}, content_type="application/json")

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_reason"]) == ("cancelled", "La necesidad cambió")
    assert [lot["status"] for lot in response.json()["lots"]] == ["cancelled"]


def test_the_oversight_body_annuls(world):
    tender = world.published()

    response = person(world, REVIEWER).post(
        reverse("api-tender-annul", args=[tender.pk]), {"reason": "Vicio de nulidad"}, content_type="application/json"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["status_reason"]) == ("annulled", "Vicio de nulidad")
    assert_problem(
        person(world, REVIEWER).post(
            reverse("api-tender-annul", args=[tender.pk]), {"reason": "Otra vez"}, content_type="application/json"
        ),
        409,
        "invalid_transition",
    )


def test_a_deadline_extension_gives_bidders_three_working_days(world, clock):
    tender = world.bidding()
    assert clock.now == datetime(2026, 7, 22, 21, 0, tzinfo=UTC)

    response = person(world).post(reverse("api-tender-deadline-extension", args=[tender.pk]))

    # Wednesday 22 July, 16:00 in Lima: the third working day after it is Thursday 30 July (the 23rd,
    # 28th and 29th are holidays), at the same time of day as before (17:00 in Lima).
    assert response.status_code == 200
    assert response.json()["bids_due"] == "2026-07-30T22:00:00Z"
    assert response.json()["chronogram"]["bids_due"] == "2026-07-30T22:00:00Z"
    assert response.json()["chronogram"]["opening_at"] == "2026-07-30T22:00:00Z"
    tender.refresh_from_db()
    assert tender.bids_due == datetime(2026, 7, 30, 22, 0, tzinfo=UTC)
    assert AuditEvent.objects.filter(action="tender.deadline_extended").count() == 1


def test_no_deadline_extension_once_bids_are_due(world, clock):
    tender = world.bidding()
    clock.set(tender.bids_due)
    before = state()

    response = person(world).post(reverse("api-tender-deadline-extension", args=[tender.pk]))

    assert_problem(response, 409, "bids_closed")
    assert state() == before


def test_drafts_are_not_found_by_outsiders(world):
    draft = world.draft()

    for caller in (ANONYMOUS, REPRESENTATIVE, OTHER_OFFICER, REVIEWER):
        client = Client() if caller == ANONYMOUS else person(world, caller)
        assert_problem(client.get(reverse("api-tender-detail", args=[draft.pk])), 404, "tender_not_found")
        assert client.get(reverse("api-tender-list")).json()["results"] == []
    assert person(world, EVALUATOR).get(reverse("api-tender-detail", args=[draft.pk])).status_code == 200


def test_the_entitys_own_token_reads_its_drafts_but_acts_on_nothing(world):
    draft = world.scheduled()
    administrator = member(OrganisationKind.CONTRACTING_ENTITY, Role.ADMINISTRATOR, world.entity)
    token = bearer(world.token(["read", "bids:write"], organisation=world.entity, owner=administrator))
    before = state()

    read = token.get(reverse("api-tender-detail", args=[draft.pk]))
    published = token.post(reverse("api-tender-publish", args=[draft.pk]))
    counted = token.get(reverse("api-tender-bid-summary", args=[draft.pk]))

    assert (read.status_code, read.json()["status"]) == (200, "draft")
    assert_problem(
        published, 403, "permission_denied", in_spanish("This action needs a signed-in person, not an API token.")
    )
    assert_problem(counted, 403, "permission_denied")
    assert state() == before


def test_the_tender_search_filters(world, clock):
    ours = world.published()
    world.draft()  # the entity's draft: only its members find it
    clock.advance(minutes=1)
    other_officer = entity_officer()
    services_plan = published_plan(
        other_officer, lines=[line_data(object="services", unspsc_code="80101500", estimated_value=Decimal("90000"))]
    )
    theirs = draft_tender(
        other_officer,
        plan=services_plan,
        lots=[lot_data(reference_value=Decimal("90000"), items=[item_data(unspsc_code="80101505", region_code="08")])],
    )
    theirs = tender_set_timeline(actor=other_officer, tender=theirs, timeline=earliest(clock.now))
    theirs = tender_publish(actor=other_officer, tender=theirs)
    url = reverse("api-tender-list")

    def found(**params):
        response = Client().get(url, params)
        assert response.status_code == 200, response.content
        return [row["code"] for row in response.json()["results"]]

    assert found() == [theirs.code, ours.code]
    assert found(status="published") == [theirs.code, ours.code]
    assert found(status="draft") == []
    assert found(entity=world.entity.pk) == [ours.code]
    assert found(object="services") == [theirs.code]
    assert found(procedure_type="adjudicacion-simplificada") == [theirs.code, ours.code]
    assert found(procedure_type="licitacion-publica") == []
    assert found(category="43") == [ours.code]
    assert found(category="4321") == [ours.code]
    assert found(category="80101505") == [theirs.code]
    assert found(region="08") == [theirs.code]
    assert found(region="08", object="goods") == []
    page = Client().get(url, {"limit": 1}).json()
    assert (page["count"], len(page["results"]), page["previous"]) == (2, 1, None)
    assert "offset=1" in page["next"]


def test_a_malformed_tender_filter_is_a_400(world):
    response = Client().get(reverse("api-tender-list"), {"category": "4", "status": "open"})

    body = assert_problem(response, 400, "validation_error")
    assert set(body["errors"]) == {"category", "status"}


def test_the_tender_list_reads_a_fixed_number_of_queries(world, clock):
    world.published()
    url = reverse("api-tender-list")
    with CaptureQueriesContext(connection) as one:
        Client().get(url)
    for _ in range(3):
        world.published()

    with CaptureQueriesContext(connection) as four:
        response = Client().get(url)

    assert response.json()["count"] == 4
    assert len(four) == len(one)


# --- Participation -----------------------------------------------------------------------------------------


def test_a_supplier_registers_once(world, clock):
    tender = world.published()
    client = person(world, REPRESENTATIVE)
    url = reverse("api-tender-participants", args=[tender.pk])

    first = client.post(url, {}, content_type="application/json")
    again = client.post(url, {"organisation": world.supplier.organisation_id}, content_type="application/json")

    assert first.status_code == 201
    assert first.json() == {
        "tender": tender.pk,
        "organisation": {
            "id": world.supplier.organisation_id,
            "name": world.supplier.organisation.name,
            "tax_id": world.supplier.organisation.tax_id,
        },
        "registered_at": utc(clock.now),
    }
    assert (again.status_code, again.json()) == (200, first.json())
    assert Participant.objects.count() == 1


def test_a_supplier_cannot_register_for_an_organisation_it_does_not_belong_to(world):
    tender = world.published()
    stranger = registered_supplier(2)
    before = state()

    response = person(world, REPRESENTATIVE).post(
        reverse("api-tender-participants", args=[tender.pk]),
        {"organisation": stranger.organisation_id},
        content_type="application/json",
    )

    assert_problem(response, 404, "organisation_not_found")
    assert state() == before


def test_questions_answers_and_their_publication(world, clock):
    tender = world.enquiries()
    lot = tender.lots.get()
    asker = person(world, REPRESENTATIVE)
    officer = person(world)
    questions_url = reverse("api-tender-questions", args=[tender.pk])

    asked = asker.post(
        questions_url,
        {"text": "¿Se aceptan equipos de 15?", "kind": "question", "lot": lot.pk},
        content_type="application/json",
    )

    assert asked.status_code == 201, asked.content
    question = Question.objects.get()
    assert asked.json() == {
        "id": question.pk,
        "tender": tender.pk,
        "lot": lot.pk,
        "kind": "question",
        "text": "¿Se aceptan equipos de 15?",
        "asked_at": utc(clock.now),
    }
    # Until the answers are published: the officer sees the question and who asked, nobody else anything.
    assert asker.get(questions_url).json() == []
    assert Client().get(questions_url).json() == []
    organisation = world.supplier.organisation
    assert officer.get(questions_url).json() == [
        {
            "id": question.pk,
            "kind": "question",
            "lot_number": 1,
            "text": "¿Se aceptan equipos de 15?",
            "asker": {"id": organisation.pk, "name": organisation.name, "tax_id": organisation.tax_id},
            "asked_at": utc(clock.now),
            "answer": "",
            "answered_at": None,
            "published_at": None,
        }
    ]

    clock.advance(hours=1)
    answered = officer.post(
        reverse("api-question-answer", args=[question.pk]),
        {"answer": "Sí, de 14 o 15."},
        content_type="application/json",
    )

    assert answered.status_code == 200
    assert (answered.json()["answer"], answered.json()["answered_at"]) == ("Sí, de 14 o 15.", utc(clock.now))
    assert Client().get(questions_url).json() == []

    clock.set(tender.enquiries_end + timedelta(minutes=1))
    published = officer.post(reverse("api-tender-answers-publish", args=[tender.pk]), bases_upload())

    assert published.status_code == 200, published.content
    document = TenderDocument.objects.get()
    assert published.json()["status"] == "integrated_bases"
    assert published.json()["documents"] == [
        {
            "id": document.pk,
            "kind": "integrated_bases",
            "version": 1,
            "title": "Bases integradas",
            "sha256": hashlib.sha256(BASES).hexdigest(),
            "size": len(BASES),
            "published_at": utc(clock.now),
        }
    ]
    public = [
        {
            "number": 1,
            "kind": "question",
            "lot_number": 1,
            "text": "¿Se aceptan equipos de 15?",
            "answer": "Sí, de 14 o 15.",
            "published_at": utc(clock.now),
        }
    ]
    assert published.json()["questions"] == public
    assert Client().get(questions_url).json() == public
    page = Client().get(reverse("api-tender-detail", args=[tender.pk])).content.decode()
    assert organisation.name not in page
    assert organisation.tax_id not in page


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"text": "   "}, "required", "text"),
        ({"text": "x" * 4001}, "too_long", "text"),
        ({"text": "¿Plazo?", "kind": "complaint"}, "invalid_kind", "kind"),
        ({"text": "¿Plazo?", "lot": 999_999}, "validation_error", "lot"),
        ({}, "validation_error", "text"),
    ],
)
def test_a_refused_question_writes_nothing(world, body, code, field):
    tender = world.enquiries()
    before = state()

    response = person(world, REPRESENTATIVE).post(
        reverse("api-tender-questions", args=[tender.pk]), body, content_type="application/json"
    )

    assert list(assert_problem(response, 400, code)["errors"]) == [field]
    assert state() == before


def test_a_question_about_another_tenders_lot_is_refused(world):
    tender = world.enquiries()
    other_lot = world.draft().lots.get()
    before = state()

    response = person(world, REPRESENTATIVE).post(
        reverse("api-tender-questions", args=[tender.pk]),
        {"text": "¿?", "lot": other_lot.pk},
        content_type="application/json",
    )

    assert list(assert_problem(response, 400, "validation_error")["errors"]) == ["lot"]
    assert state() == before


def test_questions_after_the_enquiries_end_are_refused(world, clock):
    tender = world.enquiries()
    clock.set(tender.enquiries_end + timedelta(seconds=1))
    before = state()

    response = person(world, REPRESENTATIVE).post(
        reverse("api-tender-questions", args=[tender.pk]), {"text": "¿Plazo?"}, content_type="application/json"
    )

    assert_problem(response, 409, "enquiries_closed")
    assert state() == before


def test_an_empty_answer_is_refused(world):
    question = world.question()
    before = state()

    response = person(world).post(
        reverse("api-question-answer", args=[question.pk]), {"answer": ""}, content_type="application/json"
    )

    assert list(assert_problem(response, 400, "required")["errors"]) == ["answer"]
    assert state() == before


@pytest.mark.parametrize(
    ("body", "status", "code", "field"),
    [
        ({"title": "Bases integradas"}, 400, "required", "document_file"),
        ({"document_file": "no es un archivo"}, 400, "validation_error", "document_file"),
    ],
)
def test_answers_are_published_only_with_the_integrated_bases(world, body, status, code, field):
    tender = world.answered_and_closed()
    before = state()

    response = person(world).post(reverse("api-tender-answers-publish", args=[tender.pk]), body)

    assert list(assert_problem(response, status, code)["errors"]) == [field]
    assert state() == before


def test_answers_publish_takes_multipart_only(world):
    tender = world.answered_and_closed()
    before = state()

    response = person(world).post(
        reverse("api-tender-answers-publish", args=[tender.pk]), {"title": "Bases"}, content_type="application/json"
    )

    assert_problem(response, 415, "unsupported_media_type")
    assert state() == before


def test_answers_are_not_published_while_questions_are_received(world, clock):
    tender = world.question().tender
    question_answer(actor=world.officer, question=tender.questions.get(), answer="Sí.")
    before = state()

    response = person(world).post(reverse("api-tender-answers-publish", args=[tender.pk]), bases_upload())

    assert_problem(response, 409, "enquiries_open")
    assert state() == before


# --- Bids --------------------------------------------------------------------------------------------------


def post_bid(client: Client, lot_id: int, body: dict, **headers):
    return client.post(reverse("api-lot-bids", args=[lot_id]), body, content_type="application/json", headers=headers)


def withdraw(client: Client, bid_id: int):
    return client.post(reverse("api-bid-withdraw", args=[bid_id]), {}, content_type="application/json")


def test_a_representative_submits_a_bid_and_gets_its_receipt(world, clock):
    tender = world.bidding()
    lot = tender.lots.get()

    response = post_bid(person(world, REPRESENTATIVE), lot.pk, bid_body(key="erp-77"))

    assert response.status_code == 201, response.content
    bid = Bid.objects.get()
    receipt = response.json()
    assert receipt == {
        "bid_id": bid.pk,
        "tender_code": tender.code,
        "lot_number": 1,
        "bidder_ruc": world.supplier.ruc,
        "received_at": utc(clock.now),
        "digest": bid.digest,
        "salt": receipt["salt"],
    }
    content = {"salt": receipt["salt"], "prices": {"1": Decimal(PRICE)}, "technical": {"delivery_days": 15}}
    assert hashlib.sha256(canonical_json(content)).hexdigest() == bid.digest
    assert (bid.status, bid.idempotency_key, bid.received_at) == (BidStatus.SUBMITTED, "erp-77", clock.now)


def test_a_token_with_bids_write_submits_for_its_own_supplier(world, clock):
    lot = world.bidding().lots.get()

    response = post_bid(bearer(world.token(["bids:write"])), lot.pk, bid_body())

    assert response.status_code == 201, response.content
    bid = Bid.objects.get()
    assert bid.participant.organisation == world.supplier.organisation
    event = AuditEvent.objects.get(action="bid.submitted")
    assert event.actor_id is None
    assert event.actor_label.startswith("token:")


def test_a_read_only_token_cannot_bid_and_a_write_only_token_cannot_list(world):
    lot = world.bidding().lots.get()
    reader, writer = bearer(world.token(["read"])), bearer(world.token(["bids:write"]))
    before = state()

    lacks(post_bid(reader, lot.pk, bid_body()), "bids:write")
    lacks(writer.get(reverse("api-bid-list")), "read")
    assert state() == before


def test_the_idempotency_key_header_wins_and_a_replay_returns_the_same_receipt(world, clock):
    lot = world.bidding().lots.get()
    client = person(world, REPRESENTATIVE)

    first = post_bid(client, lot.pk, bid_body(key="from-body"), **{"Idempotency-Key": "from-header"})
    clock.advance(seconds=30)
    replay = post_bid(client, lot.pk, bid_body(key="something-else"), **{"Idempotency-Key": "from-header"})

    assert first.status_code == 201
    assert replay.status_code == 200
    assert replay.json() == first.json()
    assert list(Bid.objects.values_list("idempotency_key", "status")) == [("from-header", "submitted")]
    assert AuditEvent.objects.filter(action="bid.submitted").count() == 1


def test_a_replay_by_body_key_returns_the_same_receipt_even_after_the_deadline(world, clock):
    tender = world.bidding()
    lot = tender.lots.get()
    client = person(world, REPRESENTATIVE)
    first = post_bid(client, lot.pk, bid_body(key="erp-1"))
    clock.set(tender.bids_due + timedelta(seconds=5))

    replay = post_bid(client, lot.pk, bid_body(key="erp-1"))

    assert (replay.status_code, replay.json()) == (200, first.json())
    assert Bid.objects.count() == 1


def test_the_same_key_with_other_content_is_a_conflict(world):
    lot = world.bidding().lots.get()
    client = person(world, REPRESENTATIVE)
    post_bid(client, lot.pk, bid_body(key="erp-1"))
    before = state()

    response = post_bid(client, lot.pk, bid_body(key="erp-1", prices={"1": "1000.00"}))

    assert_problem(response, 409, "idempotency_conflict")
    assert state() == before


@pytest.mark.parametrize("seconds", [0, 1])
def test_a_late_bid_is_refused_by_server_time(world, clock, seconds):
    tender = world.bidding()
    clock.set(tender.bids_due + timedelta(seconds=seconds))
    before = state()

    response = post_bid(person(world, REPRESENTATIVE), tender.lots.get().pk, bid_body())

    assert_problem(response, 409, "deadline_passed")
    assert state() == before


def test_one_second_before_the_deadline_is_in_time(world, clock):
    tender = world.bidding()
    clock.set(tender.bids_due - timedelta(seconds=1))

    response = post_bid(person(world, REPRESENTATIVE), tender.lots.get().pk, bid_body())

    assert response.status_code == 201
    assert response.json()["received_at"] == utc(tender.bids_due - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (bid_body(prices={"1": 1234.56}), "validation_error", "prices"),
        (bid_body(prices={"1": "mil"}), "invalid_price", "prices[1]"),
        (bid_body(prices={"1": "10.005"}), "invalid_price", "prices[1]"),
        (bid_body(prices={"1": "-5"}), "invalid_price", "prices[1]"),
        (bid_body(prices={"1": "10", "2": "5"}), "unknown_item", "prices[2]"),
        (bid_body(prices={"uno": "10"}), "unknown_item", "prices[uno]"),
        ({"technical": {}, "idempotency_key": "k"}, "validation_error", "prices"),
        (bid_body() | {"technical": {"weight": 1.5}}, "invalid", "technical"),
        (bid_body() | {"technical": "rápido"}, "validation_error", "technical"),
        (bid_body(key=""), "invalid_idempotency_key", "idempotency_key"),
        (bid_body(key="k" * 101), "invalid_idempotency_key", "idempotency_key"),
    ],
)
def test_a_refused_bid_writes_nothing(world, body, code, field):
    lot = world.bidding().lots.get()
    before = state()

    response = post_bid(person(world, REPRESENTATIVE), lot.pk, body)

    assert list(assert_problem(response, 400, code)["errors"]) == [field]
    assert state() == before


def test_a_supplier_that_did_not_register_cannot_bid(world):
    lot = world.bidding().lots.get()
    stranger = registered_supplier(2)
    client = Client()
    client.force_login(stranger.owner)
    before = state()

    response = post_bid(client, lot.pk, bid_body())

    assert_problem(response, 409, "not_participant")
    assert state() == before


def test_a_token_bids_only_for_its_own_organisation(world):
    lot = world.bidding().lots.get()
    stranger = registered_supplier(2)
    key = world.token(["read", "bids:write"], organisation=stranger.organisation, owner=stranger.owner)
    before = state()

    named = post_bid(bearer(key), lot.pk, bid_body() | {"organisation": world.supplier.organisation_id})
    own = post_bid(bearer(key), lot.pk, bid_body())

    assert_problem(named, 404, "organisation_not_found")
    assert_problem(own, 409, "not_participant")
    assert state() == before


def test_a_bid_is_withdrawn_and_listed_with_its_status(world, clock):
    tender = world.bidding()
    bid = world.bid(tender)
    client = person(world, REPRESENTATIVE)

    withdrawn = withdraw(client, bid.pk)
    listed = client.get(reverse("api-bid-list"))

    own = {
        "id": bid.pk,
        "tender": tender.pk,
        "tender_code": tender.code,
        "lot_number": 1,
        "status": "withdrawn",
        "received_at": utc(bid.received_at),
        "digest": bid.digest,
    }
    assert (withdrawn.status_code, withdrawn.json()) == (200, own)
    assert listed.json() == {"count": 1, "next": None, "previous": None, "results": [own]}
    before = state()
    assert_problem(withdraw(client, bid.pk), 409, "not_live")
    assert state() == before


def test_no_withdrawal_after_the_deadline(world, clock):
    tender = world.bidding()
    bid = world.bid(tender)
    clock.set(tender.bids_due)
    before = state()

    response = withdraw(person(world, REPRESENTATIVE), bid.pk)

    assert_problem(response, 409, "deadline_passed")
    assert state() == before


def test_a_second_supplier_cannot_see_or_touch_the_first_ones_bids(world):
    second = registered_supplier(2)
    tender = world.bidding(world.supplier, second)
    first_bid = world.bid(tender)
    second_bid = world.bid(tender, supplier=second, prices={1: Decimal("999.99")}, key="erp-2")
    client = Client()
    client.force_login(second.owner)
    token = bearer(world.token(["read", "bids:write"], organisation=second.organisation, owner=second.owner))
    before = state()

    for caller in (client, token):
        listed = caller.get(reverse("api-bid-list"))
        assert [row["id"] for row in listed.json()["results"]] == [second_bid.pk]
        assert first_bid.digest not in listed.content.decode()
        assert_problem(withdraw(caller, first_bid.pk), 404, "bid_not_found")
        assert_problem(
            caller.get(reverse("api-bid-list"), {"organisation": world.supplier.organisation_id}),
            404,
            "organisation_not_found",
        )
        assert_problem(caller.get(reverse("api-tender-bid-summary", args=[tender.pk])), 403, "permission_denied")
    assert state() == before


def test_the_officer_sees_how_many_live_bids_each_lot_has_and_nothing_else(world):
    second = registered_supplier(2)
    tender = world.bidding(world.supplier, second, lots=[lot_data(), lot_data(title="Monitores")])
    world.bid(tender)
    world.bid(tender, supplier=second, key="erp-2")

    response = person(world).get(reverse("api-tender-bid-summary", args=[tender.pk]))

    assert response.json() == {
        "tender": tender.pk,
        "lots": [{"lot_number": 1, "live_bids": 2}, {"lot_number": 2, "live_bids": 0}],
    }
    assert_problem(person(world).get(reverse("api-bid-list")), 403, "permission_denied")


def test_no_get_reveals_a_sealed_price_or_who_bid_before_the_opening(world, clock):
    second = registered_supplier(2)
    tender = world.bidding(world.supplier, second)
    receipt = post_bid(person(world, REPRESENTATIVE), tender.lots.get().pk, bid_body()).json()
    world.bid(tender, supplier=second, prices={1: Decimal("987.65")}, key="erp-2")
    bidder = world.supplier.organisation
    urls = [
        reverse("api-procedure-type-list"),
        reverse("api-plan-list"),
        reverse("api-plan-detail", args=[world.plan().pk]),
        reverse("api-tender-list"),
        reverse("api-tender-detail", args=[tender.pk]),
        reverse("api-tender-questions", args=[tender.pk]),
        reverse("api-tender-bid-summary", args=[tender.pk]),
        reverse("api-bid-list"),
    ]

    for caller in CALLERS:
        client = world.client(caller)
        for url in urls:
            text = client.get(url).content.decode()
            for secret in (PRICE, "123456", "987.65", "98765", receipt["salt"]):
                assert secret not in text, (caller, url)
            if caller not in (REPRESENTATIVE, TOKEN):
                assert bidder.tax_id not in text, (caller, url)
                assert bidder.name not in text, (caller, url)
                assert receipt["digest"] not in text, (caller, url)


def test_money_is_written_as_decimal_strings(world):
    tender = world.published()

    body = Client().get(reverse("api-tender-detail", args=[tender.pk])).json()

    assert body["reference_value"] == "180000.00"
    assert body["lots"][0]["reference_value"] == "180000.00"
    assert body["lots"][0]["items"][0]["quantity"] == "40.000"
