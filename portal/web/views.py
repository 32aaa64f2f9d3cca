import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from portal.api.problems import problem_response

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


def _error(request, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return problem_response(status, code, message)
    return render(request, "errors/error.html", {"message": message, "status": status}, status=status)


def bad_request(request, exception=None):
    return _error(request, 400, "bad_request", _("The request could not be understood. Check the form and try again."))


def permission_denied(request, exception=None):
    detail = str(exception) if exception and str(exception) else _("You may not see this page with your current role.")
    return _error(request, 403, "permission_denied", detail)


def page_not_found(request, exception=None):
    return _error(request, 404, "not_found", _("We could not find that page."))


def server_error(request):
    return _error(request, 500, "server_error", _("Something went wrong on our side. Please try again in a moment."))
