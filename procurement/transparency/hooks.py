"""Every audited change of a tender updates what the public sees of it, in the same transaction:
its row in the public projection (``index.refresh``), its agreed unit prices (``prices.refresh``)
and, for the events OCDS reports, a new release (``ocds.releases.on_event``). Connected in
``ProcurementConfig.ready``."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from portal.audit.signals import recording
from procurement.enums import TenderStatus
from procurement.models import Appeal, Award, Bid, Contract, Lot, Question, Tender
from procurement.ocds import releases
from procurement.transparency import index, prices

# Model label → how to reach the tender's id from an instance of it.
TENDER_OF = {
    "procurement.tender": lambda obj: obj.pk,
    "procurement.lot": lambda obj: obj.tender_id,
    "procurement.appeal": lambda obj: obj.tender_id,
    "procurement.contract": lambda obj: obj.tender_id,
    "procurement.question": lambda obj: obj.tender_id,
    "procurement.award": lambda obj: Lot.objects.values_list("tender_id", flat=True).get(pk=obj.lot_id),
    "procurement.bid": lambda obj: Lot.objects.values_list("tender_id", flat=True).get(pk=obj.lot_id),
}
# Events that change nothing public: a bid is sealed, a question unpublished, a participant private.
PRIVATE = frozenset(
    {"bid.submitted", "bid.withdrawn", "bid.evaluated", "question.asked", "question.answered", "participant.registered"}
)
MODELS = (Tender, Lot, Appeal, Contract, Question, Award, Bid)


@receiver(recording, dispatch_uid="procurement.transparency")
def publish(*, action: str, obj: Any, occurred_at, **_kwargs: Any) -> None:
    if obj is None or action in PRIVATE or not isinstance(obj, MODELS):
        return
    tender_id = TENDER_OF[obj._meta.label_lower](obj)
    # A service may record the tender's event before it saves the tender: the instance is the truth.
    current = obj if isinstance(obj, Tender) else None
    if current is not None and current.status == TenderStatus.DRAFT:
        return  # a draft's events (created, chronogram, documents) publish nothing: spare their queries
    index.refresh(tender_id=tender_id, current=current)
    prices.refresh(tender_id=tender_id)
    releases.on_event(tender_id=tender_id, current=current, action=action, occurred_at=occurred_at)
