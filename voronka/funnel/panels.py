"""The deal page's win-probability panel and the board's "win probability" sort (registered in apps.py)."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Subquery
from django.http import HttpRequest

from voronka.accounts.roles import Capability
from voronka.crm.models import Deal, DealStatus

from .labels import FEATURE_LABELS
from .models import DealScore, ModelStatus, ScoreSource, WinModel

PANEL_TEMPLATE = "funnel/panels/win_probability.html"


def win_probability_panel(request: HttpRequest, deal: Deal) -> dict[str, Any] | None:
    """What the panel shows of an open deal: its score and factors, or the stage probability and why."""
    actor = getattr(request, "actor", None)
    if actor is None or not actor.can(Capability.FUNNEL_VIEW) or deal.status != DealStatus.OPEN:
        return None
    score = (DealScore.objects.filter(workspace_id=actor.workspace.pk, deal_id=deal.pk).select_related("model")
             .defer("model__estimator").first())  # the pickled estimator is large and not needed here
    model = score.model if score is not None else (
        WinModel.objects.filter(workspace_id=actor.workspace.pk).order_by("-trained_at", "-id")
        .only("id", "status", "trained_at", "closed_deals").first())
    if score is not None and score.source == ScoreSource.MODEL:
        factors = [{"label": FEATURE_LABELS.get(f.get("feature", ""), f.get("feature", "")), "value": f.get("value"),
                    "points": round(float(f.get("effect", 0)) * 100)} for f in score.factors]
        return {"deal": deal, "probability": score.probability, "source": "model", "factors": factors,
                "model": model, "scored_at": score.scored_at}
    probability = score.probability if score is not None else deal.probability / 100
    return {"deal": deal, "probability": probability, "source": "stage", "factors": [], "model": model,
            "fallback": model is not None and model.status == ModelStatus.FALLBACK, "scored_at": None}


def win_probability_expression() -> Subquery:
    """The board's sort: each deal's score. `unscoped` is safe: deal ids are unique and the board's own
    queryset is already scoped to the workspace and the actor."""
    return Subquery(DealScore.unscoped.filter(deal_id=OuterRef("pk")).values("probability")[:1])
