"""Drill-down links of the reports and the channel comparison: the dashboards' drill page, same query.

The link format belongs to the drill page (dashboard_panels.DrillLinks); this only describes a
report's MetricQuery in its terms, so every number opens the rows behind it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.urls import NoReverseMatch, reverse

from voronka.metrics.catalogue import metric_get
from voronka.metrics.spec import MetricQuery

from .dashboard_panels import DrillLinks, QueryKey

Drill = Callable[[str, str, tuple[Any, ...]], str | None]  # (metric key, bucket, slice values) → URL


def drill_links(query: MetricQuery) -> Drill | None:
    """A function giving each number of `query` its drill-down URL; None while no drill page exists."""
    try:
        base = reverse("analytics:drill")
    except NoReverseMatch:
        return None
    key = QueryKey(query.date_from, query.date_to, query.granularity.value, query.slices,
                   tuple(sorted(query.filters.items())))
    per_metric: dict[str, DrillLinks] = {}

    def link(metric_key: str, bucket: str, slices: tuple[Any, ...]) -> str | None:
        metric = metric_get(metric_key)
        if metric is None or metric.drill is None:
            return None
        if metric_key not in per_metric:
            per_metric[metric_key] = DrillLinks(base, metric, key)
        return per_metric[metric_key](bucket, slices)

    return link
