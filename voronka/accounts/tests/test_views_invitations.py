"""Accepting an invitation: sign up or confirm; bad, expired, used and tampered links write nothing."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.test import Client
from django.utils import timezone

from voronka.accounts.models import Invitation, Membership, User
from voronka.accounts.roles import Role
from voronka.accounts.services.invitations import invitation_create, invitation_token
from voronka.accounts.tests.factories import PASSWORD, UserFactory
from voronka.accounts.tests.test_views_support import snapshot
from voronka.core.scoping import workspace_scope

NEW_PASSWORD = "a long enough passphrase 9"


def make_invitation(org, email="newbie@acme.test", role=Role.REP) -> tuple[Invitation, str]:
    with workspace_scope(org.workspace):
        invitation = invitation_create(actor=org.actor(org.admin), email=email, role=role, team=org.north)
    return invitation, f"/accounts/invitations/{invitation_token(invitation)}/"


def test_new_person_signs_up_and_lands_home(client, org):
    invitation, url = make_invitation(org)
    page = client.get(url)
    assert page.status_code == 200
    assert "newbie@acme.test" in page.content.decode()
    response = client.post(url, {"full_name": "New Person", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    user = User.objects.get(email="newbie@acme.test")
    assert user.check_password(NEW_PASSWORD)
    membership = Membership.unscoped.get(user=user)
    assert (membership.workspace_id, membership.role, membership.team_id) == (org.workspace.pk, "rep", org.north.pk)
    assert client.get("/").status_code == 200  # logged in
    invitation.refresh_from_db()
    assert invitation.accepted_by_id == user.pk


@pytest.mark.parametrize(
    "data,field",
    [
        ({"full_name": "N", "password": "short", "password_again": "short"}, "password"),
        ({"full_name": "N", "password": NEW_PASSWORD, "password_again": "other"}, "password_again"),
        ({"full_name": "", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}, "full_name"),
    ],
)
def test_signup_errors_are_field_errors(client, org, data, field):
    _, url = make_invitation(org)
    before = snapshot()
    response = client.post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}-errors"' in html
    assert snapshot() == before
    assert not User.objects.filter(email="newbie@acme.test").exists()


def test_existing_user_logged_in_confirms(org, other_org, login_as):
    # other_org's rep is invited into org
    _, url = make_invitation(org, email="rep@globex.test")
    client = login_as(other_org.rep)
    page = client.get(url)
    assert page.status_code == 200
    assert "Accept and join" in page.content.decode()
    assert not Membership.unscoped.filter(user=other_org.rep, workspace=org.workspace).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert Membership.unscoped.get(user=other_org.rep, workspace=org.workspace).role == "rep"
    assert client.session["voronka_workspace_id"] == org.workspace.pk


def test_existing_user_logged_out_is_asked_to_log_in(client, org, other_org):
    _, url = make_invitation(org, email="rep@globex.test")
    before = snapshot()
    page = client.get(url)
    assert page.status_code == 200
    assert f"/accounts/login/?next={quote(url, safe='/')}" in page.content.decode()
    assert (
        client.post(url, {"full_name": "X", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}).status_code
        == 200
    )
    assert snapshot() == before
    # After logging in with next, the user returns to the invitation.
    login = client.post(f"/accounts/login/?next={url}", {"email": "rep@globex.test", "password": PASSWORD})
    assert login["Location"] == url


def test_logged_in_as_someone_else_is_403_and_nothing_written(org, login_as):
    _, url = make_invitation(org)
    before = snapshot()
    client = login_as(org.rep)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    assert snapshot() == before


def test_expired_invitation_is_410(client, org):
    invitation, url = make_invitation(org)
    Invitation.unscoped.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    before = snapshot()
    assert client.get(url).status_code == 410
    response = client.post(url, {"full_name": "N", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert snapshot() == before


def test_expired_signature_is_410(client, org, settings):
    _, url = make_invitation(org)
    settings.INVITATION_MAX_AGE_SECONDS = -1
    assert client.get(url).status_code == 410


def test_used_invitation_is_410(client, org):
    _, url = make_invitation(org)
    client.post(url, {"full_name": "N", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    before = snapshot()
    again = Client()
    assert again.get(url).status_code == 410
    assert (
        again.post(url, {"full_name": "M", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}).status_code == 410
    )
    assert "already been used" in again.get(url).content.decode()
    assert snapshot() == before


def test_revoked_invitation_is_404(client, org):
    invitation, url = make_invitation(org)
    Invitation.unscoped.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "garbage",
        lambda token: token.split(":")[0] + ":x:y",
    ],
)
def test_tampered_token_is_404_and_nothing_written(client, org, mangle):
    invitation, _ = make_invitation(org)
    url = f"/accounts/invitations/{mangle(invitation_token(invitation))}/"
    before = snapshot()
    assert client.get(url).status_code == 404
    response = client.post(url, {"full_name": "N", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 404
    assert "not valid" in response.content.decode()
    assert snapshot() == before


def test_workspace_name_is_escaped(client, org):
    org.workspace.name = "<script>alert(1)</script>"
    org.workspace.save()
    _, url = make_invitation(org)
    html = client.get(url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_accept_needs_csrf(org):
    _, url = make_invitation(org)
    client = Client(enforce_csrf_checks=True)
    before = snapshot()
    response = client.post(url, {"full_name": "N", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 403
    assert snapshot() == before


def test_signup_for_existing_email_race_is_a_message_not_a_500(client, org):
    _, url = make_invitation(org)
    client.get(url)
    UserFactory(email="newbie@acme.test")  # created between page view and submit
    response = client.post(url, {"full_name": "N", "password": NEW_PASSWORD, "password_again": NEW_PASSWORD})
    assert response.status_code == 200  # now the "log in first" page
    assert "already have a Voronka account" in response.content.decode()
