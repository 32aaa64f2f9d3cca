"""Notification events of reverse factoring."""

from django.utils.translation import gettext_lazy as _

from portal.notifications.events import register

CHAIN_INVITATION = register("factoring.invitation", _("Invitations to a buyer's factoring chain"), mandatory=True)
DOCUMENT_NEGOTIABLE = register("factoring.negotiable", _("Your invoices that can be discounted"))
FINANCING_SELECTED = register("factoring.selected", _("Documents a supplier chose to discount with your institution"))
FINANCING_OPERATED = register("factoring.operated", _("Discounts paid to your organisation"), mandatory=True)
MATURITY_REMINDER = register("factoring.maturity", _("Payables discounted in a chain falling due soon"), mandatory=True)
