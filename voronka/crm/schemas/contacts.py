"""API shapes for contacts. Create/Update list only what a client may set (R5)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from ninja import Field, Schema

from voronka.core.api import Text

from ..models import AgeBand, Contact, Gender
from .common import CustomValues, OwnedRecordRead, RefRead, Tags

ContactOrdering = Literal["full_name", "-full_name", "created_at", "-created_at", "updated_at", "-updated_at",
                          "city", "-city", "email", "-email"]
# "" clears the value; one Literal (not an enum union) keeps the 422 field name plain.
AgeBandValue = Literal["", "<25", "25-34", "35-44", "45-54", "55+"]
GenderValue = Literal["", "f", "m", "x"]
Points = Annotated[list[Annotated[Text, Field(max_length=254)]], Field(max_length=10)]


class ContactRead(OwnedRecordRead):
    id: int
    full_name: str
    first_name: str
    last_name: str
    email: str
    phone: str
    emails: list[str]
    phones: list[str]
    position: str
    company: RefRead | None
    city: str
    age_band: str
    gender: str
    lead_source: str


    @staticmethod
    def resolve_company(obj: Contact) -> RefRead | None:
        return RefRead(id=obj.company.pk, name=obj.company.name) if obj.company_id and obj.company else None

    @staticmethod
    def resolve_emails(obj: Contact) -> list[str]:
        points = sorted(obj.points.all(), key=lambda point: (not point.is_primary, point.pk))
        return [point.value for point in points if point.kind == "email"]

    @staticmethod
    def resolve_phones(obj: Contact) -> list[str]:
        points = sorted(obj.points.all(), key=lambda point: (not point.is_primary, point.pk))
        return [point.value for point in points if point.kind == "phone"]


class ContactCreate(Schema):
    full_name: Text = Field("", max_length=200, description="Built from first and last name when empty.")
    first_name: Text = Field("", max_length=100)
    last_name: Text = Field("", max_length=100)
    emails: Points = Field([], description="The first is the primary email.")
    phones: Points = Field([], description="The first is the primary phone; stored in E.164.")
    position: Text = Field("", max_length=120)
    company_id: int | None = None
    city: Text = Field("", max_length=100)
    age_band: AgeBandValue = ""
    gender: GenderValue = ""
    lead_source: Text = Field("", max_length=100)
    owner_id: int | None = Field(None, description="Another member as owner (needs the assign capability).")
    tags: Tags = []
    custom: CustomValues = {}


class ContactUpdate(Schema):
    """Send `version` as read; omit a field to keep it. `emails`/`phones` replace the lists."""

    version: int
    full_name: Text | None = Field(None, max_length=200)
    first_name: Text | None = Field(None, max_length=100)
    last_name: Text | None = Field(None, max_length=100)
    emails: Points | None = None
    phones: Points | None = None
    position: Text | None = Field(None, max_length=120)
    company_id: int | None = None
    city: Text | None = Field(None, max_length=100)
    age_band: AgeBandValue | None = None
    gender: GenderValue | None = None
    lead_source: Text | None = Field(None, max_length=100)
    owner_id: int | None = None
    tags: Tags | None = None
    custom: CustomValues | None = None


class ContactFilters(Schema):
    search: Text = Field("", max_length=100, description="Part of the name, position, an email or phone digits.")
    company_id: int | None = None
    owner_id: int | None = None
    team_id: int | None = None
    tag: Text | None = Field(None, max_length=60)
    lead_source: Text | None = Field(None, max_length=100)
    city: Text | None = Field(None, max_length=100)
    age_band: AgeBand | None = None
    gender: Gender | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None
    ordering: ContactOrdering = "full_name"
