"""The teams pages: tree, create, rename/move, delete with confirmation."""

from __future__ import annotations

import pytest
from django.test import Client

from voronka.accounts.models import Team
from voronka.accounts.tests.factories import TeamFactory
from voronka.accounts.tests.test_views_support import snapshot

ROLES = ["admin", "manager", "rep", "marketer"]


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_tree(org, login_as, role):
    response = login_as(getattr(org, role)).get("/accounts/teams/")
    html = response.content.decode()
    assert response.status_code == 200
    # North and South are nested under Sales
    sales = html.index(f'data-team-id="{org.sales.pk}"')
    assert sales < html.index(f'data-team-id="{org.north.pk}"')
    assert (f"/accounts/teams/{org.north.pk}/edit/" in html) is (role == "admin")


@pytest.mark.parametrize("role", ["manager", "rep", "marketer"])
def test_only_team_managers_change_teams(org, login_as, role):
    client = login_as(getattr(org, role))
    before = snapshot()
    assert client.post("/accounts/teams/new/", {"name": "East"}).status_code == 403
    assert client.get(f"/accounts/teams/{org.north.pk}/edit/").status_code == 403
    assert client.post(f"/accounts/teams/{org.north.pk}/edit/", {"name": "X"}).status_code == 403
    assert client.post(f"/accounts/teams/{org.north.pk}/delete/").status_code == 403
    assert snapshot() == before


def test_create_under_a_parent(org, login_as):
    response = login_as(org.admin).post("/accounts/teams/new/", {"name": "East", "parent": org.sales.pk})
    assert response.status_code == 302
    assert Team.unscoped.get(workspace=org.workspace, name="East").parent_id == org.sales.pk


@pytest.mark.parametrize(
    "data", [{"name": ""}, {"name": "x" * 121}, {"name": "Sales"}, {"name": "East", "parent": "nope"}]
)
def test_create_bad_input_is_a_form_error(org, login_as, data):
    before = snapshot()
    response = login_as(org.admin).post("/accounts/teams/new/", data)
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert snapshot() == before


def test_create_with_foreign_parent_is_refused(org, other_org, login_as):
    before = snapshot()
    response = login_as(org.admin).post("/accounts/teams/new/", {"name": "East", "parent": other_org.sales.pk})
    assert response.status_code == 400
    assert snapshot() == before


def test_rename_and_move(org, login_as):
    client = login_as(org.admin)
    assert client.get(f"/accounts/teams/{org.south.pk}/edit/").status_code == 200
    response = client.post(f"/accounts/teams/{org.south.pk}/edit/", {"name": "Southwest", "parent": ""})
    assert response.status_code == 302
    org.south.refresh_from_db()
    assert (org.south.name, org.south.parent_id) == ("Southwest", None)


def test_move_under_own_child_is_a_form_error(org, login_as):
    before = snapshot()
    response = login_as(org.admin).post(
        f"/accounts/teams/{org.sales.pk}/edit/", {"name": "Sales", "parent": org.north.pk}
    )
    assert response.status_code == 400
    assert "Choose another parent team." in response.content.decode()
    assert snapshot() == before


def test_delete_asks_then_deletes_an_empty_team(org, login_as):
    empty = TeamFactory(workspace=org.workspace, name="Empty")
    client = login_as(org.admin)
    confirm = client.get(f"/accounts/teams/{empty.pk}/delete/")
    assert confirm.status_code == 200
    assert Team.unscoped.filter(pk=empty.pk).exists()
    assert client.post(f"/accounts/teams/{empty.pk}/delete/").status_code == 302
    assert not Team.unscoped.filter(pk=empty.pk).exists()


def test_delete_a_team_with_members_is_refused_with_a_message(org, login_as):
    before = snapshot()
    response = login_as(org.admin).post(f"/accounts/teams/{org.north.pk}/delete/")
    assert response.status_code == 400
    assert "Move this team" in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize(
    "method,path,data",
    [
        ("get", "edit/", {}),
        ("post", "edit/", {"name": "Hacked"}),
        ("get", "delete/", {}),
        ("post", "delete/", {}),
    ],
)
def test_another_workspaces_team_is_404_and_unchanged(org, other_org, login_as, method, path, data):
    before = snapshot()
    response = getattr(login_as(org.admin), method)(f"/accounts/teams/{other_org.north.pk}/{path}", data)
    assert response.status_code == 404
    assert snapshot() == before


def test_team_names_are_escaped(org, login_as):
    TeamFactory(workspace=org.workspace, name="<script>alert(1)</script>", parent=org.sales)
    html = login_as(org.admin).get("/accounts/teams/").content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_list_query_count_does_not_grow(org, login_as, django_assert_max_num_queries):
    for n in range(30):
        TeamFactory(workspace=org.workspace, name=f"Team {n}", parent=org.sales if n % 2 else None)
    client = login_as(org.admin)
    client.get("/")  # the first request stores the current workspace in the session
    with django_assert_max_num_queries(8):
        assert client.get("/accounts/teams/").status_code == 200


def test_team_posts_need_csrf(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.admin)
    before = snapshot()
    assert client.post("/accounts/teams/new/", {"name": "East"}).status_code == 403
    assert client.post(f"/accounts/teams/{org.north.pk}/edit/", {"name": "X"}).status_code == 403
    assert client.post(f"/accounts/teams/{org.south.pk}/delete/").status_code == 403
    assert snapshot() == before
