"""Public pages: supplier search, the supplier's profile, the sanctions list. (To be filled.)"""

from django.http import HttpResponse
from django.urls import path


def placeholder(request, *args, **kwargs):
    return HttpResponse(status=501)


urlpatterns = [
    path("registry/suppliers/", placeholder, name="supplier-list"),
    path("registry/suppliers/<str:ruc>/", placeholder, name="supplier-profile"),
    path("registry/sanctions/", placeholder, name="sanction-list"),
]
