"""API shapes for goals, objectives, alert rules, alerts and notifications.

Create/Update list only what a client may set (R5). Targets and thresholds are read by the
services so every bad value gets the same message as in the form; ratios are shares (0.35).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Field, Schema

from voronka.core.api import Text

from .services.display import alert_message

NumberIn = Annotated[Text, Field(max_length=40)] | int | float
Scope = Literal["company", "team", "rep"]
PeriodKindIn = Literal["month", "quarter", "year", "custom"]
PaceIn = Literal["seasonal", "linear"]
Ids = Annotated[list[int], Field(max_length=200)]


class RefRead(Schema):
    id: int
    name: str


class ProgressRead(Schema):
    as_of: dt.date
    status: str
    status_label: str
    elapsed_days: int
    total_days: int
    actual: Decimal | None
    attainment: float | None
    expected: Decimal | None
    expected_linear: Decimal | None
    expected_seasonal: Decimal | None
    pace_used: str
    pace_note: str
    run_rate: Decimal | None
    pipeline: Decimal | None
    weighted_pipeline: Decimal | None
    forecast: Decimal | None
    forecast_attainment: float | None
    method: str


class GoalRead(Schema):
    id: int
    title: str
    metric: str
    metric_name: str
    unit: str
    scope: str
    team: RefRead | None
    user: RefRead | None
    target: Decimal
    period_kind: str
    period_start: dt.date
    period_end: dt.date
    pace: str
    objective_id: int | None
    parent_id: int | None
    status: str
    stretch_confirmed: bool
    version: int
    created_at: dt.datetime
    progress: ProgressRead | None


class GoalPage(Schema):
    items: list[GoalRead]
    count: int
    limit: int
    offset: int


class GoalCreate(Schema):
    metric: Text = Field(..., max_length=64)
    scope: Scope
    team_id: int | None = None
    user_id: int | None = Field(None, description="The rep, for scope \"rep\".")
    target: NumberIn = Field(..., description="In the metric's unit; money in the workspace currency, ratios "
                                              "as a share (0.35).")
    period_kind: PeriodKindIn = "quarter"
    period_start: dt.date = Field(..., description="Any day of the month, quarter or year; the first day for "
                                                   "custom dates.")
    period_end: dt.date | None = Field(None, description="Custom dates only (inclusive).")
    objective_id: int | None = None
    pace: PaceIn = "seasonal"
    confirm: bool = Field(False, description="Keep a target beyond the best 5 % of past periods.")


class GoalCheck(Schema):
    """A draft to check: any field may be missing."""

    metric: Text | None = Field(None, max_length=64)
    scope: Scope | None = None
    team_id: int | None = None
    user_id: int | None = None
    target: NumberIn | None = None
    period_kind: PeriodKindIn | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    objective_id: int | None = None
    pace: PaceIn | None = None


class GoalUpdate(Schema):
    version: int
    target: NumberIn | None = None
    objective_id: int | None = None
    pace: PaceIn | None = None
    metric: Text | None = Field(None, max_length=64)
    scope: Scope | None = None
    team_id: int | None = None
    user_id: int | None = None
    period_kind: PeriodKindIn | None = None
    period_start: dt.date | None = None
    period_end: dt.date | None = None
    confirm: bool = False


class GoalFilters(Schema):
    on: dt.date | None = Field(None, description="Goals whose period contains this day.")
    scope: Scope | None = None
    status: Literal["active", "archived", "all"] = "active"
    metric: Text | None = Field(None, max_length=64)
    parent_id: int | None = None
    progress: bool = Field(True, description="Compute each goal's progress.")
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class SmartItemRead(Schema):
    key: str
    name: str
    level: Literal["ok", "warning", "error", "pending"]
    ok: bool
    message: str


class HistoryPointRead(Schema):
    label: str
    value: Decimal | None


class SmartRead(Schema):
    items: list[SmartItemRead]
    needs_confirmation: bool
    history: list[HistoryPointRead]
    percentile: float | None
    growth_vs_last: float | None
    growth_vs_median: float | None
    fields: dict[str, list[str]] = {}


class SplitIn(Schema):
    mode: Literal["history", "equal"] = "history"
    child_scope: Literal["team", "rep"] = "team"
    children: Ids | None = Field(None, description="Team or user ids; default: the teams below, or the team's reps.")
    dry_run: bool = Field(False, description="Answer the preview without saving.")


class SplitRowRead(Schema):
    scope: str
    team_id: int | None
    user_id: int | None
    label: str
    history: Decimal | None
    share: float
    target: Decimal
    goal_id: int | None = None


class SplitRead(Schema):
    goal_id: int
    mode: str
    mode_used: str
    child_scope: str
    note: str
    history_from: dt.date | None
    history_to: dt.date | None
    total: Decimal
    target: Decimal
    sums_to_target: bool
    saved: bool
    rows: list[SplitRowRead]


class ObjectiveRead(Schema):
    id: int
    title: str
    description: str
    is_active: bool
    version: int
    created_at: dt.datetime


class ObjectiveCreate(Schema):
    title: Text = Field(..., max_length=200)
    description: Text = Field("", max_length=4000)


class ObjectiveUpdate(Schema):
    version: int
    title: Text | None = Field(None, max_length=200)
    description: Text | None = Field(None, max_length=4000)
    is_active: bool | None = None


class RuleRead(Schema):
    id: int
    name: str
    kind: str
    metric: str = Field(..., alias="metric_key")
    scope: str
    team_id: int | None
    user_id: int | None
    comparison: str
    threshold: Decimal | None
    window: str
    grain: str
    history_periods: int
    sigma: Decimal
    goal_id: int | None
    recipient_ids: list[int]
    owner_id: int
    is_active: bool
    last_evaluated_at: dt.datetime | None
    version: int

    @staticmethod
    def resolve_recipient_ids(obj: Any) -> list[int]:
        return sorted(user.pk for user in obj.recipients.all())


class RuleCreate(Schema):
    name: Text = Field(..., max_length=200)
    kind: Literal["threshold", "control", "goal_at_risk"] = "threshold"
    metric: Text | None = Field(None, max_length=64)
    scope: Scope = "company"
    team_id: int | None = None
    user_id: int | None = None
    comparison: Literal["above", "below"] = "below"
    threshold: NumberIn | None = None
    window: Literal["month_to_date", "quarter_to_date", "last_7_days", "last_30_days"] = "month_to_date"
    grain: Literal["week", "month"] = "week"
    history_periods: int = Field(12, ge=4, le=52)
    sigma: Decimal = Field(Decimal(3), ge=1, le=6, max_digits=4, decimal_places=2)
    goal_id: int | None = None
    recipient_ids: Ids = Field([], description="Members to notify; default: you.")
    is_active: bool = True


class RuleUpdate(Schema):
    version: int
    name: Text | None = Field(None, max_length=200)
    kind: Literal["threshold", "control", "goal_at_risk"] | None = None
    metric: Text | None = Field(None, max_length=64)
    scope: Scope | None = None
    team_id: int | None = None
    user_id: int | None = None
    comparison: Literal["above", "below"] | None = None
    threshold: NumberIn | None = None
    window: Literal["month_to_date", "quarter_to_date", "last_7_days", "last_30_days"] | None = None
    grain: Literal["week", "month"] | None = None
    history_periods: int | None = Field(None, ge=4, le=52)
    sigma: Decimal | None = Field(None, ge=1, le=6, max_digits=4, decimal_places=2)
    goal_id: int | None = None
    recipient_ids: Ids | None = None
    is_active: bool | None = None


class AlertRead(Schema):
    id: int
    rule_id: int
    rule_name: str = Field(..., alias="rule.name")
    kind: str = Field(..., alias="rule.kind")
    window_key: str
    window_start: dt.date | None
    window_end: dt.date | None
    fired_at: dt.datetime
    value: Decimal | None
    limit: Decimal | None
    message: str
    details: dict[str, object]
    acknowledged_at: dt.datetime | None
    acknowledged_by_id: int | None

    @staticmethod
    def resolve_message(obj: Any, context: Any) -> str:
        return alert_message(obj, context["request"].actor.workspace.currency)


class AlertFilters(Schema):
    rule_id: int | None = None
    unacknowledged: bool = False


class NotificationRead(Schema):
    id: int
    alert_id: int
    message: str
    read_at: dt.datetime | None
    email_state: str
    created_at: dt.datetime

    @staticmethod
    def resolve_message(obj: Any, context: Any) -> str:
        return alert_message(obj.alert, context["request"].actor.workspace.currency)


class NotificationFilters(Schema):
    unread: bool = False
