"""Time buckets for a metric query: the local calendar periods a date range splits into.

Pure: dates in, buckets out. A bucket is the intersection of one calendar period (day, ISO
week, month, quarter, year) with the queried range, so a range that starts mid-month gets a
short first bucket instead of silently counting days outside the range.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from voronka.core.periods import Period, PeriodKind

MAX_BUCKETS = 400


class Granularity(StrEnum):
    TOTAL = "total"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True)
class Bucket:
    key: str
    start: dt.date  # inclusive, local
    end: dt.date  # exclusive, local


def _period_start(granularity: Granularity, day: dt.date) -> tuple[dt.date, dt.date, str]:
    if granularity is Granularity.DAY:
        return day, day + dt.timedelta(days=1), day.isoformat()
    if granularity is Granularity.WEEK:
        start = day - dt.timedelta(days=day.weekday())
        year, week, _weekday = start.isocalendar()
        return start, start + dt.timedelta(days=7), f"{year}-W{week:02d}"
    period = Period.containing(PeriodKind(granularity.value), day)
    return period.start, period.end, period.label


def bucket_count(granularity: Granularity, start: dt.date, end: dt.date) -> int:
    """How many buckets [start, end) splits into, without building them (the size check of a query)."""
    if end <= start:
        return 0
    if granularity is Granularity.TOTAL:
        return 1
    last = end - dt.timedelta(days=1)
    if granularity is Granularity.DAY:
        return (end - start).days
    if granularity is Granularity.WEEK:
        first_monday = start - dt.timedelta(days=start.weekday())
        last_monday = last - dt.timedelta(days=last.weekday())
        return (last_monday - first_monday).days // 7 + 1
    months = {Granularity.MONTH: 1, Granularity.QUARTER: 3, Granularity.YEAR: 12}[granularity]
    first_index = (start.year * 12 + start.month - 1) // months
    last_index = (last.year * 12 + last.month - 1) // months
    return last_index - first_index + 1


def buckets_for(granularity: Granularity, start: dt.date, end: dt.date) -> list[Bucket]:
    """The buckets covering [start, end), in order; `end` is exclusive."""
    if end <= start:
        return []
    if granularity is Granularity.TOTAL:
        return [Bucket("total", start, end)]
    result = []
    day = start
    while day < end:
        period_start, period_end, key = _period_start(granularity, day)
        result.append(Bucket(key, max(period_start, start), min(period_end, end)))
        day = period_end
    return result
