"""Report periods: presets relative to a local date, and months in a range (for fixed channel costs)."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from voronka.analytics.report_periods import PRESETS, months_in, preset_range

D = dt.date


@pytest.mark.parametrize(("preset", "expected"), [
    ("this_month", (D(2026, 11, 1), D(2026, 11, 30))),
    ("last_month", (D(2026, 10, 1), D(2026, 10, 31))),
    ("this_quarter", (D(2026, 10, 1), D(2026, 12, 31))),
    ("last_quarter", (D(2026, 7, 1), D(2026, 9, 30))),
    ("this_year", (D(2026, 1, 1), D(2026, 12, 31))),
    ("last_year", (D(2025, 1, 1), D(2025, 12, 31))),
    ("last_7_days", (D(2026, 11, 21), D(2026, 11, 27))),
    ("last_30_days", (D(2026, 10, 29), D(2026, 11, 27))),
    ("last_90_days", (D(2026, 8, 30), D(2026, 11, 27))),
    ("last_12_months", (D(2025, 12, 1), D(2026, 11, 27))),
])
def test_presets_on_a_day(preset, expected):
    assert preset_range(preset, D(2026, 11, 27)) == expected


def test_last_quarter_in_january_is_the_previous_years_fourth():
    assert preset_range("last_quarter", D(2027, 1, 3)) == (D(2026, 10, 1), D(2026, 12, 31))


def test_custom_and_unknown_presets_have_no_range():
    assert "custom" in PRESETS
    for name in ("custom", "yesterday-ish"):
        with pytest.raises(KeyError):
            preset_range(name, D(2026, 11, 27))


@pytest.mark.parametrize(("start", "end", "months"), [
    (D(2026, 4, 1), D(2026, 6, 30), Fraction(3)),
    (D(2026, 2, 1), D(2026, 2, 28), Fraction(1)),
    (D(2026, 6, 16), D(2026, 6, 30), Fraction(1, 2)),
    (D(2026, 1, 15), D(2026, 2, 14), Fraction(17, 31) + Fraction(14, 28)),
    (D(2024, 1, 1), D(2024, 12, 31), Fraction(12)),
    (D(2026, 3, 5), D(2026, 3, 5), Fraction(1, 31)),
    (D(2026, 3, 5), D(2026, 3, 4), Fraction(0)),
])
def test_months_count_partial_months_by_their_share_of_days(start, end, months):
    assert months_in(start, end) == months
