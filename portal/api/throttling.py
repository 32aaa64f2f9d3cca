from rest_framework.throttling import UserRateThrottle


class PrincipalRateThrottle(UserRateThrottle):
    """Rate per person, and per API token: integrators do not share one bucket."""

    def get_cache_key(self, request, view):
        token = getattr(request.user, "token", None)
        if token is not None:
            return self.cache_format % {"scope": self.scope, "ident": f"token-{token.prefix}"}
        return super().get_cache_key(request, view)
