"""Keeping rollups exact: a full build, and refreshes of the days that change markers name.

Why it stays exact while people keep writing (docs/adr/0005-metric-rollups.md):
- A full build first deletes the rollup's markers and rows, then reads the source rows chunk by
  chunk; a change committed after that delete writes a new marker, so its day is read from the
  rows until a refresh recomputes it.
- A refresh reads the markers (committed ones: every row read afterwards has their changes),
  recomputes those days and deletes exactly the markers it read, by id; a change committed in
  between keeps its marker for the next refresh. SQLite's triggers skip a marker when one for the
  same day already waits, so there the refresh holds the write lock from reading to deleting.
- Every write of rollup rows first locks the coverage row; a trigger that invalidates a whole
  rollup deletes that row, and a build that finds it gone stops.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Max, Min
from django.utils import timezone

from voronka.core.visibility import Viewer, VisibilityScope

from ..buckets import Bucket, Granularity, buckets_for
from ..catalogue import Number, Rollup, rollups_all, source_get
from ..engine import Scope, measure_values
from ..models import RollupCoverage, RollupMarker, RollupRow
from ..spec import MAX_DATE, MIN_DATE, MetricQuery
from .days import ONE_DAY, DayRange, Mark, chunked, local_days_touched, ranges_of
from .read import on_days

CHUNK_DAYS = 92  # one query per chunk and further slice: a quarter of days fits any bucket search
# More changed days than this and a full build is cheaper (and on SQLite does not hold the write lock throughout).
REFRESH_AT_MOST_DAYS = 120
JOIN_GAP_DAYS = 7  # changed days this close are recomputed as one range
DELETE_BATCH = 5000  # marker ids per DELETE … WHERE id IN (…)


@dataclass(frozen=True)
class RefreshResult:
    rollup: str
    rebuilt: bool
    days: int


def _all_rows(workspace_id: int, time_zone: str) -> Scope:
    return Scope(workspace_id=workspace_id, time_zone=time_zone,
                 viewer=Viewer(user_id=0, workspace_id=workspace_id, scope=VisibilityScope.ALL))


def _measure_rows(*, scope: Scope, query: MetricQuery, buckets: list[Bucket], rollup: Rollup, dim: str
                  ) -> dict[tuple[Any, ...], tuple[Number | None, ...]]:
    sliced = replace(query, slices=("owner", "team", dim) if dim else ("owner", "team"))
    measures = {f"m{index}": measure for index, measure in enumerate(rollup.measures)}
    measured = measure_values(scope=scope, query=sliced, buckets=buckets, group=rollup.group_key, measures=measures)
    keys = set().union(*(values.keys() for values in measured.values()))
    rows = {}
    for key in keys:
        bucket, owner, team, *further = key
        rows[(bucket, owner, team, further[0] if further else None, None)] = tuple(
            measured[alias].get(key) for alias in measures)
    return rows


def rollup_compute(*, rollup: Rollup, scope: Scope, ranges: list[DayRange]) -> list[RollupRow]:
    """The rollup's rows for these local days, computed by the engine from the source rows (all of them)."""
    rows = []
    compute = rollup.compute_rows or _measure_rows
    for first, end in chunked(ranges, CHUNK_DAYS):
        query = MetricQuery(metrics=(), date_from=first, date_to=end - ONE_DAY, granularity=Granularity.DAY)
        buckets = buckets_for(Granularity.DAY, first, end)
        for dim in ("", *sorted(rollup.dims)):
            computed: Mapping[tuple[Any, ...], tuple[Number | None, ...]] = compute(
                scope=scope, query=query, buckets=buckets, rollup=rollup, dim=dim)
            for (day, owner, team, dim_value, detail), values in computed.items():
                rows.append(RollupRow(
                    workspace_id=scope.workspace_id, rollup=rollup.key, day=dt.date.fromisoformat(day),
                    owner_id=owner, team_id=team, dim=dim, dim_value=None if dim_value is None else str(dim_value),
                    detail=detail, **{f"m{index}": value or 0 for index, value in enumerate(values)}))
    return rows


# ---- markers ----------------------------------------------------------------------------------

def _marked(workspace_id: int, rollup: Rollup) -> dict[int, Mark]:
    """The markers waiting now, by id: their changes are committed, so every row read from now on has them."""
    markers = RollupMarker.unscoped.filter(workspace_id=workspace_id, rollup=rollup.key)
    return {pk: (day, hour) for pk, day, hour in markers.values_list("id", "day", "hour")}


def _consume(ids: list[int]) -> None:
    """Delete exactly the markers that were read (a marker committed since then stays for the next refresh)."""
    for start in range(0, len(ids), DELETE_BATCH):
        RollupMarker.unscoped.filter(id__in=ids[start:start + DELETE_BATCH]).delete()


def _locked_coverage(pk: int, time_zone: str) -> RollupCoverage | None:
    return RollupCoverage.unscoped.select_for_update().filter(pk=pk, time_zone=time_zone).first()


def _delete_days(workspace_id: int, rollup: Rollup, ranges: list[DayRange]) -> None:
    RollupRow.unscoped.filter(workspace_id=workspace_id, rollup=rollup.key).filter(on_days(ranges)).delete()


# ---- full build -------------------------------------------------------------------------------

def _span(rollup: Rollup, scope: Scope) -> DayRange | None:
    """The local days the source rows are dated on, with a day to spare on each side of a moment."""
    source = source_get(rollup.source)
    model = apps.get_model(source.model)
    bounds = model.unscoped.filter(workspace_id=scope.workspace_id).aggregate(
        low=Min(rollup.date_field), high=Max(rollup.date_field))
    if bounds["low"] is None:
        return None
    if rollup.date_only:
        return bounds["low"], bounds["high"] + ONE_DAY
    tz = ZoneInfo(scope.time_zone)
    return (bounds["low"].astimezone(tz).date() - ONE_DAY, bounds["high"].astimezone(tz).date() + 2 * ONE_DAY)


def rollup_rebuild(*, workspace_id: int, time_zone: str, rollup: Rollup) -> RefreshResult:
    """Compute a rollup from scratch, a quarter at a time; readers use each quarter once it is written.

    The days before and after the rows' span hold nothing (a row dated there later writes a marker), so
    the coverage starts at the first possible date and, once the last quarter is written, ends at the last.
    """
    scope = _all_rows(workspace_id, time_zone)
    with transaction.atomic():
        coverage, _created = RollupCoverage.unscoped.select_for_update().get_or_create(
            workspace_id=workspace_id, rollup=rollup.key, defaults={"time_zone": time_zone})
        RollupMarker.unscoped.filter(workspace_id=workspace_id, rollup=rollup.key).delete()
        RollupRow.unscoped.filter(workspace_id=workspace_id, rollup=rollup.key).delete()
        coverage.first_day = coverage.last_day = None
        coverage.time_zone = time_zone
        coverage.save()
    span = _span(rollup, scope)
    if span is None:
        today = timezone.now().astimezone(ZoneInfo(time_zone)).date()
        span = (today, today + ONE_DAY)
    days = 0
    chunks = chunked([span], CHUNK_DAYS)
    for first, end in chunks:
        rows = rollup_compute(rollup=rollup, scope=scope, ranges=[(first, end)])
        with transaction.atomic():
            locked = _locked_coverage(coverage.pk, time_zone)
            if locked is None:  # invalidated while building: the next refresh starts over
                return RefreshResult(rollup=rollup.key, rebuilt=True, days=days)
            RollupRow.unscoped.bulk_create(rows, batch_size=2000)
            last = MAX_DATE if end == chunks[-1][1] else end - ONE_DAY
            locked.first_day, locked.last_day, locked.built_at = MIN_DATE, last, timezone.now()
            locked.save()
        days += (end - first).days
    return RefreshResult(rollup=rollup.key, rebuilt=True, days=days)


# ---- refresh ----------------------------------------------------------------------------------

def _refresh_marked(*, coverage_pk: int, rollup: Rollup, scope: Scope) -> RefreshResult | None:
    """Recompute the marked days; None when there are too many (the caller rebuilds instead)."""
    marked = _marked(scope.workspace_id, rollup)
    if not marked:
        return RefreshResult(rollup=rollup.key, rebuilt=False, days=0)
    days = local_days_touched(set(marked.values()), time_zone=scope.time_zone)
    if len(days) > REFRESH_AT_MOST_DAYS:
        return None
    ranges = ranges_of(days, join_gap=JOIN_GAP_DAYS)
    rows = rollup_compute(rollup=rollup, scope=scope, ranges=ranges)
    with transaction.atomic():
        coverage = _locked_coverage(coverage_pk, scope.time_zone)
        if coverage is None or coverage.first_day is None or coverage.last_day is None:
            return RefreshResult(rollup=rollup.key, rebuilt=False, days=0)
        _delete_days(scope.workspace_id, rollup, ranges)
        RollupRow.unscoped.bulk_create(rows, batch_size=2000)
        # Days between the old coverage and the new ones hold no rows: a row there would have a marker.
        coverage.first_day = min(coverage.first_day, ranges[0][0])
        coverage.last_day = max(coverage.last_day, ranges[-1][1] - ONE_DAY)
        coverage.built_at = timezone.now()
        coverage.save()
        _consume(list(marked))
    return RefreshResult(rollup=rollup.key, rebuilt=False, days=sum((end - first).days for first, end in ranges))


def rollup_refresh(*, workspace_id: int, time_zone: str, rollup: Rollup) -> RefreshResult:
    """Bring one rollup of a workspace up to date: recompute marked days, or build it when it has no coverage."""
    coverage = RollupCoverage.unscoped.filter(workspace_id=workspace_id, rollup=rollup.key).first()
    if (coverage is None or coverage.time_zone != time_zone or coverage.first_day is None
            or coverage.last_day is None):
        return rollup_rebuild(workspace_id=workspace_id, time_zone=time_zone, rollup=rollup)
    scope = _all_rows(workspace_id, time_zone)
    if connection.vendor == "postgresql":
        result = _refresh_marked(coverage_pk=coverage.pk, rollup=rollup, scope=scope)
    else:
        with transaction.atomic():  # the write lock from reading the markers to deleting them
            result = _refresh_marked(coverage_pk=coverage.pk, rollup=rollup, scope=scope)
    if result is None:
        return rollup_rebuild(workspace_id=workspace_id, time_zone=time_zone, rollup=rollup)
    return result


def rollups_refresh(*, workspace_id: int, time_zone: str, rebuild: bool = False) -> list[RefreshResult]:
    """Every rollup of one workspace, refreshed (or rebuilt from scratch)."""
    action = rollup_rebuild if rebuild else rollup_refresh
    return [action(workspace_id=workspace_id, time_zone=time_zone, rollup=rollup) for rollup in rollups_all()]


def rollups_refresh_all() -> list[RefreshResult]:
    """Every workspace's rollups (the periodic job)."""
    workspaces = apps.get_model("accounts", "Workspace").objects.values_list("pk", "time_zone").order_by("pk")
    # Deleting a workspace deletes its deals, which writes markers nothing will read again.
    RollupMarker.unscoped.exclude(workspace_id__in=workspaces.values("pk")).delete()
    results = []
    for workspace_id, time_zone in workspaces:
        results.extend(rollups_refresh(workspace_id=workspace_id, time_zone=time_zone))
    return results
