"""Reads for companies, plus the filter helpers the contact and activity lists share.

Every list starts from `access.visible_*`, so it holds only what the actor may see (R2).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OrderBy, OuterRef, Q, QuerySet, TextField
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from voronka.accounts.actor import Actor
from voronka.core.db import casefold_q

from ..access import visible_companies
from ..models import Company
from ..services.custom_fields import custom_filter_values
from ..services.tags import tags_matching

COMPANY_ORDERINGS = ("name", "-name", "created_at", "-created_at", "updated_at", "-updated_at",
                     "annual_revenue", "-annual_revenue", "city", "-city")


def ci_q(field: str, term: str, *, lookup: str = "contains") -> Q:
    """Case-insensitive match of `term` in any script, on SQLite and PostgreSQL alike."""
    return casefold_q(field, term, lookup=lookup)


def tag_q(model: Any, *, workspace_id: int, tag: str) -> Q:
    """Records carrying a tag named `tag` (any case); nothing when there is no such tag."""
    tags = tags_matching(workspace_id=workspace_id, names=[tag.strip()])
    if not tags:
        return Q(pk__in=[])
    through = model.tags.through
    column = f"{model._meta.model_name}_id"
    return Q(Exists(through.objects.filter(**{column: OuterRef("pk")}, tag_id__in=[t.pk for t in tags.values()])))


def custom_filter(queryset: QuerySet[Any], *, workspace_id: int, entity: str,
                  custom: dict[str, Any] | None) -> QuerySet[Any]:
    """`custom__<key> = value` for each pair; values are compared in their stored (canonical) form."""
    if not custom:
        return queryset
    cleaned = custom_filter_values(workspace_id=workspace_id, entity=entity, filters=custom)
    if cleaned is None:
        return queryset.none()
    for index, (key, value) in enumerate(sorted(cleaned.items())):
        # KT reads the key as text on both databases; keys are slugs, so they cannot act as lookups.
        # Cast: a bare key transform would compare as JSON, and "Gold" is not a JSON document.
        text = Cast(KT(f"custom__{key}"), output_field=TextField())
        queryset = queryset.alias(**{f"custom_filter_{index}": text}).filter(
            **{f"custom_filter_{index}": value})
    return queryset


def day_start(day: dt.date, time_zone: str) -> dt.datetime:
    """Midnight of `day` in the workspace time zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(time_zone))


def created_q(*, actor: Actor, created_from: dt.date | None, created_to: dt.date | None,
              field: str = "created_at") -> Q:
    """Rows created on days from..to inclusive, in the workspace time zone."""
    condition = Q()
    if created_from is not None:
        condition &= Q(**{f"{field}__gte": day_start(created_from, actor.workspace.time_zone)})
    if created_to is not None:
        condition &= Q(**{f"{field}__lt": day_start(created_to + dt.timedelta(days=1), actor.workspace.time_zone)})
    return condition


def order_by(queryset: QuerySet[Any], ordering: str, allowed: tuple[str, ...], default: str,
             nullable: tuple[str, ...] = ()) -> QuerySet[Any]:
    """Order by a whitelisted field (anything else falls back to the default), id as tie-breaker."""
    if ordering not in allowed:
        ordering = default
    name = ordering.lstrip("-")
    descending = ordering.startswith("-")
    if name in nullable:
        expression: OrderBy = F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True)
        return queryset.order_by(expression, "-id" if descending else "id")
    return queryset.order_by(ordering, "-id" if descending else "id")


def company_list(
    *,
    actor: Actor,
    search: str = "",
    owner_id: int | None = None,
    team_id: int | None = None,
    tag: str | None = None,
    industry: str | None = None,
    channel_id: int | None = None,
    city: str | None = None,
    custom: dict[str, Any] | None = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
    ordering: str = "name",
) -> QuerySet[Company]:
    """Companies the actor sees, filtered and ordered; owner, team, channel and tags loaded."""
    queryset = visible_companies(actor).select_related("owner", "team", "channel").prefetch_related("tags")
    if search := (search or "").strip():
        from ..normalize import name_key

        queryset = queryset.filter(
            Q(name_key__contains=name_key(search)) | Q(domain__contains=search.lower()) | ci_q("city", search)
        )
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if team_id is not None:
        queryset = queryset.filter(team_id=team_id)
    if tag and tag.strip():
        queryset = queryset.filter(tag_q(Company, workspace_id=actor.workspace.pk, tag=tag))
    if industry and industry.strip():
        queryset = queryset.filter(ci_q("industry", industry.strip(), lookup="exact"))
    if channel_id is not None:
        queryset = queryset.filter(channel_id=channel_id)
    if city and city.strip():
        queryset = queryset.filter(ci_q("city", city.strip(), lookup="exact"))
    queryset = custom_filter(queryset, workspace_id=actor.workspace.pk, entity="company", custom=custom)
    queryset = queryset.filter(created_q(actor=actor, created_from=created_from, created_to=created_to))
    return order_by(queryset, ordering, COMPANY_ORDERINGS, "name", nullable=("annual_revenue",))
