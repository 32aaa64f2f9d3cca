from django.urls import path

from portal.notifications import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox-read"),
    path("inbox/preferences/", views.preferences, name="notification-preferences"),
]
