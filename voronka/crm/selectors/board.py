"""Reads for the pipeline board: column totals in one aggregate query, cards one column page at a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.db.models import Count, DecimalField, ExpressionWrapper, F, QuerySet, Sum
from django.db.models.functions import Coalesce

from voronka.accounts.actor import Actor
from voronka.core.sorting import NamedSort

from ..access import visible_deals
from ..models import Deal, DealStatus, Pipeline, Stage

CARDS_PER_PAGE = 50


class BoardSort(StrEnum):
    RECENT = "recent"  # newest in the stage first
    AGE = "age"  # longest in the stage first
    AMOUNT = "amount"  # largest first
    CLOSE = "close"  # soonest expected close first, undated last


_ORDERING: dict[BoardSort, list[object]] = {
    BoardSort.RECENT: ["-stage_entered_at", "-id"],
    BoardSort.AGE: ["stage_entered_at", "id"],
    BoardSort.AMOUNT: ["-amount", "-id"],
    BoardSort.CLOSE: [F("expected_close_date").asc(nulls_last=True), "id"],
}


@dataclass(frozen=True)
class BoardFilters:
    owner_id: int | None = None
    team_id: int | None = None
    channel_id: int | None = None
    created_from: dt.date | None = None  # local dates in the workspace time zone, inclusive
    created_to: dt.date | None = None


@dataclass(frozen=True)
class ColumnTotals:
    count: int = 0
    total: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)


def _local_midnight(day: dt.date, time_zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(time_zone))


def board_deals(*, actor: Actor, pipeline: Pipeline, filters: BoardFilters) -> QuerySet[Deal]:
    """The open deals of `pipeline` the actor sees, narrowed by the filter bar."""
    queryset = visible_deals(actor).filter(pipeline_id=pipeline.pk, status=DealStatus.OPEN)
    if filters.owner_id is not None:
        queryset = queryset.filter(owner_id=filters.owner_id)
    if filters.team_id is not None:
        queryset = queryset.filter(team_id=filters.team_id)
    if filters.channel_id is not None:
        queryset = queryset.filter(channel_id=filters.channel_id)
    time_zone = actor.workspace.time_zone or "UTC"
    if filters.created_from is not None:
        queryset = queryset.filter(created_at__gte=_local_midnight(filters.created_from, time_zone))
    if filters.created_to is not None:
        next_day = filters.created_to + dt.timedelta(days=1)
        queryset = queryset.filter(created_at__lt=_local_midnight(next_day, time_zone))
    return queryset


def board_column_totals(*, actor: Actor, pipeline: Pipeline, filters: BoardFilters) -> dict[int, ColumnTotals]:
    """Count, sum and weighted sum (amount × probability) per stage, computed by the database in one query."""
    probability = Coalesce(F("probability_override"), F("stage__probability"))
    weighted = ExpressionWrapper(F("amount") * probability, output_field=DecimalField(max_digits=20, decimal_places=2))
    rows = (
        board_deals(actor=actor, pipeline=pipeline, filters=filters)
        .order_by()
        .values("stage_id")
        .annotate(count=Count("id"), total=Sum("amount"), weighted=Sum(weighted))
    )
    totals: dict[int, ColumnTotals] = {}
    for row in rows:
        totals[row["stage_id"]] = ColumnTotals(
            count=row["count"],
            total=Decimal(row["total"] or 0),
            weighted=Decimal(row["weighted"] or 0) / Decimal(100),
        )
    return totals


def board_cards(
    *,
    actor: Actor,
    stage: Stage,
    filters: BoardFilters,
    sort: BoardSort | NamedSort = BoardSort.RECENT,
    offset: int = 0,
    limit: int = CARDS_PER_PAGE,
) -> tuple[list[Deal], bool]:
    """One page of a column's cards and whether more follow.

    `sort` is one of the board's own orders or one a higher app registered for deals in core.sorting
    (funnel's win probability): an expression per card, computed in the same query.
    """
    queryset = (
        board_deals(actor=actor, pipeline=stage.pipeline, filters=filters)
        .filter(stage_id=stage.pk)
        .select_related("company", "owner", "stage")
    )
    if isinstance(sort, NamedSort):
        queryset = queryset.annotate(**{sort.alias: sort.expression()}).order_by(*sort.order_by())
    else:
        queryset = queryset.order_by(*_ORDERING[sort])  # type: ignore[arg-type]
    found = list(queryset[offset : offset + limit + 1])
    return found[:limit], len(found) > limit

