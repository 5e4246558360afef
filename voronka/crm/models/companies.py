from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .base import OwnedRecord, Tag


class SizeBand(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250-999", _("250–999 employees")
    ENTERPRISE = "1000+", _("1000+ employees")


class Company(OwnedRecord):
    name = models.CharField(_("name"), max_length=200)
    # Lower-case host without "www."; the key duplicates are matched on.
    domain = models.CharField(_("domain"), max_length=200, blank=True, db_index=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    size_band = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    annual_revenue = models.DecimalField(_("annual revenue"), max_digits=16, decimal_places=2, null=True, blank=True)
    channel = models.ForeignKey(
        "channels.SalesChannel", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("sales channel"),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="companies", verbose_name=_("tags"))
    # Lower-cased name for duplicate matching and case-insensitive search that works on SQLite too.
    name_key = models.CharField(max_length=200, db_index=True, editable=False)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["workspace", "owner"]), models.Index(fields=["workspace", "name_key"])]

    def __str__(self) -> str:
        return self.name
