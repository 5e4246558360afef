"""selectors/products.py."""

from __future__ import annotations

from decimal import Decimal

from conftest import Org
from voronka.crm.selectors.products import product_list
from voronka.crm.tests.records_factories import make_product


def test_search_filters_ordering_and_workspace(org: Org, other_org: Org, scoped: object) -> None:
    make_product(org.workspace, "A-1", name="Чайник", category="Кухня", price=Decimal("5"))
    make_product(org.workspace, "B-2", name="Lamp", category="Light", price=Decimal("9"), is_active=False)
    make_product(other_org.workspace, "A-1", name="Foreign")
    actor = org.actor(org.rep)
    assert [p.sku for p in product_list(actor=actor)] == ["B-2", "A-1"]
    assert [p.sku for p in product_list(actor=actor, search="ЧАЙ")] == ["A-1"]
    assert [p.sku for p in product_list(actor=actor, search="b-2")] == ["B-2"]
    assert [p.sku for p in product_list(actor=actor, category="кухня")] == ["A-1"]
    assert [p.sku for p in product_list(actor=actor, is_active=True)] == ["A-1"]
    assert [p.sku for p in product_list(actor=actor, ordering="-price")] == ["B-2", "A-1"]
