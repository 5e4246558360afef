"""The Monte-Carlo revenue forecast: certain deals, slipping dates, overdue deals, and the expected value."""

from __future__ import annotations

import numpy as np
import pytest

from voronka.funnel.stats.forecast import accuracy, landing_probability, simulate, weighted_in_period

DAY = 86_400
NOW = 1_000 * DAY
START, END = NOW - 10 * DAY, NOW + 80 * DAY


def test_certain_deals_without_slips_give_one_number() -> None:
    result = simulate(probability=np.array([1.0, 1.0, 0.0]), amount=np.array([100.0, 50.0, 999.0]),
                      expected_close=np.array([NOW + 5 * DAY, NOW + 100 * DAY, NOW + 5 * DAY]), now=NOW,
                      period_start=START, period_end=END, slip_days=np.array([0.0]), already_won=10.0)
    assert (result.p10, result.p50, result.p90) == (110.0, 110.0, 110.0)
    assert result.weighted == 100.0 and result.deals == 3


def test_dates_slip_out_of_the_period() -> None:
    # Every won deal in the history closed 100 days late: nothing expected this period lands in it
    result = simulate(probability=np.ones(5), amount=np.full(5, 10.0), expected_close=np.full(5, NOW + DAY),
                      now=NOW, period_start=START, period_end=END, slip_days=np.full(20, 100.0))
    assert result.p90 == 0.0


def test_overdue_deals_close_after_today() -> None:
    # Expected 30 days ago; history slips 10 or 40 days: only the 40-day slip lands after today (in 10 days)
    result = simulate(probability=np.ones(1), amount=np.array([7.0]), expected_close=np.array([NOW - 30 * DAY]),
                      now=NOW, period_start=NOW, period_end=NOW + 11 * DAY, slip_days=np.array([10.0, 40.0]))
    assert result.p10 == 7.0
    # Later than any slip seen: within the next 30 days, so not inside a period that starts in 40 days
    late = simulate(probability=np.ones(1), amount=np.array([7.0]), expected_close=np.array([NOW - 90 * DAY]),
                    now=NOW, period_start=NOW + 40 * DAY, period_end=NOW + 90 * DAY, slip_days=np.array([10.0]))
    assert late.p90 == 0.0


def test_mean_matches_the_expected_value() -> None:
    rng = np.random.default_rng(0)
    p = rng.random(300)
    amount = rng.lognormal(10, 0.5, 300)
    result = simulate(probability=p, amount=amount, expected_close=np.full(300, NOW + DAY), now=NOW,
                      period_start=START, period_end=END, slip_days=np.array([0.0]), runs=4000, seed=1)
    expected = float((p * amount).sum())
    sd = float(np.sqrt((p * (1 - p) * amount**2).sum()))
    assert abs(result.mean - expected) < 4 * sd / np.sqrt(4000)
    assert result.p10 < expected < result.p90
    # The P10-P90 range of a sum of independent Bernoullis: about ±1.28 standard deviations
    assert result.p90 - result.p10 == pytest.approx(2 * 1.2816 * sd, rel=0.08)


def test_no_open_deals_is_what_was_already_won() -> None:
    empty = np.zeros(0)
    result = simulate(probability=empty, amount=empty, expected_close=empty, now=NOW, period_start=START,
                      period_end=END, slip_days=empty, already_won=42.0)
    assert (result.p10, result.p50, result.p90, result.deals) == (42.0, 42.0, 42.0, 0)


def test_weighted_counts_only_dates_inside_the_period() -> None:
    value = weighted_in_period(probability=np.array([0.5, 0.5]), amount=np.array([100.0, 100.0]),
                               expected_close=np.array([START, END]), period_start=START, period_end=END)
    assert value == 50.0


def test_accuracy() -> None:
    found = accuracy(p10=80, p50=100, p90=130, actual=125)
    assert found.error == pytest.approx(-0.2) and found.within_range
    assert accuracy(p10=1, p50=2, p90=3, actual=0).error is None


def test_landing_probability_is_the_share_of_possible_slips_inside_the_period() -> None:
    # Expected in 5 days; slips 0, 10, 20, 30 days → closes in 5, 15, 25, 35 days; the period is the next 20 days
    q = landing_probability(expected_close=np.array([NOW + 5 * DAY]), now=NOW, period_start=NOW,
                            period_end=NOW + 20 * DAY, slip_days=np.array([0.0, 10.0, 20.0, 30.0]))
    assert q.tolist() == [0.5]
    # Already 12 days late: only the 20 and 30 day slips remain, landing in 8 and 18 days → both inside
    q = landing_probability(expected_close=np.array([NOW - 12 * DAY]), now=NOW, period_start=NOW,
                            period_end=NOW + 20 * DAY, slip_days=np.array([0.0, 10.0, 20.0, 30.0]))
    assert q.tolist() == [1.0]
