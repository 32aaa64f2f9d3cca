from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.notifications.enums import Channel, DeliveryStatus


class Notification(models.Model):
    """One message to one person on one channel: the outbox row and, for the inbox, the message.

    Written in the same transaction as the business change; delivered by a Celery task after commit.
    ``(event, key, recipient, channel)`` is unique, so the same occurrence is never queued twice.
    """

    event = models.CharField(_("event"), max_length=64)
    # Identifies the occurrence, e.g. "tender:42:published"; with event, recipient and channel, unique.
    key = models.CharField(_("key"), max_length=128)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
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
        ]
        indexes = [
            # The sweeper and the delivery claim look for work by status and due time.
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            # The inbox and its unread counter.
            models.Index(fields=["recipient", "channel", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.recipient_id} ({self.channel}, {self.status})"


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
