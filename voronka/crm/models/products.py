from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from voronka.core.models import WorkspaceScopedModel


class Product(WorkspaceScopedModel):
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=100, blank=True)
    price = models.DecimalField(_("price"), max_digits=14, decimal_places=2, default=Decimal("0"))
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, default=Decimal("0"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["workspace", "sku"], name="crm_product_unique_sku")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"
