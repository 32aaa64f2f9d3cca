from django.conf import settings
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from portal.api.problems import problem_response


class BodySizeLimitMiddleware:
    """Refuse a request whose declared body is over the limit before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.limit = settings.PORTAL_MAX_BODY_BYTES

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.limit:
            message = _("The request body is larger than the portal accepts (%(limit)s MB).") % {
                "limit": self.limit // (1024 * 1024)
            }
            if request.path.startswith("/api/"):
                return problem_response(413, "payload_too_large", message)
            response = TemplateResponse(request, "errors/error.html", {"message": message}, status=413)
            return response.render()
        return self.get_response(request)
