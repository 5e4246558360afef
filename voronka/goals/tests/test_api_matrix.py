"""Every "goals" route × role, and every route with an id × another workspace (SECURITY.md R1, R3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from conftest import Org
from tests.security.api_matrix import check_foreign_ids, check_role, documented_routes
from voronka.accounts.models import Membership
from voronka.core.scoping import workspace_scope
from voronka.goals.models import Alert, AlertRule, Goal, Notification, Objective

from .factories import goal, objective, rule

ROLES = ("admin", "manager", "rep", "marketer")
EVERYONE = frozenset(ROLES)
MANAGERS = frozenset({"admin", "manager"})

Body = dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]] | None


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # placeholders: {goal}, {objective}, {rule}, {alert}, {notification}
    allowed: frozenset[str]
    ok: int
    body: Body = None
    use: dict[str, str] = field(default_factory=dict)


def _goal_body(ids: dict[str, Any]) -> dict[str, Any]:
    return {"metric": "revenue", "scope": "team", "team_id": ids["north"], "target": "1000",
            "period_kind": "quarter", "period_start": "2026-10-01", "objective_id": ids["objective"]}


ROUTES = [
    Route("get", "/goals", EVERYONE, 200),
    Route("post", "/goals", MANAGERS, 201, _goal_body),
    Route("post", "/goals/check", MANAGERS, 200, {"metric": "revenue"}),
    Route("get", "/goals/{goal}", EVERYONE, 200),
    Route("get", "/goals/{goal}/smart", EVERYONE, 200),
    Route("patch", "/goals/{goal}", MANAGERS, 200, {"version": 1, "target": "5"}),
    Route("delete", "/goals/{goal}", MANAGERS, 204),
    Route("post", "/goals/{goal}/split", MANAGERS, 201, {"mode": "equal", "child_scope": "rep"},
          {"goal": "team_goal"}),
    Route("get", "/objectives", EVERYONE, 200),
    Route("post", "/objectives", MANAGERS, 201, {"title": "Grow"}),
    Route("patch", "/objectives/{objective}", MANAGERS, 200, {"version": 1, "title": "Grow more"}),
    Route("get", "/alert-rules", MANAGERS, 200),
    Route("post", "/alert-rules", MANAGERS, 201,
          lambda ids: {"name": "North", "metric": "revenue", "scope": "team", "team_id": ids["north"],
                       "threshold": "1"}),
    Route("get", "/alert-rules/{rule}", MANAGERS, 200),
    Route("patch", "/alert-rules/{rule}", MANAGERS, 200, {"version": 1, "threshold": "2"}),
    Route("delete", "/alert-rules/{rule}", MANAGERS, 204),
    Route("get", "/alerts", EVERYONE, 200),
    Route("post", "/alerts/{alert}/acknowledge", EVERYONE, 200),
    Route("get", "/notifications", EVERYONE, 200),
    Route("post", "/notifications/{notification}/read", EVERYONE, 200),
]
ID_ROUTES = [route for route in ROUTES if "{" in route.path]
KEYS = ("goal", "objective", "rule", "alert", "notification")
PLACEHOLDERS = {"{goal_id}": "{goal}", "{objective_id}": "{objective}", "{rule_id}": "{rule}",
                "{alert_id}": "{alert}", "{notification_id}": "{notification}"}


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    rows = {model.__name__: list(model.unscoped.order_by("pk").values_list())
            for model in (Goal, Objective, AlertRule, Alert, Notification)}
    rows["recipients"] = list(AlertRule.recipients.through.objects.order_by("pk").values_list())
    return rows


def targets(org: Org, caller: Any) -> dict[str, Any]:
    """An objective; the caller's own goal, a North team goal; a North rule of the caller's, and an alert
    about the caller's own numbers sent to the caller."""
    with workspace_scope(org.workspace):
        team_id = Membership.unscoped.get(workspace=org.workspace, user=caller).team_id
        aim = objective(org.workspace)
        own = goal(org.workspace, scope="rep", user=caller, team_id=team_id, objective=aim)
        north_goal = goal(org.workspace, scope="team", team=org.north, objective=aim)
        north_rule = rule(org.workspace, caller, scope="team", team=org.north)
        own_rule = rule(org.workspace, caller, scope="rep", user=caller, team_id=team_id)
        alert = Alert.unscoped.create(workspace=org.workspace, rule=own_rule, window_key="mtd:2026-11",
                                      fired_at=timezone.now(), value=Decimal(1), limit=Decimal(2))
        note = Notification.unscoped.create(workspace=org.workspace, alert=alert, user=caller)
        return {"goal": own.pk, "team_goal": north_goal.pk, "objective": aim.pk, "rule": north_rule.pk,
                "alert": alert.pk, "notification": note.pk, "north": org.north.pk}


def call(client: Client, route: Route, ids: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    method: Callable[..., Any] = getattr(client, route.method)
    path = "/api/v1" + route.path.format(**{key: ids[route.use.get(key, key)] for key in KEYS})
    body = route.body(ids) if callable(route.body) else route.body
    if body is None:
        return method(path, headers=headers or {})
    return method(path, data=body, content_type="application/json", headers=headers or {})


def test_matrix_covers_every_route() -> None:
    assert documented_routes("goals", PLACEHOLDERS) == {(route.method, route.path) for route in ROUTES}


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


@pytest.mark.parametrize("route", [r for r in ID_ROUTES if r.allowed == EVERYONE],
                         ids=lambda route: f"{route.method} {route.path}")
def test_rep_cannot_reach_another_reps_goal_alert_or_notification(
        route: Route, org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    # Given the southern rep's own goal, alert and notification
    theirs = targets(org, org.rep_south)
    before = snapshot()
    # When the northern rep names them
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


def test_extra_fields_do_not_mass_assign(org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    # R5: owner, workspace, status, version in a create are ignored
    ids = targets(org, org.manager)
    body = {**_goal_body(ids), "owner_id": org.admin.pk, "workspace_id": 999, "status": "archived", "version": 42,
            "stretch_confirmed": True, "created_by_id": org.admin.pk}
    response = Client().post("/api/v1/goals", data=body, content_type="application/json",
                             headers=bearer(org.manager, org.workspace))
    assert response.status_code == 201, response.content
    created = Goal.unscoped.get(pk=response.json()["id"])
    assert (created.owner_id, created.workspace_id, created.status, created.version, created.stretch_confirmed,
            created.created_by_id) == (org.manager.pk, org.workspace.pk, "active", 1, False, org.manager.pk)
