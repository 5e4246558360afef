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
MAX_SLICES_IN_FILTERS = 10
MAX_KEYS = 100  # metrics or slices read from one request; more are refused by the limits below anyway
MAX_TEXT_FILTER = 200
# Dates the engine can turn into UTC bounds in any time zone, with room for a bucket past the end.
MIN_DATE = dt.date(1900, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)


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


def _listed(keys: list[str]) -> str:
    """Keys a client sent, quoted back in a message: a few, each cut short."""
    return ", ".join(key[:60] for key in keys[:5])


def _as_date(value: Any, field_name: str) -> dt.date:
    day: dt.date | None = None
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    elif isinstance(value, str) and len(value) <= 32:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            day = None
    if day is None:
        raise _fail("invalid_date", field_name, _("Enter a date as YYYY-MM-DD."))
    if not MIN_DATE <= day <= MAX_DATE:
        raise _fail("invalid_date", field_name,
                    _("Enter a date between %(first)s and %(last)s.")
                    % {"first": MIN_DATE.isoformat(), "last": MAX_DATE.isoformat()})
    return day


def _keys(values: Any, field_name: str, code: str, message: Any) -> tuple[str, ...]:
    """A list of catalogue keys from a client: strings only, each named at most once, in order."""
    if isinstance(values, str) or not isinstance(values, Iterable) or isinstance(values, Mapping):
        raise _fail(code, field_name, message)
    keys: list[str] = []
    for index, value in enumerate(values):
        if index >= MAX_KEYS:
            break
        if not isinstance(value, str):
            raise _fail(code, field_name, message)
        keys.append(value)
    return tuple(dict.fromkeys(keys))


_INT_MAX = 2**63 - 1


def _coerce_one(value_type: type, value: Any) -> Any:
    if value is None:
        return None
    if value_type is int:
        if isinstance(value, bool):
            raise ValueError(value)
        if isinstance(value, str):
            value = value.strip()
            if not value.lstrip("-").isdigit() or len(value) > 20:
                raise ValueError(value)
            value = int(value)
        if not isinstance(value, int) or not -_INT_MAX <= value <= _INT_MAX:
            raise ValueError(value)
        return value
    if not isinstance(value, str) or len(value) > MAX_TEXT_FILTER or "\x00" in value:
        raise ValueError(value)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(value) from None
    return value


def _coerce(key: str, values: tuple[Any, ...]) -> tuple[Any, ...]:
    slice_ = slice_get(key)
    assert slice_ is not None  # noqa: S101 — checked by the caller
    try:
        return tuple(_coerce_one(slice_.value_type, v) for v in values)
    except ValueError:
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
    metric_keys = _keys(metrics, "metrics", "unknown_metric", _("Name metrics by their keys."))
    if not metric_keys:
        raise _fail("no_metrics", "metrics", _("Choose at least one metric."))
    if len(metric_keys) > MAX_METRICS:
        raise _fail("too_many_metrics", "metrics", _("Choose at most %(n)d metrics.") % {"n": MAX_METRICS})
    unknown = [key for key in metric_keys if metric_get(key) is None]
    if unknown:
        raise _fail("unknown_metric", "metrics", _("Unknown metric: %(keys)s.") % {"keys": _listed(unknown)})

    slice_keys = _keys(slices, "slices", "unknown_slice", _("Name slices by their keys."))
    if len(slice_keys) > MAX_SLICES:
        raise _fail("too_many_slices", "slices", _("Break down by at most %(n)d slices.") % {"n": MAX_SLICES})
    unknown = [key for key in slice_keys if slice_get(key) is None]
    if unknown:
        raise _fail("unknown_slice", "slices", _("Unknown slice: %(keys)s.") % {"keys": _listed(unknown)})

    try:
        grain = Granularity(granularity) if isinstance(granularity, str) else None
    except ValueError:
        grain = None
    if grain is None:
        raise _fail("unknown_granularity", "granularity",
                    _("Granularity must be one of: %(choices)s.") % {"choices": ", ".join(Granularity)})

    start, end = _as_date(date_from, "date_from"), _as_date(date_to, "date_to")
    if end < start:
        raise _fail("period_ends_before_start", "date_to", _("The period ends before it starts."))
    if bucket_count(grain, start, end + dt.timedelta(days=1)) > MAX_BUCKETS:
        raise _fail("too_many_buckets", "granularity",
                    _("This period has too many %(grain)s buckets; choose a coarser granularity.")
                    % {"grain": grain.value})

    if filters is not None and not isinstance(filters, Mapping):
        raise _fail("invalid_filter", "filters", _("Filters map a slice to a list of values."))
    if len(filters or {}) > MAX_SLICES_IN_FILTERS:
        raise _fail("invalid_filter", "filters", _("Filter by at most %(n)d slices.") % {"n": MAX_SLICES_IN_FILTERS})
    clean_filters: dict[str, tuple[Any, ...]] = {}
    for key, values in (filters or {}).items():
        if not isinstance(key, str) or slice_get(key) is None:
            raise _fail("unknown_slice", "filters", _("Unknown filter: %(key)s.") % {"key": str(key)[:100]})
        as_tuple = tuple(values) if isinstance(values, list | tuple) else (values,)
        if not as_tuple or len(as_tuple) > MAX_FILTER_VALUES:
            raise _fail("invalid_filter", "filters",
                        _("A filter needs between 1 and %(n)d values.") % {"n": MAX_FILTER_VALUES})
        clean_filters[key] = _coerce(key, as_tuple)

    for key in metric_keys:
        metric = metric_get(key)
        assert metric is not None  # noqa: S101 — checked above
        for field_name, used in (("slices", slice_keys), ("filters", tuple(clean_filters))):
            unsupported = sorted(set(used) - metric.slices)
            if unsupported:
                raise _fail("slice_not_supported", field_name,
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
