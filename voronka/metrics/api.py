"""metrics's endpoints: the catalogue, and metric queries through the one engine.

A query answers only with the rows the caller may see (a rep: their own; a manager: their team
subtree). A query the catalogue refuses is a 422 `{code, message, fields}` naming the field.
"""

# No `from __future__ import annotations`: ninja reads parameter types through decorator wrappers.

from typing import Any, cast

from django.http import HttpRequest
from ninja import Router

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.core.api import ERROR_RESPONSES

from .catalogue import metrics_all, slices_all
from .schemas import CatalogueRead, MetricQueryIn, MetricResultRead
from .selectors import metric_query_for
from .serialize import metric_as_dict, result_as_dict
from .spec import metric_query_build

router = Router(tags=["metrics"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


@router.get("/metrics", response={200: CatalogueRead, **ERROR_RESPONSES})
def metric_catalogue_api(request: HttpRequest) -> dict[str, Any]:
    """Every metric with its definition, unit, direction and the slices it supports; and every slice."""
    actor = _actor(request)
    actor.require(Capability.METRICS_VIEW)
    return {
        "currency": actor.workspace.currency,
        "metrics": [metric_as_dict(metric) for metric in metrics_all()],
        "slices": [{"key": s.key, "name": str(s.name), "description": str(s.description)} for s in slices_all()],
    }


@router.post("/metrics/query", response={200: MetricResultRead, **ERROR_RESPONSES})
def metric_query_api(request: HttpRequest, payload: MetricQueryIn) -> dict[str, Any]:
    """Compute metrics for a period, by time bucket and slices, over the rows the caller may see.

    Errors (422): `unknown_metric`, `unknown_slice`, `unknown_granularity`, `invalid_date`,
    `period_ends_before_start`, `too_many_buckets`, `invalid_filter`, `slice_not_supported`,
    `slice_required`, `metric_is_snapshot`, `no_metrics`, `too_many_metrics`, `too_many_slices`.
    """
    actor = _actor(request)
    actor.require(Capability.METRICS_VIEW)
    query = metric_query_build(metrics=payload.metrics, date_from=payload.date_from, date_to=payload.date_to,
                               slices=payload.slices, granularity=payload.granularity, filters=payload.filters)
    result = metric_query_for(actor=actor, query=query)
    return {**result_as_dict(result), "currency": actor.workspace.currency}
