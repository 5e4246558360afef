"""accounts endpoints: the current user, workspace, teams, members, invitations, tokens.

Each endpoint parses, resolves ids through `access`, calls one service and renders; the rules
(and the capability checks of writes) live in the services.
"""

# No `from __future__ import annotations`: ninja reads the parameter types through decorator
# wrappers (idempotent, paginate), whose module globals cannot resolve string annotations.

from typing import Any, cast

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from voronka.core.api import ERROR_RESPONSES, Pagination
from voronka.core.idempotency import idempotent

from . import access, selectors
from .actor import Actor
from .models import ApiToken, Invitation, Membership, Team, Workspace
from .roles import Capability, Role
from .schemas import (
    InvitationCreate,
    InvitationRead,
    MemberFilters,
    MemberRead,
    MemberUpdate,
    MeRead,
    TeamCreate,
    TeamRead,
    TeamUpdate,
    TokenCreate,
    TokenCreated,
    TokenRead,
    WorkspaceRead,
    WorkspaceUpdate,
)
from .services.invitations import invitation_create, invitation_revoke
from .services.members import membership_set_active, membership_update
from .services.teams import team_create, team_delete, team_update
from .services.tokens import api_token_create, api_token_revoke
from .services.workspaces import workspace_update

router = Router(tags=["accounts"])


def _actor(request: HttpRequest) -> Actor:
    # Both authenticators refuse a request without an actor, so it is always set here.
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


def _optional_team(actor: Actor, team_id: int | None) -> Team | None:
    return access.access_team(actor=actor, team_id=team_id) if team_id is not None else None


# --- me and the workspace ------------------------------------------------------------------


@router.get("/me", response={200: MeRead, **ERROR_RESPONSES})
def me_api(request: HttpRequest) -> MeRead:
    """Who is calling, in which workspace, with which role and capabilities."""
    actor = _actor(request)
    return MeRead(
        id=actor.user.pk, email=actor.user.email, full_name=actor.user.full_name,
        workspace=WorkspaceRead.from_orm(actor.workspace), role=Role(actor.role),
        capabilities=sorted(capability.value for capability in Capability if actor.can(capability)),
    )


@router.get("/workspace", response={200: WorkspaceRead, **ERROR_RESPONSES})
def workspace_get_api(request: HttpRequest) -> Workspace:
    """The current workspace and its settings."""
    actor = _actor(request)
    actor.require(Capability.VIEW_WORKSPACE)
    return actor.workspace


@router.patch("/workspace", response={200: WorkspaceRead, **ERROR_RESPONSES})
def workspace_update_api(request: HttpRequest, payload: WorkspaceUpdate) -> Workspace:
    """Change the workspace's settings (administrators)."""
    return workspace_update(actor=_actor(request), **payload.model_dump(exclude_unset=True))


@router.get("/workspaces", response={200: list[WorkspaceRead], **ERROR_RESPONSES})
@paginate(Pagination)
def workspace_list_api(request: HttpRequest) -> QuerySet[Workspace]:
    """The caller's workspaces; a token sees only the workspace it was issued for."""
    workspaces = selectors.workspace_list_for_user(user_id=_actor(request).user.pk)
    api_token = getattr(request, "api_token", None)
    if api_token is not None:
        workspaces = workspaces.filter(pk=api_token.workspace_id)
    return workspaces


# --- teams -----------------------------------------------------------------------------------


@router.get("/teams", response={200: list[TeamRead], **ERROR_RESPONSES})
@paginate(Pagination)
def team_list_api(request: HttpRequest) -> QuerySet[Team]:
    """The workspace's teams, by name."""
    actor = _actor(request)
    actor.require(Capability.VIEW_TEAMS)
    return selectors.team_list(actor=actor)


@router.post("/teams", response={201: TeamRead, **ERROR_RESPONSES})
@idempotent
def team_create_api(request: HttpRequest, payload: TeamCreate) -> Status:
    """Add a team, optionally under a parent team."""
    actor = _actor(request)
    parent = _optional_team(actor, payload.parent_id)
    return Status(201, team_create(actor=actor, name=payload.name, parent=parent))


@router.get("/teams/{team_id}", response={200: TeamRead, **ERROR_RESPONSES})
def team_get_api(request: HttpRequest, team_id: int) -> Team:
    """One team."""
    actor = _actor(request)
    actor.require(Capability.VIEW_TEAMS)
    return access.access_team(actor=actor, team_id=team_id)


@router.patch("/teams/{team_id}", response={200: TeamRead, **ERROR_RESPONSES})
def team_update_api(request: HttpRequest, team_id: int, payload: TeamUpdate) -> Team:
    """Rename a team or move it under another parent."""
    actor = _actor(request)
    changes: dict[str, Any] = {}
    with transaction.atomic():
        team = access.access_team_for_update(actor=actor, team_id=team_id)
        if "name" in payload.model_fields_set and payload.name is not None:
            changes["name"] = payload.name
        if "parent_id" in payload.model_fields_set:
            changes["parent"] = _optional_team(actor, payload.parent_id)
        return team_update(actor=actor, team=team, **changes)


@router.delete("/teams/{team_id}", response={204: None, **ERROR_RESPONSES})
def team_delete_api(request: HttpRequest, team_id: int) -> Status:
    """Delete an empty team."""
    actor = _actor(request)
    with transaction.atomic():
        team_delete(actor=actor, team=access.access_team_for_update(actor=actor, team_id=team_id))
    return Status(204, None)


# --- members ---------------------------------------------------------------------------------


@router.get("/members", response={200: list[MemberRead], **ERROR_RESPONSES})
@paginate(Pagination)
def member_list_api(request: HttpRequest, filters: Query[MemberFilters]) -> QuerySet[Membership]:
    """The workspace's members; `search` matches email or name."""
    actor = _actor(request)
    actor.require(Capability.VIEW_MEMBERS)
    return selectors.membership_list(actor=actor, search=filters.search, include_inactive=filters.include_inactive)


@router.get("/members/{member_id}", response={200: MemberRead, **ERROR_RESPONSES})
def member_get_api(request: HttpRequest, member_id: int) -> Membership:
    """One member (active or not)."""
    actor = _actor(request)
    actor.require(Capability.VIEW_MEMBERS)
    return access.access_membership(actor=actor, membership_id=member_id)


@router.patch("/members/{member_id}", response={200: MemberRead, **ERROR_RESPONSES})
def member_update_api(request: HttpRequest, member_id: int, payload: MemberUpdate) -> Membership:
    """Change a member's role or team (administrators)."""
    actor = _actor(request)
    membership = access.access_membership(actor=actor, membership_id=member_id)
    changes: dict[str, Any] = {"role": payload.role}
    if "team_id" in payload.model_fields_set:
        changes["team"] = _optional_team(actor, payload.team_id)
    return membership_update(actor=actor, membership=membership, **changes)


@router.post("/members/{member_id}/deactivate", response={200: MemberRead, **ERROR_RESPONSES})
def member_deactivate_api(request: HttpRequest, member_id: int) -> Membership:
    """Take away a member's access at once (administrators)."""
    actor = _actor(request)
    membership = access.access_membership(actor=actor, membership_id=member_id)
    return membership_set_active(actor=actor, membership=membership, active=False)


@router.post("/members/{member_id}/activate", response={200: MemberRead, **ERROR_RESPONSES})
def member_activate_api(request: HttpRequest, member_id: int) -> Membership:
    """Give a deactivated member their access back (administrators)."""
    actor = _actor(request)
    membership = access.access_membership(actor=actor, membership_id=member_id)
    return membership_set_active(actor=actor, membership=membership, active=True)


# --- invitations -----------------------------------------------------------------------------


@router.get("/invitations", response={200: list[InvitationRead], **ERROR_RESPONSES})
@paginate(Pagination)
def invitation_list_api(request: HttpRequest) -> QuerySet[Invitation]:
    """Pending invitations, newest first (those who may invite)."""
    actor = _actor(request)
    actor.require(Capability.INVITE_MEMBERS)
    return selectors.invitation_list(actor=actor)


@router.post("/invitations", response={201: InvitationRead, **ERROR_RESPONSES})
@idempotent
def invitation_create_api(request: HttpRequest, payload: InvitationCreate) -> Status:
    """Invite someone by email; the link is emailed to them."""
    actor = _actor(request)
    team = _optional_team(actor, payload.team_id)
    return Status(201, invitation_create(actor=actor, email=payload.email, role=payload.role, team=team))


@router.post("/invitations/{invitation_id}/revoke", response={200: InvitationRead, **ERROR_RESPONSES})
def invitation_revoke_api(request: HttpRequest, invitation_id: int) -> Invitation:
    """Make a pending invitation's link stop working."""
    actor = _actor(request)
    invitation = access.access_invitation(actor=actor, invitation_id=invitation_id)
    return invitation_revoke(actor=actor, invitation=invitation)


# --- API tokens ------------------------------------------------------------------------------


@router.get("/tokens", response={200: list[TokenRead], **ERROR_RESPONSES})
@paginate(Pagination)
def token_list_api(request: HttpRequest) -> QuerySet[ApiToken]:
    """The caller's own tokens in this workspace (never the secrets)."""
    actor = _actor(request)
    actor.require(Capability.MANAGE_OWN_TOKENS)
    return selectors.api_token_list(actor=actor)


@router.post("/tokens", response={201: TokenCreated, **ERROR_RESPONSES})
@idempotent(redact=("secret",))
def token_create_api(request: HttpRequest, payload: TokenCreate) -> Status:
    """Create a token for this workspace; its secret is in this answer only."""
    token, secret = api_token_create(actor=_actor(request), name=payload.name)
    return Status(201, TokenCreated(**TokenRead.from_orm(token).model_dump(), secret=secret))


@router.delete("/tokens/{token_id}", response={204: None, **ERROR_RESPONSES})
def token_revoke_api(request: HttpRequest, token_id: int) -> Status:
    """Revoke one of the caller's tokens; requests with it get 401 from now on."""
    actor = _actor(request)
    api_token_revoke(actor=actor, token=access.access_own_token(actor=actor, token_id=token_id))
    return Status(204, None)
