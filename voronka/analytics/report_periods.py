"""The periods a report or the channel comparison covers, named relative to today.

Pure: a preset and a local date in, inclusive local dates out. A saved report keeps the preset,
so "last quarter" in a weekly email is always the quarter before the one the email is sent in.
Calendar presets cover the whole period (like the dashboards); "last N days" ends today.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.utils.translation import gettext_lazy as _

from voronka.core.periods import Period, PeriodKind

CUSTOM = "custom"
PRESETS = {
    "this_month": _("This month"),
    "last_month": _("Last month"),
    "this_quarter": _("This quarter"),
    "last_quarter": _("Last quarter"),
    "this_year": _("This year"),
    "last_year": _("Last year"),
    "last_7_days": _("Last 7 days"),
    "last_30_days": _("Last 30 days"),
    "last_90_days": _("Last 90 days"),
    "last_12_months": _("Last 12 months"),
    CUSTOM: _("Custom dates"),
}
_CALENDAR = {
    "this_month": (PeriodKind.MONTH, 0), "last_month": (PeriodKind.MONTH, 1),
    "this_quarter": (PeriodKind.QUARTER, 0), "last_quarter": (PeriodKind.QUARTER, 1),
    "this_year": (PeriodKind.YEAR, 0), "last_year": (PeriodKind.YEAR, 1),
}
_DAYS = {"last_7_days": 7, "last_30_days": 30, "last_90_days": 90}


def preset_range(preset: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of a preset on `today`; raises KeyError for custom or an unknown name."""
    if preset in _CALENDAR:
        kind, back = _CALENDAR[preset]
        period = Period.containing(kind, today)
        for _step in range(back):
            period = period.previous()
        return period.start, period.end - dt.timedelta(days=1)
    if preset in _DAYS:
        return today - dt.timedelta(days=_DAYS[preset] - 1), today
    if preset == "last_12_months":
        start = Period.containing(PeriodKind.MONTH, today)
        for _step in range(11):
            start = start.previous()
        return start.start, today
    raise KeyError(preset)


def months_in(date_from: dt.date, date_to: dt.date) -> Fraction:
    """How many months [date_from, date_to] (inclusive) spans: each calendar month counts by the
    share of its days inside the range, so a whole quarter is exactly 3 and 15 days of June are 1/2."""
    if date_to < date_from:
        return Fraction(0)
    total = Fraction(0)
    month = Period.containing(PeriodKind.MONTH, date_from)
    end_exclusive = date_to + dt.timedelta(days=1)
    while month.start < end_exclusive:
        inside = (min(month.end, end_exclusive) - max(month.start, date_from)).days
        total += Fraction(inside, (month.end - month.start).days)
        month = month.next()
    return total
