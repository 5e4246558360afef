"""API tokens: shown once, stored only as a SHA-256, refused once revoked or the person leaves."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.db import connection
from django.utils import timezone

from voronka.accounts.models import ApiToken, Membership, Workspace
from voronka.accounts.services.tokens import (
    TOKEN_PREFIX,
    api_token_authenticate,
    api_token_create,
    api_token_issue_for,
    api_token_revoke,
    hash_token,
)
from voronka.core.errors import ApplicationError
from voronka.core.models import AuditEntry


def _database_text() -> str:
    """Every cell of every table, as text: what an attacker with a dump would see."""
    cells: list[str] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            cells.extend(str(cell) for row in cursor.fetchall() for cell in row)
    return "\n".join(cells)


def test_create_returns_the_secret_once_and_stores_only_its_hash(org, scoped):
    # when a rep creates a token
    token, secret = api_token_create(actor=org.actor(org.rep), name=" laptop ")
    # then the secret has the prefix and only its SHA-256 is stored
    assert secret.startswith(TOKEN_PREFIX)
    assert len(secret) == len(TOKEN_PREFIX) + 43
    stored = ApiToken.objects.values_list("workspace_id", "user_id", "name", "prefix", "key_hash", "revoked_at").get()
    assert stored == (org.workspace.pk, org.rep.pk, "laptop", secret[:10], hashlib.sha256(secret.encode()).hexdigest(),
                      None)
    assert token.key_hash == hash_token(secret)
    # and the secret appears nowhere in the database
    assert secret not in _database_text()
    assert secret[10:] not in _database_text()
    assert list(AuditEntry.objects.values_list("action", "actor_id", "target_id", "diff")) == [
        ("token.create", org.rep.pk, str(token.pk), {"name": "laptop"}),
    ]


@pytest.mark.parametrize("name", ["", "   ", "t" * 101])
def test_create_refuses_a_bad_name(org, scoped, name):
    with pytest.raises(ApplicationError) as caught:
        api_token_create(actor=org.actor(org.rep), name=name)
    assert list(caught.value.fields) == ["name"]
    assert ApiToken.unscoped.count() == 0
    assert AuditEntry.objects.count() == 0


def test_authenticate_returns_the_live_token_and_touches_it_at_most_once_a_minute(org, scoped):
    token, secret = api_token_create(actor=org.actor(org.rep), name="cli")
    found = api_token_authenticate(secret)
    assert found is not None
    assert (found.pk, found.user_id, found.workspace_id) == (token.pk, org.rep.pk, org.workspace.pk)
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None
    assert api_token_authenticate(secret) is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use
    # a minute later it is touched again
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - dt.timedelta(seconds=61))
    assert api_token_authenticate(secret) is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first_use - dt.timedelta(seconds=1)


@pytest.mark.parametrize(
    "secret",
    ["", "vk_", "vk_wrong", "xx_" + "a" * 43, TOKEN_PREFIX + "a" * 300],
)
def test_unknown_or_malformed_secrets_are_refused(org, scoped, secret):
    api_token_create(actor=org.actor(org.rep), name="cli")
    assert api_token_authenticate(secret) is None


def test_the_stored_hash_is_not_a_secret(org, scoped):
    token, _secret = api_token_create(actor=org.actor(org.rep), name="cli")
    assert api_token_authenticate(token.key_hash) is None
    assert api_token_authenticate(TOKEN_PREFIX + token.key_hash) is None


def test_revoked_token_is_refused(org, scoped):
    token, secret = api_token_create(actor=org.actor(org.rep), name="cli")
    api_token_revoke(actor=org.actor(org.rep), token=token)
    assert api_token_authenticate(secret) is None
    revoked_at = ApiToken.objects.get(pk=token.pk).revoked_at
    assert revoked_at is not None
    assert token.is_active is False
    # revoking again changes and audits nothing
    api_token_revoke(actor=org.actor(org.rep), token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at == revoked_at
    assert list(AuditEntry.objects.order_by("id").values_list("action", flat=True)) == ["token.create", "token.revoke"]


def test_deactivated_user_is_refused(org, scoped):
    _token, secret = api_token_create(actor=org.actor(org.rep), name="cli")
    org.rep.is_active = False
    org.rep.save(update_fields=["is_active"])
    assert api_token_authenticate(secret) is None


def test_deactivated_or_removed_membership_is_refused(org, scoped):
    _token, secret = api_token_create(actor=org.actor(org.rep), name="cli")
    Membership.objects.filter(user=org.rep).update(is_active=False)
    assert api_token_authenticate(secret) is None
    Membership.objects.filter(user=org.rep).update(is_active=True)
    assert api_token_authenticate(secret) is not None


def test_token_does_not_work_through_a_membership_elsewhere(org, other_org, scoped):
    # a token belongs to one workspace; a live membership in another does not keep it alive
    _token, secret = api_token_issue_for(user=other_org.rep, workspace=org.workspace, name="stray")
    assert api_token_authenticate(secret) is None


def test_inactive_workspace_is_refused(org, scoped):
    _token, secret = api_token_create(actor=org.actor(org.rep), name="cli")
    Workspace.objects.filter(pk=org.workspace.pk).update(is_active=False)
    assert api_token_authenticate(secret) is None


def test_issue_for_from_the_command_line(org):
    token, secret = api_token_issue_for(user=org.marketer, workspace=org.workspace, name="cli")
    assert api_token_authenticate(secret).pk == token.pk  # type: ignore[union-attr]
    assert secret not in _database_text()
    assert list(AuditEntry.objects.values_list("action", "actor_id", "workspace_id", "diff")) == [
        ("token.create", None, org.workspace.pk, {"name": "cli", "via": "cli"}),
    ]
    assert timezone.now() - token.created_at < dt.timedelta(minutes=1)
