"""Progress arithmetic for a goal: elapsed share, expected pace, run rate, forecast, status (pure).

Definitions (the goal page shows them next to the numbers):

- A period is its local dates `start`..`end`, both inclusive. On day `as_of` the elapsed days are
  `as_of − start + 1` (today counts as elapsed), capped at the period's length.
- Linear pace: expected = target × elapsed days ÷ days in the period.
- Seasonal pace: expected = target × the share of the metric that the same period of past years
  (up to three) had accrued by the same day of the period: Σ to-date ÷ Σ whole, pooled over the
  years that had any data. With no such year the pace falls back to linear, with a note.
- Run rate (additive metrics: counts and money): actual ÷ the pace share to date — the pace so
  far, continued to the end of the period (linear share, or the seasonal share when the goal
  uses the seasonal pace).
- Pipeline (revenue): actual + the weighted pipeline of open deals expected to close from today
  to the end of the period.
- Forecast = the higher of the run rate and the pipeline projection (either alone when the other
  does not apply). After the period ends the forecast is the actual.
- Ratios and durations (win rate, sales cycle) do not accrue over a period: the expected value is
  the target itself and the forecast is the value so far.
- Status, for a higher-is-better metric: on track when forecast ≥ target; at risk when forecast ≥
  90 % of the target; off track below that. For a lower-is-better metric: on track when forecast ≤
  target; at risk when forecast ≤ 110 % of the target; off track above. Before the period starts:
  not started; without a value (a ratio with no deals yet): no data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from enum import StrEnum

AT_RISK_SHARE = Decimal("0.9")  # higher is better: at risk from 90 % of the target
AT_RISK_EXCESS = Decimal("1.1")  # lower is better: at risk up to 110 % of the target
CENT = Decimal("0.01")


class Status(StrEnum):
    NOT_STARTED = "not_started"
    NO_DATA = "no_data"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"


def period_days(start: dt.date, end: dt.date) -> int:
    return (end - start).days + 1


def elapsed_days(start: dt.date, end: dt.date, as_of: dt.date) -> int:
    """Days of the period up to and including `as_of` (0 before it starts, all of it after it ends)."""
    if as_of < start:
        return 0
    return min((as_of - start).days + 1, period_days(start, end))


def linear_share(elapsed: int, total: int) -> Decimal:
    return Decimal(elapsed) / Decimal(total)


def seasonal_share(years: Sequence[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Σ to-date ÷ Σ whole over past years given as (to date, whole period); None without data."""
    used = [(to_date, whole) for to_date, whole in years if whole > 0]
    whole_sum = sum((whole for _, whole in used), Decimal(0))
    if not used or whole_sum <= 0:
        return None
    share = sum((to_date for to_date, _ in used), Decimal(0)) / whole_sum
    return min(max(share, Decimal(0)), Decimal(1))


def expected(target: Decimal, share: Decimal) -> Decimal:
    return (target * share).quantize(CENT)


def run_rate(actual: Decimal, share: Decimal) -> Decimal | None:
    """The actual continued at the same pace to the end of the period; None when no time has passed."""
    if share <= 0:
        return None
    return (actual / share).quantize(CENT)


def forecast(*, actual: Decimal, run_rate_value: Decimal | None, pipeline: Decimal | None) -> Decimal:
    """The higher of the run-rate and pipeline projections (pipeline = actual + weighted open deals)."""
    candidates = [value for value in (run_rate_value, pipeline) if value is not None]
    return max(candidates) if candidates else actual


def status_for(*, forecast_value: Decimal | None, target: Decimal, higher_is_better: bool) -> Status:
    if forecast_value is None:
        return Status.NO_DATA
    if higher_is_better:
        if forecast_value >= target:
            return Status.ON_TRACK
        if forecast_value >= target * AT_RISK_SHARE:
            return Status.AT_RISK
        return Status.OFF_TRACK
    if forecast_value <= target:
        return Status.ON_TRACK
    if forecast_value <= target * AT_RISK_EXCESS:
        return Status.AT_RISK
    return Status.OFF_TRACK
