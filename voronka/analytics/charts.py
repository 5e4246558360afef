"""Plotly figures built from metric results, as JSON-ready dicts for analytics/charts.js.

Every figure is made with plotly.graph_objects and handed to the browser as data, never as
script (the CSP allows no inline script). A page shows one with two elements:

    <div class="plotly-chart" data-figure="fig-3" role="img" aria-label="{{ title }}"></div>
    {{ figure|json_script:"fig-3" }}

and loads `{% plotly_script %}` (core's voronka_ui) and `{% static 'analytics/charts.js' %}` in
`{% block scripts %}`, and plotly's stylesheets in `{% block head %}` (plotly.js would otherwise add
inline <style> elements, which the CSP refuses):

    {% include "analytics/dashboard_plotly_head.html" %}

with `plotly_maplibre_id` (views/dashboard_plotly.py `plotly_maplibre_id()`) in the context.

plotly.js itself is served by staticfiles from the plotly package (STATICFILES_DIRS "plotly").
charts.js also renders `<script type="application/json" class="plotly-figure" data-target="<div id>">`.
A point whose customdata is a same-site path ("/…") opens it on click:
that is how a chart drills down to the rows behind a number (pass `drill`).

Values are shown exactly as the engine returned them; money is formatted with core.money in the
workspace currency and the current language, ratios as percentages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from voronka.core.money import Money
from voronka.metrics.catalogue import Metric, Unit, metric_get
from voronka.metrics.engine import MetricResult

# (bucket key, slice values in query order) → a drill-down URL, or None where there is none.
DrillUrl = Callable[[str, tuple[Any, ...]], str | None]

COLORS = ["#0d6efd", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#dc3545", "#0dcaf0", "#6c757d", "#d63384",
          "#ffc107"]
_ZERO_MINOR = re.compile(r"[.,]0+(?=\D*$)")


# ---- numbers as people read them ----------------------------------------------------------------

def _language(language: str | None) -> str:
    return language or get_language() or "en"


def plain_number(value: Any) -> float | None:
    """A value plotly can plot (Decimal → float); None stays a gap."""
    if value is None:
        return None
    return float(value)


def _number(value: Any, decimals: int) -> str:
    # number_format cuts digits off; round half to even first, as money is shown.
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals))
    return formats.number_format(rounded, decimals, use_l10n=True, force_grouping=True)


def format_value(unit: Unit, value: Any, *, currency: str = "RUB", language: str | None = None,
                 whole: bool = False) -> str:
    """A metric value for display: money in the currency, a ratio as %, days with one decimal; None is "—"."""
    if value is None:
        return "—"
    if unit is Unit.MONEY:
        amount = Decimal(str(value))
        if whole:
            amount = amount.quantize(Decimal(1))
        text = Money(amount, currency).format(_language(language))
        return _ZERO_MINOR.sub("", text) if whole else text
    if unit is Unit.RATIO:
        return _("%(value)s%%") % {"value": _number(float(value) * 100, 1)}
    if unit is Unit.DAYS:
        return _("%(value)s d") % {"value": _number(float(value), 1)}
    return _number(value, 0)


def format_change(change: float | None, *, points: bool = False) -> str:
    """A change with its sign: "+12.5%" (relative) or "+3.1 pp" (percentage points, for ratios)."""
    if change is None:
        return "—"
    sign = "+" if change > 0 else ("−" if change < 0 else "±")
    if points:
        return _("%(sign)s%(value)s pp") % {"sign": sign, "value": _number(abs(change) * 100, 1)}
    return _("%(sign)s%(value)s%%") % {"sign": sign, "value": _number(abs(change) * 100, 1)}


# ---- figures ------------------------------------------------------------------------------------

def _layout(*, height: int, language: str | None, show_legend: bool = False, **extra: Any) -> dict[str, Any]:
    russian = _language(language).startswith("ru")
    layout: dict[str, Any] = {
        "height": height,
        "margin": {"l": 8, "r": 8, "t": 8, "b": 8},
        "autosize": True,
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "size": 12,
                 "color": "#212529"},
        "colorway": COLORS,
        "separators": ", " if russian else ".,",
        "showlegend": show_legend,
        "hovermode": "closest",
        "xaxis": {"automargin": True, "gridcolor": "#e9ecef", "zeroline": False},
        "yaxis": {"automargin": True, "gridcolor": "#e9ecef", "zerolinecolor": "#ced4da"},
    }
    if show_legend:
        layout["legend"] = {"orientation": "h", "y": -0.2, "x": 0}
    layout.update(extra)
    return layout


def figure_dict(figure: go.Figure) -> dict[str, Any]:
    """The figure as plain data for json_script, without plotly's default template (7 KB each)."""
    data = figure.to_plotly_json()
    data["layout"].pop("template", None)
    return {"data": data["data"], "layout": data["layout"]}


def _metric(key: str) -> Metric:
    metric = metric_get(key)
    if metric is None:
        raise LookupError(key)
    return metric


def _axis_format(metric: Metric) -> dict[str, Any]:
    if metric.unit is Unit.RATIO:
        return {"tickformat": ".0%", "rangemode": "tozero"}
    return {"rangemode": "tozero"}


def _drill(drill: DrillUrl | None, bucket: str, slices: tuple[Any, ...]) -> str:
    return (drill(bucket, slices) or "") if drill else ""


def slice_label(result: MetricResult, slice_key: str, raw: Any) -> str:
    """A slice value's label; rows without one (no channel, no owner) say so."""
    if raw in (None, ""):
        return _("(not set)")
    return result.label(slice_key, raw)


def _combo_label(result: MetricResult, combo: tuple[Any, ...]) -> str:
    return " · ".join(slice_label(result, key, value) for key, value in zip(result.query.slices, combo, strict=True))


@dataclass(frozen=True)
class Series:
    """One line or bar series of a chart over time."""

    name: str
    slices: tuple[Any, ...]
    values: list[Any]


def series_over_time(result: MetricResult, metric_key: str, *, max_series: int = 8) -> list[Series]:
    """The metric's value in each bucket, one series per slice combination (the largest first)."""
    buckets = [b.key for b in result.buckets] or ["total"]
    by_combo: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in result.rows:
        by_combo.setdefault(row.slices, {})[row.bucket] = row.values.get(metric_key)
    series = []
    for combo, values in by_combo.items():
        name = _combo_label(result, combo)
        series.append(Series(name or str(_metric(metric_key).name), combo, [values.get(b) for b in buckets]))
    if len(series) > max_series:
        series.sort(key=lambda s: -sum(abs(float(v)) for v in s.values if v is not None))
        series = series[:max_series]
    return series


def figure_over_time(result: MetricResult, metric_key: str, *, kind: str = "line", drill: DrillUrl | None = None,
                     currency: str = "RUB", language: str | None = None, height: int = 300,
                     max_series: int = 8) -> dict[str, Any]:
    """A line or bar chart of one metric by time bucket; with slices, one series per slice value."""
    metric = _metric(metric_key)
    buckets = [b.key for b in result.buckets] or ["total"]
    figure = go.Figure()
    all_series = series_over_time(result, metric_key, max_series=max_series)
    for series in all_series:
        text = [format_value(metric.unit, v, currency=currency, language=language) for v in series.values]
        common = {
            "x": buckets, "y": [plain_number(v) for v in series.values], "name": series.name, "text": text,
            "customdata": [_drill(drill, b, series.slices) for b in buckets],
            "hovertemplate": "%{x}<br>%{text}<extra>" + (series.name if len(all_series) > 1 else "") + "</extra>",
        }
        if kind == "bar":
            figure.add_trace(go.Bar(textposition="none", **common))
        else:
            figure.add_trace(go.Scatter(mode="lines+markers", connectgaps=False, **common))
    layout = _layout(height=height, language=language, show_legend=len(all_series) > 1,
                     barmode="group")
    layout["xaxis"].update({"type": "category", "tickangle": 0, "nticks": 6})
    layout["yaxis"].update(_axis_format(metric))
    figure.update_layout(layout)
    return figure_dict(figure)


@dataclass(frozen=True)
class SliceValue:
    label: str
    slices: tuple[Any, ...]
    value: Any


def values_by_slice(result: MetricResult, metric_key: str, *, bucket: str = "total",
                    limit: int | None = None) -> list[SliceValue]:
    """One bucket's value per slice combination, the largest first (undefined values last)."""
    found = [
        SliceValue(_combo_label(result, row.slices), row.slices, row.values.get(metric_key))
        for row in result.rows if row.bucket == bucket
    ]
    found.sort(key=lambda item: (item.value is None, -(float(item.value) if item.value is not None else 0),
                                 item.label))
    return found[:limit] if limit else found


def figure_by_slice(result: MetricResult, metric_key: str, *, drill: DrillUrl | None = None, currency: str = "RUB",
                    language: str | None = None, limit: int = 15, height: int | None = None) -> dict[str, Any]:
    """A horizontal bar per slice value (total of the period), the largest on top."""
    metric = _metric(metric_key)
    items = [item for item in values_by_slice(result, metric_key, limit=limit) if item.value is not None]
    items.reverse()  # plotly draws the first category at the bottom
    figure = go.Figure(go.Bar(
        orientation="h",
        x=[plain_number(item.value) for item in items],
        y=[item.label for item in items],
        text=[format_value(metric.unit, item.value, currency=currency, language=language) for item in items],
        textposition="none",
        customdata=[_drill(drill, "total", item.slices) for item in items],
        hovertemplate="%{y}<br>%{text}<extra></extra>",
        marker={"color": COLORS[0]},
    ))
    layout = _layout(height=height or max(160, 40 + 26 * len(items)), language=language)
    layout["yaxis"].update({"type": "category", "automargin": True, "gridcolor": "rgba(0,0,0,0)"})
    layout["xaxis"].update(_axis_format(metric))
    figure.update_layout(layout)
    return figure_dict(figure)


@dataclass(frozen=True)
class FunnelStep:
    """A stage of a pipeline's funnel: the share of the first stage's deals that reached it."""

    pipeline: str
    stage: str
    reached: float | None  # of the deals that entered the first stage, the share that reached this one
    conversion: float | None  # of the deals that reached the previous stage, the share that reached this one


@dataclass(frozen=True)
class StageInfo:
    pipeline_id: int
    pipeline: str
    order: int
    name: str


def funnel_steps(result: MetricResult, metric_key: str, stages: Mapping[int, StageInfo],
                 ladders: Mapping[int, Sequence[int]]) -> list[FunnelStep]:
    """Chain a stage-conversion result into funnel steps, one pipeline after another.

    `ladders` lists each pipeline's open and won stages in order; the result holds, for every
    stage but the last, the share of deals that reached it and moved on to the next one.
    """
    stage_index = result.query.slices.index("stage")
    conversion: dict[int, Any] = {}
    for row in result.rows:
        if row.bucket == "total":
            conversion[row.slices[stage_index]] = row.values.get(metric_key)
    steps: list[FunnelStep] = []
    for ladder in ladders.values():
        if not any(stage_id in conversion for stage_id in ladder):
            continue
        reached: float | None = 1.0
        previous: Any = None
        for position, stage_id in enumerate(ladder):
            info = stages[stage_id]
            step_conversion = None if position == 0 else previous
            if position > 0:
                reached = None if reached is None or previous is None else reached * float(previous)
            steps.append(FunnelStep(info.pipeline, info.name, reached,
                                    None if step_conversion is None else float(step_conversion)))
            previous = conversion.get(stage_id)
    return steps


def figure_funnel(steps: Sequence[FunnelStep], *, language: str | None = None,
                  height: int | None = None) -> dict[str, Any]:
    """One funnel per pipeline: the width of a stage is the share of the first stage's deals that reached it."""
    figure = go.Figure()
    pipelines = list(dict.fromkeys(step.pipeline for step in steps))
    for index, pipeline in enumerate(pipelines):
        own = [step for step in steps if step.pipeline == pipeline and step.reached is not None]
        figure.add_trace(go.Funnel(
            name=pipeline,
            y=[step.stage for step in own],
            x=[round(step.reached * 100, 1) for step in own if step.reached is not None],
            text=[format_value(Unit.RATIO, step.reached, language=language) for step in own],
            textinfo="text",
            customdata=[format_value(Unit.RATIO, step.conversion, language=language) for step in own],
            hovertemplate="%{y}<br>%{text}<br>" + _("from the previous stage") + ": %{customdata}<extra>"
                          + pipeline + "</extra>",
            marker={"color": COLORS[index % len(COLORS)]},
        ))
    rows = max((len([s for s in steps if s.pipeline == p]) for p in pipelines), default=1)
    layout = _layout(height=height or max(200, 60 + 44 * rows), language=language, show_legend=len(pipelines) > 1)
    layout["yaxis"].update({"type": "category", "gridcolor": "rgba(0,0,0,0)"})
    figure.update_layout(layout)
    return figure_dict(figure)


def sparkline_points(values: Sequence[Any], *, width: int = 100, height: int = 28, pad: float = 2.0) -> str:
    """Points of an SVG polyline for a sparkline ("x,y x,y …"); gaps (None) are left out."""
    known = [(i, float(v)) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    low = min(v for _, v in known)
    high = max(v for _, v in known)
    span = high - low or 1.0
    step = (width - 2 * pad) / max(len(values) - 1, 1)
    return " ".join(
        f"{pad + i * step:.1f},{height - pad - (v - low) / span * (height - 2 * pad):.1f}" for i, v in known
    )
