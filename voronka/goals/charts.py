"""The goal page's chart, built in Python with plotly and handed to the page as JSON."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from .services.progress import GoalProgress


def _days(start: dt.date, count: int) -> list[str]:
    return [(start + dt.timedelta(days=i)).isoformat() for i in range(count)]


def progress_figure(progress: GoalProgress, actual_series: list[tuple[dt.date, Decimal]]) -> dict[str, Any]:
    """Cumulative actual, the linear and seasonal pace lines, the target and the forecast."""
    goal = progress.goal
    total = progress.total_days
    target = float(goal.target)
    days = _days(goal.period_start, total)
    figure = go.Figure()
    figure.add_trace(go.Scatter(x=[days[0], days[-1]], y=[0, target], mode="lines", name=_("Linear pace"),
                                line={"dash": "dash", "color": "#6c757d"}))
    if progress.seasonal_curve:
        curve = progress.seasonal_curve[:total]
        figure.add_trace(go.Scatter(x=days[:len(curve)], y=[float(share) * target for share in curve],
                                    mode="lines", name=_("Seasonal pace"), line={"dash": "dot", "color": "#6f42c1"}))
    if actual_series:
        figure.add_trace(go.Scatter(x=[d.isoformat() for d, _v in actual_series],
                                    y=[float(v) for _d, v in actual_series], mode="lines", name=_("Actual"),
                                    line={"color": "#0d6efd", "width": 3}))
    if progress.forecast is not None and actual_series and not progress.ended:
        last_day, last_value = actual_series[-1]
        figure.add_trace(go.Scatter(x=[last_day.isoformat(), days[-1]], y=[float(last_value), float(progress.forecast)],
                                    mode="lines+markers", name=_("Forecast"),
                                    line={"dash": "dash", "color": "#fd7e14"}))
    figure.add_hline(y=target, line={"color": "#198754", "width": 1}, annotation_text=_("Target"),
                     annotation_position="top left")
    figure.update_layout(
        margin={"l": 50, "r": 10, "t": 10, "b": 40}, height=340, hovermode="x unified",
        legend={"orientation": "h", "y": -0.2}, xaxis={"type": "date"}, yaxis={"rangemode": "tozero"},
        template="plotly_white",
    )
    return figure.to_plotly_json()  # type: ignore[no-any-return]


def figure_json(figure: dict[str, Any]) -> dict[str, Any]:
    """Plain JSON types only (json_script cannot write numpy arrays or dates)."""
    import json

    from plotly.utils import PlotlyJSONEncoder

    return json.loads(json.dumps(figure, cls=PlotlyJSONEncoder))  # type: ignore[no-any-return]
