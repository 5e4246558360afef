"""Metric values for goal and rule targets, read through the metric engine only.

Additive metrics (a count or a sum of money) are asked once per (metric, dates, granularity),
broken down by team and owner, and every target (the company, a team subtree, a rep) is the sum
of its rows — so a page of twenty goals for one quarter costs a handful of queries, not a
hundred. Other metrics (ratios, medians) are asked per target with a filter.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from voronka.accounts.models import Team
from voronka.metrics.catalogue import Metric, Unit, metric_get
from voronka.metrics.engine import MetricResult, Scope, metric_query_run
from voronka.metrics.spec import metric_query_build

from ..models import ScopeKind
from ..targets import Target

Number = int | float | Decimal
BREAKDOWN = ("team", "owner")


def is_additive(metric: Metric) -> bool:
    """A count or a sum: the total of a scope is the sum of its parts, and it accrues over a period."""
    return metric.additive


def as_decimal(value: Number | None) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


class Numbers:
    """One evaluation's metric reads for one viewer, cached by query."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._results: dict[tuple[Any, ...], MetricResult] = {}
        self._children: dict[int | None, list[int]] | None = None
        self.queries = 0

    def target_of(self, obj: Any) -> Target:
        """The Target of a goal or a rule; the team tree is read once per evaluation."""
        if obj.scope == ScopeKind.TEAM:
            if self._children is None:
                self._children = {}
                for team_id, parent_id in Team.objects.filter(workspace_id=self.scope.workspace_id).values_list(
                        "id", "parent_id"):
                    self._children.setdefault(parent_id, []).append(team_id)
            found: set[int] = set()
            stack = [obj.team_id]
            while stack:
                current = stack.pop()
                if current not in found:
                    found.add(current)
                    stack.extend(self._children.get(current, ()))
            return Target(ScopeKind.TEAM, frozenset(found))
        if obj.scope == ScopeKind.REP:
            return Target(ScopeKind.REP, user_id=obj.user_id)
        return Target(ScopeKind.COMPANY)

    def _run(self, key: tuple[Any, ...], **query: Any) -> MetricResult:
        if key not in self._results:
            self._results[key] = metric_query_run(scope=self.scope, query=metric_query_build(**query))
            self.queries += 1
        return self._results[key]

    def series(self, metric_key: str, date_from: dt.date, date_to: dt.date, granularity: str,
               target: Target) -> list[tuple[str, Number | None]]:
        """[(bucket key, value)] in time order for the target."""
        metric = metric_get(metric_key)
        if metric is None:
            raise LookupError(metric_key)
        if is_additive(metric) and set(BREAKDOWN) <= metric.slices:
            result = self._run((metric_key, date_from, date_to, granularity), metrics=[metric_key],
                               date_from=date_from, date_to=date_to, granularity=granularity, slices=BREAKDOWN)
            sums: dict[str, Number] = defaultdict(lambda: Decimal(0) if metric.unit is Unit.MONEY else 0)
            for row in result.rows:
                if target.matches(*row.slices):
                    value = row.values.get(metric_key)
                    if value is not None:
                        sums[row.bucket] += value  # type: ignore[operator]
            keys = [b.key for b in result.buckets]
            zero: Number = Decimal(0) if metric.unit is Unit.MONEY else 0
            return [(key, sums.get(key, zero)) for key in keys]
        filters = target.metric_filters()
        result = self._run((metric_key, date_from, date_to, granularity, tuple(sorted(
            (k, tuple(v)) for k, v in filters.items()))), metrics=[metric_key], date_from=date_from,
            date_to=date_to, granularity=granularity, filters=filters)
        return [(b.key, result.value(metric_key, bucket=b.key)) for b in result.buckets]

    def total(self, metric_key: str, date_from: dt.date, date_to: dt.date, target: Target) -> Number | None:
        (_key, value), = self.series(metric_key, date_from, date_to, "total", target)
        return value

    def breakdown(self, metric_key: str, date_from: dt.date, date_to: dt.date, targets: list[Target]
                  ) -> list[Number | None]:
        """The total of each target over the same dates (one query for additive metrics)."""
        return [self.total(metric_key, date_from, date_to, target) for target in targets]
