"""Who may see which rows inside a workspace: one rule, used by every selector.

accounts turns a membership into a `Viewer`; selectors call `visible_q` with the names of
their owner and team fields. Admins see all, managers their team subtree (and their own
rows), reps their own rows (and their team's where the workspace allows it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from django.db.models import Q


class VisibilityScope(StrEnum):
    OWN = "own"
    TEAM = "team"
    ALL = "all"


@dataclass(frozen=True)
class Viewer:
    user_id: int
    workspace_id: int
    scope: VisibilityScope
    team_ids: frozenset[int] = field(default_factory=frozenset)

    def can_see(self, *, owner_id: int | None, team_id: int | None) -> bool:
        if self.scope is VisibilityScope.ALL:
            return True
        if owner_id == self.user_id:
            return True
        return self.scope is VisibilityScope.TEAM and team_id is not None and team_id in self.team_ids


def visible_q(viewer: Viewer, *, owner_field: str = "owner", team_field: str | None = "team") -> Q:
    """A filter selecting the rows `viewer` may see."""
    if viewer.scope is VisibilityScope.ALL:
        return Q()
    own = Q(**{f"{owner_field}_id": viewer.user_id})
    if viewer.scope is VisibilityScope.TEAM and team_field is not None:
        return own | Q(**{f"{team_field}_id__in": sorted(viewer.team_ids)})
    return own
