"""Reading metrics as an actor: the scope (workspace, time zone, visibility) comes from the actor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from voronka.accounts.actor import Actor

from .engine import MetricResult, Scope, metric_drill_rows, metric_query_run
from .spec import MetricQuery


def scope_for(actor: Actor, *, now: dt.datetime | None = None) -> Scope:
    return Scope(workspace_id=actor.workspace.pk, time_zone=actor.workspace.time_zone, viewer=actor.viewer,
                 now=now or timezone.now())


def metric_query_for(*, actor: Actor, query: MetricQuery, now: dt.datetime | None = None) -> MetricResult:
    """Every number a user sees: only rows their role and team let them see."""
    return metric_query_run(scope=scope_for(actor, now=now), query=query)


def metric_drill_for(*, actor: Actor, query: MetricQuery, metric_key: str, bucket: str = "total",
                     slices: tuple[Any, ...] = ()) -> tuple[str, Any]:
    return metric_drill_rows(scope=scope_for(actor), query=query, metric_key=metric_key, bucket=bucket,
                             slices=slices)
