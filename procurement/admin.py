from django.contrib import admin

from procurement.models import Holiday, ProcedureType


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
