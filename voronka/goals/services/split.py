"""Splitting a company or team goal into team or rep goals whose targets add up to it exactly.

By history: each child's share of the metric over the four comparable periods before the goal
(a quarter goal: the last four quarters), the same numbers the metric engine shows. Equally:
the same share each. Either way the targets are whole kopecks (money) or whole units (counts)
and the remainder goes by the largest-remainder rule (stats/allocation.py), so the parts sum to
the parent's target exactly and the same input always gives the same split. With no history
for any child the split falls back to equal shares, with a note.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace, team_subtree_ids
from voronka.accounts.models import Membership, Team
from voronka.accounts.roles import Capability, Role
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError
from voronka.metrics.catalogue import metric_get
from voronka.metrics.selectors import scope_for

from ..models import Goal, GoalStatus, ScopeKind
from ..stats.allocation import allocate, shares_of
from ..stats.periods import past_periods
from ..targets import Target, viewer_sees
from .drafts import quantum_of
from .numbers import Numbers, as_decimal, is_additive

SPLIT_HISTORY_PERIODS = 4
MAX_CHILDREN = 200
BY_HISTORY, EQUALLY = "history", "equal"


class SplitError(ApplicationError):
    status = 422


@dataclass(frozen=True)
class SplitRow:
    scope: str
    team_id: int | None
    user_id: int | None
    user_team_id: int | None
    label: str
    history: Decimal | None
    share: float
    target: Decimal


@dataclass(frozen=True)
class SplitPlan:
    goal: Goal
    mode: str  # what was asked
    mode_used: str  # history, or equal when there was no history
    child_scope: str
    rows: list[SplitRow]
    history_from: dt.date | None
    history_to: dt.date | None
    note: str = ""

    @property
    def total(self) -> Decimal:
        return sum((row.target for row in self.rows), Decimal(0))

    @property
    def sums_to_target(self) -> bool:
        return self.total == self.goal.target


@dataclass(frozen=True)
class _Child:
    scope: str
    team_id: int | None
    user_id: int | None
    user_team_id: int | None
    label: str
    target: Target


def _fail(field: str, message: Any, code: str = "invalid_split") -> SplitError:
    return SplitError(message, code=code, fields={field: [str(message)]})


def default_child_teams(*, workspace_id: int, parent_team_id: int | None) -> list[Team]:
    """A team goal splits to the teams right below it; a company goal to the first level of the tree that
    has more than one team (a single root team, such as "Sales", is skipped)."""
    teams = list(Team.objects.filter(workspace_id=workspace_id).order_by("name", "id"))
    level = [t for t in teams if t.parent_id == parent_team_id]
    if parent_team_id is None:
        while len(level) == 1:
            below = [t for t in teams if t.parent_id == level[0].pk]
            if not below:
                break
            level = below
    return level


def default_child_reps(*, actor: Actor, goal: Goal) -> list[Membership]:
    members = (Membership.objects.filter(workspace_id=actor.workspace.pk, is_active=True, role=Role.REP)
               .select_related("user").order_by("user__full_name", "user__email", "id"))
    if goal.scope == ScopeKind.TEAM:
        members = members.filter(team_id__in=team_subtree_ids(workspace_id=actor.workspace.pk, root_id=goal.team_id))
    return [m for m in members if viewer_sees(actor.viewer, scope=ScopeKind.REP, team_id=None, user_id=m.user_id,
                                              user_team_id=m.team_id)]


def _ids(values: Any) -> list[int] | None:
    if values is None:
        return None
    if not isinstance(values, list | tuple):
        raise _fail("children", _("Send the children as a list of ids."))
    ids: list[int] = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise _fail("children", _("Send the children as a list of ids.")) from None
        if number not in ids:
            ids.append(number)
    return ids


def _team_children(actor: Actor, goal: Goal, ids: list[int] | None) -> list[_Child]:
    workspace_id = actor.workspace.pk
    if ids is None:
        teams = default_child_teams(workspace_id=workspace_id,
                                    parent_team_id=goal.team_id if goal.scope == ScopeKind.TEAM else None)
    else:
        found = {t.pk: t for t in Team.objects.filter(workspace_id=workspace_id, pk__in=ids)}
        if len(found) != len(ids):
            raise _fail("children", _("Choose teams of this workspace."))
        teams = [found[i] for i in ids]
    allowed = (team_subtree_ids(workspace_id=workspace_id, root_id=goal.team_id) - {goal.team_id}
               if goal.scope == ScopeKind.TEAM else None)
    children: list[_Child] = []
    subtrees: dict[int, frozenset[int]] = {}
    for team in teams:
        if allowed is not None and team.pk not in allowed:
            raise _fail("children", _("“%(team)s” is not below the goal's team.") % {"team": team.name})
        if not viewer_sees(actor.viewer, scope=ScopeKind.TEAM, team_id=team.pk, user_id=None, user_team_id=None):
            raise _fail("children", _("Choose teams whose numbers you can see."))
        subtrees[team.pk] = team_subtree_ids(workspace_id=workspace_id, root_id=team.pk)
        children.append(_Child(ScopeKind.TEAM, team.pk, None, None, team.name,
                               Target(ScopeKind.TEAM, subtrees[team.pk])))
    for team in teams:
        for other in teams:
            if other.pk != team.pk and other.pk in subtrees[team.pk]:
                raise _fail("children", _("“%(inner)s” is inside “%(outer)s”: its numbers would count twice.")
                            % {"inner": other.name, "outer": team.name})
    return children


def _rep_children(actor: Actor, goal: Goal, ids: list[int] | None) -> list[_Child]:
    if ids is None:
        members = default_child_reps(actor=actor, goal=goal)
    else:
        found = {m.user_id: m for m in Membership.objects.filter(workspace_id=actor.workspace.pk, is_active=True,
                                                                 user_id__in=ids).select_related("user")}
        if len(found) != len(ids):
            raise _fail("children", _("Choose active members of this workspace."))
        members = [found[i] for i in ids]
    subtree = (team_subtree_ids(workspace_id=actor.workspace.pk, root_id=goal.team_id)
               if goal.scope == ScopeKind.TEAM else None)
    children = []
    for member in members:
        if subtree is not None and member.team_id not in subtree:
            raise _fail("children", _("%(name)s is not in the goal's team.") % {"name": member.user.display_name})
        if not viewer_sees(actor.viewer, scope=ScopeKind.REP, team_id=None, user_id=member.user_id,
                           user_team_id=member.team_id):
            raise _fail("children", _("Choose members whose numbers you can see."))
        children.append(_Child(ScopeKind.REP, None, member.user_id, member.team_id, member.user.display_name,
                               Target(ScopeKind.REP, user_id=member.user_id)))
    return children


def goal_split_plan(*, actor: Actor, goal: Goal, mode: str = BY_HISTORY, child_scope: str = ScopeKind.TEAM,
                    children: Any = None, now: dt.datetime | None = None) -> SplitPlan:
    """The children and their targets, without saving (the preview)."""
    actor.require(Capability.GOALS_MANAGE)
    ensure_same_workspace(actor, goal)
    if goal.status != GoalStatus.ACTIVE:
        raise SplitError(_("An archived goal cannot be split."), code="goal_archived")
    if goal.scope == ScopeKind.REP:
        raise _fail("child_scope", _("A rep's goal cannot be split further."), code="cannot_split")
    metric = metric_get(goal.metric_key)
    if metric is None or not is_additive(metric):
        raise _fail("mode", _("Only counts and amounts add up; a goal for a ratio or a duration cannot be split."),
                    code="metric_not_additive")
    if mode not in (BY_HISTORY, EQUALLY):
        raise _fail("mode", _("Split by history or equally."))
    if child_scope not in (ScopeKind.TEAM, ScopeKind.REP):
        raise _fail("child_scope", _("Split into team goals or rep goals."))
    ids = _ids(children)
    found = _team_children(actor, goal, ids) if child_scope == ScopeKind.TEAM else _rep_children(actor, goal, ids)
    if not found:
        raise _fail("children", _("There is no one to split the goal between."), code="no_children")
    if len(found) > MAX_CHILDREN:
        raise _fail("children", _("At most %(n)d parts.") % {"n": MAX_CHILDREN})

    history: list[Decimal | None] = [None] * len(found)
    mode_used, note = mode, ""
    spans = past_periods(goal.period_kind, goal.period_start, goal.period_end, SPLIT_HISTORY_PERIODS)
    history_from, history_to = spans[0].start, spans[-1].end
    if mode == BY_HISTORY:
        numbers = Numbers(scope_for(actor, now=now))
        history = [as_decimal(numbers.total(goal.metric_key, history_from, history_to, child.target))
                   for child in found]
        if not any(value and value > 0 for value in history):
            mode_used = EQUALLY
            note = _("None of them has any %(metric)s in the last %(n)d periods, so the split is equal.") % {
                "metric": metric.name, "n": SPLIT_HISTORY_PERIODS}
    weights = [value or Decimal(0) for value in history] if mode_used == BY_HISTORY else [1] * len(found)
    targets = allocate(goal.target, weights, quantum_of(metric))
    shares = shares_of(weights)
    rows = [SplitRow(child.scope, child.team_id, child.user_id, child.user_team_id, child.label, history[i],
                     shares[i], targets[i]) for i, child in enumerate(found)]
    return SplitPlan(goal=goal, mode=mode, mode_used=mode_used, child_scope=child_scope, rows=rows,
                     history_from=history_from if mode == BY_HISTORY else None,
                     history_to=history_to if mode == BY_HISTORY else None, note=note)


@transaction.atomic
def goal_split(*, actor: Actor, goal: Goal, mode: str = BY_HISTORY, child_scope: str = ScopeKind.TEAM,
               children: Any = None, now: dt.datetime | None = None) -> tuple[SplitPlan, list[Goal]]:
    """Create the child goals of `plan` (refused when the goal already has active children)."""
    locked = Goal.objects.select_for_update().get(pk=goal.pk)  # one split at a time
    if Goal.objects.filter(parent=locked, status=GoalStatus.ACTIVE).exists():
        raise SplitError(_("This goal is already split. Archive its parts first to split it again."),
                         code="already_split")
    plan = goal_split_plan(actor=actor, goal=locked, mode=mode, child_scope=child_scope, children=children, now=now)
    if not plan.sums_to_target:  # allocate() guarantees it; never save a split that does not add up
        raise SplitError(_("The parts do not add up to the target."), code="split_sum")
    created = []
    for row in plan.rows:
        child = Goal.objects.create(
            workspace=actor.workspace, metric_key=locked.metric_key, scope=row.scope,
            team_id=row.team_id if row.scope == ScopeKind.TEAM else row.user_team_id,
            user_id=row.user_id, target=row.target, period_kind=locked.period_kind,
            period_start=locked.period_start, period_end=locked.period_end, pace=locked.pace,
            objective_id=locked.objective_id, parent=locked, stretch_confirmed=locked.stretch_confirmed,
            owner_id=row.user_id if row.scope == ScopeKind.REP else actor.user.pk, created_by=actor.user,
        )
        created.append(child)
    audit_record(action="goals.goal.split", actor=actor.user, target=locked, diff={
        "mode": plan.mode_used, "children": [{"goal": g.pk, "target": str(g.target)} for g in created]})
    return plan, created
