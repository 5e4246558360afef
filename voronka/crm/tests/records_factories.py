"""Builders for the records tests (companies, contacts, products, activities, custom fields)."""

from __future__ import annotations

from typing import Any

from voronka.accounts.models import User, Workspace
from voronka.crm.models import Activity, CustomField, Product
from voronka.crm.tests.factories import _team_of


def make_field(workspace: Workspace, entity: str, key: str, kind: str = "text", **kwargs: Any) -> CustomField:
    return CustomField.unscoped.create(workspace=workspace, entity=entity, key=key, label=key.title(), kind=kind,
                                       **kwargs)


def make_product(workspace: Workspace, sku: str = "SKU-1", **kwargs: Any) -> Product:
    kwargs.setdefault("name", f"Product {sku}")
    return Product.unscoped.create(workspace=workspace, sku=sku, **kwargs)


def make_activity(workspace: Workspace, owner: User | None = None, subject: str = "Call back",
                  **kwargs: Any) -> Activity:
    return Activity.unscoped.create(workspace=workspace, owner=owner, team=_team_of(workspace, owner),
                                    subject=subject, **kwargs)
