"""Working days and deadlines: pure functions over a set of holidays (no ORM here).

A procedure's minimum durations are counted in calendar or working days. Working days skip
Saturdays, Sundays and the jurisdiction's holidays (kept as data in ``Holiday`` rows). Deadlines are
days in the portal's time zone; the moment a deadline falls is built by ``deadline_at``.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKEND = {5, 6}  # Saturday, Sunday


def is_working_day(day: date, holidays: Collection[date]) -> bool:
    return day.weekday() not in WEEKEND and day not in holidays


def add_working_days(start: date, days: int, holidays: Collection[date]) -> date:
    """The day ``days`` working days after ``start`` (``start`` itself does not count).

    ``add_working_days(friday, 1, …)`` is the next Monday, or Tuesday if Monday is a holiday.
    """
    if days < 0:
        raise ValueError("count forward only")
    day = start
    remaining = days
    while remaining:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, holidays: Collection[date]) -> int:
    """How many working days after ``start`` up to and including ``end`` (0 when end ≤ start)."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, holidays):
            count += 1
    return count


def add_days(start: date, days: int, *, unit: str, holidays: Collection[date]) -> date:
    """``days`` calendar or working days after ``start``, by the procedure's ``unit``."""
    if unit == "calendar":
        return start + timedelta(days=days)
    if unit == "working":
        return add_working_days(start, days, holidays)
    raise ValueError(f"unknown day unit {unit!r}: use 'calendar' or 'working'")


def deadline_at(day: date, *, at: time, tz: str = "America/Lima") -> datetime:
    """The aware moment (returned in UTC) at ``at`` o'clock local time on ``day``."""
    local = datetime.combine(day, at, tzinfo=ZoneInfo(tz))
    return local.astimezone(ZoneInfo("UTC"))
