"""The product catalogue (CRM_CONFIGURE). `data` keys: sku, name, category, price, unit_cost, is_active."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError

from ..models import Product
from .records import clean_decimal, clean_text


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    columns: dict[str, Any] = {}

    def given(key: str) -> bool:
        return not partial or key in data

    if given("sku"):
        columns["sku"] = clean_text(data.get("sku"), field="sku", max_length=64, required=True)
    if given("name"):
        columns["name"] = clean_text(data.get("name"), field="name", max_length=200, required=True)
    if given("category"):
        columns["category"] = clean_text(data.get("category"), field="category", max_length=100)
    for field in ("price", "unit_cost"):
        if given(field):
            columns[field] = clean_decimal(data.get(field, 0), field=field, max_digits=14, allow_none=False)
    if given("is_active"):
        columns["is_active"] = bool(data.get("is_active", True))
    return columns


def _save(product: Product) -> None:
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as error:
        raise ApplicationError(_("A product with this SKU already exists."),
                               fields={"sku": [_("Choose another SKU.")]}) from error


@transaction.atomic
def product_create(*, actor: Actor, data: dict[str, Any]) -> Product:
    """Add a product to the catalogue."""
    actor.require(Capability.CRM_CONFIGURE)
    data = {"price": 0, "unit_cost": 0, "is_active": True, **data}
    product = Product(workspace=actor.workspace, **_clean(data, partial=False))
    _save(product)
    audit_record(action="crm.product.create", actor=actor.user, target=product, diff={"sku": product.sku})
    return product


@transaction.atomic
def product_update(*, actor: Actor, product: Product, data: dict[str, Any]) -> Product:
    """Change the keys present in `data`; price and cost changes are audited."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, product)
    columns = _clean(data, partial=True)
    diff = {name: [str(getattr(product, name)), str(value)] for name, value in columns.items()
            if getattr(product, name) != value}
    if not diff:
        return product
    for name, value in columns.items():
        setattr(product, name, value)
    _save(product)
    audit_record(action="crm.product.update", actor=actor.user, target=product, diff=diff)
    return product


@transaction.atomic
def product_delete(*, actor: Actor, product: Product) -> None:
    """Delete a product no deal uses (deactivate it otherwise)."""
    actor.require(Capability.CRM_CONFIGURE)
    ensure_same_workspace(actor, product)
    audit_record(action="crm.delete", actor=actor.user, target=product,
                 diff={"model": "product", "name": str(product)[:200]})
    try:
        with transaction.atomic():
            product.delete()
    except ProtectedError as error:
        raise ApplicationError(_("Deals use this product: deactivate it instead of deleting it."),
                               code="in_use") from error
