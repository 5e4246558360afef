"""The metric catalogue: every KPI defined once, and the slices numbers can be broken down by.

`metrics` registers the CRM metrics (definitions.py); a higher app adds its own in its
`AppConfig.ready()` with `register_metric` / `register_slice` / `register_source`. Goals,
dashboards, reports, contests and experiments read every number through this catalogue and
the one engine (engine.py), so a KPI has exactly one definition.

A metric is built from measures. A measure is one SQL aggregate (a count, a sum, or the values
for a median) over the rows of a source (deals, contacts, activities, line items), filtered
by a base condition, dated by one field (which decides the period a row belongs to), and
optionally counted only where a row condition holds. Measures of several metrics that share a
source, a date field and a base condition are computed by one query.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise

Number = int | float | Decimal


class Unit(StrEnum):
    COUNT = "count"
    MONEY = "money"
    RATIO = "ratio"  # a share between 0 and 1, shown as a percentage
    DAYS = "days"


class Direction(StrEnum):
    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class Aggregation(StrEnum):
    COUNT = "count"  # rows where the measure's condition holds
    SUM = "sum"  # the sum of `value` over those rows
    MEDIAN = "median"  # the median of `value` over those rows, computed in Python


@dataclass(frozen=True)
class Source:
    """A table metrics read, with the fields that decide who may see a row and how it slices."""

    key: str
    model: str  # "app_label.Model"
    owner_field: str
    team_field: str
    slice_fields: Mapping[str, str]  # slice key → the field path to group and filter by
    # Slices reached through a to-many relation (a deal's products) multiply rows: counts
    # over this source then count distinct ids.
    fanout_slices: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Slice:
    key: str
    name: Promise | str
    # (workspace id, the raw values seen) → display labels; values missing from the answer
    # are shown as they are.
    labels: Callable[[int, list[Any]], dict[Any, str]]
    description: Promise | str = ""
    value_type: type = int  # ids are ints; text slices (lead source, industry) are str


@dataclass(frozen=True)
class Context:
    """What a base condition may depend on: the moment of the query (snapshots) and the workspace."""

    workspace_id: int
    now: Any  # aware datetime


@dataclass(frozen=True)
class Measure:
    source: str
    date_field: str | None  # None: a snapshot of now, not dated by the period
    base: str  # a named base condition of the source (see `register_base`)
    aggregation: Aggregation = Aggregation.COUNT
    # A Django expression factory for SUM and MEDIAN (MEDIAN: a value in days or any number).
    value: Callable[[], Any] | None = None
    # Counted only where this holds (also what drill-down lists): a Q or a conditional expression.
    where: Q | Any = None

    @property
    def group_key(self) -> tuple[str, str | None, str]:
        return (self.source, self.date_field, self.base)


@dataclass(frozen=True)
class Metric:
    key: str
    name: Promise | str
    description: Promise | str
    unit: Unit
    direction: Direction
    measures: Mapping[str, Measure]
    slices: frozenset[str]
    # Combines the measured values (by measure name) into the metric; default: the only measure.
    combine: Callable[[Mapping[str, Number | None]], Number | None] | None = None
    # Measures to use instead when a slice needs another source (deal revenue by product comes
    # from the line items).
    variants: Mapping[str, Mapping[str, Measure]] = field(default_factory=dict)
    # The measure (or measures, of deals and their line items) whose rows a number drills down to.
    drill: str | tuple[str, ...] | None = None
    required_slices: frozenset[str] = frozenset()
    # A custom computation for metrics that are not aggregates of one source (stage conversion).
    compute: Callable[..., Any] | None = None

    @property
    def is_snapshot(self) -> bool:
        return bool(self.measures) and all(m.date_field is None for m in self.measures.values())

    @property
    def additive(self) -> bool:
        """A count or a sum over a period: a scope's value is the sum of its parts' and accrues over time."""
        if self.unit not in (Unit.COUNT, Unit.MONEY) or self.compute is not None or self.is_snapshot:
            return False
        measures = [m for variant in (self.measures, *self.variants.values()) for m in variant.values()]
        if any(m.aggregation not in (Aggregation.COUNT, Aggregation.SUM) for m in measures):
            return False
        return self.combine is None or bool(getattr(self.combine, "additive", False))

    def measures_for(self, slices: frozenset[str]) -> Mapping[str, Measure]:
        for slice_key, measures in self.variants.items():
            if slice_key in slices:
                return measures
        return self.measures

    def value_from(self, measured: Mapping[str, Number | None]) -> Number | None:
        if self.combine is not None:
            return self.combine(measured)
        (only,) = measured.values()
        return only


@dataclass(frozen=True)
class Rollup:
    """Daily totals of some measures of one source, by local day, owner, team and at most one more slice.

    The engine answers a measure group from a rollup when the rollup stores every measure of the
    group and the query's slices and filters are owner, team and at most one of `dims`; everything
    else reads the source rows. Database triggers mark the days whose rows change (see models.py);
    the rows are computed by the engine itself, so a rollup can never define a number differently.
    """

    key: str
    source: str
    date_field: str
    base: str
    measures: tuple[Measure, ...] = ()  # stored in the columns m0, m1, … in this order
    dims: frozenset[str] = frozenset()
    # A date field (not a moment) has no time zone: its change markers name the day itself, not a UTC hour.
    date_only: bool = False
    # Rows that are not sums of `measures` (stage conversion: deals by the furthest stage reached):
    # (scope, query, buckets, dim) → {(bucket key, owner id, team id, dim value, detail): values}.
    compute_rows: Callable[..., Mapping[tuple[Any, ...], tuple[Number, ...]]] | None = None

    @property
    def group_key(self) -> tuple[str, str | None, str]:
        return (self.source, self.date_field, self.base)

    def column_of(self, measure: Measure) -> str | None:
        for index, stored in enumerate(self.measures):
            if stored == measure:
                return f"m{index}"
        return None


ROLLUP_MEASURES = 5  # the columns m0 … m4 of metrics.RollupRow

_metrics: dict[str, Metric] = {}
_rollups: dict[str, Rollup] = {}
_slices: dict[str, Slice] = {}
_sources: dict[str, Source] = {}
_bases: dict[tuple[str, str], Callable[[Context], Q]] = {}


def register_metric(metric: Metric) -> None:
    _metrics[metric.key] = metric


def register_slice(slice_: Slice) -> None:
    _slices[slice_.key] = slice_


def register_source(source: Source) -> None:
    _sources[source.key] = source


def register_rollup(rollup: Rollup) -> None:
    """Keep `rollup`; its triggers must exist (a migration of the app that registers it)."""
    if len(rollup.measures) > ROLLUP_MEASURES:
        raise ValueError(f"a rollup stores at most {ROLLUP_MEASURES} measures")
    for measure in rollup.measures:
        # Only what adds up across days, owners and teams can be stored as daily totals.
        if measure.group_key != rollup.group_key or measure.aggregation not in (Aggregation.COUNT, Aggregation.SUM):
            raise ValueError(f"{rollup.key}: a stored measure must be a count or a sum of {rollup.group_key}")
    _rollups[rollup.key] = rollup


def rollups_all() -> list[Rollup]:
    return list(_rollups.values())


def rollup_get(key: str) -> Rollup | None:
    return _rollups.get(key)


def rollup_for(group: tuple[str, str | None, str], measures: Iterable[Measure]) -> Rollup | None:
    """A rollup of this source, date field and base that stores every one of `measures`."""
    wanted = list(measures)
    for rollup in _rollups.values():
        if rollup.compute_rows is not None or rollup.group_key != group:
            continue
        if all(rollup.column_of(measure) is not None for measure in wanted):
            return rollup
    return None


def register_base(source: str, name: str, condition: Callable[[Context], Q]) -> None:
    """A named base condition rows of `source` must meet (e.g. deals: "closed")."""
    _bases[(source, name)] = condition


def metric_get(key: str) -> Metric | None:
    return _metrics.get(key)


def metrics_all() -> list[Metric]:
    return list(_metrics.values())


def slice_get(key: str) -> Slice | None:
    return _slices.get(key)


def slices_all() -> list[Slice]:
    return list(_slices.values())


def source_get(key: str) -> Source:
    return _sources[key]


def base_condition(source: str, name: str, context: Context) -> Q:
    return _bases[(source, name)](context)


Names = str | tuple[str, ...]


def _sum_of(values: Mapping[str, Number | None], names: Names) -> Number | None:
    """The sum of the named measures; None when none of them was measured at all."""
    parts = [values.get(name) for name in ((names,) if isinstance(names, str) else names)]
    present = [part for part in parts if part is not None]
    if not present:
        return None
    return sum(present[1:], start=present[0])


def total(*names: str) -> Callable[[Mapping[str, Number | None]], Number | None]:
    """A combine function: the sum of the named measures (revenue of line items + of deals without any)."""

    def combine(values: Mapping[str, Number | None]) -> Number | None:
        return _sum_of(values, names)

    combine.additive = True  # type: ignore[attr-defined]
    return combine


def ratio(numerator: Names, denominator: Names) -> Callable[[Mapping[str, Number | None]], float | None]:
    """A combine function: numerator ÷ denominator, None when the denominator is empty."""

    def combine(values: Mapping[str, Number | None]) -> float | None:
        top, bottom = _sum_of(values, numerator), _sum_of(values, denominator)
        if not bottom:
            return None
        return float(top or 0) / float(bottom)

    return combine


def money_ratio(numerator: Names, denominator: Names) -> Callable[[Mapping[str, Number | None]], Decimal | None]:
    """Money ÷ count (an average check): exact Decimal, rounded to the kopeck."""

    def combine(values: Mapping[str, Number | None]) -> Decimal | None:
        top, bottom = _sum_of(values, numerator), _sum_of(values, denominator)
        if not bottom:
            return None
        return (Decimal(top or 0) / Decimal(bottom)).quantize(Decimal("0.01"))

    return combine
