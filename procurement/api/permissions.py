"""Who may call the procurement API, and for which organisation.

Reads of public procurement data are public (the registry API's rule): anonymous callers are
throttled, people may read, and API tokens need the ``read`` scope. Acts of a contracting entity or of
the oversight body, and a supplier's registration and questions, need a signed-in person (tokens get
403): the services record the person who answers for them. Bids need a person who speaks for the
supplier, or the supplier's own token with the ``bids:write`` scope. Which person may do what is the
services' rule (PermissionDenied → 403); what they may see is the selectors' (NotFoundError → 404).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from portal.accounts.enums import OrganisationKind, Role, TokenScope
from portal.accounts.models import Organisation
from portal.accounts.principals import TokenPrincipal
from portal.accounts.selectors import roles_for
from portal.api.permissions import acting_organisation, is_token  # noqa: F401 - re-exported
from procurement.services._common import OFFICER_ROLES


def _token_lacks(request: Request, scope: str) -> str | None:
    if is_token(request.user) and not request.user.has_scope(scope):
        return _("The API token lacks the scope '%(scope)s'.") % {"scope": scope}
    return None


class PublicRead(BasePermission):
    """Anyone may read; a token must carry the ``read`` scope."""

    def has_permission(self, request, view) -> bool:
        refusal = _token_lacks(request, TokenScope.READ)
        if refusal:
            self.message = refusal
            return False
        return True


class PersonOnly(BasePermission):
    """Acts a person answers for (an entity's, the oversight body's, a supplier's registration and
    questions) are refused to API tokens. Run after IsAuthenticated: anonymous callers get 401."""

    message = _("This action needs a signed-in person, not an API token.")

    def has_permission(self, request, view) -> bool:
        return not is_token(request.user)


class BidScopes(BasePermission):
    """A token reads its organisation's bids with ``read`` and submits or withdraws with ``bids:write``."""

    def has_permission(self, request, view) -> bool:
        scope = TokenScope.READ if request.method in SAFE_METHODS else TokenScope.BIDS_WRITE
        refusal = _token_lacks(request, scope)
        if refusal:
            self.message = refusal
            return False
        return True


def supplier_actor(request: Request) -> Any:
    """The actor handed to the bid services and selectors.

    A person acts as themself. A token acts for its own organisation only; when that is a supplier, it
    speaks for it in bids as its representatives do. The bid services check the supplier
    representative's role and know nothing of scopes, so the token's principal carries that role here;
    the views using this first required the scope (``BidScopes``). The audit trail still names the token.
    """
    user = request.user
    if is_token(user) and user.organisation.kind == OrganisationKind.SUPPLIER:
        return TokenPrincipal(token=user.token, roles=user.roles | {Role.SUPPLIER_REPRESENTATIVE})
    return user


def is_entity_officer(actor: Any, entity: Organisation) -> bool:
    """Whether ``actor`` runs ``entity``'s procurement (the services' rule, asked without raising)."""
    return entity.kind == OrganisationKind.CONTRACTING_ENTITY and bool(roles_for(actor, entity) & OFFICER_ROLES)
