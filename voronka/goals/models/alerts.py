"""KPI alert rules, the alerts they fired, and the in-app notifications those alerts made."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel

from .goals import Goal, ScopedTarget


class AlertKind(models.TextChoices):
    THRESHOLD = "threshold", _("Threshold")
    CONTROL = "control", _("Outside control limits")
    GOAL_AT_RISK = "goal_at_risk", _("Goal at risk")


class Comparison(models.TextChoices):
    ABOVE = "above", _("above")
    BELOW = "below", _("below")


class Window(models.TextChoices):
    MONTH_TO_DATE = "month_to_date", _("Month to date")
    QUARTER_TO_DATE = "quarter_to_date", _("Quarter to date")
    LAST_7_DAYS = "last_7_days", _("Last 7 days")
    LAST_30_DAYS = "last_30_days", _("Last 30 days")


class ControlGrain(models.TextChoices):
    WEEK = "week", _("Weekly")
    MONTH = "month", _("Monthly")


class EmailState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class AlertRule(ScopedTarget):
    """Watch a metric for a scope (or a goal) and tell the recipients when it goes wrong.

    The numbers are computed with the visibility of `owner`, the member who set the rule.
    """

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=AlertKind.choices, default=AlertKind.THRESHOLD)
    # threshold
    comparison = models.CharField(_("fires when the value is"), max_length=8, choices=Comparison.choices,
                                  default=Comparison.BELOW)
    threshold = models.DecimalField(_("threshold"), max_digits=18, decimal_places=4, null=True, blank=True)
    window = models.CharField(_("window"), max_length=16, choices=Window.choices, default=Window.MONTH_TO_DATE)
    # control limits
    grain = models.CharField(_("periods"), max_length=8, choices=ControlGrain.choices, default=ControlGrain.WEEK)
    history_periods = models.PositiveSmallIntegerField(_("history, periods"), default=12)
    sigma = models.DecimalField(_("limits, sigmas"), max_digits=4, decimal_places=2, default=Decimal("3"))
    # goal at risk
    goal = models.ForeignKey(Goal, null=True, blank=True, on_delete=models.CASCADE, related_name="alert_rules",
                             verbose_name=_("goal"))
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("recipients"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                              verbose_name=_("owner"))
    is_active = models.BooleanField(_("active"), default=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(kind="goal_at_risk") | Q(goal__isnull=False),
                                   name="goals_rule_goal_at_risk_has_goal"),
            models.CheckConstraint(condition=~Q(kind="threshold") | Q(threshold__isnull=False),
                                   name="goals_rule_threshold_has_value"),
        ]

    def __str__(self) -> str:
        return self.name


class Alert(WorkspaceScopedModel):
    """A rule fired once for one window (a month to date, a week, a goal period and status).

    `details` holds the numbers (value, limits, status …) so the message is written in the
    reader's language when shown; the unique (rule, window key) keeps one alert per window even
    when two evaluations run at once.
    """

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    window_key = models.CharField(max_length=64)
    window_start = models.DateField(null=True, blank=True)
    window_end = models.DateField(null=True, blank=True)
    fired_at = models.DateTimeField()
    value = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    limit = models.DecimalField(max_digits=20, decimal_places=4, null=True, blank=True)
    details = models.JSONField(default=dict, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="+")

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-fired_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "window_key"], name="goals_alert_once_per_window")]
        indexes = [models.Index(fields=["workspace", "fired_at"])]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.window_key}"


class Notification(WorkspaceScopedModel):
    """An in-app message to one member (today: an alert fired), read or unread, and its email."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notifications")
    read_at = models.DateTimeField(null=True, blank=True)
    email_state = models.CharField(max_length=8, choices=EmailState.choices, default=EmailState.PENDING)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="goals_notification_once_per_user")]
        indexes = [models.Index(fields=["workspace", "user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.alert_id}"
