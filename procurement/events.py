"""Notification events of public procurement."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import register

TENDER_PUBLISHED = register("tender.published", _("New calls for tender in your categories and regions"))
TENDER_CANCELLED = register("tender.cancelled", _("A procurement process was cancelled"), mandatory=True)
TENDER_ANNULLED = register("tender.annulled", _("A procurement process was annulled"), mandatory=True)
# Receipts and notices of the questions stage: a participant must know its registration and the
# answers that change the bases, so they cannot be switched off.
PARTICIPANT_REGISTERED = register(
    "participant.registered", _("Your registration as a participant in a procurement process"), mandatory=True
)
TENDER_ANSWERS_PUBLISHED = register(
    "tender.answers_published",
    _("Answers to questions and the integrated bases of a process you take part in"),
    mandatory=True,
)
# A bidder must get the receipt of every bid it submits: it is its proof of what was received and when.
BID_RECEIVED = register("bid.received", _("Receipts of the bids you submit"), mandatory=True)
