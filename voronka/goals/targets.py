"""Whose numbers a goal or a rule is about, who may see it, and how the metric engine filters it.

A team's numbers include the teams below it (deals carry their owner's team, usually a leaf);
a rep's numbers are the rows they own. An actor may see a target only when they may see all of
its rows: the company needs the "all" visibility (administrators, marketers), a team needs the
team in the actor's visible subtree, a rep needs the rep's rows to be visible to the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from voronka.accounts.actor import team_subtree_ids
from voronka.core.visibility import Viewer, VisibilityScope, visible_q

from .models import ScopeKind


@dataclass(frozen=True)
class Target:
    scope: str  # ScopeKind
    team_ids: frozenset[int] = frozenset()  # the team and the teams below it (team scope)
    user_id: int | None = None  # rep scope

    def metric_filters(self) -> dict[str, list[Any]]:
        if self.scope == ScopeKind.TEAM:
            return {"team": sorted(self.team_ids)}
        if self.scope == ScopeKind.REP:
            return {"owner": [self.user_id]}
        return {}

    def slice_key(self) -> str | None:
        """The catalogue slice the target's metric must support."""
        return {ScopeKind.TEAM: "team", ScopeKind.REP: "owner"}.get(ScopeKind(self.scope))

    def matches(self, team_id: Any, owner_id: Any) -> bool:
        """Whether a row of the (team, owner) breakdown belongs to this target."""
        if self.scope == ScopeKind.TEAM:
            return team_id in self.team_ids
        if self.scope == ScopeKind.REP:
            return bool(owner_id == self.user_id)
        return True


def target_of(obj: Any, *, workspace_id: int | None = None) -> Target:
    """The Target of a goal or a rule (anything with scope, team_id and user_id)."""
    if obj.scope == ScopeKind.TEAM:
        return Target(ScopeKind.TEAM, team_subtree_ids(workspace_id=workspace_id or obj.workspace_id,
                                                       root_id=obj.team_id))
    if obj.scope == ScopeKind.REP:
        return Target(ScopeKind.REP, user_id=obj.user_id)
    return Target(ScopeKind.COMPANY)


def viewer_sees(viewer: Viewer, *, scope: str, team_id: int | None, user_id: int | None,
                user_team_id: int | None) -> bool:
    """May `viewer` see every row of this target?"""
    if viewer.scope is VisibilityScope.ALL:
        return True
    if scope == ScopeKind.TEAM:
        return viewer.scope is VisibilityScope.TEAM and team_id is not None and team_id in viewer.team_ids
    if scope == ScopeKind.REP:
        return viewer.can_see(owner_id=user_id, team_id=user_team_id)
    return False


def visible_targets_q(viewer: Viewer, prefix: str = "") -> Q:
    """Goals or rules whose target `viewer` may see (the same rule as `viewer_sees`, as a filter);
    `prefix` reaches them through a relation ("rule__")."""
    if viewer.scope is VisibilityScope.ALL:
        return Q()
    reps = Q(**{f"{prefix}scope": ScopeKind.REP}) & visible_q(viewer, owner_field=f"{prefix}user",
                                                               team_field=f"{prefix}team")
    if viewer.scope is VisibilityScope.TEAM:
        return reps | Q(**{f"{prefix}scope": ScopeKind.TEAM, f"{prefix}team_id__in": sorted(viewer.team_ids)})
    return reps
