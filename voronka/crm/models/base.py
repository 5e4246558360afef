"""What every CRM record shares: an owner and team (visibility), tags, custom values, a version."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel


class OwnedRecord(WorkspaceScopedModel):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("owner"),
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("team")
    )
    # Values of the workspace's custom fields, keyed by CustomField.key; validated by services.
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Bumped on every write; a stale version is refused with 409 (no lost updates, R25).
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True


class Tag(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=60)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="crm_tag_unique_name")]

    def __str__(self) -> str:
        return self.name
