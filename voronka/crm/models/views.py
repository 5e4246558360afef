from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel


class SavedView(WorkspaceScopedModel):
    """A named list filter (the list page's query string) a user keeps, optionally shared with the workspace."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=10)  # deals, companies, contacts, activities
    name = models.CharField(_("name"), max_length=100)
    query = models.CharField(max_length=2000, blank=True)
    is_shared = models.BooleanField(_("shared with the workspace"), default=False)

    class Meta:
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "user", "entity", "name"], name="crm_savedview_unique"),
        ]

    def __str__(self) -> str:
        return self.name
