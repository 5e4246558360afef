"""Every "crm:deals" route × role, and every route with an id × another workspace (SECURITY.md R1, R3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from conftest import Org
from tests.security.api_matrix import check_foreign_ids, check_role, documented_routes
from voronka.core.scoping import workspace_scope
from voronka.crm.models import Deal, DealLineItem, LostReason, Pipeline, Stage, StageTransition, TimelineEntry
from voronka.crm.tests.deals_factories import make_deal, make_lost_reason, make_pipeline, make_product, stage

ROLES = ("admin", "manager", "rep", "marketer")
EVERYONE = frozenset(ROLES)
ADMIN = frozenset({"admin"})
EDITORS = frozenset({"admin", "manager", "rep"})
DELETERS = frozenset({"admin", "manager"})

Body = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # placeholders: {pipeline}, {stage}, {reason}, {deal}
    allowed: frozenset[str]
    ok: int
    body: Body = None
    use: dict[str, str] = field(default_factory=dict)  # placeholder → another target key


ROUTES = [
    Route("get", "/pipelines", EVERYONE, 200),
    Route("post", "/pipelines", ADMIN, 201, {"name": "New pipeline"}),
    Route("get", "/pipelines/{pipeline}", EVERYONE, 200),
    Route("patch", "/pipelines/{pipeline}", ADMIN, 200, {"name": "Renamed"}),
    Route("delete", "/pipelines/{pipeline}", ADMIN, 204),
    Route("post", "/pipelines/{pipeline}/stages", ADMIN, 201, {"name": "Demo", "probability": 30}),
    Route("post", "/pipelines/{pipeline}/stages/reorder", ADMIN, 200,
          lambda ids: {"stage_ids": list(reversed(ids["stage_ids"]))}),
    Route("patch", "/stages/{stage}", ADMIN, 200, {"probability": 30}),
    Route("delete", "/stages/{stage}", ADMIN, 204),
    Route("get", "/lost-reasons", EVERYONE, 200),
    Route("post", "/lost-reasons", ADMIN, 201, {"name": "New reason"}),
    Route("patch", "/lost-reasons/{reason}", ADMIN, 200, {"is_active": False}),
    Route("get", "/deals", EVERYONE, 200),
    Route("post", "/deals", EDITORS, 201, lambda ids: {"title": "New", "pipeline_id": ids["deal_pipeline"]}),
    Route("get", "/deals/{deal}", EVERYONE, 200),
    Route("patch", "/deals/{deal}", EDITORS, 200, {"version": 1, "title": "Renamed"}),
    Route("delete", "/deals/{deal}", DELETERS, 204),
    Route("post", "/deals/{deal}/move", EDITORS, 200, lambda ids: {"stage_id": ids["next_stage"], "version": 1}),
    Route("post", "/deals/{deal}/won", EDITORS, 200, {"version": 1}),
    Route("post", "/deals/{deal}/lost", EDITORS, 200, lambda ids: {"version": 1, "lost_reason_id": ids["reason"]}),
    Route("post", "/deals/{deal}/reopen", EDITORS, 200, {"version": 1}, {"deal": "closed_deal"}),
    Route("put", "/deals/{deal}/line-items", EDITORS, 200,
          lambda ids: {"version": 1, "items": [{"product_id": ids["product"], "quantity": 2}]}),
    Route("get", "/deals/{deal}/timeline", EVERYONE, 200),
]
ID_ROUTES = [route for route in ROUTES if "{" in route.path]
PLACEHOLDERS = {"{pipeline_id}": "{pipeline}", "{stage_id}": "{stage}", "{lost_reason_id}": "{reason}",
                "{deal_id}": "{deal}"}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    return {
        model.__name__: list(model.unscoped.order_by("pk").values_list())
        for model in (Pipeline, Stage, LostReason, Deal, DealLineItem, StageTransition, TimelineEntry)
    }


def targets(org: Org, caller: Any) -> dict[str, Any]:
    """An empty pipeline with a spare stage, a reason, a product, an open and a closed deal of the caller."""
    with workspace_scope(org.workspace):
        deals_pipeline = make_pipeline(org.workspace, name="Deals")
        empty = make_pipeline(org.workspace, name="Empty")
        spare = Stage.unscoped.create(workspace=org.workspace, pipeline=empty, name="Spare", order=9)
        deal = make_deal(deals_pipeline, owner=caller)
        closed = make_deal(deals_pipeline, owner=caller, stage_name="Won")
        return {
            "pipeline": empty.pk, "stage": spare.pk, "reason": make_lost_reason(org.workspace).pk,
            "deal": deal.pk, "closed_deal": closed.pk, "deal_pipeline": deals_pipeline.pk,
            "next_stage": stage(deals_pipeline, "Qualified").pk, "product": make_product(org.workspace).pk,
            "stage_ids": list(Stage.unscoped.filter(pipeline=empty).values_list("pk", flat=True)),
        }


def call(client: Client, route: Route, ids: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    method: Callable[..., Any] = getattr(client, route.method)
    path_ids = {key: ids[route.use.get(key, key)] for key in ("pipeline", "stage", "reason", "deal")}
    path = "/api/v1" + route.path.format(**path_ids)
    body = route.body(ids) if callable(route.body) else route.body
    if body is None:
        return method(path, headers=headers or {})
    return method(path, data=body, content_type="application/json", headers=headers or {})


def test_matrix_covers_every_route() -> None:
    assert documented_routes("crm:deals", PLACEHOLDERS) == {(route.method, route.path) for route in ROUTES}


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


@pytest.mark.parametrize("route", ID_ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_rep_cannot_reach_another_reps_deal(route: Route, org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    if "/deals/" not in route.path:
        pytest.skip("pipelines are shared catalogue objects")
    # Given the southern rep's deal
    theirs = targets(org, org.rep_south)
    before = snapshot()
    # When the northern rep names it
    response = call(Client(), route, theirs, bearer(org.rep, org.workspace))
    # Then 404, nothing changed
    assert response.status_code == 404, response.content
    assert snapshot() == before


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_anonymous_gets_json_401(route: Route, org: Org) -> None:
    ids = targets(org, org.rep)
    before = snapshot()
    response = call(Client(), route, ids)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before
