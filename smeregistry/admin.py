"""Admin: the registry's rules are data edited here; its evidence (eligibility, awards, sanctions) is
read-only, because those rows are written by services that audit them."""

from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin
from smeregistry.models import (
    AwardFact,
    EligibilityRecord,
    JurisdictionPolicy,
    Region,
    Sanction,
    SizeClassRule,
    Supplier,
    TaxUnitValue,
    UnspscCategory,
)


@admin.register(TaxUnitValue)
class TaxUnitValueAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "unit", "fiscal_year", "value", "currency")
    list_filter = ("jurisdiction",)


@admin.register(SizeClassRule)
class SizeClassRuleAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "size_class", "max_units", "unit", "valid_from", "valid_to", "legal_basis")
    list_filter = ("jurisdiction", "size_class")


@admin.register(JurisdictionPolicy)
class JurisdictionPolicyAdmin(admin.ModelAdmin):
    list_display = ("jurisdiction", "quota_target_percent", "registration_validity_days", "category_match")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "country")
    search_fields = ("name", "code")


@admin.register(UnspscCategory)
class UnspscCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "level", "name_es", "name_en")
    list_filter = ("level",)
    search_fields = ("code", "name_es", "name_en")
    raw_id_fields = ("parent",)


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    """Status changes go through the operator's pages, which apply the rules and audit them."""

    list_display = ("ruc", "legal_name", "region", "size_class", "status", "valid_until")
    list_filter = ("status", "size_class", "region")
    search_fields = ("ruc", "legal_name", "trade_name")


@admin.register(Sanction)
class SanctionAdmin(ReadOnlyAdmin):
    list_display = ("supplier", "starts_on", "ends_on", "source")
    search_fields = ("supplier__ruc", "supplier__legal_name", "source")


@admin.register(EligibilityRecord)
class EligibilityRecordAdmin(ReadOnlyAdmin):
    list_display = ("id", "checked_at", "party_label", "lot_reference", "purpose", "eligible", "size_class")
    list_filter = ("purpose", "eligible", "size_class")
    search_fields = ("party_label", "lot_reference")


@admin.register(AwardFact)
class AwardFactAdmin(ReadOnlyAdmin):
    list_display = ("source", "entity", "supplier", "size_class", "is_mype", "amount_local", "awarded_on")
    list_filter = ("is_mype", "fiscal_year")
    search_fields = ("source", "supplier__ruc")
