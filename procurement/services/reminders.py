"""Reminders before deadlines (DOMAIN §6): a participant hears the day before the questions close and
the day before bids close, if it has not bid yet. Questions at the last minute and bids at the last
second are normal; a reminder turns some of them into bids on time.

A periodic job (``deadline_reminders``, hourly) looks ahead ``REMINDER_HOURS``. Each reminder's outbox
key names the deadline it is about, so running the job again, or concurrently, sends nothing twice,
and a deadline moved later earns a new reminder.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from portal.accounts.selectors import spokespeople_of
from portal.core import clock
from portal.notifications.services import notify
from procurement.enums import TenderStatus
from procurement.models import Bid, BidStatus, Participant, Tender
from procurement.services._common import tender_url
from procurement.timeline import LIMA

logger = logging.getLogger(__name__)

REMINDER_HOURS = 24


def _lima(moment: datetime) -> str:
    return moment.astimezone(LIMA).strftime("%d/%m/%Y %H:%M")


def deadline_reminders(*, now: datetime | None = None) -> int:
    """Queue the reminders of the deadlines in the next ``REMINDER_HOURS``; returns how many tenders."""
    now = now or clock.now()
    horizon = now + timedelta(hours=REMINDER_HOURS)
    reminded = 0
    closing_questions = Tender.objects.filter(
        status=TenderStatus.ENQUIRIES, enquiries_end__gt=now, enquiries_end__lte=horizon
    )
    for tender in closing_questions:
        organisations = list(Participant.objects.filter(tender=tender).values_list("organisation_id", flat=True))
        if organisations:
            _remind(tender, "enquiries_end", organisations)
            reminded += 1
    closing_bids = Tender.objects.filter(
        status__in=[TenderStatus.INTEGRATED_BASES, TenderStatus.BIDDING, TenderStatus.PUBLISHED],
        bids_due__gt=now,
        bids_due__lte=horizon,
    )
    for tender in closing_bids:
        have_bid = Bid.objects.filter(lot__tender=tender, status=BidStatus.SUBMITTED).values(
            "participant__organisation_id"
        )
        organisations = list(
            Participant.objects.filter(tender=tender)
            .exclude(organisation_id__in=have_bid)
            .values_list("organisation_id", flat=True)
        )
        if organisations:
            _remind(tender, "bids_due", organisations)
            reminded += 1
    logger.info("procurement.reminders", extra={"tenders": reminded})
    return reminded


def _remind(tender: Tender, deadline: str, organisations: list[int]) -> None:
    moment = getattr(tender, deadline)
    notify(
        "tender.deadline_reminder",
        spokespeople_of(organisation_ids=organisations),
        {
            "code": tender.code,
            "title": tender.title,
            "deadline": deadline,
            "deadline_lima": _lima(moment),
        },
        key=f"tender:{tender.pk}:reminder:{deadline}:{moment.isoformat()}",
        url=tender_url(tender),
    )
