"""A dashboard's date range, what it is compared with, and the time buckets its charts use.

Pure: dates in, dates out. A range that is a whole calendar month, quarter or year (every preset,
and a custom range that happens to be one) is compared with the previous period of that kind and
with the same period a year earlier. Any other custom range is compared with the same number of
days just before it and with the same dates a year earlier.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from voronka.core.periods import Period, PeriodKind
from voronka.metrics.buckets import Granularity

PRESETS = ("this_month", "this_quarter", "last_quarter", "this_year", "custom")
MAX_RANGE_DAYS = 366 * 10


def _year_back(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def _period_of(start: dt.date, end: dt.date) -> PeriodKind | None:
    """The calendar period kind [start, end] is exactly, if any (the largest first)."""
    for kind in (PeriodKind.YEAR, PeriodKind.QUARTER, PeriodKind.MONTH):
        period = Period.containing(kind, start)
        if period.start == start and period.end == end + dt.timedelta(days=1):
            return kind
    return None


@dataclass(frozen=True)
class Window:
    """A date range (inclusive local dates) as a dashboard shows it."""

    start: dt.date
    end: dt.date
    preset: str = "custom"

    @property
    def kind(self) -> PeriodKind | None:
        return _period_of(self.start, self.end)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def end_exclusive(self) -> dt.date:
        return self.end + dt.timedelta(days=1)

    def previous(self) -> tuple[dt.date, dt.date]:
        kind = self.kind
        if kind is not None:
            period = Period.containing(kind, self.start).previous()
            return period.start, period.end - dt.timedelta(days=1)
        return self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1)

    def last_year(self) -> tuple[dt.date, dt.date]:
        kind = self.kind
        if kind is not None:
            period = Period.containing(kind, self.start).same_last_year()
            return period.start, period.end - dt.timedelta(days=1)
        return _year_back(self.start), _year_back(self.end)

    def chart_granularity(self) -> Granularity:
        """Buckets for charts over time: about 7 to 60 points whatever the range."""
        if self.days <= 45:
            return Granularity.DAY
        if self.days <= 190:
            return Granularity.WEEK
        if self.days <= 1100:
            return Granularity.MONTH
        return Granularity.QUARTER


def window_for(preset: str, today: dt.date, date_from: dt.date | None = None,
               date_to: dt.date | None = None) -> Window:
    """The window a preset names on `today` (a local date); custom takes the given dates."""
    if preset == "this_quarter":
        period = Period.containing(PeriodKind.QUARTER, today)
    elif preset == "last_quarter":
        period = Period.containing(PeriodKind.QUARTER, today).previous()
    elif preset == "this_year":
        period = Period.containing(PeriodKind.YEAR, today)
    elif preset == "custom" and date_from is not None and date_to is not None:
        return Window(date_from, date_to, "custom")
    else:
        period = Period.containing(PeriodKind.MONTH, today)
        preset = "this_month"
    return Window(period.start, period.end - dt.timedelta(days=1), preset)
