"""API authentication: bearer tokens, sessions with CSRF, and what a token may see."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from conftest import Org
from voronka.accounts.models import Membership, Team
from voronka.accounts.services.members import membership_set_active
from voronka.accounts.services.tokens import api_token_issue_for, api_token_revoke
from voronka.accounts.tests.factories import MembershipFactory
from voronka.core.models import AuditEntry
from voronka.core.scoping import workspace_scope

Headers = Callable[..., dict[str, str]]
CSRF = "a" * 32  # an unmasked secret is a valid cookie and header value


def rejected_count() -> int:
    return AuditEntry.objects.filter(action="auth.token_rejected").count()


def test_wrong_token_is_401_and_audited(org: Org) -> None:
    # Given a token that was never issued
    headers = {"Authorization": "Bearer vk_not-a-real-token"}
    # When it is used for a read and for a write
    read = Client().get("/api/v1/me", headers=headers)
    write = Client().post("/api/v1/teams", data={"name": "X"}, content_type="application/json", headers=headers)
    # Then both are 401 (the write is not mistaken for a CSRF failure) and both rejections are audited
    assert (read.status_code, read.json()["code"]) == (401, "not_authenticated")
    assert (write.status_code, write.json()["code"]) == (401, "not_authenticated")
    assert rejected_count() == 2
    assert not Team.unscoped.filter(name="X").exists()


def test_revoked_token_is_401_and_audited(org: Org) -> None:
    # Given a token that worked and was then revoked
    token, secret = api_token_issue_for(user=org.admin, workspace=org.workspace, name="old")
    headers = {"Authorization": f"Bearer {secret}"}
    assert Client().get("/api/v1/me", headers=headers).status_code == 200
    api_token_revoke(actor=org.actor(org.admin), token=token)
    # When it is used again
    response = Client().get("/api/v1/me", headers=headers)
    # Then 401 and one audited rejection naming the token's prefix, never the secret
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    entry = AuditEntry.objects.get(action="auth.token_rejected")
    assert entry.diff == {"prefix": secret[:10], "path": "/api/v1/me"}


def test_revoking_through_the_api_stops_the_token(org: Org, bearer: Headers) -> None:
    # Given two tokens of the admin
    token, secret = api_token_issue_for(user=org.admin, workspace=org.workspace, name="to revoke")
    # When one is revoked with the other
    response = Client().delete(f"/api/v1/tokens/{token.pk}", headers=bearer(org.admin, org.workspace))
    # Then the revoked one is refused from the next request on
    assert response.status_code == 204
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_wrong_token_wins_over_a_session(org: Org) -> None:
    # Given a logged-in browser that also sends a bad token
    client = Client()
    client.force_login(org.admin)
    # When it calls the API
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer vk_wrong"})
    # Then the named token decides: 401
    assert response.status_code == 401


def test_deactivated_membership_is_401_by_token_and_by_session(org: Org, bearer: Headers) -> None:
    # Given a rep with a token and a session, then deactivated
    headers = bearer(org.rep, org.workspace)
    session = Client()
    session.force_login(org.rep)
    membership = Membership.unscoped.get(user=org.rep, workspace=org.workspace)
    with workspace_scope(org.workspace):
        membership_set_active(actor=org.actor(org.admin), membership=membership, active=False)
    # When the rep calls the API either way
    by_token = Client().get("/api/v1/teams", headers=headers)
    by_session = session.get("/api/v1/teams")
    # Then both are 401 JSON
    assert (by_token.status_code, by_token.json()["code"]) == (401, "not_authenticated")
    assert (by_session.status_code, by_session.json()["code"]) == (401, "not_authenticated")
    assert rejected_count() == 1


def test_token_sees_only_its_workspace(org: Org, other_org: Org, bearer: Headers) -> None:
    # Given Acme's admin who is also an admin of Globex, with a token for Acme
    MembershipFactory(workspace=other_org.workspace, user=org.admin, role="admin")
    headers = bearer(org.admin, org.workspace)
    globex_team = other_org.sales
    globex_member = Membership.unscoped.get(workspace=other_org.workspace, user=other_org.rep)
    client = Client()
    # When the token reads and writes
    me = client.get("/api/v1/me", headers=headers).json()
    workspaces = client.get("/api/v1/workspaces", headers=headers).json()
    teams = client.get("/api/v1/teams", headers=headers).json()
    team = client.get(f"/api/v1/teams/{globex_team.pk}", headers=headers)
    member = client.patch(f"/api/v1/members/{globex_member.pk}", data={"role": "admin"},
                          content_type="application/json", headers=headers)
    # Then only Acme exists for it
    assert me["workspace"]["id"] == org.workspace.pk
    assert [w["id"] for w in workspaces["items"]] == [org.workspace.pk]
    assert {t["id"] for t in teams["items"]} == set(
        Team.unscoped.filter(workspace=org.workspace).values_list("pk", flat=True)
    )
    assert team.status_code == 404
    assert member.status_code == 404
    globex_member.refresh_from_db()
    assert globex_member.role == "rep"


def test_session_lists_every_workspace_of_the_user(org: Org, other_org: Org) -> None:
    # Given a user in two workspaces, logged in through the browser
    MembershipFactory(workspace=other_org.workspace, user=org.admin, role="rep")
    client = Client()
    client.force_login(org.admin)
    # When the workspaces are listed
    body = client.get("/api/v1/workspaces").json()
    # Then both are there
    assert {w["id"] for w in body["items"]} == {org.workspace.pk, other_org.workspace.pk}
    assert body["count"] == 2


def test_session_write_without_csrf_token_is_refused(org: Org) -> None:
    # Given a logged-in browser that enforces CSRF
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.admin)
    # When it writes without the token, by POST, PATCH and DELETE
    post = client.post("/api/v1/teams", data={"name": "Forged"}, content_type="application/json")
    patch = client.patch("/api/v1/workspace", data={"name": "Forged"}, content_type="application/json")
    delete = client.delete(f"/api/v1/teams/{org.south.pk}")
    # Then each is 403 csrf_failed and nothing changed
    for response in (post, patch, delete):
        assert (response.status_code, response.json()["code"]) == (403, "csrf_failed")
    assert not Team.unscoped.filter(name="Forged").exists()
    org.workspace.refresh_from_db()
    assert org.workspace.name == "Acme Co"
    assert Team.unscoped.filter(pk=org.south.pk).exists()


def test_session_write_with_csrf_token_succeeds(org: Org) -> None:
    # Given a logged-in browser holding the CSRF cookie
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.admin)
    client.cookies["csrftoken"] = CSRF
    # When it writes with the X-CSRFToken header
    response = client.post("/api/v1/teams", data={"name": "Real"}, content_type="application/json",
                           headers={"X-CSRFToken": CSRF})
    # Then the write goes through
    assert response.status_code == 201
    assert Team.unscoped.filter(workspace=org.workspace, name="Real").count() == 1


def test_session_reads_need_no_csrf_token(org: Org) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.rep)
    assert client.get("/api/v1/me").status_code == 200


def test_bearer_writes_need_no_csrf_token(org: Org, bearer: Headers) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/teams", data={"name": "By token"}, content_type="application/json",
                           headers=bearer(org.admin, org.workspace))
    assert response.status_code == 201
