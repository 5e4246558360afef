"""The revenue forecast and the win-probability model pages, and the two "now" buttons managers have."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.core.visibility import VisibilityScope

from ..models import ModelStatus
from ..params import FORECAST_PERIODS
from ..selectors.forecast import forecast_report
from ..selectors.models import model_summary
from ..services.requests import forecast_snapshot_request, model_retrain_request
from ..stats.winmodel import MIN_CLOSED_DEALS
from ..text import FEATURE_LABELS
from . import charts
from ._common import filter_bar


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.FUNNEL_VIEW)
def forecast_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    bar = filter_bar(request, actor, relative=FORECAST_PERIODS, default_period="this-quarter",
                     pipeline_required=False, forward=True)
    inputs = bar.inputs
    report = forecast_report(actor=actor, period_param=inputs.period_param, period=inputs.period,
                             pipeline=inputs.pipeline)
    figures: dict[str, Any] = {"months": charts.forecast_months_chart(report),
                               "range": charts.forecast_range_chart(report, actor.workspace.currency)}
    accuracy = charts.accuracy_chart(report)
    if accuracy is not None:
        figures["accuracy"] = accuracy
    context = {"bar": bar, "report": report, "simulation": report.simulation, "figures": figures,
               "can_manage": actor.can(Capability.FUNNEL_MANAGE)}
    template = "funnel/forecast.html#results" if getattr(request, "htmx", False) else "funnel/forecast.html"
    return render(request, template, context)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.FUNNEL_VIEW)
def model_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    summary = model_summary(actor=actor)
    model = summary.model
    figures: dict[str, Any] = {}
    sees_all = actor.viewer.scope is VisibilityScope.ALL
    if model is not None and model.status == ModelStatus.TRAINED:
        # How many closed deals fell in each bin is a company-wide figure: only those who see everything get it.
        bins = [{**b, "count": b["count"] if sees_all else 0} for b in model.reliability]
        figures["reliability"] = charts.reliability_chart(bins)
        if model.importance:
            figures["importance"] = charts.importance_chart(model.importance, FEATURE_LABELS)
    context = {"summary": summary, "model": model, "figures": figures, "sees_all": sees_all,
               "min_closed": MIN_CLOSED_DEALS, "can_manage": actor.can(Capability.FUNNEL_MANAGE)}
    return render(request, "funnel/model.html", context)


@require_http_methods(["POST"])
@actor_required(Capability.FUNNEL_MANAGE)
def model_retrain_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    model_retrain_request(actor=actor)
    messages.success(request, _("The model is being retrained. Scores update when it finishes."))
    return redirect(reverse("funnel:model"))


@require_http_methods(["POST"])
@actor_required(Capability.FUNNEL_MANAGE)
def forecast_snapshot_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    forecast_snapshot_request(actor=actor)
    messages.success(request, _("A forecast snapshot is being taken. It is compared with the actual revenue once "
                                "the quarter is over."))
    return redirect(reverse("funnel:forecast"))
