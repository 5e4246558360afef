"""The /products endpoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org
from voronka.crm.models import Product
from voronka.crm.tests.records_factories import make_product

Headers = Callable[..., dict[str, str]]
JSON = "application/json"


@pytest.fixture
def admin(org: Org, bearer: Headers) -> dict[str, str]:
    return bearer(org.admin, org.workspace)


def test_crud(org: Org, admin: dict[str, str]) -> None:
    response = Client().post("/api/v1/products", data={"sku": "W-1", "name": "Widget", "price": "9.99",
                                                       "unit_cost": "4", "workspace": 5},
                             content_type=JSON, headers=admin)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["sku"], body["price"], body["unit_cost"], body["is_active"]) == ("W-1", "9.99", "4.00", True)
    url = f"/api/v1/products/{body['id']}"
    response = Client().patch(url, data={"name": "Gadget", "is_active": False}, content_type=JSON, headers=admin)
    assert (response.status_code, response.json()["name"], response.json()["price"]) == (200, "Gadget", "9.99")
    assert Client().get(url, headers=admin).json()["is_active"] is False
    assert Client().delete(url, headers=admin).status_code == 204
    assert Product.unscoped.count() == 0


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"sku": "TAKEN", "name": "x"}, "sku"), ({"sku": "A", "name": "x", "price": "-1"}, "price"),
     ({"sku": "A", "name": "x", "unit_cost": "1e20"}, "unit_cost"), ({"sku": "", "name": "x"}, "sku"),
     ({"sku": "A"}, "name")],
)
def test_bad_input(payload: dict[str, object], field: str, org: Org, admin: dict[str, str]) -> None:
    make_product(org.workspace, "TAKEN")
    response = Client().post("/api/v1/products", data=payload, content_type=JSON, headers=admin)
    assert response.status_code == 422, response.content
    assert field in response.json()["fields"]
    assert Product.unscoped.count() == 1


def test_list_search_and_query_count(org: Org, admin: dict[str, str]) -> None:
    def fetch(query: str = "") -> tuple[int, list[str]]:
        with CaptureQueriesContext(connection) as context:
            response = Client().get(f"/api/v1/products{query}", headers=admin)
        return len(context), [item["sku"] for item in response.json()["items"]]

    make_product(org.workspace, "A-1", name="Чайник")
    fetch()
    few, _ = fetch()
    for index in range(10):
        make_product(org.workspace, f"B-{index}")
    assert fetch()[0] == few
    assert fetch("?search=чайник")[1] == ["A-1"]
