"""goals pages (goals, split, objectives, alert rules, alerts, notifications) in the page route matrix."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from conftest import Org
from voronka.goals.models import Alert, AlertRule, Goal, Notification, Objective
from voronka.goals.tests.factories import goal, objective, rule

from .page_route import PageRoute

MANAGERS = frozenset({"admin", "manager"})


def _objective(org: Org) -> Objective:
    return Objective.unscoped.filter(workspace=org.workspace).first() or objective(org.workspace)


def _rep_goal(org: Org) -> Goal:
    """A goal every role sees: the northern rep's (the manager sees North; admin and marketer all)."""
    found = Goal.unscoped.filter(workspace=org.workspace, scope="rep", user=org.rep).first()
    return found or goal(org.workspace, scope="rep", user=org.rep, team=org.north, objective=_objective(org))


def _team_goal(org: Org) -> Goal:
    found = Goal.unscoped.filter(workspace=org.workspace, scope="team", team=org.north).first()
    return found or goal(org.workspace, scope="team", team=org.north, objective=_objective(org))


def _rule(org: Org) -> AlertRule:
    found = AlertRule.unscoped.filter(workspace=org.workspace, owner=org.manager).first()
    return found or rule(org.workspace, org.manager, scope="team", team=org.north)


def _alert(org: Org) -> Alert:
    found = Alert.unscoped.filter(rule__workspace=org.workspace).first()
    if found:
        return found
    own = rule(org.workspace, org.rep, name="Mine", scope="rep", user=org.rep, team=org.north)
    return Alert.unscoped.create(workspace=org.workspace, rule=own, window_key="mtd:2026-11", fired_at=timezone.now(),
                                 value=Decimal(1), limit=Decimal(2))


def _notification(org: Org) -> Notification:
    return Notification.unscoped.create(workspace=org.workspace, alert=_alert(org), user=org.admin)


def _any_id(model: type, org: Org) -> int:
    """For POST-only routes: denied roles are refused before the id is resolved; nothing may be created here."""
    return model.unscoped.filter(workspace=org.workspace).values_list("pk", flat=True).first() or 1  # type: ignore[attr-defined]


PAGES: dict[str, PageRoute] = {
    "goals:goal-list": PageRoute(),
    "goals:goal-create": PageRoute(get_roles=MANAGERS),
    "goals:goal-check": PageRoute(get_roles=MANAGERS, post_only=True),
    "goals:goal-detail": PageRoute(kwargs=lambda org: {"goal_id": _rep_goal(org).pk},
                                   foreign=lambda org: {"goal_id": _rep_goal(org).pk}),
    "goals:goal-edit": PageRoute(get_roles=MANAGERS, kwargs=lambda org: {"goal_id": _rep_goal(org).pk},
                                 foreign=lambda org: {"goal_id": _rep_goal(org).pk}),
    "goals:goal-archive": PageRoute(get_roles=MANAGERS, kwargs=lambda org: {"goal_id": _rep_goal(org).pk},
                                    foreign=lambda org: {"goal_id": _rep_goal(org).pk}),
    "goals:goal-split": PageRoute(get_roles=MANAGERS, kwargs=lambda org: {"goal_id": _team_goal(org).pk},
                                  foreign=lambda org: {"goal_id": _team_goal(org).pk}),
    "goals:objective-list": PageRoute(),
    "goals:objective-edit": PageRoute(get_roles=MANAGERS, kwargs=lambda org: {"objective_id": _objective(org).pk},
                                      foreign=lambda org: {"objective_id": _objective(org).pk}),
    "goals:rule-list": PageRoute(get_roles=MANAGERS),
    "goals:rule-create": PageRoute(get_roles=MANAGERS),
    "goals:rule-edit": PageRoute(get_roles=MANAGERS, kwargs=lambda org: {"rule_id": _rule(org).pk},
                                 foreign=lambda org: {"rule_id": _rule(org).pk}),
    "goals:rule-delete": PageRoute(get_roles=MANAGERS, kwargs=lambda org: {"rule_id": _rule(org).pk},
                                   foreign=lambda org: {"rule_id": _rule(org).pk}),
    "goals:alert-list": PageRoute(),
    "goals:alert-acknowledge": PageRoute(post_only=True, kwargs=lambda org: {"alert_id": _any_id(Alert, org)},
                                         foreign=lambda org: {"alert_id": _alert(org).pk}),
    "goals:notification-list": PageRoute(),
    "goals:notification-read-all": PageRoute(post_only=True),
    "goals:notification-read": PageRoute(post_only=True,
                                         kwargs=lambda org: {"notification_id": _any_id(Notification, org)},
                                         foreign=lambda org: {"notification_id": _notification(org).pk}),
}
