"""API shapes of the duplicate finder and merge."""

from __future__ import annotations

from ninja import Schema
from pydantic import Field


class MergeRequest(Schema):
    primary_id: int = Field(ge=1, description="The record that stays.")
    other_ids: list[int] = Field(min_length=1, max_length=20, description="Records merged into it and then deleted.")


class DuplicateRecord(Schema):
    id: int
    name: str
    email: str = ""
    phone: str = ""
    domain: str = ""
    company: str = ""
    owner: str = ""


class DuplicateGroupRead(Schema):
    reason: str = Field(description="email, phone, name or domain")
    key: str
    records: list[DuplicateRecord]


class DuplicatePageRead(Schema):
    items: list[DuplicateGroupRead]
    count: int
    limit: int
    offset: int
