"""The integrator API for trade documents: send XML, read status, report, original and conversion,
list with filters, answer; and who may call which endpoint.

Validation is enqueued after commit and runs eagerly in the suite; ``send`` wraps the request in
``captureOnCommitCallbacks(execute=True)`` so that the document is validated when it returns (the
response itself was written before the commit: a 202 says ``received``).
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from portal.accounts.enums import OrganisationKind, Role
from portal.notifications.models import Notification
from tests.factories import MembershipFactory
from tests.portal.api_helpers import PROBLEM, assert_problem, bearer, in_spanish
from tests.tradedocs import samples
from tests.tradedocs.factories import (
    BUYER_RUC,
    SELLER_RUC,
    Parties,
    breaking_br_co_10,
    invoice_xml,
    order_xml,
    parties,
    submit,
)
from tradedocs.enums import DocumentStatus
from tradedocs.model import Identifier, to_terms
from tradedocs.models import Document
from tradedocs.xml.documents import parse, render, validate_bytes

pytestmark = pytest.mark.django_db

XML = "application/xml"
LIST = reverse("api-documents")
PRINT_TEMPLATE = Path(settings.BASE_DIR) / "templates" / "tradedocs" / "document_print.html"


def url(name: str, document: Document | int) -> str:
    return reverse(name, args=[getattr(document, "pk", document)])


def send(client: Client, data: bytes, *, content_type: str = XML, query: str = ""):
    """POST ``data`` to the documents endpoint; what waits for the commit (validation) has run on return."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(LIST + query, data=data, content_type=content_type)


def person(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def state() -> tuple:
    return (
        list(Document.objects.order_by("pk").values_list("pk", "status", "reasons")),
        Notification.objects.count(),
    )


def lacks(response, scope: str) -> None:
    assert_problem(
        response, 403, "permission_denied", in_spanish("The API token lacks the scope '%(scope)s'.") % {"scope": scope}
    )


@pytest.fixture
def world() -> Parties:
    return parties()


@pytest.fixture
def delivered(world) -> Document:
    """The rich invoice in CII, sent by the seller's representative: valid, in the buyer's inbox."""
    document = submit(world.representative, world.seller, invoice_xml("cii"))
    assert document.status == DocumentStatus.VALID
    return document


# --- sending -----------------------------------------------------------------------------------------


def test_sending_an_invoice_answers_202_with_its_location(world):
    data = invoice_xml("cii")

    response = send(bearer(world.token(["read", "documents:write"])), data)

    assert response.status_code == 202, response.content
    document = Document.objects.get()
    assert response["Location"] == f"/api/v1/documents/{document.pk}/"
    body = response.json()
    assert body["id"] == document.pk
    # the answer was written before the commit that starts validation
    assert body["status"] == DocumentStatus.RECEIVED
    assert (body["document_type"], body["syntax"], body["number"]) == ("invoice", "cii", "F001-00000123")
    assert (body["seller_tax_id"], body["buyer_tax_id"]) == (SELLER_RUC, BUYER_RUC)
    assert (body["sender"], body["receiver"]) == (SELLER_RUC, BUYER_RUC)
    assert (body["amount"], body["currency"], body["issue_date"]) == ("3000.0000", "PEN", "2026-11-20")
    assert body["sha256"] == hashlib.sha256(data).hexdigest()
    assert body["size"] == len(data)
    assert body["links"] == {
        "self": f"/api/v1/documents/{document.pk}/",
        "report": f"/api/v1/documents/{document.pk}/report/",
        "original": f"/api/v1/documents/{document.pk}/original/",
        "html": f"/api/v1/documents/{document.pk}/html/",
        "converted": f"/api/v1/documents/{document.pk}/converted/",
    }
    assert document.submitted_via.startswith("token:")
    # by the time the client asks, validation has run
    status = bearer(world.token(["read"])).get(response["Location"])
    assert status.status_code == 200
    assert status.json()["status"] == DocumentStatus.VALID
    assert status.json()["validated_at"] is not None


def test_a_person_sends_as_the_organisation_they_name(world):
    # Given a person who represents the seller and also another supplier
    MembershipFactory(user=world.stranger, organisation=world.seller, role=Role.SUPPLIER_REPRESENTATIVE)

    response = send(person(world.stranger), invoice_xml("ubl"), query=f"?organisation={world.seller.pk}")

    assert response.status_code == 202, response.content
    document = Document.objects.get()
    assert (document.sender, document.submitted_by, document.syntax) == (world.seller, world.stranger, "ubl")


def test_an_integrator_sends_for_its_client_with_text_xml(world):
    response = send(
        bearer(world.token(["documents:write"], organisation=world.integrator)),
        invoice_xml("ubl"),
        content_type="text/xml",
    )

    assert response.status_code == 202, response.content
    document = Document.objects.get()
    assert (document.sender, document.receiver, document.status) == (world.integrator, world.buyer, "valid")


def test_sending_the_same_bytes_again_answers_200_with_the_same_document(world):
    client = bearer(world.token(["read", "documents:write"]))
    first = send(client, invoice_xml("cii"))
    notifications = Notification.objects.count()

    again = send(client, invoice_xml("cii"))

    assert again.status_code == 200, again.content
    assert again.json()["id"] == first.json()["id"]
    assert again["Location"] == first["Location"]
    assert again.json()["status"] == DocumentStatus.VALID
    assert Document.objects.count() == 1
    assert Notification.objects.count() == notifications


def test_the_same_number_with_other_bytes_is_a_409_conflict(world, delivered):
    before = state()

    response = send(person(world.representative), invoice_xml("cii", payment_terms="Pago a 60 días"))

    body = assert_problem(response, 409, "document_conflict")
    assert "F001-00000123" in body["detail"]
    assert state() == before


HOSTILE = {
    "external_entity": (
        b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
        b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2">&e;</Invoice>',
        "doctype_forbidden",
    ),
    "billion_laughs": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;">'
        b'<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;">]><lolz>&lol2;</lolz>',
        "doctype_forbidden",
    ),
    "nested_100_deep": (b"<a>" * 100 + b"</a>" * 100, "too_deep"),
    "not_xml": (b'{"invoice": 1}', "not_xml"),
    "empty": (b"", "empty"),
    "unknown_root": (b'<Invoice xmlns="urn:example:other"/>', "unknown_document"),
}


@pytest.mark.parametrize(("data", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_a_hostile_document_is_a_400_with_its_code_and_nothing_is_stored(world, data, code):
    response = send(person(world.representative), data)

    assert_problem(response, 400, code)
    assert state() == ([], 0)


def test_a_document_over_the_limit_is_a_413_from_the_middleware(world):
    data = b"<a>" + b"x" * settings.PORTAL_MAX_BODY_BYTES + b"</a>"
    client = bearer(world.token(["documents:write"]))
    before = state()

    response = send(client, data)

    assert_problem(response, 413, "payload_too_large")
    assert state() == before
    assert Document.objects.count() == 0


def test_a_document_that_is_not_xml_by_its_content_type_is_a_415(world):
    response = send(person(world.representative), invoice_xml("cii"), content_type="application/json")

    assert_problem(response, 415, "unsupported_media_type")
    assert state() == ([], 0)


def test_an_invoice_of_another_seller_is_a_403_not_a_party(world):
    response = send(person(world.stranger), invoice_xml("cii"))

    assert_problem(response, 403, "not_a_party")
    assert state() == ([], 0)


# --- reading ---------------------------------------------------------------------------------------


def test_the_report_lists_each_finding_of_an_invalid_document(world):
    client = person(world.representative)
    posted = send(client, breaking_br_co_10("cii"))
    document_id = posted.json()["id"]

    response = client.get(url("api-document-report", document_id))

    assert response.status_code == 200
    body = response.json()
    assert body["document"]["status"] == DocumentStatus.INVALID
    assert body["document"]["links"]["report"] == f"/api/v1/documents/{document_id}/report/"
    report = body["report"]
    assert report["valid"] is False
    assert "svrl" not in body
    finding = next(f for f in report["findings"] if f["rule_id"] == "BR-CO-10")
    assert {"rule_id", "severity", "location", "line", "message"} <= set(finding)
    assert finding["severity"] == "fatal"
    assert finding["line"] == 286
    assert "SpecifiedTradeSettlementHeaderMonetarySummation" in finding["location"]
    assert finding["message"].startswith("[BR-CO-10]")
    # ?svrl=1 adds the raw SVRL of each rule set
    with_svrl = client.get(url("api-document-report", document_id) + "?svrl=1").json()
    assert with_svrl["svrl"]
    assert all("svrl" in text.lower() for text in with_svrl["svrl"].values())


def test_the_report_of_a_valid_document_has_no_fatal_finding(world, delivered):
    body = person(world.officer).get(url("api-document-report", delivered)).json()

    assert body["report"]["valid"] is True
    assert [f for f in body["report"]["findings"] if f["severity"] == "fatal"] == []
    assert body["document"]["status"] == DocumentStatus.VALID


def test_the_original_comes_back_byte_for_byte(world, delivered):
    response = bearer(world.token(["read"])).get(url("api-document-original", delivered))

    assert response.status_code == 200
    assert response["Content-Type"] == XML
    assert response.content == invoice_xml("cii")
    assert response["X-Content-SHA256"] == hashlib.sha256(response.content).hexdigest() == delivered.sha256
    assert response["Content-Disposition"] == f'attachment; filename="document-{delivered.pk}.xml"'


@pytest.mark.parametrize(("syntax", "other"), [("cii", "ubl"), ("ubl", "cii")])
def test_the_converted_invoice_is_valid_in_the_other_syntax_with_the_same_terms(world, syntax, other):
    document = submit(world.representative, world.seller, invoice_xml(syntax))

    response = person(world.officer).get(url("api-document-converted", document))

    assert response.status_code == 200, response.content
    assert response["Content-Disposition"] == f'attachment; filename="document-{document.pk}-{other}.xml"'
    converted = parse(response.content)
    assert converted.intake.syntax == other
    assert to_terms(converted.model) == document.terms == to_terms(parse(invoice_xml(syntax)).model)
    assert validate_bytes(response.content).valid is True


def test_an_order_cannot_be_converted(world):
    order = submit(world.officer, world.buyer, order_xml())

    response = person(world.representative).get(url("api-document-converted", order))

    assert_problem(response, 409, "not_convertible")


def test_the_receiver_sees_a_valid_document_but_not_an_invalid_one(world, delivered):
    invalid = submit(world.representative, world.seller, breaking_br_co_10("cii", number="F001-00000124"))
    assert invalid.status == DocumentStatus.INVALID
    officer = person(world.officer)

    assert officer.get(url("api-document", delivered)).status_code == 200
    for name in ("api-document", "api-document-report", "api-document-original", "api-document-converted"):
        assert_problem(officer.get(url(name, invalid)), 404, "document_not_found")
    assert_problem(
        officer.post(url("api-document-answer", invalid), {"accept": True}, content_type="application/json"),
        404,
        "document_not_found",
    )
    listed = officer.get(LIST).json()
    assert [row["id"] for row in listed["results"]] == [delivered.pk]
    # the sender sees both
    assert person(world.representative).get(url("api-document", invalid)).json()["status"] == "invalid"


# --- listing with filters ------------------------------------------------------------------------------


LIMA = datetime.timezone(datetime.timedelta(hours=-5))


@pytest.fixture
def documents(world):
    """The seller's outbox and inbox, received on set days.

    - invoice: the rich invoice (valid), issued 2026-11-20, received 2026-11-20;
    - invalid: an invoice breaking BR-CO-10 to a buyer not on the portal, issued 2026-10-15, received 2026-11-21;
    - credit_note: a credit note to the Ministerio (valid), issued 2026-11-02, received 2026-11-22;
    - order: the Ministerio's order to the seller (valid), issued 2026-11-10, received 2026-11-12;
    - elsewhere: an integrator's invoice between two other parties (not the seller's), received 2026-11-20.
    """
    outside_buyer = dataclasses.replace(
        samples.buyer(), name="Empresa Privada S.A.", legal_id=Identifier("20999999999"), vat_id="", identifiers=()
    )
    credit_note = render(
        dataclasses.replace(samples.credit_note(), seller=samples.seller(), buyer=samples.buyer()), "ubl"
    )
    made = {
        "invoice": submit(world.representative, world.seller, invoice_xml("cii")),
        "invalid": submit(
            world.representative,
            world.seller,
            breaking_br_co_10(
                "ubl", number="F001-00000124", issue_date=datetime.date(2026, 10, 15), buyer=outside_buyer
            ),
        ),
        "credit_note": submit(world.representative, world.seller, credit_note),
        "order": submit(world.officer, world.buyer, order_xml()),
        "elsewhere": submit(world.integrator_person, world.integrator, render(samples.minimal_invoice(), "cii")),
    }
    received = {
        "invoice": datetime.datetime(2026, 11, 20, 10, 0, tzinfo=LIMA),
        "invalid": datetime.datetime(2026, 11, 21, 23, 30, tzinfo=LIMA),  # 04:30 UTC on the 22nd
        "credit_note": datetime.datetime(2026, 11, 22, 8, 0, tzinfo=LIMA),
        "order": datetime.datetime(2026, 11, 12, 9, 0, tzinfo=LIMA),
        "elsewhere": datetime.datetime(2026, 11, 20, 11, 0, tzinfo=LIMA),
    }
    for name, when in received.items():
        Document.objects.filter(pk=made[name].pk).update(created_at=when)
    assert [made[name].status for name in ("invoice", "invalid", "credit_note", "order", "elsewhere")] == [
        "valid",
        "invalid",
        "valid",
        "valid",
        "valid",
    ]
    return made


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["credit_note", "invalid", "invoice", "order"]),
        ("box=outbox", ["credit_note", "invalid", "invoice"]),
        ("box=inbox", ["order"]),
        ("type=invoice", ["invalid", "invoice"]),
        ("type=credit_note", ["credit_note"]),
        ("type=order", ["order"]),
        ("status=invalid", ["invalid"]),
        ("status=valid", ["credit_note", "invoice", "order"]),
        ("status=accepted", []),
        (f"party={BUYER_RUC}", ["credit_note", "invoice", "order"]),
        ("party=20999999999", ["invalid"]),
        ("issued_from=2026-11-10", ["invoice", "order"]),
        ("issued_to=2026-11-02", ["credit_note", "invalid"]),
        ("issued_from=2026-11-02&issued_to=2026-11-10", ["credit_note", "order"]),
        ("received_from=2026-11-21", ["credit_note", "invalid"]),
        ("received_to=2026-11-20", ["invoice", "order"]),
        ("received_from=2026-11-21&received_to=2026-11-21", ["invalid"]),
        ("box=outbox&type=invoice&status=valid", ["invoice"]),
        ("limit=2", ["credit_note", "invalid"]),
        ("limit=2&offset=2", ["invoice", "order"]),
    ],
)
def test_the_list_filters(world, documents, query, expected):
    response = bearer(world.token(["read"])).get(f"{LIST}?{query}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert [row["id"] for row in body["results"]] == [documents[name].pk for name in expected]
    if not query.startswith("limit"):
        assert body["count"] == len(expected)


def test_the_buyer_lists_only_what_was_delivered_to_it_and_what_it_sent(world, documents):
    officer = person(world.officer)

    def ids(query: str) -> list[int]:
        return [row["id"] for row in officer.get(f"{LIST}?{query}").json()["results"]]

    assert ids("") == [documents["credit_note"].pk, documents["invoice"].pk, documents["order"].pk]
    assert ids("box=inbox") == [documents["credit_note"].pk, documents["invoice"].pk]
    assert ids("box=outbox") == [documents["order"].pk]
    assert ids("party=20999999999") == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("box=all", "box"),
        ("type=receipt", "type"),
        ("status=lost", "status"),
        ("party=20131373237%27%20OR%201%3D1", "party"),
        ("issued_from=20-11-2026", "issued_from"),
        ("received_to=yesterday", "received_to"),
        ("limit=0", "limit"),
    ],
)
def test_a_malformed_filter_is_a_400(world, query, field):
    response = person(world.representative).get(f"{LIST}?{query}")

    body = assert_problem(response, 400, "validation_error")
    assert list(body["errors"]) == [field]


# --- answering -------------------------------------------------------------------------------------


def answer(client: Client, document: Document, body: dict[str, Any]):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(url("api-document-answer", document), body, content_type="application/json")


def test_the_buyer_rejects_an_invoice_through_the_api(world, delivered):
    response = answer(
        person(world.officer),
        delivered,
        {"accept": False, "reasons": [{"code": "AMT", "text": "El monto no coincide con la orden"}]},
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == DocumentStatus.REJECTED
    assert body["reasons"] == [{"code": "AMT", "text": "El monto no coincide con la orden"}]
    assert body["answered_at"] is not None
    notified = set(Notification.objects.filter(event="document.answered").values_list("recipient_id", flat=True))
    assert notified == {world.representative.pk, world.seller_admin.pk}
    # the seller reads the answer
    seen = bearer(world.token(["read"])).get(url("api-document", delivered)).json()
    assert (seen["status"], seen["reasons"]) == ("rejected", body["reasons"])


def test_the_buyer_accepts_an_invoice_through_the_api(world, delivered):
    response = answer(person(world.officer), delivered, {"accept": True})

    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["reasons"]) == ("accepted", [])


@pytest.mark.parametrize(
    ("first", "body", "status", "code"),
    [
        (None, {"accept": False}, 400, "reason_required"),
        (None, {"accept": False, "reasons": []}, 400, "reason_required"),
        (None, {"accept": False, "reasons": [{"code": "ZZZ", "text": "x"}]}, 400, "invalid_reason"),
        (None, {"reasons": []}, 400, "validation_error"),
        (None, {"accept": "perhaps"}, 400, "validation_error"),
        ({"accept": True}, {"accept": True}, 409, "invalid_transition"),
        ({"accept": True}, {"accept": False, "reasons": [{"code": "DUP", "text": "x"}]}, 409, "invalid_transition"),
    ],
)
def test_a_refused_answer_changes_nothing(world, delivered, first, body, status, code):
    officer = person(world.officer)
    if first is not None:
        assert answer(officer, delivered, first).status_code == 200
    before = state()

    response = answer(officer, delivered, body)

    assert_problem(response, status, code)
    assert state() == before


def test_an_order_is_not_answered_through_the_api(world):
    order = submit(world.officer, world.buyer, order_xml())

    response = answer(person(world.representative), order, {"accept": True})

    assert_problem(response, 409, "not_an_invoice")


def test_the_buyers_own_token_answers_with_documents_write(world, delivered):
    """A buyer's system (its ERP, through its token with ``documents:write``) accepts invoices as its
    officers do; the audit trail names the token."""
    token = bearer(world.token(["read", "documents:write"], organisation=world.buyer))

    response = answer(token, delivered, {"accept": True})

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "accepted"


def test_the_html_rendering_is_served_to_a_token(world, delivered):
    if not PRINT_TEMPLATE.exists():
        pytest.skip("templates/tradedocs/document_print.html is not written yet")

    response = bearer(world.token(["read"])).get(url("api-document-html", delivered))

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "F001-00000123" in response.content.decode()


# --- who may call which endpoint ---------------------------------------------------------------------

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"  # a supplier representative of an unrelated organisation
READ_TOKEN = "read token"  # the seller's token with "read" only
WRITE_TOKEN = "write token"  # the seller's token with "documents:write" only
FULL_TOKEN = "full token"  # the seller's token with both
SENDER = "sender"  # the seller's representative
RECEIVER = "receiver"  # the buyer's procurement officer
CALLERS = [ANONYMOUS, OUTSIDER, READ_TOKEN, WRITE_TOKEN, FULL_TOKEN, SENDER, RECEIVER]

NEW_INVOICE = {"number": "F001-00000200"}


@dataclasses.dataclass(frozen=True)
class Endpoint:
    method: str
    route: str  # URL name
    statuses: tuple[int, ...]  # per caller, in the order of CALLERS
    scope: str  # what a token needs
    not_found: str = "document_not_found"


ENDPOINTS = {
    "POST documents/": Endpoint(
        "post", "api-documents", (401, 404, 403, 202, 202, 202, 403), "documents:write", "organisation_not_found"
    ),
    "GET documents/": Endpoint(
        "get", "api-documents", (401, 404, 200, 403, 200, 200, 200), "read", "organisation_not_found"
    ),
    "GET documents/{id}/": Endpoint("get", "api-document", (401, 404, 200, 403, 200, 200, 200), "read"),
    "GET documents/{id}/report/": Endpoint("get", "api-document-report", (401, 404, 200, 403, 200, 200, 200), "read"),
    "GET documents/{id}/original/": Endpoint(
        "get", "api-document-original", (401, 404, 200, 403, 200, 200, 200), "read"
    ),
    "GET documents/{id}/converted/": Endpoint(
        "get", "api-document-converted", (401, 404, 200, 403, 200, 200, 200), "read"
    ),
    "GET documents/{id}/html/": Endpoint("get", "api-document-html", (401, 404, 200, 403, 200, 200, 200), "read"),
    "POST documents/{id}/answer/": Endpoint(
        "post", "api-document-answer", (401, 404, 403, 403, 403, 403, 200), "documents:write"
    ),
}


def test_the_matrix_covers_every_document_endpoint():
    from tradedocs.api import urlpatterns

    routes = set()
    for pattern in urlpatterns:
        if "webhooks" in str(pattern.pattern):
            continue
        view = pattern.callback.view_class
        route = str(pattern.pattern).replace("<int:document_id>", "{id}")
        routes |= {f"{method.upper()} {route}" for method in ("get", "post") if hasattr(view, method)}
    assert routes == set(ENDPOINTS)


def client_for(world: Parties, caller: str) -> Client:
    if caller == ANONYMOUS:
        return Client()
    if caller in (READ_TOKEN, WRITE_TOKEN, FULL_TOKEN):
        scopes = {READ_TOKEN: ["read"], WRITE_TOKEN: ["documents:write"], FULL_TOKEN: ["read", "documents:write"]}
        return bearer(world.token(scopes[caller]))
    return person({OUTSIDER: world.stranger, SENDER: world.representative, RECEIVER: world.officer}[caller])


@pytest.mark.parametrize(("endpoint", "caller"), [(name, caller) for name in ENDPOINTS for caller in CALLERS])
def test_permission_matrix(world, delivered, endpoint, caller):
    spec = ENDPOINTS[endpoint]
    if spec.route == "api-document-html" and not PRINT_TEMPLATE.exists():
        pytest.skip("templates/tradedocs/document_print.html is not written yet")
    expected = spec.statuses[CALLERS.index(caller)]
    client = client_for(world, caller)
    target = reverse(spec.route) if spec.route == "api-documents" else url(spec.route, delivered)
    if caller == OUTSIDER and spec.route == "api-documents":
        target += f"?organisation={world.seller.pk}"  # naming an organisation one does not belong to
    before = state()

    with TestCase.captureOnCommitCallbacks(execute=True):
        if spec.method == "post" and spec.route == "api-documents":
            response = client.post(target, invoice_xml("ubl", **NEW_INVOICE), content_type=XML)
        elif spec.method == "post":
            response = client.post(target, {"accept": True}, content_type="application/json")
        else:
            response = client.get(target)

    if expected < 400:
        assert response.status_code == expected, response.content
        assert response["Content-Type"] != PROBLEM
        return
    if expected == 401:
        assert_problem(response, 401, "not_authenticated")
    elif expected == 404:
        assert_problem(response, 404, spec.not_found)
    elif (caller, spec.scope) in {(READ_TOKEN, "documents:write"), (WRITE_TOKEN, "read")}:
        lacks(response, spec.scope)
    elif caller == RECEIVER and endpoint == "POST documents/":
        assert_problem(response, 403, "not_a_party")  # the buyer does not send its seller's invoice
    else:
        assert_problem(
            response,
            403,
            "permission_denied",
            in_spanish("Only the receiving organisation's officers answer this document."),
        )
    assert state() == before


def test_an_outsider_lists_nothing_of_others(world, delivered):
    response = person(world.stranger).get(LIST)

    assert response.status_code == 200
    assert response.json()["results"] == []


def test_a_person_without_an_organisation_cannot_send(world):
    from tests.factories import UserFactory

    response = send(person(UserFactory()), invoice_xml("cii"))

    assert_problem(response, 403, "permission_denied")
    assert state() == ([], 0)


def test_an_organisation_kind_is_irrelevant_to_reading_its_own_documents(world):
    """An entity's officer reads the order it sent, with every link but the conversion."""
    order = submit(world.officer, world.buyer, order_xml())

    body = person(world.officer).get(url("api-document", order)).json()

    assert world.buyer.kind == OrganisationKind.CONTRACTING_ENTITY
    assert body["status"] == "valid"
    assert body["receiver"] == SELLER_RUC
    assert "converted" not in body["links"]


def test_the_received_at_date_is_the_portal_s_day(world, delivered):
    """Documents received today are found with today's date (Lima) as received_from."""
    today = timezone.localdate().isoformat()

    rows = person(world.representative).get(f"{LIST}?received_from={today}&received_to={today}").json()["results"]

    assert [row["id"] for row in rows] == [delivered.pk]
