"""Reads for the product catalogue (every member of the workspace may read it)."""

from __future__ import annotations

from django.db.models import QuerySet

from voronka.accounts.actor import Actor

from ..models import Product
from .companies import ci_q, order_by

PRODUCT_ORDERINGS = ("name", "-name", "sku", "-sku", "price", "-price", "category", "-category",
                     "created_at", "-created_at")


def product_list(*, actor: Actor, search: str = "", category: str | None = None, is_active: bool | None = None,
                 ordering: str = "name") -> QuerySet[Product]:
    """The workspace's products; `search` matches SKU, name or category."""
    queryset = Product.objects.filter(workspace_id=actor.workspace.pk)
    if search := (search or "").strip():
        queryset = queryset.filter(ci_q("sku", search) | ci_q("name", search) | ci_q("category", search))
    if category and category.strip():
        queryset = queryset.filter(ci_q("category", category.strip(), lookup="exact"))
    if is_active is not None:
        queryset = queryset.filter(is_active=is_active)
    return order_by(queryset, ordering, PRODUCT_ORDERINGS, "name")
