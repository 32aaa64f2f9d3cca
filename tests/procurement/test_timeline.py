"""A tender's chronogram against its procedure's minimum durations, in Lima working days."""

from datetime import UTC, date, datetime, time

import pytest

from procurement.calendar import deadline_at
from procurement.reference_data import HOLIDAYS_PE, PROCEDURE_TYPES_PE
from procurement.timeline import Timeline, amendment_deadline, earliest_timeline, timeline_problems

HOLIDAYS = {day for day, _name in HOLIDAYS_PE}
LP = next(p for p in PROCEDURE_TYPES_PE if p["code"] == "licitacion-publica")["config"]  # 10 + 22 working days
CP = next(p for p in PROCEDURE_TYPES_PE if p["code"] == "comparacion-de-precios")["config"]  # 5 working days
SIE = next(p for p in PROCEDURE_TYPES_PE if p["code"] == "subasta-inversa-electronica")["config"]


def lima(day: date, hour: int = 17) -> datetime:
    return deadline_at(day, at=time(hour, 0))


def test_the_earliest_licitacion_timeline_counts_working_days_across_fiestas_patrias():
    published = lima(date(2026, 7, 20), 9)  # Monday 20 July 2026; 23, 28 and 29 July are holidays

    timeline = earliest_timeline(published, LP, HOLIDAYS)

    # 10 working days after 20 July: 21, 22, 24, 27, 30, 31 July, 3, 4, 5, 7 August
    # (23/7, 28–29/7 and 6/8 are holidays): Friday 7 August.
    assert timeline.enquiries_end == lima(date(2026, 8, 7))
    assert timeline.integrated_bases_at == lima(date(2026, 8, 10))
    # 22 working days after Monday 10 August: 11–14, 17–21, 24–28, 31 August, 1–4, 7–9 September.
    assert timeline.bids_due == lima(date(2026, 9, 9))
    assert timeline.opening_at == timeline.bids_due
    assert timeline.auction_at is None
    assert timeline_problems(timeline, LP, HOLIDAYS) == []


def test_a_period_one_day_short_is_refused_with_the_count():
    published = lima(date(2026, 7, 20), 9)
    ok = earliest_timeline(published, LP, HOLIDAYS)
    short = Timeline(**{**ok.__dict__, "enquiries_end": lima(date(2026, 8, 5))})  # 6/8 is a holiday

    problems = timeline_problems(short, LP, HOLIDAYS)

    assert [(p.field, p.message) for p in problems] == [
        ("enquiries_end", "at least 10 working days are required; this gives 9")
    ]


def test_order_missing_and_extra_dates():
    published = lima(date(2026, 9, 1), 9)
    good = earliest_timeline(published, CP, HOLIDAYS)

    backwards = Timeline(**{**good.__dict__, "opening_at": good.bids_due.replace(hour=good.bids_due.hour - 1)})
    assert [p.field for p in timeline_problems(backwards, CP, HOLIDAYS)] == ["opening_at"]
    missing = Timeline(published_at=published, bids_due=good.bids_due)  # no opening date
    assert [(p.field, p.message) for p in timeline_problems(missing, CP, HOLIDAYS)] == [
        ("opening_at", "this procedure needs this date")
    ]
    extra = Timeline(**{**good.__dict__, "enquiries_end": lima(date(2026, 9, 2))})
    assert [(p.field, p.message) for p in timeline_problems(extra, CP, HOLIDAYS)] == [
        ("enquiries_end", "this procedure has no such stage")
    ]
    naive = Timeline(**{**good.__dict__, "bids_due": datetime(2026, 9, 20, 17)})
    assert [p.message for p in timeline_problems(naive, CP, HOLIDAYS)] == ["the date must carry its time zone"]


def test_an_auction_comes_after_the_opening():
    timeline = earliest_timeline(lima(date(2026, 10, 1), 9), SIE, HOLIDAYS)

    assert timeline.auction_at > timeline.opening_at
    assert timeline_problems(timeline, SIE, HOLIDAYS) == []


def test_lima_days_decide_not_utc_days():
    # Published at 20:00 in Lima on 20 July, which is already 21 July in UTC. Counted in Lima days,
    # 7 August is the 10th working day after publication; counted in UTC days it would be the 9th.
    evening = lima(date(2026, 7, 20), 20)
    assert evening.astimezone(UTC).date() == date(2026, 7, 21)
    timeline = Timeline(
        published_at=evening,
        enquiries_end=lima(date(2026, 8, 7)),
        integrated_bases_at=lima(date(2026, 8, 10)),
        bids_due=lima(date(2026, 9, 9)),
        opening_at=lima(date(2026, 9, 9)),
    )

    assert timeline_problems(timeline, LP, HOLIDAYS) == []


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (date(2026, 8, 24), date(2026, 9, 7)),  # 10 working days remain: the deadline stays
        (date(2026, 9, 3), date(2026, 9, 8)),  # Thursday: 2 remain, 3 needed → moved to Tuesday 8/9
        (date(2026, 9, 7), date(2026, 9, 10)),  # on the closing day itself
    ],
)
def test_editing_the_bases_close_to_the_deadline_extends_it(changed, expected):
    bids_due = lima(date(2026, 9, 7))

    new_deadline = amendment_deadline(
        changed_at=lima(changed, 10), bids_due=bids_due, min_days=3, unit="working", holidays=HOLIDAYS
    )

    assert new_deadline == lima(expected)
