"""Who a CRM page may name: the members and teams whose records the actor can see (filters, pickers)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from voronka.accounts.actor import Actor
from voronka.accounts.models import Membership, Team
from voronka.accounts.selectors import membership_list, team_list
from voronka.core.visibility import VisibilityScope


def visible_member_list(*, actor: Actor) -> QuerySet[Membership]:
    """Active members whose records the actor may see: all (admins, marketers), the actor and the members of
    the visible teams (managers; reps who see their team), or the actor alone (reps)."""
    viewer = actor.viewer
    queryset = membership_list(actor=actor)
    if viewer.scope is VisibilityScope.ALL:
        return queryset
    visible = Q(user_id=viewer.user_id)
    if viewer.scope is VisibilityScope.TEAM and viewer.team_ids:
        visible |= Q(team_id__in=sorted(viewer.team_ids))
    return queryset.filter(visible)


def visible_team_list(*, actor: Actor) -> QuerySet[Team]:
    """Teams whose records the actor may see: all, the visible subtree, or none (reps who see only their own)."""
    viewer = actor.viewer
    queryset = team_list(actor=actor)
    if viewer.scope is VisibilityScope.ALL:
        return queryset
    return queryset.filter(pk__in=sorted(viewer.team_ids))
