"""Reading a goal from user input: every field checked, every problem named by its field.

`goal_draft_read` never raises for bad input: it returns what it could read and the field
errors, so the live SMART checklist can explain each problem while the user types; the
services refuse to save a draft that has errors.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from voronka.accounts.actor import Actor
from voronka.accounts.models import Membership, Team, User
from voronka.metrics.catalogue import Metric, Unit, metric_get

from ..models import Goal, Objective, PaceMethod, PeriodKind, ScopeKind
from ..stats.periods import CALENDAR_KINDS, calendar_span
from ..targets import viewer_sees

MAX_TARGET = Decimal(10) ** 13
MAX_CUSTOM_DAYS = 3 * 366
MONEY_QUANTUM = Decimal("0.01")
COUNT_QUANTUM = Decimal(1)


def quantum_of(metric: Metric) -> Decimal:
    return COUNT_QUANTUM if metric.unit is Unit.COUNT else MONEY_QUANTUM


@dataclass(frozen=True)
class GoalDraft:
    metric: Metric | None = None
    metric_key: str = ""
    scope: str = ""
    team: Team | None = None
    user: User | None = None
    user_team_id: int | None = None
    target: Decimal | None = None
    period_kind: str = ""
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    objective: Objective | None = None
    pace: str = PaceMethod.SEASONAL
    errors: dict[str, list[str]] = field(default_factory=dict)

    @property
    def scope_complete(self) -> bool:
        if self.scope == ScopeKind.TEAM:
            return self.team is not None
        if self.scope == ScopeKind.REP:
            return self.user is not None
        return self.scope == ScopeKind.COMPANY

    @property
    def team_id(self) -> int | None:
        if self.scope == ScopeKind.REP:
            return self.user_team_id
        return self.team.pk if self.team is not None and self.scope == ScopeKind.TEAM else None

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user is not None and self.scope == ScopeKind.REP else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _as_int(value: Any) -> int | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return -1  # malformed: shown as "choose a … you can see"
    return number


def _as_date(value: Any) -> dt.date | str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return "invalid"


def parse_target(value: Any, metric: Metric | None) -> tuple[Decimal | None, str | None]:
    """(target, error message) for a target typed in the metric's unit (ratios as a share 0–1)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, _("Enter a target.")
    if isinstance(value, bool):
        return None, _("Enter a number.")
    try:
        number = Decimal(repr(value) if isinstance(value, float) else str(value).strip().replace(",", ".")
                         .replace("\u00a0", "").replace(" ", ""))
        if not number.is_finite():
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        return None, _("Enter a number.")
    if number < 0:
        return None, _("The target cannot be negative.")
    if number >= MAX_TARGET:
        return None, _("The number is too large.")
    if metric is None:
        return number, None
    if metric.unit is Unit.COUNT and number != number.to_integral_value():
        return None, _("%(metric)s is a count: enter a whole number.") % {"metric": metric.name}
    if metric.unit is Unit.MONEY and number != number.quantize(MONEY_QUANTUM):
        return None, _("Money targets are in kopecks: at most two decimal places.")
    if metric.unit is Unit.RATIO and number > 1:
        return None, _("%(metric)s is a share: enter a value between 0 and 1 (0.35 for 35 %%).") % {
            "metric": metric.name}
    if metric.unit in (Unit.RATIO, Unit.DAYS) and number != number.quantize(Decimal("0.0001")):
        return None, _("At most four decimal places.")
    return number, None


def _scope(actor: Actor, data: dict[str, Any], draft: GoalDraft, errors: dict[str, list[str]]) -> GoalDraft:
    scope = _text(data.get("scope"))
    if scope not in ScopeKind.values:
        errors["scope"] = [_("Choose company, team or rep.")]
        return replace(draft, scope="")
    draft = replace(draft, scope=scope)
    viewer = actor.viewer
    if scope == ScopeKind.COMPANY:
        if not viewer_sees(viewer, scope=scope, team_id=None, user_id=None, user_team_id=None):
            errors["scope"] = [_("Only members who see the whole company's numbers can set a company goal.")]
        return draft
    if scope == ScopeKind.TEAM:
        team_id = _as_int(data.get("team_id"))
        if team_id is None:
            errors["team_id"] = [_("Choose the team.")]
            return draft
        team = Team.objects.filter(workspace_id=actor.workspace.pk, pk=team_id).first() if team_id > 0 else None
        if team is None or not viewer_sees(viewer, scope=scope, team_id=team.pk, user_id=None, user_team_id=None):
            errors["team_id"] = [_("Choose a team whose numbers you can see.")]
            return draft
        return replace(draft, team=team)
    user_id = _as_int(data.get("user_id"))
    if user_id is None:
        errors["user_id"] = [_("Choose the rep.")]
        return draft
    membership = (Membership.objects.filter(workspace_id=actor.workspace.pk, user_id=user_id, is_active=True)
                  .select_related("user").first() if user_id > 0 else None)
    if membership is None or not viewer_sees(viewer, scope=scope, team_id=None, user_id=membership.user_id,
                                             user_team_id=membership.team_id):
        errors["user_id"] = [_("Choose a member whose numbers you can see.")]
        return draft
    return replace(draft, user=membership.user, user_team_id=membership.team_id)


def _period(data: dict[str, Any], draft: GoalDraft, errors: dict[str, list[str]]) -> GoalDraft:
    kind = _text(data.get("period_kind")) or PeriodKind.QUARTER
    if kind not in PeriodKind.values:
        errors["period_kind"] = [_("Choose month, quarter, year or custom dates.")]
        return draft
    draft = replace(draft, period_kind=kind)
    start, end = _as_date(data.get("period_start")), _as_date(data.get("period_end"))
    if start == "invalid":
        errors["period_start"] = [_("Enter a date as YYYY-MM-DD.")]
        return draft
    if end == "invalid":
        errors["period_end"] = [_("Enter a date as YYYY-MM-DD.")]
        return draft
    assert not isinstance(start, str) and not isinstance(end, str)  # noqa: S101 — handled above
    if start is None:
        errors["period_start"] = [_("Choose when the goal starts.")]
        return draft
    if kind in CALENDAR_KINDS:
        span = calendar_span(kind, start)
        return replace(draft, period_start=span.start, period_end=span.end)
    if end is None:
        return replace(draft, period_start=start)  # not time-bound: the SMART check explains
    if end < start:
        errors["period_end"] = [_("The period ends before it starts.")]
        return replace(draft, period_start=start)
    if (end - start).days + 1 > MAX_CUSTOM_DAYS:
        errors["period_end"] = [_("A goal period can be at most three years long.")]
        return replace(draft, period_start=start)
    return replace(draft, period_start=start, period_end=end)


def goal_draft_read(*, actor: Actor, data: dict[str, Any], base: Goal | None = None) -> GoalDraft:
    """Read a goal from `data` (keys as the API names them); on update, missing keys keep `base`'s values."""
    if base is not None:
        data = {**goal_as_data(base), **{k: v for k, v in data.items() if v is not None or k == "objective_id"}}
    errors: dict[str, list[str]] = {}
    draft = GoalDraft()
    metric_key = _text(data.get("metric"))
    metric = metric_get(metric_key) if metric_key else None
    if not metric_key:
        errors["metric"] = [_("Choose a metric.")]
    elif metric is None:
        errors["metric"] = [_("Unknown metric: %(keys)s.") % {"keys": metric_key[:64]}]
    draft = replace(draft, metric=metric, metric_key=metric_key[:64])
    draft = _scope(actor, data, draft, errors)
    target, problem = parse_target(data.get("target"), metric)
    if problem:
        errors["target"] = [problem]
    draft = replace(draft, target=target)
    draft = _period(data, draft, errors)
    objective_id = _as_int(data.get("objective_id"))
    if objective_id is not None:
        objective = (Objective.objects.filter(workspace_id=actor.workspace.pk, pk=objective_id, is_active=True)
                     .first() if objective_id > 0 else None)
        if objective is None:
            errors["objective_id"] = [_("Choose an active objective of this workspace.")]
        draft = replace(draft, objective=objective)
    pace = _text(data.get("pace")) or PaceMethod.SEASONAL
    if pace not in PaceMethod.values:
        errors["pace"] = [_("Choose linear or seasonal.")]
        pace = PaceMethod.SEASONAL
    return replace(draft, pace=pace, errors=errors)


def goal_as_data(goal: Goal) -> dict[str, Any]:
    """A saved goal as input data (what an update starts from)."""
    return {
        "metric": goal.metric_key, "scope": goal.scope, "team_id": goal.team_id, "user_id": goal.user_id,
        "target": goal.target, "period_kind": goal.period_kind, "period_start": goal.period_start,
        "period_end": goal.period_end, "objective_id": goal.objective_id, "pace": goal.pace,
    }
