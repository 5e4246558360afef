"""Reads about the win-probability model: the one in use and how many of the actor's open deals it scores."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from voronka.accounts.actor import Actor
from voronka.crm.access import visible_deals
from voronka.crm.models import DealStatus

from ..models import DealScore, ScoreSource, WinModel


@dataclass(frozen=True)
class ModelSummary:
    model: WinModel | None
    open_deals: int  # open deals the actor sees
    model_scored: int  # of those, scored by the model (the rest use their stage probability)


def model_summary(*, actor: Actor) -> ModelSummary:
    model = (WinModel.objects.filter(workspace_id=actor.workspace.pk).defer("estimator")
             .order_by("-trained_at", "-id").first())
    scored = DealScore.objects.filter(workspace_id=actor.workspace.pk, source=ScoreSource.MODEL).values("deal_id")
    counts = visible_deals(actor).filter(status=DealStatus.OPEN).aggregate(
        total=Count("id"), scored=Count("id", filter=Q(id__in=scored)))
    return ModelSummary(model=model, open_deals=counts["total"], model_scored=counts["scored"])
