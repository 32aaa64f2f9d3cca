"""Public MYPE set-aside dashboards: national and per entity. (To be filled.)"""

from django.http import HttpResponse
from django.urls import path


def placeholder(request, *args, **kwargs):
    return HttpResponse(status=501)


urlpatterns = [
    path("registry/quotas/", placeholder, name="quota-national"),
    path("registry/quotas/<int:entity_id>/", placeholder, name="quota-entity"),
]
