"""Notification events of the supplier registry."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import register

SUPPLIER_REGISTERED = register(
    "supplier.registered", _("Your registration in the supplier registry was received"), mandatory=True
)
SUPPLIER_STATUS_CHANGED = register("supplier.status_changed", _("Your registration changed status"), mandatory=True)
SUPPLIER_EXPIRY_REMINDER = register("supplier.expiry_reminder", _("Reminders before your registration expires"))
SANCTION_RECORDED = register("sanction.recorded", _("A sanction was recorded against your business"), mandatory=True)
