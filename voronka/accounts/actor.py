"""The actor: who is acting, in which workspace, with which role and what they may see."""

from __future__ import annotations

from dataclasses import dataclass

from voronka.core.errors import NotFoundError, PermissionDeniedError
from voronka.core.visibility import Viewer, VisibilityScope

from .models import Membership, Team, User, Workspace
from .roles import ROLE_VISIBILITY, Capability, Role, role_has


@dataclass(frozen=True)
class Actor:
    user: User
    workspace: Workspace
    membership: Membership
    viewer: Viewer

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def is_admin(self) -> bool:
        return self.membership.role == Role.ADMIN

    def can(self, capability: Capability) -> bool:
        return role_has(self.membership.role, capability)

    def require(self, capability: Capability) -> None:
        if not self.can(capability):
            raise PermissionDeniedError()


def ensure_same_workspace(actor: Actor, *objects: object) -> None:
    """Defence in depth behind access.py: a service never links rows across workspaces."""
    for obj in objects:
        if obj is not None and getattr(obj, "workspace_id", actor.workspace.pk) != actor.workspace.pk:
            raise NotFoundError()


def team_subtree_ids(*, workspace_id: int, root_id: int | None) -> frozenset[int]:
    """The team and every team below it. Team trees are small: one query, walked in Python."""
    if root_id is None:
        return frozenset()
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in Team.unscoped.filter(workspace_id=workspace_id).values_list("id", "parent_id"):
        children.setdefault(parent_id, []).append(team_id)
    found: set[int] = set()
    stack = [root_id]
    while stack:
        current = stack.pop()
        if current in found:
            continue
        found.add(current)
        stack.extend(children.get(current, ()))
    return frozenset(found)


def actor_from_membership(membership: Membership) -> Actor:
    workspace = membership.workspace
    scope = ROLE_VISIBILITY[membership.role]
    if scope is VisibilityScope.OWN and workspace.reps_see_team and membership.team_id:
        scope = VisibilityScope.TEAM
    team_ids = (
        team_subtree_ids(workspace_id=workspace.pk, root_id=membership.team_id)
        if scope is VisibilityScope.TEAM
        else frozenset()
    )
    if membership.role == Role.REP:
        # A rep who sees the team sees their own team only, never the teams below it.
        team_ids = frozenset({membership.team_id}) if membership.team_id and team_ids else frozenset()
    viewer = Viewer(user_id=membership.user_id, workspace_id=workspace.pk, scope=scope, team_ids=team_ids)
    return Actor(user=membership.user, workspace=workspace, membership=membership, viewer=viewer)


def actor_for(*, user: User, workspace_id: int) -> Actor | None:
    """The actor for an active user with an active membership in an active workspace, else None."""
    if not user.is_active:
        return None
    membership = (
        Membership.unscoped.select_related("workspace", "user", "team")
        .filter(user=user, workspace_id=workspace_id, is_active=True, workspace__is_active=True)
        .first()
    )
    return actor_from_membership(membership) if membership else None


def default_workspace_id(user: User) -> int | None:
    return (
        Membership.unscoped.filter(user=user, is_active=True, workspace__is_active=True)
        .order_by("created_at", "id")
        .values_list("workspace_id", flat=True)
        .first()
    )
