from typing import Any

from django.db.models import QuerySet

from portal.notifications.enums import Channel
from portal.notifications.models import Notification


def inbox_for(*, user: Any) -> QuerySet[Notification]:
    """The person's own inbox messages, newest first. Nobody else's are reachable from here."""
    return Notification.objects.filter(recipient=user, channel=Channel.INAPP).order_by("-created_at", "-pk")


def unread_count(*, user: Any) -> int:
    return Notification.objects.filter(recipient=user, channel=Channel.INAPP, read_at__isnull=True).count()
