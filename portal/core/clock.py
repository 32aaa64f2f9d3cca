"""The portal's clock.

Every rule that depends on "now" (deadlines, validity, maturity) asks this module, never
``datetime.now()`` directly, so that tests can move time and a demo can run it faster.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from django.utils import timezone

_source: Callable[[], datetime] | None = None


def now() -> datetime:
    """The current time, aware and in UTC."""
    if _source is not None:
        return _source()
    return timezone.now()


def today() -> date:
    """Today's date in the portal's time zone (Lima): the day deadlines, validity and sanctions count in.

    Not ``now().date()``, which is the UTC day and runs ahead of Lima from 19:00 to midnight.
    """
    return timezone.localdate(now())


def set_source(source: Callable[[], datetime] | None) -> None:
    """Replace the time source (tests, accelerated demo); ``None`` restores the real clock."""
    global _source  # noqa: PLW0603 - a process-wide clock is the point of this module
    _source = source
