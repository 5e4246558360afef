"""Helpers for the deal and pipeline tests (arrange only; the shared builders live in factories.py)."""

from __future__ import annotations

from typing import Any

from voronka.accounts.models import User
from voronka.crm.models import LostReason, Product, Stage
from voronka.crm.tests.factories import make_deal, make_pipeline, stage

__all__ = ["make_deal", "make_lost_reason", "make_pipeline", "make_product", "stage", "with_required"]


def make_lost_reason(workspace: Any, name: str = "Price") -> LostReason:
    return LostReason.unscoped.create(workspace=workspace, name=name)


def make_product(workspace: Any, sku: str = "P-1", price: str = "100.00", unit_cost: str = "40.00",
                 **kwargs: Any) -> Product:
    return Product.unscoped.create(workspace=workspace, sku=sku, name=kwargs.pop("name", sku), price=price,
                                   unit_cost=unit_cost, **kwargs)


def with_required(target: Stage, *names: str) -> Stage:
    Stage.unscoped.filter(pk=target.pk).update(required_fields=list(names))
    target.refresh_from_db()
    return target


def owner_of(user: User) -> int:
    return int(user.pk)
