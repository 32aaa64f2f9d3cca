"""Pages: registration (to be filled)."""

from django.http import HttpResponse


def placeholder(request, *args, **kwargs):
    return HttpResponse(status=501)
