"""Every "crm:records" route × role, other workspaces' ids and other reps' records (SECURITY.md R1, R3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from conftest import Org
from tests.security.api_matrix import check_foreign_ids, check_role, documented_routes
from voronka.accounts.models import User
from voronka.crm.models import Activity, Company, Contact, ContactPoint, CustomField, Product, Tag, TimelineEntry
from voronka.crm.tests.factories import make_company, make_contact
from voronka.crm.tests.records_factories import make_activity, make_field, make_product

ROLES = ("admin", "manager", "rep", "marketer")
EVERYONE = frozenset(ROLES)
ADMIN = frozenset({"admin"})
DEAL_EDITORS = frozenset({"admin", "manager", "rep"})
DELETERS = frozenset({"admin", "manager"})


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # placeholders: {company}, {contact}, {product}, {activity}, {field}
    allowed: frozenset[str]
    ok: int
    body: dict[str, Any] | None = None


ROUTES = [
    Route("get", "/companies", EVERYONE, 200),
    Route("post", "/companies", EVERYONE, 201, {"name": "New Co"}),
    Route("get", "/companies/{company}", EVERYONE, 200),
    Route("patch", "/companies/{company}", EVERYONE, 200, {"version": 1, "name": "Renamed"}),
    Route("delete", "/companies/{company}", DELETERS, 204),
    Route("get", "/contacts", EVERYONE, 200),
    Route("post", "/contacts", EVERYONE, 201, {"full_name": "New", "emails": ["new@acme.test"]}),
    Route("get", "/contacts/{contact}", EVERYONE, 200),
    Route("patch", "/contacts/{contact}", EVERYONE, 200, {"version": 1, "position": "CEO"}),
    Route("delete", "/contacts/{contact}", DELETERS, 204),
    Route("get", "/products", EVERYONE, 200),
    Route("post", "/products", ADMIN, 201, {"sku": "NEW-1", "name": "New"}),
    Route("get", "/products/{product}", EVERYONE, 200),
    Route("patch", "/products/{product}", ADMIN, 200, {"price": "5.00"}),
    Route("delete", "/products/{product}", ADMIN, 204),
    Route("get", "/activities", EVERYONE, 200),
    Route("post", "/activities", DEAL_EDITORS, 201, {"subject": "Call"}),
    Route("get", "/activities/{activity}", EVERYONE, 200),
    Route("patch", "/activities/{activity}", DEAL_EDITORS, 200, {"version": 1, "subject": "Call again"}),
    Route("delete", "/activities/{activity}", DEAL_EDITORS, 204),  # reps: their own activities only
    Route("post", "/activities/{activity}/complete", DEAL_EDITORS, 200, {"outcome": "ok"}),
    Route("get", "/custom-fields", EVERYONE, 200),
    Route("post", "/custom-fields", ADMIN, 201, {"entity": "company", "key": "new_key", "label": "New"}),
    Route("get", "/custom-fields/{field}", EVERYONE, 200),
    Route("patch", "/custom-fields/{field}", ADMIN, 200, {"label": "Renamed"}),
    Route("delete", "/custom-fields/{field}", ADMIN, 204),
]
ID_ROUTES = [route for route in ROUTES if "{" in route.path]
OWNED_ROUTES = [route for route in ID_ROUTES if route.path.split("/")[1] in ("companies", "contacts", "activities")]
PLACEHOLDERS = {"{company_id}": "{company}", "{contact_id}": "{contact}", "{product_id}": "{product}",
                "{activity_id}": "{activity}", "{field_id}": "{field}"}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every records row of every workspace."""
    return {
        model.__name__: list(model.unscoped.order_by("pk").values_list())
        for model in (Company, Contact, ContactPoint, Product, Activity, CustomField, Tag, TimelineEntry)
    }


def targets(org: Org, owner: User) -> dict[str, int]:
    """A company, contact and open activity owned by `owner`, a product and a custom field."""
    return {
        "company": make_company(org.workspace, owner).pk,
        "contact": make_contact(org.workspace, owner, email=f"t{owner.pk}@acme.test").pk,
        "product": make_product(org.workspace).pk,
        "activity": make_activity(org.workspace, owner).pk,
        "field": make_field(org.workspace, "company", "tier").pk,
    }


def call(client: Client, route: Route, ids: dict[str, int], headers: dict[str, str] | None = None) -> Any:
    method: Callable[..., Any] = getattr(client, route.method)
    path = "/api/v1" + route.path.format(**ids)
    if route.body is None:
        return method(path, headers=headers or {})
    return method(path, data=route.body, content_type="application/json", headers=headers or {})


def test_matrix_covers_every_route() -> None:
    """A new route under the tag must be added to ROUTES, or this fails."""
    assert documented_routes("crm:records", PLACEHOLDERS) == {(route.method, route.path) for route in ROUTES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_role_matrix(route: Route, role: str, org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    check_role(route=route, role=role, org=org, bearer=bearer, targets=targets, snapshot=snapshot, call=call)


@pytest.mark.parametrize("via", ["bearer", "session"])
@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_other_workspace_ids_are_not_found(
    route: Route, via: str, org: Org, other_org: Org, bearer: Callable[..., dict[str, str]]
) -> None:
    check_foreign_ids(route=route, via=via, org=org, other_org=other_org, bearer=bearer, targets=targets,
                      snapshot=snapshot, call=call)


@pytest.mark.parametrize("route", OWNED_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_another_reps_records_are_not_found(route: Route, org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    # Given records of the South rep
    theirs = targets(org, org.rep_south)
    before = snapshot()
    # When the North rep names them
    response = call(Client(), route, theirs, bearer(org.rep, org.workspace))
    # Then they do not exist for them
    assert response.status_code == 404, response.content
    assert snapshot() == before


@pytest.mark.parametrize("route", OWNED_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_a_manager_reaches_the_team_subtree(route: Route, org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    theirs = targets(org, org.rep_south)
    response = call(Client(), route, theirs, bearer(org.manager, org.workspace))
    assert response.status_code == route.ok, response.content


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_missing_and_malformed_ids_are_not_found(route: Route, org: Org,
                                                 bearer: Callable[..., dict[str, str]]) -> None:
    headers = bearer(org.admin, org.workspace)
    before = snapshot()
    for value in (987_654, 0):
        response = call(Client(), route, dict.fromkeys(("company", "contact", "product", "activity", "field"),
                                                        value), headers)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert snapshot() == before


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_anonymous_gets_json_401(route: Route, org: Org) -> None:
    before = snapshot()
    response = call(Client(), route, dict.fromkeys(("company", "contact", "product", "activity", "field"), 1))
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before
