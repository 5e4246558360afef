"""The /tokens endpoints."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import Org
from voronka.accounts.models import ApiToken
from voronka.accounts.services.tokens import api_token_issue_for, hash_token

Headers = Callable[..., dict[str, str]]


def test_create_shows_the_secret_once_and_stores_its_hash(org: Org, bearer: Headers) -> None:
    # Given a rep
    client = Client()
    headers = bearer(org.rep, org.workspace)
    # When they create a token
    response = client.post("/api/v1/tokens", data={"name": "laptop"}, content_type="application/json",
                           headers=headers)
    # Then the secret is in this answer, works, is stored only hashed, and is never listed
    assert response.status_code == 201
    secret = response.json()["secret"]
    token = ApiToken.unscoped.get(pk=response.json()["id"])
    assert token.key_hash == hash_token(secret)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()["id"] == org.rep.pk
    listed = client.get("/api/v1/tokens", headers=headers).text
    assert secret not in listed
    assert "key_hash" not in listed


def test_create_ignores_user_workspace_and_hash(org: Org, other_org: Org, bearer: Headers) -> None:
    payload = {"name": "mine", "user_id": org.admin.pk, "user": org.admin.pk, "workspace_id": other_org.workspace.pk,
               "key_hash": "0" * 64, "prefix": "vk_chosen", "revoked_at": "2020-01-01T00:00:00Z"}
    response = Client().post("/api/v1/tokens", data=payload, content_type="application/json",
                             headers=bearer(org.rep, org.workspace))
    token = ApiToken.unscoped.get(pk=response.json()["id"])
    assert (token.user_id, token.workspace_id, token.revoked_at) == (org.rep.pk, org.workspace.pk, None)
    assert token.key_hash != "0" * 64
    assert token.prefix != "vk_chosen"


def test_create_needs_a_name(org: Org, bearer: Headers) -> None:
    for payload in ({}, {"name": "  "}, {"name": "x" * 101}):
        response = Client().post("/api/v1/tokens", data=payload, content_type="application/json",
                                 headers=bearer(org.rep, org.workspace))
        assert response.status_code == 422
        assert "name" in response.json()["fields"]


def test_list_shows_own_tokens_of_this_workspace_only(org: Org, other_org: Org, bearer: Headers) -> None:
    headers = bearer(org.rep, org.workspace)  # the rep's token named "test"
    api_token_issue_for(user=org.admin, workspace=org.workspace, name="admin's")
    body = Client().get("/api/v1/tokens", headers=headers).json()
    assert [item["name"] for item in body["items"]] == ["test"]


def test_list_query_count_does_not_grow(org: Org, bearer: Headers, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(org.rep, org.workspace)
    client = Client()
    client.get("/api/v1/tokens", headers=headers)  # the token's first use writes last_used_at once
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/tokens", headers=headers)
    for n in range(20):
        api_token_issue_for(user=org.rep, workspace=org.workspace, name=f"t{n}")
    with django_assert_max_num_queries(len(few)):
        body = client.get("/api/v1/tokens", headers=headers).json()
    assert body["count"] == 21
