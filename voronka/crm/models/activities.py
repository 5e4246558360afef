from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .base import OwnedRecord


class ActivityKind(models.TextChoices):
    # A context of their own: "email" the kind of activity is not "email" the address field.
    CALL = "call", pgettext_lazy("activity kind", "call")
    MEETING = "meeting", pgettext_lazy("activity kind", "meeting")
    EMAIL = "email", pgettext_lazy("activity kind", "email")
    TASK = "task", pgettext_lazy("activity kind", "task")
    NOTE = "note", pgettext_lazy("activity kind", "note")


class Activity(OwnedRecord):
    kind = models.CharField(_("type"), max_length=8, choices=ActivityKind.choices, default=ActivityKind.TASK)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("details"), blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=200, blank=True)
    deal = models.ForeignKey("crm.Deal", null=True, blank=True, on_delete=models.CASCADE, related_name="activities")
    contact = models.ForeignKey("crm.Contact", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="activities")
    company = models.ForeignKey("crm.Company", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="activities")

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "owner", "done_at", "due_at"]),
            models.Index(fields=["workspace", "kind", "done_at"]),
            # Activities done on a few days (those a metric rollup cannot answer yet), whoever did them.
            models.Index(fields=["workspace", "done_at"], name="crm_activity_done_idx"),
        ]

    def __str__(self) -> str:
        return self.subject
