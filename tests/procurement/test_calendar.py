"""Deadline arithmetic across weekends, holidays, month and year ends."""

from datetime import date, time

import pytest

from procurement.calendar import add_days, add_working_days, deadline_at, working_days_between

# Peru, end of July: 28 and 29 are national holidays (Fiestas Patrias).
HOLIDAYS = {date(2026, 7, 28), date(2026, 7, 29), date(2026, 12, 25), date(2027, 1, 1)}


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 7, 24), 1, date(2026, 7, 27)),  # Friday + 1 → Monday
        (date(2026, 7, 27), 1, date(2026, 7, 30)),  # Monday + 1 skips the two holidays
        (date(2026, 7, 27), 3, date(2026, 8, 3)),  # … and the weekend, into August
        (date(2026, 12, 24), 2, date(2026, 12, 29)),  # Christmas and a weekend
        (date(2026, 12, 31), 1, date(2027, 1, 4)),  # New Year and a weekend, across the year
        (date(2026, 2, 27), 1, date(2026, 3, 2)),  # end of February
        (date(2026, 7, 25), 0, date(2026, 7, 25)),  # zero days is the same day, even a Saturday
    ],
)
def test_add_working_days(start, days, expected):
    assert add_working_days(start, days, HOLIDAYS) == expected


def test_working_days_between_is_the_inverse():
    start = date(2026, 7, 20)
    for days in range(30):
        end = add_working_days(start, days, HOLIDAYS)
        assert working_days_between(start, end, HOLIDAYS) == days


def test_calendar_days_ignore_holidays():
    assert add_days(date(2026, 7, 27), 3, unit="calendar", holidays=HOLIDAYS) == date(2026, 7, 30)
    assert add_days(date(2026, 7, 27), 3, unit="working", holidays=HOLIDAYS) == date(2026, 8, 3)
    with pytest.raises(ValueError, match="unknown day unit"):
        add_days(date(2026, 7, 27), 3, unit="business", holidays=HOLIDAYS)


def test_a_deadline_is_lima_time_stored_as_utc():
    moment = deadline_at(date(2026, 7, 30), at=time(17, 0))

    assert moment.utcoffset().total_seconds() == 0
    assert (moment.hour, moment.day) == (22, 30)  # 17:00 in Lima (UTC−5) is 22:00 UTC


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="forward"):
        add_working_days(date(2026, 7, 27), -1, HOLIDAYS)
