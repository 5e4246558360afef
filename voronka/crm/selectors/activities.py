"""Reads for activities and "my tasks", scoped to what the actor sees (R2)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils import timezone

from voronka.accounts.actor import Actor

from ..access import visible_activities
from ..models import Activity
from .companies import ci_q, custom_filter, day_start, order_by

ACTIVITY_ORDERINGS = ("due_at", "-due_at", "created_at", "-created_at", "done_at", "-done_at",
                      "updated_at", "-updated_at")


def activity_list(
    *,
    actor: Actor,
    search: str = "",
    kind: str | None = None,
    owner_id: int | None = None,
    done: bool | None = None,
    overdue: bool = False,
    due_from: dt.date | None = None,
    due_to: dt.date | None = None,
    deal_id: int | None = None,
    contact_id: int | None = None,
    company_id: int | None = None,
    custom: dict[str, Any] | None = None,
    ordering: str = "-created_at",
) -> QuerySet[Activity]:
    """Activities the actor sees. `done` True/False for done/open; `overdue`: open and due before now;
    due_from/due_to are days (inclusive) in the workspace time zone."""
    queryset = visible_activities(actor).select_related("owner", "team", "deal", "contact", "company")
    if search := (search or "").strip():
        queryset = queryset.filter(ci_q("subject", search) | ci_q("body", search))
    if kind:
        queryset = queryset.filter(kind=kind)
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if done is not None:
        queryset = queryset.filter(done_at__isnull=not done)
    if overdue:
        queryset = queryset.filter(done_at__isnull=True, due_at__lt=timezone.now())
    if due_from is not None:
        queryset = queryset.filter(due_at__gte=day_start(due_from, actor.workspace.time_zone))
    if due_to is not None:
        queryset = queryset.filter(due_at__lt=day_start(due_to + dt.timedelta(days=1), actor.workspace.time_zone))
    for name, value in (("deal_id", deal_id), ("contact_id", contact_id), ("company_id", company_id)):
        if value is not None:
            queryset = queryset.filter(**{name: value})
    queryset = custom_filter(queryset, workspace_id=actor.workspace.pk, entity="activity", custom=custom)
    return order_by(queryset, ordering, ACTIVITY_ORDERINGS, "-created_at", nullable=("due_at", "done_at"))


def my_tasks(*, actor: Actor, today: dt.date | None = None) -> QuerySet[Activity]:
    """The actor's open activities due today or earlier (overdue), by due time; today in the workspace zone."""
    if today is None:
        today = timezone.localdate(timezone=ZoneInfo(actor.workspace.time_zone))
    tomorrow = day_start(today + dt.timedelta(days=1), actor.workspace.time_zone)
    return (
        visible_activities(actor)
        .filter(owner_id=actor.user.pk, done_at__isnull=True, due_at__lt=tomorrow)
        .select_related("owner", "deal", "contact", "company")
        .order_by("due_at", "id")
    )
