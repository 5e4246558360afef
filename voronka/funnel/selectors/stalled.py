"""Stalled deals: open deals longer in their stage than the stage allows, or than the stage's p90.

The p90 is the 90th percentile of completed stays in the stage among the deals of the analysed period
(what the actor sees); it is used only when at least MIN_STAYS stays back it, so a handful of deals
never sets the bar.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet, Sum

from voronka.accounts.actor import Actor
from voronka.crm.access import visible_deals
from voronka.crm.models import Deal, DealStatus, Pipeline

from ..stats.funnel import StageSpec
from .funnel import FunnelReport

MIN_STAYS = 20
PER_PAGE = 50


@dataclass(frozen=True)
class StageLimit:
    stage: StageSpec
    allowed_days: int | None  # the stage's own "stalled after"
    p90_days: float | None
    stays: int

    @property
    def limit_days(self) -> float | None:
        """The stricter of the two; None when the stage has neither."""
        limits = [d for d in (self.allowed_days, self.p90_days) if d is not None]
        return min(limits) if limits else None


@dataclass(frozen=True)
class OwnerStall:
    owner_id: int | None
    name: str
    deals: int
    amount: Decimal


@dataclass(frozen=True)
class StalledReport:
    pipeline: Pipeline
    limits: list[StageLimit]
    page: Page
    owners: list[OwnerStall]
    total: int
    amount: Decimal
    now: dt.datetime

    def limit_for(self, stage_id: int) -> StageLimit | None:
        return next((limit for limit in self.limits if limit.stage.id == stage_id), None)


def stage_limits(funnel: FunnelReport) -> list[StageLimit]:
    limits = []
    for spec, step in zip([s for s in funnel.stages if s.kind == "open"], funnel.result.steps, strict=False):
        time = step.time
        enough = time is not None and time.count >= MIN_STAYS
        limits.append(StageLimit(stage=spec, allowed_days=spec.stalled_after_days,
                                 p90_days=time.p90_days if enough and time is not None else None,
                                 stays=time.count if time is not None else 0))
    return limits


def stalled_queryset(*, actor: Actor, pipeline: Pipeline, limits: list[StageLimit], now: dt.datetime
                     ) -> QuerySet[Deal]:
    condition = Q(pk__in=[])
    for limit in limits:
        days = limit.limit_days
        if days is not None:
            condition |= Q(stage_id=limit.stage.id, stage_entered_at__lt=now - dt.timedelta(days=days))
    return visible_deals(actor).filter(pipeline_id=pipeline.pk, status=DealStatus.OPEN).filter(condition)


def stalled_deals(*, actor: Actor, pipeline: Pipeline, funnel: FunnelReport, page: Any = 1,
                  now: dt.datetime | None = None) -> StalledReport:
    """One page of stalled deals (longest in stage first) with their owners, and the count per owner."""
    now = now or dt.datetime.now(dt.UTC)
    limits = stage_limits(funnel)
    queryset = stalled_queryset(actor=actor, pipeline=pipeline, limits=limits, now=now)
    per_owner = (queryset.order_by().values("owner_id", "owner__full_name", "owner__email")
                 .annotate(deals=Count("id"), amount=Sum("amount")).order_by("-deals", "owner_id"))
    owners = [OwnerStall(owner_id=row["owner_id"], name=row["owner__full_name"] or row["owner__email"] or "—",
                         deals=row["deals"], amount=Decimal(row["amount"] or 0)) for row in per_owner]
    listed = queryset.select_related("owner", "stage", "company").order_by("stage_entered_at", "id")
    paginator = Paginator(listed, PER_PAGE)
    paginator.count = sum(owner.deals for owner in owners)  # already counted per owner: no second COUNT
    return StalledReport(pipeline=pipeline, limits=limits, page=paginator.get_page(page), owners=owners,
                         total=paginator.count, amount=sum((o.amount for o in owners), Decimal(0)), now=now)
