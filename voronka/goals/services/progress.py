"""A goal's progress: actual to date, expected pace, run rate, pipeline, forecast and status.

The arithmetic and its definitions are in stats/pace.py; this module reads the numbers through
the metric engine (services/numbers.py) for the viewer who asks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from voronka.metrics.catalogue import Direction, Metric, metric_get

from ..models import Goal, PaceMethod
from ..stats import pace
from ..stats.periods import SEASONAL_YEARS, same_period_years_ago
from ..targets import Target
from .numbers import Numbers, as_decimal, is_additive

# The metric whose weighted pipeline forecasts it (open deals × probability, by expected close date).
PIPELINE_OF = {"revenue": "weighted_pipeline"}
MAX_DAILY_BUCKETS = 366


@dataclass(frozen=True)
class GoalProgress:
    goal: Goal
    metric: Metric | None
    as_of: dt.date
    status: pace.Status
    elapsed_days: int
    total_days: int
    actual: Decimal | None = None
    attainment: float | None = None  # actual ÷ target
    expected: Decimal | None = None  # by the goal's pace method (or linear when that has no history)
    expected_linear: Decimal | None = None
    expected_seasonal: Decimal | None = None
    pace_used: str = PaceMethod.LINEAR
    pace_note: str = ""
    run_rate: Decimal | None = None
    pipeline: Decimal | None = None  # actual + the weighted pipeline expected by the end
    weighted_pipeline: Decimal | None = None
    forecast: Decimal | None = None
    forecast_attainment: float | None = None
    method: str = ""  # how the forecast was made, in words
    additive: bool = True
    seasonal_curve: list[Decimal] = field(default_factory=list)  # past years' cumulative share per day

    @property
    def percent(self) -> int:
        """Actual as a share of the target for a progress bar (0–100)."""
        if self.attainment is None:
            return 0
        return max(0, min(100, round(self.attainment * 100)))

    @property
    def expected_share(self) -> float | None:
        """Where the pace says the actual should be by today, as a share of the target (the bar's marker)."""
        if self.expected is None or not self.goal.target or not self.additive:
            return None
        return float(self.expected / self.goal.target)

    @property
    def ended(self) -> bool:
        return self.elapsed_days >= self.total_days


def local_today(time_zone: str, now: dt.datetime) -> dt.date:
    return now.astimezone(ZoneInfo(time_zone)).date()


def _seasonal(numbers: Numbers, goal: Goal, target: Target, elapsed: int) -> tuple[Decimal | None, list[Decimal]]:
    """The pooled share past years had accrued by this day, and their cumulative daily share curve."""
    years: list[tuple[Decimal, Decimal]] = []
    daily_sums: list[Decimal] = []
    for back in range(1, SEASONAL_YEARS + 1):
        span = same_period_years_ago(goal.period_kind, goal.period_start, goal.period_end, back)
        granularity = "day" if span.days <= MAX_DAILY_BUCKETS else "week"
        series = [as_decimal(value) or Decimal(0)
                  for _key, value in numbers.series(goal.metric_key, span.start, span.end, granularity, target)]
        whole = sum(series, Decimal(0))
        if granularity == "day":
            to_date = sum(series[:elapsed], Decimal(0))
        else:
            cut = span.start + dt.timedelta(days=elapsed - 1)
            to_date = numbers_total(numbers, goal, span.start, min(cut, span.end), target)
        years.append((to_date, whole))
        if whole > 0 and granularity == "day":
            for day, value in enumerate(series):
                if day >= len(daily_sums):
                    daily_sums.append(Decimal(0))
                daily_sums[day] += value
    share = pace.seasonal_share(years)
    curve: list[Decimal] = []
    total = sum(daily_sums, Decimal(0))
    if share is not None and total > 0:
        running = Decimal(0)
        for value in daily_sums:
            running += value
            curve.append(running / total)
    return share, curve


def numbers_total(numbers: Numbers, goal: Goal, start: dt.date, end: dt.date, target: Target) -> Decimal:
    return as_decimal(numbers.total(goal.metric_key, start, end, target)) or Decimal(0)


def goal_progress(*, goal: Goal, numbers: Numbers, now: dt.datetime) -> GoalProgress:
    """Progress of one goal as the viewer behind `numbers` sees it."""
    metric = metric_get(goal.metric_key)
    as_of = local_today(numbers.scope.time_zone, now)
    total_days = pace.period_days(goal.period_start, goal.period_end)
    elapsed = pace.elapsed_days(goal.period_start, goal.period_end, as_of)
    if metric is None:
        return GoalProgress(goal, None, as_of, pace.Status.NO_DATA, elapsed, total_days,
                            method=_("The metric is no longer in the catalogue."))
    if elapsed == 0:
        return GoalProgress(goal, metric, as_of, pace.Status.NOT_STARTED, 0, total_days, actual=Decimal(0),
                            attainment=0.0, expected=Decimal(0), additive=is_additive(metric))
    target = numbers.target_of(goal)
    through = min(as_of, goal.period_end)
    actual = as_decimal(numbers.total(goal.metric_key, goal.period_start, through, target))
    higher = metric.direction is Direction.HIGHER_IS_BETTER
    goal_target = Decimal(goal.target)
    attainment = float(actual / goal_target) if actual is not None and goal_target else None

    if not is_additive(metric):
        status = pace.status_for(forecast_value=actual, target=goal_target, higher_is_better=higher)
        return GoalProgress(
            goal, metric, as_of, status, elapsed, total_days, actual=actual, attainment=attainment,
            expected=goal_target, expected_linear=goal_target, forecast=actual,
            forecast_attainment=attainment, additive=False,
            method=_("%(metric)s is not accrued over the period: the expected value is the target all along, and "
                     "the forecast is the value so far.") % {"metric": metric.name},
        )

    actual = actual or Decimal(0)
    linear_share = pace.linear_share(elapsed, total_days)
    expected_linear = pace.expected(goal_target, linear_share)
    seasonal_share, curve = _seasonal(numbers, goal, target, elapsed)
    expected_seasonal = pace.expected(goal_target, seasonal_share) if seasonal_share is not None else None
    pace_note = ""
    if goal.pace == PaceMethod.SEASONAL and seasonal_share is None:
        pace_note = _("No history in the same period of past years: the pace is linear.")
    use_seasonal = goal.pace == PaceMethod.SEASONAL and seasonal_share is not None
    share = seasonal_share if use_seasonal and seasonal_share is not None else linear_share
    expected = expected_seasonal if use_seasonal else expected_linear

    if elapsed >= total_days:
        return GoalProgress(
            goal, metric, as_of, pace.status_for(forecast_value=actual, target=goal_target, higher_is_better=higher),
            elapsed, total_days, actual=actual, attainment=attainment, expected=goal_target,
            expected_linear=goal_target, expected_seasonal=goal_target if seasonal_share is not None else None,
            pace_used=PaceMethod.SEASONAL if use_seasonal else PaceMethod.LINEAR, pace_note=pace_note,
            forecast=actual, forecast_attainment=attainment, seasonal_curve=curve,
            method=_("The period has ended: the forecast is the final value."),
        )

    run_rate = pace.run_rate(actual, share) if share > 0 else None
    weighted = pipeline = None
    pipeline_metric = PIPELINE_OF.get(metric.key)
    if pipeline_metric is not None:
        weighted = as_decimal(numbers.total(pipeline_metric, as_of, goal.period_end, target)) or Decimal(0)
        pipeline = actual + weighted
    forecast = pace.forecast(actual=actual, run_rate_value=run_rate, pipeline=pipeline)
    if pipeline is not None:
        method = _("Forecast: the higher of the run rate (the pace so far continued to the period end) and what "
                   "is won plus the weighted pipeline expected to close by the period end.")
    else:
        method = _("Forecast: the run rate — the pace so far continued to the period end.")
    status = pace.status_for(forecast_value=forecast, target=goal_target, higher_is_better=higher)
    return GoalProgress(
        goal, metric, as_of, status, elapsed, total_days, actual=actual, attainment=attainment, expected=expected,
        expected_linear=expected_linear, expected_seasonal=expected_seasonal,
        pace_used=PaceMethod.SEASONAL if use_seasonal else PaceMethod.LINEAR, pace_note=pace_note,
        run_rate=run_rate, pipeline=pipeline, weighted_pipeline=weighted, forecast=forecast,
        forecast_attainment=float(forecast / goal_target) if goal_target else None, method=method,
        seasonal_curve=curve,
    )


def goal_progress_many(*, goals: list[Goal], numbers: Numbers, now: dt.datetime) -> dict[int, GoalProgress]:
    """Progress of each goal; goals of the same metric and period share their queries."""
    return {goal.pk: goal_progress(goal=goal, numbers=numbers, now=now) for goal in goals}


def goal_actual_series(*, goal: Goal, numbers: Numbers, now: dt.datetime) -> list[tuple[dt.date, Decimal]]:
    """The cumulative actual by day from the start to today (additive metrics; the chart)."""
    as_of = local_today(numbers.scope.time_zone, now)
    through = min(as_of, goal.period_end)
    if through < goal.period_start:
        return []
    days = (through - goal.period_start).days + 1
    granularity = "day" if days <= MAX_DAILY_BUCKETS else "week"
    series = numbers.series(goal.metric_key, goal.period_start, through, granularity, numbers.target_of(goal))
    points = []
    running = Decimal(0)
    for key, value in series:
        running += as_decimal(value) or Decimal(0)
        day = (dt.date.fromisoformat(key) if granularity == "day"
               else dt.date.fromisocalendar(int(key[:4]), int(key[6:]), 1))
        points.append((day, running))
    return points
