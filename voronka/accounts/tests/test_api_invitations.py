"""The /invitations endpoints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import Org
from voronka.accounts.models import Invitation

Headers = Callable[..., dict[str, str]]


def test_manager_invites_a_rep_into_a_team(org: Org, bearer: Headers, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    # Given a manager
    # When they invite a rep into North
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post("/api/v1/invitations",
                                 data={"email": " New@Acme.Test ", "role": "rep", "team_id": org.north.pk},
                                 content_type="application/json", headers=bearer(org.manager, org.workspace))
    # Then the invitation exists, normalised, and one email went out
    assert response.status_code == 201
    invitation = Invitation.unscoped.get(pk=response.json()["id"])
    assert (invitation.email, invitation.role, invitation.team_id, invitation.invited_by_id) == (
        "new@acme.test", "rep", org.north.pk, org.manager.pk)
    assert [message.to for message in mail.outbox] == [["new@acme.test"]]


def test_manager_may_not_invite_an_admin(org: Org, bearer: Headers) -> None:
    response = Client().post("/api/v1/invitations", data={"email": "boss@acme.test", "role": "admin"},
                             content_type="application/json", headers=bearer(org.manager, org.workspace))
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")
    assert not Invitation.unscoped.exists()


def test_create_ignores_fields_it_does_not_list(org: Org, other_org: Org, bearer: Headers) -> None:
    payload = {"email": "x@acme.test", "workspace_id": other_org.workspace.pk, "invited_by_id": other_org.admin.pk,
               "accepted_at": "2020-01-01T00:00:00Z", "expires_at": "2100-01-01T00:00:00Z"}
    response = Client().post("/api/v1/invitations", data=payload, content_type="application/json",
                             headers=bearer(org.admin, org.workspace))
    assert response.status_code == 201
    invitation = Invitation.unscoped.get()
    assert (invitation.workspace_id, invitation.invited_by_id, invitation.accepted_at) == (
        org.workspace.pk, org.admin.pk, None)
    assert invitation.expires_at < timezone.now() + dt.timedelta(days=8)


@pytest.mark.parametrize(
    ("payload", "status", "code"),
    [({"email": "not an email"}, 422, "validation_error"), ({}, 422, "validation_error"),
     ({"email": "a@b.test", "role": "owner"}, 422, "validation_error"),
     ({"email": "admin@acme.test"}, 400, "already_member")],
)
def test_create_refuses_bad_input(
    payload: dict[str, object], status: int, code: str, org: Org, bearer: Headers
) -> None:
    response = Client().post("/api/v1/invitations", data=payload, content_type="application/json",
                             headers=bearer(org.admin, org.workspace))
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert set(response.json()["fields"]) == ({"role"} if "role" in payload else {"email"})
    assert not Invitation.unscoped.exists()


def test_revoke(org: Org, bearer: Headers) -> None:
    invitation = Invitation.unscoped.create(workspace=org.workspace, email="p@acme.test",
                                            expires_at=timezone.now() + dt.timedelta(days=1))
    response = Client().post(f"/api/v1/invitations/{invitation.pk}/revoke", headers=bearer(org.admin, org.workspace))
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_list_shows_pending_only_and_query_count_does_not_grow(  # type: ignore[no-untyped-def]
    org: Org, bearer: Headers, django_assert_max_num_queries
) -> None:
    headers = bearer(org.admin, org.workspace)
    client = Client()
    client.get("/api/v1/invitations", headers=headers)  # the token's first use writes last_used_at once
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/invitations", headers=headers)
    expires = timezone.now() + dt.timedelta(days=1)
    for n in range(25):
        Invitation.unscoped.create(workspace=org.workspace, email=f"p{n}@acme.test", team=org.north,
                                   invited_by=org.manager, expires_at=expires)
    Invitation.unscoped.create(workspace=org.workspace, email="gone@acme.test", expires_at=expires,
                               revoked_at=timezone.now())
    with django_assert_max_num_queries(len(few)):
        body = client.get("/api/v1/invitations", headers=headers).json()
    assert body["count"] == 25
    assert "gone@acme.test" not in {item["email"] for item in body["items"]}
