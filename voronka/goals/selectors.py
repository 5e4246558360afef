"""Reads for goals pages and the API, already scoped to the workspace and what the actor may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from voronka.accounts.actor import Actor
from voronka.accounts.models import Membership, Team

from .access import own_notifications, visible_alerts, visible_goals, visible_rules
from .models import Alert, AlertRule, Goal, GoalStatus, Notification, Objective, ScopeKind
from .targets import viewer_sees


def goal_list(*, actor: Actor, on: dt.date | None = None, scope: str | None = None, status: str = GoalStatus.ACTIVE,
              metric: str | None = None, parent_id: int | None = None) -> QuerySet[Goal]:
    """Goals the actor may see; `on` keeps those whose period contains that day."""
    goals = visible_goals(actor).select_related("team", "user", "objective", "parent")
    if status in GoalStatus.values:
        goals = goals.filter(status=status)
    if on is not None:
        goals = goals.filter(period_start__lte=on, period_end__gte=on)
    if scope in ScopeKind.values:
        goals = goals.filter(scope=scope)
    if metric:
        goals = goals.filter(metric_key=metric)
    if parent_id is not None:
        goals = goals.filter(parent_id=parent_id)
    return goals.order_by("-period_start", "scope", "team__name", "user__full_name", "metric_key", "id")


def objective_list(*, actor: Actor, active_only: bool = False) -> QuerySet[Objective]:
    objectives = Objective.objects.filter(workspace_id=actor.workspace.pk)
    if active_only:
        objectives = objectives.filter(is_active=True)
    return objectives.order_by("-is_active", "title", "id")


def rule_list(*, actor: Actor) -> QuerySet[AlertRule]:
    return (visible_rules(actor).select_related("team", "user", "goal", "owner").prefetch_related("recipients")
            .order_by("name", "id"))


def alert_list(*, actor: Actor, rule_id: int | None = None, unacknowledged: bool = False) -> QuerySet[Alert]:
    alerts = visible_alerts(actor).select_related("rule", "rule__team", "rule__user", "acknowledged_by")
    if rule_id is not None:
        alerts = alerts.filter(rule_id=rule_id)
    if unacknowledged:
        alerts = alerts.filter(acknowledged_at__isnull=True)
    return alerts.order_by("-fired_at", "-id")


def notification_list(*, actor: Actor, unread_only: bool = False) -> QuerySet[Notification]:
    notifications = own_notifications(actor).select_related("alert", "alert__rule", "alert__rule__team",
                                                            "alert__rule__user")
    if unread_only:
        notifications = notifications.filter(read_at__isnull=True)
    return notifications.order_by("-created_at", "-id")


def unread_count(*, actor: Actor) -> int:
    return own_notifications(actor).filter(read_at__isnull=True).count()


def visible_teams(*, actor: Actor) -> list[Team]:
    """Teams whose numbers the actor may see (choices for a goal's or a rule's scope)."""
    teams = Team.objects.filter(workspace_id=actor.workspace.pk).order_by("name", "id")
    return [t for t in teams if viewer_sees(actor.viewer, scope=ScopeKind.TEAM, team_id=t.pk, user_id=None,
                                            user_team_id=None)]


def visible_members(*, actor: Actor) -> list[Membership]:
    """Active members whose numbers the actor may see (choices for a rep goal, rule recipients)."""
    members = (Membership.objects.filter(workspace_id=actor.workspace.pk, is_active=True).select_related("user")
               .order_by("user__full_name", "user__email", "id"))
    return [m for m in members if viewer_sees(actor.viewer, scope=ScopeKind.REP, team_id=None, user_id=m.user_id,
                                              user_team_id=m.team_id)]
