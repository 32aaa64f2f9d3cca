"""Writing and checking the audit trail."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction

from portal.audit.models import GENESIS_HASH, AuditEvent, AuditHead
from portal.audit.signals import recording
from portal.core import clock

logger = logging.getLogger(__name__)


def _canonical(value: Any) -> str:
    return json.dumps(value, cls=DjangoJSONEncoder, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _event_hash(*, prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + _canonical(fields)).encode()).hexdigest()


def _hashed_fields(event: AuditEvent) -> dict[str, Any]:
    return {
        "occurred_at": event.occurred_at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "organisation_id": event.organisation_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "payload": event.payload,
    }


def _actor_label(actor: Any) -> str:
    if actor is None:
        return "system"
    label = getattr(actor, "audit_label", None)
    if label:
        return str(label)
    return f"user:{actor.pk}:{actor.get_username()}"


def audit_record(
    *,
    actor: Any,
    action: str,
    organisation: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    payload: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction.

    Must be called inside ``transaction.atomic``. Locks the chain head until the caller commits, so
    call it as the last write of a service to keep that lock short. ``actor`` is a user, an API
    token principal (anything with ``audit_label``) or ``None`` for the system (scheduler, jobs).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change it records")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    # Store exactly what was hashed: Decimals and datetimes become strings once, here.
    clean_payload = json.loads(_canonical(payload or {}))
    occurred_at = clock.now()
    # Derived public data is written first, so the chain head below stays locked only briefly.
    recording.send(
        sender=AuditEvent,
        action=action,
        obj=obj,
        object_type=object_type,
        object_id=str(object_id),
        occurred_at=occurred_at,
        actor=actor,
    )
    head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
    event = AuditEvent(
        occurred_at=occurred_at,
        actor_id=getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None,
        actor_label=_actor_label(actor),
        organisation_id=getattr(organisation, "pk", organisation),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        payload=clean_payload,
        prev_hash=head.last_hash,
    )
    event.hash = _event_hash(prev_hash=event.prev_hash, fields=_hashed_fields(event))
    event.save(force_insert=True)
    AuditHead.objects.filter(pk=1).update(last_event_id=event.pk, last_hash=event.hash, count=head.count + 1)
    return event


@dataclass(frozen=True)
class AuditProblem:
    event_id: int | None
    reason: str


def audit_verify(*, chunk_size: int = 5000) -> Iterator[AuditProblem]:
    """Walk the whole chain in order and yield what does not hold; stops at the first break."""
    expected_prev = GENESIS_HASH
    last_id = 0
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=chunk_size):
        if event.prev_hash != expected_prev:
            yield AuditProblem(event.pk, "previous hash does not match: a row before it was deleted or edited")
            return
        if _event_hash(prev_hash=event.prev_hash, fields=_hashed_fields(event)) != event.hash:
            yield AuditProblem(event.pk, "content does not match its hash: the row was edited")
            return
        expected_prev = event.hash
        last_id = event.pk
        count += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_hash = head.last_hash if head else GENESIS_HASH
    head_count = head.count if head else 0
    if head_hash != expected_prev or head_count != count:
        yield AuditProblem(
            head.last_event_id if head else None,
            f"the chain ends at #{last_id} ({count} rows) but the head records "
            f"#{head.last_event_id if head else 0} ({head_count} rows): rows at the end were deleted",
        )
