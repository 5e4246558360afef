"""API shapes for custom fields."""

from __future__ import annotations

from typing import Annotated

from ninja import Field, Schema

from voronka.core.api import Text

from ..models import CustomEntity, CustomFieldKind

Choices = Annotated[list[Annotated[Text, Field(max_length=100)]], Field(max_length=200)]


class CustomFieldRead(Schema):
    id: int
    entity: CustomEntity
    key: str
    label: str
    kind: CustomFieldKind
    choices: list[str]
    is_required: bool
    show_in_list: bool
    order: int


class CustomFieldCreate(Schema):
    entity: CustomEntity
    key: Text = Field(..., max_length=40, description="Lower-case Latin letters, digits, single underscores.")
    label: Text = Field(..., max_length=100)
    kind: CustomFieldKind = CustomFieldKind.TEXT
    choices: Choices = []
    is_required: bool = False
    show_in_list: bool = True
    order: int = Field(0, ge=0, le=32767)


class CustomFieldUpdate(Schema):
    """Key, entity and type stay; omit a field to keep it."""

    label: Text | None = Field(None, max_length=100)
    choices: Choices | None = None
    is_required: bool | None = None
    show_in_list: bool | None = None
    order: int | None = Field(None, ge=0, le=32767)


class CustomFieldFilters(Schema):
    entity: CustomEntity | None = None
