"""Scoring open deals: win probability and its top factors, stored in DealScore.

All open deals are rescored after each training run; one deal is rescored whenever it changes stage
(crm's DealStageChanged event). Without a trained model a deal's score is its own probability or its
stage's default, marked as such.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import Any

import numpy as np
from django.db import transaction
from django.utils import timezone

from voronka.accounts.models import Membership
from voronka.channels.models import SalesChannel
from voronka.crm.models import Deal, DealStatus, Stage

from ..models import DealScore, ModelStatus, ScoreSource, WinModel
from ..params import zone
from ..stats.winmodel import FEATURES, effects, features_at, predict, top_factors
from .features import deal_rows, load, scoring_owner_rates
from .training import Bundle, _time_zone, load_bundle

_CACHE_SIZE = 4
_bundles: OrderedDict[int, Bundle] = OrderedDict()
BATCH = 2_000
IMPORTANCE_SAMPLE = 5_000
FACTOR_FEATURES = 6


def current_model(workspace_id: int) -> WinModel | None:
    return WinModel.objects.filter(workspace_id=workspace_id).order_by("-trained_at", "-id").first()


def bundle_for(model: WinModel) -> Bundle | None:
    """The model's unpickled bundle, cached per process by model id; None for a fallback or unreadable one."""
    if model.status != ModelStatus.TRAINED or not model.estimator:
        return None
    if model.pk in _bundles:
        _bundles.move_to_end(model.pk)
        return _bundles[model.pk]
    try:
        bundle = load_bundle(model.estimator)
    except (ValueError, EOFError, ImportError, AttributeError):  # another version: retraining replaces it
        return None
    _bundles[model.pk] = bundle
    while len(_bundles) > _CACHE_SIZE:
        _bundles.popitem(last=False)
    return bundle


def _stage_fallback(workspace_id: int, deals: Any) -> list[tuple[int, float]]:
    rows = deals.values_list("id", "probability_override", "stage__probability")
    return [(pk, (override if override is not None else stage) / 100) for pk, override, stage in rows]


def _labels(workspace_id: int) -> dict[str, dict[Any, str]]:
    return {
        "stage": dict(Stage.objects.filter(workspace_id=workspace_id).values_list("id", "name")),
        "channel": dict(SalesChannel.objects.filter(workspace_id=workspace_id).values_list("id", "name")),
        "owner": {m.user_id: m.user.display_name
                  for m in Membership.objects.filter(workspace_id=workspace_id).select_related("user")},
    }


def _shown(feature: str, row: int, frame: Any, X: Any, labels: dict[str, dict[Any, str]]) -> str:
    """A factor's value as the deal page shows it (names for categories, whole numbers for the rest)."""
    value = X[row, FEATURES.index(feature)]
    if feature in ("stage", "channel", "owner"):
        column = {"stage": "stage", "channel": "channel", "owner": "owner"}[feature]
        return labels[feature].get(int(frame[column][row]), "—")
    if feature in ("lead_source", "industry"):
        return str(frame[feature][row]) or "—"
    if feature == "log_amount":
        return f"{frame['amount'][row]:.0f}"
    if feature == "owner_win_rate":
        return f"{value:.0%}"
    if not np.isfinite(value):
        return "—"
    return f"{value:.0f}"


def model_scores(workspace_id: int, deals: Any, bundle: Bundle, now: dt.datetime
                 ) -> tuple[list[tuple[int, float, list[dict[str, Any]]]], Any]:
    """(deal id, probability, factors) of each deal of `deals`, and the features' importance; reads only."""
    loaded = load(workspace_id, deals)
    frame = loaded.frame
    if not len(frame):
        return [], np.zeros(len(FEATURES))
    encoder = bundle.encoder
    tz = zone(_time_zone(workspace_id)).key
    rows = deal_rows(frame, encoder, tz, scoring_owner_rates(frame, encoder))
    moments = np.full(len(frame), int(now.timestamp()), dtype=np.int64)
    X = features_at(rows, loaded.history, moments, encoder.stage_code, encoder.stage_rank)
    p = predict(bundle.estimator, X)
    # Which features matter is measured on a sample; every deal's factors are then looked for among the
    # strongest few only (one prediction pass per feature is most of the scoring time).
    sample = np.random.default_rng(0).permutation(len(X))[:IMPORTANCE_SAMPLE]
    importance = np.abs(effects(bundle.estimator, X[sample], bundle.reference, base=p[sample])).mean(axis=0)
    strongest = [int(j) for j in np.argsort(-importance)[:FACTOR_FEATURES]]
    found = effects(bundle.estimator, X, bundle.reference, base=p, columns=strongest)
    labels = _labels(workspace_id)
    scores = []
    for i, top in enumerate(top_factors(found)):
        factors = [{"feature": FEATURES[j], "value": _shown(FEATURES[j], i, frame, X, labels), "effect": round(e, 4)}
                   for j, e in top]
        scores.append((int(frame.ids[i]), float(p[i]), factors))
    return scores, importance


def deal_scores_refresh(*, workspace_id: int, model: WinModel | None = None, bundle: Bundle | None = None,
                        now: dt.datetime | None = None) -> int:
    """Rescore every open deal of the workspace with its current model; returns how many were scored."""
    now = now or timezone.now()
    model = model or current_model(workspace_id)
    bundle = bundle or (bundle_for(model) if model is not None else None)
    deals = Deal.objects.filter(workspace_id=workspace_id, status=DealStatus.OPEN)
    if bundle is None or model is None:
        rows = [DealScore(workspace_id=workspace_id, deal_id=pk, probability=p, source=ScoreSource.STAGE,
                          model=model, scored_at=now) for pk, p in _stage_fallback(workspace_id, deals)]
    else:
        scores, importance = model_scores(workspace_id, deals, bundle, now)
        rows = [DealScore(workspace_id=workspace_id, deal_id=pk, probability=p, source=ScoreSource.MODEL,
                          factors=factors, model=model, scored_at=now) for pk, p, factors in scores]
        ranked = sorted(zip(FEATURES, importance.tolist(), strict=True), key=lambda item: -item[1])
        WinModel.objects.filter(pk=model.pk).update(
            importance=[{"feature": name, "effect": round(value, 4)} for name, value in ranked])
    with transaction.atomic():
        DealScore.objects.filter(workspace_id=workspace_id).delete()
        DealScore.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def deal_score_refresh(*, workspace_id: int, deal_id: int, now: dt.datetime | None = None) -> DealScore | None:
    """Rescore one deal (after it moved); a closed or deleted deal loses its score."""
    now = now or timezone.now()
    deals = Deal.objects.filter(workspace_id=workspace_id, pk=deal_id, status=DealStatus.OPEN)
    model = current_model(workspace_id)
    bundle = bundle_for(model) if model is not None else None
    if bundle is None:
        found = _stage_fallback(workspace_id, deals)
        scores: list[tuple[int, float, list[dict[str, Any]]]] = [(pk, p, []) for pk, p in found]
        source = ScoreSource.STAGE
    else:
        scores, _importance = model_scores(workspace_id, deals, bundle, now)
        source = ScoreSource.MODEL
    if not scores:
        DealScore.objects.filter(workspace_id=workspace_id, deal_id=deal_id).delete()
        return None
    _pk, probability, factors = scores[0]
    score, _created = DealScore.objects.update_or_create(
        workspace_id=workspace_id, deal_id=deal_id,
        defaults={"probability": probability, "source": source, "factors": factors, "model": model,
                  "scored_at": now},
    )
    return score
