"""Answering measures from a daily rollup: covered days without a change marker come from the rollup rows,
every other day of the period from the source rows (the engine merges the two; every stored measure adds up).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, IntegerField, Q, QuerySet, Sum, Value

from voronka.core.visibility import Viewer, visible_q

from ..buckets import Bucket
from ..catalogue import Aggregation, Measure, Number, Rollup, slice_get
from ..models import RollupCoverage, RollupMarker, RollupRow
from ..sql import BucketIndex
from .days import ONE_DAY, DayRange, Mark, complement, fewer_ranges, local_days_touched, split_period

RowKey = tuple[Any, ...]
# At most this many stretches of days read from the rows (one SELECT each); more are joined across short gaps.
MAX_RAW_RANGES = 24
STORED_COLUMNS = {"owner": "owner_id", "team": "team_id"}  # every rollup row carries these two


def rollups_enabled() -> bool:
    return bool(getattr(settings, "METRICS_ROLLUPS", True))


@dataclass(frozen=True)
class RollupPlan:
    rollup: Rollup
    workspace_id: int
    dim: str  # the one further slice the query needs ("" for none)
    from_rollup: list[DayRange]
    raw: list[DayRange]  # what the source rows must still answer


class RollupState:
    """What one engine run needs to know about a workspace's rollups: coverage and change markers.

    Read lazily, once per run, in one query (a UNION of the two tables), whatever the number of
    measure groups the run has.
    """

    def __init__(self, *, workspace_id: int, time_zone: str, date_from: dt.date, end: dt.date) -> None:
        self.workspace_id, self.time_zone, self.date_from, self.end = workspace_id, time_zone, date_from, end
        self._covered: dict[str, tuple[dt.date, dt.date]] | None = None
        self._marked: dict[str, set[Mark]] = {}

    def _load(self) -> None:
        coverage = (RollupCoverage.unscoped
                    .filter(workspace_id=self.workspace_id, time_zone=self.time_zone, first_day__isnull=False,
                            last_day__isnull=False)
                    .annotate(kind=Value("coverage"), no_hour=Value(None, output_field=IntegerField()))
                    .values_list("kind", "rollup", "first_day", "last_day", "no_hour"))
        # Markers on the day before the period too: a moment late that UTC day may be early on the first local day.
        markers = (RollupMarker.unscoped
                   .filter(workspace_id=self.workspace_id, day__gte=self.date_from - ONE_DAY, day__lte=self.end)
                   .annotate(kind=Value("marker")).values_list("kind", "rollup", "day", "day", "hour").distinct())
        self._covered = {}
        for kind, rollup, first, last, hour in coverage.union(markers, all=True):
            if kind == "coverage":
                self._covered[rollup] = (first, last)
            else:
                self._marked.setdefault(rollup, set()).add((first, hour))

    def covered(self, rollup: Rollup) -> tuple[dt.date, dt.date] | None:
        if self._covered is None:
            self._load()
        assert self._covered is not None  # noqa: S101 — loaded just above
        return self._covered.get(rollup.key)

    def marked(self, rollup: Rollup) -> set[Mark]:
        if self._covered is None:
            self._load()
        return self._marked.get(rollup.key, set())


def rollup_plan(*, rollup: Rollup, state: RollupState, keys: frozenset[str]) -> RollupPlan | None:
    """How much of the run's period a rollup answers for slices and filters `keys`; None: none of it."""
    extra = keys - set(STORED_COLUMNS)
    if len(extra) > 1 or not extra <= rollup.dims:
        return None
    covered = state.covered(rollup)
    if covered is None:
        return None
    dirty = local_days_touched(state.marked(rollup), time_zone=state.time_zone)
    from_rollup, raw = split_period(state.date_from, state.end, covered=(covered[0], covered[1] + ONE_DAY),
                                    dirty=dirty)
    if len(raw) > MAX_RAW_RANGES:
        # Many scattered changed days: read a few unchanged days between them from the rows too.
        raw = fewer_ranges(raw, MAX_RAW_RANGES)
        from_rollup = complement(state.date_from, state.end, raw)
    if not from_rollup:
        return None
    return RollupPlan(rollup=rollup, workspace_id=state.workspace_id, dim=next(iter(extra), ""),
                      from_rollup=from_rollup, raw=raw)


def column_of_slice(key: str) -> str:
    return STORED_COLUMNS.get(key, "dim_value")


def _stored_value(key: str, value: Any) -> Any:
    """A filter value as the rollup stores it: ids and text of the one further slice are text there."""
    return value if key in STORED_COLUMNS else str(value)


def _filter_q(key: str, values: tuple[Any, ...]) -> Q:
    column = column_of_slice(key)
    present = [_stored_value(key, v) for v in values if v not in (None, "")]
    condition = Q(**{f"{column}__in": present}) if present else Q(pk__in=[])
    if len(present) < len(values):  # "(none)": stored as NULL, whatever the source had
        condition |= Q(**{f"{column}__isnull": True})
    return condition


def on_days(ranges: list[DayRange]) -> Q:
    """Rollup rows dated on these ranges of days."""
    condition = Q(pk__in=[])
    for first, end in ranges:
        condition |= Q(day__gte=first, day__lt=end)
    return condition


def rollup_rows(*, plan: RollupPlan, viewer: Viewer, filters: Mapping[str, tuple[Any, ...]]) -> QuerySet[Any]:
    """The rollup rows of the plan's days the viewer may see, meeting the filters."""
    rows = RollupRow.unscoped.filter(workspace_id=plan.workspace_id, rollup=plan.rollup.key, dim=plan.dim)
    rows = rows.filter(on_days(plan.from_rollup)).filter(visible_q(viewer, owner_field="owner", team_field="team"))
    for key, values in filters.items():
        rows = rows.filter(_filter_q(key, values))
    return rows


def with_buckets(rows: QuerySet[Any], buckets: list[Bucket]) -> QuerySet[Any]:
    if len(buckets) > 1:
        return rows.annotate(_bucket=BucketIndex("day", [b.end for b in buckets[:-1]], models.DateField()))
    return rows.annotate(_bucket=Value(0, output_field=IntegerField()))


def slice_value(key: str, stored: Any) -> Any:
    """A stored slice value back as the engine answers it (ids as ints, text as text, none as None)."""
    if stored is None or key in STORED_COLUMNS:
        return stored
    slice_ = slice_get(key)
    return stored if slice_ is None or slice_.value_type is str else slice_.value_type(stored)


def rollup_values(*, plan: RollupPlan, viewer: Viewer, query: Any, buckets: list[Bucket],
                  measures: Mapping[str, Measure]) -> dict[str, dict[RowKey, Number | None]]:
    """The measures summed over the plan's rollup days, keyed like the engine's (bucket, *slice values)."""
    rows = with_buckets(rollup_rows(plan=plan, viewer=viewer, filters=query.filters), buckets)
    slices = {f"_s{index}": F(column_of_slice(key)) for index, key in enumerate(query.slices)}
    columns = {alias: plan.rollup.column_of(measure) for alias, measure in measures.items()}
    grouped = rows.annotate(**slices).values("_bucket", *slices).annotate(
        **{alias: Sum(column) for alias, column in columns.items()}).order_by()
    result: dict[str, dict[RowKey, Number | None]] = {alias: {} for alias in measures}
    for record in grouped:
        key = (buckets[record["_bucket"]].key if buckets else "total",
               *(slice_value(slice_key, record[f"_s{index}"]) for index, slice_key in enumerate(query.slices)))
        for alias, measure in measures.items():
            value: Decimal = record[alias]
            result[alias][key] = int(value) if measure.aggregation is Aggregation.COUNT else value
    return result


def plus(first: Number | None, second: Number | None) -> Number | None:
    """Two parts of an additive measure; None (nothing counted) adds nothing."""
    if first is None:
        return second
    if second is None:
        return first
    return first + second  # type: ignore[operator]


def add_values(first: Mapping[RowKey, Number | None], second: Mapping[RowKey, Number | None]
               ) -> dict[RowKey, Number | None]:
    """Two partial results of an additive measure (rollup days and raw days) as one."""
    merged = dict(first)
    for key, value in second.items():
        merged[key] = plus(merged.get(key), value)
    return merged
