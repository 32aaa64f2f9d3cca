"""On PostgreSQL, with real transactions and threads: one live financing per document, and exposure
limits per institution and per buyer that hold when operations race."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from portal.core import clock
from portal.core.errors import RuleViolation
from tests.tradedocs.factoring.factories import chain_world, receivable, selected
from tradedocs.factoring.enums import LIVE_FINANCING, FinancingStatus, ReceivableStatus
from tradedocs.factoring.models import Financing, LedgerEntry
from tradedocs.factoring.services import financing_operate, financing_select, ledger_balance

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

D = Decimal


def race(action, arguments):
    """Run ``action(argument)`` in one thread per argument, all released together; the outcome of each
    is its result, a RuleViolation's code, or the repr of any other error (the failure looked for)."""
    barrier = threading.Barrier(len(arguments))
    outcomes: dict[int, object] = {}

    def run(n):
        try:
            barrier.wait()
            outcomes[n] = action(arguments[n])
        except RuleViolation as refused:
            outcomes[n] = refused.code
        except Exception as error:
            outcomes[n] = repr(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(arguments))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(outcomes) == len(arguments), "a thread did not finish"
    return outcomes


def test_twenty_concurrent_selections_of_one_document_finance_it_once(frozen_clock):
    world = chain_world()
    document = receivable(world, face=D("100000.00"))
    institutions = [world.a.organisation, world.b.organisation] * 10

    outcomes = race(
        lambda institution: financing_select(actor=world.representative, receivable=document, institution=institution),
        institutions,
    )

    won = [n for n, outcome in outcomes.items() if isinstance(outcome, Financing)]
    assert len(won) == 1, outcomes
    assert sorted(outcome for n, outcome in outcomes.items() if n not in won) == ["already_financed"] * 19
    assert Financing.objects.count() == 1
    live = Financing.objects.get(status__in=LIVE_FINANCING)
    assert live.institution == institutions[won[0]]
    document.refresh_from_db()
    assert document.status == ReceivableStatus.SELECTED


def test_the_database_refuses_a_second_live_financing(frozen_clock):
    world = chain_world()
    financing = selected(world, receivable(world))
    copy = {
        field.attname: getattr(financing, field.attname)
        for field in Financing._meta.concrete_fields
        if not field.primary_key
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Financing.objects.create(**{**copy, "institution_id": world.b.organisation.pk, "offer_id": world.b.offer.pk})
    for status in (FinancingStatus.OPERATED, FinancingStatus.OVERDUE):
        with pytest.raises(IntegrityError), transaction.atomic():
            Financing.objects.create(**{**copy, "status": status})
    # Cancelled and settled ones are history: any number of them may stand beside the live one.
    Financing.objects.create(**{**copy, "status": FinancingStatus.CANCELLED, "cancelled_at": clock.now()})
    Financing.objects.create(**{**copy, "status": FinancingStatus.SETTLED})
    assert Financing.objects.filter(receivable=financing.receivable, status__in=LIVE_FINANCING).count() == 1


def operate_race(world, financings):
    return race(
        lambda pair: financing_operate(actor=pair[0].officer, financing=pair[1]),
        financings,
    )


def test_concurrent_operations_respect_the_institutions_limit(frozen_clock):
    world = chain_world(limit_a=D("250000.00"))
    financings = [(world.a, selected(world, receivable(world, face=D("100000.00")))) for _ in range(5)]

    outcomes = operate_race(world, financings)

    operated = [outcome for outcome in outcomes.values() if isinstance(outcome, Financing)]
    assert len(operated) == 2, outcomes
    assert sorted(o for o in outcomes.values() if not isinstance(o, Financing)) == ["institution_limit"] * 3
    assert Financing.objects.filter(status=FinancingStatus.OPERATED).count() == 2
    assert Financing.objects.filter(status=FinancingStatus.SELECTED).count() == 3
    assert LedgerEntry.objects.count() == 2 * 8
    assert all(ledger_balance(financing=f) == 0 for f in operated)


def test_concurrent_operations_respect_the_buyers_limit_across_institutions(frozen_clock):
    world = chain_world(buyer_limit=D("250000.00"))
    financings = [
        (institution, selected(world, receivable(world, face=D("100000.00")), institution=institution))
        for institution in (world.a, world.b, world.a, world.b, world.a)
    ]

    outcomes = operate_race(world, financings)

    operated = [outcome for outcome in outcomes.values() if isinstance(outcome, Financing)]
    assert len(operated) == 2, outcomes
    assert sorted(o for o in outcomes.values() if not isinstance(o, Financing)) == ["buyer_limit"] * 3
    assert Financing.objects.filter(status=FinancingStatus.OPERATED).count() == 2
    assert LedgerEntry.objects.count() == 2 * 8
