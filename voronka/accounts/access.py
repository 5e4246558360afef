"""The only way from an id in a request to an accounts object (SECURITY.md R1).

Each helper scopes to the actor's workspace; anything else — another workspace's id, a
deleted row, a malformed id — is the same NotFoundError (404).
"""

from __future__ import annotations

from typing import Any

from voronka.core.access import get_or_not_found

from .actor import Actor
from .models import ApiToken, Invitation, Membership, Team


def access_team(*, actor: Actor, team_id: Any) -> Team:
    return get_or_not_found(Team.objects.filter(workspace_id=actor.workspace.pk), team_id)


def access_team_for_update(*, actor: Actor, team_id: Any) -> Team:
    return get_or_not_found(Team.objects.select_for_update().filter(workspace_id=actor.workspace.pk), team_id)


def access_membership(*, actor: Actor, membership_id: Any) -> Membership:
    return get_or_not_found(
        Membership.objects.select_related("user", "team").filter(workspace_id=actor.workspace.pk), membership_id
    )


def access_invitation(*, actor: Actor, invitation_id: Any) -> Invitation:
    return get_or_not_found(Invitation.objects.filter(workspace_id=actor.workspace.pk), invitation_id)


def access_own_token(*, actor: Actor, token_id: Any) -> ApiToken:
    """A user sees and revokes only their own tokens, even as an admin."""
    return get_or_not_found(ApiToken.objects.filter(workspace_id=actor.workspace.pk, user_id=actor.user.pk), token_id)
