"""The funnel, its bottlenecks and the stalled deals: the same selectors the API uses, rendered."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability

from ..params import ANALYSIS_PERIODS
from ..selectors.bottlenecks import bottleneck_scan
from ..selectors.funnel import funnel_analyze
from ..selectors.stalled import stalled_deals
from ..text import NOTICES, explain
from . import charts
from ._common import filter_bar


def _template(request: HttpRequest, name: str) -> str:
    """htmx filter changes swap only the results block (django-template-partials)."""
    return f"{name}#results" if getattr(request, "htmx", False) else name


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.FUNNEL_VIEW)
def funnel_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    bar = filter_bar(request, actor, relative=ANALYSIS_PERIODS, default_period="last-quarter", with_slices=True)
    context: dict[str, Any] = {"bar": bar, "report": None}
    inputs = bar.inputs
    if inputs.pipeline is not None:
        report = funnel_analyze(actor=actor, pipeline=inputs.pipeline, period_param=inputs.period_param,
                                period=inputs.period, ref=inputs.slice, slice_label=inputs.slice_label)
        result = report.result
        context.update(
            report=report, result=result, notices=[NOTICES[code] for code in result.notices if code in NOTICES],
            lost_rows=[(step, [(report.reason_name(r) or _("No reason given"), n) for r, n in step.lost_reasons])
                       for step in result.steps if step.lost_reasons],
            figures={"funnel": charts.funnel_chart(report), "sankey": charts.sankey_chart(report),
                     "time": charts.time_chart(report), "lost": charts.lost_reasons_chart(report)}
            if result.deals else {},
        )
    return render(request, _template(request, "funnel/funnel.html"), context)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.FUNNEL_VIEW)
def bottlenecks_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    bar = filter_bar(request, actor, relative=ANALYSIS_PERIODS, default_period="last-quarter")
    context: dict[str, Any] = {"bar": bar, "report": None}
    inputs = bar.inputs
    if inputs.pipeline is not None:
        report = bottleneck_scan(actor=actor, pipeline=inputs.pipeline, period_param=inputs.period_param,
                                 period=inputs.period)
        currency = actor.workspace.currency
        context.update(
            report=report, notices=[NOTICES[code] for code in report.notices if code in NOTICES],
            conversion=[(b, explain(b, currency)) for b in report.conversion],
            slower=[(b, explain(b, currency)) for b in report.slower],
            top=report.conversion[0] if report.conversion else None,
        )
    return render(request, _template(request, "funnel/bottlenecks.html"), context)


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.FUNNEL_VIEW)
def stalled_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    bar = filter_bar(request, actor, relative=ANALYSIS_PERIODS, default_period="last-quarter")
    context: dict[str, Any] = {"bar": bar, "report": None}
    inputs = bar.inputs
    if inputs.pipeline is not None:
        funnel = funnel_analyze(actor=actor, pipeline=inputs.pipeline, period_param=inputs.period_param,
                                period=inputs.period)
        report = stalled_deals(actor=actor, pipeline=inputs.pipeline, funnel=funnel, page=request.GET.get("page", 1),
                               now=timezone.now())
        rows = []
        for deal in report.page.object_list:
            limit = report.limit_for(deal.stage_id)
            days = (report.now - deal.stage_entered_at).days
            rows.append({"deal": deal, "days": days, "limit": limit.limit_days if limit else None,
                         "allowed": limit.allowed_days if limit else None, "p90": limit.p90_days if limit else None})
        context.update(report=report, rows=rows)
    return render(request, _template(request, "funnel/stalled.html"), context)
