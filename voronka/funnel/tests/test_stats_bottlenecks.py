"""Bottleneck detection on synthetic funnels: a planted bottleneck ranks first, noise does not alarm."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import fisher_exact, mannwhitneyu, rankdata, tiecorrect
from statsmodels.stats.proportion import proportions_ztest

from voronka.funnel.stats.bottlenecks import CONVERSION, TIME, Slice, mann_whitney_from_ranks, scan

from .synthetic import N_OPEN, synthetic_funnel


def _scan(funnel, **kwargs):
    return scan(furthest=funnel.furthest, amount=funnel.amount, n_open=N_OPEN, slices=funnel.slices(),
                stay_deal=funnel.stay_deal, stay_step=funnel.stay_step, stay_seconds=funnel.stay_seconds, **kwargs)


def test_a_planted_bottleneck_ranks_first() -> None:
    # Given team 1 advancing from stage 2 with 0.45 instead of 0.6
    funnel = synthetic_funnel(11, planted=(1, 2, 0.45))
    # When the slices are scanned
    result = _scan(funnel)
    # Then the first finding is that team at that stage, with a q-value and the money it costs
    top = result.findings[0]
    assert (top.kind, top.dimension, top.key, top.step) == (CONVERSION, "team", "1", 2)
    assert top.q < 0.05 and top.value < top.company
    assert top.more_losses is not None and top.more_losses > 0.2
    company_rate = (funnel.furthest >= 3).sum() / (funnel.furthest >= 2).sum()
    rows = np.flatnonzero((funnel.team == 1) & (funnel.furthest >= 2))
    rate = (funnel.furthest[rows] >= 3).mean()
    downstream = (funnel.furthest >= 4).sum() / (funnel.furthest >= 3).sum()
    assert top.revenue_lost == pytest.approx((company_rate - rate) * len(rows) * funnel.amount[rows].mean()
                                             * downstream)


def test_a_planted_slow_stage_is_found_as_a_time_finding() -> None:
    funnel = synthetic_funnel(5, slow=(2, 1, 1.8))
    slower = [f for f in _scan(funnel).findings if f.kind == TIME]
    assert (slower[0].dimension, slower[0].key, slower[0].step) == ("team", "2", 1)
    assert slower[0].extra_days > 2


def test_without_a_bottleneck_at_most_five_of_a_hundred_seeds_report_any() -> None:
    alarms = sum(bool(_scan(synthetic_funnel(seed, n=3000)).findings) for seed in range(100))
    assert alarms <= 5


def test_small_slices_are_not_tested_however_bad() -> None:
    # Given 1000 deals that all advance, and a slice of 10 that never does
    furthest = np.full(1000, 2)
    furthest[:10] = 0
    tiny = Slice("owner", "7", "Tiny", np.arange(10))
    result = scan(furthest=furthest, amount=np.ones(1000), n_open=2, slices=[tiny])
    assert result.findings == [] and result.tested == 0 and result.skipped_small == 2


def test_p_values_equal_the_libraries() -> None:
    rng = np.random.default_rng(3)
    days = np.round(rng.lognormal(1, 1, 400), 1)  # rounded: ties
    in_slice = rng.random(400) < 0.3
    ranks = rankdata(days)
    expected = mannwhitneyu(days[in_slice], days[~in_slice], method="asymptotic", use_continuity=True).pvalue
    assert mann_whitney_from_ranks(ranks, in_slice, tiecorrect(ranks)) == pytest.approx(expected, rel=1e-9)
    # Conversion: the z-test on large counts, Fisher's exact test on small ones
    furthest = np.array([1] * 60 + [0] * 40 + [1] * 300 + [0] * 100)
    piece = Slice("team", "a", "A", np.arange(100))
    comparison = scan(furthest=furthest, amount=np.ones(500), n_open=1, slices=[piece]).findings
    z_p = proportions_ztest([60, 300], [100, 400])[1]
    assert comparison and comparison[0].p == pytest.approx(z_p)
    furthest = np.array([1] * 28 + [0] * 2 + [1] * 69 + [0] * 1)
    piece = Slice("team", "b", "B", np.arange(30))
    result = scan(furthest=furthest, amount=np.ones(100), n_open=1, slices=[piece], min_entries=30)
    fisher_p = fisher_exact([[28, 2], [69, 1]])[1]
    assert result.tested == 1
    assert not result.findings  # not significant: nothing reported
    compared = scan(furthest=furthest, amount=np.ones(100), n_open=1, slices=[piece], alpha=1.01).findings
    assert compared[0].p == pytest.approx(fisher_p)


def test_q_values_are_benjamini_hochberg_over_every_comparison() -> None:
    from statsmodels.stats.multitest import multipletests

    funnel = synthetic_funnel(2, planted=(0, 1, 0.4))
    result = _scan(funnel)
    ps = [c.p for c in result.comparisons]
    assert result.tested == len(ps) > 100
    assert [c.q for c in result.comparisons] == pytest.approx(list(multipletests(ps, method="fdr_bh")[1]))
    assert all(f.q < 0.05 and f.worse for f in result.findings)
    assert {(f.dimension, f.key, f.step) for f in result.findings if f.kind == CONVERSION} >= {("team", "0", 1)}
