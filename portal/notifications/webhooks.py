"""Organisations' webhooks: register, list, remove. Deliveries go through the outbox (services.py)."""

from __future__ import annotations

import secrets
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.accounts.enums import Role
from portal.accounts.models import Organisation
from portal.accounts.selectors import roles_for
from portal.audit.services import audit_record
from portal.core.errors import DomainError, NotFoundError
from portal.notifications import events as event_types
from portal.notifications.models import WebhookEndpoint

# People who wire their organisation's systems to the portal.
WEBHOOK_ROLES = frozenset({Role.ADMINISTRATOR, Role.INTEGRATOR, Role.SUPPLIER_REPRESENTATIVE, Role.PROCUREMENT_OFFICER})
MAX_WEBHOOKS = 10


def webhooks_of(*, organisation: Organisation) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(organisation=organisation, is_active=True).order_by("pk")


def _require(actor: Any, organisation: Organisation) -> None:
    if not roles_for(actor, organisation) & WEBHOOK_ROLES:
        raise PermissionDenied(_("Your role in this organisation does not allow managing webhooks."))


@transaction.atomic
def webhook_register(
    *, actor: Any, organisation: Organisation, url: str, events: list[str] | None = None
) -> WebhookEndpoint:
    """Register ``url`` for the organisation; the returned row carries the new signing secret (shown once).

    ``events`` names the events wanted; none means every event. Locks the organisation's row, so that
    two registrations cannot both pass the limit.
    """
    wanted = list(events or [])
    _require(actor, organisation)
    if not url.startswith(("https://", "http://")):
        raise DomainError(_("Give an http(s) URL."), code="invalid_url", field="url")
    for name in wanted:
        try:
            event_types.get(name)
        except LookupError:
            raise DomainError(
                _("Unknown event %(name)s.") % {"name": name}, code="unknown_event", field="events"
            ) from None
    Organisation.objects.select_for_update(of=("self",)).filter(pk=organisation.pk).first()
    if webhooks_of(organisation=organisation).count() >= MAX_WEBHOOKS:
        raise DomainError(
            _("An organisation may register at most %(max)d webhooks.") % {"max": MAX_WEBHOOKS},
            code="too_many_webhooks",
        )
    endpoint = WebhookEndpoint.objects.create(
        organisation=organisation,
        url=url,
        events=sorted(set(wanted)),
        secret=secrets.token_hex(32),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor, action="webhook.registered", organisation=organisation, obj=endpoint, payload={"url": url}
    )
    return endpoint


@transaction.atomic
def webhook_remove(*, actor: Any, organisation: Organisation, webhook_id: int) -> None:
    """Deactivate a webhook: pending deliveries to it then fail instead of being sent."""
    _require(actor, organisation)
    endpoint = webhooks_of(organisation=organisation).filter(pk=webhook_id).select_for_update(of=("self",)).first()
    if endpoint is None:
        raise NotFoundError(_("No such webhook."), code="webhook_not_found")
    endpoint.is_active = False
    endpoint.save(update_fields=["is_active"])
    audit_record(actor=actor, action="webhook.removed", organisation=organisation, obj=endpoint, payload={})
