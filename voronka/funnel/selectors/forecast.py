"""The revenue forecast for the deals the actor sees: weighted pipeline by month, Monte-Carlo range, accuracy."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
from django.db.models import F, FloatField, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce

from voronka.accounts.actor import Actor
from voronka.core.periods import Period, PeriodKind
from voronka.crm.access import visible_deals
from voronka.crm.models import Deal, DealStatus, Pipeline

from ..models import DealScore, ForecastSnapshot, ScoreSource
from ..params import local_today, zone
from ..slices import scope_key
from ..stats.forecast import Accuracy, Simulation, accuracy, simulate
from .data import NO_DAY, DayNumber, epoch, fetch_columns

SLIP_HISTORY = 5_000  # most recent won deals with a date that the slips are drawn from
MONTHS_AHEAD = 12
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True)
class MonthBucket:
    key: str  # "overdue", "YYYY-MM", "later", "undated"
    deals: int
    amount: float
    weighted: float


@dataclass(frozen=True)
class SlipStats:
    won_deals: int  # won deals with an expected date the slips come from
    median_days: float | None
    late_share: float | None  # share closed after the expected date


@dataclass(frozen=True)
class SnapshotPoint:
    taken_at: dt.datetime
    p10: float
    p50: float
    p90: float


@dataclass(frozen=True)
class AccuracyReport:
    period: Period
    actual: float
    snapshots: list[SnapshotPoint]
    first: Accuracy | None  # the first forecast taken in the quarter against what happened


@dataclass(frozen=True)
class ForecastReport:
    period_param: str
    period: Period
    pipeline: Pipeline | None
    open_deals: int
    scored_deals: int  # open deals with a model score (the rest use the stage probability)
    months: list[MonthBucket]
    simulation: Simulation
    slips: SlipStats
    accuracy: AccuracyReport | None


def stage_probability() -> Coalesce:
    """A deal's own probability (0..1) when set, else its stage's: what a deal without a model score uses."""
    return Coalesce(Cast(F("probability_override"), FloatField()) / Value(100.0),
                    Cast(F("stage__probability"), FloatField()) / Value(100.0), output_field=FloatField())


def model_score() -> Coalesce:
    """The deal's model score (0..1), -1 when it has none (a stage-probability score counts as none)."""
    score = Subquery(DealScore.objects.filter(deal_id=OuterRef("pk"), source=ScoreSource.MODEL)
                     .values("probability")[:1])
    return Coalesce(score, Value(-1.0), output_field=FloatField())


def open_deals(actor: Actor, pipeline: Pipeline | None) -> QuerySet[Deal]:
    queryset = visible_deals(actor).filter(status=DealStatus.OPEN)
    return queryset.filter(pipeline_id=pipeline.pk) if pipeline is not None else queryset


def won_deals(actor: Actor, pipeline: Pipeline | None) -> QuerySet[Deal]:
    queryset = visible_deals(actor).filter(status=DealStatus.WON)
    return queryset.filter(pipeline_id=pipeline.pk) if pipeline is not None else queryset


def local_midnights(day_numbers: Any, time_zone: str) -> Any:
    """Epoch seconds of local midnight of each day number (days since 1970-01-01), NaN for NO_DAY."""
    days = np.asarray(day_numbers, dtype=np.int64)
    result = np.full(len(days), np.nan)
    tz = zone(time_zone)
    unique, inverse = np.unique(days, return_inverse=True)
    stamps = np.array([
        np.nan if day == NO_DAY else
        dt.datetime.combine(_EPOCH + dt.timedelta(days=int(day)), dt.time.min, tzinfo=tz).timestamp()
        for day in unique
    ])
    if len(days):
        result = stamps[inverse]
    return result


def won_amount(actor: Actor, pipeline: Pipeline | None, period: Period) -> Decimal:
    start, end = period.bounds_utc(zone(actor.workspace.time_zone).key)
    total = won_deals(actor, pipeline).filter(closed_at__gte=start, closed_at__lt=end).aggregate(s=Sum("amount"))["s"]
    return Decimal(total or 0)


def slip_history(actor: Actor, pipeline: Pipeline | None) -> tuple[Any, SlipStats]:
    recent = (won_deals(actor, pipeline).filter(expected_close_date__isnull=False, closed_at__isnull=False)
              .order_by("-closed_at")[:SLIP_HISTORY])
    data = fetch_columns(recent, {"closed": epoch("closed_at"), "expected": DayNumber(F("expected_close_date"))}, {})
    expected = local_midnights(data["expected"], actor.workspace.time_zone)
    slips = (data["closed"] - expected) / 86_400.0
    if not len(slips):
        return slips, SlipStats(0, None, None)
    # A deal closed on its expected day is on time: only a later day counts as late.
    return slips, SlipStats(len(slips), float(np.median(slips)), float((slips >= 1).mean()))


def month_buckets(day: Any, amount: Any, probability: Any, today: dt.date) -> list[MonthBucket]:
    today_number = (today - _EPOCH).days
    months = np.where(day == NO_DAY, 0, day).astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    this_month = (today.year - 1970) * 12 + today.month - 1
    keys = np.where(day == NO_DAY, -3, np.where(day < today_number, -2,
                    np.where(months >= this_month + MONTHS_AHEAD, -1, months - this_month)))
    buckets = []
    for key, name in [(-2, "overdue")] + [(k, None) for k in range(MONTHS_AHEAD)] + [(-1, "later"), (-3, "undated")]:
        inside = keys == key
        if name is None:
            year, month = divmod(this_month + key, 12)
            name = f"{year + 1970}-{month + 1:02d}"
        buckets.append(MonthBucket(key=name, deals=int(inside.sum()), amount=float(amount[inside].sum()),
                                   weighted=float((amount[inside] * probability[inside]).sum())))
    return buckets


def accuracy_report(actor: Actor, pipeline: Pipeline | None, today: dt.date) -> AccuracyReport | None:
    """Last quarter's weekly snapshots (of exactly the deals this actor sees) against the revenue won in it."""
    if pipeline is not None:
        return None  # snapshots cover every pipeline
    last = Period.containing(PeriodKind.QUARTER, today).previous()
    rows = ForecastSnapshot.objects.filter(workspace_id=actor.workspace.pk, scope=scope_key(actor),
                                           period_start=last.start).order_by("taken_at", "id")
    points = [SnapshotPoint(r.taken_at, float(r.p10), float(r.p50), float(r.p90)) for r in rows]
    actual = float(won_amount(actor, None, last))
    first = accuracy(p10=points[0].p10, p50=points[0].p50, p90=points[0].p90, actual=actual) if points else None
    return AccuracyReport(period=last, actual=actual, snapshots=points, first=first)


def forecast_report(*, actor: Actor, period_param: str, period: Period, pipeline: Pipeline | None = None,
                    now: dt.datetime | None = None, runs: int | None = None,
                    with_accuracy: bool = True) -> ForecastReport:
    """Everything the forecast page and the API show; a fixed number of queries whatever the data."""
    now = now or dt.datetime.now(dt.UTC)
    time_zone = actor.workspace.time_zone
    today = local_today(time_zone, now)
    data = fetch_columns(open_deals(actor, pipeline), {
        "amount": Cast(F("amount"), FloatField()), "score": model_score(), "fallback": stage_probability(),
        "day": Coalesce(DayNumber(F("expected_close_date")), Value(NO_DAY)),
    }, {"amount": "f8", "score": "f8", "fallback": "f8"})
    data["probability"] = np.where(data["score"] >= 0, data["score"], data["fallback"])
    slips, slip_stats = slip_history(actor, pipeline)
    start, end = period.bounds_utc(zone(time_zone).key)
    already = won_amount(actor, pipeline, period)
    simulation = simulate(
        probability=data["probability"], amount=data["amount"],
        expected_close=local_midnights(data["day"], time_zone), now=int(now.timestamp()),
        period_start=int(start.timestamp()), period_end=int(end.timestamp()), slip_days=slips,
        already_won=float(already), **({"runs": runs} if runs else {}),
    )
    return ForecastReport(
        period_param=period_param, period=period, pipeline=pipeline, open_deals=len(data["amount"]),
        scored_deals=int((data["score"] >= 0).sum()),
        months=month_buckets(data["day"], data["amount"], data["probability"], today),
        simulation=simulation, slips=slip_stats,
        accuracy=accuracy_report(actor, pipeline, today) if with_accuracy else None,
    )
