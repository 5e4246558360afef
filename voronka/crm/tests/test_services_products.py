"""services/products.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import Org
from voronka.core.errors import ApplicationError, PermissionDeniedError
from voronka.core.models import AuditEntry
from voronka.crm.models import Product
from voronka.crm.services.products import product_create, product_delete, product_update
from voronka.crm.tests.records_factories import make_product


def test_create_and_update(org: Org, scoped: object) -> None:
    product = product_create(actor=org.actor(org.admin), data={"sku": " A-1 ", "name": "Widget", "price": "10.005",
                                                               "unit_cost": 4, "workspace": 99})
    assert (product.sku, product.price, product.unit_cost, product.is_active) == (
        "A-1", Decimal("10.01"), Decimal("4.00"), True)
    product_update(actor=org.actor(org.admin), product=product, data={"price": "12", "is_active": False})
    product.refresh_from_db()
    assert (product.price, product.is_active, product.name) == (Decimal("12.00"), False, "Widget")
    assert AuditEntry.objects.get(action="crm.product.update").diff == {
        "price": ["10.01", "12.00"], "is_active": ["True", "False"]}


@pytest.mark.parametrize(
    ("data", "field"),
    [({"name": "W"}, "sku"), ({"sku": "A", "name": ""}, "name"), ({"sku": "A", "name": "W", "price": -1}, "price"),
     ({"sku": "A", "name": "W", "unit_cost": "-0.01"}, "unit_cost"), ({"sku": "x" * 65, "name": "W"}, "sku"),
     ({"sku": "A", "name": "W", "price": "1e13"}, "price"), ({"sku": "SKU-1", "name": "W"}, "sku")],
)
def test_create_refuses_bad_input(data: dict[str, object], field: str, org: Org, scoped: object) -> None:
    make_product(org.workspace, "SKU-1")
    with pytest.raises(ApplicationError) as error:
        product_create(actor=org.actor(org.admin), data=data)
    assert field in error.value.fields
    assert Product.objects.count() == 1


@pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
def test_only_configurers_write(role: str, org: Org, scoped: object) -> None:
    product = make_product(org.workspace)
    actor = org.actor(getattr(org, role))
    with pytest.raises(PermissionDeniedError):
        product_create(actor=actor, data={"sku": "B", "name": "B"})
    with pytest.raises(PermissionDeniedError):
        product_update(actor=actor, product=product, data={"price": 1})
    with pytest.raises(PermissionDeniedError):
        product_delete(actor=actor, product=product)
    product.refresh_from_db()
    assert (Product.objects.count(), product.price) == (1, Decimal("0"))


def test_delete(org: Org, scoped: object) -> None:
    product = make_product(org.workspace)
    product_delete(actor=org.actor(org.admin), product=product)
    assert Product.objects.count() == 0
    assert AuditEntry.objects.filter(action="crm.delete").count() == 1


def test_a_product_on_a_deal_cannot_be_deleted(org: Org, scoped: object) -> None:
    from voronka.crm.models import DealLineItem
    from voronka.crm.tests.factories import make_deal, make_pipeline

    product = make_product(org.workspace)
    deal = make_deal(make_pipeline(org.workspace), org.rep)
    DealLineItem.objects.create(workspace=org.workspace, deal=deal, product=product, unit_price=1)
    with pytest.raises(ApplicationError) as error:
        product_delete(actor=org.actor(org.admin), product=product)
    assert error.value.code == "in_use"
    assert Product.objects.count() == 1
    assert not AuditEntry.objects.filter(action="crm.delete").exists()
