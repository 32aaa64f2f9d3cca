"""Building blocks for API permissions: who acts, for which organisation, with which roles/scopes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from rest_framework.permissions import SAFE_METHODS, BasePermission

from portal.accounts.enums import TokenScope
from portal.accounts.selectors import organisation_get_for_actor, roles_for


def is_token(actor: Any) -> bool:
    return getattr(actor, "token", None) is not None


def acting_organisation(request, organisation_id: int | None):
    """The organisation the caller acts for: the one named (if the caller belongs to it; "not found"
    otherwise), else a token's own or the person's active organisation."""
    if organisation_id is not None:
        return organisation_get_for_actor(actor=request.user, organisation_id=organisation_id)
    if is_token(request.user):
        return request.user.organisation
    organisation = getattr(request, "organisation", None)
    if organisation is None:
        raise PermissionDenied(_("You do not act for any organisation."))
    return organisation


class HasRoleIn(BasePermission):
    """Allow when the actor holds one of ``view.required_roles`` in the URL's organisation.

    Tokens additionally need ``view.required_scope`` (if set), and the ``read`` scope for any
    read. Non-members get 404 from the selector before this runs, so the existence of other
    organisations is not revealed.
    """

    def has_permission(self, request, view) -> bool:
        organisation = view.get_organisation()
        required = getattr(view, "required_roles", frozenset())
        if required and not roles_for(request.user, organisation) & frozenset(required):
            self.message = _("Your role in this organisation does not allow this action.")
            return False
        if is_token(request.user):
            if getattr(view, "tokens_allowed", True) is False:
                self.message = _("This action needs a signed-in person, not an API token.")
                return False
            scope = getattr(view, "required_scope", None)
            if scope is None and request.method in SAFE_METHODS:
                scope = TokenScope.READ
            if scope and not request.user.has_scope(scope):
                self.message = _("The API token lacks the scope '%(scope)s'.") % {"scope": scope}
                return False
        return True
