from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request) -> str:
    """The language a request should be answered in: explicit choices only, Spanish by default."""
    available = {code for code, _name in settings.LANGUAGES}
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in available:
        return chosen
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and getattr(user, "language", None) in available:
        return user.language
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    """Spanish unless the person chose otherwise: the header's switcher (a cookie) or their account.

    Unlike Django's LocaleMiddleware, the browser's Accept-Language is ignored on purpose: public
    internet booths often run browsers set to English for people who read Spanish.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = chosen_language(request)
        translation.activate(chosen)
        request.LANGUAGE_CODE = chosen
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", chosen)
        patch_vary_headers(response, ("Cookie",))
        return response
