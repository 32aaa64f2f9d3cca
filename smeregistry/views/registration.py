"""Pages for suppliers: the guided registration, their own record, consortia. (To be filled.)"""

from django.http import HttpResponse
from django.urls import path


def placeholder(request, *args, **kwargs):
    return HttpResponse(status=501)


urlpatterns = [
    path("registry/register/", placeholder, name="supplier-register"),
    path("registry/register/step/<int:step>/", placeholder, name="supplier-register-step"),
    path("registry/mine/", placeholder, name="supplier-mine"),
    path("registry/consortia/new/", placeholder, name="consortium-create"),
    path("registry/categories/", placeholder, name="category-picker"),
]
