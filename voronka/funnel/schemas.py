"""API shapes of the funnel, the bottlenecks and the forecast, and how a report becomes one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from voronka.core.api import Text
from voronka.core.periods import Period

from .selectors.bottlenecks import BottleneckReport
from .selectors.forecast import ForecastReport
from .selectors.funnel import FunnelReport
from .stats.bottlenecks import CONVERSION
from .text import NOTICES, explain

MAX_ID = 2**63 - 1


class FunnelQuery(Schema):
    pipeline: int | None = Field(None, ge=1, le=MAX_ID, description="Pipeline id; default: the default pipeline.")
    period: Text | None = Field(None, max_length=20,
                                description="last-quarter (default), this-quarter, last-month, this-month, "
                                            "last-year, this-year, or 2026-Q3, 2026-07, 2026.")
    slice: Text | None = Field(None, max_length=220,
                               description="team:<id>, owner:<user id>, channel:<id>, product:<id>, "
                                           "lead_source:<text> or industry:<text>; empty: the whole pipeline.")


class BottleneckQuery(Schema):
    pipeline: int | None = Field(None, ge=1, le=MAX_ID)
    period: Text | None = Field(None, max_length=20)


class ForecastQuery(Schema):
    pipeline: int | None = Field(None, ge=1, le=MAX_ID, description="Only this pipeline; default: every pipeline.")
    period: Text | None = Field(None, max_length=20,
                                description="this-quarter (default), next-quarter, this-month, next-month, "
                                            "this-year, or 2026-Q4, 2026-11, 2026.")


class PipelineRef(Schema):
    id: int
    name: str


class PeriodOut(Schema):
    value: str
    label: str
    start: dt.date
    end: dt.date  # the first day after the period


class SliceOut(Schema):
    value: str
    dimension: str
    label: str


class Notice(Schema):
    code: str
    message: str


class TimeInStageOut(Schema):
    completed: int
    running: int
    median_days: float | None
    p75_days: float | None
    p90_days: float | None


class LostReasonCount(Schema):
    reason_id: int | None
    name: str | None
    deals: int


class StageOut(Schema):
    stage_id: int | None
    name: str
    is_won: bool
    reached: int
    reached_amount: float
    entered_directly: int
    skipped: int
    lost: int
    lost_amount: float
    open: int
    conversion: float | None
    conversion_low: float | None
    conversion_high: float | None
    cumulative: float | None
    time_in_stage: TimeInStageOut | None
    lost_reasons: list[LostReasonCount]


class VelocityOut(Schema):
    opportunities: int
    won: int
    lost: int
    win_rate: float | None
    average_won: float | None
    cycle_days: float | None
    per_day: float | None
    per_month: float | None


class CohortOut(Schema):
    month: str
    created: int
    reached: list[int]
    won: int
    lost: int
    open: int


class FunnelOut(Schema):
    pipeline: PipelineRef
    period: PeriodOut
    slice: SliceOut | None
    deals: int
    won: int
    lost: int
    open: int
    won_amount: float
    overall_conversion: float | None
    stages: list[StageOut]
    velocity: VelocityOut
    cohorts: list[CohortOut]
    moved_back: int
    skipped_deals: int
    notices: list[Notice]


class FindingOut(Schema):
    rank: int
    kind: str  # "conversion" or "time"
    dimension: str
    slice: str
    label: str
    stage_id: int
    stage: str
    next_stage: str
    n: int
    value: float  # conversion rate, or median days in stage
    company: float
    rest: float
    ci_low: float | None
    ci_high: float | None
    p: float
    q: float
    more_losses: float | None
    extra_days: float | None
    revenue_lost: float | None
    revenue_lost_per_quarter: float | None
    explanation: str


class BottlenecksOut(Schema):
    pipeline: PipelineRef
    period: PeriodOut
    deals: int
    tested: int
    skipped_small: int
    findings: list[FindingOut]
    notices: list[Notice]


class MonthOut(Schema):
    month: str  # "YYYY-MM", or "overdue", "later", "undated"
    deals: int
    amount: float
    weighted: float


class SlipsOut(Schema):
    won_deals: int
    median_days: float | None
    late_share: float | None


class SnapshotOut(Schema):
    taken_at: dt.datetime
    p10: float
    p50: float
    p90: float


class AccuracyOut(Schema):
    quarter: PeriodOut
    actual: float
    forecast_p10: float | None
    forecast_p50: float | None
    forecast_p90: float | None
    error: float | None
    within_range: bool | None
    snapshots: list[SnapshotOut]


class ForecastOut(Schema):
    period: PeriodOut
    pipeline: PipelineRef | None
    open_deals: int
    scored_deals: int
    already_won: float
    weighted: float
    p10: float
    p50: float
    p90: float
    mean: float
    runs: int
    months: list[MonthOut]
    slips: SlipsOut
    accuracy: AccuracyOut | None


def period_out(value: str, period: Period) -> dict[str, Any]:
    return {"value": value, "label": period.label, "start": period.start, "end": period.end}


def _notices(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": code, "message": str(NOTICES.get(code, code))} for code in codes]


def funnel_out(report: FunnelReport) -> dict[str, Any]:
    result = report.result
    velocity = result.velocity
    stages = []
    for step in result.steps:
        time = step.time
        stages.append({
            "stage_id": step.stage_id, "name": step.name, "is_won": step.is_won, "reached": step.reached,
            "reached_amount": step.reached_amount, "entered_directly": step.entered_directly, "skipped": step.skipped,
            "lost": step.lost_here, "lost_amount": step.lost_amount, "open": step.open_here,
            "conversion": step.conversion, "conversion_low": step.conversion_low,
            "conversion_high": step.conversion_high, "cumulative": step.cumulative,
            "time_in_stage": None if time is None else {
                "completed": time.count, "running": time.running, "median_days": time.median_days,
                "p75_days": time.p75_days, "p90_days": time.p90_days},
            "lost_reasons": [{"reason_id": None if reason < 0 else reason,
                              "name": report.reason_name(reason), "deals": deals}
                             for reason, deals in step.lost_reasons],
        })
    return {
        "pipeline": {"id": report.pipeline.pk, "name": report.pipeline.name},
        "period": period_out(report.period_param, report.period),
        "slice": None if report.slice is None else {"value": report.slice.param, "dimension": report.slice.dimension,
                                                     "label": report.slice_label or ""},
        "deals": result.deals, "won": result.won, "lost": result.lost, "open": result.open,
        "won_amount": result.won_amount, "overall_conversion": result.overall_conversion, "stages": stages,
        "velocity": {"opportunities": velocity.opportunities, "won": velocity.won, "lost": velocity.lost,
                     "win_rate": velocity.win_rate, "average_won": velocity.average_won,
                     "cycle_days": velocity.cycle_days, "per_day": velocity.per_day,
                     "per_month": None if velocity.per_day is None else velocity.per_day * 30},
        "cohorts": [{"month": row.label, "created": row.created, "reached": row.reached, "won": row.won,
                     "lost": row.lost, "open": row.open} for row in result.cohorts],
        "moved_back": result.moved_back, "skipped_deals": result.skipped_deals, "notices": _notices(result.notices),
    }


def bottlenecks_out(report: BottleneckReport, currency: str) -> dict[str, Any]:
    findings = []
    for rank, bottleneck in enumerate(report.findings, start=1):
        c = bottleneck.comparison
        conversion = c.kind == CONVERSION
        findings.append({
            "rank": rank, "kind": c.kind, "dimension": c.dimension, "slice": bottleneck.slice_param,
            "label": c.label, "stage_id": bottleneck.stage_id, "stage": bottleneck.stage_name,
            "next_stage": bottleneck.next_stage_name, "n": c.n, "value": c.value, "company": c.company,
            "rest": c.rest, "ci_low": c.low, "ci_high": c.high, "p": c.p, "q": c.q,
            "more_losses": c.more_losses if conversion else None,
            "extra_days": None if conversion else c.extra_days,
            "revenue_lost": c.revenue_lost if conversion else None,
            "revenue_lost_per_quarter": bottleneck.per_quarter if conversion else None,
            "explanation": explain(bottleneck, currency),
        })
    return {
        "pipeline": {"id": report.pipeline.pk, "name": report.pipeline.name},
        "period": period_out(report.period_param, report.period), "deals": report.deals, "tested": report.tested,
        "skipped_small": report.skipped_small, "findings": findings, "notices": _notices(report.notices),
    }


def forecast_out(report: ForecastReport) -> dict[str, Any]:
    s = report.simulation
    accuracy = report.accuracy
    return {
        "period": period_out(report.period_param, report.period),
        "pipeline": None if report.pipeline is None else {"id": report.pipeline.pk, "name": report.pipeline.name},
        "open_deals": report.open_deals, "scored_deals": report.scored_deals, "already_won": s.already_won,
        "weighted": s.weighted, "p10": s.p10, "p50": s.p50, "p90": s.p90, "mean": s.mean, "runs": s.runs,
        "months": [{"month": m.key, "deals": m.deals, "amount": m.amount, "weighted": m.weighted}
                   for m in report.months],
        "slips": {"won_deals": report.slips.won_deals, "median_days": report.slips.median_days,
                  "late_share": report.slips.late_share},
        "accuracy": None if accuracy is None else {
            "quarter": period_out(accuracy.period.label, accuracy.period), "actual": accuracy.actual,
            "forecast_p10": accuracy.first.forecast_p10 if accuracy.first else None,
            "forecast_p50": accuracy.first.forecast_p50 if accuracy.first else None,
            "forecast_p90": accuracy.first.forecast_p90 if accuracy.first else None,
            "error": accuracy.first.error if accuracy.first else None,
            "within_range": accuracy.first.within_range if accuracy.first else None,
            "snapshots": [{"taken_at": p.taken_at, "p10": p.p10, "p50": p.p50, "p90": p.p90}
                          for p in accuracy.snapshots],
        },
    }
