"""API shapes for the product catalogue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

from voronka.core.api import Text

ProductOrdering = Literal["name", "-name", "sku", "-sku", "price", "-price", "category", "-category",
                          "created_at", "-created_at"]


class ProductRead(Schema):
    id: int
    sku: str
    name: str
    category: str
    price: Decimal
    unit_cost: Decimal
    is_active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class ProductCreate(Schema):
    sku: Text = Field(..., max_length=64)
    name: Text = Field(..., max_length=200)
    category: Text = Field("", max_length=100)
    price: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    unit_cost: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2)
    is_active: bool = True


class ProductUpdate(Schema):
    """Omit a field to keep it (products carry no version: the catalogue is edited by administrators)."""

    sku: Text | None = Field(None, max_length=64)
    name: Text | None = Field(None, max_length=200)
    category: Text | None = Field(None, max_length=100)
    price: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    unit_cost: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    is_active: bool | None = None


class ProductFilters(Schema):
    search: Text = Field("", max_length=100, description="Part of the SKU, name or category.")
    category: Text | None = Field(None, max_length=100)
    is_active: bool | None = None
    ordering: ProductOrdering = "name"
