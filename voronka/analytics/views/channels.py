"""The channel comparison page: a table and charts per sales channel for a period, every number drillable."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.errors import ApplicationError
from voronka.core.pages import FORM_ERROR_STATUS, add_service_error, error_status
from voronka.metrics.catalogue import Unit, metric_get

from ..charts import figure_by_slice, format_value
from ..forms.channels import ChannelPeriodForm
from ..report_charts import Chart, derived_bar_figure
from ..report_drill import Drill, drill_links
from ..selectors.channels import ChannelComparison, ChannelLine, channel_comparison_for
from ..selectors.reports import local_today
from .dashboard_plotly import plotly_maplibre_id


@dataclass(frozen=True)
class Column:
    key: str
    label: Any
    unit: Unit
    drill_metric: str | None  # the metric whose rows the number drills down to
    economics: bool = False  # read from the channel's economics, not straight from the engine
    group: str = "sales"  # which of the page's two tables shows it


def _metric_column(key: str, label: Any = None) -> Column:
    metric = metric_get(key)
    assert metric is not None  # noqa: S101 — a catalogue metric
    return Column(key, label or metric.name, metric.unit, key if metric.drill else None)


COLUMNS = [
    _metric_column("new_leads", gettext_lazy("Leads")),
    _metric_column("lead_to_deal"),
    _metric_column("new_deals", gettext_lazy("Deals")),
    _metric_column("deals_won"),
    _metric_column("win_rate"),
    _metric_column("revenue"),
    _metric_column("average_check"),
    _metric_column("sales_cycle"),
    Column("gross_profit", gettext_lazy("Gross profit after fees"), Unit.MONEY, "gross_profit", group="economics"),
    Column("fixed_costs", gettext_lazy("Fixed costs"), Unit.MONEY, None, economics=True, group="economics"),
    Column("acquisition_spend", gettext_lazy("Acquisition spend"), Unit.MONEY, "deals_won", economics=True,
           group="economics"),
    Column("profit_after_fixed", gettext_lazy("Profit after fixed costs"), Unit.MONEY, "gross_profit",
           economics=True, group="economics"),
    Column("cac", gettext_lazy("Customer acquisition cost"), Unit.MONEY, "deals_won", economics=True,
           group="economics"),
    Column("roi", gettext_lazy("ROI"), Unit.RATIO, "gross_profit", economics=True, group="economics"),
]
TABLES = [("sales", gettext_lazy("Leads and sales")), ("economics", gettext_lazy("Profit and costs"))]


@dataclass(frozen=True)
class Cell:
    text: str
    drill: str | None = None


def _cells(line: ChannelLine, *, currency: str, drill: Drill | None, group: str) -> list[Cell]:
    cells = []
    for column in COLUMNS:
        if column.group != group:
            continue
        if column.economics:
            value = getattr(line.economics, column.key) if line.economics is not None else None
        else:
            value = line.numbers.get(column.key)
        link = None
        if drill is not None and column.drill_metric and value is not None and value != 0:
            link = drill(column.drill_metric, "total", line.slices)
        cells.append(Cell(format_value(column.unit, value, currency=currency), link))
    return cells


def _charts(comparison: ChannelComparison, *, currency: str, drill: Drill | None) -> list[Chart]:
    def metric_link(key: str) -> Any:
        if drill is None:
            return None
        return lambda bucket, slices: drill(key, bucket, slices)

    with_costs = [line for line in comparison.lines if line.economics is not None]
    labels = [line.name for line in with_costs]

    def derived_links(metric_key: str) -> list[str | None]:
        return [drill(metric_key, "total", line.slices) if drill else None for line in with_costs]

    charts = [Chart("channel-chart-revenue", _("Revenue"), figure_by_slice(
        comparison.result, "revenue", drill=metric_link("revenue"), currency=currency, limit=20))]
    derived = [
        ("channel-chart-profit", _("Profit after fixed costs"), "profit_after_fixed", Unit.MONEY, "gross_profit"),
        ("channel-chart-cac", _("Customer acquisition cost"), "cac", Unit.MONEY, "deals_won"),
        ("channel-chart-roi", _("ROI"), "roi", Unit.RATIO, "gross_profit"),
    ]
    for index, (chart_id, title, key, unit, drill_metric) in enumerate(derived, start=1):
        values = [getattr(line.economics, key) for line in with_costs]
        if not any(values):  # no costs entered yet: an empty chart would only confuse
            continue
        charts.append(Chart(chart_id, title, derived_bar_figure(
            labels, values, unit=unit, currency=currency, links=derived_links(drill_metric), color=index)))
    return charts


def _catalogue_url() -> str | None:
    """The channel catalogue's page, once config/urls.py mounts voronka.channels.urls."""
    try:
        return reverse("channels:list")
    except NoReverseMatch:
        return None


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.ANALYTICS_VIEW)
def channel_comparison_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    form = ChannelPeriodForm(request.GET if "period" in request.GET else None)
    comparison = None
    status = 200
    if form.is_bound and not form.is_valid():
        status = FORM_ERROR_STATUS
    else:
        date_from, date_to = form.dates(local_today(actor.workspace))
        try:
            comparison = channel_comparison_for(actor=actor, date_from=date_from, date_to=date_to)
        except ApplicationError as error:
            add_service_error(form, error)
            status = error_status(error)
    context: dict[str, Any] = {"form": form, "comparison": comparison,
                               "currency": actor.workspace.currency,
                               "can_manage_channels": actor.can(Capability.CHANNELS_MANAGE),
                               "catalogue_url": _catalogue_url(), "plotly_maplibre_id": plotly_maplibre_id()}
    if comparison is not None:
        currency = actor.workspace.currency
        drill = drill_links(comparison.query)
        context.update({
            "tables": [{
                "key": group, "title": title, "columns": [c for c in COLUMNS if c.group == group],
                "lines": [(line, _cells(line, currency=currency, drill=drill, group=group))
                          for line in comparison.lines],
                "total": _cells(comparison.total, currency=currency, drill=drill, group=group),
            } for group, title in TABLES],
            "charts": _charts(comparison, currency=currency, drill=drill),
            "months": float(comparison.months),
            "has_costs": any(line.economics and (line.economics.fixed_costs or line.economics.acquisition_spend)
                             for line in comparison.lines),
        })
    template = ("analytics/channel_area.html" if getattr(request, "htmx", False)
                else "analytics/channel_comparison.html")
    return render(request, template, context, status=status)
