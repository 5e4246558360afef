"""Reporting periods (month, quarter, year) in the workspace time zone.

A period is a half-open range of local calendar dates; `bounds_utc` turns it into the
aware UTC datetimes the database stores, so a deal won at 23:30 local time on the last
day of a month belongs to that month wherever the server runs.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo


class PeriodKind(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


_MONTHS_IN = {PeriodKind.MONTH: 1, PeriodKind.QUARTER: 3, PeriodKind.YEAR: 12}


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: PeriodKind
    start: dt.date  # first local day, inclusive
    end: dt.date  # first local day of the next period, exclusive

    @classmethod
    def containing(cls, kind: PeriodKind | str, day: dt.date) -> Period:
        kind = PeriodKind(kind)
        first_month = (day.month - 1) // _MONTHS_IN[kind] * _MONTHS_IN[kind] + 1
        start = dt.date(day.year, first_month, 1)
        return cls(kind, start, _add_months(start, _MONTHS_IN[kind]))

    @classmethod
    def containing_instant(cls, kind: PeriodKind | str, moment: dt.datetime, tz: str) -> Period:
        if moment.tzinfo is None:
            raise ValueError("moment must be timezone-aware")
        return cls.containing(kind, moment.astimezone(ZoneInfo(tz)).date())

    def previous(self) -> Period:
        return Period.containing(self.kind, _add_months(self.start, -_MONTHS_IN[self.kind]))

    def next(self) -> Period:
        return Period.containing(self.kind, self.end)

    def same_last_year(self) -> Period:
        return Period.containing(self.kind, _add_months(self.start, -12))

    def bounds_utc(self, tz: str) -> tuple[dt.datetime, dt.datetime]:
        zone = ZoneInfo(tz)
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
        end = dt.datetime.combine(self.end, dt.time.min, tzinfo=zone).astimezone(dt.UTC)
        return start, end

    def contains(self, moment: dt.datetime, tz: str) -> bool:
        start, end = self.bounds_utc(tz)
        return start <= moment < end

    @property
    def label(self) -> str:
        if self.kind is PeriodKind.MONTH:
            return f"{self.start:%Y-%m}"
        if self.kind is PeriodKind.QUARTER:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)
