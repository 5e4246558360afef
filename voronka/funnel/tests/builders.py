"""Arrange-only builders for funnel tests (also used by the browser test): deals walked through stages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from voronka.accounts.models import User
from voronka.crm.models import Deal, Pipeline, Stage, StageTransition
from voronka.crm.tests.factories import make_deal


def move(deal: Deal, stage: Stage, at: dt.datetime, *, status: str | None = None, **fields: Any) -> Deal:
    """Record a transition the way crm's service does, at a chosen time (arrange only)."""
    StageTransition.unscoped.create(workspace=deal.workspace, deal=deal, from_stage=deal.stage, to_stage=stage, at=at)
    kind_status = {"won": "won", "lost": "lost"}.get(stage.kind, "open")
    values = {"stage": stage, "stage_entered_at": at, "status": status or kind_status,
              "closed_at": at if kind_status != "open" else None, **fields}
    Deal.unscoped.filter(pk=deal.pk).update(**values)
    deal.refresh_from_db()
    return deal


def walk(pipeline: Pipeline, owner: User | None, path: list[str], start: dt.datetime, *, step_days: float = 2,
         amount: int = 1000, **kwargs: Any) -> Deal:
    """A deal created in path[0] at `start` and moved through the rest, one stage every `step_days`."""
    from voronka.crm.tests.factories import stage

    deal = make_deal(pipeline, owner=owner, stage_name=path[0], amount=amount, created_at=start, **kwargs)
    at = start
    for name in path[1:]:
        at = at + dt.timedelta(days=step_days)
        deal = move(deal, stage(pipeline, name), at)
    return deal


def days_ago(days: float) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


def plant_bottleneck(org: Any, pipeline: Pipeline, *, per_rep: int = 60) -> None:
    """The northern rep moves 80% of deals past Lead, the southern rep 40%; half of those are won
    (all created in the last 20 days)."""
    won = ["Lead", "Qualified", "Won"]
    for n in range(per_rep):
        north = (won if n % 2 else ["Lead", "Qualified"]) if n % 5 else ["Lead", "Lost"]
        south = (won if n % 2 else ["Lead", "Qualified"]) if n % 5 < 2 else ["Lead", "Lost"]
        walk(pipeline, org.rep, north, days_ago(20 - n % 15), step_days=0.5, amount=10_000)
        walk(pipeline, org.rep_south, south, days_ago(20 - n % 15), step_days=0.5, amount=10_000)
