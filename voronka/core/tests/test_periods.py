"""Reporting periods in the workspace time zone, against hand-worked examples and properties."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.core.periods import Period, PeriodKind

UTC = dt.UTC
D = dt.date


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kind", "day", "start", "end", "label"),
    [
        ("month", D(2024, 2, 29), D(2024, 2, 1), D(2024, 3, 1), "2024-02"),
        ("month", D(2024, 12, 31), D(2024, 12, 1), D(2025, 1, 1), "2024-12"),
        ("quarter", D(2024, 11, 15), D(2024, 10, 1), D(2025, 1, 1), "2024-Q4"),
        ("quarter", D(2024, 1, 1), D(2024, 1, 1), D(2024, 4, 1), "2024-Q1"),
        ("quarter", D(2024, 6, 30), D(2024, 4, 1), D(2024, 7, 1), "2024-Q2"),
        ("quarter", D(2024, 9, 1), D(2024, 7, 1), D(2024, 10, 1), "2024-Q3"),
        ("year", D(2024, 6, 30), D(2024, 1, 1), D(2025, 1, 1), "2024"),
    ],
)
def test_containing(kind, day, start, end, label):
    period = Period.containing(kind, day)
    assert period == Period(PeriodKind(kind), start, end)
    assert period.label == label


def test_previous_next_and_same_last_year():
    jan = Period.containing(PeriodKind.MONTH, D(2024, 1, 10))
    assert jan.previous() == Period(PeriodKind.MONTH, D(2023, 12, 1), D(2024, 1, 1))
    assert jan.next() == Period(PeriodKind.MONTH, D(2024, 2, 1), D(2024, 3, 1))
    assert jan.same_last_year() == Period(PeriodKind.MONTH, D(2023, 1, 1), D(2023, 2, 1))
    dec = Period.containing(PeriodKind.MONTH, D(2024, 12, 5))
    assert dec.next() == Period(PeriodKind.MONTH, D(2025, 1, 1), D(2025, 2, 1))
    q1 = Period.containing(PeriodKind.QUARTER, D(2024, 2, 1))
    assert q1.previous() == Period(PeriodKind.QUARTER, D(2023, 10, 1), D(2024, 1, 1))
    assert q1.next() == Period(PeriodKind.QUARTER, D(2024, 4, 1), D(2024, 7, 1))
    assert q1.same_last_year() == Period(PeriodKind.QUARTER, D(2023, 1, 1), D(2023, 4, 1))
    year = Period.containing(PeriodKind.YEAR, D(2024, 2, 1))
    assert year.previous() == year.same_last_year() == Period(PeriodKind.YEAR, D(2023, 1, 1), D(2024, 1, 1))
    assert year.next() == Period(PeriodKind.YEAR, D(2025, 1, 1), D(2026, 1, 1))
    feb_leap = Period.containing(PeriodKind.MONTH, D(2024, 2, 29))
    assert feb_leap.same_last_year() == Period(PeriodKind.MONTH, D(2023, 2, 1), D(2023, 3, 1))


def test_bounds_utc_in_moscow_and_vladivostok():
    march = Period.containing(PeriodKind.MONTH, D(2024, 3, 15))
    assert march.bounds_utc("Europe/Moscow") == (utc(2024, 2, 29, 21), utc(2024, 3, 31, 21))
    jan = Period.containing(PeriodKind.MONTH, D(2024, 1, 15))
    assert jan.bounds_utc("Asia/Vladivostok") == (utc(2023, 12, 31, 14), utc(2024, 1, 31, 14))
    assert jan.bounds_utc("UTC") == (utc(2024, 1, 1), utc(2024, 2, 1))
    start, end = jan.bounds_utc("Europe/Moscow")
    assert start.tzinfo is UTC and end.tzinfo is UTC


def test_bounds_utc_across_daylight_saving():
    # New York: EST (UTC-5) on 1 March, EDT (UTC-4) on 1 April
    march = Period.containing(PeriodKind.MONTH, D(2024, 3, 1))
    assert march.bounds_utc("America/New_York") == (utc(2024, 3, 1, 5), utc(2024, 4, 1, 4))


def test_a_deal_at_2330_local_on_the_last_day_belongs_to_that_month():
    vladivostok = ZoneInfo("Asia/Vladivostok")
    won_at = dt.datetime(2024, 1, 31, 23, 30, tzinfo=vladivostok).astimezone(UTC)
    assert won_at == utc(2024, 1, 31, 13, 30)
    jan = Period.containing_instant(PeriodKind.MONTH, won_at, "Asia/Vladivostok")
    assert jan == Period(PeriodKind.MONTH, D(2024, 1, 1), D(2024, 2, 1))
    assert jan.contains(won_at, "Asia/Vladivostok") is True
    assert jan.next().contains(won_at, "Asia/Vladivostok") is False
    # and one minute past local midnight is already February, though it is still 31 January in UTC
    feb_start = dt.datetime(2024, 2, 1, 0, 1, tzinfo=vladivostok).astimezone(UTC)
    assert Period.containing_instant("month", feb_start, "Asia/Vladivostok").start == D(2024, 2, 1)


def test_moscow_midnight_on_the_first_belongs_to_the_new_month():
    moment = utc(2024, 1, 31, 21, 30)  # 00:30 on 1 February in Moscow
    assert Period.containing_instant("month", moment, "Europe/Moscow").start == D(2024, 2, 1)
    assert Period.containing_instant("month", moment, "UTC").start == D(2024, 1, 1)
    # the boundary itself is in the new month; the instant just before it is not
    feb = Period.containing(PeriodKind.MONTH, D(2024, 2, 1))
    assert feb.contains(utc(2024, 1, 31, 21), "Europe/Moscow") is True
    assert feb.contains(utc(2024, 1, 31, 20, 59, 59, 999999), "Europe/Moscow") is False


def test_containing_instant_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        Period.containing_instant("month", dt.datetime(2024, 1, 1), "UTC")


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="week"):
        Period.containing("week", D(2024, 1, 1))


instants = st.datetimes(
    min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 12, 31), timezones=st.just(UTC)
)


@given(moment=instants)
def test_every_instant_is_in_exactly_one_moscow_month_and_its_quarter(moment):
    tz = "Europe/Moscow"
    month = Period.containing_instant(PeriodKind.MONTH, moment, tz)
    neighbours = [month.previous().previous(), month.previous(), month, month.next(), month.next().next()]
    assert [p.contains(moment, tz) for p in neighbours] == [False, False, True, False, False]
    quarter = Period.containing(PeriodKind.QUARTER, month.start)
    assert quarter == Period.containing_instant(PeriodKind.QUARTER, moment, tz)
    assert quarter.contains(moment, tz) is True
    assert quarter.start <= month.start and month.end <= quarter.end
    assert quarter.previous().contains(moment, tz) is False
    assert quarter.next().contains(moment, tz) is False


@given(moment=instants, tz=st.sampled_from(["Asia/Vladivostok", "America/New_York", "Pacific/Apia",
                                              "America/Santiago", "Asia/Kathmandu", "UTC"]))
def test_containing_instant_and_contains_agree_in_any_zone(moment, tz):
    for kind in PeriodKind:
        period = Period.containing_instant(kind, moment, tz)
        assert period.contains(moment, tz) is True
        assert period.next().contains(moment, tz) is False
        assert period.previous().contains(moment, tz) is False
        assert period.previous().next() == period


@given(day=st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)), kind=st.sampled_from(list(PeriodKind)))
def test_periods_tile_the_calendar(day, kind):
    period = Period.containing(kind, day)
    assert period.start <= day < period.end
    assert period.start.day == 1
    assert period.next().start == period.end
    assert period.previous().end == period.start
    assert period.same_last_year().start == D(period.start.year - 1, period.start.month, 1)
