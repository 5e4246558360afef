"""The SMART check of a goal draft: each property, whether it holds, and what is wrong if not.

Specific — a metric and a complete scope. Measurable — a catalogue metric with a history that
can be measured for the scope (not a snapshot, no required breakdown, the scope's slice is
supported). Achievable — the target against the same metric for the same scope in past
periods of the same length (stats/history.py): beyond the best 5 % is a warning the user must
confirm. Relevant — linked to an objective. Time-bound — a period with an end.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils.translation import gettext as _

from voronka.metrics.catalogue import Direction, Metric

from ..models import PeriodKind, ScopeKind
from ..stats.history import Judgement, judge_target, trim_leading_empty
from ..stats.periods import CALENDAR_KINDS, Span, past_periods
from ..targets import Target
from .display import format_value
from .drafts import GoalDraft
from .numbers import Numbers, as_decimal

OK, WARNING, ERROR, PENDING = "ok", "warning", "error", "pending"
HISTORY_CACHE_SECONDS = 300
PROPERTIES = ("specific", "measurable", "achievable", "relevant", "time_bound")


@dataclass(frozen=True)
class SmartItem:
    key: str
    level: str  # ok | warning | error | pending
    message: str

    @property
    def name(self) -> str:
        return str({
            "specific": _("Specific"), "measurable": _("Measurable"), "achievable": _("Achievable"),
            "relevant": _("Relevant"), "time_bound": _("Time-bound"),
        }[self.key])


@dataclass(frozen=True)
class HistoryPoint:
    label: str
    value: Decimal | None


@dataclass(frozen=True)
class SmartCheck:
    items: list[SmartItem]
    history: list[HistoryPoint] = field(default_factory=list)
    judgement: Judgement | None = None
    unit: str = "count"

    @property
    def has_errors(self) -> bool:
        return any(item.level == ERROR for item in self.items)

    @property
    def needs_confirmation(self) -> bool:
        return any(item.level == WARNING for item in self.items)

    def item(self, key: str) -> SmartItem:
        return next(item for item in self.items if item.key == key)

    def as_dict(self) -> dict[str, Any]:
        judgement = self.judgement
        return {
            "items": [{"key": i.key, "name": i.name, "level": i.level, "ok": i.level == OK, "message": i.message}
                      for i in self.items],
            "needs_confirmation": self.needs_confirmation,
            "history": [{"label": p.label, "value": None if p.value is None else str(p.value)}
                        for p in self.history],
            "percentile": None if judgement is None or judgement.bound is None else judgement.bound,
            "growth_vs_last": None if judgement is None else judgement.growth_vs_last,
            "growth_vs_median": None if judgement is None else judgement.growth_vs_median,
        }


def _percent(share: float | None) -> str:
    if share is None:
        return "—"
    text = f"{share * 100:+,.0f}".replace(",", "\u00a0")
    return f"{text}\u00a0%"


def _specific(draft: GoalDraft) -> SmartItem:
    if draft.metric is None:
        return SmartItem("specific", ERROR, _("Choose the metric the goal is about."))
    if not draft.scope:
        return SmartItem("specific", ERROR, _("Choose whose goal it is: the company, a team or a rep."))
    if not draft.scope_complete:
        which = _("Choose the team.") if draft.scope == ScopeKind.TEAM else _("Choose the rep.")
        return SmartItem("specific", ERROR, which)
    if any(key in draft.errors for key in ("scope", "team_id", "user_id")):
        return SmartItem("specific", ERROR, _("Choose a scope whose numbers you can see."))
    return SmartItem("specific", OK, _("A metric and whose number it is."))


def measurable_problem(metric: Metric | None, scope: str) -> str | None:
    if metric is None:
        return _("Choose a metric from the catalogue.")
    if metric.is_snapshot:
        return _("%(metric)s is a snapshot of today; it has no value for a period.") % {"metric": metric.name}
    if metric.required_slices:
        return _("%(metric)s needs a breakdown and cannot be one goal.") % {"metric": metric.name}
    slice_key = Target(scope).slice_key() if scope else None
    if slice_key and slice_key not in metric.slices:
        return _("%(metric)s cannot be measured for one %(scope)s.") % {
            "metric": metric.name, "scope": ScopeKind(scope).label.lower()}
    return None


def _measurable(draft: GoalDraft) -> SmartItem:
    problem = measurable_problem(draft.metric, draft.scope)
    if problem:
        return SmartItem("measurable", ERROR, problem)
    return SmartItem("measurable", OK, _("Measured by the catalogue metric “%(metric)s”.") % {
        "metric": draft.metric.name if draft.metric else ""})


def _relevant(draft: GoalDraft) -> SmartItem:
    if draft.objective is None:
        return SmartItem("relevant", ERROR,
                         _("Link the goal to an objective: what the company wants to achieve with it."))
    return SmartItem("relevant", OK, _("Serves the objective “%(objective)s”.") % {
        "objective": draft.objective.title})


def _time_bound(draft: GoalDraft) -> SmartItem:
    if "period_end" in draft.errors:
        return SmartItem("time_bound", ERROR, draft.errors["period_end"][0])
    if draft.period_start is None:
        return SmartItem("time_bound", ERROR, _("Choose when the goal starts."))
    if draft.period_end is None:
        return SmartItem("time_bound", ERROR, _("Set the date by which the target is to be reached."))
    return SmartItem("time_bound", OK, _("From %(start)s to %(end)s.") % {
        "start": draft.period_start.isoformat(), "end": draft.period_end.isoformat()})


def _history_cache_key(numbers: Numbers, metric: Metric, target: Target, kind: str, spans: list[Span]) -> str:
    viewer = numbers.scope.viewer
    raw = repr((numbers.scope.workspace_id, viewer.user_id, str(viewer.scope), sorted(viewer.team_ids), metric.key,
                target.scope, sorted(target.team_ids), target.user_id, kind, spans[0].start, spans[-1].end))
    return "goals:history:" + hashlib.sha256(raw.encode()).hexdigest()


def goal_history(*, numbers: Numbers, metric: Metric, target: Target, kind: str, spans: list[Span]
                 ) -> list[HistoryPoint]:
    """The metric for the target in each past span (one query for calendar periods).

    Past periods do not change while a user types a target, so the live check keeps them for a few
    minutes, keyed by everything that decides the numbers — the viewer's visibility included.
    """
    if not spans:
        return []
    key = _history_cache_key(numbers, metric, target, kind, spans)
    cached = cache.get(key)
    if cached is not None:
        return [HistoryPoint(label, None if value is None else Decimal(value)) for label, value in cached]
    if kind in CALENDAR_KINDS:
        series = numbers.series(metric.key, spans[0].start, spans[-1].end, kind, target)
        by_key = dict(series)
        points = [HistoryPoint(span.label, as_decimal(by_key.get(span.label))) for span in spans]
    else:
        points = [HistoryPoint(span.label, as_decimal(numbers.total(metric.key, span.start, span.end, target)))
                  for span in spans]
    cache.set(key, [(p.label, None if p.value is None else str(p.value)) for p in points], HISTORY_CACHE_SECONDS)
    return points


def _achievable(draft: GoalDraft, numbers: Numbers, target: Target | None, currency: str
                ) -> tuple[SmartItem, list[HistoryPoint], Judgement | None]:
    metric = draft.metric
    if (metric is None or draft.target is None or target is None or draft.period_start is None
            or draft.period_end is None or measurable_problem(metric, draft.scope)):
        return SmartItem("achievable", PENDING, _("Checked once the metric, scope, target and period are set.")), \
            [], None
    spans = past_periods(draft.period_kind or PeriodKind.CUSTOM, draft.period_start, draft.period_end)
    history = goal_history(numbers=numbers, metric=metric, target=target, kind=draft.period_kind, spans=spans)
    values = trim_leading_empty([None if p.value is None else float(p.value) for p in history])
    higher = metric.direction is Direction.HIGHER_IS_BETTER
    judgement = judge_target(float(draft.target), values, higher_is_better=higher)
    if not judgement.enough:
        return SmartItem("achievable", OK, _(
            "Not enough history to judge the target: %(n)d past periods with data (4 needed).") % {
            "n": judgement.periods}), history, judgement
    def fmt(value: float | None) -> str:
        return format_value(None if value is None else Decimal(repr(value)), metric.unit, currency)

    values_text = {
        "bound": fmt(judgement.bound), "n": judgement.periods, "last": fmt(judgement.last),
        "median": fmt(judgement.median),
        "vs_last": _percent(judgement.growth_vs_last), "vs_median": _percent(judgement.growth_vs_median),
    }
    if judgement.flagged:
        if higher:
            message = _("The target is above the best 5 %% of the last %(n)d periods (95th percentile "
                        "%(bound)s). It needs %(vs_last)s against the last period (%(last)s) and %(vs_median)s "
                        "against the median period (%(median)s). Confirm to keep it as a stretch goal.")
        else:
            message = _("The target is below the best 5 %% of the last %(n)d periods (5th percentile "
                        "%(bound)s). It needs %(vs_last)s against the last period (%(last)s) and %(vs_median)s "
                        "against the median period (%(median)s). Confirm to keep it as a stretch goal.")
        return SmartItem("achievable", WARNING, message % values_text), history, judgement
    return SmartItem("achievable", OK, _(
        "Within the range of the last %(n)d periods (95th percentile %(bound)s; %(vs_last)s against the last "
        "period, %(vs_median)s against the median).") % values_text if higher else _(
        "Within the range of the last %(n)d periods (5th percentile %(bound)s; %(vs_last)s against the last "
        "period, %(vs_median)s against the median).") % values_text), history, judgement


def smart_check(*, draft: GoalDraft, numbers: Numbers, target: Target | None, currency: str = "RUB") -> SmartCheck:
    """Check each SMART property of `draft`; `target` is None until the scope is complete and visible."""
    achievable, history, judgement = _achievable(draft, numbers, target, currency)
    items = [_specific(draft), _measurable(draft), achievable, _relevant(draft), _time_bound(draft)]
    return SmartCheck(items=items, history=history, judgement=judgement,
                      unit=draft.metric.unit.value if draft.metric else "count")
