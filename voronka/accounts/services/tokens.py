"""API tokens: shown once, stored as a SHA-256, scoped to one workspace, revocable."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError

from ..actor import Actor
from ..models import ApiToken, Membership, User, Workspace
from ..roles import Capability

TOKEN_PREFIX = "vk_"  # noqa: S105 — a public marker, not a secret


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _issue(*, user: User, workspace: Workspace, name: str) -> tuple[ApiToken, str]:
    """A new token row; the secret exists only in the return value, the database keeps its hash."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.unscoped.create(
        workspace=workspace, user=user, name=name, prefix=secret[:10], key_hash=hash_token(secret)
    )
    return token, secret


@transaction.atomic
def api_token_create(*, actor: Actor, name: str) -> tuple[ApiToken, str]:
    """Create a token for the actor in the current workspace; the secret is returned only now."""
    actor.require(Capability.MANAGE_OWN_TOKENS)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApplicationError(_("Name the token (at most 100 characters)."), fields={"name": [_("Required.")]})
    token, secret = _issue(user=actor.user, workspace=actor.workspace, name=name)
    audit_record(action="token.create", actor=actor.user, target=token, diff={"name": name})
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Actor, token: ApiToken) -> ApiToken:
    """Revoke a token at once; later requests with it get 401."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(action="token.revoke", actor=actor.user, target=token)
    return token


def api_token_authenticate(secret: str) -> ApiToken | None:
    """The live token for `secret` whose user and membership are still active, else None."""
    if not secret or not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.unscoped.select_related("user", "workspace")
        .filter(key_hash=hash_token(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active or not token.workspace.is_active:
        return None
    if not Membership.unscoped.filter(workspace=token.workspace, user=token.user, is_active=True).exists():
        return None
    # Touch at most once a minute so every API call is not a write.
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.unscoped.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def api_token_issue_for(*, user: User, workspace: Workspace, name: str) -> tuple[ApiToken, str]:
    """Issue a token from the command line (`voronka token --email E`)."""
    token, secret = _issue(user=user, workspace=workspace, name=name)
    audit_record(action="token.create", actor=None, target=token, diff={"name": name, "via": "cli"})
    return token, secret
