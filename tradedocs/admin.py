"""Read-only views of trade documents and factoring for operators; the services write them.

The only action is the platform operator's verification of a supplier's bank account, which goes
through its service (audited)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.core.admin import ReadOnlyAdmin
from tradedocs.factoring.services import bank_account_verify
from tradedocs.models import BankAccount, Chain, Document, Financing, Offer, Receivable


@admin.register(Document)
class DocumentAdmin(ReadOnlyAdmin):
    list_display = ("id", "document_type", "syntax", "number", "status", "seller_tax_id", "buyer_tax_id", "created_at")
    list_filter = ("document_type", "syntax", "status", "source")
    search_fields = ("number", "seller_tax_id", "buyer_tax_id", "sha256")
    # The original bytes and the raw SVRL are downloaded through the pages and the API, not shown here.
    exclude = ("original", "svrl")


@admin.register(Chain)
class ChainAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "buyer", "programme", "day_count", "cap_points", "is_active")


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ("id", "chain", "institution", "reference_rate", "spread", "valid_from")


@admin.register(Receivable)
class ReceivableAdmin(ReadOnlyAdmin):
    list_display = ("id", "seller_tax_id", "number", "chain", "face_value", "credit_notes", "due_date", "status")
    list_filter = ("status", "source")
    search_fields = ("number", "seller_tax_id")


@admin.register(Financing)
class FinancingAdmin(ReadOnlyAdmin):
    list_display = ("id", "receivable", "institution", "status", "face", "rate", "discount", "net", "operated_at")
    list_filter = ("status",)


@admin.register(BankAccount)
class BankAccountAdmin(ReadOnlyAdmin):
    list_display = ("id", "organisation", "bank", "cci", "verified_at")
    list_filter = ("verified_at",)
    search_fields = ("organisation__name", "organisation__tax_id", "cci")
    actions = ["verify"]

    @admin.action(description=_("Verify the selected bank accounts"))
    def verify(self, request, queryset):
        try:
            for account in queryset:
                bank_account_verify(actor=request.user, account=account)
        except PermissionDenied as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        count = queryset.count()
        self.message_user(
            request,
            ngettext("%(count)d account verified.", "%(count)d accounts verified.", count) % {"count": count},
            messages.SUCCESS,
        )
