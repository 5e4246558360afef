"""Saved reports and their weekly schedule."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel

__all__ = ["ReportSubscription", "SavedReport", "Weekday"]


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class SavedReport(WorkspaceScopedModel):
    """A report builder query kept by its owner, optionally shared with a team (and the teams below it).

    Whoever opens it sees the numbers their own visibility allows: the spec is shared, never the rows.
    """

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                              verbose_name=_("owner"))
    name = models.CharField(_("name"), max_length=120)
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("shared with team"))
    # metrics, slices, granularity, period (a preset or custom), date_from, date_to, filters: report_spec.py
    spec = models.JSONField(_("query"), default=dict)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "owner"]), models.Index(fields=["workspace", "team"])]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "owner", "name"], name="analytics_report_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class ReportSubscription(WorkspaceScopedModel):
    """A user receives a saved report by email every week on `weekday` (the workspace's local day).

    `last_sent_on` is the scheduled local date of the last send; a send claims its date with one
    conditional UPDATE, so two workers never send the same week twice.
    """

    report = models.ForeignKey(SavedReport, on_delete=models.CASCADE, related_name="subscriptions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, default=Weekday.MONDAY)
    last_sent_on = models.DateField(_("last sent for"), null=True, blank=True)
    last_sent_at = models.DateTimeField(_("last sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("report subscription")
        verbose_name_plural = _("report subscriptions")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["report", "user"], name="analytics_subscription_one_per_user"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="analytics_subscription_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} → {self.user_id} ({self.weekday})"
