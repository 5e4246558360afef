"""The win-probability model on synthetic deals with known true probabilities, and the snapshot features."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import brier_score_loss

from voronka.funnel.stats.winmodel import (
    FEATURES,
    DealRows,
    History,
    factors,
    features_at,
    fit,
    rates_before,
    reliability,
    smoothed_rates,
    training_moments,
)

DAY = 86_400


def _synthetic(seed: int, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[bool]]:
    """Three numeric features and one categorical with known effects on the log-odds."""
    rng = np.random.default_rng(seed)
    stage = rng.integers(4, size=n)
    age = rng.exponential(30, n)
    amount = rng.normal(11, 1, n)
    activity = rng.poisson(3, n)
    logit = -1.2 + np.array([-1.0, 0.0, 0.8, 1.8])[stage] - 0.02 * age + 0.3 * (amount - 11) + 0.15 * activity
    p = 1 / (1 + np.exp(-logit))
    y = (rng.random(n) < p).astype(int)
    X = np.column_stack([stage, age, amount, activity]).astype(float)
    return X, y, p, [True, False, False, False]


def test_brier_is_close_to_the_true_probabilities_and_the_curve_to_the_diagonal() -> None:
    # Given 60,000 deals whose true win probabilities are known, in time order
    X, y, p_true, categorical = _synthetic(1, 60_000)
    order = np.arange(len(y))
    # When the model is trained on the older 80% and evaluated on the newest 20%
    result = fit(X, y, order, categorical, refit=False)
    test = order[-result.n_test:]
    # Then its Brier score is within 0.01 of the true probabilities' Brier score on the same deals
    true_brier = brier_score_loss(y[test], p_true[test])
    assert result.n_test == 12_000 and result.n_train == 48_000
    assert abs(result.brier - true_brier) < 0.01
    assert result.brier == pytest.approx(brier_score_loss(y[test], result.test_probabilities))
    # And the reliability curve stays within 0.05 of the diagonal in every well-populated bin
    populated = [b for b in result.reliability if b.count >= 1000]
    assert len(populated) >= 4
    assert all(abs(b.observed - b.predicted) <= 0.05 for b in populated)
    assert sum(b.count for b in result.reliability) == result.n_test


def test_reliability_bins_match_sklearn_and_count_deals() -> None:
    y = np.array([0, 0, 1, 1, 1, 0])
    p = np.array([0.05, 0.15, 0.12, 0.85, 0.95, 0.91])
    bins = reliability(y, p, n_bins=2)
    assert [(b.count, b.observed) for b in bins] == [(3, pytest.approx(1 / 3)), (3, pytest.approx(2 / 3))]
    assert bins[0].predicted == pytest.approx((0.05 + 0.15 + 0.12) / 3)


def test_factors_name_the_feature_that_moves_the_probability() -> None:
    X, y, _p, categorical = _synthetic(2, 20_000)
    result = fit(X, y, np.arange(len(y)), categorical, refit=False)
    early = np.array([[0.0, 30.0, 11.0, 3.0]])  # first stage: the strongest negative effect
    found = factors(result.estimator, early, result.reference)
    assert found[0][0][0] == 0 and found[0][0][1] < -0.05


def test_smoothed_rates_shrink_towards_the_overall_rate() -> None:
    per_group, overall = smoothed_rates(np.array([1, 1, 1, 2]), np.array([1, 1, 0, 0]), prior_strength=2)
    assert overall == 0.5
    assert per_group == {1: pytest.approx((2 + 1) / (3 + 2)), 2: pytest.approx((0 + 1) / (1 + 2))}


def test_rates_before_see_only_deals_closed_before_the_moment() -> None:
    # Owner 7 closed deals on days 1 (won), 2 (lost), 5 (won); owner 8 one on day 3 (won)
    group = np.array([7, 7, 7, 8])
    closed = np.array([1, 2, 5, 3]) * DAY
    won = np.array([1, 0, 1, 1])
    moments = np.array([0, 3, 4, 10]) * DAY
    rates = rates_before(group, closed, won, moments, prior_strength=2, overall=0.5)
    assert rates.tolist() == pytest.approx([
        (0 + 1) / (0 + 2),  # nothing closed before day 0
        (1 + 1) / (2 + 2),  # days 1 and 2 closed before day 3
        (1 + 1) / (2 + 2),  # not its own close on day 5
        (1 + 1) / (1 + 2),  # owner 8's own deal closed on day 3, before day 10
    ])


def test_features_see_the_deal_as_it_was_at_the_moment() -> None:
    # A deal created on day 0 in stage 1, moved to stage 2 on day 5, back to stage 1 on day 8, closed on day 20;
    # activities on days 1, 6 and 12. Seen on day 10.
    deals = DealRows(
        created=np.array([0]), amount=np.array([1000.0]), stage=np.array([3]), expected_close=np.array([7.0 * DAY]),
        channel=np.array([1.0]), owner=np.array([0.0]), lead_source=np.array([np.nan]), industry=np.array([2.0]),
        owner_win_rate=np.array([0.4]),
    )
    history = History(move_deal=np.array([0, 0, 0, 0]), move_stage=np.array([1, 2, 1, 3]),
                      move_at=np.array([0, 5 * DAY, 8 * DAY, 20 * DAY]),
                      activity_deal=np.array([0, 0, 0]), activity_at=np.array([DAY, 6 * DAY, 12 * DAY]))
    rank = {1: (0, True), 2: (1, True), 3: (2, False)}
    row = features_at(deals, history, np.array([10 * DAY]), {1: 0, 2: 1, 3: 2}, rank)[0]
    values = dict(zip(FEATURES, row, strict=True))
    assert values["stage"] == 0  # back in stage 1
    assert values["age_days"] == 10 and values["days_in_stage"] == 2
    assert values["activities"] == 2 and values["recent_activities"] == 2
    assert values["moved_back"] == 1
    assert values["days_past_close_date"] == 3
    assert values["log_amount"] == pytest.approx(np.log1p(1000))
    assert np.isnan(values["lead_source"]) and values["industry"] == 2 and values["owner_win_rate"] == 0.4


def test_training_moments_fall_inside_the_open_life() -> None:
    created = np.array([0, 100, 50])
    closed = np.array([10, 100, 1050])
    moments = training_moments(created, closed, seed=3)
    assert ((moments >= created) & ((moments < closed) | (closed == created))).all()


def test_a_column_no_deal_has_yet_does_not_break_training() -> None:
    # e.g. no deal has an expected close date: that numeric column is all missing
    X, y, _p, categorical = _synthetic(3, 600)
    X = np.column_stack([X, np.full(len(y), np.nan)])
    result = fit(X, y, np.arange(len(y)), [*categorical, False], refit=False)
    assert 0 < result.brier < 0.3
    assert len(factors(result.estimator, X[:2], result.reference)) == 2
