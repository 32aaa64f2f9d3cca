from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.notifications.enums import DeliveryStatus
from portal.notifications.models import Notification, WebhookEndpoint
from portal.notifications.services import notification_retry_failed


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "event",
        "key",
        "recipient",
        "endpoint",
        "channel",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "channel", "event")
    search_fields = ("key", "recipient__email", "last_error")
    raw_id_fields = ("recipient", "endpoint")
    readonly_fields = [field.name for field in Notification._meta.fields]
    actions = ["retry_failed"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Retry the selected failed notifications"))
    def retry_failed(self, request, queryset):
        count = notification_retry_failed(
            notification_ids=queryset.filter(status=DeliveryStatus.FAILED).values_list("pk", flat=True)
        )
        self.message_user(
            request,
            ngettext("%(count)d notification queued again.", "%(count)d notifications queued again.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin):
    list_display = ("id", "organisation", "url", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "organisation__name", "organisation__tax_id")
    readonly_fields = ("organisation", "url", "events", "created_by", "created_at")
    fields = ("organisation", "url", "events", "is_active", "created_by", "created_at")

    def has_add_permission(self, request):
        return False  # organisations register their webhooks themselves; the secret is theirs alone
