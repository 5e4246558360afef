from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel

from .base import OwnedRecord, Tag


class DealStatus(models.TextChoices):
    OPEN = "open", _("open")
    WON = "won", _("won")
    LOST = "lost", _("lost")


class Deal(OwnedRecord):
    title = models.CharField(_("title"), max_length=200)
    company = models.ForeignKey("crm.Company", null=True, blank=True, on_delete=models.SET_NULL, related_name="deals",
                                verbose_name=_("company"))
    contacts = models.ManyToManyField("crm.Contact", blank=True, related_name="deals", verbose_name=_("contacts"))
    pipeline = models.ForeignKey("crm.Pipeline", on_delete=models.PROTECT, related_name="deals",
                                 verbose_name=_("pipeline"))
    stage = models.ForeignKey("crm.Stage", on_delete=models.PROTECT, related_name="deals", verbose_name=_("stage"))
    # The amount is the sum of the line items when there are any, else typed by hand.
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, default=Decimal("0"))
    amount_is_manual = models.BooleanField(default=True)
    cost = models.DecimalField(_("cost"), max_digits=16, decimal_places=2, default=Decimal("0"))
    expected_close_date = models.DateField(_("expected close date"), null=True, blank=True)
    # None: use the stage's default probability.
    probability_override = models.PositiveSmallIntegerField(
        _("probability, %"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    channel = models.ForeignKey("channels.SalesChannel", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("sales channel"))
    lead_source = models.CharField(_("lead source"), max_length=100, blank=True)
    status = models.CharField(_("status"), max_length=4, choices=DealStatus.choices, default=DealStatus.OPEN)
    lost_reason = models.ForeignKey("crm.LostReason", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("lost reason"))
    lost_note = models.CharField(_("lost note"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    stage_entered_at = models.DateTimeField(_("in stage since"))
    tags = models.ManyToManyField(Tag, blank=True, related_name="deals", verbose_name=_("tags"))

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["workspace", "status", "stage"]),
            models.Index(fields=["workspace", "owner", "status"]),
            # Ends with the visibility columns: counting a manager's open deals of a pipeline (the list page's
            # most used filter, 100,000+ rows in the demo at scale 100) reads the index only, not the table.
            models.Index(fields=["workspace", "pipeline", "status", "team", "owner"]),
            models.Index(fields=["workspace", "closed_at"]),
            models.Index(fields=["workspace", "created_at"]),
            # Pipeline value by expected close date: the days a metric rollup cannot answer yet are read here.
            models.Index(fields=["workspace", "status", "expected_close_date"], name="crm_deal_status_expected_idx"),
            # Lists and the API sort by amount; without these a page of the biggest deals scans them all.
            models.Index(fields=["workspace", "amount"]),
            models.Index(fields=["workspace", "status", "amount"]),
            # Covers the visibility filter (owner or team) so counting what a manager sees reads the index only.
            models.Index(fields=["workspace", "team", "owner"]),
            # Covers the metric engine's closed-deal aggregates (revenue, won, win rate by owner or team):
            # the date range, status, visibility and amount are all read from the index.
            models.Index(fields=["workspace", "closed_at", "status", "owner", "team", "amount"],
                         name="crm_deal_closed_cover_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def probability(self) -> int:
        if self.probability_override is not None:
            return self.probability_override
        return self.stage.probability

    @property
    def margin(self) -> Decimal:
        return self.amount - self.cost


class DealLineItem(WorkspaceScopedModel):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="line_items")
    product = models.ForeignKey("crm.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("product"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, default=Decimal("1"))
    unit_price = models.DecimalField(_("price"), max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField(
        _("discount, %"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = _("line item")
        verbose_name_plural = _("line items")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_id}"

    @property
    def total(self) -> Decimal:
        return self.quantity * self.unit_price * (Decimal(100) - self.discount_percent) / Decimal(100)


class StageTransition(WorkspaceScopedModel):
    """The funnel's history: written only by the service that moves or closes a deal."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.ForeignKey("crm.Stage", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    to_stage = models.ForeignKey("crm.Stage", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")

    class Meta:
        verbose_name = _("stage transition")
        verbose_name_plural = _("stage transitions")
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["workspace", "to_stage", "at"]),
            models.Index(fields=["deal", "at"]),
            # The furthest stage a deal reached (stage conversion, funnel) is read from the index alone.
            models.Index(fields=["deal", "to_stage"], name="crm_transition_deal_stage_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"
