"""Revenue forecasts: the weighted pipeline and a Monte-Carlo simulation with slipping close dates.

Each run of the simulation decides every open deal: it is won with its win probability, and it
closes on its expected close date plus a slip drawn from the history of won deals (actual close −
expected close, in days). A deal cannot close in the past, so for a deal whose date has already
passed, or would pass before today, the slip is drawn only from the slips long enough to land
after today — the history of deals that were that late. A deal later than anything in the
history closes at a uniformly random day within the next `LATE_SPREAD_DAYS`. Revenue of a run =
revenue already won in the period + amounts of the deals won inside the period. With no history
the slip is zero: a deal closes on its date, or within the next `LATE_SPREAD_DAYS` once it has passed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .funnel import DAY

Array = np.ndarray

RUNS = 2_000
LATE_SPREAD_DAYS = 30
_CELLS_PER_CHUNK = 2_000_000


@dataclass(frozen=True)
class Simulation:
    p10: float
    p50: float
    p90: float
    mean: float
    already_won: float
    weighted: float  # Σ amount × probability of deals expected to close in the period (no slipping)
    deals: int
    runs: int


def weighted_in_period(*, probability: Array, amount: Array, expected_close: Array, period_start: int,
                       period_end: int) -> float:
    inside = (expected_close >= period_start) & (expected_close < period_end)
    return float((probability[inside] * amount[inside]).sum())


def landing_probability(*, expected_close: Array, now: int, period_start: int, period_end: int,
                        slip_days: Array) -> Array:
    """The chance each open deal closes inside the period, from the slips of the history (see the module).

    Exact, no sampling: the share of the slips still possible for the deal (longer than it is already late)
    that put its close inside the period; for a deal later than every slip, the overlap of the period with
    the next LATE_SPREAD_DAYS.
    """
    expected = np.asarray(expected_close, dtype=np.float64)
    slips = np.sort(np.asarray(slip_days, dtype=np.float64) * DAY) if len(slip_days) else np.zeros(1)
    lateness = now - expected
    first = np.searchsorted(slips, lateness, side="right")
    possible = len(slips) - first
    low = np.maximum(first, np.searchsorted(slips, period_start - expected, side="left"))
    high = np.searchsorted(slips, period_end - expected, side="left")
    landing = np.maximum(high - low, 0) / np.maximum(possible, 1)
    spread = LATE_SPREAD_DAYS * DAY
    overlap = max(0.0, min(period_end, now + spread) - max(period_start, now)) / spread
    return np.where(possible > 0, landing, overlap)


def simulate(*, probability: Array, amount: Array, expected_close: Array, now: int, period_start: int,
             period_end: int, slip_days: Array, already_won: float = 0.0, runs: int = RUNS,
             seed: int = 0) -> Simulation:
    """P10/P50/P90 of the period's revenue. `expected_close` is epoch seconds, NaN (or < 0) for undated deals
    (they are taken as expected today).

    A deal's win and its close date are independent, so "won inside the period" is one Bernoulli draw with
    probability (win probability × landing probability); each run draws it for every deal that can land.
    """
    rng = np.random.default_rng(seed)
    probability = np.clip(np.asarray(probability, dtype=np.float64), 0, 1)
    amount = np.asarray(amount, dtype=np.float64)
    expected = np.asarray(expected_close, dtype=np.float64)
    expected = np.where(np.isfinite(expected) & (expected >= 0), expected, float(now))
    chance = probability * landing_probability(expected_close=expected, now=now, period_start=period_start,
                                               period_end=period_end, slip_days=slip_days)
    live = chance > 0
    chance, values = chance[live], amount[live]
    totals = np.full(runs, float(already_won))
    n = len(values)
    if n:
        chunk = max(1, _CELLS_PER_CHUNK // n)
        for start in range(0, runs, chunk):
            size = min(chunk, runs - start)
            won = rng.random((size, n), dtype=np.float32) < chance
            totals[start:start + size] += won @ values
    p10, p50, p90 = np.percentile(totals, [10, 50, 90])
    return Simulation(
        p10=float(p10), p50=float(p50), p90=float(p90), mean=float(totals.mean()), already_won=float(already_won),
        weighted=weighted_in_period(probability=probability, amount=amount, expected_close=expected,
                                    period_start=period_start, period_end=period_end),
        deals=len(amount), runs=runs,
    )


@dataclass(frozen=True)
class Accuracy:
    forecast_p50: float
    forecast_p10: float
    forecast_p90: float
    actual: float
    error: float | None  # (forecast − actual) ÷ actual
    within_range: bool


def accuracy(*, p10: float, p50: float, p90: float, actual: float) -> Accuracy:
    error = (p50 - actual) / actual if actual else None
    return Accuracy(p50, p10, p90, actual, error, p10 <= actual <= p90)
