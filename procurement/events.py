"""Notification events of public procurement."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import register

TENDER_PUBLISHED = register("tender.published", _("New calls for tender in your categories and regions"))
TENDER_CANCELLED = register("tender.cancelled", _("A procurement process was cancelled"), mandatory=True)
TENDER_ANNULLED = register("tender.annulled", _("A procurement process was annulled"), mandatory=True)
