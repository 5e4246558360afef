"""Reads for deals: the filtered list, one deal, the stalled rule and the timeline."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast

from voronka.accounts.actor import Actor
from voronka.core.db import casefold_q

from ..access import visible_deals
from ..models import Contact, Deal, DealStatus, Stage, Tag, TimelineEntry
from ..services.custom_fields import custom_filter_values

ORDERINGS = frozenset({
    "created_at", "title", "amount", "expected_close_date", "stage_entered_at", "updated_at", "closed_at",
})
DEFAULT_ORDERING = "-created_at"
_RELATED = ("owner", "team", "company", "pipeline", "stage", "channel", "lost_reason")
# What a list row shows (API: owner and company names, the stage's name and probability; pages add their own).
# Every join multiplies PostgreSQL's planning work: with all seven the plan of the 50-row page took 35–40 ms
# at 600,000 deals (its execution about 1 ms), with these three under 1 ms.
_LIST_RELATED = ("owner", "company", "stage")


def with_stalled(queryset: QuerySet[Deal], now: dt.datetime) -> QuerySet[Deal]:
    """Annotate `is_stalled`: an open deal longer in its stage than the stage's stalled_after_days."""
    # Cast: SQLite only multiplies a duration by a plain integer type, not a positive small integer.
    # A subquery rather than a join on the stage: count() drops unused annotations, and with a
    # subquery nothing is left behind, so counting 600,000 deals stays an index-only scan.
    # order_by(): a primary-key lookup needs no ordering (the default one joins the pipeline).
    stalled_days = Subquery(
        Stage.unscoped.filter(pk=OuterRef("stage_id")).order_by().values("stalled_after_days")[:1]
    )
    days = ExpressionWrapper(Cast(stalled_days, IntegerField()) * Value(dt.timedelta(days=1)),
                             output_field=DurationField())
    stalled_since = ExpressionWrapper(F("stage_entered_at") + days, output_field=DateTimeField())
    return queryset.annotate(
        stalled_at=stalled_since,
        is_stalled=Case(
            When(status=DealStatus.OPEN, stalled_at__isnull=False, stalled_at__lt=now,
                 then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def deal_is_stalled(deal: Deal, now: dt.datetime) -> bool:
    """The same rule in Python, for one deal already in memory."""
    days = deal.stage.stalled_after_days
    return deal.status == DealStatus.OPEN and days is not None and deal.stage_entered_at + dt.timedelta(days=days) < now


def _day_start(day: dt.date, time_zone: str) -> dt.datetime:
    try:
        zone = ZoneInfo(time_zone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone).astimezone(dt.UTC)


def _ordering(ordering: str) -> list[str]:
    field = ordering.removeprefix("-")
    if field not in ORDERINGS:
        ordering = DEFAULT_ORDERING
    return [ordering, "-id" if ordering.startswith("-") else "id"]


def deal_list(
    *,
    actor: Actor,
    search: str = "",
    pipeline_id: int | None = None,
    stage_id: int | None = None,
    status: str | None = None,
    owner_id: int | None = None,
    team_id: int | None = None,
    channel_id: int | None = None,
    lead_source: str | None = None,
    company_id: int | None = None,
    tag: str | None = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    close_from: dt.date | None = None,
    close_to: dt.date | None = None,
    amount_min: Decimal | None = None,
    amount_max: Decimal | None = None,
    stalled: bool | None = None,
    custom: dict[str, Any] | None = None,
    ordering: str = DEFAULT_ORDERING,
    now: dt.datetime | None = None,
) -> QuerySet[Deal]:
    """Deals the actor may see, filtered and sorted; `is_stalled` is annotated on every row."""
    queryset = visible_deals(actor)
    if search := (search or "").strip():
        queryset = queryset.filter(casefold_q("title", search) | casefold_q("company__name", search))
    exact = {
        "pipeline_id": pipeline_id, "stage_id": stage_id, "status": status, "owner_id": owner_id,
        "team_id": team_id, "channel_id": channel_id, "company_id": company_id,
    }
    queryset = queryset.filter(**{name: value for name, value in exact.items() if value is not None})
    if lead_source:
        queryset = queryset.filter(lead_source=lead_source)
    if tag:
        queryset = queryset.filter(tags__name=tag)  # tag names are unique: no duplicate rows
    time_zone = actor.workspace.time_zone
    if created_from is not None:
        queryset = queryset.filter(created_at__gte=_day_start(created_from, time_zone))
    if created_to is not None:
        queryset = queryset.filter(created_at__lt=_day_start(created_to + dt.timedelta(days=1), time_zone))
    if close_from is not None:
        queryset = queryset.filter(expected_close_date__gte=close_from)
    if close_to is not None:
        queryset = queryset.filter(expected_close_date__lte=close_to)
    if amount_min is not None:
        queryset = queryset.filter(amount__gte=amount_min)
    if amount_max is not None:
        queryset = queryset.filter(amount__lte=amount_max)
    if custom:
        wanted = custom_filter_values(workspace_id=actor.workspace.pk, entity="deal", filters=custom)
        if wanted is None:
            return queryset.none()
        custom = wanted
    for index, (key, value) in enumerate(sorted((custom or {}).items())):
        alias = f"custom_filter_{index}"
        # Cast to text: a bare key transform compares as JSON, which SQLite rejects for plain strings.
        text = Cast(KeyTextTransform(str(key), "custom"), output_field=TextField())
        queryset = queryset.alias(**{alias: text}).filter(**{alias: str(value)})
    queryset = with_stalled(queryset, now or dt.datetime.now(dt.UTC))
    if stalled is not None:
        queryset = queryset.filter(**{"is_stalled": stalled})  # an annotation the type plugin cannot see
    return (
        queryset.select_related(*_LIST_RELATED)
        .prefetch_related(*list_prefetches())
        .order_by(*_ordering(ordering or DEFAULT_ORDERING))
    )


def list_prefetches() -> list[Prefetch[Any]]:
    """A row's contacts (ids only) and tags as plain lists: `contact_list`, `tag_list`.

    With to_attr Django stores the lists as they come; without it, it builds a related queryset per row
    (about 0.5 ms each through the scoped manager, 50 ms for a page of 50 deals with two relations).
    """
    return [
        Prefetch("contacts", queryset=Contact.objects.order_by().only("id"), to_attr="contact_list"),
        Prefetch("tags", queryset=Tag.objects.order_by("name"), to_attr="tag_list"),
    ]


def deal_get(*, actor: Actor, deal_id: int, now: dt.datetime | None = None) -> Deal | None:
    """One visible deal with everything its detail shows, or None."""
    return (
        with_stalled(visible_deals(actor), now or dt.datetime.now(dt.UTC))
        .select_related(*_RELATED)
        .prefetch_related("contacts", "tags", "line_items__product")
        .filter(pk=deal_id)
        .first()
    )


def deal_timeline(*, deal: Deal) -> QuerySet[TimelineEntry]:
    """The deal's timeline, newest first, with who did each thing."""
    return TimelineEntry.objects.filter(deal_id=deal.pk).select_related("actor").order_by("-at", "-id")
