from django.contrib import admin

from portal.audit.models import AuditEvent
from portal.core.admin import ReadOnlyAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the trail is evidence."""

    list_display = ("id", "occurred_at", "actor_label", "organisation_id", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("actor_label", "object_id", "action")
    date_hierarchy = "occurred_at"
