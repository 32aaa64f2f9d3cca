from django.conf import settings

from portal.notifications.selectors import unread_count


def portal(request):
    user = getattr(request, "user", None)
    return {
        "active_organisation": getattr(request, "organisation", None),
        "my_organisations": getattr(request, "organisations", []),
        "my_roles": getattr(request, "roles", frozenset()),
        "unread_notifications": unread_count(user=user) if user is not None and user.is_authenticated else 0,
        "PORTAL_ENV": settings.PORTAL_ENV,
    }
