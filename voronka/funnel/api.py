"""funnel's endpoints: the funnel, its bottlenecks and the revenue forecast, for the deals the caller sees."""

# No `from __future__ import annotations`: ninja reads parameter types through decorator wrappers.

from typing import Any, cast

from django.http import HttpRequest
from ninja import Query, Router

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.core.api import ERROR_RESPONSES

from .inputs import no_pipeline_error, resolve_inputs
from .schemas import (
    BottleneckQuery,
    BottlenecksOut,
    ForecastOut,
    ForecastQuery,
    FunnelOut,
    FunnelQuery,
    bottlenecks_out,
    forecast_out,
    funnel_out,
)
from .selectors.bottlenecks import bottleneck_scan
from .selectors.forecast import forecast_report
from .selectors.funnel import funnel_analyze

router = Router(tags=["funnel"])


def _actor(request: HttpRequest) -> Actor:
    actor = cast(Actor, request.actor)  # type: ignore[attr-defined]
    actor.require(Capability.FUNNEL_VIEW)
    return actor


@router.get("/funnel", response={200: FunnelOut, **ERROR_RESPONSES})
def funnel_api(request: HttpRequest, query: Query[FunnelQuery]) -> dict[str, Any]:
    """The funnel of deals created in the period (followed to today): stages, conversion with 95% intervals,
    time in stage, velocity, lost reasons per stage and conversion by creation month."""
    actor = _actor(request)
    inputs = resolve_inputs(actor=actor, pipeline_id=query.pipeline, period=query.period, slice_value=query.slice)
    if inputs.pipeline is None:
        raise no_pipeline_error()
    report = funnel_analyze(actor=actor, pipeline=inputs.pipeline, period_param=inputs.period_param,
                            period=inputs.period, ref=inputs.slice, slice_label=inputs.slice_label)
    return funnel_out(report)


@router.get("/funnel/bottlenecks", response={200: BottlenecksOut, **ERROR_RESPONSES})
def bottlenecks_api(request: HttpRequest, query: Query[BottleneckQuery]) -> dict[str, Any]:
    """Slices (team, rep, channel, lead source, product, industry) that convert worse or move slower than the
    company at a stage, beyond noise (Benjamini-Hochberg q < 0.05), ranked by revenue lost."""
    actor = _actor(request)
    inputs = resolve_inputs(actor=actor, pipeline_id=query.pipeline, period=query.period)
    if inputs.pipeline is None:
        raise no_pipeline_error()
    report = bottleneck_scan(actor=actor, pipeline=inputs.pipeline, period_param=inputs.period_param,
                             period=inputs.period)
    return bottlenecks_out(report, actor.workspace.currency)


@router.get("/forecast", response={200: ForecastOut, **ERROR_RESPONSES})
def forecast_api(request: HttpRequest, query: Query[ForecastQuery]) -> dict[str, Any]:
    """Weighted pipeline by expected close month, a Monte-Carlo P10/P50/P90 of the period's revenue with
    slipping close dates, and last quarter's forecast accuracy."""
    actor = _actor(request)
    inputs = resolve_inputs(actor=actor, pipeline_id=query.pipeline, period=query.period,
                            default_period="this-quarter", pipeline_required=False)
    report = forecast_report(actor=actor, period_param=inputs.period_param, period=inputs.period,
                             pipeline=inputs.pipeline)
    return forecast_out(report)
