"""The inputs every funnel page and endpoint shares: a period and a slice, parsed once, refused clearly."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from voronka.core.errors import ApplicationError
from voronka.core.periods import Period, PeriodKind

RELATIVE = {
    "this-month": (PeriodKind.MONTH, 0), "last-month": (PeriodKind.MONTH, -1), "next-month": (PeriodKind.MONTH, 1),
    "this-quarter": (PeriodKind.QUARTER, 0), "last-quarter": (PeriodKind.QUARTER, -1),
    "next-quarter": (PeriodKind.QUARTER, 1), "this-year": (PeriodKind.YEAR, 0), "last-year": (PeriodKind.YEAR, -1),
}
RELATIVE_LABELS = {
    "this-month": _("This month"), "last-month": _("Last month"), "next-month": _("Next month"),
    "this-quarter": _("This quarter"), "last-quarter": _("Last quarter"), "next-quarter": _("Next quarter"),
    "this-year": _("This year"), "last-year": _("Last year"),
}
ANALYSIS_PERIODS = ("last-quarter", "this-quarter", "last-month", "this-month", "last-year", "this-year")
FORECAST_PERIODS = ("this-quarter", "next-quarter", "this-month", "next-month", "this-year")
_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
DIMENSIONS = ("team", "owner", "channel", "lead_source", "product", "industry")


def zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def local_today(time_zone: str, now: dt.datetime | None = None) -> dt.date:
    return (now or timezone.now()).astimezone(zone(time_zone)).date()


def _bad_period() -> ApplicationError:
    message = _("Choose a period such as “last-quarter”, “2026-Q3”, “2026-07” or “2026”.")
    return ApplicationError(message, fields={"period": [str(message)]})


def parse_period(value: str | None, *, time_zone: str, default: str = "last-quarter",
                 now: dt.datetime | None = None) -> tuple[str, Period]:
    """The period a request names (relative or absolute), as (the canonical value, the Period)."""
    value = (value or "").strip() or default
    today = local_today(time_zone, now)
    if value in RELATIVE:
        kind, shift = RELATIVE[value]
        period = Period.containing(kind, today)
        for _step in range(abs(shift)):
            period = period.next() if shift > 0 else period.previous()
        return value, period
    for pattern, kind in ((_MONTH, PeriodKind.MONTH), (_QUARTER, PeriodKind.QUARTER), (_YEAR, PeriodKind.YEAR)):
        match = pattern.match(value)
        if match is None:
            continue
        year = int(match.group(1))
        if not 2000 <= year <= 2100:
            raise _bad_period()
        month = 1
        if kind is PeriodKind.MONTH:
            month = int(match.group(2))
        elif kind is PeriodKind.QUARTER:
            month = (int(match.group(2)) - 1) * 3 + 1
        period = Period.containing(kind, dt.date(year, month, 1))
        return period.label, period
    raise _bad_period()


@dataclass(frozen=True)
class SliceRef:
    """One slice of the deals: a dimension and a value (an id for team, owner, channel, product)."""

    dimension: str
    value: str

    @property
    def param(self) -> str:
        return f"{self.dimension}:{self.value}"

    @property
    def numeric_value(self) -> int:
        return int(self.value)


def _bad_slice() -> ApplicationError:
    message = _("Choose a slice such as “team:3”, “owner:12”, “channel:2”, “lead_source:Website”, “product:7” "
                "or “industry:Retail”.")
    return ApplicationError(message, fields={"slice": [str(message)]})


def parse_slice(value: str | None) -> SliceRef | None:
    """'team:3' → SliceRef; empty → None (the whole pipeline); anything else is a field error."""
    value = (value or "").strip()
    if not value:
        return None
    dimension, sep, rest = value.partition(":")
    rest = rest.strip()
    if not sep or dimension not in DIMENSIONS or not rest or len(rest) > 200:
        raise _bad_slice()
    if dimension in ("team", "owner", "channel", "product"):
        if not rest.isdigit() or len(rest) > 18:
            raise _bad_slice()
        rest = str(int(rest))
    return SliceRef(dimension, rest)
