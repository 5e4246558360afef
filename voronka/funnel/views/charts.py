"""plotly figures of the funnel pages, built in Python and handed to the page as JSON (no inline script)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from ..selectors.forecast import ForecastReport
from ..selectors.funnel import FunnelReport
from ..text import short_money
from ._common import figure_json

COLORS = {"flow": "#0d6efd", "lost": "#dc3545", "open": "#adb5bd", "won": "#198754", "band": "rgba(13,110,253,0.15)"}
LAYOUT: dict[str, Any] = {"margin": {"l": 10, "r": 10, "t": 30, "b": 10}, "height": 360,
                          "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",
                          "font": {"family": "system-ui, sans-serif", "size": 12}}


def _layout(**extra: Any) -> dict[str, Any]:
    return {**LAYOUT, **extra}


def funnel_chart(report: FunnelReport) -> dict[str, Any]:
    steps = report.result.steps
    figure = go.Figure(go.Funnel(
        y=[s.name for s in steps], x=[s.reached for s in steps], textinfo="value+percent initial",
        marker={"color": [COLORS["won"] if s.is_won else COLORS["flow"] for s in steps]},
    ))
    return figure_json(figure.update_layout(**_layout(title=_("Deals reaching each stage"))))


def sankey_chart(report: FunnelReport) -> dict[str, Any]:
    nodes, links = report.result.sankey()
    labels = [*nodes[:-2], _("Lost"), _("Still open")]
    node_colors = [COLORS["flow"]] * (len(nodes) - 3) + [COLORS["won"], COLORS["lost"], COLORS["open"]]
    link_colors = ["rgba(220,53,69,0.35)" if target == len(nodes) - 2 else
                   "rgba(173,181,189,0.45)" if target == len(nodes) - 1 else "rgba(13,110,253,0.25)"
                   for _source, target, _value in links]
    figure = go.Figure(go.Sankey(
        arrangement="snap",
        node={"label": labels, "color": node_colors, "pad": 18, "thickness": 16},
        link={"source": [s for s, _t, _v in links], "target": [t for _s, t, _v in links],
              "value": [v for _s, _t, v in links], "color": link_colors},
    ))
    return figure_json(figure.update_layout(**_layout(title=_("Where deals go from each stage"))))


def time_chart(report: FunnelReport) -> dict[str, Any]:
    steps = [s for s in report.result.steps if s.time is not None]
    names = [s.name for s in steps]
    figure = go.Figure()
    for label, attr, color in ((_("Median"), "median_days", "#0d6efd"), (_("75th percentile"), "p75_days", "#6ea8fe"),
                               (_("90th percentile"), "p90_days", "#b6d4fe")):
        figure.add_trace(go.Bar(name=label, x=names, y=[getattr(s.time, attr) for s in steps], marker_color=color))
    figure.update_layout(**_layout(title=_("Days in stage"), barmode="group", legend={"orientation": "h"}))
    return figure_json(figure)


def lost_reasons_chart(report: FunnelReport) -> dict[str, Any]:
    steps = [s for s in report.result.steps if not s.is_won]
    reasons = sorted({reason for s in steps for reason, _count in s.lost_reasons})
    figure = go.Figure()
    for reason in reasons:
        counts = [dict(s.lost_reasons).get(reason, 0) for s in steps]
        name = report.reason_name(reason) or _("No reason given")
        figure.add_trace(go.Bar(name=name, y=[s.name for s in steps], x=counts, orientation="h"))
    figure.update_layout(**_layout(title=_("Lost deals by reason, at the stage they stopped"), barmode="stack",
                                   legend={"orientation": "h"}, yaxis={"autorange": "reversed"}))
    return figure_json(figure)


def forecast_months_chart(report: ForecastReport) -> dict[str, Any]:
    names = {"overdue": _("Overdue"), "later": _("Later"), "undated": _("No date")}
    months = [m for m in report.months if m.deals]
    x = [str(names.get(m.key, m.key)) for m in months]
    figure = go.Figure([
        go.Bar(name=_("Open amount"), x=x, y=[m.amount for m in months], marker_color="#b6d4fe"),
        go.Bar(name=_("Weighted by win probability"), x=x, y=[m.weighted for m in months], marker_color="#0d6efd"),
    ])
    figure.update_layout(**_layout(title=_("Open pipeline by expected close month"), barmode="overlay",
                                   legend={"orientation": "h"}, xaxis={"type": "category"}))
    return figure_json(figure)


def forecast_range_chart(report: ForecastReport, currency: str) -> dict[str, Any]:
    s = report.simulation
    figure = go.Figure(go.Bar(
        x=["P10", "P50", "P90"], y=[s.p10, s.p50, s.p90], marker_color=["#6ea8fe", "#0d6efd", "#6ea8fe"],
        text=[short_money(v, currency) for v in (s.p10, s.p50, s.p90)], textposition="outside",
    ))
    figure.add_hline(y=s.already_won, line_dash="dot", line_color=COLORS["won"],
                     annotation_text=_("already won"), annotation_position="bottom right")
    return figure_json(figure.update_layout(**_layout(title=_("Revenue this period: simulated range"))))


def accuracy_chart(report: ForecastReport) -> dict[str, Any] | None:
    accuracy = report.accuracy
    if accuracy is None or not accuracy.snapshots:
        return None
    when = [p.taken_at.isoformat() for p in accuracy.snapshots]
    figure = go.Figure([
        go.Scatter(x=when, y=[p.p90 for p in accuracy.snapshots], mode="lines", line={"width": 0},
                   showlegend=False, hoverinfo="skip"),
        go.Scatter(x=when, y=[p.p10 for p in accuracy.snapshots], mode="lines", line={"width": 0}, fill="tonexty",
                   fillcolor=COLORS["band"], name=_("P10–P90")),
        go.Scatter(x=when, y=[p.p50 for p in accuracy.snapshots], mode="lines+markers", name=_("Forecast (P50)"),
                   line={"color": COLORS["flow"]}),
        go.Scatter(x=[when[0], when[-1]], y=[accuracy.actual, accuracy.actual], mode="lines", name=_("Actual"),
                   line={"color": COLORS["won"], "dash": "dash"}),
    ])
    return figure_json(figure.update_layout(**_layout(title=_("Weekly forecasts of last quarter against what "
                                                              "happened"), legend={"orientation": "h"})))


def reliability_chart(bins: list[dict[str, Any]]) -> dict[str, Any]:
    figure = go.Figure([
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=_("Perfect calibration"),
                   line={"color": "#adb5bd", "dash": "dash"}),
        go.Scatter(x=[b["predicted"] for b in bins], y=[b["observed"] for b in bins], mode="lines+markers",
                   name=_("Model"), marker={"size": [max(6, min(24, 4 + b["count"] ** 0.5 / 2)) for b in bins]},
                   text=[str(b["count"]) for b in bins], hovertemplate="%{x:.2f} → %{y:.2f} (%{text})"),
    ])
    figure.update_layout(**_layout(title=_("Reliability: predicted against observed win rate"),
                                   xaxis={"range": [0, 1], "title": _("Predicted probability")},
                                   yaxis={"range": [0, 1], "title": _("Share won")}, legend={"x": 0.02, "y": 0.98}))
    return figure_json(figure)


def importance_chart(importance: list[dict[str, Any]], labels: dict[str, Any]) -> dict[str, Any]:
    rows = [row for row in importance if row.get("effect", 0) > 0][:10]
    figure = go.Figure(go.Bar(x=[row["effect"] * 100 for row in rows],
                              y=[str(labels.get(row["feature"], row["feature"])) for row in rows], orientation="h",
                              marker_color="#0d6efd"))
    figure.update_layout(**_layout(title=_("What moves the probability (points, average)"),
                                   yaxis={"autorange": "reversed"}))
    return figure_json(figure)
