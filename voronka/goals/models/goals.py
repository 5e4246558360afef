"""Objectives (what the company wants) and goals (a metric, a scope, a target and a period)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from voronka.core.models import WorkspaceScopedModel


class ScopeKind(models.TextChoices):
    COMPANY = "company", _("Company")
    TEAM = "team", _("Team")
    REP = "rep", _("Rep")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")
    CUSTOM = "custom", _("Custom dates")


class PaceMethod(models.TextChoices):
    SEASONAL = "seasonal", _("Seasonal (as past years accrued)")
    LINEAR = "linear", _("Linear (evenly over the period)")


class GoalStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("goal status", "Active")
    ARCHIVED = "archived", pgettext_lazy("goal status", "Archived")


class ScopedTarget(WorkspaceScopedModel):
    """Whose number: the whole company, a team (with the teams below it) or one rep.

    A rep's goal also keeps the rep's team at the time it was set, the way a deal keeps its
    owner's team, so visibility (managers see the goals of the teams below them) is one filter.
    """

    metric_key = models.CharField(_("metric"), max_length=64)
    scope = models.CharField(_("scope"), max_length=8, choices=ScopeKind.choices, default=ScopeKind.COMPANY)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("team"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("rep"))

    class Meta:
        abstract = True


class Objective(WorkspaceScopedModel):
    """A company objective written by a manager or an administrator; goals serve one (the R of SMART)."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=4000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class Goal(ScopedTarget):
    target = models.DecimalField(_("target"), max_digits=18, decimal_places=4)
    period_kind = models.CharField(_("period"), max_length=8, choices=PeriodKind.choices, default=PeriodKind.QUARTER)
    period_start = models.DateField(_("starts"))
    period_end = models.DateField(_("ends"))  # inclusive, local
    pace = models.CharField(_("expected pace"), max_length=8, choices=PaceMethod.choices,
                            default=PaceMethod.SEASONAL)
    objective = models.ForeignKey(Objective, null=True, blank=True, on_delete=models.PROTECT, related_name="goals",
                                  verbose_name=_("objective"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("split from"))
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("owner"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(_("status"), max_length=8, choices=GoalStatus.choices, default=GoalStatus.ACTIVE)
    # The user saw that the target is beyond the best 5 % of past periods and kept it.
    stretch_confirmed = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["-period_start", "metric_key", "id"]
        indexes = [models.Index(fields=["workspace", "status", "period_start"])]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")),
                                   name="goals_goal_period_ends_after_start"),
            models.CheckConstraint(condition=Q(target__gte=0), name="goals_goal_target_not_negative"),
            models.CheckConstraint(
                condition=(Q(scope="company", team__isnull=True, user__isnull=True)
                           | Q(scope="team", team__isnull=False, user__isnull=True)
                           | Q(scope="rep", user__isnull=False)),
                name="goals_goal_scope_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric_key} {self.scope} {self.period_start:%Y-%m-%d}"
