"""The only way from an id in a request to a goals object (SECURITY.md R1).

Goals and rules are visible when their target is (targets.py): a rep sees their own goals, a
manager the goals of the teams below them and of those teams' reps, administrators all.
Alerts are visible through their rule, or to the members they were sent to; notifications only
to their recipient. Anything else — another workspace's id, a malformed id — is a 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from voronka.accounts.actor import Actor
from voronka.core.access import get_or_not_found

from .models import Alert, AlertRule, Goal, Notification, Objective
from .targets import visible_targets_q


def visible_goals(actor: Actor) -> QuerySet[Goal]:
    return Goal.objects.filter(workspace_id=actor.workspace.pk).filter(visible_targets_q(actor.viewer))


def visible_rules(actor: Actor) -> QuerySet[AlertRule]:
    return AlertRule.objects.filter(workspace_id=actor.workspace.pk).filter(visible_targets_q(actor.viewer))


def visible_alerts(actor: Actor) -> QuerySet[Alert]:
    sent_to_me = Notification.objects.filter(workspace_id=actor.workspace.pk, user_id=actor.user.pk)
    return Alert.objects.filter(workspace_id=actor.workspace.pk).filter(
        visible_targets_q(actor.viewer, prefix="rule__") | Q(pk__in=sent_to_me.values("alert_id")))


def own_notifications(actor: Actor) -> QuerySet[Notification]:
    return Notification.objects.filter(workspace_id=actor.workspace.pk, user_id=actor.user.pk)


def access_goal(*, actor: Actor, goal_id: Any) -> Goal:
    return get_or_not_found(visible_goals(actor).select_related("team", "user", "objective", "parent"), goal_id)


def access_goal_for_update(*, actor: Actor, goal_id: Any) -> Goal:
    return get_or_not_found(visible_goals(actor).select_for_update(of=("self",)), goal_id)


def access_objective(*, actor: Actor, objective_id: Any) -> Objective:
    """Objectives are the company's: every member reads them."""
    return get_or_not_found(Objective.objects.filter(workspace_id=actor.workspace.pk), objective_id)


def access_objective_for_update(*, actor: Actor, objective_id: Any) -> Objective:
    return get_or_not_found(Objective.objects.filter(workspace_id=actor.workspace.pk).select_for_update(),
                            objective_id)


def access_rule(*, actor: Actor, rule_id: Any) -> AlertRule:
    return get_or_not_found(visible_rules(actor).select_related("team", "user", "goal", "owner"), rule_id)


def access_rule_for_update(*, actor: Actor, rule_id: Any) -> AlertRule:
    return get_or_not_found(visible_rules(actor).select_for_update(of=("self",)), rule_id)


def access_alert(*, actor: Actor, alert_id: Any) -> Alert:
    return get_or_not_found(visible_alerts(actor).select_related("rule"), alert_id)


def access_notification(*, actor: Actor, notification_id: Any) -> Notification:
    return get_or_not_found(own_notifications(actor), notification_id)
