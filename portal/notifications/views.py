from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.notifications import events
from portal.notifications.models import NotificationPreference
from portal.notifications.selectors import inbox_for
from portal.notifications.services import inbox_mark_read, preferences_update, render_message


@login_required
def inbox(request):
    page = Paginator(inbox_for(user=request.user).select_related("recipient"), 20).get_page(request.GET.get("page"))
    items = []
    for notification in page:
        try:
            subject, body = render_message(notification, language=request.LANGUAGE_CODE)
        except Exception:  # a template removed after the row was written must not break the inbox
            subject, body = notification.event, ""
        items.append({"notification": notification, "subject": subject, "body": body})
    return render(request, "notifications/inbox.html", {"page": page, "items": items})


@require_POST
@login_required
def inbox_read(request):
    ids = request.POST.getlist("notification")
    if request.POST.get("all"):
        inbox_mark_read(user=request.user)
    else:
        inbox_mark_read(user=request.user, notification_ids=[int(i) for i in ids if i.isdigit()])
    return redirect("inbox")


@login_required
def preferences(request):
    event_types = [event for event in events.all_events() if not event.mandatory]
    saved = {pref.event: pref for pref in NotificationPreference.objects.filter(user=request.user)}
    if request.method == "POST":
        choices = {
            event.name: {
                "email": f"email:{event.name}" in request.POST,
                "inapp": f"inapp:{event.name}" in request.POST,
            }
            for event in event_types
        }
        preferences_update(
            user=request.user,
            email_digest="email_digest" in request.POST,
            language=request.POST.get("language", ""),
            choices=choices,
        )
        messages.success(request, _("Your preferences were saved."))
        return redirect("notification-preferences")
    rows = [
        {
            "event": event,
            "email": saved[event.name].email if event.name in saved else True,
            "inapp": saved[event.name].inapp if event.name in saved else True,
        }
        for event in event_types
    ]
    return render(request, "notifications/preferences.html", {"rows": rows})
