"""What the metric benches say about the daily rollups (ADR 0005), and writes that leave days to the rows.

`rollup_status` prints whether each rollup is built and how many change markers wait; `touch` wins deals and
logs activities now, inside the caller's transaction (rolled back by the caller), so today's days are read
from the rows while the rest comes from the rollups: what a dashboard costs between two refreshes.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from voronka.accounts.models import User, Workspace
from voronka.crm.models import Activity, Deal, Stage
from voronka.metrics.models import RollupCoverage, RollupMarker


def rollup_status(workspace: Workspace) -> str:
    if not settings.METRICS_ROLLUPS:
        return "rollups: not read (--rollups off): every number from the rows"
    built = RollupCoverage.unscoped.filter(workspace_id=workspace.pk, time_zone=workspace.time_zone,
                                           first_day__isnull=False, last_day__isnull=False).count()
    markers = dict(RollupMarker.unscoped.filter(workspace_id=workspace.pk).values_list("rollup")
                   .annotate(n=Count("id")).values_list("rollup", "n"))
    waiting = ", ".join(f"{key} {n}" for key, n in sorted(markers.items())) or "none"
    return f"rollups: {built} built (time zone {workspace.time_zone}); change markers waiting: {waiting}"


def touch(workspace: Workspace, deals: int) -> str:
    """Win `deals` open deals and log as many done calls now; the caller's transaction must roll them back."""
    if deals <= 0:
        return "writes: none"
    now = timezone.now()
    rows = Deal.unscoped.filter(workspace_id=workspace.pk, status="open").order_by("pk")
    picked = list(rows.values_list("pk", "pipeline_id")[:deals])
    won = dict(Stage.unscoped.filter(workspace_id=workspace.pk, kind="won").values_list("pipeline_id", "pk"))
    for pk, pipeline_id in picked:
        Deal.unscoped.filter(pk=pk).update(status="won", closed_at=now, stage_id=won[pipeline_id],
                                           stage_entered_at=now)
    owner = User.objects.get(email="rep@voronka.test")
    Activity.unscoped.bulk_create([
        Activity(workspace_id=workspace.pk, owner=owner, kind="call", subject="Bench call",
                 done_at=now - dt.timedelta(minutes=minute)) for minute in range(deals)])
    return (f"writes: {len(picked)} deals won and {deals} calls done just now, rolled back at the end "
            f"(their days come from the rows)")
