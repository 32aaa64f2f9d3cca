"""Random sequences of selections, operations, settlements, refusals, withdrawals and days passing over
several documents and two institutions: the ledger always balances, cash agrees with the financings, and
a document never has more than one live financing."""

from __future__ import annotations

import datetime
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.core.errors import RuleViolation
from tests.tradedocs.factoring.factories import chain_world, receivable
from tradedocs.factoring.enums import LIVE_FINANCING, Account, FinancingStatus, ReceivableStatus
from tradedocs.factoring.models import Financing, LedgerEntry, Receivable
from tradedocs.factoring.services import (
    factoring_daily,
    financing_operate,
    financing_refuse,
    financing_select,
    financing_settle,
    receivable_withdraw,
)

pytestmark = pytest.mark.django_db

D = Decimal
NOW = datetime.datetime(2026, 11, 23, 15, 0, tzinfo=datetime.UTC)
FACES = [D("100000.00"), D("33333.33"), D("7777.77"), D("150000.01")]
DUE_IN = [60, 7, 31, 120]

operations = st.lists(
    st.tuples(
        st.sampled_from(["select", "operate", "settle", "refuse", "withdraw", "day"]),
        st.integers(0, len(FACES) - 1),
        st.integers(0, 1),
        st.integers(1, 20),
    ),
    max_size=25,
)


def live(document):
    return Financing.objects.filter(receivable=document, status__in=LIVE_FINANCING).first()


def check_invariants(world, documents):
    # Every financing's entries sum to zero; an operation books 8 entries, a settlement 4 more.
    for financing in Financing.objects.annotate(total=Sum("entries__amount"), n=Count("entries")):
        operated = financing.status in {FinancingStatus.OPERATED, FinancingStatus.OVERDUE, FinancingStatus.SETTLED}
        expected = (8 if operated else 0) + (4 if financing.status == FinancingStatus.SETTLED else 0)
        assert financing.n == expected, financing
        assert (financing.total or 0) == 0, financing
        assert financing.discount + financing.net == financing.face

    # At most one live financing per document, and the document's status follows it.
    for document in Receivable.objects.all():
        financings = list(document.financings.filter(status__in=LIVE_FINANCING))
        assert len(financings) <= 1
        status_of_live = {
            ReceivableStatus.SELECTED: FinancingStatus.SELECTED,
            ReceivableStatus.OPERATED: FinancingStatus.OPERATED,
            ReceivableStatus.OVERDUE: FinancingStatus.OVERDUE,
        }
        if document.status in status_of_live:
            assert [f.status for f in financings] == [status_of_live[document.status]]
        else:
            assert financings == []
        if document.status == ReceivableStatus.SETTLED:
            assert document.financings.filter(status=FinancingStatus.SETTLED).count() == 1

    # Cash, organisation by organisation, from the financings alone.
    cash = defaultdict(Decimal)
    for organisation_id, amount in LedgerEntry.objects.filter(account=Account.CASH).values_list(
        "organisation_id", "amount"
    ):
        cash[organisation_id] += amount
    expected = defaultdict(Decimal)
    for financing in Financing.objects.all():
        if financing.status in {FinancingStatus.OPERATED, FinancingStatus.OVERDUE}:
            expected[world.supplier.pk] += financing.net
            expected[financing.institution_id] -= financing.net
        elif financing.status == FinancingStatus.SETTLED:
            expected[world.supplier.pk] += financing.net
            expected[financing.institution_id] += financing.face - financing.net
            expected[world.buyer.pk] -= financing.face
    organisations = {world.supplier.pk, world.buyer.pk, world.a.organisation.pk, world.b.organisation.pk}
    assert {o: cash[o] for o in organisations} == {o: expected[o] for o in organisations}
    assert sum(cash.values()) == 0


def test_random_sequences_keep_the_ledger_balanced(frozen_clock):
    frozen_clock.set(NOW)
    world = chain_world()
    institutions = [world.a, world.b]

    @settings(
        max_examples=30,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(steps=operations)
    def run(steps):
        savepoint = transaction.savepoint()
        try:
            frozen_clock.set(NOW)
            documents = [
                receivable(world, face=face, due_in_days=days) for face, days in zip(FACES, DUE_IN, strict=True)
            ]
            for action, index, which, days in steps:
                document = Receivable.objects.get(pk=documents[index].pk)
                institution = institutions[which]
                financing = live(document)
                try:
                    if action == "select":
                        financing_select(
                            actor=world.representative, receivable=document, institution=institution.organisation
                        )
                    elif action == "operate" and financing:
                        officer = institutions[0 if financing.institution_id == world.a.organisation.pk else 1].officer
                        financing_operate(actor=officer, financing=financing)
                    elif action == "settle" and financing:
                        financing_settle(actor=world.officer, financing=financing)
                    elif action == "refuse" and financing:
                        officer = institutions[0 if financing.institution_id == world.a.organisation.pk else 1].officer
                        financing_refuse(actor=officer, financing=financing)
                    elif action == "withdraw":
                        receivable_withdraw(actor=world.officer, receivable=document)
                    elif action == "day":
                        frozen_clock.advance(days=days)
                        factoring_daily()
                except RuleViolation:
                    pass
                check_invariants(world, documents)
        finally:
            transaction.savepoint_rollback(savepoint)

    run()
