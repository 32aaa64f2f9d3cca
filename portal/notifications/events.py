"""The kinds of notification the portal sends. Each app registers its own at import time.

A kind names its templates: ``templates/notifications/<name>/subject.txt`` and ``body.txt``, written
with ``{% translate %}``/``{% blocktranslate %}`` so that each person reads them in their language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventType:
    name: str
    label: str | Promise
    # Legal notices (award, appeal outcome…) cannot be switched off by the recipient.
    mandatory: bool = False


_REGISTRY: dict[str, EventType] = {}


def register(name: str, label: str | Promise, *, mandatory: bool = False) -> EventType:
    event = EventType(name=name, label=label, mandatory=mandatory)
    _REGISTRY[name] = event
    return event


def get(name: str) -> EventType:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(f"unknown notification event {name!r}; register it in its app's events") from None


def all_events() -> list[EventType]:
    return sorted(_REGISTRY.values(), key=lambda event: event.name)


MEMBERSHIP_GRANTED = register("membership.granted", _("You were given a role in an organisation"), mandatory=True)
API_TOKEN_CREATED = register("api_token.created", _("An API token was created for your organisation"), mandatory=True)
ANNOUNCEMENT = register("portal.announcement", _("Announcements from the portal"))
