"""Which local days a rollup may answer for, and which must be read from the source rows. Pure: dates in, dates out.

Ranges are half-open `(first, end)`: `first` inclusive, `end` exclusive, like the engine's periods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo

DayRange = tuple[dt.date, dt.date]
ONE_DAY = dt.timedelta(days=1)


Mark = tuple[dt.date, int | None]  # a change marker: the UTC day and hour (None: a date, not a moment)
LAST_INSTANT = dt.timedelta(hours=1) - dt.timedelta(microseconds=1)


def local_days_touched(marks: Iterable[Mark], *, time_zone: str) -> set[dt.date]:
    """The local days changes in these UTC hours (or on these dates) may have touched.

    An hour lies in one local day, or in two where the offset is not a whole number of hours. A date
    field has no time zone: its day is the local day. A marked UTC day without an hour may touch the
    local day before it, its own and the one after it (offsets stay within ±14 hours).
    """
    tz = ZoneInfo(time_zone)
    touched: set[dt.date] = set()
    for day, hour in marks:
        if hour is None:
            touched.add(day)
            continue
        start = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
        touched.update((start.astimezone(tz).date(), (start + LAST_INSTANT).astimezone(tz).date()))
    return touched


def ranges_of(days: Iterable[dt.date], *, join_gap: int = 0) -> list[DayRange]:
    """Sorted days as ranges; two ranges with at most `join_gap` days between them become one (fewer queries)."""
    result: list[DayRange] = []
    for day in sorted(set(days)):
        if result and (day - result[-1][1]).days <= join_gap:
            result[-1] = (result[-1][0], day + ONE_DAY)
        else:
            result.append((day, day + ONE_DAY))
    return result


def split_period(first: dt.date, end: dt.date, *, covered: DayRange | None, dirty: Iterable[dt.date]
                 ) -> tuple[list[DayRange], list[DayRange]]:
    """Split [first, end) into the ranges a rollup answers (covered, not dirty) and the rest (raw rows)."""
    from_rollup: list[DayRange] = []
    if covered is not None:
        low, high = max(first, covered[0]), min(end, covered[1])
        if low < high:
            cuts = sorted(day for day in set(dirty) if low <= day < high)
            start = low
            for day in cuts:
                if start < day:
                    from_rollup.append((start, day))
                start = day + ONE_DAY
            if start < high:
                from_rollup.append((start, high))
    raw: list[DayRange] = []
    start = first
    for low, high in from_rollup:
        if start < low:
            raw.append((start, low))
        start = high
    if start < end:
        raw.append((start, end))
    return from_rollup, raw


def chunked(ranges: Iterable[DayRange], max_days: int) -> list[DayRange]:
    """Ranges cut so none is longer than `max_days` (one query each when rebuilding)."""
    result: list[DayRange] = []
    for low, high in ranges:
        while (high - low).days > max_days:
            result.append((low, low + dt.timedelta(days=max_days)))
            low += dt.timedelta(days=max_days)
        result.append((low, high))
    return result


def fewer_ranges(ranges: list[DayRange], most: int) -> list[DayRange]:
    """Sorted, separate ranges joined across their shortest gaps until at most `most` remain."""
    if len(ranges) <= most:
        return list(ranges)
    gaps = sorted(range(1, len(ranges)), key=lambda index: (ranges[index][0] - ranges[index - 1][1], index))
    kept = sorted(gaps[len(ranges) - most:])  # the longest gaps still separate ranges
    result, start = [], 0
    for index in [*kept, len(ranges)]:
        result.append((ranges[start][0], ranges[index - 1][1]))
        start = index
    return result


def complement(first: dt.date, end: dt.date, ranges: list[DayRange]) -> list[DayRange]:
    """The days of [first, end) outside the sorted, separate `ranges`."""
    result, start = [], first
    for low, high in ranges:
        if start < low:
            result.append((start, low))
        start = max(start, high)
    if start < end:
        result.append((start, end))
    return result
