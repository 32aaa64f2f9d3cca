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
# The acts after the bids: everyone taking part must learn them, as the law's deadlines run from them.
TENDER_OPENED = register("tender.opened", _("The opening of the bids of a process you take part in"), mandatory=True)
TENDER_AUCTION_CLOSED = register(
    "tender.auction_closed", _("The results of the reverse auction of a process you take part in"), mandatory=True
)
TENDER_AWARDED = register("tender.awarded", _("The award (buena pro) of a process you take part in"), mandatory=True)
TENDER_VOID = register("tender.void", _("A process you take part in was declared void"), mandatory=True)
TENDER_CONSENTED = register("tender.consented", _("The award of a process you take part in is firm"), mandatory=True)
APPEAL_FILED = register("appeal.filed", _("Appeals filed in processes you take part in or review"), mandatory=True)
APPEAL_RESOLVED = register("appeal.resolved", _("Resolutions of appeals in processes you take part in"), mandatory=True)
CONTRACT_SIGNED = register("contract.signed", _("Signatures of your contracts"), mandatory=True)
CONTRACT_COMPLETED = register(
    "contract.completed", _("The completion and performance evaluation of your contracts"), mandatory=True
)
DOCUMENT_PUBLISHED = register(
    "tender.document_published", _("New documents and amendments of a process you take part in"), mandatory=True
)
DEADLINE_REMINDER = register(
    "tender.deadline_reminder", _("Reminders the day before questions or bids close in your processes")
)
