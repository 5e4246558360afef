"""API shapes for companies. Create/Update list only what a client may set (R5)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from voronka.core.api import Text

from .common import CustomValues, OwnedRecordRead, Tags

# "" clears the band; one Literal (not an enum union) keeps the 422 field name plain.
SizeBandValue = Literal["", "1-9", "10-49", "50-249", "250-999", "1000+"]
CompanyOrdering = Literal["name", "-name", "created_at", "-created_at", "updated_at", "-updated_at",
                          "annual_revenue", "-annual_revenue", "city", "-city"]


class CompanyRead(OwnedRecordRead):
    id: int
    name: str
    domain: str
    industry: str
    size_band: str
    country: str
    region: str
    city: str
    annual_revenue: Decimal | None
    channel_id: int | None



class CompanyCreate(Schema):
    name: Text = Field(..., max_length=200)
    domain: Text = Field("", max_length=200)
    industry: Text = Field("", max_length=100)
    size_band: SizeBandValue = ""
    country: Text = Field("", max_length=100)
    region: Text = Field("", max_length=100)
    city: Text = Field("", max_length=100)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    channel_id: int | None = None
    owner_id: int | None = Field(None, description="Another member as owner (needs the assign capability).")
    tags: Tags = []
    custom: CustomValues = {}


class CompanyUpdate(Schema):
    """Send `version` as read; omit a field to keep it. `owner_id` gives the company to another member."""

    version: int
    name: Text | None = Field(None, max_length=200)
    domain: Text | None = Field(None, max_length=200)
    industry: Text | None = Field(None, max_length=100)
    size_band: SizeBandValue | None = None
    country: Text | None = Field(None, max_length=100)
    region: Text | None = Field(None, max_length=100)
    city: Text | None = Field(None, max_length=100)
    annual_revenue: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    channel_id: int | None = None
    owner_id: int | None = None
    tags: Tags | None = None
    custom: CustomValues | None = None


class CompanyFilters(Schema):
    search: Text = Field("", max_length=100, description="Part of the name, domain or city.")
    owner_id: int | None = None
    team_id: int | None = None
    tag: Text | None = Field(None, max_length=60)
    industry: Text | None = Field(None, max_length=100)
    channel_id: int | None = None
    city: Text | None = Field(None, max_length=100)
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    ordering: CompanyOrdering = "name"
