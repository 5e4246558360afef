"""`Idempotency-Key` on API creates (SECURITY.md R27)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from conftest import Org
from voronka.accounts.models import ApiToken, Invitation, Team
from voronka.accounts.tests.factories import MembershipFactory, UserFactory
from voronka.core import idempotency
from voronka.core.models import IdempotencyKey

Headers = Callable[..., dict[str, str]]


@pytest.fixture
def admin(org: Org, bearer: Headers) -> dict[str, str]:
    return bearer(org.admin, org.workspace)


def post(headers: dict[str, str], body: Any, key: str | None = "k-1", path: str = "/api/v1/teams") -> Any:
    extra = {"Idempotency-Key": key} if key is not None else {}
    data = body if isinstance(body, str) else json.dumps(body)
    return Client().post(path, data=data, content_type="application/json", headers={**headers, **extra})


def new_teams(org: Org) -> list[str]:
    return list(Team.unscoped.filter(workspace=org.workspace).exclude(name__in=["Sales", "North", "South"])
                .values_list("name", flat=True))


def test_replay_returns_the_same_answer_and_creates_once(org: Org, admin: dict[str, str]) -> None:
    # Given a create sent with a key
    first = post(admin, {"name": "East"})
    # When the same request is sent again with the same key
    second = post(admin, {"name": "East"})
    # Then the same status and body come back, marked as a replay, and one team exists
    assert first.status_code == second.status_code == 201
    assert second.content == first.content
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert new_teams(org) == ["East"]
    stored = IdempotencyKey.unscoped.get()
    assert (stored.workspace_id, stored.user_id, stored.key, stored.status_code) == (
        org.workspace.pk, org.admin.pk, "k-1", 201)


def test_key_order_and_spacing_do_not_count(org: Org, admin: dict[str, str]) -> None:
    first = post(admin, '{"name": "East", "parent_id": null}')
    second = post(admin, '{ "parent_id" : null,"name":"East" }')
    assert second.content == first.content
    assert new_teams(org) == ["East"]


def test_same_key_with_another_body_is_422(org: Org, admin: dict[str, str]) -> None:
    # Given a key already used for "East"
    post(admin, {"name": "East"})
    # When it is reused for "West"
    response = post(admin, {"name": "West"})
    # Then it is refused and West is not created
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "idempotency_key_reused"
    assert "Idempotency-Key" in body["fields"]
    assert new_teams(org) == ["East"]


def test_same_key_on_another_endpoint_is_422(org: Org, admin: dict[str, str]) -> None:
    post(admin, {"name": "East"})
    response = post(admin, {"name": "East"}, path="/api/v1/tokens")
    assert (response.status_code, response.json()["code"]) == (422, "idempotency_key_reused")


def test_without_a_key_each_post_creates(org: Org, admin: dict[str, str]) -> None:
    assert post(admin, {"name": "A"}, key=None).status_code == 201
    assert post(admin, {"name": "B"}, key=None).status_code == 201
    assert sorted(new_teams(org)) == ["A", "B"]
    assert not IdempotencyKey.unscoped.exists()


def test_keys_belong_to_one_user(org: Org, bearer: Headers) -> None:
    # Given the admin used a key
    post(bearer(org.admin, org.workspace), {"name": "East"})
    # When a second admin uses the same key for another body
    second_admin = UserFactory(email="admin2@acme.test")
    MembershipFactory(workspace=org.workspace, user=second_admin, role="admin")
    response = post(bearer(second_admin, org.workspace), {"name": "West"})
    # Then theirs is a separate key and creates
    assert response.status_code == 201
    assert sorted(new_teams(org)) == ["East", "West"]


def test_keys_belong_to_one_workspace(org: Org, other_org: Org, bearer: Headers) -> None:
    # Given a user who administers two workspaces and used a key in the first
    MembershipFactory(workspace=other_org.workspace, user=org.admin, role="admin")
    post(bearer(org.admin, org.workspace), {"name": "East"})
    # When the same key and body go to the second workspace
    response = post(bearer(org.admin, other_org.workspace), {"name": "East"})
    # Then it creates there: no answer leaks across workspaces
    assert response.status_code == 201
    assert response.json()["id"] == Team.unscoped.get(workspace=other_org.workspace, name="East").pk


def test_a_refused_request_is_not_stored(org: Org, admin: dict[str, str]) -> None:
    # Given a create refused for a blank name
    assert post(admin, {"name": ""}).status_code == 422
    # When the client fixes the body and retries with the same key
    response = post(admin, {"name": "Fixed"})
    # Then it goes through
    assert response.status_code == 201
    assert new_teams(org) == ["Fixed"]


def test_a_denied_request_is_not_stored(org: Org, bearer: Headers) -> None:
    rep = bearer(org.rep, org.workspace)
    assert post(rep, {"name": "East"}).status_code == 403
    assert not IdempotencyKey.unscoped.exists()


def test_an_expired_key_starts_over(org: Org, admin: dict[str, str]) -> None:
    post(admin, {"name": "East"})
    IdempotencyKey.unscoped.update(created_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    response = post(admin, {"name": "West"})
    assert response.status_code == 201
    assert sorted(new_teams(org)) == ["East", "West"]


@pytest.mark.parametrize("key", ["", "x" * 256, "has space", "tab\tkey"])
def test_malformed_keys_are_422(key: str, org: Org, admin: dict[str, str]) -> None:
    response = post(admin, {"name": "East"}, key=key)
    assert response.status_code == 422
    assert "Idempotency-Key" in response.json()["fields"]
    assert new_teams(org) == []


def test_invitation_replay_sends_one_email(org: Org, admin: dict[str, str], django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        first = post(admin, {"email": "new@acme.test"}, path="/api/v1/invitations")
    with django_capture_on_commit_callbacks(execute=True):
        second = post(admin, {"email": "new@acme.test"}, path="/api/v1/invitations")
    assert (first.status_code, second.content) == (201, first.content)
    assert Invitation.unscoped.count() == 1
    assert len(mail.outbox) == 1


def test_token_replay_never_stores_or_repeats_the_secret(org: Org, admin: dict[str, str]) -> None:
    # Given a token created with a key
    first = post(admin, {"name": "ci"}, path="/api/v1/tokens")
    secret = first.json()["secret"]
    # When the create is replayed
    second = post(admin, {"name": "ci"}, path="/api/v1/tokens")
    # Then one token exists, the replay omits the secret, and the key table never held it
    assert second.status_code == 201
    assert second.json() == {**first.json(), "secret": None}
    assert ApiToken.unscoped.filter(name="ci").count() == 1
    assert secret not in IdempotencyKey.unscoped.get().response_body


def test_concurrent_twin_rolls_back_and_answers_like_the_winner(
    org: Org, admin: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a twin request that stored the key while ours was running (its lookup saw nothing)
    winner = post(admin, {"name": "East"})
    Team.unscoped.filter(name="East").update(name="East (winner)")
    real_lookup = idempotency._stored_answer
    lookups: list[str] = []

    def first_lookup_misses(**kwargs: Any) -> Any:
        lookups.append(kwargs["key"])
        return None if len(lookups) == 1 else real_lookup(**kwargs)

    monkeypatch.setattr(idempotency, "_stored_answer", first_lookup_misses)
    # When ours finishes and tries to store the same key
    loser = post(admin, {"name": "East"})
    # Then our team is rolled back and the winner's answer is returned
    assert lookups == ["k-1", "k-1"]
    assert loser.content == winner.content
    assert new_teams(org) == ["East (winner)"]
