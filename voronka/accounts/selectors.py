"""Reads for accounts, already scoped to the actor's workspace."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .actor import Actor
from .models import ApiToken, Invitation, Membership, Team, Workspace


def team_list(*, actor: Actor) -> QuerySet[Team]:
    return Team.objects.filter(workspace_id=actor.workspace.pk).select_related("parent").order_by("name", "id")


def membership_list(*, actor: Actor, search: str = "", include_inactive: bool = False) -> QuerySet[Membership]:
    queryset = Membership.objects.filter(workspace_id=actor.workspace.pk).select_related("user", "team")
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    if search := search.strip():
        queryset = queryset.filter(Q(user__email__icontains=search) | Q(user__full_name__icontains=search))
    return queryset.order_by("user__full_name", "user__email", "id")


def invitation_list(*, actor: Actor, pending_only: bool = True) -> QuerySet[Invitation]:
    queryset = Invitation.objects.filter(workspace_id=actor.workspace.pk).select_related("team", "invited_by")
    if pending_only:
        queryset = queryset.filter(accepted_at__isnull=True, revoked_at__isnull=True)
    return queryset.order_by("-created_at", "-id")


def api_token_list(*, actor: Actor) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(workspace_id=actor.workspace.pk, user_id=actor.user.pk).order_by("-created_at")


def workspace_list_for_user(*, user_id: int) -> QuerySet[Workspace]:
    """Workspaces where the user has an active membership (for the switcher)."""
    ids = Membership.unscoped.filter(user_id=user_id, is_active=True).values("workspace_id")
    return Workspace.objects.filter(pk__in=ids, is_active=True).order_by("name", "id")
