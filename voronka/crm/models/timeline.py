from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel


class TimelineEntry(WorkspaceScopedModel):
    """One line on a record's timeline. Any app writes these through crm's timeline service;
    `kind` selects how the entry renders (registered in core.timeline by the owning app)."""

    kind = models.CharField(max_length=40)  # e.g. "stage_changed", "note", "activity_done", "email_sent"
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    deal = models.ForeignKey("crm.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="timeline")
    contact = models.ForeignKey("crm.Contact", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="timeline")
    company = models.ForeignKey("crm.Company", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="timeline")
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["deal", "at"]), models.Index(fields=["contact", "at"]),
            models.Index(fields=["company", "at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at:%Y-%m-%d}"
