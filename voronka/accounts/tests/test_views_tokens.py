"""API tokens page: own tokens only, secret shown once, revocation with confirmation."""

from __future__ import annotations

import pytest
from django.test import Client

from voronka.accounts.models import ApiToken
from voronka.accounts.services.tokens import api_token_issue_for, hash_token
from voronka.accounts.tests.test_views_support import snapshot

URL = "/accounts/tokens/"


@pytest.mark.parametrize("role", ["admin", "manager", "rep", "marketer"])
def test_everyone_manages_own_tokens(org, login_as, role):
    user = getattr(org, role)
    api_token_issue_for(user=user, workspace=org.workspace, name="mine")
    api_token_issue_for(user=org.rep_south, workspace=org.workspace, name="someone else's")
    html = login_as(user).get(URL).content.decode()
    assert "mine" in html
    assert "someone else&#x27;s" not in html


def test_create_shows_the_secret_once(org, login_as):
    client = login_as(org.rep)
    response = client.post(URL, {"name": "Website form"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    html = response.content.decode()
    secret = html.split('id="token-secret">', 1)[1].split("<", 1)[0]
    token = ApiToken.unscoped.get(user=org.rep)
    assert token.key_hash == hash_token(secret)
    assert secret not in client.get(URL).content.decode()
    # And it works against the API.
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["email"] == "rep@acme.test"


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_bad_name_is_a_form_error(org, login_as, name):
    before = snapshot()
    response = login_as(org.rep).post(URL, {"name": name})
    assert response.status_code == 400
    assert "is-invalid" in response.content.decode()
    assert snapshot() == before


def test_revoke_asks_then_revokes(org, login_as):
    token, secret = api_token_issue_for(user=org.rep, workspace=org.workspace, name="script")
    client = login_as(org.rep)
    assert client.get(f"{URL}{token.pk}/revoke/").status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is None
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


@pytest.mark.parametrize("owner", ["same_workspace_admin", "other_workspace"])
def test_someone_elses_token_is_404(org, other_org, login_as, owner):
    if owner == "same_workspace_admin":
        token, _ = api_token_issue_for(user=org.admin, workspace=org.workspace, name="admin's")
    else:
        token, _ = api_token_issue_for(user=other_org.rep, workspace=other_org.workspace, name="theirs")
    before = snapshot()
    client = login_as(org.rep)
    assert client.get(f"{URL}{token.pk}/revoke/").status_code == 404
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 404
    assert snapshot() == before


def test_token_names_are_escaped(org, login_as):
    api_token_issue_for(user=org.rep, workspace=org.workspace, name="<script>alert(1)</script>")
    html = login_as(org.rep).get(URL).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_query_count_does_not_grow(org, login_as, django_assert_max_num_queries):
    for n in range(30):
        api_token_issue_for(user=org.rep, workspace=org.workspace, name=f"t{n}")
    client = login_as(org.rep)
    client.get("/")  # the first request stores the current workspace in the session
    with django_assert_max_num_queries(7):
        assert client.get(URL).status_code == 200


def test_token_posts_need_csrf(org):
    token, _ = api_token_issue_for(user=org.rep, workspace=org.workspace, name="script")
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.rep)
    before = snapshot()
    assert client.post(URL, {"name": "x"}).status_code == 403
    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 403
    assert snapshot() == before
