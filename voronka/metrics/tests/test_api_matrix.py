"""Every "metrics" route × role, anonymous callers, and another workspace's ids (SECURITY.md R1, R3).

The metrics routes name no object in their path: another workspace's ids can only arrive in a
query's filters, where they must select nothing (200 with zeros), never another tenant's numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from conftest import Org
from tests.security.api_matrix import check_role, documented_routes
from voronka.crm.models import Deal, StageTransition

from .world import build_world

ROLES = ("admin", "manager", "rep", "marketer")
EVERYONE = frozenset(ROLES)
QUERY = {"metrics": ["revenue", "new_deals"], "date_from": "2024-01-01", "date_to": "2024-03-31"}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: frozenset[str]
    ok: int
    body: dict[str, Any] | None = None


ROUTES = [
    Route("get", "/metrics", EVERYONE, 200),
    Route("post", "/metrics/query", EVERYONE, 200, QUERY),
]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {model.__name__: list(model.unscoped.order_by("pk").values_list()) for model in (Deal, StageTransition)}


def targets(org: Org, caller: Any) -> dict[str, Any]:
    build_world(org)
    return {}


def call(client: Client, route: Route, ids: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    method: Callable[..., Any] = getattr(client, route.method)
    path = "/api/v1" + route.path
    if route.body is None:
        return method(path, headers=headers or {})
    return method(path, data=route.body, content_type="application/json", headers=headers or {})


def test_matrix_covers_every_route() -> None:
    assert documented_routes("metrics") == {(route.method, route.path) for route in ROUTES}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_role_matrix(route: Route, role: str, org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    check_role(route=route, role=role, org=org, bearer=bearer, targets=targets, snapshot=snapshot, call=call)


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_anonymous_gets_json_401(route: Route, org: Org) -> None:
    targets(org, org.rep)
    before = snapshot()
    response = call(Client(), route, {})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before


@pytest.mark.parametrize("via", ["bearer", "session"])
def test_another_workspaces_ids_in_filters_select_nothing(via: str, org: Org, other_org: Org,
                                                          bearer: Callable[..., dict[str, str]]) -> None:
    # given both workspaces with the same company, and Acme's administrator
    build_world(org)
    theirs = build_world(other_org)
    client, headers = Client(), {}
    if via == "bearer":
        headers = bearer(org.admin, org.workspace)
    else:
        client.force_login(org.admin)
        client.get("/api/v1/me")
    before = snapshot()
    for key, value in {"owner": other_org.rep.pk, "team": other_org.north.pk, "pipeline": theirs.pipeline.pk,
                       "channel": theirs.market.pk, "product": theirs.product_a.pk}.items():
        # when a filter names a Globex id
        response = client.post("/api/v1/metrics/query", data={**QUERY, "filters": {key: [value]}},
                               content_type="application/json", headers=headers)
        # then it selects nothing, and nothing changed
        assert response.status_code == 200, response.content
        assert [row["values"] for row in response.json()["rows"]] == [{"revenue": "0.00", "new_deals": 0}], key
    assert snapshot() == before


def test_a_session_post_without_the_csrf_token_is_refused(org: Org) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.admin)
    client.get("/api/v1/me")
    response = client.post("/api/v1/metrics/query", data=QUERY, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
