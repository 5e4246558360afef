"""Training the workspace's win-probability model (run by the weekly task or the "retrain now" button).

The model is a workspace asset: it learns from every closed deal of the workspace, not from what one
person sees; what anyone is shown of it (scores, factors) stays within their visibility.
"""

from __future__ import annotations

import io
import time
from dataclasses import dataclass
from typing import Any

import joblib
import numpy as np
from django.db import transaction
from django.utils import timezone

from voronka.crm.models import Deal, DealStatus

from ..models import ModelStatus, WinModel
from ..params import zone
from ..stats.funnel import WON
from ..stats.winmodel import CATEGORICAL, FEATURES, MIN_CLOSED_DEALS, Fit, features_at, fit, training_moments
from .features import Encoder, deal_rows, fit_encoder, load, training_owner_rates

MAX_TRAINING_DEALS = 100_000  # the most recently closed deals; older ones describe a company that changed
KEEP_MODELS = 5
BUNDLE_VERSION = 1


@dataclass
class Bundle:
    """What is pickled into WinModel.estimator: the estimator and everything needed to encode a deal for it."""

    version: int
    estimator: Any
    encoder: Encoder
    reference: Any
    features: tuple[str, ...] = FEATURES


def dump_bundle(bundle: Bundle) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(bundle, buffer, compress=3)
    return buffer.getvalue()


def load_bundle(data: bytes | memoryview) -> Bundle:
    # Safe only because WinModel.estimator is written by win_model_train alone (see the model's comment).
    bundle = joblib.load(io.BytesIO(bytes(data)))
    if not isinstance(bundle, Bundle) or bundle.version != BUNDLE_VERSION:
        raise ValueError("The stored model is from another version; retrain it.")
    return bundle


def _closed(workspace_id: int) -> Any:
    return Deal.objects.filter(workspace_id=workspace_id, status__in=[DealStatus.WON, DealStatus.LOST],
                               closed_at__isnull=False)


def _prune(workspace_id: int) -> None:
    keep = list(WinModel.objects.filter(workspace_id=workspace_id).order_by("-trained_at", "-id")
                .values_list("pk", flat=True)[:KEEP_MODELS])
    WinModel.objects.filter(workspace_id=workspace_id).exclude(pk__in=keep).delete()


@dataclass
class Trained:
    """What a training run computed, before anything is stored: the fit (None when it falls back)."""

    closed_deals: int
    fit: Fit | None
    bundle: Bundle | None


def win_model_fit(*, workspace_id: int, max_deals: int = MAX_TRAINING_DEALS, seed: int = 0) -> Trained:
    """Read the latest closed deals and fit the model; reads only (the benchmark times exactly this)."""
    closed_count = _closed(workspace_id).count()
    if closed_count < MIN_CLOSED_DEALS:
        return Trained(closed_count, None, None)
    recent = _closed(workspace_id).order_by("-closed_at", "-id").values("id")[:max_deals]
    loaded = load(workspace_id, Deal.objects.filter(workspace_id=workspace_id, id__in=recent))
    frame = loaded.frame
    encoder = fit_encoder(workspace_id, frame)
    moments = training_moments(frame["created"], frame["closed"], seed=seed)
    owner_rate = training_owner_rates(frame, encoder, moments)
    tz = zone(_time_zone(workspace_id)).key
    X = features_at(deal_rows(frame, encoder, tz, owner_rate), loaded.history, moments, encoder.stage_code,
                    encoder.stage_rank)
    y = (frame["status"] == WON).astype(np.int64)
    if len(np.unique(y)) < 2:
        return Trained(closed_count, None, None)  # every closed deal won (or lost): nothing to learn yet
    categorical = [name in CATEGORICAL for name in FEATURES]
    stage_column = X[:, FEATURES.index("stage")]
    baseline = np.array([encoder.stage_probability.get(int(c), np.nan) if np.isfinite(c) else np.nan
                         for c in stage_column])
    baseline = np.where(np.isfinite(baseline), baseline, y.mean())
    result = fit(X, y, frame["closed"], categorical, baseline=baseline, seed=seed)
    bundle = Bundle(version=BUNDLE_VERSION, estimator=result.estimator, encoder=encoder, reference=result.reference)
    return Trained(closed_count, result, bundle)


def win_model_train(*, workspace_id: int, max_deals: int = MAX_TRAINING_DEALS, seed: int = 0,
                    score: bool = True) -> WinModel:
    """Train on the latest closed deals, evaluate on the newest fifth, store, then rescore the open deals.

    With fewer than MIN_CLOSED_DEALS closed deals (or only one outcome among them) it stores a fallback
    row instead: the deals are scored with their stage probabilities, and the pages say so.
    """
    from .scoring import deal_scores_refresh

    started = time.monotonic()
    trained = win_model_fit(workspace_id=workspace_id, max_deals=max_deals, seed=seed)
    now = timezone.now()
    result, bundle = trained.fit, trained.bundle
    with transaction.atomic():
        if result is None or bundle is None:
            model = WinModel.objects.create(workspace_id=workspace_id, status=ModelStatus.FALLBACK, trained_at=now,
                                            closed_deals=trained.closed_deals)
        else:
            model = WinModel.objects.create(
                workspace_id=workspace_id, status=ModelStatus.TRAINED, trained_at=now,
                closed_deals=trained.closed_deals, n_train=result.n_train, n_test=result.n_test, brier=result.brier,
                brier_baseline=result.brier_baseline,
                reliability=[{"predicted": b.predicted, "observed": b.observed, "count": b.count}
                             for b in result.reliability],
                estimator=dump_bundle(bundle),
            )
        _prune(workspace_id)
    if score:
        deal_scores_refresh(workspace_id=workspace_id, model=model, bundle=bundle)
    WinModel.objects.filter(pk=model.pk).update(seconds=time.monotonic() - started)
    model.refresh_from_db()
    return model


def _time_zone(workspace_id: int) -> str:
    from voronka.accounts.models import Workspace

    return Workspace.objects.filter(pk=workspace_id).values_list("time_zone", flat=True).first() or "UTC"
