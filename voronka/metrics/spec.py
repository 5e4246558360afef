"""A metric query as the API and the pages send it, checked against the catalogue.

Errors name the field at fault with a stable code, so the API answers 422 with
`{"code": "...", "fields": {...}}` and a form can show the message next to the input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from voronka.core.errors import ApplicationError

from .buckets import MAX_BUCKETS, Granularity, bucket_count
from .catalogue import Metric, metric_get, slice_get

MAX_METRICS = 20
MAX_SLICES = 3
MAX_FILTER_VALUES = 500


class MetricQueryError(ApplicationError):
    status = 422


@dataclass(frozen=True)
class MetricQuery:
    metrics: tuple[str, ...]
    date_from: dt.date  # inclusive, local
    date_to: dt.date  # inclusive, local
    slices: tuple[str, ...] = ()
    granularity: Granularity = Granularity.TOTAL
    filters: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

    @property
    def end_exclusive(self) -> dt.date:
        return self.date_to + dt.timedelta(days=1)

    def catalogue_metrics(self) -> list[Metric]:
        return [m for key in self.metrics if (m := metric_get(key)) is not None]


def _fail(code: str, field_name: str, message: Any) -> MetricQueryError:
    return MetricQueryError(message, code=code, fields={field_name: [str(message)]})


def _as_date(value: Any, field_name: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _fail("invalid_date", field_name, _("Enter a date as YYYY-MM-DD.")) from None


def _coerce(key: str, values: tuple[Any, ...]) -> tuple[Any, ...]:
    slice_ = slice_get(key)
    assert slice_ is not None  # noqa: S101 — checked by the caller
    try:
        return tuple(slice_.value_type(v) if v is not None else None for v in values)
    except (TypeError, ValueError):
        raise _fail("invalid_filter", "filters",
                    _("Filter %(key)s has a value of the wrong type.") % {"key": key}) from None


def metric_query_build(
    *,
    metrics: Iterable[str],
    date_from: Any,
    date_to: Any,
    slices: Iterable[str] = (),
    granularity: str = Granularity.TOTAL,
    filters: Mapping[str, Iterable[Any]] | None = None,
) -> MetricQuery:
    """Check a query against the catalogue; raises MetricQueryError naming the bad field."""
    metric_keys = tuple(dict.fromkeys(metrics))
    if not metric_keys:
        raise _fail("no_metrics", "metrics", _("Choose at least one metric."))
    if len(metric_keys) > MAX_METRICS:
        raise _fail("too_many_metrics", "metrics", _("Choose at most %(n)d metrics.") % {"n": MAX_METRICS})
    unknown = [key for key in metric_keys if metric_get(key) is None]
    if unknown:
        raise _fail("unknown_metric", "metrics", _("Unknown metric: %(keys)s.") % {"keys": ", ".join(unknown)})

    slice_keys = tuple(dict.fromkeys(slices))
    if len(slice_keys) > MAX_SLICES:
        raise _fail("too_many_slices", "slices", _("Break down by at most %(n)d slices.") % {"n": MAX_SLICES})
    unknown = [key for key in slice_keys if slice_get(key) is None]
    if unknown:
        raise _fail("unknown_slice", "slices", _("Unknown slice: %(keys)s.") % {"keys": ", ".join(unknown)})

    try:
        grain = Granularity(granularity)
    except ValueError:
        raise _fail("unknown_granularity", "granularity",
                    _("Granularity must be one of: %(choices)s.") % {"choices": ", ".join(Granularity)}) from None

    start, end = _as_date(date_from, "date_from"), _as_date(date_to, "date_to")
    if end < start:
        raise _fail("period_ends_before_start", "date_to", _("The period ends before it starts."))
    if bucket_count(grain, start, end + dt.timedelta(days=1)) > MAX_BUCKETS:
        raise _fail("too_many_buckets", "granularity",
                    _("This period has too many %(grain)s buckets; choose a coarser granularity.")
                    % {"grain": grain.value})

    clean_filters: dict[str, tuple[Any, ...]] = {}
    for key, values in (filters or {}).items():
        if slice_get(key) is None:
            raise _fail("unknown_slice", "filters", _("Unknown filter: %(key)s.") % {"key": key})
        as_tuple = tuple(values) if isinstance(values, list | tuple | set | frozenset) else (values,)
        if not as_tuple or len(as_tuple) > MAX_FILTER_VALUES:
            raise _fail("invalid_filter", "filters",
                        _("A filter needs between 1 and %(n)d values.") % {"n": MAX_FILTER_VALUES})
        clean_filters[key] = _coerce(key, as_tuple)

    used = set(slice_keys) | set(clean_filters)
    for key in metric_keys:
        metric = metric_get(key)
        assert metric is not None  # noqa: S101 — checked above
        unsupported = sorted(used - metric.slices)
        if unsupported:
            raise _fail("slice_not_supported", "slices",
                        _("%(metric)s cannot be broken down by %(slices)s.")
                        % {"metric": metric.name, "slices": ", ".join(unsupported)})
        missing = sorted(metric.required_slices - set(slice_keys))
        if missing:
            raise _fail("slice_required", "slices",
                        _("%(metric)s needs the slice %(slices)s.")
                        % {"metric": metric.name, "slices": ", ".join(missing)})
        if metric.is_snapshot and grain is not Granularity.TOTAL:
            raise _fail("metric_is_snapshot", "granularity",
                        _("%(metric)s is a snapshot of today; it has no history by %(grain)s.")
                        % {"metric": metric.name, "grain": grain.value})
    return MetricQuery(metrics=metric_keys, date_from=start, date_to=end, slices=slice_keys, granularity=grain,
                       filters=clean_filters)
