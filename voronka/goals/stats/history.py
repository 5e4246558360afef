"""Is a target achievable? The target against the same metric's values in past periods (pure).

A target for a higher-is-better metric is flagged when it is above the 95th percentile of the
past periods (better than the best 5% of them); for a lower-is-better metric (sales cycle, lost
deals) when it is below the 5th percentile. Percentiles are numpy's default (linear
interpolation between order statistics, Hyndman & Fan type 7 — the same as
`statistics.quantiles(..., method="inclusive")`). The growth the target needs is measured
against the last period and against the median period.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

HIGH_QUANTILE = 95.0
LOW_QUANTILE = 5.0
MIN_PERIODS = 4


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0–100) with linear interpolation."""
    if not values:
        raise ValueError("no values")
    return float(np.percentile(np.asarray(values, dtype=np.float64), q))


def growth(target: float, base: float | None) -> float | None:
    """target ÷ base − 1, None when the base is missing or zero."""
    if base is None or base == 0:
        return None
    return target / base - 1


def trim_leading_empty(values: Sequence[float | None]) -> list[float]:
    """Drop undefined values and the periods before the first one with any data (before the business
    recorded anything, zeros say nothing about what is achievable)."""
    defined = [v for v in values if v is not None]
    for index, value in enumerate(defined):
        if value != 0:
            return list(defined[index:])
    return []


@dataclass(frozen=True)
class Judgement:
    periods: int  # past periods with data
    enough: bool  # at least MIN_PERIODS of them
    flagged: bool  # the target is beyond the best 5% of the past periods
    bound: float | None  # the 95th (or, lower is better, the 5th) percentile
    median: float | None
    last: float | None  # the most recent period's value
    growth_vs_last: float | None
    growth_vs_median: float | None


def judge_target(target: float, history: Sequence[float], *, higher_is_better: bool = True,
                 min_periods: int = MIN_PERIODS) -> Judgement:
    """Judge `target` against `history` (oldest first, undefined periods already removed)."""
    values = [float(v) for v in history]
    if not values:
        return Judgement(0, False, False, None, None, None, None, None)
    median = percentile(values, 50)
    last = values[-1]
    enough = len(values) >= min_periods
    bound = percentile(values, HIGH_QUANTILE if higher_is_better else LOW_QUANTILE)
    beyond = target > bound if higher_is_better else target < bound
    return Judgement(
        periods=len(values), enough=enough, flagged=enough and beyond, bound=bound, median=median, last=last,
        growth_vs_last=growth(target, last), growth_vs_median=growth(target, median),
    )
