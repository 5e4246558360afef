"""Charts of the report builder and the channel comparison, on top of analytics/charts.py.

Metric results are drawn by charts.py (figure_by_slice, figure_over_time), which also makes a
click on a bar or point open its drill-down; the channel comparison's derived figures (costs,
CAC, ROI), which are not one metric, are drawn here with the same look.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import plotly.graph_objects as go

from voronka.metrics.buckets import Granularity
from voronka.metrics.catalogue import Unit, metric_get
from voronka.metrics.engine import MetricResult

from .charts import COLORS, figure_by_slice, figure_dict, figure_over_time, format_value, plain_number
from .report_table import metric_header

MAX_CHARTS = 4
Drill = Callable[[str, str, tuple[Any, ...]], str | None]  # (metric key, bucket, slice values) → URL


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    figure: dict[str, Any]


def report_charts(result: MetricResult, *, currency: str, drill: Drill | None = None,
                  prefix: str = "report-chart") -> list[Chart]:
    """One chart per metric (the first four): bars for a breakdown, lines for a series over time.

    A total without a breakdown is one number per metric: the table says it all, no chart.
    """
    query = result.query
    if query.granularity is Granularity.TOTAL and not query.slices:
        return []
    charts = []
    for index, key in enumerate(query.metrics[:MAX_CHARTS]):
        metric = metric_get(key)
        if metric is None:
            continue
        link = None
        if drill is not None and metric.drill is not None:
            def link(bucket: str, slices: tuple[Any, ...], key: str = key) -> str | None:
                return drill(key, bucket, slices)
        if query.granularity is Granularity.TOTAL:
            figure = figure_by_slice(result, key, drill=link, currency=currency, limit=20)
        else:
            figure = figure_over_time(result, key, drill=link, currency=currency)
        charts.append(Chart(id=f"{prefix}-{index}", title=metric_header(metric, currency), figure=figure))
    return charts


def derived_bar_figure(labels: Sequence[str], values: Sequence[Any], *, unit: Unit, currency: str,
                       links: Sequence[str | None] | None = None, color: int = 0) -> dict[str, Any]:
    """A horizontal bar per label for a figure that is not one metric (CAC, ROI), the largest on top."""
    items = [(label, value, (links or [None] * len(labels))[i])
             for i, (label, value) in enumerate(zip(labels, values, strict=True)) if value is not None]
    items.sort(key=lambda item: float(item[1]))  # plotly draws the first category at the bottom
    figure = go.Figure(go.Bar(
        orientation="h",
        x=[float(value) * 100 if unit is Unit.RATIO else plain_number(value) for _label, value, _link in items],
        y=[label for label, _value, _link in items],
        text=[format_value(unit, value, currency=currency) for _label, value, _link in items],
        textposition="none",
        customdata=[link or "" for _label, _value, link in items],
        hovertemplate="%{y}<br>%{text}<extra></extra>",
        marker={"color": COLORS[color % len(COLORS)]},
    ))
    figure.update_layout({
        "height": max(160, 40 + 26 * len(items)), "margin": {"l": 8, "r": 8, "t": 8, "b": 8}, "autosize": True,
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)", "showlegend": False,
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12,
                 "color": "#212529"},
        "xaxis": {"automargin": True, "gridcolor": "#e9ecef", "zerolinecolor": "#adb5bd",
                  **({"ticksuffix": "%"} if unit is Unit.RATIO else {})},
        "yaxis": {"automargin": True, "type": "category"},
    })
    return figure_dict(figure)
