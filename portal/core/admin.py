from django.contrib import admin


class ReadOnlyAdmin(admin.ModelAdmin):
    """For evidence (audit events, eligibility records, sanctions…): written only by services that
    apply the rules and audit them, so the admin may look but never add, change or delete."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
