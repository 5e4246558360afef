"""KPI alert rules: create, update, delete (ALERTS_MANAGE).

A rule watches a metric for a scope the owner may see (or one goal), and tells recipients who
may see that scope too — an alert never shows a member a number their role hides.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor, actor_from_membership, ensure_same_workspace
from voronka.accounts.models import Membership
from voronka.accounts.roles import Capability
from voronka.core.audit import audit_record
from voronka.core.errors import ApplicationError, ConflictError
from voronka.metrics.catalogue import Unit, metric_get

from ..models import AlertKind, AlertRule, Comparison, ControlGrain, Goal, GoalStatus, ScopeKind, Window
from ..targets import viewer_sees, visible_targets_q
from .drafts import GoalDraft, _scope, parse_target

MAX_RECIPIENTS = 50
NAME_MAX = 200


class RuleError(ApplicationError):
    status = 422


def _int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1


def _member_sees(membership: Membership, *, scope: str, team_id: int | None, user_id: int | None,
                 user_team_id: int | None) -> bool:
    viewer = actor_from_membership(membership).viewer
    return viewer_sees(viewer, scope=scope, team_id=team_id, user_id=user_id, user_team_id=user_team_id)


def rule_read(*, actor: Actor, data: dict[str, Any], base: AlertRule | None = None) -> tuple[dict[str, Any],
                                                                                               list[int]]:
    """The rule's columns and recipient ids from `data`; raises RuleError naming every bad field."""
    if base is not None:
        current = {
            "name": base.name, "kind": base.kind, "metric": base.metric_key, "scope": base.scope,
            "team_id": base.team_id, "user_id": base.user_id, "comparison": base.comparison,
            "threshold": base.threshold, "window": base.window, "grain": base.grain,
            "history_periods": base.history_periods, "sigma": base.sigma, "goal_id": base.goal_id,
            "recipient_ids": list(base.recipients.values_list("pk", flat=True)), "is_active": base.is_active,
        }
        data = {**current, **{k: v for k, v in data.items() if v is not None}}
    errors: dict[str, list[str]] = {}
    columns: dict[str, Any] = {}
    name = data.get("name")
    name = name.strip() if isinstance(name, str) else ""
    if not name or "\x00" in name:
        errors["name"] = [_("Name the rule.")]
    elif len(name) > NAME_MAX:
        errors["name"] = [_("At most %(n)d characters.") % {"n": NAME_MAX}]
    columns["name"] = name[:NAME_MAX]
    kind = data.get("kind") or AlertKind.THRESHOLD
    if kind not in AlertKind.values:
        errors["kind"] = [_("Choose threshold, control limits or goal at risk.")]
        raise RuleError(_("Check the highlighted fields."), fields=errors)
    columns["kind"] = kind
    columns["is_active"] = bool(data.get("is_active", True))

    scope_team = scope_user = None
    if kind == AlertKind.GOAL_AT_RISK:
        goal_id = _int(data.get("goal_id"))
        goal = None
        if goal_id is not None and goal_id > 0:
            goal = (Goal.objects.filter(workspace_id=actor.workspace.pk, pk=goal_id, status=GoalStatus.ACTIVE)
                    .filter(visible_targets_q(actor.viewer)).first())
        if goal is None:
            errors["goal_id"] = [_("Choose an active goal you can see.")]
        else:
            columns.update(goal_id=goal.pk, metric_key=goal.metric_key, scope=goal.scope, team_id=goal.team_id,
                           user_id=goal.user_id)
            scope_team, scope_user = goal.team_id, goal.user_id
    else:
        columns["goal_id"] = None
        metric_key = str(data.get("metric") or "").strip()
        metric = metric_get(metric_key)
        if metric is None:
            errors["metric"] = [_("Choose a metric from the catalogue.")]
        elif metric.required_slices:
            errors["metric"] = [_("%(metric)s needs a breakdown and cannot be watched as one number.")
                                % {"metric": metric.name}]
        elif kind == AlertKind.CONTROL and metric.is_snapshot:
            errors["metric"] = [_("%(metric)s is a snapshot of today; it has no history to learn limits from.")
                                % {"metric": metric.name}]
        columns["metric_key"] = metric_key[:64]
        scope_errors: dict[str, list[str]] = {}
        draft = _scope(actor, data, GoalDraft(), scope_errors)
        errors.update(scope_errors)
        if metric is not None and draft.scope in (ScopeKind.TEAM, ScopeKind.REP):
            slice_key = "team" if draft.scope == ScopeKind.TEAM else "owner"
            if slice_key not in metric.slices:
                errors["scope"] = [_("%(metric)s cannot be measured for one %(scope)s.")
                                   % {"metric": metric.name, "scope": ScopeKind(draft.scope).label.lower()}]
        columns.update(scope=draft.scope or ScopeKind.COMPANY, team_id=draft.team_id,
                       user_id=draft.user_id)
        scope_team, scope_user = draft.team_id, draft.user_id
        if kind == AlertKind.THRESHOLD:
            comparison = data.get("comparison") or Comparison.BELOW
            if comparison not in Comparison.values:
                errors["comparison"] = [_("Choose above or below.")]
            window = data.get("window") or Window.MONTH_TO_DATE
            if window not in Window.values:
                errors["window"] = [_("Choose a window.")]
            unit_metric = replace(metric, unit=Unit.DAYS) if metric and metric.unit is Unit.COUNT else metric
            threshold, problem = parse_target(data.get("threshold"), unit_metric)
            if problem:
                errors["threshold"] = [problem.replace(_("Enter a target."), _("Enter a threshold."))]
            columns.update(comparison=comparison, window=window, threshold=threshold)
        else:
            grain = data.get("grain") or ControlGrain.WEEK
            if grain not in ControlGrain.values:
                errors["grain"] = [_("Choose weekly or monthly.")]
            periods = _int(data.get("history_periods"))
            periods = 12 if periods is None else periods
            if not 4 <= periods <= 52:
                errors["history_periods"] = [_("Learn from 4 to 52 periods.")]
            try:
                sigma = Decimal(str(data.get("sigma") if data.get("sigma") not in (None, "") else "3"))
                if not sigma.is_finite() or not Decimal(1) <= sigma <= Decimal(6):
                    raise ValueError
            except (ArithmeticError, ValueError):
                errors["sigma"] = [_("Enter a number of sigmas between 1 and 6.")]
                sigma = Decimal(3)
            columns.update(grain=grain, history_periods=periods, sigma=sigma.quantize(Decimal("0.01")))

    recipient_ids = _recipients(actor, data.get("recipient_ids"), columns, scope_team, scope_user, errors)
    if errors:
        raise RuleError(_("Check the highlighted fields."), fields=errors)
    return columns, recipient_ids


def _recipients(actor: Actor, raw: Any, columns: dict[str, Any], team_id: int | None, user_id: int | None,
                errors: dict[str, list[str]]) -> list[int]:
    if raw in (None, "", []):
        raw = [actor.user.pk]
    if not isinstance(raw, list | tuple):
        errors["recipient_ids"] = [_("Send the recipients as a list of member ids.")]
        return []
    ids = list(dict.fromkeys(_int(value) for value in raw))
    if len(ids) > MAX_RECIPIENTS:
        errors["recipient_ids"] = [_("At most %(n)d recipients.") % {"n": MAX_RECIPIENTS}]
        return []
    members = {m.user_id: m for m in Membership.objects.filter(
        workspace_id=actor.workspace.pk, is_active=True, user_id__in=[i for i in ids if i and i > 0],
    ).select_related("user", "workspace")}
    if any(i not in members for i in ids):
        errors["recipient_ids"] = [_("Choose active members of this workspace.")]
        return []
    user_team_id = team_id if columns.get("scope") == ScopeKind.REP else None
    blind = [m.user.display_name for m in members.values()
             if not _member_sees(m, scope=columns.get("scope", ScopeKind.COMPANY), team_id=team_id, user_id=user_id,
                                 user_team_id=user_team_id)]
    if blind and "scope" not in errors:
        errors["recipient_ids"] = [_("These members may not see these numbers: %(names)s.")
                                   % {"names": ", ".join(sorted(blind))}]
    return [i for i in ids if i is not None]


@transaction.atomic
def rule_create(*, actor: Actor, data: dict[str, Any]) -> AlertRule:
    """Set up a rule owned by the actor; its numbers are computed with the actor's visibility."""
    actor.require(Capability.ALERTS_MANAGE)
    columns, recipient_ids = rule_read(actor=actor, data=data)
    rule = AlertRule.objects.create(workspace=actor.workspace, owner=actor.user, **columns)
    rule.recipients.set(recipient_ids)
    audit_record(action="goals.rule.create", actor=actor.user, target=rule,
                 diff={k: str(v) for k, v in columns.items()} | {"recipients": recipient_ids})
    return rule


@transaction.atomic
def rule_update(*, actor: Actor, rule: AlertRule, data: dict[str, Any], version: int) -> AlertRule:
    actor.require(Capability.ALERTS_MANAGE)
    ensure_same_workspace(actor, rule)
    columns, recipient_ids = rule_read(actor=actor, data=data, base=rule)
    updated = AlertRule.objects.filter(pk=rule.pk, version=version).update(
        **columns, version=F("version") + 1, updated_at=timezone.now())
    if not updated:
        raise ConflictError(current={"version": AlertRule.objects.filter(pk=rule.pk)
                                     .values_list("version", flat=True).first()})
    rule.recipients.set(recipient_ids)
    audit_record(action="goals.rule.update", actor=actor.user, target=rule,
                 diff={k: str(v) for k, v in columns.items()} | {"recipients": recipient_ids})
    rule.refresh_from_db()
    return rule


@transaction.atomic
def rule_delete(*, actor: Actor, rule: AlertRule) -> None:
    """Delete a rule and its alert history."""
    actor.require(Capability.ALERTS_MANAGE)
    ensure_same_workspace(actor, rule)
    audit_record(action="goals.rule.delete", actor=actor.user, target=rule, diff={"name": rule.name})
    rule.delete()
