"""Pages for the registry's operators (verification, suspension) and the oversight body (sanctions)."""

from django.http import HttpResponse
from django.urls import path


def placeholder(request, *args, **kwargs):
    return HttpResponse(status=501)


urlpatterns = [
    path("registry/operator/", placeholder, name="registry-operator"),
    path("registry/operator/<str:ruc>/", placeholder, name="registry-operator-supplier"),
    path("registry/oversight/sanctions/new/", placeholder, name="sanction-create"),
]
