"""The /teams endpoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org
from voronka.accounts.models import Team
from voronka.accounts.tests.factories import MembershipFactory, TeamFactory
from voronka.core.models import AuditEntry

Headers = Callable[..., dict[str, str]]


@pytest.fixture
def admin(org: Org, bearer: Headers) -> dict[str, str]:
    return bearer(org.admin, org.workspace)


def test_create_under_a_parent(org: Org, admin: dict[str, str]) -> None:
    # Given the Sales team
    # When an admin adds a team under it
    response = Client().post("/api/v1/teams", data={"name": "  East ", "parent_id": org.sales.pk},
                             content_type="application/json", headers=admin)
    # Then it is created, trimmed, under Sales, and audited
    assert response.status_code == 201
    team = Team.unscoped.get(pk=response.json()["id"])
    assert response.json() == {"id": team.pk, "name": "East", "parent_id": org.sales.pk}
    assert (team.workspace_id, team.parent_id) == (org.workspace.pk, org.sales.pk)
    assert AuditEntry.objects.filter(action="team.create", target_id=str(team.pk)).count() == 1


def test_create_ignores_fields_it_does_not_list(org: Org, other_org: Org, admin: dict[str, str]) -> None:
    # Given a payload that tries to choose the workspace, id, role and timestamps
    payload = {"name": "Sneaky", "workspace": other_org.workspace.pk, "workspace_id": other_org.workspace.pk,
               "id": 9999, "role": "admin", "created_at": "2000-01-01T00:00:00Z", "version": 7}
    # When it is posted
    response = Client().post("/api/v1/teams", data=payload, content_type="application/json", headers=admin)
    # Then only the name was taken
    assert response.status_code == 201
    team = Team.unscoped.get(name="Sneaky")
    assert team.workspace_id == org.workspace.pk
    assert team.pk != 9999
    assert team.created_at.year != 2000
    assert not Team.unscoped.filter(workspace=other_org.workspace, name="Sneaky").exists()


def test_create_under_another_workspaces_team_is_404(org: Org, other_org: Org, admin: dict[str, str]) -> None:
    response = Client().post("/api/v1/teams", data={"name": "Mole", "parent_id": other_org.sales.pk},
                             content_type="application/json", headers=admin)
    assert response.status_code == 404
    assert not Team.unscoped.filter(name="Mole").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "name"), ({"name": ""}, "name"), ({"name": "   "}, "name"), ({"name": "x" * 121}, "name"),
     ({"name": 5}, "name"), ({"name": "Sales"}, "name"), ({"name": "ok", "parent_id": "north"}, "parent_id"),
     ({"name": "a\u0000b"}, "name"), ({"name": "\ud800"}, "name")],
)
def test_create_refuses_bad_input_with_field_errors(
    payload: dict[str, object], field: str, org: Org, admin: dict[str, str]
) -> None:
    # Given an invalid payload (missing, blank, too long, wrong type, duplicate, NUL, lone surrogate)
    before = Team.unscoped.count()
    # When it is posted
    response = Client().post("/api/v1/teams", data=payload, content_type="application/json", headers=admin)
    # Then 422 names the field and nothing is created
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    assert field in body["fields"]
    assert Team.unscoped.count() == before


def test_get_one(org: Org, bearer: Headers) -> None:
    response = Client().get(f"/api/v1/teams/{org.north.pk}", headers=bearer(org.rep, org.workspace))
    assert response.json() == {"id": org.north.pk, "name": "North", "parent_id": org.sales.pk}


def test_rename_and_move(org: Org, admin: dict[str, str]) -> None:
    # Given North under Sales
    # When it is renamed and made a root in one PATCH
    response = Client().patch(f"/api/v1/teams/{org.north.pk}", data={"name": "Nord", "parent_id": None},
                              content_type="application/json", headers=admin)
    # Then both changed
    assert response.status_code == 200
    org.north.refresh_from_db()
    assert (org.north.name, org.north.parent_id) == ("Nord", None)


def test_patch_without_parent_keeps_it(org: Org, admin: dict[str, str]) -> None:
    response = Client().patch(f"/api/v1/teams/{org.north.pk}", data={"name": "Nord", "workspace": 5},
                              content_type="application/json", headers=admin)
    assert response.json() == {"id": org.north.pk, "name": "Nord", "parent_id": org.sales.pk}


def test_moving_under_own_subteam_is_refused(org: Org, admin: dict[str, str]) -> None:
    # Given Sales above North
    # When Sales is moved under North
    response = Client().patch(f"/api/v1/teams/{org.sales.pk}", data={"parent_id": org.north.pk},
                              content_type="application/json", headers=admin)
    # Then the cycle is refused and nothing moved
    assert response.status_code == 400
    assert response.json()["code"] == "team_cycle"
    org.sales.refresh_from_db()
    assert org.sales.parent_id is None


def test_deleting_a_team_with_members_is_refused(org: Org, admin: dict[str, str]) -> None:
    response = Client().delete(f"/api/v1/teams/{org.south.pk}", headers=admin)
    assert response.status_code == 422
    assert Team.unscoped.filter(pk=org.south.pk).exists()


def test_delete_an_empty_team(org: Org, admin: dict[str, str]) -> None:
    empty = TeamFactory(workspace=org.workspace, name="Empty")
    response = Client().delete(f"/api/v1/teams/{empty.pk}", headers=admin)
    assert response.status_code == 204
    assert response.content == b""
    assert not Team.unscoped.filter(pk=empty.pk).exists()


def test_list_pages_with_limit_and_offset(org: Org, admin: dict[str, str]) -> None:
    # Given Sales, North, South and two more teams
    for name in ("Alpha", "Zeta"):
        TeamFactory(workspace=org.workspace, name=name)
    # When the second page of two is asked for
    response = Client().get("/api/v1/teams?limit=2&offset=2", headers=admin)
    # Then it holds the 3rd and 4th by name, with the total
    assert response.json() == {
        "items": [{"id": org.sales.pk, "name": "Sales", "parent_id": None},
                  {"id": org.south.pk, "name": "South", "parent_id": org.sales.pk}],
        "count": 5, "count_is_estimate": False, "limit": 2, "offset": 2,
    }


def test_list_is_scoped_to_the_workspace(org: Org, other_org: Org, admin: dict[str, str]) -> None:
    names = [t["name"] for t in Client().get("/api/v1/teams", headers=admin).json()["items"]]
    assert names == ["North", "Sales", "South"]


def _count_queries(client: Client, path: str, headers: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, headers=headers).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(org: Org, admin: dict[str, str], django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    # Given a few teams, then many more under parents
    client = Client()
    client.get("/api/v1/teams", headers=admin)  # the token's first use writes last_used_at once
    few = _count_queries(client, "/api/v1/teams", admin)
    for n in range(30):
        team = TeamFactory(workspace=org.workspace, name=f"T{n}", parent=org.sales)
        MembershipFactory(workspace=org.workspace, team=team)
    # When the list is read again
    with django_assert_max_num_queries(5):
        client.get("/api/v1/teams", headers=admin)
    # Then it costs the same number of queries
    assert _count_queries(client, "/api/v1/teams", admin) == few
