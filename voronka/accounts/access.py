"""The only way from an id in a request to an accounts object (SECURITY.md R1).

Each helper scopes to the actor's workspace; anything else — another workspace's id, a
deleted row, a malformed id — is the same NotFoundError (404).
"""

from __future__ import annotations

from typing import Any

from voronka.core.errors import NotFoundError

from .actor import Actor
from .models import ApiToken, Invitation, Membership, Team


def _get(queryset: Any, pk: Any) -> Any:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFoundError() from None
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise NotFoundError()
    return obj


def access_team(*, actor: Actor, team_id: Any) -> Team:
    return _get(Team.objects.filter(workspace_id=actor.workspace.pk), team_id)


def access_team_for_update(*, actor: Actor, team_id: Any) -> Team:
    return _get(Team.objects.select_for_update().filter(workspace_id=actor.workspace.pk), team_id)


def access_membership(*, actor: Actor, membership_id: Any) -> Membership:
    return _get(
        Membership.objects.select_related("user", "team").filter(workspace_id=actor.workspace.pk), membership_id
    )


def access_invitation(*, actor: Actor, invitation_id: Any) -> Invitation:
    return _get(Invitation.objects.filter(workspace_id=actor.workspace.pk), invitation_id)


def access_own_token(*, actor: Actor, token_id: Any) -> ApiToken:
    """A user sees and revokes only their own tokens, even as an admin."""
    return _get(ApiToken.objects.filter(workspace_id=actor.workspace.pk, user_id=actor.user.pk), token_id)
