"""What a dashboard page shows for each widget, read through the metric engine in as few queries as possible.

Widgets first say which numbers they need (period, granularity, slices, filters); needs with the
same shape become one engine query with several metrics, and the engine runs one SQL aggregate
per group of measures. KPI tiles over a calendar period read their value, the previous period,
the same period a year earlier and their sparkline from one series query at that period's
granularity. Every number is the viewer's own: the engine applies their visibility.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor
from voronka.crm.models import Stage, StageKind
from voronka.metrics.buckets import Granularity
from voronka.metrics.catalogue import Direction, Metric, Unit, metric_get, slice_get
from voronka.metrics.engine import MetricResult
from voronka.metrics.selectors import metric_query_for
from voronka.metrics.spec import MAX_METRICS, MetricQuery, MetricQueryError, metric_query_build

from .charts import (
    StageInfo,
    figure_by_slice,
    figure_funnel,
    figure_over_time,
    format_change,
    format_value,
    funnel_steps,
    series_over_time,
    sparkline_points,
    values_by_slice,
)
from .dashboard_range import Window
from .models import ChartType

Filters = Mapping[str, Sequence[Any]]
TABLE_ROWS = 50


@dataclass(frozen=True)
class QueryKey:
    date_from: dt.date
    date_to: dt.date
    granularity: str
    slices: tuple[str, ...]
    filters: tuple[tuple[str, tuple[Any, ...]], ...]

    @property
    def filter_dict(self) -> dict[str, tuple[Any, ...]]:
        return dict(self.filters)


def cache_seconds() -> int:
    """How long a viewer's engine results may be reused (ANALYTICS_DASHBOARD_CACHE_SECONDS; 0, the default: never)."""
    return max(int(getattr(settings, "ANALYTICS_DASHBOARD_CACHE_SECONDS", 0) or 0), 0)


def _cache_key(actor: Actor, query: MetricQuery) -> str:
    """One viewer's one query: the same numbers are never served to someone who may see other rows."""
    viewer = actor.viewer
    identity = repr((viewer.workspace_id, viewer.user_id, str(viewer.scope), sorted(viewer.team_ids),
                     query.metrics, query.date_from, query.date_to, query.slices, str(query.granularity),
                     sorted((key, tuple(values)) for key, values in query.filters.items()), get_language()))
    return "analytics:dashboard:" + hashlib.sha256(identity.encode()).hexdigest()


class Plan:
    """Needs collected from every widget, run as one engine query per shape (up to 20 metrics each)."""

    def __init__(self) -> None:
        self.metrics: dict[QueryKey, list[str]] = defaultdict(list)
        self.results: dict[tuple[QueryKey, str], MetricResult] = {}
        self.oldest: dt.datetime | None = None  # when the oldest reused (cached) result was computed

    def need(self, key: QueryKey, metric: str) -> QueryKey:
        if metric not in self.metrics[key]:
            self.metrics[key].append(metric)
        return key

    def run(self, actor: Actor, now: dt.datetime) -> int:
        runs = 0
        for key, metrics in self.metrics.items():
            for start in range(0, len(metrics), MAX_METRICS):
                chunk = metrics[start:start + MAX_METRICS]
                query = metric_query_build(metrics=chunk, date_from=key.date_from, date_to=key.date_to,
                                           slices=key.slices, granularity=key.granularity, filters=key.filter_dict)
                seconds = cache_seconds()
                result = cache.get(_cache_key(actor, query)) if seconds else None
                if result is None:
                    result = metric_query_for(actor=actor, query=query, now=now)
                    runs += 1
                    if seconds:
                        cache.set(_cache_key(actor, query), result, seconds)
                elif self.oldest is None or result.as_of < self.oldest:
                    self.oldest = result.as_of
                for metric in chunk:
                    self.results[(key, metric)] = result
        return runs

    def result(self, key: QueryKey, metric: str) -> MetricResult:
        return self.results[(key, metric)]


@dataclass
class Tile:
    value: Any
    value_text: str
    previous_text: str = ""
    vs_previous: Change | None = None
    last_year_text: str = ""
    vs_last_year: Change | None = None
    sparkline: str = ""
    drill_url: str | None = None
    in_progress: bool = False


@dataclass
class TableRow:
    label: str
    value_text: str
    drill_url: str | None = None


@dataclass
class Panel:
    index: int
    metric_key: str
    chart: str
    slice_key: str
    title: str
    subtitle: str = ""
    error: str = ""
    ignored_filters: list[str] = field(default_factory=list)
    tile: Tile | None = None
    figure: dict[str, Any] | None = None
    rows: list[TableRow] = field(default_factory=list)
    rows_heading: str = ""
    more_rows: int = 0

    @property
    def figure_id(self) -> str:
        return f"dashboard-figure-{self.index}"

    @property
    def wide(self) -> bool:
        return self.chart != ChartType.TILE


@dataclass(frozen=True)
class Change:
    text: str  # "+12.5%", "−3.0 pp", "—"
    tone: str  # good, bad, flat, or "" when there is nothing to compare with
    arrow: str  # ▲ ▼ or ""


def change(metric: Metric, current: Any, before: Any) -> Change:
    """The change from `before` to `current`: relative, or in percentage points for ratios.

    The tone follows the metric's direction: for a lower-is-better metric a decrease is good.
    """
    if current is None or before is None:
        return Change("—", "", "")
    if metric.unit is Unit.RATIO:
        delta: float | None = float(current) - float(before)
        text = format_change(delta, points=True)
    else:
        delta = None if float(before) == 0 else (float(current) - float(before)) / abs(float(before))
        text = format_change(delta)
    if delta is None:
        return Change("—", "", "")
    if abs(delta) < 1e-12:
        return Change(text, "flat", "")
    better = (delta > 0) == (metric.direction is Direction.HIGHER_IS_BETTER)
    return Change(text, "good" if better else "bad", "▲" if delta > 0 else "▼")


class DrillLinks:
    """Drill-down URLs for one metric in one query shape (None where the metric has no rows behind it)."""

    def __init__(self, base: str, metric: Metric, key: QueryKey) -> None:
        self.enabled = metric.drill is not None
        self.base = base
        self.params: list[tuple[str, Any]] = [
            ("metric", metric.key), ("date_from", key.date_from.isoformat()), ("date_to", key.date_to.isoformat()),
            ("granularity", key.granularity),
        ]
        for name, values in key.filters:
            self.params.extend((f"filter.{name}", value) for value in values)
        self.slices = key.slices

    def __call__(self, bucket: str, slice_values: tuple[Any, ...] = ()) -> str | None:
        if not self.enabled:
            return None
        params = [*self.params, ("bucket", bucket)]
        params.extend((f"slice.{name}", "" if value is None else value)
                      for name, value in zip(self.slices, slice_values, strict=False))
        return f"{self.base}?{urlencode(params)}"


class Builder:
    """Plans, runs and renders the widgets of one dashboard for one viewer, period and set of filters."""

    def __init__(self, *, actor: Actor, window: Window, filters: Filters, now: dt.datetime | None = None) -> None:
        self.actor = actor
        self.window = window
        self.filters = {key: tuple(values) for key, values in filters.items() if values}
        self.now = now or timezone.now()
        self.plan = Plan()
        self.currency = actor.workspace.currency
        self.language = get_language() or "en"
        self.drill_base = reverse("analytics:drill")
        self.queries_run = 0

    @property
    def cached_as_of(self) -> dt.datetime | None:
        """When the oldest number reused from the cache was computed (None: all computed now)."""
        return self.plan.oldest

    # ---- shapes ---------------------------------------------------------------------------------

    def _filters_for(self, metric: Metric) -> tuple[tuple[tuple[str, tuple[Any, ...]], ...], list[str]]:
        kept = tuple((key, values) for key, values in sorted(self.filters.items()) if key in metric.slices)
        ignored = [str(s.name) for key in sorted(self.filters) if key not in metric.slices and (s := slice_get(key))]
        return kept, ignored

    def _key(self, metric: Metric, start: dt.date, end: dt.date, granularity: Granularity | str,
             slices: tuple[str, ...] = ()) -> QueryKey:
        filters, _ignored = self._filters_for(metric)
        key = QueryKey(start, end, str(granularity), slices, filters)
        # Checked now, before any SQL: a widget the catalogue no longer allows shows its error alone.
        metric_query_build(metrics=[metric.key], date_from=start, date_to=end, slices=slices,
                           granularity=str(granularity), filters=key.filter_dict)
        return self.plan.need(key, metric.key)

    def _tile_keys(self, metric: Metric) -> dict[str, QueryKey]:
        """The period, the previous one and the same one last year as totals, and the trend in the period.

        Totals, not one long series: the engine's cost grows with the rows it reads, and three periods
        are a quarter of the rows of a series reaching a year back. The trend uses the charts' buckets,
        so it is the same engine query as a line chart of the period.
        """
        window = self.window
        if metric.is_snapshot:
            return {"value": self._key(metric, window.start, window.end, Granularity.TOTAL)}
        keys = {
            "previous": self._key(metric, *window.previous(), Granularity.TOTAL),
            "last_year": self._key(metric, *window.last_year(), Granularity.TOTAL),
            "spark": self._key(metric, window.start, window.end, window.chart_granularity()),
        }
        if not self._additive(metric):
            keys["value"] = self._key(metric, window.start, window.end, Granularity.TOTAL)
        return keys

    @staticmethod
    def _additive(metric: Metric) -> bool:
        """A count or a sum (the catalogue says which): its period total is the sum of its buckets."""
        return bool(getattr(metric, "additive", False))

    def _chart_key(self, metric: Metric, chart: str, slice_key: str) -> QueryKey:
        window = self.window
        if chart == ChartType.FUNNEL:
            return self._key(metric, window.start, window.end, Granularity.TOTAL, ("stage",))
        slices = (slice_key,) if slice_key else ()
        if chart == ChartType.LINE or not slice_key:
            return self._key(metric, window.start, window.end, window.chart_granularity(), slices)
        return self._key(metric, window.start, window.end, Granularity.TOTAL, slices)

    # ---- build ----------------------------------------------------------------------------------

    def build(self, widgets: Sequence[Any]) -> list[Panel]:
        """Panels for widgets (anything with .metric, .chart and .slice), in their order."""
        planned: list[tuple[Panel, Metric | None, dict[str, QueryKey]]] = []
        for index, widget in enumerate(widgets):
            metric = metric_get(widget.metric)
            panel = Panel(index=index, metric_key=widget.metric, chart=widget.chart, slice_key=widget.slice or "",
                          title=str(metric.name) if metric else widget.metric)
            keys: dict[str, QueryKey] = {}
            if metric is None:
                panel.error = _("This metric is no longer in the catalogue.")
            else:
                panel.subtitle = self._subtitle(panel)
                panel.ignored_filters = self._filters_for(metric)[1]
                try:
                    if widget.chart == ChartType.TILE:
                        keys = self._tile_keys(metric)
                    else:
                        keys = {"chart": self._chart_key(metric, widget.chart, panel.slice_key)}
                except MetricQueryError as error:
                    panel.error = str(error.message)
            planned.append((panel, metric, keys))
        self.queries_run = self.plan.run(self.actor, self.now)
        stages = self._stages() if any(p.chart == ChartType.FUNNEL and not p.error for p, _m, _k in planned) else None
        panels = []
        for panel, metric, keys in planned:
            if metric is not None and not panel.error:
                if panel.chart == ChartType.TILE:
                    panel.tile = self._tile(metric, keys)
                elif panel.chart == ChartType.FUNNEL:
                    self._funnel(panel, metric, keys["chart"], stages or ({}, {}))
                else:
                    self._chart(panel, metric, keys["chart"])
            panels.append(panel)
        return panels

    def _subtitle(self, panel: Panel) -> str:
        if panel.chart == ChartType.TILE:
            return ""
        if panel.chart == ChartType.FUNNEL:
            return _("by stage")
        slice_ = slice_get(panel.slice_key) if panel.slice_key else None
        if panel.chart == ChartType.LINE or slice_ is None:
            over_time = _("over time")
            return f"{over_time} · {slice_.name}" if slice_ is not None else over_time
        return _("by %(slice)s") % {"slice": str(slice_.name).lower()}

    def _fmt(self, metric: Metric, value: Any, *, whole: bool = False) -> str:
        return format_value(metric.unit, value, currency=self.currency, language=self.language, whole=whole)

    def _links(self, metric: Metric, key: QueryKey) -> DrillLinks:
        return DrillLinks(self.drill_base, metric, key)

    def _tile(self, metric: Metric, keys: dict[str, QueryKey]) -> Tile:
        window = self.window
        total_key = QueryKey(window.start, window.end, Granularity.TOTAL, (), self._filters_for(metric)[0])
        drill = self._links(metric, total_key)("total")
        today = self.now.astimezone(ZoneInfo(self.actor.workspace.time_zone)).date()
        in_progress = window.start <= today <= window.end
        if "previous" in keys:
            previous = self.plan.result(keys["previous"], metric.key).value(metric.key)
            last_year = self.plan.result(keys["last_year"], metric.key).value(metric.key)
            spark_result = self.plan.result(keys["spark"], metric.key)
            spark = [spark_result.value(metric.key, bucket.key) for bucket in spark_result.buckets]
            if "value" in keys:
                current = self.plan.result(keys["value"], metric.key).value(metric.key)
            else:  # buckets partition the period and an empty one is zero: they add up to the total
                current = sum((v for v in spark if v is not None), start=Decimal(0) if metric.unit is Unit.MONEY
                              else 0)
        else:  # a snapshot: no history to compare with
            value = self.plan.result(keys["value"], metric.key).value(metric.key)
            return Tile(value=value, value_text=self._fmt(metric, value, whole=True), drill_url=drill)
        return Tile(
            value=current, value_text=self._fmt(metric, current, whole=True),
            previous_text=self._fmt(metric, previous, whole=True), vs_previous=change(metric, current, previous),
            last_year_text=self._fmt(metric, last_year, whole=True), vs_last_year=change(metric, current, last_year),
            sparkline=sparkline_points(spark), drill_url=drill, in_progress=in_progress,
        )

    def _chart(self, panel: Panel, metric: Metric, key: QueryKey) -> None:
        result = self.plan.result(key, metric.key)
        links = self._links(metric, key)
        over_time = key.granularity != Granularity.TOTAL
        if panel.chart in (ChartType.LINE, ChartType.BAR) and over_time:
            panel.figure = figure_over_time(result, metric.key, kind=panel.chart, drill=links,
                                            currency=self.currency, language=self.language)
        elif panel.chart == ChartType.BAR:
            panel.figure = figure_by_slice(result, metric.key, drill=links, currency=self.currency,
                                           language=self.language)
        if over_time:
            rows = [
                TableRow(f"{bucket} · {series.name}" if key.slices else bucket, self._fmt(metric, value),
                         links(bucket, series.slices))
                for series in series_over_time(result, metric.key)
                for bucket, value in zip([b.key for b in result.buckets], series.values, strict=True)
            ]
            panel.rows_heading = _("Period")
        else:
            rows = [TableRow(item.label, self._fmt(metric, item.value), links("total", item.slices))
                    for item in values_by_slice(result, metric.key)]
            slice_ = slice_get(panel.slice_key)
            panel.rows_heading = str(slice_.name) if slice_ else ""
        panel.more_rows = max(len(rows) - TABLE_ROWS, 0)
        panel.rows = rows[:TABLE_ROWS]

    def _stages(self) -> tuple[dict[int, StageInfo], dict[int, list[int]]]:
        stages: dict[int, StageInfo] = {}
        ladders: dict[int, list[int]] = defaultdict(list)
        rows = (Stage.objects.filter(workspace_id=self.actor.workspace.pk, kind__in=[StageKind.OPEN, StageKind.WON])
                .order_by("pipeline__order", "pipeline_id", "order", "pk")
                .values_list("pk", "pipeline_id", "pipeline__name", "order", "name"))
        for stage_id, pipeline_id, pipeline_name, order, name in rows:
            stages[stage_id] = StageInfo(pipeline_id, pipeline_name, order, name)
            ladders[pipeline_id].append(stage_id)
        return stages, dict(ladders)

    def _funnel(self, panel: Panel, metric: Metric, key: QueryKey,
                stages: tuple[dict[int, StageInfo], dict[int, list[int]]]) -> None:
        result = self.plan.result(key, metric.key)
        steps = funnel_steps(result, metric.key, stages[0], stages[1])
        if not steps:
            return
        panel.figure = figure_funnel(steps, language=self.language)
        panel.rows_heading = _("Stage")
        panel.rows = [
            TableRow(f"{step.pipeline}: {step.stage}" if len({s.pipeline for s in steps}) > 1 else step.stage,
                     _("%(reached)s of the first stage; %(step)s from the previous one") % {
                         "reached": self._fmt(metric, step.reached), "step": self._fmt(metric, step.conversion)})
            for step in steps
        ]


def dashboard_panels(*, actor: Actor, widgets: Sequence[Any], window: Window, filters: Filters,
                     now: dt.datetime | None = None) -> list[Panel]:
    """The panels of a dashboard for this viewer: every number through the metric engine, their visibility."""
    return Builder(actor=actor, window=window, filters=filters, now=now).build(widgets)
