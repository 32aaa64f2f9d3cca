"""Simple discount (``tradedocs.factoring.money.quote``): exact cents, half-up, days by the calendar."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from tradedocs.factoring.money import quote

D = Decimal
START = datetime.date(2025, 3, 3)


def q(face, rate, days=None, *, start=START, due=None, day_count="ACT/360"):
    due = due or start + datetime.timedelta(days=days)
    return quote(face=D(face), rate=D(rate), disbursement_date=start, due_date=due, day_count=day_count)


def test_the_worked_example_100000_at_14_percent_for_60_days():
    figures = q("100000.00", "14", 60)
    assert figures.days == 60
    assert figures.basis == 360
    assert figures.discount == D("2333.33")
    assert figures.net == D("97666.67")
    assert figures.effective_rate == D("14.33")
    assert figures.face == D("100000.00")
    assert figures.rate == D("14")
    assert (figures.disbursement_date, figures.due_date) == (START, datetime.date(2025, 5, 2))
    assert figures.discount + figures.net == figures.face


def test_actual_365():
    figures = q("100000.00", "14", 60, day_count="ACT/365")
    assert (figures.basis, figures.days) == (365, 60)
    assert figures.discount == D("2301.37")
    assert figures.net == D("97698.63")
    assert figures.effective_rate == D("14.33")


def test_one_day():
    figures = q("100000.00", "14", 1)
    assert figures.days == 1
    assert figures.discount == D("38.89")
    assert figures.net == D("99961.11")
    assert figures.effective_rate == D("14.01")


@pytest.mark.parametrize(
    ("face", "rate", "days", "discount"),
    [
        ("1234.50", "10", 36, "12.35"),  # 12.345 exactly: half-up, not half-even (12.34)
        ("9.00", "20", 1, "0.01"),  # 0.005 exactly
        ("1234.70", "10", 36, "12.35"),  # 12.347: ordinary rounding up
        ("1234.30", "10", 36, "12.34"),  # 12.343: ordinary rounding down
    ],
)
def test_rounding_is_half_up_to_the_cent(face, rate, days, discount):
    figures = q(face, rate, days)
    assert figures.discount == D(discount)
    assert figures.net == D(face) - D(discount)


@pytest.mark.parametrize("days", [0, -1, -30])
def test_due_date_not_after_disbursement_is_a_value_error(days):
    with pytest.raises(ValueError, match="due date must be after"):
        q("100000.00", "14", days)


@pytest.mark.parametrize(("face", "rate"), [("0", "14"), ("-1.00", "14"), ("100.00", "-0.01")])
def test_nonsense_numbers_are_a_value_error(face, rate):
    with pytest.raises(ValueError, match="face value must be positive"):
        q(face, rate, 30)


def test_a_discount_that_takes_the_whole_face_is_a_value_error():
    with pytest.raises(ValueError, match="whole face value"):
        q("100.00", "360", 360)  # 360 % a year for 360 days: the discount is the face


def test_zero_rate_discounts_nothing():
    figures = q("100000.00", "0", 30)
    assert (figures.discount, figures.net, figures.effective_rate) == (D("0.00"), D("100000.00"), D("0.00"))


def test_days_across_a_year_end_and_a_leap_february_are_counted_by_the_calendar():
    # 15 Dec 2027 → 1 Mar 2028: 16 + 31 + 29 (2028 is a leap year) + 1 = 77 days.
    figures = q("100000.00", "14", start=datetime.date(2027, 12, 15), due=datetime.date(2028, 3, 1))
    assert figures.days == 77
    assert figures.discount == D("2994.44")
    assert figures.net == D("97005.56")
    assert figures.effective_rate == D("14.43")


def test_the_leap_day_counts_as_a_day():
    leap = q("100000.00", "14", start=datetime.date(2028, 2, 28), due=datetime.date(2028, 3, 1), day_count="ACT/365")
    common = q("100000.00", "14", start=datetime.date(2026, 2, 28), due=datetime.date(2026, 3, 1), day_count="ACT/365")
    assert (leap.days, leap.discount, leap.net) == (2, D("76.71"), D("99923.29"))
    assert (common.days, common.discount, common.net) == (1, D("38.36"), D("99961.64"))


def test_a_year_boundary():
    figures = q("50000.00", "12", start=datetime.date(2025, 12, 31), due=datetime.date(2026, 1, 30))
    assert figures.days == 30
    assert figures.discount == D("500.00")
    assert figures.net == D("49500.00")
    assert figures.effective_rate == D("12.12")
