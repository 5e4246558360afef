"""A report as the builder, a saved report and a weekly email describe it, and its way to a metric query.

The spec is what a saved report keeps (JSON) and what the builder's query string carries; the
metric catalogue (`metric_query_build`) judges it and names the field at fault.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from voronka.metrics.buckets import Granularity
from voronka.metrics.catalogue import slice_get
from voronka.metrics.spec import MetricQuery, metric_query_build

from .report_periods import CUSTOM, PRESETS, preset_range

FILTER_PREFIX = "f_"
DEFAULT_PERIOD = "last_30_days"


@dataclass(frozen=True)
class ReportSpec:
    metrics: tuple[str, ...]
    slices: tuple[str, ...] = ()
    granularity: str = Granularity.TOTAL.value
    period: str = DEFAULT_PERIOD
    date_from: dt.date | None = None  # custom periods only
    date_to: dt.date | None = None
    filters: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)

    def dates(self, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
        if self.period == CUSTOM or self.period not in PRESETS:
            return self.date_from, self.date_to
        return preset_range(self.period, today)

    def query(self, today: dt.date) -> MetricQuery:
        """The checked metric query on `today` (a local date); raises MetricQueryError naming the field."""
        date_from, date_to = self.dates(today)
        return metric_query_build(metrics=self.metrics, date_from=date_from, date_to=date_to, slices=self.slices,
                                  granularity=self.granularity, filters=dict(self.filters))

    def as_json(self) -> dict[str, Any]:
        return {
            "metrics": list(self.metrics), "slices": list(self.slices), "granularity": self.granularity,
            "period": self.period,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "filters": {key: list(values) for key, values in self.filters.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportSpec:
        """Read a stored spec; anything malformed is left for the catalogue to refuse when it runs."""

        def strings(value: Any) -> tuple[str, ...]:
            return tuple(str(v) for v in value) if isinstance(value, list | tuple) else ()

        def day(value: Any) -> dt.date | None:
            try:
                return dt.date.fromisoformat(value) if isinstance(value, str) else None
            except ValueError:
                return None

        raw_filters = data.get("filters")
        filters = {str(key): tuple(values) for key, values in raw_filters.items() if isinstance(values, list)} \
            if isinstance(raw_filters, dict) else {}
        return cls(metrics=strings(data.get("metrics")), slices=strings(data.get("slices")),
                   granularity=str(data.get("granularity") or Granularity.TOTAL.value),
                   period=str(data.get("period") or DEFAULT_PERIOD), date_from=day(data.get("date_from")),
                   date_to=day(data.get("date_to")), filters=filters)

    def as_pairs(self) -> list[tuple[str, str]]:
        """The builder's query-string pairs for this spec (links, hidden inputs of export and save forms)."""
        pairs = [("metrics", key) for key in self.metrics]
        pairs += [("slices", key) for key in self.slices]
        pairs += [("granularity", self.granularity), ("period", self.period)]
        if self.period == CUSTOM:
            pairs += [("date_from", self.date_from.isoformat() if self.date_from else ""),
                      ("date_to", self.date_to.isoformat() if self.date_to else "")]
        for key, values in self.filters.items():
            slice_ = slice_get(key)
            if slice_ is not None and slice_.value_type is str:
                pairs.append((FILTER_PREFIX + key, ", ".join(str(v) for v in values)))
            else:
                pairs += [(FILTER_PREFIX + key, str(v)) for v in values]
        return pairs
