"""A metric result as plain JSON-ready data, the same for the API and the pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .catalogue import Metric, metric_get, slice_get
from .engine import MetricResult


def metric_as_dict(metric: Metric) -> dict[str, Any]:
    return {
        "key": metric.key, "name": str(metric.name), "description": str(metric.description),
        "unit": metric.unit.value, "direction": metric.direction.value, "slices": sorted(metric.slices),
        "required_slices": sorted(metric.required_slices), "time_series": not metric.is_snapshot,
        "drill_down": metric.drill is not None,
    }


def _json_number(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value


def result_as_dict(result: MetricResult) -> dict[str, Any]:
    query = result.query
    return {
        "metrics": [metric_as_dict(m) for key in query.metrics if (m := metric_get(key))],
        "slices": [{"key": key, "name": str(s.name)} for key in query.slices if (s := slice_get(key))],
        "granularity": query.granularity.value,
        "date_from": query.date_from.isoformat(),
        "date_to": query.date_to.isoformat(),
        "as_of": result.as_of.isoformat(),
        "buckets": [{"key": b.key, "start": b.start.isoformat(), "end": b.end.isoformat()} for b in result.buckets],
        "rows": [
            {
                "bucket": row.bucket,
                "slices": {key: {"value": value, "label": result.label(key, value)}
                           for key, value in zip(query.slices, row.slices, strict=True)},
                "values": {key: _json_number(value) for key, value in row.values.items()},
            }
            for row in result.rows
        ],
    }
