"""The funnel of a pipeline for a period and a slice: deals the actor sees, created in the period, to today."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from voronka.accounts.actor import Actor
from voronka.core.periods import Period, PeriodKind
from voronka.crm.access import visible_deals
from voronka.crm.models import Deal, LostReason, Pipeline, Stage, StageTransition

from ..params import SliceRef, zone
from ..slices import slice_q
from ..stats.funnel import FunnelResult, StageSpec, analyze
from .data import DealFrame, load_deals, load_moves


@dataclass(frozen=True)
class FunnelReport:
    pipeline: Pipeline
    period_param: str
    period: Period
    slice: SliceRef | None
    slice_label: str | None
    stages: list[StageSpec]
    result: FunnelResult
    lost_reasons: dict[int, str]

    def reason_name(self, reason_id: int) -> str | None:
        return self.lost_reasons.get(reason_id)


def pipeline_stages(pipeline: Pipeline) -> list[StageSpec]:
    stages = Stage.objects.filter(workspace_id=pipeline.workspace_id, pipeline_id=pipeline.pk).order_by("order", "id")
    return [StageSpec(id=s.pk, name=s.name, kind=s.kind, order=s.order, probability=s.probability,
                      stalled_after_days=s.stalled_after_days) for s in stages]


def period_bounds(period: Period, time_zone: str) -> tuple[dt.datetime, dt.datetime]:
    return period.bounds_utc(zone(time_zone).key)


def month_bounds(period: Period, time_zone: str) -> list[tuple[str, int, int]]:
    """(label, first second, end second) of each local month of the period."""
    months = []
    month = Period.containing(PeriodKind.MONTH, period.start)
    while month.start < period.end:
        start, end = month.bounds_utc(zone(time_zone).key)
        months.append((month.label, int(start.timestamp()), int(end.timestamp())))
        month = month.next()
    return months


def cohort_deals(*, actor: Actor, pipeline: Pipeline, period: Period, ref: SliceRef | None) -> QuerySet[Deal]:
    """The cohort: deals of the pipeline the actor sees, created in the period, in the slice."""
    start, end = period_bounds(period, actor.workspace.time_zone)
    return (visible_deals(actor).filter(pipeline_id=pipeline.pk, created_at__gte=start, created_at__lt=end)
            .filter(slice_q(ref)))


def cohort_transitions(*, actor: Actor, pipeline: Pipeline, period: Period,
                       ref: SliceRef | None) -> QuerySet[StageTransition]:
    """Every transition of the cohort's deals.

    `deal_id IN (cohort)` rather than a join: SQLite then lists the cohort's ids once and walks the
    transitions' deal index (0.44 s instead of 0.72 s for 64,000 deals and 173,000 transitions).
    """
    deals = cohort_deals(actor=actor, pipeline=pipeline, period=period, ref=ref).order_by().values("id")
    return StageTransition.objects.filter(workspace_id=actor.workspace.pk, deal_id__in=deals)


def load_cohort(*, actor: Actor, pipeline: Pipeline, period: Period, ref: SliceRef | None,
                extra: tuple[str, ...] = ()) -> tuple[DealFrame, Any]:
    frame = load_deals(cohort_deals(actor=actor, pipeline=pipeline, period=period, ref=ref), extra)
    moves = load_moves(frame, cohort_transitions(actor=actor, pipeline=pipeline, period=period, ref=ref))
    return frame, moves


def lost_reason_names(actor: Actor) -> dict[int, str]:
    return dict(LostReason.objects.filter(workspace_id=actor.workspace.pk).values_list("id", "name"))


def funnel_analyze(*, actor: Actor, pipeline: Pipeline, period_param: str, period: Period,
                   ref: SliceRef | None = None, slice_label: str | None = None) -> FunnelReport:
    """The funnel report every page and the API show; four queries whatever the number of deals."""
    stages = pipeline_stages(pipeline)
    frame, moves = load_cohort(actor=actor, pipeline=pipeline, period=period, ref=ref)
    result = analyze(frame.cohort(), moves, stages, months=month_bounds(period, actor.workspace.time_zone))
    return FunnelReport(pipeline=pipeline, period_param=period_param, period=period, slice=ref,
                        slice_label=slice_label, stages=stages, result=result, lost_reasons=lost_reason_names(actor))
