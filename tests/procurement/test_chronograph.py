"""The chronograph: tenders move when a deadline of their chronogram passes, once, and only then."""

import io
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from portal.audit.models import AuditEvent
from portal.notifications.models import Notification
from procurement.enums import TenderStatus
from procurement.models import Tender
from procurement.services.chronograph import chronograph_sweep, tender_advance, tender_next_check
from procurement.services.tenders import tender_cancel, tender_publish, tender_set_timeline
from tests.procurement.factories import (
    MONDAY_9AM,
    draft_tender,
    earliest,
    line_data,
    lot_data,
    procedure,
    published_plan,
)

S = TenderStatus
CP = "comparacion-de-precios"
# The earliest adjudicación simplificada published on Monday 6 July 2026 (Lima, 17:00 closings).
ENQUIRIES_END = datetime(2026, 7, 9, 22, 0, tzinfo=UTC)
INTEGRATED_BASES = datetime(2026, 7, 10, 22, 0, tzinfo=UTC)
BIDS_DUE = datetime(2026, 7, 22, 22, 0, tzinfo=UTC)


def published_tender(officer, *, code: str = "adjudicacion-simplificada", plan=None) -> Tender:
    if plan is None:
        lines = None
        if code == CP:
            lines = [line_data(procedure_type=procedure(CP), estimated_value=Decimal("60000.00"))]
        plan = published_plan(officer, lines=lines)
    lots = [lot_data(reference_value=Decimal("60000.00"))] if code == CP else None
    tender = draft_tender(officer, plan=plan, lots=lots)
    tender = tender_set_timeline(actor=officer, tender=tender, timeline=earliest(MONDAY_9AM, code))
    return tender_publish(actor=officer, tender=tender)


def moves_of(tender) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="procurement.tender", object_id=str(tender.pk), actor__isnull=True)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- next_check: a pure function of the row ----------------------------------------------------------


def _row(status: str) -> Tender:
    return Tender(
        status=status,
        published_at=MONDAY_9AM,
        enquiries_end=ENQUIRIES_END,
        integrated_bases_at=INTEGRATED_BASES,
        bids_due=BIDS_DUE,
        opening_at=BIDS_DUE,
    )


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (S.DRAFT, None),
        (S.PUBLISHED, MONDAY_9AM),
        (S.ENQUIRIES, None),  # the integrated bases are the officer's act
        (S.INTEGRATED_BASES, INTEGRATED_BASES),
        (S.BIDDING, BIDS_DUE),
        (S.OPENING, BIDS_DUE),  # the opening is the chronograph's act at its time
        (S.EVALUATION, None),
        (S.AWARDED, None),
        (S.CANCELLED, None),
        (S.COMPLETED, None),
    ],
)
def test_next_check_is_the_deadline_of_the_next_automatic_move(status, expected):
    assert tender_next_check(_row(status)) == expected


def test_next_check_of_a_status_without_its_date_is_none():
    row = _row(S.BIDDING)
    row.bids_due = None

    assert tender_next_check(row) is None


# --- advancing -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_publication_opens_the_enquiries_and_they_wait_for_the_officer(officer, clock):
    tender = published_tender(officer)

    assert tender_advance(tender_id=tender.pk, now=clock.now) == S.ENQUIRIES

    tender.refresh_from_db()
    assert tender.status == S.ENQUIRIES
    assert tender.next_check is None
    assert moves_of(tender) == ["tender.enquiries"]
    event = AuditEvent.objects.get(action="tender.enquiries")
    assert event.actor_label == "system"
    assert event.payload == {
        "code": tender.code,
        "from": "published",
        "to": "enquiries",
        "due": MONDAY_9AM.isoformat().replace("+00:00", "Z"),
    }
    clock.set(BIDS_DUE + timedelta(days=1))
    assert tender_advance(tender_id=tender.pk, now=clock.now) is None
    tender.refresh_from_db()
    assert tender.status == S.ENQUIRIES


@pytest.mark.django_db
def test_integrated_bases_open_the_bids_and_the_deadline_closes_them(officer, clock):
    tender = published_tender(officer)
    tender_advance(tender_id=tender.pk, now=clock.now)
    # The officer publishes the integrated bases (that service comes with the enquiries).
    Tender.objects.filter(pk=tender.pk).update(status=S.INTEGRATED_BASES, next_check=INTEGRATED_BASES)

    clock.set(INTEGRATED_BASES - timedelta(seconds=1))
    assert chronograph_sweep() == 0
    clock.set(INTEGRATED_BASES)
    assert chronograph_sweep() == 1
    tender.refresh_from_db()
    assert (tender.status, tender.next_check) == (S.BIDDING, BIDS_DUE)

    clock.set(BIDS_DUE)
    assert chronograph_sweep() == 1

    tender.refresh_from_db()
    assert (tender.status, tender.next_check) == (S.VOID, None)  # opened at once: no bids
    assert moves_of(tender) == ["tender.enquiries", "tender.bidding", "tender.opening", "tender.opened"]


@pytest.mark.django_db
def test_a_procedure_without_enquiries_goes_from_publication_to_bidding(officer, clock):
    tender = published_tender(officer, code=CP)

    assert tender_advance(tender_id=tender.pk, now=clock.now) == S.BIDDING

    tender.refresh_from_db()
    assert tender.status == S.BIDDING
    assert tender.next_check == tender.bids_due
    assert moves_of(tender) == ["tender.bidding"]


@pytest.mark.django_db
def test_deadlines_passed_together_are_applied_in_order_in_one_go(officer, clock):
    tender = published_tender(officer, code=CP)

    clock.set(tender.bids_due + timedelta(hours=1))
    assert tender_advance(tender_id=tender.pk, now=clock.now) == S.VOID

    tender.refresh_from_db()
    assert (tender.status, tender.next_check) == (S.VOID, None)  # opened at once: no bids
    assert moves_of(tender) == ["tender.bidding", "tender.opening", "tender.opened"]


@pytest.fixture
def bidding(officer, clock):
    tender = published_tender(officer, code=CP)
    tender_advance(tender_id=tender.pk, now=clock.now)
    tender.refresh_from_db()
    return tender


@pytest.mark.django_db
def test_nothing_moves_a_second_before_the_deadline_and_it_moves_at_it(bidding, clock):
    notifications = Notification.objects.count()
    clock.set(bidding.bids_due - timedelta(seconds=1))

    assert chronograph_sweep() == 0
    assert tender_advance(tender_id=bidding.pk, now=clock.now) is None
    bidding.refresh_from_db()
    assert (bidding.status, bidding.next_check) == (S.BIDDING, bidding.bids_due)
    assert moves_of(bidding) == ["tender.bidding"]

    clock.advance(seconds=1)
    assert chronograph_sweep() == 1

    bidding.refresh_from_db()
    assert bidding.status == S.VOID
    assert moves_of(bidding) == ["tender.bidding", "tender.opening", "tender.opened"]
    # The plain moves tell nobody; the opening tells the entity (and the participants, none here).
    assert set(Notification.objects.all()[notifications:].values_list("event", flat=True)) == {"tender.opened"}


@pytest.mark.django_db
def test_advancing_again_changes_nothing(bidding, clock):
    clock.set(bidding.bids_due)
    assert tender_advance(tender_id=bidding.pk, now=clock.now) == S.VOID
    bidding.refresh_from_db()
    before = (bidding.status, bidding.next_check, bidding.updated_at, AuditEvent.objects.count())

    assert tender_advance(tender_id=bidding.pk, now=clock.now) is None
    assert chronograph_sweep() == 0

    bidding.refresh_from_db()
    assert (bidding.status, bidding.next_check, bidding.updated_at, AuditEvent.objects.count()) == before
    assert moves_of(bidding) == ["tender.bidding", "tender.opening", "tender.opened"]


@pytest.mark.django_db
def test_a_cancelled_tender_is_left_alone(officer, clock):
    tender = published_tender(officer, code=CP)
    tender_cancel(actor=officer, tender=tender, reason="Presupuesto recortado")
    clock.set(tender.bids_due + timedelta(days=1))

    assert tender_advance(tender_id=tender.pk, now=clock.now) is None
    assert chronograph_sweep() == 0

    tender.refresh_from_db()
    assert tender.status == S.CANCELLED
    assert moves_of(tender) == []


@pytest.mark.django_db
def test_a_stale_next_check_is_cleared_without_a_move(officer, clock):
    tender = published_tender(officer)
    tender_advance(tender_id=tender.pk, now=clock.now)
    Tender.objects.filter(pk=tender.pk).update(next_check=ENQUIRIES_END)  # left by an older rule
    clock.set(ENQUIRIES_END)

    assert chronograph_sweep() == 0

    tender.refresh_from_db()
    assert (tender.status, tender.next_check) == (S.ENQUIRIES, None)
    assert moves_of(tender) == ["tender.enquiries"]


@pytest.mark.django_db
def test_an_unknown_tender_is_nothing_to_do(clock):
    assert tender_advance(tender_id=987654, now=clock.now) is None


# --- the scheduler -------------------------------------------------------------------------------------


def test_the_chronograph_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["procurement-chronograph"]

    assert entry == {"task": "procurement.tasks.chronograph_sweep", "schedule": settings.CHRONOGRAPH_SECONDS}
    assert settings.CHRONOGRAPH_SECONDS == 30.0


# Transactional: the scheduler closes the connection after each job, as a long-running process must.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_run_scheduler_once_moves_a_due_tender(bidding, clock):
    clock.set(bidding.bids_due)
    out = io.StringIO()

    call_command("run_scheduler", "--once", stdout=out)

    assert "procurement-chronograph" in out.getvalue()

    bidding.refresh_from_db()
    assert bidding.status == S.VOID
    assert moves_of(bidding) == ["tender.bidding", "tender.opening", "tender.opened"]


# --- concurrency (PostgreSQL row locks) ------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_sweeps_at_once_move_each_tender_exactly_once(officer, clock):
    plan = published_plan(officer, lines=[line_data(procedure_type=procedure(CP), estimated_value=Decimal("60000.00"))])
    tenders = [published_tender(officer, code=CP, plan=plan) for _ in range(20)]
    due = tenders[0].bids_due
    # still "published" (due since publication); at bids_due both moves are due at once
    assert {t.next_check for t in tenders} == {t.published_at for t in tenders}
    clock.set(due)
    start = threading.Barrier(2)
    moved: list[int] = []
    errors: list[BaseException] = []

    def sweep():
        try:
            start.wait(timeout=10)
            moved.append(chronograph_sweep(now=due, batch=200))
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(moved) == 2
    assert sum(moved) == 20
    for tender in tenders:
        tender.refresh_from_db()
        assert tender.status == S.VOID
        assert moves_of(tender) == ["tender.bidding", "tender.opening", "tender.opened"]


@pytest.mark.django_db
def test_one_sweep_drains_a_clustered_deadline_batch_after_batch(officer, clock):
    plan = published_plan(officer, lines=[line_data(procedure_type=procedure(CP), estimated_value=Decimal("60000.00"))])
    tenders = [published_tender(officer, code=CP, plan=plan) for _ in range(5)]

    assert chronograph_sweep(now=clock.now, batch=2) == 5

    assert {Tender.objects.get(pk=tender.pk).status for tender in tenders} == {S.BIDDING}
