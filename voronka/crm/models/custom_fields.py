from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel


class CustomEntity(models.TextChoices):
    COMPANY = "company", _("company")
    CONTACT = "contact", _("contact")
    DEAL = "deal", _("deal")
    ACTIVITY = "activity", _("activity")


class CustomFieldKind(models.TextChoices):
    TEXT = "text", _("text")
    NUMBER = "number", _("number")
    DATE = "date", _("date")
    CHOICE = "choice", _("choice")


class CustomField(WorkspaceScopedModel):
    """A field the workspace adds to an entity; values live in the entity's `custom` JSON."""

    entity = models.CharField(_("entity"), max_length=10, choices=CustomEntity.choices)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("type"), max_length=6, choices=CustomFieldKind.choices, default=CustomFieldKind.TEXT)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    is_required = models.BooleanField(_("required"), default=False)
    show_in_list = models.BooleanField(_("show in lists"), default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        ordering = ["entity", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "entity", "key"], name="crm_customfield_unique_key"),
        ]

    def __str__(self) -> str:
        return self.label
