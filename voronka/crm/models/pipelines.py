from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel


class Pipeline(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=120)
    # A pipeline may belong to one team; None means the whole workspace uses it.
    team = models.ForeignKey("accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    is_default = models.BooleanField(_("default"), default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="crm_pipeline_unique_name")]

    def __str__(self) -> str:
        return self.name


class StageKind(models.TextChoices):
    OPEN = "open", _("open")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class Stage(WorkspaceScopedModel):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("default probability, %"), default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    stalled_after_days = models.PositiveSmallIntegerField(_("stalled after, days"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=4, choices=StageKind.choices, default=StageKind.OPEN)
    # Deal field names (or "custom.<key>") that must be filled before a deal may enter this stage.
    required_fields = models.JSONField(_("required fields"), default=list, blank=True)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["pipeline", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["pipeline", "name"], name="crm_stage_unique_name")]

    def __str__(self) -> str:
        return self.name


class LostReason(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("lost reason")
        verbose_name_plural = _("lost reasons")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="crm_lostreason_unique_name")]

    def __str__(self) -> str:
        return self.name
