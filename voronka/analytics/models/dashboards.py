"""Dashboards and their widgets.

A dashboard belongs to the user who made it. Each user has at most one company, team and
personal dashboard (the defaults, saved the first time they change one) and any number of
custom ones. Shared with a team, a dashboard is read-only for the members of that team and
the teams below it; every viewer sees only the numbers their own visibility allows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel

__all__ = ["ChartType", "Dashboard", "DashboardKind", "DashboardWidget", "RangePreset"]


class DashboardKind(models.TextChoices):
    COMPANY = "company", _("Company")
    TEAM = "team", _("Team")
    PERSONAL = "personal", _("Personal")
    CUSTOM = "custom", _("Custom")


class RangePreset(models.TextChoices):
    THIS_MONTH = "this_month", _("This month")
    THIS_QUARTER = "this_quarter", _("This quarter")
    LAST_QUARTER = "last_quarter", _("Last quarter")
    THIS_YEAR = "this_year", _("This year")
    CUSTOM = "custom", _("Custom")


class ChartType(models.TextChoices):
    TILE = "tile", _("Tile")
    LINE = "line", _("Line over time")
    BAR = "bar", _("Bars")
    TABLE = "table", _("Table")
    FUNNEL = "funnel", _("Funnel")


class Dashboard(WorkspaceScopedModel):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("owner"))
    kind = models.CharField(_("kind"), max_length=10, choices=DashboardKind.choices, default=DashboardKind.CUSTOM)
    name = models.CharField(_("name"), max_length=100)
    shared_team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("shared with team"))
    range_preset = models.CharField(_("period"), max_length=16, choices=RangePreset.choices,
                                    default=RangePreset.THIS_MONTH)
    date_from = models.DateField(_("from"), null=True, blank=True)
    date_to = models.DateField(_("to"), null=True, blank=True)
    # The default filters: {"team": [ids], "owner": [ids], "channel": [ids], "pipeline": [ids]}.
    filters = models.JSONField(default=dict, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("dashboard")
        verbose_name_plural = _("dashboards")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "owner", "kind"], condition=~Q(kind="custom"),
                                    name="analytics_dashboard_one_default_per_kind"),
        ]
        indexes = [models.Index(fields=["workspace", "shared_team"]), models.Index(fields=["workspace", "owner"])]

    def __str__(self) -> str:
        return self.name


class DashboardWidget(WorkspaceScopedModel):
    dashboard = models.ForeignKey(Dashboard, on_delete=models.CASCADE, related_name="widgets")
    position = models.PositiveSmallIntegerField(default=0)
    metric = models.CharField(_("metric"), max_length=64)
    chart = models.CharField(_("chart"), max_length=8, choices=ChartType.choices, default=ChartType.TILE)
    slice = models.CharField(_("breakdown"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("dashboard widget")
        verbose_name_plural = _("dashboard widgets")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.metric} ({self.chart})"
