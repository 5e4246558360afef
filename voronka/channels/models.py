"""The sales-channel catalogue: where the company sells, and what selling there costs."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel


class ChannelKind(models.TextChoices):
    DIRECT = "direct", _("Direct sales")
    PARTNER = "partner", _("Distributors and partners")
    ONLINE_STORE = "online_store", _("Online store")
    MARKETPLACE = "marketplace", _("Marketplace")
    SOCIAL = "social", _("Social networks")
    OTHER = "other", _("Other")


class SalesChannel(WorkspaceScopedModel):
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=ChannelKind.choices, default=ChannelKind.DIRECT)
    fee_percent = models.DecimalField(
        _("fee or commission, %"), max_digits=5, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    fixed_cost_per_month = models.DecimalField(_("fixed cost per month"), max_digits=14, decimal_places=2,
                                               default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    acquisition_cost = models.DecimalField(_("acquisition cost per customer"), max_digits=14, decimal_places=2,
                                           default=Decimal("0"), validators=[MinValueValidator(Decimal("0"))])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("sales channel")
        verbose_name_plural = _("sales channels")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="channels_channel_unique_name"),
            # The economics hold in the database too, whatever writes them (import, admin, a bug).
            models.CheckConstraint(condition=Q(fee_percent__gte=0, fee_percent__lte=100),
                                   name="channels_channel_fee_0_100"),
            models.CheckConstraint(condition=Q(fixed_cost_per_month__gte=0, acquisition_cost__gte=0),
                                   name="channels_channel_costs_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name
