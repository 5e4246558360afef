"""Goals: create, update and archive, each through the SMART check.

A draft with field errors, or one that is not Specific, Measurable, Relevant and Time-bound, is
refused with the fields at fault. A target beyond the best 5 % of past periods (Achievable) is
refused with code `target_unrealistic` until the user confirms it (`confirm=True`); the goal
then remembers that the stretch was confirmed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, ensure_same_workspace, team_subtree_ids
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ConflictError
from voronka.metrics.selectors import scope_for

from ..models import Goal, GoalStatus, ScopeKind
from ..targets import Target
from .drafts import GoalDraft, goal_draft_read
from .numbers import Numbers
from .smart import ERROR, SmartCheck, smart_check

FIELD_OF = {"specific": "metric", "measurable": "metric", "relevant": "objective_id", "time_bound": "period_end",
            "achievable": "target"}


class GoalNotSmartError(ApplicationError):
    status = 422


def draft_target(draft: GoalDraft, workspace_id: int) -> Target | None:
    if not draft.scope_complete or any(k in draft.errors for k in ("scope", "team_id", "user_id")):
        return None
    if draft.scope == ScopeKind.TEAM and draft.team is not None:
        return Target(ScopeKind.TEAM, team_subtree_ids(workspace_id=workspace_id, root_id=draft.team.pk))
    if draft.scope == ScopeKind.REP and draft.user is not None:
        return Target(ScopeKind.REP, user_id=draft.user.pk)
    return Target(ScopeKind.COMPANY)


def goal_check(*, actor: Actor, data: dict[str, Any], base: Goal | None = None,
               now: dt.datetime | None = None) -> tuple[GoalDraft, SmartCheck]:
    """Read and SMART-check a goal without saving it (the form's live checklist, the check endpoint)."""
    draft = goal_draft_read(actor=actor, data=data, base=base)
    numbers = Numbers(scope_for(actor, now=now))
    return draft, smart_check(draft=draft, numbers=numbers, target=draft_target(draft, actor.workspace.pk),
                              currency=actor.workspace.currency)


def _refuse_unless_saveable(draft: GoalDraft, check: SmartCheck, *, confirm: bool) -> None:
    fields: dict[str, list[str]] = {name: list(messages) for name, messages in draft.errors.items()}
    for item in check.items:
        if item.level == ERROR:
            name = FIELD_OF[item.key]
            if item.key == "specific" and draft.metric is not None:
                name = {"team": "team_id", "rep": "user_id"}.get(draft.scope, "scope")
            if item.key == "time_bound" and draft.period_start is None:
                name = "period_start"
            fields.setdefault(name, [])
            if item.message not in fields[name]:
                fields[name].append(item.message)
    if fields:
        raise GoalNotSmartError(_("Check the highlighted fields."), code="goal_not_smart", fields=fields,
                                extra={"smart": check.as_dict()})
    if check.needs_confirmation and not confirm:
        raise GoalNotSmartError(
            _("The target looks out of reach. Confirm to keep it as a stretch goal."), code="target_unrealistic",
            fields={"target": [check.item("achievable").message]}, extra={"smart": check.as_dict()},
        )


def _columns(draft: GoalDraft) -> dict[str, Any]:
    return {
        "metric_key": draft.metric_key, "scope": draft.scope, "team_id": draft.team_id, "user_id": draft.user_id,
        "target": draft.target, "period_kind": draft.period_kind, "period_start": draft.period_start,
        "period_end": draft.period_end, "objective_id": draft.objective.pk if draft.objective else None,
        "pace": draft.pace,
    }


def _diff(columns: dict[str, Any]) -> dict[str, Any]:
    return {key: str(value) if value is not None else None for key, value in columns.items()}


@transaction.atomic
def goal_create(*, actor: Actor, data: dict[str, Any], confirm: bool = False, now: dt.datetime | None = None
                ) -> Goal:
    """Set a goal (GOALS_MANAGE) for a scope the actor may see; refused unless it is SMART."""
    actor.require(Capability.GOALS_MANAGE)
    draft, check = goal_check(actor=actor, data=data, now=now)
    _refuse_unless_saveable(draft, check, confirm=confirm)
    columns = _columns(draft)
    owner = draft.user if draft.scope == ScopeKind.REP else actor.user
    goal = Goal.objects.create(workspace=actor.workspace, owner=owner, created_by=actor.user,
                               stretch_confirmed=check.needs_confirmation, **columns)
    audit_record(action="goals.goal.create", actor=actor.user, target=goal, diff=_diff(columns))
    return goal


LOCKED_WHEN_SPLIT = ("metric_key", "scope", "team_id", "user_id", "period_kind", "period_start", "period_end")


@transaction.atomic
def goal_update(*, actor: Actor, goal: Goal, data: dict[str, Any], version: int, confirm: bool = False,
                now: dt.datetime | None = None) -> Goal:
    """Change a goal; a split goal (or a part of one) keeps its metric, scope and period."""
    actor.require(Capability.GOALS_MANAGE)
    ensure_same_workspace(actor, goal)
    if goal.status == GoalStatus.ARCHIVED:
        raise ApplicationError(_("An archived goal cannot be changed."), code="goal_archived")
    draft, check = goal_check(actor=actor, data=data, base=goal, now=now)
    columns = _columns(draft)
    changed = {key: value for key, value in columns.items() if getattr(goal, key) != value}
    split = goal.parent_id is not None or goal.children.filter(status=GoalStatus.ACTIVE).exists()
    locked = sorted(key for key in changed if key in LOCKED_WHEN_SPLIT)
    if split and locked:
        raise ApplicationError(_("This goal is part of a split: its metric, scope and period are fixed."),
                               code="goal_split_locked",
                               fields={{"metric_key": "metric"}.get(key, key): [_("Fixed by the split.")]
                                       for key in locked})
    _refuse_unless_saveable(draft, check, confirm=confirm or (goal.stretch_confirmed and goal.target == draft.target))
    updated = Goal.objects.filter(pk=goal.pk, version=version).update(
        **columns, stretch_confirmed=check.needs_confirmation, version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise ConflictError(current={"version": Goal.objects.filter(pk=goal.pk).values_list("version", flat=True)
                                     .first()})
    audit_record(action="goals.goal.update", actor=actor.user, target=goal, diff=_diff(changed))
    goal.refresh_from_db()
    return goal


@transaction.atomic
def goal_archive(*, actor: Actor, goal: Goal) -> Goal:
    """Archive a goal and the goals split from it; archived goals leave the lists and the alerts."""
    actor.require(Capability.GOALS_MANAGE)
    ensure_same_workspace(actor, goal)
    ids = [goal.pk]
    frontier = [goal.pk]
    while frontier:  # the split tree is shallow: company → teams → reps
        frontier = list(Goal.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    Goal.objects.filter(pk__in=ids, status=GoalStatus.ACTIVE).update(
        status=GoalStatus.ARCHIVED, version=F("version") + 1, updated_at=timezone.now())
    audit_record(action="goals.goal.archive", actor=actor.user, target=goal, diff={"goals": ids})
    goal.refresh_from_db()
    return goal
