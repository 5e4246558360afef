"""The rows behind a number: the deals, contacts or activities a metric counted, as the viewer may see them.

    /analytics/drill/?metric=revenue&date_from=2026-01-01&date_to=2026-03-31&granularity=month
        &bucket=2026-02&slice.owner=12&filter.team=3&filter.team=4&page=2

`slice.<key>` names the slice values of the number (empty: "none"), `filter.<key>` the filters of
the query it came from. The list comes from the metric engine (metric_drill_for), so it is exactly
what the number counted, and links to the CRM pages of each row.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from voronka.accounts.actor import Actor
from voronka.accounts.decorators import actor_required
from voronka.accounts.roles import Capability
from voronka.accounts.selectors import membership_list
from voronka.metrics.buckets import buckets_for
from voronka.metrics.catalogue import Metric, metric_get, slice_get
from voronka.metrics.selectors import metric_drill_for, metric_query_for
from voronka.metrics.spec import MetricQuery, MetricQueryError, metric_query_build

from ..charts import format_value

PER_PAGE = 50
MAX_PARAMS = 60
SELECT_RELATED = {
    "deals": ("owner", "company", "stage", "pipeline", "channel"),
    "contacts": ("owner", "company"),
    "activities": ("owner", "deal", "contact", "company"),
}


class DrillError(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _parse(params: QueryDict) -> tuple[Metric, MetricQuery, str, list[tuple[str, list[Any]]]]:
    """The drill request as a checked engine query; slice values become filters of the one number."""
    if len(params) > MAX_PARAMS:
        raise DrillError(_("Too many parameters."))
    metric = metric_get(params.get("metric", ""))
    if metric is None:
        raise DrillError(_("Unknown metric."))
    if metric.drill is None:
        raise DrillError(_("%(metric)s has no list of rows behind it.") % {"metric": metric.name})
    filters: dict[str, list[Any]] = {}
    for name in params:
        if name.startswith("filter."):
            filters[name.removeprefix("filter.")] = params.getlist(name)
    for name in params:
        if name.startswith("slice."):
            value = params.get(name, "")
            filters[name.removeprefix("slice.")] = [value if value != "" else None]
    query = metric_query_build(metrics=[metric.key], date_from=params.get("date_from", ""),
                               date_to=params.get("date_to", ""), granularity=params.get("granularity", "total"),
                               filters=filters)
    bucket = params.get("bucket", "total") or "total"
    if bucket != "total" and bucket not in {b.key for b in buckets_for(query.granularity, query.date_from,
                                                                         query.end_exclusive)}:
        raise DrillError(_("That period is not part of the range."))
    return metric, query, bucket, list(filters.items())


def _order(metric: Metric, query: MetricQuery, source: str) -> list[str]:
    """Newest first by the date that put the row in the period (the drill measure's date field)."""
    used: frozenset[str] = frozenset(query.slices) | frozenset(query.filters.keys())
    chosen = metric.measures_for(used)
    names = (metric.drill,) if isinstance(metric.drill, str) else tuple(metric.drill or ())
    measure = next((chosen[name] for name in names if name in chosen), None)
    date_field = measure.date_field if measure is not None else None
    if date_field and measure is not None and measure.source == "line_items" and source == "deals":
        date_field = date_field.removeprefix("deal__")
    return [f"-{date_field}", "-pk"] if date_field and "__" not in date_field else ["-pk"]


def _filter_labels(actor: Actor, filters: list[tuple[str, list[Any]]]) -> list[tuple[str, str]]:
    described = []
    for key, values in filters:
        slice_ = slice_get(key)
        if slice_ is None:
            continue
        present = [v for v in values if v not in (None, "")]
        try:
            typed = [slice_.value_type(v) for v in present]
        except (TypeError, ValueError):
            typed = present
        if key == "owner":  # users are global: name only the members of this workspace
            members = set(membership_list(actor=actor, include_inactive=True).filter(user_id__in=typed)
                          .values_list("user_id", flat=True))
            typed = [v for v in typed if v in members]
        labels = slice_.labels(actor.workspace.pk, typed) if typed else {}
        names = [labels.get(v, str(v)) for v in typed] + (["—"] if len(present) < len(values) else [])
        described.append((str(slice_.name), ", ".join(names)))
    return described


@require_http_methods(["GET", "HEAD"])
@actor_required(Capability.ANALYTICS_VIEW)
def drill_view(request: HttpRequest, actor: Actor) -> HttpResponse:
    if "metric" not in request.GET:  # opened directly: say where numbers come from
        return render(request, "analytics/drill.html", {"help": True})
    try:
        metric, query, bucket, filters = _parse(request.GET)
    except (DrillError, MetricQueryError) as error:
        status = error.status if isinstance(error, DrillError) else 422
        return render(request, "analytics/drill.html", {"error": str(error.message)}, status=status)
    number = metric_query_for(actor=actor, query=query).value(metric.key, bucket)
    source, rows = metric_drill_for(actor=actor, query=query, metric_key=metric.key, bucket=bucket)
    rows = rows.select_related(*SELECT_RELATED.get(source, ())).order_by(*_order(metric, query, source))
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    others = request.GET.copy()
    others.pop("page", None)
    chosen = next((b for b in buckets_for(query.granularity, query.date_from, query.end_exclusive)
                   if b.key == bucket), None) if bucket != "total" else None
    return render(request, "analytics/drill.html", {
        "metric": metric,
        "number": format_value(metric.unit, number, currency=actor.workspace.currency),
        "source": source,
        "page": page,
        "query": query,
        "bucket": chosen,
        "bucket_last_day": chosen.end - dt.timedelta(days=1) if chosen else None,
        "filters": _filter_labels(actor, filters),
        "page_query": others.urlencode(),
    })
