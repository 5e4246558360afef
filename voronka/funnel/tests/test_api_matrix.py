"""Every "funnel" route × role, and every route given another workspace's pipeline (SECURITY.md R1, R2, R3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from conftest import Org
from tests.security.api_matrix import check_foreign_ids, check_role, documented_routes
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Deal, Pipeline, StageTransition
from voronka.crm.tests.factories import make_pipeline
from voronka.funnel.models import DealScore, ForecastSnapshot, WinModel

from .conftest import days_ago, walk

ROLES = ("admin", "manager", "rep", "marketer")
EVERYONE = frozenset(ROLES)


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    allowed: frozenset[str]
    ok: int
    params: dict[str, str]


ROUTES = [
    Route("get", "/funnel", EVERYONE, 200, {"period": "this-year"}),
    Route("get", "/funnel/bottlenecks", EVERYONE, 200, {"period": "this-year"}),
    Route("get", "/forecast", EVERYONE, 200, {"period": "this-quarter"}),
]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {model.__name__: list(model.unscoped.order_by("pk").values_list())
            for model in (Pipeline, Deal, StageTransition, WinModel, DealScore, ForecastSnapshot)}


def targets(org: Org, caller: Any) -> dict[str, Any]:
    """A pipeline with a deal of the caller."""
    with workspace_scope(org.workspace):
        pipeline = Pipeline.unscoped.filter(workspace=org.workspace).first() or make_pipeline(org.workspace)
        walk(pipeline, caller, ["Lead", "Qualified"], days_ago(3))
        return {"pipeline": pipeline.pk}


def call(client: Client, route: Route, ids: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    method: Callable[..., Any] = getattr(client, route.method)
    return method(f"/api/v1{route.path}", {**route.params, "pipeline": ids["pipeline"]}, headers=headers or {})


def test_matrix_covers_every_route() -> None:
    assert documented_routes("funnel") == {(route.method, route.path) for route in ROUTES}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_role_matrix(route: Route, role: str, org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    check_role(route=route, role=role, org=org, bearer=bearer, targets=targets, snapshot=snapshot, call=call)


@pytest.mark.django_db
@pytest.mark.parametrize("via", ["bearer", "session"])
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_another_workspaces_pipeline_is_not_found(
    route: Route, via: str, org: Org, other_org: Org, bearer: Callable[..., dict[str, str]]
) -> None:
    check_foreign_ids(route=route, via=via, org=org, other_org=other_org, bearer=bearer, targets=targets,
                      snapshot=snapshot, call=call)


@pytest.mark.django_db
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_anonymous_gets_json_401(route: Route, org: Org) -> None:
    ids = targets(org, org.rep)
    response = call(Client(), route, ids)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.django_db
def test_aggregates_equal_the_sum_over_the_visible_set(org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    """R2: each person's funnel counts exactly the deals they may see."""
    pipeline = make_pipeline(org.workspace)
    for owner in (org.rep, org.rep, org.rep_south, org.manager, org.admin):
        walk(pipeline, owner, ["Lead", "Qualified", "Lost"], days_ago(4))
    expected = {"admin": 5, "marketer": 5, "manager": 4, "rep": 2}  # the manager sees Sales' teams and own deals
    for role, deals in expected.items():
        user = getattr(org, role)
        body = call(Client(), ROUTES[0], {"pipeline": pipeline.pk}, bearer(user, org.workspace)).json()
        assert body["deals"] == deals, role
        assert body["stages"][0]["reached_amount"] == pytest.approx(1000.0 * deals)
