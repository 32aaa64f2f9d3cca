"""The portal's clock.

Every rule that depends on "now" (deadlines, validity, maturity) asks this module, never
``datetime.now()`` directly, so that tests can move time and a demo can run it faster.

A demo sets ``PORTAL_CLOCK_SPEED`` (outside production only): at 720, an hour of the portal passes
every five real seconds, counted from the process start, so a tender's whole lifecycle can be
watched in minutes. Each process counts from its own start, so the web and the scheduler processes
of a demo should be started together.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

_source: Callable[[], datetime] | None = None
# The real time and the monotonic counter at process start: an accelerated clock counts from here.
_origin: tuple[datetime, float] = (timezone.now(), time.monotonic())
_UNSET: object = object()
_default: Callable[[], datetime] | object | None = _UNSET


def now() -> datetime:
    """The current time, aware and in UTC."""
    if _source is not None:
        # A source may give any aware time (a demo's Lima time, say); the portal stores and hashes UTC.
        return _source().astimezone(UTC)
    default = _default_source()
    return default() if default is not None else timezone.now()


def today() -> date:
    """Today's date in the portal's time zone (Lima): the day deadlines, validity and sanctions count in.

    Not ``now().date()``, which is the UTC day and runs ahead of Lima from 19:00 to midnight.
    """
    return timezone.localdate(now())


def set_source(source: Callable[[], datetime] | None) -> None:
    """Replace the time source (tests, accelerated demo); ``None`` restores the configured clock
    (real time, or real time at ``PORTAL_CLOCK_SPEED``)."""
    global _source  # noqa: PLW0603 - a process-wide clock is the point of this module
    _source = source


def accelerated(
    speed: float, *, start: datetime, started: float, counter: Callable[[], float] = time.monotonic
) -> Callable[[], datetime]:
    """A time source that reads ``start`` when ``counter()`` reads ``started``, and then runs ``speed``
    times faster than ``counter`` (seconds)."""
    if speed < 1:
        raise ImproperlyConfigured(f"The clock speed must be 1 or more, not {speed}.")
    return lambda: start + timedelta(seconds=(counter() - started) * speed)


def reset() -> None:
    """Read ``PORTAL_CLOCK_SPEED`` again on the next call (after the settings change, in tests)."""
    global _default  # noqa: PLW0603
    _default = _UNSET


def _default_source() -> Callable[[], datetime] | None:
    global _default  # noqa: PLW0603
    if _default is _UNSET:
        from django.conf import settings

        speed = float(getattr(settings, "PORTAL_CLOCK_SPEED", 1.0))
        if speed != 1 and getattr(settings, "PRODUCTION", False):
            # settings.py refuses this already; a clock that lies about deadlines must never run for real.
            raise ImproperlyConfigured("PORTAL_CLOCK_SPEED must be 1 in production.")
        _default = None if speed == 1 else accelerated(speed, start=_origin[0], started=_origin[1])
    return _default  # type: ignore[return-value]
