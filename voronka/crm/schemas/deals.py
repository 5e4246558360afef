"""API shapes for deals (SECURITY.md R5: owner/workspace/version/team/status never come from a create body)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from voronka.core.api import Text

from ..models import Deal, DealStatus, TimelineEntry
from .common import tag_names


class LineItemRead(Schema):
    id: int
    product_id: int
    product_name: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    unit_cost: Decimal
    total: Decimal

    @staticmethod
    def resolve_product_name(obj: Any) -> str:
        return str(obj.product.name)

    @staticmethod
    def resolve_total(obj: Any) -> Decimal:
        return Decimal(obj.total).quantize(Decimal("0.01"))


class DealRead(Schema):
    id: int
    title: str
    pipeline_id: int
    stage_id: int
    stage_name: str
    status: DealStatus
    amount: Decimal
    amount_is_manual: bool
    cost: Decimal
    margin: Decimal
    probability: int
    probability_override: int | None
    expected_close_date: dt.date | None
    owner_id: int | None
    owner_name: str | None
    team_id: int | None
    company_id: int | None
    company_name: str | None
    contact_ids: list[int]
    channel_id: int | None
    lead_source: str
    lost_reason_id: int | None
    lost_note: str
    closed_at: dt.datetime | None
    stage_entered_at: dt.datetime
    is_stalled: bool
    tags: list[str]
    custom: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_stage_name(obj: Deal) -> str:
        return obj.stage.name

    @staticmethod
    def resolve_owner_name(obj: Deal) -> str | None:
        return (obj.owner.full_name or obj.owner.email) if obj.owner else None

    @staticmethod
    def resolve_company_name(obj: Deal) -> str | None:
        return obj.company.name if obj.company else None

    @staticmethod
    def resolve_contact_ids(obj: Deal) -> list[int]:
        contacts = getattr(obj, "contact_list", None)  # deal_list's plain prefetched list
        return sorted(contact.pk for contact in (obj.contacts.all() if contacts is None else contacts))

    @staticmethod
    def resolve_tags(obj: Deal) -> list[str]:
        return tag_names(obj)

    @staticmethod
    def resolve_is_stalled(obj: Deal) -> bool:
        return bool(getattr(obj, "is_stalled", False))


class DealDetail(DealRead):
    line_items: list[LineItemRead]

    @staticmethod
    def resolve_line_items(obj: Deal) -> list[Any]:
        return list(obj.line_items.all())


class DealCreate(Schema):
    title: Text = Field(..., min_length=1, max_length=200)
    pipeline_id: int | None = None
    stage_id: int | None = None
    company_id: int | None = None
    contact_ids: list[int] = Field(default_factory=list, max_length=100)
    amount: Decimal = Field(Decimal(0), ge=0, max_digits=16, decimal_places=2)
    cost: Decimal = Field(Decimal(0), ge=0, max_digits=16, decimal_places=2)
    expected_close_date: dt.date | None = None
    probability_override: int | None = Field(None, ge=0, le=100)
    channel_id: int | None = None
    lead_source: Text = Field("", max_length=100)
    custom: dict[str, Any] = Field(default_factory=dict)
    tags: list[Text] = Field(default_factory=list, max_length=50)
    owner_id: int | None = Field(None, description="Another owner needs the assign capability.")
    lost_reason_id: int | None = Field(None, description="Needed when the deal is created in a lost stage.")


class DealUpdate(Schema):
    """Omit a field to keep it. Stage and status change through /move, /won, /lost and /reopen."""

    version: int
    title: Text | None = Field(None, min_length=1, max_length=200)
    company_id: int | None = None
    contact_ids: list[int] | None = Field(None, max_length=100)
    amount: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    cost: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    expected_close_date: dt.date | None = None
    probability_override: int | None = Field(None, ge=0, le=100)
    channel_id: int | None = None
    lead_source: Text | None = Field(None, max_length=100)
    custom: dict[str, Any] | None = None
    tags: list[Text] | None = Field(None, max_length=50)
    owner_id: int | None = None


class DealMove(Schema):
    stage_id: int
    version: int
    lost_reason_id: int | None = Field(None, description="Needed when the target is a lost stage.")
    note: Text = Field("", max_length=500)


class DealVersion(Schema):
    version: int


class DealLost(Schema):
    version: int
    lost_reason_id: int
    note: Text = Field("", max_length=500)


class DealReopen(Schema):
    version: int
    stage_id: int | None = None


class LineItemIn(Schema):
    product_id: int
    quantity: Decimal = Field(Decimal(1), gt=0, max_digits=12, decimal_places=3)
    unit_price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    discount_percent: Decimal = Field(Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)


class LineItemsSet(Schema):
    version: int
    items: list[LineItemIn] = Field(..., max_length=200)


class DealFilters(Schema):
    search: Text = Field("", max_length=100)
    pipeline_id: int | None = None
    stage_id: int | None = None
    status: DealStatus | None = None
    owner_id: int | None = None
    team_id: int | None = None
    channel_id: int | None = None
    lead_source: Text | None = Field(None, max_length=100)
    company_id: int | None = None
    tag: Text | None = Field(None, max_length=60)
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    close_from: dt.date | None = None
    close_to: dt.date | None = None
    amount_min: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    amount_max: Decimal | None = Field(None, max_digits=16, decimal_places=2)
    stalled: bool | None = None
    custom: Text | None = Field(None, max_length=500,
                                description='Custom-field filters as "key:value", comma-separated.')
    ordering: Text = Field("-created_at", max_length=40)


class TimelineEntryRead(Schema):
    id: int
    kind: str
    at: dt.datetime
    actor_id: int | None
    actor_name: str | None
    data: dict[str, Any]

    @staticmethod
    def resolve_actor_name(obj: TimelineEntry) -> str | None:
        return (obj.actor.full_name or obj.actor.email) if obj.actor else None

