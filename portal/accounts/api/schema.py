"""OpenAPI description of how integrators authenticate (read by drf-spectacular)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "portal.accounts.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "ptk_<prefix>.<secret>",
            "description": "An organisation's API token, issued by its administrator: "
            "`Authorization: Bearer ptk_<prefix>.<secret>`.",
        }
