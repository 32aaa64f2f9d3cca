"""Write side of accounts: organisations, memberships and API tokens."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumValidationError
from stdnum.pe import ruc

from portal.accounts.enums import ROLES_BY_KIND, OrganisationKind, Role, TokenScope
from portal.accounts.models import ApiToken, Membership, Organisation, User
from portal.accounts.selectors import roles_for
from portal.audit.services import audit_record
from portal.core import clock
from portal.core.errors import DomainError, RuleViolation
from portal.notifications.services import notify

logger = logging.getLogger(__name__)

TOKEN_PREFIX_BYTES = 6  # 8 url-safe characters
TOKEN_SECRET_BYTES = 32


def require_role(actor: Any, organisation: Organisation, roles: Iterable[str]) -> frozenset[str]:
    """Raise PermissionDenied unless ``actor`` holds one of ``roles`` in ``organisation``."""
    held = roles_for(actor, organisation)
    if not held & frozenset(roles):
        raise PermissionDenied(_("Your role in this organisation does not allow this action."))
    return held


def normalise_tax_id(*, country: str, tax_id: str) -> str:
    """Validate and compact a tax identifier; for Peru, the RUC with its check digit."""
    tax_id = (tax_id or "").strip()
    if country == "PE":
        try:
            return ruc.validate(tax_id)
        except StdnumValidationError as exc:
            raise DomainError(
                _("The RUC must have 11 digits and a valid check digit (e.g. 20131312955)."),
                code="invalid_ruc",
                field="tax_id",
            ) from exc
    if not tax_id:
        raise DomainError(_("The tax identifier is required."), code="invalid_tax_id", field="tax_id")
    return tax_id


@transaction.atomic
def organisation_create(*, actor: Any, kind: str, name: str, tax_id: str, country: str = "PE") -> Organisation:
    """Create an organisation. Platform staff only (suppliers self-register through the registry).

    ``actor=None`` is the system (demo loader, migrations of legacy data).
    """
    if actor is not None and not getattr(actor, "is_superuser", False):
        raise PermissionDenied(_("Only platform administrators create organisations here."))
    if kind not in OrganisationKind.values:
        raise DomainError(_("Unknown kind of organisation."), code="invalid_kind", field="kind")
    name = (name or "").strip()
    if not name:
        raise DomainError(_("The name is required."), code="required", field="name")
    tax_id = normalise_tax_id(country=country, tax_id=tax_id)
    if Organisation.objects.filter(country=country, tax_id=tax_id).exists():
        raise RuleViolation(
            _("An organisation with this tax identifier is already registered."),
            code="duplicate_tax_id",
            field="tax_id",
        )
    try:
        with transaction.atomic():
            organisation = Organisation.objects.create(kind=kind, name=name, tax_id=tax_id, country=country)
    except IntegrityError as exc:  # a concurrent registration won the race
        raise RuleViolation(
            _("An organisation with this tax identifier is already registered."),
            code="duplicate_tax_id",
            field="tax_id",
        ) from exc
    audit_record(
        actor=actor,
        organisation=organisation,
        action="organisation.created",
        obj=organisation,
        payload={"kind": kind, "name": name, "tax_id": tax_id},
    )
    return organisation


@transaction.atomic
def membership_grant(*, actor: Any, organisation: Organisation, user: User, role: str) -> Membership:
    """Give ``user`` a role in ``organisation``. The actor must administer the organisation."""
    if actor is not None and not getattr(actor, "is_superuser", False):
        require_role(actor, organisation, {Role.ADMINISTRATOR})
    if role not in ROLES_BY_KIND[organisation.kind]:
        raise DomainError(
            _("This role does not exist in an organisation of this kind."), code="invalid_role", field="role"
        )
    membership, created = Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
    if created:
        audit_record(
            actor=actor,
            organisation=organisation,
            action="membership.granted",
            obj=membership,
            payload={"user_id": user.pk, "role": role},
        )
        notify(
            "membership.granted",
            [user],
            {"organisation": organisation.name, "role": role},
            key=f"membership:{membership.pk}",
            url=reverse("home"),
        )
    return membership


@transaction.atomic
def membership_revoke(*, actor: Any, membership: Membership) -> None:
    organisation = membership.organisation
    if actor is not None and not getattr(actor, "is_superuser", False):
        require_role(actor, organisation, {Role.ADMINISTRATOR})
    if membership.role == Role.ADMINISTRATOR:
        # Lock the administrator rows by reading them: Django drops FOR UPDATE from count(), and without
        # the lock two administrators removing each other at the same time would both succeed.
        administrators = list(
            Membership.objects.select_for_update()
            .filter(organisation=organisation, role=Role.ADMINISTRATOR)
            .values_list("pk", flat=True)
        )
        if len(administrators) == 1:
            raise RuleViolation(_("An organisation must keep at least one administrator."), code="last_administrator")
    payload = {"user_id": membership.user_id, "role": membership.role}
    membership_id = membership.pk
    membership.delete()
    audit_record(
        actor=actor,
        organisation=organisation,
        action="membership.revoked",
        object_type="accounts.membership",
        object_id=membership_id,
        payload=payload,
    )


def _digest(secret: str) -> str:
    # The secret is 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *,
    actor: Any,
    organisation: Organisation,
    name: str,
    scopes: Iterable[str],
    days: int | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for ``organisation``; returns the row and the plain key, which is never stored.

    Only a signed-in administrator of the organisation may issue tokens (a token cannot mint tokens).
    """
    if getattr(actor, "token", None) is not None:
        raise PermissionDenied(_("API tokens cannot create other tokens; sign in as an administrator."))
    require_role(actor, organisation, {Role.ADMINISTRATOR})
    name = (name or "").strip()
    if not name:
        raise DomainError(
            _("Give the token a name, such as the system that will use it."), code="required", field="name"
        )
    scopes = sorted(set(scopes))
    unknown = [scope for scope in scopes if scope not in TokenScope.values]
    if not scopes or unknown:
        raise DomainError(
            _("Choose at least one scope among: %(scopes)s.") % {"scopes": ", ".join(TokenScope.values)},
            code="invalid_scopes",
            field="scopes",
        )
    days = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= 730:
        raise DomainError(_("A token is valid between 1 and 730 days."), code="invalid_validity", field="days")
    prefix = secrets.token_urlsafe(TOKEN_PREFIX_BYTES)
    secret = secrets.token_urlsafe(TOKEN_SECRET_BYTES)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        prefix=prefix,
        digest=_digest(secret),
        scopes=scopes,
        created_by=actor,
        expires_at=clock.now() + timedelta(days=days),
    )
    audit_record(
        actor=actor,
        organisation=organisation,
        action="api_token.created",
        obj=token,
        payload={"name": name, "prefix": prefix, "scopes": scopes, "expires_at": token.expires_at},
    )
    administrators = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Role.ADMINISTRATOR
    ).distinct()
    notify(
        "api_token.created",
        administrators,
        {
            "organisation": organisation.name,
            "name": name,
            "prefix": prefix,
            "created_by": actor.get_full_name() or actor.email,
        },
        key=f"api_token:{token.pk}",
        url=reverse("api-tokens", args=[organisation.pk]),
    )
    return token, f"ptk_{prefix}.{secret}"


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    require_role(actor, token.organisation, {Role.ADMINISTRATOR})
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            organisation=token.organisation,
            action="api_token.revoked",
            obj=token,
            payload={"prefix": token.prefix},
        )
    return token


class TokenRejected(DomainError):
    status = 401


def api_token_authenticate(*, key: str) -> ApiToken:
    """The live token for ``key``, or TokenRejected with code token_invalid/_revoked/_expired."""
    if not key.startswith("ptk_") or "." not in key:
        raise TokenRejected(_("The API token is malformed."), code="token_invalid")
    prefix, _sep, secret = key[4:].partition(".")
    token = ApiToken.objects.select_related("organisation").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.digest, _digest(secret)):
        raise TokenRejected(_("The API token is not valid."), code="token_invalid")
    now = clock.now()
    if token.revoked_at is not None:
        raise TokenRejected(_("The API token was revoked."), code="token_revoked")
    if token.expires_at <= now:
        raise TokenRejected(_("The API token has expired."), code="token_expired")
    if not token.organisation.is_active:
        raise TokenRejected(_("The organisation of this token is not active."), code="organisation_inactive")
    # Record use at most once a minute per token, to keep the hot path free of writes.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
