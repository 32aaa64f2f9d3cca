from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.api.problems import problem_response
from portal.web.middleware import chosen_language


class BodySizeLimitMiddleware:
    """Refuse a request whose declared body is over the limit before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # Read on every request, not once at start-up, so that a changed setting takes effect.
        limit = settings.PORTAL_MAX_BODY_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            # This runs before LanguageMiddleware: choose the language here, or the answer would be in
            # whatever language the thread's previous request left active.
            with translation.override(chosen_language(request)):
                return self._refuse(request, limit)
        return self.get_response(request)

    def _refuse(self, request, limit):
        message = _("The request body is larger than the portal accepts (%(limit)s at most).") % {
            "limit": filesizeformat(limit)
        }
        if request.path.startswith("/api/"):
            return problem_response(413, "payload_too_large", message)
        response = TemplateResponse(request, "errors/error.html", {"message": message, "status": 413}, status=413)
        return response.render()
