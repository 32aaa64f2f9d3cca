"""Reminders the day before a deadline: to participants that have not bid, once per deadline."""

from datetime import timedelta
from decimal import Decimal

import pytest

from portal.notifications.models import Notification
from procurement.services.reminders import deadline_reminders
from procurement.services.tenders import tender_amend_deadline
from tests.procurement.factories import entity_officer, place_bid, tender_in_bidding
from tests.smeregistry.factories import registered_supplier

pytestmark = pytest.mark.django_db


def reminded():
    return set(Notification.objects.filter(event="tender.deadline_reminder").values_list("recipient_id", flat=True))


def test_participants_that_have_not_bid_are_reminded_once_the_day_before(clock):
    officer = entity_officer()
    bidder, late = registered_supplier(1), registered_supplier(2)
    tender = tender_in_bidding(officer, [bidder, late])
    clock.set(tender.bids_due - timedelta(hours=30))
    place_bid(bidder, tender.lots.get(), {1: Decimal("10.00"), 2: Decimal("5.00")})

    assert deadline_reminders(now=clock.now) == 0  # not yet within a day
    clock.set(tender.bids_due - timedelta(hours=20))
    assert deadline_reminders(now=clock.now) == 1
    assert deadline_reminders(now=clock.now + timedelta(hours=1)) == 1  # the job runs hourly

    assert reminded() == {late.owner.pk}
    assert Notification.objects.filter(event="tender.deadline_reminder", channel="email").count() == 1


def test_a_deadline_moved_later_earns_a_new_reminder(clock):
    officer = entity_officer()
    late = registered_supplier(2)
    tender = tender_in_bidding(officer, [late])
    clock.set(tender.bids_due - timedelta(hours=2))
    deadline_reminders(now=clock.now)
    tender_amend_deadline(actor=officer, tender=tender, changed_at=clock.now)
    tender.refresh_from_db()
    clock.set(tender.bids_due - timedelta(hours=2))

    deadline_reminders(now=clock.now)

    assert (
        Notification.objects.filter(event="tender.deadline_reminder", recipient=late.owner, channel="email").count()
        == 2
    )
