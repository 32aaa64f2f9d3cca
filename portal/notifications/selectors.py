from typing import Any

from django.db.models import QuerySet

from portal.notifications.enums import Channel
from portal.notifications.models import Notification


def inbox_for(*, user: Any) -> QuerySet[Notification]:
    """The person's own inbox messages, newest first. Nobody else's are reachable from here."""
    return Notification.objects.filter(recipient=user, channel=Channel.INAPP).order_by("-created_at", "-pk")


def unread_count(*, user: Any) -> int:
    """How many of the person's inbox messages are unread; 0 for a caller that is not a person (an API
    token's principal has no pk and no inbox)."""
    if getattr(user, "pk", None) is None:
        return 0
    return Notification.objects.filter(recipient=user, channel=Channel.INAPP, read_at__isnull=True).count()
