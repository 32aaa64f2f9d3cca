"""A tender's chronogram checked against its procedure type: pure, no ORM.

The officer proposes the dates; ``timeline_problems`` says what is impossible or too short, field by
field, so the form can show it next to each date. Durations are counted in the procedure's unit
(calendar or working days, with the jurisdiction's holidays) between the local (Lima) days of two
moments: a 10-working-day enquiries period published on Monday 6 July 2026 may end no earlier than
the 10th working day after it.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import date, datetime, time
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from procurement.calendar import add_days, deadline_at, working_days_between
from procurement.enums import DayUnit, Stage

LIMA = ZoneInfo("America/Lima")

# Which stage each date of the chronogram belongs to (None: every procedure has it).
STAGE_OF = {
    "published_at": None,
    "enquiries_end": Stage.ENQUIRIES,
    "integrated_bases_at": Stage.INTEGRATED_BASES,
    "bids_due": Stage.BIDDING,
    "opening_at": Stage.OPENING,
    "auction_at": Stage.AUCTION,
}


@dataclass(frozen=True)
class Timeline:
    """Aware datetimes (any zone; compared as instants, counted in Lima days)."""

    published_at: datetime
    bids_due: datetime
    enquiries_end: datetime | None = None
    integrated_bases_at: datetime | None = None
    opening_at: datetime | None = None
    auction_at: datetime | None = None


@dataclass(frozen=True)
class Problem:
    """What is wrong with one date: ``message`` in plain English (logs, tests), ``code`` and
    ``params`` for ``problem_text`` to say it in the reader's language."""

    field: str
    message: str
    code: str = ""
    params: dict[str, Any] | None = None


# The dates' names as the officer's form labels them.
DATE_LABELS = {
    "published_at": gettext_lazy("publication"),
    "enquiries_end": gettext_lazy("end of questions"),
    "integrated_bases_at": gettext_lazy("integrated bases"),
    "bids_due": gettext_lazy("bids deadline"),
    "opening_at": gettext_lazy("opening"),
    "auction_at": gettext_lazy("auction"),
}


def problem_text(problem: Problem) -> str:
    """The problem in the active language."""
    params = problem.params or {}
    if problem.code == "too_short":
        return _("At least %(days)s %(unit)s are required; this gives %(counted)s.") % {
            "days": params["days"],
            "unit": DayUnit(params["unit"]).label,
            "counted": params["counted"],
        }
    if problem.code == "out_of_order":
        return _("It must come after the %(before)s.") % {"before": DATE_LABELS[params["before"]]}
    texts = {
        "naive": _("Enter a date and a time."),
        "required": _("This procedure needs this date."),
        "no_such_stage": _("This procedure has no such stage."),
    }
    return str(texts.get(problem.code, problem.message))


def _day(moment: datetime) -> date:
    return moment.astimezone(LIMA).date()


def _days_between(start: datetime, end: datetime, unit: str, holidays: Collection[date]) -> int:
    if unit == "calendar":
        return (_day(end) - _day(start)).days
    return working_days_between(_day(start), _day(end), holidays)


def timeline_problems(timeline: Timeline, config: dict[str, Any], holidays: Collection[date]) -> list[Problem]:
    """Everything wrong with ``timeline`` for a procedure with ``config``; empty when it is valid."""
    stages = set(config.get("stages") or [])
    problems: list[Problem] = []
    for field in fields(Timeline):
        stage = STAGE_OF[field.name]
        value = getattr(timeline, field.name)
        if value is not None and value.tzinfo is None:
            problems.append(Problem(field.name, "the date must carry its time zone", "naive"))
        elif stage is not None and stage in stages and value is None:
            problems.append(Problem(field.name, "this procedure needs this date", "required"))
        elif stage is not None and stage not in stages and value is not None:
            problems.append(Problem(field.name, "this procedure has no such stage", "no_such_stage"))
    if problems:
        return problems
    ordered = [
        (name, getattr(timeline, name))
        for name in ("published_at", "enquiries_end", "integrated_bases_at", "bids_due", "opening_at", "auction_at")
        if getattr(timeline, name) is not None
    ]
    for (before_name, before), (after_name, after) in pairwise(ordered):
        # Opening may be at the very moment bids close; everything else comes strictly later.
        if after < before or (after == before and after_name != "opening_at"):
            problems.append(
                Problem(
                    after_name,
                    f"must come after {before_name.replace('_', ' ')}",
                    "out_of_order",
                    {"before": before_name},
                )
            )
    if problems:
        return problems
    durations = config.get("min_durations") or {}
    periods = {
        Stage.ENQUIRIES: ("enquiries_end", timeline.published_at, timeline.enquiries_end),
        Stage.BIDDING: ("bids_due", timeline.integrated_bases_at or timeline.published_at, timeline.bids_due),
    }
    for stage, (field_name, start, end) in periods.items():
        rule = durations.get(stage)
        if rule is None or start is None or end is None:
            continue
        counted = _days_between(start, end, rule["unit"], holidays)
        if counted < rule["days"]:
            problems.append(
                Problem(
                    field_name,
                    f"at least {rule['days']} {rule['unit']} days are required; this gives {counted}",
                    "too_short",
                    {"days": rule["days"], "unit": rule["unit"], "counted": counted},
                )
            )
    return problems


def earliest_timeline(
    published_at: datetime, config: dict[str, Any], holidays: Collection[date], *, at: time = time(17, 0)
) -> Timeline:
    """The earliest chronogram that satisfies the procedure's minimums, closing each period at ``at``
    local time: a starting point for the officer's form."""
    stages = set(config.get("stages") or [])
    durations = config.get("min_durations") or {}

    def after(start: datetime, stage: str, minimum: int = 1) -> datetime:
        rule = durations.get(stage) or {"days": minimum, "unit": "working"}
        day = add_days(_day(start), max(rule["days"], minimum), unit=rule["unit"], holidays=holidays)
        return deadline_at(day, at=at)

    enquiries_end = after(published_at, Stage.ENQUIRIES) if Stage.ENQUIRIES in stages else None
    integrated = (
        after(enquiries_end or published_at, Stage.INTEGRATED_BASES, 1) if Stage.INTEGRATED_BASES in stages else None
    )
    bids_due = after(integrated or published_at, Stage.BIDDING)
    opening = bids_due if Stage.OPENING in stages else None
    auction = after(bids_due, Stage.AUCTION, 1) if Stage.AUCTION in stages else None
    return Timeline(
        published_at=published_at,
        enquiries_end=enquiries_end,
        integrated_bases_at=integrated,
        bids_due=bids_due,
        opening_at=opening,
        auction_at=auction,
    )


def amendment_deadline(
    *, changed_at: datetime, bids_due: datetime, min_days: int, unit: str, holidays: Collection[date]
) -> datetime:
    """The earliest closing time allowed after the bases change while bids are open.

    Bidders must keep at least ``min_days`` after the change to adapt their bids: if fewer remain,
    the deadline moves to ``min_days`` after the change (same time of day); otherwise it stays.
    """
    remaining = _days_between(changed_at, bids_due, unit, holidays)
    if remaining >= min_days:
        return bids_due
    day = add_days(_day(changed_at), min_days, unit=unit, holidays=holidays)
    local = bids_due.astimezone(LIMA)
    return deadline_at(day, at=local.timetz().replace(tzinfo=None))
