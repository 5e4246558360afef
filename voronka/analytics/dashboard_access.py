"""The only way from a dashboard id in a request to a dashboard (SECURITY.md R1).

A user sees their own dashboards, the ones shared with their team or a team above it, and
(admins) every shared dashboard. Anything else, and anything in another workspace, is a 404.
Only the owner may change a dashboard: a shared one is read-only for everyone else (403).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor
from voronka.accounts.models import Team
from voronka.core.access import get_or_not_found
from voronka.core.errors import PermissionDeniedError

from .models import Dashboard


def team_parents(workspace_id: int) -> dict[int, int | None]:
    """The workspace's team tree as {team id: parent id} (one query; team trees are small)."""
    return dict(Team.objects.filter(workspace_id=workspace_id).values_list("id", "parent_id"))


def team_and_above(parents: dict[int, int | None], team_id: int | None) -> set[int]:
    found: set[int] = set()
    current = team_id
    while current is not None and current not in found:
        found.add(current)
        current = parents.get(current)
    return found


def visible_dashboards(actor: Actor) -> QuerySet[Dashboard]:
    condition = Q(owner_id=actor.user.pk)
    if actor.is_admin:
        condition |= Q(shared_team__isnull=False)
    elif actor.membership.team_id:
        shared_with = team_and_above(team_parents(actor.workspace.pk), actor.membership.team_id)
        condition |= Q(shared_team_id__in=sorted(shared_with))
    return Dashboard.objects.filter(workspace_id=actor.workspace.pk).filter(condition)


def access_dashboard(*, actor: Actor, dashboard_id: Any) -> Dashboard:
    return get_or_not_found(visible_dashboards(actor).select_related("owner", "shared_team"), dashboard_id)


def access_dashboard_for_update(*, actor: Actor, dashboard_id: Any) -> Dashboard:
    """The actor's own dashboard, locked; a dashboard shared with them is read-only (403)."""
    dashboard = get_or_not_found(visible_dashboards(actor).select_for_update(of=("self",)), dashboard_id)
    if dashboard.owner_id != actor.user.pk:
        raise PermissionDeniedError(_("This dashboard was shared with you; only its owner can change it."))
    return dashboard
