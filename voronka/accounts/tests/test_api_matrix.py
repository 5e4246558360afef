"""Every accounts route × role, and every route with an id × another workspace (SECURITY.md R1, R3)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from config.api import api
from conftest import Org
from tests.security.api_matrix import check_foreign_ids, check_role
from voronka.accounts.models import ApiToken, Invitation, Membership, Team, Workspace
from voronka.accounts.services.tokens import api_token_issue_for

ROLES = ("admin", "manager", "rep", "marketer")


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # placeholders: {team}, {member}, {invitation}, {token}
    allowed: frozenset[str]
    ok: int
    body: dict[str, Any] | None = None


EVERYONE = frozenset(ROLES)
ADMIN = frozenset({"admin"})
INVITERS = frozenset({"admin", "manager"})

ROUTES = [
    Route("get", "/me", EVERYONE, 200),
    Route("get", "/workspace", EVERYONE, 200),
    Route("patch", "/workspace", ADMIN, 200, {"name": "Renamed"}),
    Route("get", "/workspaces", EVERYONE, 200),
    Route("get", "/teams", EVERYONE, 200),
    Route("post", "/teams", ADMIN, 201, {"name": "New team"}),
    Route("get", "/teams/{team}", EVERYONE, 200),
    Route("patch", "/teams/{team}", ADMIN, 200, {"name": "Renamed team"}),
    Route("delete", "/teams/{team}", ADMIN, 204),
    Route("get", "/members", EVERYONE, 200),
    Route("get", "/members/{member}", EVERYONE, 200),
    Route("patch", "/members/{member}", ADMIN, 200, {"role": "marketer"}),
    Route("post", "/members/{member}/deactivate", ADMIN, 200),
    Route("post", "/members/{member}/activate", ADMIN, 200),
    Route("get", "/invitations", INVITERS, 200),
    Route("post", "/invitations", INVITERS, 201, {"email": "new@acme.test", "role": "rep"}),
    Route("post", "/invitations/{invitation}/revoke", INVITERS, 200),
    Route("get", "/tokens", EVERYONE, 200),
    Route("post", "/tokens", EVERYONE, 201, {"name": "ci"}),
    Route("delete", "/tokens/{token}", EVERYONE, 204),
]
ID_ROUTES = [route for route in ROUTES if "{" in route.path]


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every accounts row of every workspace (token use times excluded: reading touches them)."""
    return {
        "workspace": list(Workspace.objects.order_by("pk").values_list()),
        "team": list(Team.unscoped.order_by("pk").values_list()),
        "membership": list(Membership.unscoped.order_by("pk").values_list()),
        "invitation": list(Invitation.unscoped.order_by("pk").values_list()),
        "token": list(ApiToken.unscoped.order_by("pk").values_list("pk", "user_id", "name", "revoked_at")),
    }


def targets(org: Org, caller: Any) -> dict[str, int]:
    """Ids for the placeholders: an empty team, the rep's membership, a pending invitation, an own token."""
    empty = Team.unscoped.create(workspace=org.workspace, name="Empty")
    invitation = Invitation.unscoped.create(
        workspace=org.workspace, email="pending@acme.test", invited_by=org.admin,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    token, _secret = api_token_issue_for(user=caller, workspace=org.workspace, name="mine")
    member = Membership.unscoped.get(workspace=org.workspace, user=org.rep)
    return {"team": empty.pk, "member": member.pk, "invitation": invitation.pk, "token": token.pk}


def call(client: Client, route: Route, ids: dict[str, int], headers: dict[str, str] | None = None) -> Any:
    method: Callable[..., Any] = getattr(client, route.method)
    path = "/api/v1" + route.path.format(**ids)
    if route.body is None:
        return method(path, headers=headers or {})
    return method(path, data=route.body, content_type="application/json", headers=headers or {})


def test_matrix_covers_every_route() -> None:
    """A new route must be added to ROUTES, or this fails."""
    # Given the OpenAPI document of the mounted API
    schema = api.get_openapi_schema()
    # When its operations are listed
    documented = {
        (method, path.removeprefix("/api/v1").replace("{team_id}", "{team}").replace("{member_id}", "{member}")
         .replace("{invitation_id}", "{invitation}").replace("{token_id}", "{token}"))
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if "accounts" in operation.get("tags", ())
    }
    # Then the matrix names exactly those
    assert documented == {(route.method, route.path) for route in ROUTES}


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
def test_missing_ids_are_not_found(route: Route, org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    # Given ids that exist nowhere
    missing = dict.fromkeys(("team", "member", "invitation", "token"), 987_654)
    headers = bearer(org.admin, org.workspace)
    before = snapshot()
    # When they are named
    response = call(Client(), route, missing, headers)
    # Then 404, nothing written
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert snapshot() == before


def test_someone_elses_token_is_not_found(org: Org, bearer: Callable[..., dict[str, str]]) -> None:
    # Given the rep's token and the admin's credentials in the same workspace
    token, _secret = api_token_issue_for(user=org.rep, workspace=org.workspace, name="rep's")
    # When the admin tries to revoke it
    response = Client().delete(f"/api/v1/tokens/{token.pk}", headers=bearer(org.admin, org.workspace))
    # Then even an admin sees only their own tokens
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: f"{route.method} {route.path}")
def test_anonymous_gets_json_401(route: Route, org: Org) -> None:
    # Given no credentials
    ids = dict.fromkeys(("team", "member", "invitation", "token"), 1)
    before = snapshot()
    # When any route is called
    response = call(Client(), route, ids)
    # Then 401 JSON, never a redirect to the login page
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_authenticated"
    assert snapshot() == before
