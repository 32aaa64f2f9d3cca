"""The asynchronous path through a real Celery worker and Redis: a document submitted in one process is
validated by the worker, and the sender's webhook receives each status change, signed.

Runs on PostgreSQL (the worker is another process and must see committed rows).
"""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest
from django.db import transaction

from portal.accounts.enums import OrganisationKind, Role
from portal.notifications.webhooks import webhook_register
from tests.celery_harness import wait_until
from tests.factories import MembershipFactory, OrganisationFactory
from tests.portal.test_celery_delivery import broker, private_broker, producer, worker  # noqa: F401 - fixtures
from tests.portal.test_webhooks import Receiver
from tests.tradedocs.samples import rich_invoice
from tradedocs.enums import DocumentStatus
from tradedocs.models import Document
from tradedocs.services.documents import document_submit
from tradedocs.xml.documents import render

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("fresh_kombu_pools", "worker"),
]


@pytest.fixture
def fresh_kombu_pools():
    """Earlier real-worker tests close the broker connection pools of this process (their producer
    fixture's teardown) while kombu's process-wide registry keeps handing out the closed ones for the
    same broker URL; start from an empty registry."""
    from kombu import pools

    pools.reset()
    yield
    pools.reset()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def test_the_worker_validates_and_the_webhook_hears_every_status(receiver):
    seller = OrganisationFactory(kind=OrganisationKind.SUPPLIER, tax_id="20100070970")
    OrganisationFactory(kind=OrganisationKind.CONTRACTING_ENTITY, tax_id="20131373237")
    person = MembershipFactory(organisation=seller, role=Role.SUPPLIER_REPRESENTATIVE).user
    endpoint = webhook_register(actor=person, organisation=seller, url=receiver.url)

    with transaction.atomic():
        document = document_submit(actor=person, sender=seller, data=render(rich_invoice(), "cii"))
    assert Document.objects.get(pk=document.pk).status == DocumentStatus.RECEIVED

    wait_until(
        lambda: Document.objects.get(pk=document.pk).status == DocumentStatus.VALID,
        timeout=60,
        interval=0.3,
        what="the worker's validation",
    )
    wait_until(lambda: len(receiver.requests) == 2, timeout=60, interval=0.3, what="two webhook deliveries")

    bodies = [json.loads(request["body"]) for request in receiver.requests]
    assert sorted(body["data"]["status"] for body in bodies) == ["received", "valid"]
    assert {body["data"]["document_id"] for body in bodies} == {document.pk}
    for request in receiver.requests:
        timestamp, signature = (part.split("=", 1)[1] for part in request["headers"]["X-Portal-Signature"].split(","))
        expected = hmac.new(endpoint.secret.encode(), f"{timestamp}.".encode() + request["body"], hashlib.sha256)
        assert hmac.compare_digest(signature, expected.hexdigest())
    stored = Document.objects.get(pk=document.pk)
    assert stored.report["valid"] is True
    assert stored.report["scenario"] == "cii-en16931"
