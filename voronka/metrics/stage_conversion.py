"""Stage conversion: a cohort measure over the stage history, read from its daily rollup where it can be.

Of the deals created in the period that reached a stage, the share that reached the next one. A deal
that reached a later stage counts as having passed the stages it skipped; lost stages do not count as
reached. Both paths count deals by (creation day, pipeline, slices, the furthest stage order reached).
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import replace
from typing import Any

from django.db.models import Case, Count, F, IntegerField, Max, OuterRef, Subquery, Sum, Value, When

from voronka.crm.models import Stage, StageKind, StageTransition

from .buckets import Bucket
from .catalogue import Number, Rollup, rollup_get

REACHED_ROLLUP = "deals_reached"
Counts = dict[tuple[Any, ...], dict[int, int]]  # (bucket, pipeline, *slice values) → {order reached: deals}


def _ladders(workspace_id: int) -> dict[int, list[tuple[int, int]]]:
    """Pipeline → [(order, stage id)] of its open and won stages, in order."""
    ladder: dict[int, list[tuple[int, int]]] = defaultdict(list)
    stages = Stage.unscoped.filter(workspace_id=workspace_id, kind__in=[StageKind.OPEN, StageKind.WON])
    for pipeline_id, order, stage_id in stages.order_by("pipeline_id", "order", "pk").values_list(
            "pipeline_id", "order", "pk"):
        ladder[pipeline_id].append((order, stage_id))
    return ladder


def _orders(ladders: dict[int, list[tuple[int, int]]]) -> dict[int, int]:
    return {stage_id: order for steps in ladders.values() for order, stage_id in steps}


def reached_counts(*, scope: Any, query: Any, buckets: list[Bucket], slice_keys: list[str],
                   only_days: Any = None, order_of: dict[int, int] | None = None) -> Counts:
    """Deals of the cohort by the furthest open or won stage they entered, from the source rows.

    `order_of` (stage id → order of the open and won stages) is read when the caller has not already.
    """
    from .engine import slice_columns, source_queryset

    if order_of is None:
        order_of = _orders(_ladders(scope.workspace_id))
    if not order_of:
        return {}
    def cohort(days: Any) -> Any:
        return source_queryset(scope=scope, query=query, source_key="deals", base="created", date_field="created_at",
                               buckets=buckets, only_days=days)

    # The stage orders are spelled out in a CASE rather than joined, so each deal costs one index
    # range of its own transitions.
    reached = Subquery(
        StageTransition.unscoped.filter(deal=OuterRef("pk"), to_stage_id__in=list(order_of))
        .values("deal")
        .annotate(top=Max(Case(*(When(to_stage_id=stage_id, then=Value(order)) for stage_id, order in order_of.items()),
                               output_field=IntegerField())))
        .values("top")[:1]
    )
    columns = slice_columns("deals", slice_keys)
    counts: Counts = defaultdict(lambda: defaultdict(int))
    # Separate stretches of days are one SELECT each in a UNION ALL (see engine.measure_values).
    parts = [cohort([days]) for days in only_days] if only_days else [cohort(only_days)]
    selects = [part.annotate(_reached=reached, **columns).values("_bucket", "pipeline_id", *columns, "_reached")
               .order_by().annotate(n=Count("pk")) for part in parts]
    for record in selects[0].union(*selects[1:], all=True) if len(selects) > 1 else selects[0]:
        if record["_reached"] is None:
            continue
        bucket = buckets[record["_bucket"]].key if buckets else "total"
        combo = (bucket, record["pipeline_id"], *(record[alias] for alias in columns))
        counts[combo][record["_reached"]] += record["n"]
    return counts


def reached_rows(*, scope: Any, query: Any, buckets: list[Bucket], rollup: Rollup, dim: str
                 ) -> dict[tuple[Any, ...], tuple[Number, ...]]:
    """The stage-conversion rollup's rows: deals by day, owner, team, pipeline (its one slice) and order reached."""
    if dim != "pipeline":
        return {}
    counts = reached_counts(scope=scope, query=query, buckets=buckets, slice_keys=["owner", "team"])
    return {(bucket, owner, team, pipeline, order): (n,)
            for (bucket, pipeline, owner, team), by_order in counts.items() for order, n in by_order.items()}


def _counts_from_rollup(*, scope: Any, query: Any, buckets: list[Bucket], slice_keys: list[str],
                        order_of: dict[int, int]) -> Counts | None:
    """The same counts, from the rollup for the days it holds and from the rows for the rest; None: not possible."""
    from .rollups.read import column_of_slice, rollup_plan, rollup_rows, rollups_enabled, slice_value, with_buckets

    rollup = rollup_get(REACHED_ROLLUP)
    if rollup is None or not rollups_enabled() or scope.rollups is None:
        return None
    plan = rollup_plan(rollup=rollup, state=scope.rollups,
                       keys=frozenset(slice_keys) | frozenset(query.filters) | {"pipeline"})
    if plan is None:
        return None
    rows = with_buckets(rollup_rows(plan=plan, viewer=scope.viewer, filters=query.filters), buckets)
    slices = {f"_s{index}": F(column_of_slice(key)) for index, key in enumerate(slice_keys)}
    counts: Counts = defaultdict(lambda: defaultdict(int))
    for record in rows.annotate(**slices).values("_bucket", "dim_value", *slices, "detail").annotate(
            n=Sum("m0")).order_by():
        bucket = buckets[record["_bucket"]].key if buckets else "total"
        combo = (bucket, int(record["dim_value"]),
                 *(slice_value(key, record[f"_s{index}"]) for index, key in enumerate(slice_keys)))
        counts[combo][record["detail"]] += int(record["n"])
    if plan.raw:
        for combo, by_order in reached_counts(scope=scope, query=query, buckets=buckets, slice_keys=slice_keys,
                                              only_days=plan.raw, order_of=order_of).items():
            for order, n in by_order.items():
                counts[combo][order] += n
    return counts


def stage_conversion(*, scope: Any, query: Any, buckets: list[Bucket]) -> dict[tuple[Any, ...], float | None]:
    """Stage conversion for each bucket × slices × stage (the metric's `compute`)."""
    # A stage filter picks the stages to answer for; it must not narrow the cohort to the deals
    # that happen to sit in that stage today.
    wanted_stages = query.filters.get("stage")
    cohort = replace(query, filters={key: values for key, values in query.filters.items() if key != "stage"})
    slice_keys = [key for key in query.slices if key != "stage"]
    ladder = _ladders(scope.workspace_id)
    order_of = _orders(ladder)
    counts = _counts_from_rollup(scope=scope, query=cohort, buckets=buckets, slice_keys=slice_keys,
                                 order_of=order_of)
    if counts is None:
        counts = reached_counts(scope=scope, query=cohort, buckets=buckets, slice_keys=slice_keys,
                                order_of=order_of)

    stage_position = query.slices.index("stage")
    result: dict[tuple[Any, ...], float | None] = {}
    for (bucket, pipeline_id, *other_values), by_order in counts.items():
        steps = ladder.get(pipeline_id, [])
        for (order, stage_id), (next_order, _next_id) in itertools.pairwise(steps):
            if wanted_stages is not None and stage_id not in wanted_stages:
                continue
            entered = sum(n for top, n in by_order.items() if top >= order)
            moved_on = sum(n for top, n in by_order.items() if top >= next_order)
            values = list(other_values)
            values.insert(stage_position, stage_id)
            result[(bucket, *values)] = moved_on / entered if entered else None
    return result
