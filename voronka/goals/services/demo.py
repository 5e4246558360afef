"""Goals for the demo company: an objective, a company quarterly revenue goal split to the teams by
history, and two alert rules. The demo generator calls `goals_seed_demo` once its data is loaded."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from voronka.accounts.actor import actor_for
from voronka.accounts.models import Membership, User, Workspace
from voronka.accounts.roles import Role
from voronka.core.periods import Period
from voronka.core.scoping import workspace_scope
from voronka.metrics.selectors import scope_for

from ..models import AlertKind, AlertRule, Goal, GoalStatus, Objective, ScopeKind
from ..stats.periods import past_periods
from ..targets import Target
from .goals import goal_create
from .numbers import Numbers, as_decimal
from .objectives import objective_create
from .progress import local_today
from .rules import rule_create
from .split import goal_split

OBJECTIVE_TITLE = "Рост выручки на 20 % за год"
OBJECTIVE_DESCRIPTION = "Больше сделок с действующими клиентами и выход на маркетплейсы."
GROWTH = Decimal("1.10")  # the quarter's target: the same quarter last year + 10 %


@dataclass(frozen=True)
class DemoGoals:
    objective: Objective
    goal: Goal
    children: list[Goal]
    rules: list[AlertRule]
    created: bool


def _admin(workspace: Workspace) -> User:
    membership = (Membership.objects.filter(workspace=workspace, role=Role.ADMIN, is_active=True)
                  .select_related("user").order_by("created_at", "id").first())
    if membership is None:
        raise LookupError("the workspace has no active administrator")
    return membership.user


def goals_seed_demo(workspace: Workspace, *, now: dt.datetime | None = None, admin: User | None = None) -> DemoGoals:
    """Create the demo objective, goal, split and rules once; a second call returns what exists."""
    now = now or timezone.now()
    with workspace_scope(workspace), transaction.atomic():
        actor = actor_for(user=admin or _admin(workspace), workspace_id=workspace.pk)
        if actor is None:
            raise LookupError("the administrator has no active membership")
        existing = Objective.objects.filter(workspace=workspace, title=OBJECTIVE_TITLE).first()
        if existing is not None:
            goal = Goal.objects.filter(objective=existing, scope=ScopeKind.COMPANY, parent__isnull=True,
                                       status=GoalStatus.ACTIVE).order_by("-period_start").first()
            if goal is not None:
                return DemoGoals(existing, goal, list(goal.children.order_by("pk")),
                                 list(AlertRule.objects.filter(goal=goal).order_by("pk"))
                                 + list(AlertRule.objects.filter(owner=actor.user, goal__isnull=True,
                                                                 name__startswith="Демо:").order_by("pk")),
                                 created=False)
        objective = existing or objective_create(actor=actor, data={"title": OBJECTIVE_TITLE,
                                                                    "description": OBJECTIVE_DESCRIPTION})
        today = local_today(workspace.time_zone, now)
        quarter = Period.containing("quarter", today)
        last_year = past_periods("quarter", quarter.start, quarter.end, 4)[0]
        numbers = Numbers(scope_for(actor, now=now))
        base = as_decimal(numbers.total("revenue", last_year.start, last_year.end, Target(ScopeKind.COMPANY)))
        target = ((base or Decimal(0)) * GROWTH).quantize(Decimal("1000"), rounding=ROUND_HALF_UP)
        if target <= 0:
            target = Decimal("10000000")
        goal = goal_create(actor=actor, confirm=True, now=now, data={
            "metric": "revenue", "scope": ScopeKind.COMPANY, "target": target, "period_kind": "quarter",
            "period_start": quarter.start, "objective_id": objective.pk, "pace": "seasonal"})
        _plan, children = goal_split(actor=actor, goal=goal, mode="history", child_scope=ScopeKind.TEAM, now=now)
        rules = [
            rule_create(actor=actor, data={"name": "Демо: выручка квартала под угрозой", "kind": AlertKind.GOAL_AT_RISK,
                                           "goal_id": goal.pk}),
            rule_create(actor=actor, data={"name": "Демо: выручка недели вне контрольных границ",
                                           "kind": AlertKind.CONTROL, "metric": "revenue", "scope": ScopeKind.COMPANY,
                                           "grain": "week", "history_periods": 12, "sigma": Decimal(3)}),
        ]
        return DemoGoals(objective, goal, children, rules, created=True)


__all__ = ["DemoGoals", "goals_seed_demo"]
