"""Notification events of trade documents (people's inbox and e-mail, and organisations' webhooks)."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import register

# To the receiver's people: a valid document arrived in the organisation's inbox.
DOCUMENT_RECEIVED = register("document.received", _("Orders and invoices addressed to your organisation"))
# To the sender's people: the portal's validation failed, or the receiver answered.
DOCUMENT_INVALID = register("document.invalid", _("Documents you sent that failed validation"), mandatory=True)
DOCUMENT_ANSWERED = register("document.answered", _("Acceptance or rejection of the invoices you sent"), mandatory=True)
# To webhooks: every change of a document's status, for the sender and the receiver.
DOCUMENT_STATUS_CHANGED = register("document.status_changed", _("A trade document changed status"))
