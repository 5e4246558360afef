"""Weekly forecast snapshots: this quarter's forecast, once per distinct visibility, kept for accuracy later."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from voronka.accounts.actor import Actor, actor_from_membership
from voronka.accounts.models import Membership

from ..models import ForecastSnapshot
from ..params import parse_period
from ..selectors.forecast import forecast_report
from ..slices import scope_key

SNAPSHOT_RUNS = 1_000


def _money(value: float) -> Decimal:
    return Decimal(str(round(value, 2)))


def _viewers(workspace_id: int) -> dict[str, Actor]:
    """One actor per distinct set of visible deals among the workspace's active members."""
    members = (Membership.objects.filter(workspace_id=workspace_id, is_active=True, user__is_active=True)
               .select_related("workspace", "user", "team").order_by("id"))
    found: dict[str, Actor] = {}
    for membership in members:
        actor = actor_from_membership(membership)
        found.setdefault(scope_key(actor), actor)
    return found


def forecast_snapshot_take(*, workspace_id: int, now: dt.datetime | None = None) -> list[ForecastSnapshot]:
    """Record this quarter's forecast for every distinct visibility in the workspace (one row each)."""
    now = now or timezone.now()
    rows = []
    for key, actor in _viewers(workspace_id).items():
        param, period = parse_period("this-quarter", time_zone=actor.workspace.time_zone, now=now)
        report = forecast_report(actor=actor, period_param=param, period=period, now=now, runs=SNAPSHOT_RUNS,
                                 with_accuracy=False)
        simulation = report.simulation
        rows.append(ForecastSnapshot(
            workspace_id=workspace_id, scope=key, taken_at=now, period_start=period.start, period_end=period.end,
            p10=_money(simulation.p10), p50=_money(simulation.p50), p90=_money(simulation.p90),
            weighted=_money(simulation.weighted), already_won=_money(simulation.already_won),
            open_deals=report.open_deals,
        ))
    with transaction.atomic():
        return ForecastSnapshot.objects.bulk_create(rows)
