"""Who is acting: a signed-in person or an organisation's API token."""

from __future__ import annotations

from dataclasses import dataclass, field

from portal.accounts.enums import Role
from portal.accounts.models import ApiToken, Organisation


@dataclass(eq=False)
class TokenPrincipal:
    """Stands in for ``request.user`` when a request carries an API token.

    It acts for exactly one organisation, with the integrator role and the token's scopes.
    """

    token: ApiToken
    roles: frozenset[str] = field(default=frozenset({Role.INTEGRATOR}))

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    @property
    def organisation(self) -> Organisation:
        return self.token.organisation

    @property
    def audit_label(self) -> str:
        return f"token:{self.token.prefix}:{self.token.organisation.tax_id}"

    def get_username(self) -> str:
        return self.audit_label

    def has_scope(self, scope: str) -> bool:
        return self.token.has_scope(scope)

    def __str__(self) -> str:
        return self.audit_label
