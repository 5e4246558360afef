"""The Achievable check: percentiles against a hand-made example, numpy and statistics, and the judgement."""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from voronka.goals.stats.history import judge_target, percentile, trim_leading_empty

# Eight past quarters of revenue (thousands), oldest first.
QUARTERS = [120.0, 100.0, 140.0, 160.0, 150.0, 170.0, 130.0, 180.0]


def test_percentile_by_hand() -> None:
    # sorted: 100 120 130 140 150 160 170 180; rank = 0.95 × 7 = 6.65 → 170 + 0.65 × (180 − 170) = 176.5
    assert percentile(QUARTERS, 95) == pytest.approx(176.5)
    # the median: rank 3.5 → (140 + 150) / 2
    assert percentile(QUARTERS, 50) == pytest.approx(145.0)
    # the 5th: rank 0.35 → 100 + 0.35 × 20 = 107
    assert percentile(QUARTERS, 5) == pytest.approx(107.0)


@given(st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=2, max_size=60))
def test_percentile_matches_numpy_and_statistics(values: list[float]) -> None:
    ours = percentile(values, 95)
    assert ours == pytest.approx(float(np.percentile(values, 95)), rel=1e-12, abs=1e-6)
    # statistics.quantiles(method="inclusive") is the same type-7 definition; index 18 of 19 cut points = 95 %
    assert ours == pytest.approx(statistics.quantiles(values, n=20, method="inclusive")[18], rel=1e-9, abs=1e-3)


def test_a_target_above_the_95th_percentile_is_flagged_with_the_growth_it_needs() -> None:
    judgement = judge_target(200.0, QUARTERS)
    assert judgement.flagged
    assert judgement.bound == pytest.approx(176.5)
    assert judgement.last == 180.0
    assert judgement.growth_vs_last == pytest.approx(200 / 180 - 1)  # +11.1 %
    assert judgement.growth_vs_median == pytest.approx(200 / 145 - 1)  # +37.9 %
    assert not judge_target(176.5, QUARTERS).flagged  # at the bound is within reach


def test_lower_is_better_flags_a_target_below_the_5th_percentile() -> None:
    assert judge_target(105.0, QUARTERS, higher_is_better=False).flagged
    assert not judge_target(110.0, QUARTERS, higher_is_better=False).flagged


def test_too_little_history_is_not_judged() -> None:
    judgement = judge_target(1e9, [10.0, 12.0, 11.0])
    assert (judgement.enough, judgement.flagged, judgement.periods) == (False, False, 3)
    assert judge_target(5.0, []).periods == 0


def test_leading_empty_periods_are_dropped() -> None:
    assert trim_leading_empty([0, 0, None, 5, 0, 7, None]) == [5, 0, 7]
    assert trim_leading_empty([0, 0]) == []
