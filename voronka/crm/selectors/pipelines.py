"""Reads for pipelines, stages and lost reasons."""

from __future__ import annotations

from django.db.models import Prefetch, Q, QuerySet

from voronka.accounts.actor import Actor
from voronka.core.visibility import VisibilityScope

from ..models import LostReason, Pipeline, Stage


def pipeline_visible_q(actor: Actor) -> Q:
    """Workspace-wide pipelines, plus team pipelines of a team the actor belongs to or sees; admins all."""
    if actor.is_admin or actor.viewer.scope is VisibilityScope.ALL:
        return Q()
    team_ids = set(actor.viewer.team_ids)
    if actor.membership.team_id:
        team_ids.add(actor.membership.team_id)
    return Q(team__isnull=True) | Q(team_id__in=sorted(team_ids))


def visible_pipelines(actor: Actor) -> QuerySet[Pipeline]:
    return Pipeline.objects.filter(workspace_id=actor.workspace.pk).filter(pipeline_visible_q(actor))


def pipeline_list(*, actor: Actor) -> QuerySet[Pipeline]:
    """Visible pipelines in board order, stages prefetched in order."""
    stages = Stage.objects.filter(workspace_id=actor.workspace.pk).order_by("order", "id")
    return (
        visible_pipelines(actor)
        .select_related("team")
        .prefetch_related(Prefetch("stages", queryset=stages))
        .order_by("order", "id")
    )


def lost_reason_list(*, actor: Actor, include_inactive: bool = False) -> QuerySet[LostReason]:
    queryset = LostReason.objects.filter(workspace_id=actor.workspace.pk)
    if not include_inactive:
        queryset = queryset.filter(is_active=True)
    return queryset.order_by("name", "id")
