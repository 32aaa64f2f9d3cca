"""Read side of accounts. Everything here is scoped to what the acting user may see."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.accounts.enums import Role
from portal.accounts.models import ApiToken, Membership, Organisation, User
from portal.core.errors import NotFoundError

SUPPLIER_SPOKESPEOPLE = (Role.SUPPLIER_REPRESENTATIVE, Role.ADMINISTRATOR)


def organisations_for_user(user: Any) -> QuerySet[Organisation]:
    """The active organisations a person may act for."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user, is_active=True).distinct().order_by("name")


def roles_for(actor: Any, organisation: Organisation | None) -> frozenset[str]:
    """The roles ``actor`` holds in ``organisation``; empty when it holds none."""
    if organisation is None or not getattr(actor, "is_authenticated", False):
        return frozenset()
    token_org = getattr(actor, "organisation", None)
    if getattr(actor, "token", None) is not None:
        return actor.roles if token_org and token_org.pk == organisation.pk else frozenset()
    if not organisation.is_active:
        return frozenset()
    return frozenset(Membership.objects.filter(user=actor, organisation=organisation).values_list("role", flat=True))


def organisation_get_for_actor(*, actor: Any, organisation_id: int) -> Organisation:
    """The organisation, if the actor belongs to it; otherwise "not found" (existence is not leaked)."""
    if getattr(actor, "token", None) is not None:
        if actor.organisation.pk == organisation_id:
            return actor.organisation
    else:
        org = organisations_for_user(actor).filter(pk=organisation_id).first()
        if org is not None:
            return org
    raise NotFoundError(_("No such organisation."), code="organisation_not_found")


def spokespeople_of(*, organisation_ids: Iterable[int] | QuerySet) -> QuerySet[User]:
    """The active people who speak for supplier organisations: their representatives and administrators.

    The one definition of "who is told about a supplier's processes, bids and registry record".
    """
    return (
        User.objects.filter(
            memberships__organisation_id__in=organisation_ids,
            memberships__role__in=SUPPLIER_SPOKESPEOPLE,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def members_of(*, organisation: Organisation) -> QuerySet[User]:
    return User.objects.filter(memberships__organisation=organisation).distinct().order_by("last_name", "email")


def memberships_of(*, organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__email", "role")


def api_tokens_of(*, organisation: Organisation) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(organisation=organisation).select_related("created_by")
