"""Goal periods as local dates (start and end inclusive) and the comparable past periods (pure)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from voronka.core.periods import Period

CALENDAR_KINDS = ("month", "quarter", "year")
HISTORY_PERIODS = {"month": 12, "quarter": 12, "year": 5, "custom": 8}
SEASONAL_YEARS = 3


@dataclass(frozen=True)
class Span:
    start: dt.date
    end: dt.date  # inclusive
    label: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def calendar_span(kind: str, day: dt.date) -> Span:
    """The month, quarter or year containing `day`."""
    period = Period.containing(kind, day)
    return Span(period.start, period.end - dt.timedelta(days=1), period.label)


def shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def past_periods(kind: str, start: dt.date, end: dt.date, count: int | None = None) -> list[Span]:
    """The `count` periods of the same kind (or, for custom dates, of the same length) right before
    `start`, oldest first."""
    count = count or HISTORY_PERIODS.get(kind, 8)
    spans: list[Span] = []
    if kind in CALENDAR_KINDS:
        period = Period.containing(kind, start)
        for _ in range(count):
            period = period.previous()
            spans.append(Span(period.start, period.end - dt.timedelta(days=1), period.label))
    else:
        length = (end - start).days + 1
        for k in range(1, count + 1):
            first = start - dt.timedelta(days=length * k)
            spans.append(Span(first, first + dt.timedelta(days=length - 1),
                              f"{first.isoformat()}…{(first + dt.timedelta(days=length - 1)).isoformat()}"))
    return list(reversed(spans))


def same_period_years_ago(kind: str, start: dt.date, end: dt.date, years: int) -> Span:
    if kind in CALENDAR_KINDS:
        return calendar_span(kind, shift_years(start, -years))
    first, last = shift_years(start, -years), shift_years(end, -years)
    return Span(first, last, f"{first.isoformat()}…{last.isoformat()}")
