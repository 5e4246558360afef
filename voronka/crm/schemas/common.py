"""Shapes shared by the record schemas: owner and link references, tags, custom values."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Field, Schema

from voronka.core.api import Text

TagName = Annotated[Text, Field(max_length=60)]
Tags = Annotated[list[TagName], Field(max_length=50)]
# Values are checked against the workspace's custom fields by the service (custom_values_clean).
CustomValues = Annotated[dict[Annotated[str, Field(max_length=40)], Any], Field(max_length=100)]


class OwnerRead(Schema):
    id: int
    name: str


class RefRead(Schema):
    id: int
    name: str


def owner_of(obj: Any) -> OwnerRead | None:
    owner = getattr(obj, "owner", None)
    if owner is None:
        return None
    return OwnerRead(id=owner.pk, name=owner.full_name or owner.email)


def tag_names(obj: Any) -> list[str]:
    # Reads the prefetched tags (one query per page, not per row): a list selector's `tag_list`, or the
    # prefetch cache of `tags`.
    tags = getattr(obj, "tag_list", None)
    return sorted(tag.name for tag in (obj.tags.all() if tags is None else tags))


CUSTOM_PARAM_PREFIX = "custom."


def custom_filters_from(query: Any) -> dict[str, str]:
    """`?custom.<key>=value` query parameters as {key: value} (the last value of a repeated key wins)."""
    return {
        name.removeprefix(CUSTOM_PARAM_PREFIX): query.get(name)
        for name in query
        if name.startswith(CUSTOM_PARAM_PREFIX) and len(name) <= 60 and "\x00" not in query.get(name, "")
    }


class OwnedRecordRead(Schema):
    """What every owned, versioned, taggable record shows besides its own fields."""

    owner: OwnerRead | None
    team_id: int | None
    tags: list[str]
    custom: dict[str, Any]
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_owner(obj: Any) -> OwnerRead | None:
        return owner_of(obj)

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return tag_names(obj)
