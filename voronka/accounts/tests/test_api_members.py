"""The /members endpoints."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org
from voronka.accounts.models import Membership
from voronka.accounts.tests.factories import MembershipFactory, UserFactory
from voronka.core.models import AuditEntry

Headers = Callable[..., dict[str, str]]


@pytest.fixture
def admin(org: Org, bearer: Headers) -> dict[str, str]:
    return bearer(org.admin, org.workspace)


def membership(org: Org, user: object) -> Membership:
    return Membership.unscoped.get(workspace=org.workspace, user=user)


def test_list_searches_email_and_name(org: Org, admin: dict[str, str]) -> None:
    # Given the five members of Acme
    # When members are searched for "rep"
    body = Client().get("/api/v1/members?search=rep", headers=admin).json()
    # Then both reps are found, with their role and team
    assert body["count"] == 2
    assert {(m["email"], m["role"], m["team_id"]) for m in body["items"]} == {
        ("rep@acme.test", "rep", org.north.pk), ("rep_south@acme.test", "rep", org.south.pk),
    }


def test_list_hides_deactivated_unless_asked(org: Org, admin: dict[str, str]) -> None:
    Membership.unscoped.filter(workspace=org.workspace, user=org.marketer).update(is_active=False)
    client = Client()
    active = client.get("/api/v1/members", headers=admin).json()
    everyone = client.get("/api/v1/members?include_inactive=true", headers=admin).json()
    assert (active["count"], everyone["count"]) == (4, 5)


def test_search_with_nul_is_a_field_error(org: Org, admin: dict[str, str]) -> None:
    response = Client().get("/api/v1/members?search=a%00b", headers=admin)
    assert response.status_code == 422
    assert "search" in response.json()["fields"]


def test_get_one(org: Org, bearer: Headers) -> None:
    rep = membership(org, org.rep)
    response = Client().get(f"/api/v1/members/{rep.pk}", headers=bearer(org.marketer, org.workspace))
    assert response.json() == {"id": rep.pk, "user_id": org.rep.pk, "email": "rep@acme.test",
                               "full_name": org.rep.full_name, "role": "rep", "team_id": org.north.pk,
                               "is_active": True}


def test_change_role_and_team(org: Org, admin: dict[str, str]) -> None:
    # Given the rep in North
    rep = membership(org, org.rep)
    # When the admin makes them a manager of South
    response = Client().patch(f"/api/v1/members/{rep.pk}", data={"role": "manager", "team_id": org.south.pk},
                              content_type="application/json", headers=admin)
    # Then both changed and the change is audited
    assert response.status_code == 200
    rep.refresh_from_db()
    assert (rep.role, rep.team_id) == ("manager", org.south.pk)
    assert AuditEntry.objects.get(action="member.update").diff == {
        "role": ["rep", "manager"], "team": [org.north.pk, org.south.pk],
    }


def test_team_null_removes_the_team_and_omitted_keeps_it(org: Org, admin: dict[str, str]) -> None:
    rep = membership(org, org.rep)
    client = Client()
    client.patch(f"/api/v1/members/{rep.pk}", data={"role": "marketer"}, content_type="application/json",
                 headers=admin)
    rep.refresh_from_db()
    assert (rep.role, rep.team_id) == ("marketer", org.north.pk)
    client.patch(f"/api/v1/members/{rep.pk}", data={"team_id": None}, content_type="application/json",
                 headers=admin)
    rep.refresh_from_db()
    assert (rep.role, rep.team_id) == ("marketer", None)


def test_patch_ignores_user_workspace_and_active(org: Org, other_org: Org, admin: dict[str, str]) -> None:
    # Given the rep's membership
    rep = membership(org, org.rep)
    # When the PATCH also names user_id, workspace and is_active
    payload = {"user_id": org.admin.pk, "workspace": other_org.workspace.pk, "workspace_id": other_org.workspace.pk,
               "is_active": False, "id": 1}
    response = Client().patch(f"/api/v1/members/{rep.pk}", data=payload, content_type="application/json",
                              headers=admin)
    # Then none of them changed
    assert response.status_code == 200
    rep.refresh_from_db()
    assert (rep.user_id, rep.workspace_id, rep.is_active, rep.role) == (org.rep.pk, org.workspace.pk, True, "rep")


def test_team_of_another_workspace_is_404(org: Org, other_org: Org, admin: dict[str, str]) -> None:
    rep = membership(org, org.rep)
    response = Client().patch(f"/api/v1/members/{rep.pk}", data={"team_id": other_org.north.pk},
                              content_type="application/json", headers=admin)
    assert response.status_code == 404
    rep.refresh_from_db()
    assert rep.team_id == org.north.pk


@pytest.mark.parametrize("payload", [{"role": "owner"}, {"role": 1}, {"team_id": "x"}])
def test_patch_bad_values_are_422(payload: dict[str, object], org: Org, admin: dict[str, str]) -> None:
    rep = membership(org, org.rep)
    response = Client().patch(f"/api/v1/members/{rep.pk}", data=payload, content_type="application/json",
                              headers=admin)
    assert response.status_code == 422
    assert set(response.json()["fields"]) == set(payload)


def test_last_admin_cannot_step_down(org: Org, admin: dict[str, str]) -> None:
    me = membership(org, org.admin)
    client = Client()
    demote = client.patch(f"/api/v1/members/{me.pk}", data={"role": "rep"}, content_type="application/json",
                          headers=admin)
    assert (demote.status_code, demote.json()["code"]) == (400, "last_admin")
    me.refresh_from_db()
    assert (me.role, me.is_active) == ("admin", True)


def test_deactivate_then_activate(org: Org, admin: dict[str, str]) -> None:
    rep = membership(org, org.rep)
    client = Client()
    off = client.post(f"/api/v1/members/{rep.pk}/deactivate", headers=admin)
    assert (off.status_code, off.json()["is_active"]) == (200, False)
    on = client.post(f"/api/v1/members/{rep.pk}/activate", headers=admin)
    assert (on.status_code, on.json()["is_active"]) == (200, True)
    assert list(AuditEntry.objects.filter(action__startswith="member.").order_by("id")
                .values_list("action", flat=True)) == ["member.deactivate", "member.activate"]


def _count_queries(client: Client, path: str, headers: dict[str, str]) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, headers=headers).status_code == 200
    return len(queries)


def test_list_query_count_does_not_grow(org: Org, admin: dict[str, str], django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.get("/api/v1/members", headers=admin)  # the token's first use writes last_used_at once
    few = _count_queries(client, "/api/v1/members", admin)
    for n in range(30):
        MembershipFactory(workspace=org.workspace, user=UserFactory(email=f"m{n}@acme.test"), team=org.north)
    with django_assert_max_num_queries(5):
        body = client.get("/api/v1/members", headers=admin).json()
    assert body["count"] == 35
    assert _count_queries(client, "/api/v1/members", admin) == few
