"""What funnel stores: the trained win-probability model, each open deal's score, weekly forecast snapshots."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel


class ModelStatus(models.TextChoices):
    TRAINED = "trained", _("trained")
    FALLBACK = "fallback", _("stage probabilities (too few closed deals)")


class WinModel(WorkspaceScopedModel):
    """One training run of a workspace's win-probability model; the newest row is the one in use."""

    status = models.CharField(max_length=10, choices=ModelStatus.choices)
    trained_at = models.DateTimeField()
    closed_deals = models.PositiveIntegerField(default=0)  # closed deals available when it ran
    n_train = models.PositiveIntegerField(default=0)
    n_test = models.PositiveIntegerField(default=0)
    brier = models.FloatField(null=True, blank=True)
    brier_baseline = models.FloatField(null=True, blank=True)  # the stage probabilities on the same test deals
    reliability = models.JSONField(default=list, blank=True)  # [{"predicted", "observed", "count"}]
    importance = models.JSONField(default=list, blank=True)  # [{"feature", "effect"}], mean |effect| on open deals
    seconds = models.FloatField(default=0)
    # SECURITY: a joblib (pickle) dump of the fitted estimator and its encodings. Loading a pickle runs code,
    # so this column is only ever written by our own training service (services/training.py), from data we
    # computed; it is never filled from a request, an upload, an import or the API, and never exported.
    estimator = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("win-probability model")
        verbose_name_plural = _("win-probability models")
        ordering = ["-trained_at", "-id"]
        indexes = [models.Index(fields=["workspace", "-trained_at"])]

    def __str__(self) -> str:
        return f"{self.status} @ {self.trained_at:%Y-%m-%d %H:%M}"


class ScoreSource(models.TextChoices):
    MODEL = "model", _("model")
    STAGE = "stage", _("stage probability")


class DealScore(WorkspaceScopedModel):
    """An open deal's win probability and the factors behind it (refreshed after training and on each move)."""

    deal = models.OneToOneField("crm.Deal", on_delete=models.CASCADE, related_name="+")
    probability = models.FloatField()  # 0..1
    source = models.CharField(max_length=5, choices=ScoreSource.choices)
    factors = models.JSONField(default=list, blank=True)  # [{"feature", "value", "effect"}], strongest first
    model = models.ForeignKey(WinModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    scored_at = models.DateTimeField()

    class Meta:
        verbose_name = _("deal score")
        verbose_name_plural = _("deal scores")
        indexes = [models.Index(fields=["workspace", "probability"])]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.probability:.2f}"


class ForecastSnapshot(WorkspaceScopedModel):
    """The quarter's forecast as one viewer saw it that week, kept to compare with what happened."""

    # Whose deals: "all", "own:<user>" or "team:<ids>:user:<user>" (core.visibility.Viewer), so each person
    # later sees the accuracy of the forecast of exactly the deals they may see.
    scope = models.CharField(max_length=255)
    taken_at = models.DateTimeField()
    period_start = models.DateField()  # first local day of the quarter
    period_end = models.DateField()  # first local day after it
    p10 = models.DecimalField(max_digits=18, decimal_places=2)
    p50 = models.DecimalField(max_digits=18, decimal_places=2)
    p90 = models.DecimalField(max_digits=18, decimal_places=2)
    weighted = models.DecimalField(max_digits=18, decimal_places=2)
    already_won = models.DecimalField(max_digits=18, decimal_places=2)
    open_deals = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("forecast snapshot")
        verbose_name_plural = _("forecast snapshots")
        ordering = ["taken_at", "id"]
        indexes = [models.Index(fields=["workspace", "scope", "period_start", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.scope} {self.period_start} @ {self.taken_at:%Y-%m-%d}: {self.p50}"
