"""API shapes for activities. Create/Update list only what a client may set (R5)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema

from voronka.core.api import Text

from ..models import Activity, ActivityKind
from .common import CustomValues, OwnerRead, owner_of

ActivityOrdering = Literal["due_at", "-due_at", "created_at", "-created_at", "done_at", "-done_at",
                           "updated_at", "-updated_at"]


class ActivityRead(Schema):
    id: int
    kind: ActivityKind
    subject: str
    body: str
    due_at: dt.datetime | None
    done_at: dt.datetime | None
    outcome: str
    deal_id: int | None
    contact_id: int | None
    company_id: int | None
    owner: OwnerRead | None
    team_id: int | None
    custom: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj: Activity) -> OwnerRead | None:
        return owner_of(obj)


class ActivityCreate(Schema):
    kind: ActivityKind = ActivityKind.TASK
    subject: Text = Field(..., max_length=200)
    body: Text = Field("", max_length=20_000)
    due_at: dt.datetime | None = None
    deal_id: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    owner_id: int | None = Field(None, description="Another member as owner (needs the assign capability).")
    custom: CustomValues = {}


class ActivityUpdate(Schema):
    """Send `version` as read; omit a field to keep it."""

    version: int
    kind: ActivityKind | None = None
    subject: Text | None = Field(None, max_length=200)
    body: Text | None = Field(None, max_length=20_000)
    due_at: dt.datetime | None = None
    outcome: Text | None = Field(None, max_length=200)
    deal_id: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    owner_id: int | None = None
    custom: CustomValues | None = None


class ActivityComplete(Schema):
    outcome: Text = Field("", max_length=200)


class ActivityFilters(Schema):
    search: Text = Field("", max_length=100, description="Part of the subject or details.")
    kind: ActivityKind | None = None
    owner_id: int | None = None
    done: bool | None = Field(None, description="true: done only; false: open only.")
    overdue: bool = False
    mine_today: bool = Field(False, description="My open activities due today or overdue.")
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    deal_id: int | None = None
    contact_id: int | None = None
    company_id: int | None = None
    ordering: ActivityOrdering = "-created_at"
