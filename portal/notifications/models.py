from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.notifications.enums import Channel, DeliveryStatus


class WebhookEndpoint(models.Model):
    """A URL of an organisation's system that receives the events it subscribed to, signed.

    The secret signs each delivery (HMAC-SHA256); the portal generates it and shows it once.
    """

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    secret = models.CharField(max_length=64, editable=False)
    # Event names (see each app's events.py); empty means every event offered to webhooks.
    events = models.JSONField(_("events"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return f"{self.organisation_id}: {self.url}"

    def wants(self, event: str) -> bool:
        return self.is_active and (not self.events or event in self.events)


class Notification(models.Model):
    """One message to one person on one channel, or to one webhook: the outbox row and, for the
    inbox, the message.

    Written in the same transaction as the business change; delivered by a Celery task after commit.
    ``(event, key, recipient, channel)`` and ``(event, key, endpoint)`` are unique, so the same
    occurrence is never queued twice.
    """

    event = models.CharField(_("event"), max_length=64)
    # Identifies the occurrence, e.g. "tender:42:published"; with event, recipient and channel, unique.
    key = models.CharField(_("key"), max_length=128)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    endpoint = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    context = models.JSONField(default=dict)
    url = models.CharField(_("link"), max_length=500, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=DeliveryStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    # When a delivery task was last handed to the broker (or is due to run, for a retry).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["event", "key", "recipient", "channel"], name="notification_once_per_channel"
            ),
            models.UniqueConstraint(fields=["event", "key", "endpoint"], name="notification_once_per_webhook"),
            models.CheckConstraint(
                condition=(
                    models.Q(channel="webhook", endpoint__isnull=False, recipient__isnull=True)
                    | (~models.Q(channel="webhook") & models.Q(endpoint__isnull=True, recipient__isnull=False))
                ),
                name="notification_person_or_webhook",
            ),
        ]
        indexes = [
            # The sweeper and the delivery claim look for work by status and due time.
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            # The inbox and its unread counter.
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id or self.endpoint_id} ({self.channel}, {self.status})"


class NotificationPreference(models.Model):
    """A person's choice for one kind of event; without a row, every channel is on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    event = models.CharField(max_length=64)
    email = models.BooleanField(default=True)
    inapp = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.event}: email={self.email} inbox={self.inapp}"
