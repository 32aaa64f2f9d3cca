"""Admin: procedure types, holidays, fee rules and exchange rates are data edited here; the processes
themselves are written only by services that apply the rules and audit them, so the admin looks
but never changes them.

A bid is shown by its receipt (lot, bidder, status, time, digest) and, once opened, its read
content. Its sealed box is never a column, a field or a filter here: before the opening an
administrator sees no more than the entity does.
"""

from django.contrib import admin
from django.db import transaction

from portal.core.admin import ReadOnlyAdmin
from procurement.models import (
    Appeal,
    AppealFeeRule,
    Award,
    Bid,
    Contract,
    EntityProfile,
    ExchangeRate,
    Holiday,
    ProcedureType,
    Tender,
)
from procurement.transparency import index


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("day", "name", "jurisdiction")
    list_filter = ("jurisdiction",)
    date_hierarchy = "day"


@admin.register(ProcedureType)
class ProcedureTypeAdmin(admin.ModelAdmin):
    """The configuration is checked on save (see procedure_config.validate_procedure_config)."""

    list_display = ("name", "code", "jurisdiction", "is_active")
    list_filter = ("jurisdiction", "is_active")


@admin.register(AppealFeeRule)
class AppealFeeRuleAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "valid_from", "rate", "minimum")
    list_filter = ("jurisdiction",)


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "day", "rate")
    list_filter = ("currency",)
    date_hierarchy = "day"


@admin.register(EntityProfile)
class EntityProfileAdmin(admin.ModelAdmin):
    """The portal's operators describe each contracting entity once: sector, level and region."""

    list_display = ("organisation", "sector", "level", "region")
    list_filter = ("sector", "level", "region")
    search_fields = ("organisation__name", "organisation__tax_id")
    autocomplete_fields = ("organisation",)

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        """The entity's published processes carry its sector and region: rewrite them with it."""
        super().save_model(request, obj, form, change)
        for tender_id in Tender.objects.filter(entity_id=obj.organisation_id).values_list("pk", flat=True):
            index.refresh(tender_id=tender_id)


@admin.register(Tender)
class TenderAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "entity", "status", "bids_due", "next_check")
    list_filter = ("status", "procedure_type")
    search_fields = ("code", "title")


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    list_display = ("pk", "lot", "status", "received_at", "digest", "opened_at")
    list_filter = ("status",)
    # Only these are shown; ``sealed`` is deliberately absent. The opened content is empty before the
    # opening (the opening service alone fills it).
    fields = ("lot", "status", "received_at", "digest", "opened_at", "price_total", "opened_prices", "opened_technical")
    search_fields = ("digest",)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("sealed").select_related("lot__tender")


@admin.register(Award)
class AwardAdmin(ReadOnlyAdmin):
    list_display = ("lot", "supplier", "amount", "currency", "round", "status", "awarded_at")
    list_filter = ("status",)


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("lot", "appellant", "status", "fee", "filed_at", "resolved_at")
    list_filter = ("status",)


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("number", "supplier", "amount", "currency", "status", "signed_at", "rating")
    list_filter = ("status",)
