"""Writing an OCDS release for each public lifecycle event of a tender.

``on_event`` runs inside the event's transaction (``transparency.hooks``), so a release exists
exactly when its event does. Releases are never updated: a record is compiled from them, and the
history they keep is the point. Drafts are not public and produce none.

Release ids are ``{ocid}-{n}``, n counting the ocid's releases from 1. The services hold the
tender's row lock while they record its events, so two events of one tender never number
concurrently; the unique ``release_id`` would refuse a duplicate if one ever did.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from procurement.enums import TenderStatus
from procurement.models import Release, Tender
from procurement.ocds.builder import build_release
from procurement.transparency.index import ocid_for

logger = logging.getLogger(__name__)

PLANNING, TENDER, AMENDMENT, UPDATE = "planning", "tender", "tenderAmendment", "tenderUpdate"
CANCELLATION, AWARD, CONTRACT, IMPLEMENTATION = "tenderCancellation", "award", "contract", "implementation"

# Audit action → the tags of its release. An action not listed produces no release: the drafts'
# (tender.created, tender.timeline_set, a draft's documents are refused below), the private ones
# (filtered out before this module), and the appeal's filing and dismissal, which change nothing
# OCDS 1.1 can say (it has no appeals; the award stays pending, and the consent that follows a
# dismissal has its own release).
TAGS: dict[str, tuple[str, ...]] = {
    "tender.published": (PLANNING, TENDER),
    # Changes to the call after its publication.
    "tender.document_added": (AMENDMENT,),
    "tender.deadline_extended": (AMENDMENT,),
    # The process moves on: answers, the chronograph's stages, the opening (bids become public).
    "tender.answers_published": (UPDATE,),
    "tender.enquiries": (UPDATE,),
    "tender.integrated_bases": (UPDATE,),
    "tender.bidding": (UPDATE,),
    "tender.opening": (UPDATE,),
    "tender.auction": (UPDATE,),
    # The reverse auction of each lot: its start (or negotiation, or void for want of bidders), its
    # close with the frozen ranking, a negotiated price. Its bids are not releases: the log is public
    # after the close, and the award that follows carries the final prices.
    "auction.started": (UPDATE,),
    "auction.negotiation": (UPDATE,),
    "auction.void": (UPDATE,),
    "auction.closed": (UPDATE,),
    "auction.negotiated": (UPDATE,),
    "tender.evaluation": (UPDATE,),
    "tender.opened": (UPDATE,),
    # The buena pro and what becomes of it: pending in the appeal window, active once consented,
    # cancelled by an upheld appeal; a process with no winner is unsuccessful.
    "tender.awarded": (AWARD,),
    "tender.appeal_window": (AWARD,),
    "tender.consented": (AWARD,),
    "tender.void": (AWARD,),
    "appeal.upheld": (AWARD,),
    "tender.cancelled": (CANCELLATION,),
    "tender.annulled": (CANCELLATION,),
    "contract.signed_by_entity": (CONTRACT,),
    "contract.signed_by_supplier": (CONTRACT,),
    "contract.signed": (CONTRACT,),
    "tender.contracted": (CONTRACT,),
    "contract.completed": (IMPLEMENTATION,),
    "tender.completed": (IMPLEMENTATION,),
}


def on_event(*, tender_id: int, current: Tender | None, action: str, occurred_at: datetime) -> Release | None:
    """Keep a release for ``action`` if OCDS reports it; returns it (None when there is none).

    ``current`` is the tender as the service holds it when the event is the tender's own (its
    fields may be ahead of the database); otherwise the tender is read. Runs under the tender's row
    lock, which the services hold."""
    tags = TAGS.get(action)
    if tags is None:
        return None
    tender = current or Tender.objects.select_related("entity", "procedure_type", "plan_line__plan").get(pk=tender_id)
    if tender.status == TenderStatus.DRAFT or tender.published_at is None:
        return None
    ocid = ocid_for(tender_id)
    previous = Release.objects.filter(ocid=ocid).order_by("-pk").only("release_id", "data").first()
    sequence = int(previous.release_id.rsplit("-", 1)[1]) + 1 if previous else 1
    release_id = f"{ocid}-{sequence}"
    amendments = list((previous.data.get("tender") or {}).get("amendments") or []) if previous else []
    data = build_release(
        tender=tender, ocid=ocid, release_id=release_id, date=occurred_at, tags=list(tags), amendments=amendments
    )
    if AMENDMENT in tags and previous is not None:
        amendment = _amendment(before=previous.data, after=data, sequence=sequence)
        data["tender"].setdefault("amendments", []).append(amendment)
    release = Release.objects.create(
        ocid=ocid,
        release_id=release_id,
        tender_id=tender_id,
        entity_id=tender.entity_id,
        date=occurred_at,
        tags=list(tags),
        data=data,
    )
    logger.info("ocds.release", extra={"tender_id": tender_id, "release_id": release_id, "tags": list(tags)})
    return release


def _amendment(*, before: dict[str, Any], after: dict[str, Any], sequence: int) -> dict[str, Any]:
    """What the amendment changed, from the previous release to this one: documents published and
    the bids deadline moved. Field paths and the entity's own titles, nothing the portal writes."""
    old, new = before.get("tender") or {}, after["tender"]
    known = {document["id"] for document in old.get("documents") or []}
    changes = [
        f"tender.documents: {document.get('title', document['id'])}"
        for document in new.get("documents") or []
        if document["id"] not in known
    ]
    old_end = (old.get("tenderPeriod") or {}).get("endDate")
    new_end = (new.get("tenderPeriod") or {}).get("endDate")
    if old_end != new_end:
        changes.append(f"tender.tenderPeriod.endDate: {old_end} → {new_end}")
    amendment = {"id": str(sequence), "date": after["date"], "amendsReleaseID": before["id"], "releaseID": after["id"]}
    if changes:
        amendment["description"] = "; ".join(changes)
    return amendment
