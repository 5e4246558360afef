"""services/deal_lines.py: the amount and cost follow the line items, worked out by hand."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from conftest import Org
from voronka.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from voronka.core.models import AuditEntry
from voronka.crm.models import Deal, DealLineItem
from voronka.crm.services.deal_lines import deal_set_line_items
from voronka.crm.tests.deals_factories import make_deal, make_pipeline, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(org: Org, scoped: object) -> tuple[Deal, Any, Any]:
    deal = make_deal(make_pipeline(org.workspace), owner=org.rep, amount=500)
    a = make_product(org.workspace, sku="A", price="100.00", unit_cost="40.00")
    b = make_product(org.workspace, sku="B", price="19.99", unit_cost="7.50")
    return deal, a, b


def test_sums_match_hand_worked_numbers(org: Org, setup: tuple[Deal, Any, Any]) -> None:
    deal, a, b = setup
    # Given three lines:
    #   A: 3 × 100.00 (product price) − 10%      = 270.00
    #   B: 2.5 × 19.99                            =  49.975
    #   B: 1 × 33.33 − 33.33%  = 33.33 × 0.6667   =  22.221111
    #   amount = 342.196111 → 342.20; cost = 3×40 + 2.5×7.50 + 1×7.50 = 146.25
    items = [
        {"product": a, "quantity": 3, "discount_percent": 10},
        {"product_id": b.pk, "quantity": "2.5"},
        {"product": b, "quantity": 1, "unit_price": "33.33", "discount_percent": "33.33"},
    ]
    # When they are set
    result = deal_set_line_items(actor=org.actor(org.rep), deal=deal, items=items, version=1)
    # Then
    assert (result.amount, result.cost, result.amount_is_manual, result.version) == (
        Decimal("342.20"), Decimal("146.25"), False, 2)
    assert result.margin == Decimal("195.95")
    lines = list(DealLineItem.objects.filter(deal=deal).values_list("product_id", "quantity", "unit_price",
                                                                    "discount_percent", "unit_cost"))
    assert lines == [
        (a.pk, Decimal("3.000"), Decimal("100.00"), Decimal("10.00"), Decimal("40.00")),
        (b.pk, Decimal("2.500"), Decimal("19.99"), Decimal("0.00"), Decimal("7.50")),
        (b.pk, Decimal("1.000"), Decimal("33.33"), Decimal("33.33"), Decimal("7.50")),
    ]
    assert AuditEntry.objects.get(action="deal.amount", target_id=str(deal.pk)).diff == {
        "amount": ["500.00", "342.20"], "source": "line_items"}


def test_replace_then_empty_makes_amount_manual(org: Org, setup: tuple[Deal, Any, Any]) -> None:
    deal, a, _b = setup
    actor = org.actor(org.rep)
    deal_set_line_items(actor=actor, deal=deal, items=[{"product": a, "quantity": 1}], version=1)
    second = deal_set_line_items(actor=actor, deal=deal, items=[{"product": a, "quantity": 2}], version=2)
    assert (second.amount, DealLineItem.objects.filter(deal=deal).count()) == (Decimal("200.00"), 1)
    cleared = deal_set_line_items(actor=actor, deal=deal, items=[], version=3)
    assert (cleared.amount_is_manual, cleared.amount, DealLineItem.objects.filter(deal=deal).count()) == (
        True, Decimal("200.00"), 0)


@pytest.mark.parametrize(("item", "field"), [
    ({"quantity": 1}, "items.0.product_id"),
    ({"product_id": 987654, "quantity": 1}, "items.0.product_id"),
    ({"quantity": 0}, "items.0.quantity"),
    ({"quantity": -1}, "items.0.quantity"),
    ({"quantity": "x"}, "items.0.quantity"),
    ({"quantity": 1, "unit_price": -1}, "items.0.unit_price"),
    ({"quantity": 1, "discount_percent": 101}, "items.0.discount_percent"),
    ({"quantity": 1, "discount_percent": -5}, "items.0.discount_percent"),
    ({"quantity": "1e30"}, "items.0.quantity"),
])
def test_bad_lines_refused_nothing_changed(org: Org, setup: tuple[Deal, Any, Any], item: dict[str, Any],
                                           field: str) -> None:
    deal, a, _b = setup
    if "product_id" not in item:
        item = {"product": a, **item} if field != "items.0.product_id" else item
    with pytest.raises(ApplicationError) as error:
        deal_set_line_items(actor=org.actor(org.rep), deal=deal, items=[item], version=1)
    assert field in error.value.fields
    fresh = Deal.objects.get(pk=deal.pk)
    assert (fresh.amount, fresh.version, DealLineItem.objects.count()) == (Decimal("500.00"), 1, 0)


def test_stale_version_and_capability(org: Org, other_org: Org, setup: tuple[Deal, Any, Any]) -> None:
    deal, a, _b = setup
    with pytest.raises(ConflictError):
        deal_set_line_items(actor=org.actor(org.rep), deal=deal, items=[{"product": a, "quantity": 1}], version=7)
    with pytest.raises(PermissionDeniedError):
        deal_set_line_items(actor=org.actor(org.marketer), deal=deal, items=[{"product": a, "quantity": 1}],
                            version=1)
    foreign = make_product(other_org.workspace, sku="F")
    with pytest.raises(NotFoundError):
        deal_set_line_items(actor=org.actor(org.rep), deal=deal, items=[{"product": foreign, "quantity": 1}],
                            version=1)
    assert DealLineItem.objects.count() == 0
    assert Deal.objects.get(pk=deal.pk).version == 1
