"""Dashboard periods: presets, what each is compared with, tile series and chart buckets (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from voronka.analytics.dashboard_range import Window, window_for
from voronka.core.periods import PeriodKind
from voronka.metrics.buckets import Granularity, buckets_for

D = dt.date


@pytest.mark.parametrize(("preset", "start", "end"), [
    ("this_month", D(2026, 2, 1), D(2026, 2, 28)),
    ("this_quarter", D(2026, 1, 1), D(2026, 3, 31)),
    ("last_quarter", D(2025, 10, 1), D(2025, 12, 31)),
    ("this_year", D(2026, 1, 1), D(2026, 12, 31)),
    ("nonsense", D(2026, 2, 1), D(2026, 2, 28)),  # unknown → this month
    ("custom", D(2026, 2, 1), D(2026, 2, 28)),  # custom without dates → this month
])
def test_presets_on_a_day(preset: str, start: dt.date, end: dt.date) -> None:
    window = window_for(preset, D(2026, 2, 14))
    assert (window.start, window.end) == (start, end)


def test_calendar_periods_compare_with_the_previous_one_and_last_year() -> None:
    march = window_for("this_month", D(2024, 3, 31))
    assert march.kind is PeriodKind.MONTH
    assert march.previous() == (D(2024, 2, 1), D(2024, 2, 29))
    assert march.last_year() == (D(2023, 3, 1), D(2023, 3, 31))
    q1 = window_for("this_quarter", D(2024, 2, 1))
    assert q1.previous() == (D(2023, 10, 1), D(2023, 12, 31))
    assert q1.last_year() == (D(2023, 1, 1), D(2023, 3, 31))


def test_a_custom_range_that_is_a_calendar_period_is_treated_as_one() -> None:
    window = window_for("custom", D(2026, 5, 5), D(2025, 4, 1), D(2025, 6, 30))
    assert window.kind is PeriodKind.QUARTER
    assert window.previous() == (D(2025, 1, 1), D(2025, 3, 31))


def test_other_custom_ranges_compare_with_the_days_before_and_the_same_dates_last_year() -> None:
    window = Window(D(2024, 2, 20), D(2024, 3, 1))  # 11 days, across a leap day
    assert window.kind is None
    assert window.days == 11
    assert window.previous() == (D(2024, 2, 9), D(2024, 2, 19))
    assert window.last_year() == (D(2023, 2, 20), D(2023, 3, 1))
    assert Window(D(2024, 2, 29), D(2024, 2, 29)).last_year() == (D(2023, 2, 28), D(2023, 2, 28))


def test_for_a_year_the_previous_period_is_the_same_period_last_year() -> None:
    year = window_for("this_year", D(2026, 2, 14))
    assert year.previous() == year.last_year() == (D(2025, 1, 1), D(2025, 12, 31))


@pytest.mark.parametrize(("days", "granularity"), [(1, Granularity.DAY), (31, Granularity.DAY),
                                                   (92, Granularity.WEEK), (365, Granularity.MONTH),
                                                   (1500, Granularity.QUARTER)])
def test_chart_granularity_keeps_charts_readable(days: int, granularity: Granularity) -> None:
    start = D(2020, 1, 1)
    window = Window(start, start + dt.timedelta(days=days - 1))
    assert window.chart_granularity() is granularity
    assert len(buckets_for(granularity, window.start, window.end_exclusive)) <= 60
