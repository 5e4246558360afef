"""A metric result as a table: the report page, its CSV/XLSX export and the weekly email read the same rows.

Columns: one per slice (its label), the period when the report has a time granularity, one per
metric. The page shows text formatted like the dashboards (charts.format_value) and a drill-down
link per number; exports carry plain values: counts as integers, money as Decimal, ratios as a
percentage, days to a tenth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from voronka.metrics.buckets import Granularity
from voronka.metrics.catalogue import Metric, Unit, metric_get, slice_get
from voronka.metrics.engine import MetricResult, ResultRow

from .charts import format_value, slice_label

DrillLink = Callable[[str, str, tuple[Any, ...]], str | None]  # (metric key, bucket, slice values) → URL


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    unit: Unit | None = None  # None: a slice or the period

    @property
    def numeric(self) -> bool:
        return self.unit is not None


@dataclass(frozen=True)
class Cell:
    value: Any
    text: str
    numeric: bool = False
    drill: str | None = None


@dataclass(frozen=True)
class Table:
    columns: list[Column]
    rows: list[list[Cell]]
    total_rows: int  # before the page limit

    @property
    def truncated(self) -> bool:
        return self.total_rows > len(self.rows)


def _metrics(result: MetricResult) -> list[Metric]:
    return [m for key in result.query.metrics if (m := metric_get(key)) is not None]


def metric_header(metric: Metric, currency: str) -> str:
    if metric.unit is Unit.MONEY:
        return f"{metric.name}, {currency}"
    if metric.unit is Unit.RATIO:
        return f"{metric.name}, %"
    if metric.unit is Unit.DAYS:
        return _("%(name)s, days") % {"name": metric.name}
    return str(metric.name)


def columns_for(result: MetricResult, currency: str, *, units_in_header: bool = True) -> list[Column]:
    """Exports name the unit in the header (their cells are plain numbers); the page shows it in each cell."""
    query = result.query
    columns = [Column(f"slice:{key}", str(s.name)) for key in query.slices if (s := slice_get(key))]
    if query.granularity is not Granularity.TOTAL:
        columns.append(Column("bucket", _("Period")))
    columns += [Column(m.key, metric_header(m, currency) if units_in_header else str(m.name), m.unit)
                for m in _metrics(result)]
    return columns


def export_value(unit: Unit, value: Any) -> Any:
    """A number as a spreadsheet cell: what the header promises (%, days), exact where it can be."""
    if value is None:
        return None
    if unit is Unit.COUNT:
        return int(value)
    if unit is Unit.MONEY:
        return Decimal(value).quantize(Decimal("0.01"))
    if unit is Unit.RATIO:
        return (Decimal(repr(float(value))) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return Decimal(repr(float(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _ordered(result: MetricResult) -> list[ResultRow]:
    """A breakdown without time reads best biggest first (by the first metric); series keep time order."""
    rows = list(result.rows)
    query = result.query
    if query.granularity is Granularity.TOTAL and query.slices and query.metrics:
        first = query.metrics[0]

        def size(row: ResultRow) -> tuple[bool, float]:
            value = row.values.get(first)
            return (value is None, -float(value) if value is not None else 0.0)

        rows.sort(key=size)
    return rows


def table_from_result(result: MetricResult, *, currency: str, drill: DrillLink | None = None,
                      limit: int | None = None) -> Table:
    """The page's table: formatted cells, a drill-down link on every number that has rows behind it."""
    metrics = _metrics(result)
    query = result.query
    rows = _ordered(result)
    shown = rows if limit is None else rows[:limit]
    table_rows = []
    for row in shown:
        cells = [Cell(value, slice_label(result, key, value))
                 for key, value in zip(query.slices, row.slices, strict=True)]
        if query.granularity is not Granularity.TOTAL:
            cells.append(Cell(row.bucket, row.bucket))
        for metric in metrics:
            value = row.values.get(metric.key)
            has_rows = value is not None and (metric.unit is Unit.RATIO or value != 0)
            link = drill(metric.key, row.bucket, row.slices) if drill and metric.drill and has_rows else None
            cells.append(Cell(value, format_value(metric.unit, value, currency=currency), numeric=True, drill=link))
        table_rows.append(cells)
    return Table(columns=columns_for(result, currency, units_in_header=False), rows=table_rows,
                 total_rows=len(rows))


def export_table(result: MetricResult, *, currency: str) -> tuple[list[str], list[list[Any]]]:
    """(headers, rows) of plain values for CSV and XLSX; every row, no limit."""
    metrics = _metrics(result)
    query = result.query
    headers = [c.label for c in columns_for(result, currency)]
    out = []
    for row in _ordered(result):
        line: list[Any] = [slice_label(result, key, value)
                           for key, value in zip(query.slices, row.slices, strict=True)]
        if query.granularity is not Granularity.TOTAL:
            line.append(row.bucket)
        line += [export_value(m.unit, row.values.get(m.key)) for m in metrics]
        out.append(line)
    return headers, out
