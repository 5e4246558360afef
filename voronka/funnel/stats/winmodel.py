"""The win-probability model: features of a deal at a moment, training with a time-based split, factors.

Training rows are closed deals seen at one random moment of their open life (seeded), so the model
learns from deals in the same situation as the open deals it scores: somewhere in a stage, some
days old, with some activity so far. Nothing that happened after that moment enters the row.

The estimator is scikit-learn's HistGradientBoostingClassifier (categorical stage, channel, owner,
lead source and industry handled natively) calibrated with isotonic regression in
CalibratedClassifierCV. It is evaluated on the most recently closed `test_share` of the deals
(trained on the older ones): Brier score and the reliability diagram. The model that is stored is
then refitted on every deal with the same recipe.

A deal's factors are the features that move its probability most: the probability minus the
probability with that one feature set to a typical value (the training median, or the most common
category).

Fitting and predicting run OpenMP on one thread: on a shared two-core machine the gradient
booster's threads spin against each other and the web workers (measured: 0.25 s on one thread,
3.5 s on two for the same 48,000-row fit while other processes ran).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.calibration import CalibratedClassifierCV, calibration_curve
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import brier_score_loss
from sklearn.pipeline import Pipeline
from threadpoolctl import threadpool_limits

from .funnel import DAY

Array = np.ndarray

MIN_CLOSED_DEALS = 200
THREADS = 1
RECENT_DAYS = 14
MAX_CATEGORY_CODE = 250  # HistGradientBoosting takes at most 255 categories per feature
N_BINS = 10

# Feature order of the matrix; categorical ones hold small integer codes (NaN: unknown).
FEATURES = (
    "stage", "age_days", "days_in_stage", "log_amount", "channel", "owner", "owner_win_rate", "activities",
    "recent_activities", "moved_back", "days_past_close_date", "lead_source", "industry",
)
CATEGORICAL = frozenset({"stage", "channel", "owner", "lead_source", "industry"})
_KEY = np.int64(4_000_000_000)  # > any epoch second we store: (row, time) packed in one int64


@dataclass
class DealRows:
    """What the features are built from, one row per deal."""

    created: Array  # epoch seconds
    amount: Array
    stage: Array  # current stage id (used when a deal has no transition before the moment)
    expected_close: Array  # epoch seconds, NaN when undated
    channel: Array  # category codes (NaN unknown) for the categorical features
    owner: Array
    lead_source: Array
    industry: Array
    owner_win_rate: Array


@dataclass
class History:
    """Transitions (sorted by deal row, time) and done activities (sorted by deal row, time)."""

    move_deal: Array
    move_stage: Array
    move_at: Array
    activity_deal: Array
    activity_at: Array


def _packed(rows: Array, times: Array) -> Array:
    return rows.astype(np.int64) * _KEY + np.clip(times.astype(np.int64), 0, _KEY - 1)


def features_at(deals: DealRows, history: History, moments: Array, stage_code: dict[int, int],
                stage_rank: dict[int, tuple[int, bool]]) -> Array:
    """The feature matrix (rows × FEATURES) of every deal as it was at `moments` (epoch seconds).

    `stage_code` maps a stage id to its category code; `stage_rank` to (order in its pipeline, is open),
    which tells a move back to an earlier open stage.
    """
    n = len(deals.created)
    rows = np.arange(n, dtype=np.int64)
    moments = moments.astype(np.int64)
    keys = _packed(history.move_deal, history.move_at)
    wanted = _packed(rows, moments)
    pos = np.searchsorted(keys, wanted, side="right") - 1
    has_move = (pos >= 0) & (history.move_deal[np.maximum(pos, 0)] == rows) if len(keys) else np.zeros(n, bool)
    safe = np.maximum(pos, 0)
    stage_now = np.where(has_move, history.move_stage[safe] if len(keys) else deals.stage, deals.stage)
    entered = np.where(has_move, history.move_at[safe] if len(keys) else deals.created, deals.created)
    # Moves back to an earlier open stage, counted up to the moment.
    back_before = np.zeros(n)
    if len(keys) > 1:
        rank = np.array([stage_rank.get(int(s), (0, False))[0] for s in history.move_stage], dtype=np.int64)
        is_open = np.array([stage_rank.get(int(s), (0, False))[1] for s in history.move_stage], dtype=bool)
        back = np.zeros(len(keys), dtype=np.int64)
        back[1:] = ((history.move_deal[1:] == history.move_deal[:-1]) & is_open[1:] & is_open[:-1]
                    & (rank[1:] < rank[:-1]))
        cumulative = np.cumsum(back)
        first = np.searchsorted(keys, _packed(rows, np.zeros(n)), side="left")
        before_first = np.where(first > 0, cumulative[np.maximum(first - 1, 0)], 0)
        back_before = np.where(has_move, cumulative[safe] - before_first, 0).astype(np.float64)
    activity_keys = _packed(history.activity_deal, history.activity_at)
    done = np.searchsorted(activity_keys, wanted, side="right")
    start = np.searchsorted(activity_keys, _packed(rows, np.zeros(n)), side="left")
    recent = np.searchsorted(activity_keys, _packed(rows, moments - RECENT_DAYS * 86_400), side="left")
    codes = np.array([stage_code.get(int(s), np.nan) for s in stage_now], dtype=np.float64)
    expected = np.asarray(deals.expected_close, dtype=np.float64)
    columns = {
        "stage": codes,
        "age_days": (moments - deals.created) / DAY,
        "days_in_stage": (moments - entered) / DAY,
        "log_amount": np.log1p(np.maximum(deals.amount, 0)),
        "channel": deals.channel,
        "owner": deals.owner,
        "owner_win_rate": deals.owner_win_rate,
        "activities": (done - start).astype(np.float64),
        "recent_activities": (done - np.maximum(recent, start)).astype(np.float64),
        "moved_back": back_before,
        "days_past_close_date": (moments - expected) / DAY,
        "lead_source": deals.lead_source,
        "industry": deals.industry,
    }
    return np.column_stack([np.asarray(columns[name], dtype=np.float64) for name in FEATURES])


def training_moments(created: Array, closed: Array, seed: int = 0) -> Array:
    """One moment per closed deal, uniformly within its open life [created, closed)."""
    rng = np.random.default_rng(seed)
    life = np.maximum(closed - created, 0)
    return created + np.floor(rng.random(len(created)) * life).astype(np.int64)


def smoothed_rates(group: Array, won: Array, *, prior_strength: float = 20.0) -> tuple[dict[int, float], float]:
    """Win rate per group shrunk towards the overall rate (a Beta prior worth `prior_strength` deals)."""
    group = group.astype(np.int64)
    won = won.astype(np.float64)
    overall = float(won.mean()) if len(won) else 0.0
    if not len(group):
        return {}, overall
    keys, inverse = np.unique(group, return_inverse=True)
    wins = np.bincount(inverse, weights=won)
    totals = np.bincount(inverse).astype(np.float64)
    rates = (wins + prior_strength * overall) / (totals + prior_strength)
    return {int(k): float(r) for k, r in zip(keys, rates, strict=True)}, overall


def rates_before(group: Array, closed: Array, won: Array, moments: Array, *, prior_strength: float = 20.0,
                 overall: float | None = None) -> Array:
    """Each row's group win rate over the deals of that group closed before the row's moment (smoothed).

    Time-aware, so a training row never sees its own outcome: a leave-one-out rate would (for a fixed group
    it is lower exactly when the row was won, which a booster learns perfectly).
    """
    group = group.astype(np.int64)
    won = won.astype(np.float64)
    base = float(won.mean()) if overall is None and len(won) else (overall or 0.0)
    if not len(group):
        return np.zeros(0)
    shift = group.min()
    keys = _packed(group - shift, closed)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    cumulative = np.concatenate([[0.0], np.cumsum(won[order])])
    start = np.searchsorted(keys, _packed(group - shift, np.zeros(len(group))), side="left")
    before = np.searchsorted(keys, _packed(group - shift, moments), side="left")
    n = (before - start).astype(np.float64)
    wins = cumulative[before] - cumulative[start]
    return (wins + prior_strength * base) / (n + prior_strength)


class FillEmptyColumns(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Columns with no value at all in training (no deal has an expected date yet) become constant zeros:
    the gradient booster cannot bin a numeric column that is entirely missing."""

    def fit(self, X: Array, y: Array | None = None) -> FillEmptyColumns:
        self.empty_ = ~np.isfinite(X).any(axis=0)
        return self

    def transform(self, X: Array) -> Array:
        if not self.empty_.any():
            return X
        filled = np.array(X, dtype=np.float64, copy=True)
        filled[:, self.empty_] = 0.0
        return filled


def make_estimator(categorical: Sequence[bool], seed: int = 0) -> Pipeline:
    booster = HistGradientBoostingClassifier(
        categorical_features=np.asarray(categorical, dtype=bool), max_iter=200, learning_rate=0.1,
        l2_regularization=1.0, early_stopping=True, random_state=seed,
    )
    return Pipeline([("fill", FillEmptyColumns()),
                     ("model", CalibratedClassifierCV(booster, method="isotonic", cv=3))])


@dataclass(frozen=True)
class ReliabilityBin:
    predicted: float  # mean predicted probability in the bin
    observed: float  # share won
    count: int


@dataclass
class Fit:
    estimator: Pipeline
    brier: float
    brier_baseline: float | None  # the stage probabilities on the same test deals
    reliability: list[ReliabilityBin]
    n_train: int
    n_test: int
    reference: Array  # typical value of each feature, for the factors
    test_probabilities: Array = field(repr=False, default_factory=lambda: np.zeros(0))


def reliability(y: Array, p: Array, n_bins: int = N_BINS) -> list[ReliabilityBin]:
    """sklearn's calibration_curve (uniform bins) with the number of deals in each non-empty bin."""
    observed, predicted = calibration_curve(y, p, n_bins=n_bins, strategy="uniform")
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    counts = np.bincount(np.searchsorted(edges[1:-1], p), minlength=n_bins)
    counts = counts[counts > 0]
    return [ReliabilityBin(float(pp), float(o), int(c)) for pp, o, c in zip(predicted, observed, counts, strict=True)]


def reference_values(X: Array, categorical: Sequence[bool]) -> Array:
    reference = np.zeros(X.shape[1])
    for j, is_category in enumerate(categorical):
        column = X[:, j][np.isfinite(X[:, j])]
        if not len(column):
            reference[j] = np.nan
        elif is_category:
            values, counts = np.unique(column, return_counts=True)
            reference[j] = values[np.argmax(counts)]
        else:
            reference[j] = float(np.median(column))
    return reference


def fit(X: Array, y: Array, order: Array, categorical: Sequence[bool], *, test_share: float = 0.2,
        baseline: Array | None = None, refit: bool = True, seed: int = 0) -> Fit:
    """Train on the older deals, evaluate on the newest `test_share` (by `order`, e.g. the close time),
    then refit on all rows; needs both outcomes among the training rows."""
    y = np.asarray(y, dtype=np.int64)
    ranked = np.argsort(order, kind="stable")
    n_test = max(round(len(y) * test_share), 1)
    train, test = ranked[:-n_test], ranked[-n_test:]
    with threadpool_limits(limits=THREADS, user_api="openmp"):
        estimator = make_estimator(categorical, seed)
        estimator.fit(X[train], y[train])
        p_test = estimator.predict_proba(X[test])[:, 1]
    brier = float(brier_score_loss(y[test], p_test))
    base = float(brier_score_loss(y[test], np.clip(baseline[test], 0, 1))) if baseline is not None else None
    bins = reliability(y[test], p_test)
    if refit:
        with threadpool_limits(limits=THREADS, user_api="openmp"):
            estimator = make_estimator(categorical, seed)
            estimator.fit(X, y)
    return Fit(estimator=estimator, brier=brier, brier_baseline=base, reliability=bins, n_train=len(train),
               n_test=len(test), reference=reference_values(X, categorical), test_probabilities=p_test)


def predict(estimator: Pipeline, X: Array) -> Array:
    if not len(X):
        return np.zeros(0)
    with threadpool_limits(limits=THREADS, user_api="openmp"):
        return estimator.predict_proba(X)[:, 1]


def effects(estimator: Pipeline, X: Array, reference: Array, base: Array | None = None,
            columns: Sequence[int] | None = None) -> Array:
    """Rows × features: the probability minus the probability with that feature set to its typical value
    (only for `columns` when given; the others stay 0)."""
    if not len(X):
        return np.zeros_like(X)
    p = predict(estimator, X) if base is None else base
    found = np.zeros_like(X)
    for j in range(X.shape[1]) if columns is None else columns:
        if not np.isfinite(reference[j]):
            continue
        changed = X.copy()
        changed[:, j] = reference[j]
        found[:, j] = p - predict(estimator, changed)
    return found


def top_factors(found: Array, *, top: int = 3, smallest: float = 0.005) -> list[list[tuple[int, float]]]:
    """For each row, the `top` features (index, effect) that move its probability most (at least `smallest`)."""
    order = np.argsort(-np.abs(found), axis=1)[:, :top]
    return [[(int(j), float(found[i, j])) for j in order[i] if abs(found[i, j]) >= smallest]
            for i in range(len(found))]


def factors(estimator: Pipeline, X: Array, reference: Array, *, top: int = 3,
            base: Array | None = None) -> list[list[tuple[int, float]]]:
    """For each row, the `top` features (index, effect on the probability) that move it most."""
    if not len(X):
        return []
    return top_factors(effects(estimator, X, reference, base), top=top)
