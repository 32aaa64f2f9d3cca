from django.utils.translation import gettext as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from portal.accounts.principals import TokenPrincipal
from portal.accounts.services import TokenRejected, api_token_authenticate


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer ptk_<prefix>.<secret>``: an organisation's integrator token."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("The Authorization header must be 'Bearer <token>'."), code="token_invalid")
        try:
            token = api_token_authenticate(key=parts[1].decode("ascii", errors="replace"))
        except TokenRejected as exc:
            raise AuthenticationFailed(exc.message, code=exc.code) from exc
        return TokenPrincipal(token), token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
