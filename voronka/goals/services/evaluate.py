"""KPI monitoring: evaluate every active rule of every workspace, record alerts, notify.

Each rule's numbers are computed with the visibility of its owner (metrics engine Scope with
the owner's Viewer). An alert is recorded once per rule and window (a month to date, a rolling
window ending today, a judged week or month, a goal's period and status): a unique constraint
makes a second evaluation — or a concurrent one — a no-op. Recipients get an in-app
notification in the same transaction, and an email after it commits.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from voronka.accounts.actor import Actor, actor_for, actor_from_membership
from voronka.accounts.models import Membership, Workspace
from voronka.core.errors import ApplicationError
from voronka.core.periods import Period
from voronka.core.scoping import workspace_scope
from voronka.core.tasks import enqueue_on_commit
from voronka.metrics.catalogue import metric_get
from voronka.metrics.engine import Scope

from ..models import Alert, AlertKind, AlertRule, ControlGrain, GoalStatus, Notification, ScopeKind, Window
from ..stats import spc
from ..stats.history import trim_leading_empty
from ..stats.pace import Status
from ..targets import viewer_sees
from .display import goal_title
from .numbers import Numbers, as_decimal
from .progress import goal_progress, local_today

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Firing:
    window_key: str
    window_start: dt.date | None
    window_end: dt.date | None
    value: Decimal | None
    limit: Decimal | None
    details: dict[str, Any]


@dataclass
class EvaluationSummary:
    rules: int = 0
    fired: int = 0
    skipped: int = 0
    alerts: list[int] = field(default_factory=list)


def threshold_window(window: str, today: dt.date) -> tuple[str, dt.date, dt.date]:
    """(key, first day, last day) of a threshold rule's window as of `today`."""
    if window == Window.MONTH_TO_DATE:
        period = Period.containing("month", today)
        return f"mtd:{period.label}", period.start, today
    if window == Window.QUARTER_TO_DATE:
        period = Period.containing("quarter", today)
        return f"qtd:{period.label}", period.start, today
    days = 7 if window == Window.LAST_7_DAYS else 30
    start = today - dt.timedelta(days=days - 1)
    return f"{days}d:{today.isoformat()}", start, today


def _threshold(rule: AlertRule, numbers: Numbers, today: dt.date) -> Firing | None:
    key, start, end = threshold_window(rule.window, today)
    value = as_decimal(numbers.total(rule.metric_key, start, end, numbers.target_of(rule)))
    if value is None or rule.threshold is None:
        return None
    beyond = value > rule.threshold if rule.comparison == "above" else value < rule.threshold
    if not beyond:
        return None
    return Firing(key, start, end, value, rule.threshold, {
        "kind": AlertKind.THRESHOLD, "comparison": rule.comparison, "window": rule.window,
        "window_label": f"{start.isoformat()} – {end.isoformat()}", "unit": _unit(rule)})


def judged_spans(grain: str, today: dt.date, periods: int) -> tuple[dt.date, dt.date, dt.date]:
    """(history start, judged period start, judged period end): the last complete week or month."""
    if grain == ControlGrain.WEEK:
        judged_start = today - dt.timedelta(days=today.weekday() + 7)
        return judged_start - dt.timedelta(weeks=periods), judged_start, judged_start + dt.timedelta(days=6)
    judged = Period.containing("month", today).previous()
    first = judged
    for _ in range(periods):
        first = first.previous()
    return first.start, judged.start, judged.end - dt.timedelta(days=1)


def _control(rule: AlertRule, numbers: Numbers, today: dt.date) -> Firing | None:
    history_start, judged_start, judged_end = judged_spans(rule.grain, today, rule.history_periods)
    series = numbers.series(rule.metric_key, history_start, judged_end, rule.grain, numbers.target_of(rule))
    if not series:
        return None
    judged_key, judged_value = series[-1]
    history = trim_leading_empty([None if v is None else float(v) for _k, v in series[:-1]])
    if judged_value is None or len(history) < spc.MIN_POINTS:
        return None
    limits = spc.xmr_limits(history, k=float(rule.sigma))
    value = float(judged_value)
    side = limits.side(value)
    if side is None:
        return None
    limit = limits.upper if side == "above" else limits.lower
    return Firing(f"{rule.grain}:{judged_key}", judged_start, judged_end, as_decimal(judged_value),
                  Decimal(repr(round(limit, 6))), {
                      "kind": AlertKind.CONTROL, "side": side, "centre": round(limits.centre, 6),
                      "lower": round(limits.lower, 6), "upper": round(limits.upper, 6),
                      "sigma": round(limits.sigma, 6), "k": limits.k, "points": limits.points,
                      "window_label": judged_key, "unit": _unit(rule)})


def _goal_at_risk(rule: AlertRule, numbers: Numbers, now: dt.datetime) -> Firing | None:
    goal = rule.goal
    if goal is None or goal.status != GoalStatus.ACTIVE:
        return None
    progress = goal_progress(goal=goal, numbers=numbers, now=now)
    if progress.status not in (Status.AT_RISK, Status.OFF_TRACK) or progress.ended:
        return None
    return Firing(f"goal:{goal.period_start.isoformat()}:{progress.status}", goal.period_start, goal.period_end,
                  progress.forecast, goal.target, {
                      "kind": AlertKind.GOAL_AT_RISK, "status": str(progress.status), "goal": goal_title(goal),
                      "goal_id": goal.pk, "actual": _text(progress.actual), "forecast": _text(progress.forecast),
                      "expected": _text(progress.expected), "target": _text(goal.target), "unit": _unit(rule)})


def _text(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _unit(rule: AlertRule) -> str:
    metric = metric_get(rule.metric_key)
    return metric.unit.value if metric else "count"


def rule_firing(rule: AlertRule, numbers: Numbers, now: dt.datetime) -> Firing | None:
    """Whether `rule` fires now, and with which numbers; None when all is well or nothing can be said."""
    today = local_today(numbers.scope.time_zone, now)
    if rule.kind == AlertKind.THRESHOLD:
        return _threshold(rule, numbers, today)
    if rule.kind == AlertKind.CONTROL:
        return _control(rule, numbers, today)
    return _goal_at_risk(rule, numbers, now)


def _recipients_who_may_see(rule: AlertRule) -> list[int]:
    """Active members among the recipients who may still see the rule's numbers."""
    wanted = [user.pk for user in rule.recipients.all()]
    members = Membership.objects.filter(workspace_id=rule.workspace_id, user_id__in=wanted, is_active=True,
                                        user__is_active=True).select_related("user", "workspace")
    user_team_id = rule.team_id if rule.scope == ScopeKind.REP else None
    return [m.user_id for m in members
            if viewer_sees(actor_from_membership(m).viewer, scope=rule.scope, team_id=rule.team_id,
                           user_id=rule.user_id, user_team_id=user_team_id)]


def _owner_may_see(actor: Actor, rule: AlertRule) -> bool:
    user_team_id = rule.team_id if rule.scope == ScopeKind.REP else None
    return viewer_sees(actor.viewer, scope=rule.scope, team_id=rule.team_id, user_id=rule.user_id,
                       user_team_id=user_team_id)


def rule_evaluate(*, rule: AlertRule, numbers: Numbers, now: dt.datetime) -> Alert | None:
    """Evaluate one rule; the new Alert when it fired for a window not alerted yet."""
    try:
        firing = rule_firing(rule, numbers, now)
    except ApplicationError as error:  # the catalogue changed under a saved rule
        logger.warning("alert rule %s cannot be evaluated: %s", rule.pk, error.code)
        return None
    AlertRule.objects.filter(pk=rule.pk).update(last_evaluated_at=now)
    if firing is None or Alert.objects.filter(rule=rule, window_key=firing.window_key).exists():
        return None
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                workspace_id=rule.workspace_id, rule=rule, window_key=firing.window_key,
                window_start=firing.window_start, window_end=firing.window_end, fired_at=now, value=firing.value,
                limit=firing.limit, details=firing.details)
            notifications = Notification.objects.bulk_create([
                Notification(workspace_id=rule.workspace_id, user_id=user_id, alert=alert)
                for user_id in _recipients_who_may_see(rule)
            ])
            from ..tasks import send_notification_email

            for notification in notifications:
                enqueue_on_commit(send_notification_email, notification_id=notification.pk)
    except IntegrityError:  # a concurrent evaluation recorded this window first
        return None
    return alert


def alerts_evaluate_workspace(*, workspace: Workspace, now: dt.datetime | None = None) -> EvaluationSummary:
    """Evaluate every active rule of one workspace."""
    now = now or timezone.now()
    summary = EvaluationSummary()
    numbers_of: dict[int, Numbers] = {}
    with workspace_scope(workspace):
        rules = (AlertRule.objects.filter(is_active=True).select_related("owner", "team", "user", "goal")
                 .prefetch_related("recipients").order_by("pk"))
        for rule in rules:
            summary.rules += 1
            actor = actor_for(user=rule.owner, workspace_id=workspace.pk)
            if actor is None or not _owner_may_see(actor, rule):
                summary.skipped += 1
                continue
            if rule.owner_id not in numbers_of:
                numbers_of[rule.owner_id] = Numbers(Scope(workspace_id=workspace.pk, time_zone=workspace.time_zone,
                                                          viewer=actor.viewer, now=now))
            alert = rule_evaluate(rule=rule, numbers=numbers_of[rule.owner_id], now=now)
            if alert is not None:
                summary.fired += 1
                summary.alerts.append(alert.pk)
    return summary


def alerts_evaluate_all(*, now: dt.datetime | None = None) -> EvaluationSummary:
    """Evaluate the rules of every active workspace (the periodic task)."""
    now = now or timezone.now()
    total = EvaluationSummary()
    for workspace in Workspace.objects.filter(is_active=True).order_by("pk"):
        summary = alerts_evaluate_workspace(workspace=workspace, now=now)
        total.rules += summary.rules
        total.fired += summary.fired
        total.skipped += summary.skipped
        total.alerts.extend(summary.alerts)
    return total
