"""Writing OCDS releases for the lifecycle events of a tender (to be built)."""

from __future__ import annotations

from datetime import datetime

from procurement.models import Tender


def on_event(*, tender_id: int, current: Tender | None, action: str, occurred_at: datetime) -> None:
    """Keep a release for ``action`` if OCDS reports it."""
