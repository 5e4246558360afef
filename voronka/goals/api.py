"""goals's endpoints: goals (with progress), the SMART check, splits, objectives, alert rules, alerts,
notifications. Parse, resolve through access, call one service, render (rules live in services)."""

# No `from __future__ import annotations`: ninja reads parameter types through decorator wrappers.

from typing import Any, cast

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from voronka.accounts.actor import Actor
from voronka.accounts.roles import Capability
from voronka.core.api import ERROR_RESPONSES, Pagination
from voronka.core.idempotency import idempotent
from voronka.metrics.selectors import scope_for

from .access import (
    access_alert,
    access_goal,
    access_goal_for_update,
    access_notification,
    access_objective,
    access_objective_for_update,
    access_rule,
    access_rule_for_update,
)
from .models import Alert, AlertRule, Goal, Notification, Objective
from .schemas import (
    AlertFilters,
    AlertRead,
    GoalCheck,
    GoalCreate,
    GoalFilters,
    GoalPage,
    GoalRead,
    GoalUpdate,
    NotificationFilters,
    NotificationRead,
    ObjectiveCreate,
    ObjectiveRead,
    ObjectiveUpdate,
    RuleCreate,
    RuleRead,
    RuleUpdate,
    SmartRead,
    SplitIn,
    SplitRead,
)
from .selectors import alert_list, goal_list, notification_list, objective_list, rule_list
from .services.display import goal_title, metric_name, metric_unit, status_label
from .services.drafts import goal_as_data
from .services.goals import goal_archive, goal_check, goal_create, goal_update
from .services.notifications import alert_acknowledge, notification_mark_read
from .services.numbers import Numbers
from .services.objectives import objective_create, objective_update
from .services.progress import GoalProgress, goal_progress
from .services.rules import rule_create, rule_delete, rule_update
from .services.split import SplitPlan, goal_split, goal_split_plan

router = Router(tags=["goals"])


def _actor(request: HttpRequest) -> Actor:
    return cast(Actor, request.actor)  # type: ignore[attr-defined]


def _progress(progress: GoalProgress | None) -> dict[str, Any] | None:
    if progress is None:
        return None
    return {
        "as_of": progress.as_of, "status": str(progress.status), "status_label": status_label(progress.status),
        "elapsed_days": progress.elapsed_days, "total_days": progress.total_days, "actual": progress.actual,
        "attainment": progress.attainment, "expected": progress.expected, "expected_linear": progress.expected_linear,
        "expected_seasonal": progress.expected_seasonal, "pace_used": progress.pace_used,
        "pace_note": progress.pace_note, "run_rate": progress.run_rate, "pipeline": progress.pipeline,
        "weighted_pipeline": progress.weighted_pipeline, "forecast": progress.forecast,
        "forecast_attainment": progress.forecast_attainment, "method": progress.method,
    }


def _goal(goal: Goal, progress: GoalProgress | None) -> dict[str, Any]:
    return {
        "id": goal.pk, "title": goal_title(goal), "metric": goal.metric_key,
        "metric_name": metric_name(goal.metric_key), "unit": metric_unit(goal.metric_key).value, "scope": goal.scope,
        "team": {"id": goal.team.pk, "name": goal.team.name} if goal.team is not None else None,
        "user": {"id": goal.user.pk, "name": goal.user.display_name} if goal.user is not None else None,
        "target": goal.target, "period_kind": goal.period_kind, "period_start": goal.period_start,
        "period_end": goal.period_end, "pace": goal.pace, "objective_id": goal.objective_id,
        "parent_id": goal.parent_id, "status": goal.status, "stretch_confirmed": goal.stretch_confirmed,
        "version": goal.version, "created_at": goal.created_at, "progress": _progress(progress),
    }


def _read(actor: Actor, goal_id: int) -> dict[str, Any]:
    goal = access_goal(actor=actor, goal_id=goal_id)
    now = timezone.now()
    return _goal(goal, goal_progress(goal=goal, numbers=Numbers(scope_for(actor, now=now)), now=now))


@router.get("/goals", response={200: GoalPage, **ERROR_RESPONSES})
def goal_list_api(request: HttpRequest, filters: Query[GoalFilters]) -> dict[str, Any]:
    """Goals you may see, each with its progress. `?on=YYYY-MM-DD` keeps the goals running that day."""
    actor = _actor(request)
    actor.require(Capability.GOALS_VIEW)
    limit, offset = filters.limit, filters.offset
    goals = goal_list(actor=actor, on=filters.on, scope=filters.scope, status=filters.status, metric=filters.metric,
                      parent_id=filters.parent_id)
    page = list(goals[offset:offset + limit])
    now = timezone.now()
    numbers = Numbers(scope_for(actor, now=now))
    items = [_goal(goal, goal_progress(goal=goal, numbers=numbers, now=now) if filters.progress else None)
             for goal in page]
    return {"items": items, "count": goals.count(), "limit": limit, "offset": offset}


@router.post("/goals", response={201: GoalRead, **ERROR_RESPONSES})
@idempotent
def goal_create_api(request: HttpRequest, payload: GoalCreate) -> Status:
    """Set a goal. Refused with the fields at fault unless it is SMART; a target beyond the best 5 % of
    past periods answers 422 `target_unrealistic` until you send `confirm: true`."""
    actor = _actor(request)
    data = payload.model_dump(exclude={"confirm"})
    goal = goal_create(actor=actor, data=data, confirm=payload.confirm)
    return Status(201, _read(actor, goal.pk))


@router.post("/goals/check", response={200: SmartRead, **ERROR_RESPONSES})
def goal_check_api(request: HttpRequest, payload: GoalCheck) -> dict[str, Any]:
    """The SMART check of a draft, without saving: each property and what is wrong; `fields` has field errors."""
    actor = _actor(request)
    actor.require(Capability.GOALS_MANAGE)
    draft, check = goal_check(actor=actor, data=payload.model_dump())
    return {**check.as_dict(), "fields": draft.errors}


@router.get("/goals/{goal_id}", response={200: GoalRead, **ERROR_RESPONSES})
def goal_get_api(request: HttpRequest, goal_id: int) -> dict[str, Any]:
    """One goal with its progress: actual, expected pace, run rate, pipeline, forecast and status."""
    actor = _actor(request)
    actor.require(Capability.GOALS_VIEW)
    return _read(actor, goal_id)


@router.get("/goals/{goal_id}/smart", response={200: SmartRead, **ERROR_RESPONSES})
def goal_smart_api(request: HttpRequest, goal_id: int) -> dict[str, Any]:
    """The SMART check of a saved goal (its target against today's history)."""
    actor = _actor(request)
    actor.require(Capability.GOALS_VIEW)
    goal = access_goal(actor=actor, goal_id=goal_id)
    draft, check = goal_check(actor=actor, data=goal_as_data(goal))
    return {**check.as_dict(), "fields": draft.errors}


@router.patch("/goals/{goal_id}", response={200: GoalRead, **ERROR_RESPONSES})
def goal_update_api(request: HttpRequest, goal_id: int, payload: GoalUpdate) -> dict[str, Any]:
    """Change a goal. A stale `version` answers 409; a split goal keeps its metric, scope and period."""
    actor = _actor(request)
    data = payload.model_dump(exclude_unset=True, exclude={"version", "confirm"})
    with transaction.atomic():
        goal = access_goal_for_update(actor=actor, goal_id=goal_id)
        goal_update(actor=actor, goal=goal, data=data, version=payload.version, confirm=payload.confirm)
    return _read(actor, goal_id)


@router.delete("/goals/{goal_id}", response={204: None, **ERROR_RESPONSES})
def goal_archive_api(request: HttpRequest, goal_id: int) -> Status:
    """Archive a goal and the goals split from it (they stay readable with `?status=archived`)."""
    actor = _actor(request)
    with transaction.atomic():
        goal_archive(actor=actor, goal=access_goal_for_update(actor=actor, goal_id=goal_id))
    return Status(204, None)


def _split(plan: SplitPlan, created: list[Goal] | None) -> dict[str, Any]:
    ids = [goal.pk for goal in created] if created else [None] * len(plan.rows)
    return {
        "goal_id": plan.goal.pk, "mode": plan.mode, "mode_used": plan.mode_used, "child_scope": plan.child_scope,
        "note": plan.note, "history_from": plan.history_from, "history_to": plan.history_to, "total": plan.total,
        "target": plan.goal.target, "sums_to_target": plan.sums_to_target, "saved": created is not None,
        "rows": [{"scope": row.scope, "team_id": row.team_id, "user_id": row.user_id, "label": row.label,
                  "history": row.history, "share": row.share, "target": row.target, "goal_id": goal_id}
                 for row, goal_id in zip(plan.rows, ids, strict=True)],
    }


@router.post("/goals/{goal_id}/split", response={200: SplitRead, 201: SplitRead, **ERROR_RESPONSES})
def goal_split_api(request: HttpRequest, goal_id: int, payload: SplitIn) -> Status:
    """Split a company or team goal into team or rep goals, by history or equally; the parts add up to the
    target exactly. `dry_run` answers the preview (200) without saving."""
    actor = _actor(request)
    actor.require(Capability.GOALS_MANAGE)
    goal = access_goal(actor=actor, goal_id=goal_id)
    options: dict[str, Any] = {"mode": payload.mode, "child_scope": payload.child_scope, "children": payload.children}
    if payload.dry_run:
        return Status(200, _split(goal_split_plan(actor=actor, goal=goal, **options), None))
    with transaction.atomic():
        locked = access_goal_for_update(actor=actor, goal_id=goal_id)
        plan, created = goal_split(actor=actor, goal=locked, **options)
    return Status(201, _split(plan, created))


@router.get("/objectives", response={200: list[ObjectiveRead], **ERROR_RESPONSES})
@paginate(Pagination)
def objective_list_api(request: HttpRequest, active: bool = False) -> Any:
    """The company's objectives."""
    actor = _actor(request)
    actor.require(Capability.GOALS_VIEW)
    return objective_list(actor=actor, active_only=active)


@router.post("/objectives", response={201: ObjectiveRead, **ERROR_RESPONSES})
@idempotent
def objective_create_api(request: HttpRequest, payload: ObjectiveCreate) -> Status:
    """Write a company objective (managers and administrators)."""
    return Status(201, objective_create(actor=_actor(request), data=payload.model_dump()))


@router.patch("/objectives/{objective_id}", response={200: ObjectiveRead, **ERROR_RESPONSES})
def objective_update_api(request: HttpRequest, objective_id: int, payload: ObjectiveUpdate) -> Objective:
    """Change an objective; `is_active: false` retires it (its goals keep the link)."""
    actor = _actor(request)
    actor.require(Capability.GOALS_MANAGE)
    access_objective(actor=actor, objective_id=objective_id)
    with transaction.atomic():
        objective = access_objective_for_update(actor=actor, objective_id=objective_id)
        return objective_update(actor=actor, objective=objective, data=payload.model_dump(exclude={"version"}),
                                version=payload.version)


@router.get("/alert-rules", response={200: list[RuleRead], **ERROR_RESPONSES})
@paginate(Pagination)
def rule_list_api(request: HttpRequest) -> Any:
    """Alert rules whose numbers you may see."""
    actor = _actor(request)
    actor.require(Capability.ALERTS_MANAGE)
    return rule_list(actor=actor)


@router.post("/alert-rules", response={201: RuleRead, **ERROR_RESPONSES})
@idempotent
def rule_create_api(request: HttpRequest, payload: RuleCreate) -> Status:
    """Watch a metric (a threshold over a window, or control limits learned from its history) or a goal."""
    actor = _actor(request)
    rule = rule_create(actor=actor, data=payload.model_dump())
    return Status(201, access_rule(actor=actor, rule_id=rule.pk))


@router.get("/alert-rules/{rule_id}", response={200: RuleRead, **ERROR_RESPONSES})
def rule_get_api(request: HttpRequest, rule_id: int) -> AlertRule:
    """One alert rule."""
    actor = _actor(request)
    actor.require(Capability.ALERTS_MANAGE)
    return access_rule(actor=actor, rule_id=rule_id)


@router.patch("/alert-rules/{rule_id}", response={200: RuleRead, **ERROR_RESPONSES})
def rule_update_api(request: HttpRequest, rule_id: int, payload: RuleUpdate) -> AlertRule:
    """Change a rule; a stale `version` answers 409."""
    actor = _actor(request)
    actor.require(Capability.ALERTS_MANAGE)
    with transaction.atomic():
        rule = access_rule_for_update(actor=actor, rule_id=rule_id)
        rule_update(actor=actor, rule=rule, data=payload.model_dump(exclude_unset=True, exclude={"version"}),
                    version=payload.version)
    return access_rule(actor=actor, rule_id=rule_id)


@router.delete("/alert-rules/{rule_id}", response={204: None, **ERROR_RESPONSES})
def rule_delete_api(request: HttpRequest, rule_id: int) -> Status:
    """Delete a rule and its alert history."""
    actor = _actor(request)
    actor.require(Capability.ALERTS_MANAGE)
    with transaction.atomic():
        rule_delete(actor=actor, rule=access_rule_for_update(actor=actor, rule_id=rule_id))
    return Status(204, None)


@router.get("/alerts", response={200: list[AlertRead], **ERROR_RESPONSES})
@paginate(Pagination)
def alert_list_api(request: HttpRequest, filters: Query[AlertFilters]) -> Any:
    """Alerts of the rules you may see, and alerts sent to you; newest first."""
    actor = _actor(request)
    actor.require(Capability.GOALS_VIEW)
    return alert_list(actor=actor, rule_id=filters.rule_id, unacknowledged=filters.unacknowledged)


@router.post("/alerts/{alert_id}/acknowledge", response={200: AlertRead, **ERROR_RESPONSES})
def alert_acknowledge_api(request: HttpRequest, alert_id: int) -> Alert:
    """Say you are on it; the first acknowledgement stays."""
    actor = _actor(request)
    actor.require(Capability.GOALS_VIEW)
    alert = alert_acknowledge(actor=actor, alert=access_alert(actor=actor, alert_id=alert_id))
    return access_alert(actor=actor, alert_id=alert.pk)


@router.get("/notifications", response={200: list[NotificationRead], **ERROR_RESPONSES})
@paginate(Pagination)
def notification_list_api(request: HttpRequest, filters: Query[NotificationFilters]) -> Any:
    """Your notifications, newest first."""
    actor = _actor(request)
    actor.require(Capability.GOALS_VIEW)
    return notification_list(actor=actor, unread_only=filters.unread)


@router.post("/notifications/{notification_id}/read", response={200: NotificationRead, **ERROR_RESPONSES})
def notification_read_api(request: HttpRequest, notification_id: int) -> Notification:
    """Mark one of your notifications read."""
    actor = _actor(request)
    actor.require(Capability.GOALS_VIEW)
    return notification_mark_read(
        actor=actor, notification=access_notification(actor=actor, notification_id=notification_id))

